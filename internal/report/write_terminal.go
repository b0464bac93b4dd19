// The terminal writer.

package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"loginharness/internal/contract"
)

// Bounds of the terminal summary, so a run that breaks everything still
// reads in one screen or two; the page has the rest.
const (
	summaryGroups = 12  // skip groups and failed checks listed, each
	summaryNames  = 4   // spec names listed per group
	summaryWidth  = 160 // characters of a line, before it is cut
)

// WriteTerminal prints what a terminal needs of the view, short: the
// verdict line and why; per API the documented codes passed, failed and
// skipped, per load scenario its verdicts; the conformance skips by
// reason; the failed checks grouped by finding; the changes since a
// baseline.
func WriteTerminal(w io.Writer, v *View) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "verdict: %s\n", v.VerdictLine())
	for _, r := range v.Reasons {
		fmt.Fprintf(tw, "  - %s\n", r)
	}
	if head, lines := advisoryText(v.Advisories); head != "" {
		fmt.Fprintln(tw, head)
		for _, line := range lines {
			fmt.Fprintln(tw, contract.Truncate("  "+line, 2*summaryWidth))
		}
	}
	for _, a := range v.APIs {
		switch {
		case a.Specs.Total() > a.Specs.NotRun:
			fmt.Fprintf(tw, "%s\t%s\tcodes: %s\tspecs: %s\n", a.API, a.Target.Name(), a.Codes, a.Specs)
		case slices.ContainsFunc(v.Scenarios, func(s ScenarioResult) bool { return s.API == a.API }),
			slices.ContainsFunc(v.Advisories.Groups, func(g AdvisoryGroup) bool { return g.API == a.API && g.Run == a.Target.Run }):
			fmt.Fprintf(tw, "%s\t%s\tno conformance spec in this run\t\n", a.API, a.Target.Name())
		case a.Target.Run != "":
			fmt.Fprintf(tw, "%s\t%s\tnot tested in this run\t\n", a.API, a.Target.Name())
		default:
			fmt.Fprintf(tw, "%s\tnot tested in this run\t\t\n", a.API)
		}
	}
	for _, s := range v.Scenarios {
		fmt.Fprintf(tw, "load\t%s\t%s\t%s\n", s.Title, s.Judged, contract.Truncate(scenarioNote(s), summaryWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writeRuns(w, v)
	writeSkips(w, v)
	for _, line := range partialText(v.Advisories) {
		fmt.Fprintln(w, contract.Truncate(line, 2*summaryWidth))
	}
	writeFailedChecks(w, v)
	writeChanges(w, v.Changes)
	return nil
}

// writeRuns says what the view is made of when it is more than one
// process's run: a shard's own judgement, the runs side by side, the
// shards merged, the specs that differ between runs.
func writeRuns(w io.Writer, v *View) {
	if sh := v.Run.Shard; sh != nil && len(v.Runs) == 0 {
		fmt.Fprintf(w, "shard %d/%d of run %s: the shared limit is judged once the shards are merged: harness report --in each shard's folder --out DIR\n", sh.Index, sh.Count, sh.RunID)
	}
	for _, r := range v.Runs {
		what := "run of " + stampText(r.Info.Started)
		if r.Merged && r.Info.Shard != nil {
			what = fmt.Sprintf("%d shards merged", r.Info.Shard.Count)
		}
		fmt.Fprintf(w, "run %s: %s, from %s\n", r.Label, what, strings.Join(r.Inputs, ", "))
	}
	if len(v.Mixed) > 0 {
		fmt.Fprintf(w, "specs differ between the runs for %s: each run is judged against its own, side by side\n", strings.Join(v.Mixed, ", "))
	}
}

// writeChanges lists what changed since the baseline, regressions first.
func writeChanges(w io.Writer, ch *Changes) {
	head, lines := changeText(ch)
	if head == "" {
		return
	}
	fmt.Fprintln(w, head)
	for i, line := range lines {
		if i == summaryGroups {
			fmt.Fprintln(w, "  … more: see the report")
			return
		}
		fmt.Fprintln(w, contract.Truncate("  "+line, summaryWidth))
	}
}

// scenarioNote is why a scenario left verdicts unjudged, else what it
// measured.
func scenarioNote(s ScenarioResult) string {
	if s.VerdictCounts.Skipped > 0 && s.Reason != "" && s.MoreReasons > 0 {
		return fmt.Sprintf("%s%s (and %s: see summary.md or the page)", notJudgedPrefix, s.Reason, contract.Plural(s.MoreReasons, "more reason"))
	}
	if s.VerdictCounts.Skipped > 0 && s.Reason != "" {
		return notJudgedPrefix + s.Reason
	}
	return s.Measured
}

// writeSkips lists the conformance specs not judged by reason; the load
// scenarios' rows above say already why their verdicts were not judged.
func writeSkips(w io.Writer, v *View) {
	var groups []Skip
	for _, k := range v.Skips {
		if !strings.HasPrefix(k.Where, "load") {
			groups = append(groups, k)
		}
	}
	if len(groups) == 0 {
		return
	}
	fmt.Fprintln(w, "skipped, by reason:")
	for i, k := range groups {
		if i == summaryGroups {
			fmt.Fprintf(w, "  … %s more: see the report\n", contract.Plural(len(groups)-i, "reason"))
			break
		}
		fmt.Fprintf(w, "  – %s, %s: %s\n", k.Where, contract.Plural(len(k.Specs), "spec"), contract.Truncate(k.Reason, summaryWidth))
		fmt.Fprintf(w, "      %s\n", contract.Truncate(nameList(k.Specs, summaryNames), summaryWidth))
	}
}

func writeFailedChecks(w io.Writer, v *View) {
	if len(v.Checks) == 0 {
		return
	}
	fmt.Fprintf(w, "failed checks (%s, in %s):\n", contract.Plural(len(v.Checks), "check"), contract.Plural(len(v.Failures), "spec"))
	for i, fc := range v.Checks {
		if i == summaryGroups {
			fmt.Fprintf(w, "  … %s more: see the report\n", contract.Plural(len(v.Checks)-i, "check"))
			break
		}
		what := strings.TrimSpace(fc.Check + ": " + fc.Detail)
		if fc.Check == "" {
			what = fc.Detail
		}
		fmt.Fprintf(w, "  ✗ %s  %s\n", fc.Where, contract.Truncate(what, summaryWidth))
		if fc.Message != "" {
			fmt.Fprintf(w, "      %s\n", contract.Truncate(fc.Message, 2*summaryWidth))
		}
		fmt.Fprintf(w, "      %s\n", contract.Truncate(contract.Plural(len(fc.Specs), "spec")+": "+nameList(fc.Specs, summaryNames), summaryWidth))
	}
}
