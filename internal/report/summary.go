package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteSummary prints the few lines a terminal needs: the verdict and why,
// each API's codes and specs, and each load scenario's verdict.
func (p *Page) WriteSummary(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "verdict: %s\n", p.Verdict)
	for _, r := range p.Reasons {
		fmt.Fprintf(tw, "  - %s\n", r)
	}
	for _, a := range p.APIs {
		fmt.Fprintf(tw, "%s\t%s\tcodes: %s\tspecs: %s\n", a.API, a.Target.Name(), a.Codes, a.Specs)
	}
	if p.Load != nil {
		for _, s := range p.Load.Scenarios {
			fmt.Fprintf(tw, "load\t%s\t%s\t%s\n", s.Scenario, s.State, s.Headline)
		}
	}
	return tw.Flush()
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
