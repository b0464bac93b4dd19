// The summary.md writer.

package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// SummaryFile is the Markdown summary's name in an output folder: what a
// CI job shows on its page (GitHub's job summary), beside the artifact.
const SummaryFile = "summary.md"

// WriteMarkdown writes the view's Markdown summary to path, atomically.
func WriteMarkdown(path string, v *View) error {
	var buf bytes.Buffer
	Markdown(&buf, v)
	return results.WriteFileAtomic(path, buf.Bytes())
}

// Markdown writes the verdict and why, the skips, the coverage of each
// API's documented codes, the load scenarios and the failed checks, as a
// CI job summary shows them.
func Markdown(w io.Writer, v *View) {
	fmt.Fprintf(w, "## Login API conformance: %s\n\n", v.VerdictLine())
	for _, r := range v.Reasons {
		fmt.Fprintf(w, "- %s\n", mdText(r))
	}
	if head, lines := advisoryText(v.Advisories); head != "" {
		if len(v.Reasons) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "**%s**\n\n", mdText(head))
		for _, line := range lines {
			fmt.Fprintf(w, "- %s\n", mdText(line))
		}
		fmt.Fprintln(w)
	}
	for _, k := range v.Skips {
		// A count with its noun, never "webex, 2", which reads like an index.
		what := " skipped" // a load verdict's reason says "not judged" already
		switch {
		case k.Outage:
			what = " not judged for an outage"
		case strings.HasPrefix(k.Where, "load"):
			what = ""
		}
		fmt.Fprintf(w, "- %s%s in %s: %s\n", contract.Plural(len(k.Specs), "spec"), what, k.Where, mdText(k.Reason))
	}
	for _, line := range partialText(v.Advisories) {
		fmt.Fprintf(w, "- %s\n", mdText(line))
	}
	fmt.Fprintln(w)
	if head, lines := changeText(v.Changes); head != "" {
		fmt.Fprintf(w, "### %s\n\n", mdText(strings.ToUpper(head[:1])+head[1:]))
		for _, line := range lines {
			fmt.Fprintf(w, "- %s\n", mdText(line))
		}
		fmt.Fprintln(w)
	}
	for _, m := range v.Matrices {
		markdownMatrix(w, m)
	}
	if len(v.Scenarios) > 0 {
		fmt.Fprintf(w, "### Load\n\n| Scenario | State | Verdicts | |\n|---|---|---|---|\n")
		for _, s := range v.Scenarios {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdText(s.Title), s.StateText, s.Judged, mdText(scenarioNote(s)))
		}
		fmt.Fprintln(w)
	}
	if len(v.Checks) > 0 {
		fmt.Fprintf(w, "### Failed checks\n\n")
		for _, fc := range v.Checks {
			detail := fc.Detail
			if fc.Message != "" {
				detail += "; " + contract.Truncate(fc.Message, 2*summaryWidth)
			}
			fmt.Fprintf(w, "- **%s** %s: %s (%s)\n", fc.Where, mdText(fc.Check), mdText(detail), mdText(contract.Plural(len(fc.Specs), "spec")+": "+nameList(fc.Specs, summaryNames)))
		}
	}
}

// markdownMatrix is one API's coverage: a row per target, a column per
// documented code, a symbol per cell.
func markdownMatrix(w io.Writer, m Matrix) {
	fmt.Fprintf(w, "### %s\n\n| Target |", m.API)
	for _, r := range m.Rows {
		fmt.Fprintf(w, " %d |", r.Status)
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(m.Rows)))
	for i, t := range m.Targets {
		fmt.Fprintf(w, "| %s |", mdText(t.Name()))
		for _, r := range m.Rows {
			fmt.Fprintf(w, " %s |", cellSymbols[r.Cells[i].State])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n✅ passed · ❌ failed · ⏭️ skipped · ⚪ not run\n\n")
}

var cellSymbols = map[State]string{Passed: "✅", Failed: "❌", Skipped: "⏭️", Interrupted: "⚠️", NotRun: "⚪"}

// mdText keeps a message on one table line and out of Markdown's syntax.
func mdText(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "*", `\*`, "_", `\_`, "<", "&lt;", "`", "'").Replace(s)
}
