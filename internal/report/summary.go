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
		default:
			fmt.Fprintf(tw, "%s\tnot tested in this run\t\t\n", a.API)
		}
	}
	for _, s := range p.Scenarios {
		fmt.Fprintf(tw, "load\t%s\t%s\t%s\n", s.Name, s.Judged(), contract.Truncate(scenarioNote(s), summaryWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p.writeSkips(w)
	p.writeFailedChecks(w)
	return nil
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
