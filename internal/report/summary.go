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

// WriteSummary prints what a terminal needs, short: the verdict with the
// skips beside it and why; per API the documented codes passed, failed and
// skipped, per load scenario its verdicts; the skipped specs by reason;
// the failed checks grouped by finding.
func (p *Page) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "verdict: %s\n", p.Headline())
	for _, r := range p.Reasons {
		fmt.Fprintf(tw, "  - %s\n", r)
	}
	for _, a := range p.APIs {
		switch {
		case a.Specs.Total() > a.Specs.NotRun:
			fmt.Fprintf(tw, "%s\t%s\tcodes: %s\tspecs: %s\n", a.API, a.Target.Name(), a.Codes, a.Specs)
		case slices.ContainsFunc(p.Scenarios, func(s ScenarioRun) bool { return s.API == a.API }):
			fmt.Fprintf(tw, "%s\t%s\tno conformance spec in this run\t\n", a.API, a.Target.Name())
		case a.Target.Run != "":
			fmt.Fprintf(tw, "%s\t%s\tnot tested in this run\t\n", a.API, a.Target.Name())
		default:
			fmt.Fprintf(tw, "%s\tnot tested in this run\t\t\n", a.API)
		}
	}
	for _, s := range p.Scenarios {
		fmt.Fprintf(tw, "load\t%s\t%s\t%s\n", s.Title(), s.Judged(), contract.Truncate(scenarioNote(s), summaryWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p.writeRuns(w)
	p.writeSkips(w)
	p.writeFailedChecks(w)
	p.writeChanges(w)
	return nil
}

// writeRuns says what the page is made of when it is more than one
// process's run: a shard's own judgement, the runs side by side, the
// shards merged, the specs that differ between runs.
func (p *Page) writeRuns(w io.Writer) {
	if sh := p.Run.Shard; sh != nil && len(p.Runs) == 0 {
		fmt.Fprintf(w, "shard %d/%d of run %s: the shared limit is judged once the shards are merged: harness report --in each shard's folder --out DIR\n", sh.Index, sh.Count, sh.RunID)
	}
	for _, r := range p.Runs {
		what := "run of " + stampText(r.Info.Started)
		if r.Merged && r.Info.Shard != nil {
			what = fmt.Sprintf("%d shards merged", r.Info.Shard.Count)
		}
		fmt.Fprintf(w, "run %s: %s, from %s\n", r.Label, what, strings.Join(r.Inputs, ", "))
	}
	if len(p.Mixed) > 0 {
		fmt.Fprintf(w, "specs differ between the runs for %s: each run is judged against its own, side by side\n", strings.Join(p.Mixed, ", "))
	}
}

// writeChanges lists what changed since the baseline, regressions first.
func (p *Page) writeChanges(w io.Writer) {
	head, lines := p.changeSummary()
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

// changeSummary is the line that says what changed since the baseline,
// and one line per group of changes: regressions, fixes, new skips, then
// the measures that moved; empty without a baseline.
func (p *Page) changeSummary() (head string, lines []string) {
	ch := p.Changes
	if ch == nil {
		return "", nil
	}
	since := fmt.Sprintf("since the baseline (%s)", stampText(ch.Baseline.Started))
	if ch.Empty() {
		return since + ": nothing changed", nil
	}
	head = fmt.Sprintf("%s: %d regressed, %d fixed, %d no longer judged, %s moved beyond noise",
		since, len(ch.Regressions), len(ch.Fixed), len(ch.NewSkips), contract.Plural(len(ch.Measures), "measure"))
	if len(ch.SpecsDiffer) > 0 {
		lines = append(lines, fmt.Sprintf("the spec of %s changed since: its changes may be the spec's doing", strings.Join(ch.SpecsDiffer, ", ")))
	}
	for _, group := range []struct {
		mark    string
		changes []Change
	}{{"✗ regressed", ch.Regressions}, {"✓ fixed", ch.Fixed}, {"– no longer judged", ch.NewSkips}} {
		for _, line := range changeLines(group.changes) {
			lines = append(lines, group.mark+": "+line)
		}
	}
	for _, m := range ch.Measures {
		lines = append(lines, fmt.Sprintf("~ %s %s: %s → %s", m.Scenario, m.Measure, m.Before, m.After))
	}
	return head, lines
}

// Headline is the verdict with its rider of skips: "PASS, 26 specs skipped".
func (p *Page) Headline() string {
	if line := p.SkipLine(); line != "" {
		return string(p.Verdict) + ", " + line
	}
	return string(p.Verdict)
}

// scenarioNote is why a scenario left verdicts unjudged, else what it
// measured.
func scenarioNote(s ScenarioRun) string {
	if s.Verdicts.Skipped > 0 && s.Reason != "" {
		return notJudgedPrefix + s.Reason
	}
	return s.Headline
}

// writeSkips lists the skipped conformance specs by reason; the load
// scenarios' rows above say already why their verdicts were not judged.
func (p *Page) writeSkips(w io.Writer) {
	var groups []Skip
	for _, k := range p.Skips {
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

func (p *Page) writeFailedChecks(w io.Writer) {
	checks := p.FailedChecks()
	if len(checks) == 0 {
		return
	}
	fmt.Fprintf(w, "failed checks (%s, in %s):\n", contract.Plural(len(checks), "check"), contract.Plural(len(p.Failures), "spec"))
	for i, fc := range checks {
		if i == summaryGroups {
			fmt.Fprintf(w, "  … %s more: see the report\n", contract.Plural(len(checks)-i, "check"))
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
		fmt.Fprintf(w, "      %s\n", contract.Truncate(contract.Plural(len(fc.Specs), "spec")+": "+fc.SpecList(summaryNames), summaryWidth))
	}
}

// String reads like "19 passed, 2 skipped".
func (c Counts) String() string {
	var parts []string
	for _, n := range []struct {
		count int
		state State
	}{{c.Passed, Passed}, {c.Failed, Failed}, {c.Interrupted, Interrupted}, {c.Skipped, Skipped}, {c.NotRun, NotRun}} {
		if n.count > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n.count, n.state))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// changeLines groups changes for the terminal: the codes of one target on
// one line, the specs of one API on another, each load verdict on its own
// with why it is what it is now.
func changeLines(changes []Change) []string {
	var lines, verdicts []string
	for _, g := range groupChanges(changes) {
		var names []string
		for _, c := range g.Changes {
			names = append(names, c.Short)
			if g.Kind == "load" {
				line := "load " + c.Name
				if c.Reason != "" && c.After != Passed {
					line += ": " + c.Reason
				}
				verdicts = append(verdicts, line)
			}
		}
		switch g.Kind {
		case "code":
			lines = append(lines, fmt.Sprintf("codes of %s: %s", g.Where, strings.Join(names, " ")))
		case "spec":
			lines = append(lines, fmt.Sprintf("%s of %s: %s", contract.Plural(len(names), "spec"), g.Where, nameList(names, summaryNames)))
		}
	}
	return append(lines, verdicts...)
}
