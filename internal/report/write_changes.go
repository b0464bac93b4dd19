// The changes since a baseline as lines, for the terminal and summary.md.

package report

import (
	"fmt"
	"slices"
	"strings"

	"loginharness/internal/contract"
)

// changeText is what the terminal and summary.md say of the changes since
// a baseline: a head line with the counts, kinds apart, and one line per
// group of changes: regressions, fixes, new skips, what is no longer run,
// then the measures that moved. Empty without a baseline.
func changeText(ch *Changes) (head string, lines []string) {
	if ch == nil {
		return "", nil
	}
	since := fmt.Sprintf("since the baseline (%s)", stampText(ch.Baseline.Started))
	if ch.Empty {
		return since + ": nothing changed", nil
	}
	head = since + ": " + ch.Summary
	if len(ch.SpecsDiffer) > 0 {
		lines = append(lines, fmt.Sprintf("the spec of %s changed since: its changes may be the spec's doing", strings.Join(ch.SpecsDiffer, ", ")))
	}
	for _, set := range []struct {
		mark string
		set  ChangeSet
	}{{"✗ regressed", ch.Regressions}, {"✓ fixed", ch.Fixed}, {"– no longer judged", ch.NewSkips}} {
		for _, line := range groupLines(set.set.Groups, true) {
			lines = append(lines, set.mark+": "+line)
		}
	}
	for _, line := range noLongerRunLines(ch) {
		lines = append(lines, "– no longer run: "+line)
	}
	for _, m := range ch.Measures {
		lines = append(lines, fmt.Sprintf("~ %s %s: %s → %s", m.Scenario, m.Measure, m.Before, m.After))
	}
	for _, a := range ch.AdvisoriesRaised {
		lines = append(lines, "! advisory newly raised: "+a)
	}
	for _, a := range ch.AdvisoriesCleared {
		lines = append(lines, "✓ advisory cleared: "+a)
	}
	return head, lines
}

// noLongerRunLines names what the run no longer ran: an API gone whole in
// one line, the rest by group, a load scenario in one line.
func noLongerRunLines(ch *Changes) []string {
	var lines []string
	var apis []string
	for _, a := range ch.APIsNoLongerRun {
		lines = append(lines, fmt.Sprintf("%s (%s)", a.API, countText(a.Count)))
		apis = append(apis, a.API)
	}
	var groups []ChangeGroup
	for _, g := range ch.NoLongerRun.Groups {
		if g.Kind == kindLoad || !slices.Contains(apis, g.Changes[0].API) {
			groups = append(groups, g)
		}
	}
	return append(lines, groupLines(groups, false)...)
}

// groupLines writes groups of changes: the codes of one target on one
// line, the specs of one API on another, and a load scenario's verdicts
// each on its own with why it is what it is now (perVerdict), or the
// scenario in one line.
func groupLines(groups []ChangeGroup, perVerdict bool) []string {
	var lines, verdicts []string
	for _, g := range groups {
		var names []string
		for _, c := range g.Changes {
			names = append(names, c.Short)
			if g.Kind == kindLoad && perVerdict {
				line := "load " + c.Name
				if c.Reason != "" && c.After != Passed {
					line += ": " + c.Reason
				}
				verdicts = append(verdicts, line)
			}
		}
		switch {
		case g.Kind == kindCode:
			lines = append(lines, fmt.Sprintf("codes of %s: %s", g.Where, strings.Join(names, " ")))
		case g.Kind == kindSpec:
			lines = append(lines, fmt.Sprintf("%s of %s: %s", contract.Plural(len(names), "spec"), g.Where, nameList(names, summaryNames)))
		case !perVerdict:
			lines = append(lines, fmt.Sprintf("load %s (%s: %s)", g.Where, contract.Plural(len(names), "verdict"), nameList(names, summaryNames)))
		}
	}
	return append(lines, verdicts...)
}
