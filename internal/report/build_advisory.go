// The builder's advisory part: the advisory specs taken out of the
// contract's counts into the view's own section.

package report

import (
	"fmt"
	"slices"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// isAdvisory tells whether a spec judged a login advisory: it recorded
// one, or carries the advisory label (a sacrificial spec without it is a
// contract verdict).
func (s Spec) isAdvisory() bool {
	return s.Advisory != nil || slices.Contains(s.Labels, results.LabelAdvisory)
}

// advisories moves the advisory specs out of the specs, so no count of
// the contract holds them, into the view's advisories, grouped by run and
// API; their states stay in advisoryStates for the verdict. It notes the
// passed specs that judged in part.
func (b *builder) advisories() {
	var rest []Spec
	for _, s := range b.Specs {
		if !s.isAdvisory() {
			rest = append(rest, s)
			if s.State == Passed && len(s.Notes) > 0 {
				b.Advisories.Partial = append(b.Advisories.Partial, PartialJudgement{Where: runWhere(s.API, s.Run), Spec: s.Name, Notes: s.Notes})
			}
			continue
		}
		b.advisoryStates.add(s.State)
		if s.State == NotRun || s.State == Interrupted && s.Advisory == nil {
			continue // filtered out, or never reached: nothing to show
		}
		b.addAdvisory(advisoryOfSpec(s))
	}
	b.Specs = rest
}

// addAdvisory files a into its run's and API's group and counts it.
func (b *builder) addAdvisory(a Advisory) {
	i := slices.IndexFunc(b.Advisories.Groups, func(g AdvisoryGroup) bool { return g.API == a.API && g.Run == a.Run })
	if i < 0 {
		title := runWhere(a.API, a.Run)
		b.Advisories.Groups = append(b.Advisories.Groups, AdvisoryGroup{API: a.API, Run: a.Run, Title: title, Anchor: "advisories-" + anchorText(title)})
		i = len(b.Advisories.Groups) - 1
	}
	b.Advisories.Groups[i].List = append(b.Advisories.Groups[i].List, a)
	c := &b.Advisories.Counts
	switch a.State {
	case results.AdvisoryPassed:
		c.Passed++
	case results.AdvisoryRaised:
		c.Raised++
		if a.SpecState == Failed {
			c.GatedRaised++
		}
	default:
		c.NotJudged++
	}
	if a.Broken != "" {
		c.Broken++
	}
	b.Advisories.Gated = b.Advisories.Gated || a.Gated
}

// advisoryFailures say why the advisories fail the run: the raised ones
// it gated on, the checks that broke before they judged.
func (b *builder) advisoryFailures() []string {
	var out []string
	if n := b.Advisories.Counts.GatedRaised; n > 0 {
		out = append(out, advisoryCount(n)+" raised (gated)")
	}
	if n := b.Advisories.Counts.Broken; n > 0 {
		out = append(out, contract.Plural(n, "advisory check")+" failed before judging")
	}
	return out
}

// runWhere names an API with its run on a page of several.
func runWhere(api, run string) string {
	if run == "" {
		return api
	}
	return api + " (" + run + ")"
}

// advisoryCount reads like "1 advisory", "2 advisories".
func advisoryCount(n int) string {
	if n == 1 {
		return "1 advisory"
	}
	return fmt.Sprintf("%d advisories", n)
}
