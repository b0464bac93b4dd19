package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"loginharness/internal/results"
)

// Changes is what a run changed since a baseline run, such as last
// night's: what broke and what was mended, what is no longer judged, and
// the measures that moved beyond noise.
type Changes struct {
	Baseline RunInfo
	// SpecsDiffer names the APIs whose spec (by SHA-256) is not the one
	// the baseline ran against: their changes may be the spec's doing.
	SpecsDiffer []string
	Regressions []Change // passed in the baseline, failed now
	Fixed       []Change // failed in the baseline, passed now
	NewSkips    []Change // judged in the baseline, skipped or not judged now
	Measures    []MeasureChange
}

// Empty tells whether nothing changed.
func (c *Changes) Empty() bool {
	return len(c.SpecsDiffer)+len(c.Regressions)+len(c.Fixed)+len(c.NewSkips)+len(c.Measures) == 0
}

// ChangeGroup is the changes of one kind in one place: the codes of one
// target, the specs of one API, the verdicts of one load scenario.
type ChangeGroup struct {
	Kind, Where string
	Changes     []Change
}

// groupChanges groups changes by kind and place, in their order.
func groupChanges(cs []Change) []ChangeGroup {
	var out []ChangeGroup
	for _, c := range cs {
		i := slices.IndexFunc(out, func(g ChangeGroup) bool { return g.Kind == c.Kind && g.Where == c.Where })
		if i < 0 {
			out = append(out, ChangeGroup{Kind: c.Kind, Where: c.Where})
			i = len(out) - 1
		}
		out[i].Changes = append(out[i].Changes, c)
	}
	return out
}

// RegressionGroups, FixedGroups and NewSkipGroups are the changes as the
// page lists them, grouped.
func (c *Changes) RegressionGroups() []ChangeGroup { return groupChanges(c.Regressions) }
func (c *Changes) FixedGroups() []ChangeGroup      { return groupChanges(c.Fixed) }
func (c *Changes) NewSkipGroups() []ChangeGroup    { return groupChanges(c.NewSkips) }

// Change is one spec, documented code or load verdict whose state changed.
type Change struct {
	Kind   string // "spec", "code" or "load"
	Name   string // the spec's text, "webex 429 on <target>", "over-limit accepted-within-limit"
	Where  string // what it belongs to: "webex", "webex on embedded mock", "over-limit"
	Short  string // its name within that: "status 429", "429", "accepted-within-limit"
	Before State
	After  State
	Reason string // why it is what it is now
}

// MeasureChange is one load measure that moved beyond noise.
type MeasureChange struct {
	Scenario, Measure string
	Before, After     string
	Why               string // the noise it moved beyond
}

// Noise allowances: a measure is reported as changed only beyond them.
const (
	rateNoise     = 0.05 // the load verdicts' own tolerance on rates, beyond their uncertainty
	burstNoise    = 0.25 // a burst moves with where a run's refusals fall
	latencyNoise  = 1.5  // a percentile must grow or shrink by this factor
	latencyFloorM = 2.0  // and by this many milliseconds, below which a busy machine decides
)

// Compare sets cur against base.
func Compare(base, cur *Page) *Changes {
	ch := &Changes{Baseline: base.Run}
	for _, s := range cur.specInfos() {
		for _, b := range base.specInfos() {
			if b.API == s.API && b.SHA256 != s.SHA256 && !slices.Contains(ch.SpecsDiffer, s.API) {
				ch.SpecsDiffer = append(ch.SpecsDiffer, s.API)
			}
		}
	}
	before := states(base)
	for _, k := range stateKeys(cur) {
		b, ok := before[k.key]
		if !ok {
			continue
		}
		ch.add(k.change(b.state))
	}
	ch.Measures = measureChanges(base.Load, cur.Load)
	return ch
}

// stateKey is one judged thing of a page and its state now.
type stateKey struct {
	key          string
	kind         string
	name         string
	where, short string
	state        State
	reason       string
}

func (k stateKey) change(before State) Change {
	return Change{Kind: k.kind, Name: k.name, Where: k.where, Short: k.short, Before: before, After: k.state, Reason: k.reason}
}

func (ch *Changes) add(c Change) {
	judged := func(s State) bool { return s == Passed || s == Failed }
	switch {
	case c.Before == Passed && c.After == Failed:
		ch.Regressions = append(ch.Regressions, c)
	case c.Before == Failed && c.After == Passed:
		ch.Fixed = append(ch.Fixed, c)
	case judged(c.Before) && (c.After == Skipped || c.After == NotRun):
		ch.NewSkips = append(ch.NewSkips, c)
	}
}

// stateKeys lists every spec, matrix cell and load verdict of p.
func stateKeys(p *Page) []stateKey {
	var out []stateKey
	for _, s := range p.Specs {
		if !s.Load {
			name, where := s.Text, s.API
			if s.Run != "" {
				name += " (" + s.Run + ")"
				where += " (" + s.Run + ")"
			}
			out = append(out, stateKey{key: "spec\x00" + name, kind: "spec", name: name, where: where, short: s.Name, state: s.State, reason: s.Reason})
		}
	}
	for _, m := range p.Matrices {
		for _, r := range m.Rows {
			for i, c := range r.Cells {
				where := m.API + " on " + m.Targets[i].Name()
				name := fmt.Sprintf("%s %d on %s", m.API, r.Status, m.Targets[i].Name())
				out = append(out, stateKey{key: "code\x00" + name, kind: "code", name: name, where: where, short: strconv.Itoa(r.Status), state: c.State, reason: c.Reason})
			}
		}
	}
	if p.Load != nil {
		for _, sc := range p.Load.Scenarios {
			for _, v := range sc.Verdicts {
				name := sc.Title() + " " + v.Name
				out = append(out, stateKey{key: "load\x00" + name, kind: "load", name: name, where: sc.Title(), short: v.Name, state: verdictState(v.State), reason: v.Message})
			}
		}
	}
	return out
}

func states(p *Page) map[string]stateKey {
	m := map[string]stateKey{}
	for _, k := range stateKeys(p) {
		m[k.key] = k
	}
	return m
}

// verdictState reads a load verdict as the page's states do.
func verdictState(s results.VerdictState) State {
	switch s {
	case results.VerdictPassed:
		return Passed
	case results.VerdictFailed:
		return Failed
	}
	return Skipped
}

// measureChanges compares the measures of the scenarios both runs have.
func measureChanges(base, cur *Load) []MeasureChange {
	if base == nil || cur == nil {
		return nil
	}
	var out []MeasureChange
	for _, c := range cur.Scenarios {
		i := slices.IndexFunc(base.Scenarios, func(b Scenario) bool { return b.Scenario == c.Scenario && b.Run == c.Run })
		if i < 0 {
			continue
		}
		out = append(out, scenarioChanges(base.Scenarios[i].LoadSummary, c.LoadSummary, c.Title())...)
	}
	return out
}

func scenarioChanges(b, c results.LoadSummary, title string) []MeasureChange {
	var out []MeasureChange
	add := func(measure, before, after, why string) {
		out = append(out, MeasureChange{Scenario: title, Measure: measure, Before: before, After: after, Why: why})
	}
	if be, ce := b.Envelope, c.Envelope; be != nil && ce != nil {
		if be.LongRunRate > 0 && ce.LongRunRate > 0 {
			allowed := rateNoise*be.LongRunRate + be.Uncertainty + ce.Uncertainty
			if math.Abs(ce.LongRunRate-be.LongRunRate) > allowed {
				add("long-run accepted rate", fmt.Sprintf("%s ± %.1f", rate(be.LongRunRate), be.Uncertainty), fmt.Sprintf("%s ± %.1f", rate(ce.LongRunRate), ce.Uncertainty),
					fmt.Sprintf("moved more than %.1f/s: %.0f%% and both uncertainties", allowed, rateNoise*100))
			}
		}
		if be.Rate == ce.Rate && math.Abs(ce.Burst-be.Burst) > max(2, burstNoise*be.Burst) {
			add("burst", fmt.Sprintf("%.0f", be.Burst), fmt.Sprintf("%.0f", ce.Burst), fmt.Sprintf("moved more than %.0f%% and 2 requests", burstNoise*100))
		}
	}
	if b.RetryAfter.Present > b.RetryAfter.Unparsable && c.RetryAfter.Present > c.RetryAfter.Unparsable &&
		(b.RetryAfter.MinSeconds != c.RetryAfter.MinSeconds || b.RetryAfter.MaxSeconds != c.RetryAfter.MaxSeconds) {
		add("Retry-After", secondsRange(b.RetryAfter.MinSeconds, b.RetryAfter.MaxSeconds), secondsRange(c.RetryAfter.MinSeconds, c.RetryAfter.MaxSeconds), "whole seconds: any change")
	}
	for _, p := range []struct {
		name          string
		before, after float64
	}{{"latency p50", b.Latency.P50, c.Latency.P50}, {"latency p99", b.Latency.P99, c.Latency.P99}} {
		lo, hi := min(p.before, p.after), max(p.before, p.after)
		if lo > 0 && hi/lo > latencyNoise && hi-lo > latencyFloorM {
			add(p.name, msText(p.before), msText(p.after), "changed by more than "+strconv.FormatFloat(latencyNoise, 'g', -1, 64)+"× and "+msText(latencyFloorM))
		}
	}
	return out
}
