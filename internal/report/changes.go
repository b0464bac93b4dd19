// What changed since a baseline: its types and Compare, which decides them.

package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// Changes is what a run changed since a baseline run, such as last
// night's: what broke and what was mended, what is no longer judged or no
// longer run at all, and the measures that moved beyond noise.
type Changes struct {
	Baseline results.RunInfo
	// SpecsDiffer names the APIs whose spec (by SHA-256) is not the one
	// the baseline ran against: their changes may be the spec's doing.
	SpecsDiffer []string
	Regressions ChangeSet // passed in the baseline, failed now
	Fixed       ChangeSet // failed in the baseline, passed now
	NewSkips    ChangeSet // judged in the baseline, skipped or not judged now
	// NoLongerRun are the things judged in the baseline that this run
	// did not run at all: filtered out, left out (--skip-load, --only),
	// or gone from its results.
	NoLongerRun ChangeSet
	// APIsNoLongerRun are the APIs judged in the baseline of which this
	// run judged nothing and skipped nothing: gone whole.
	APIsNoLongerRun []APINoLongerRun
	Measures        []MeasureChange
	// AdvisoriesRaised are the advisories raised now and not in the
	// baseline; AdvisoriesCleared those raised then and passed now:
	// "webex: <title>". Apart from the contract's changes, like the
	// advisories themselves.
	AdvisoriesRaised, AdvisoriesCleared []string
	Empty                               bool // nothing changed
	// Summary counts the changes in words, kinds apart:
	// "regressed: 64 specs, 18 codes; no longer run: 20 load verdicts of 5 scenarios".
	Summary string
}

// APINoLongerRun is an API gone whole since the baseline, with what of
// it the baseline judged.
type APINoLongerRun struct {
	API   string
	Count ChangeCount // its specs and codes among NoLongerRun
}

// ChangeSet is the changes of one kind, grouped by place, with their counts.
type ChangeSet struct {
	Groups []ChangeGroup
	Count  ChangeCount
}

// ChangeCount counts changes apart by what changed, so a regression of
// 64 specs and 18 codes never reads as 82 of anything.
type ChangeCount struct {
	Specs, Codes, LoadVerdicts int
	// LoadScenarios are the titles of the scenarios the load verdicts belong to.
	LoadScenarios []string
}

// Total is every change counted.
func (c ChangeCount) Total() int { return c.Specs + c.Codes + c.LoadVerdicts }

// ChangeGroup is the changes of one kind in one place: the codes of one
// target, the specs of one API, the verdicts of one load scenario.
type ChangeGroup struct {
	Kind, Where string
	Changes     []Change
}

// The kinds of Change.
const (
	kindSpec = "spec"
	kindCode = "code"
	kindLoad = "load"
)

// Change is one spec, documented code or load verdict whose state changed.
type Change struct {
	Kind   string // kindSpec, kindCode or kindLoad
	Name   string // the spec's text, "webex 429 on <target>", "over-limit accepted-within-limit"
	Where  string // what it belongs to: "webex", "webex on embedded mock", "over-limit"
	Short  string // its name within that: "status 429", "429", "accepted-within-limit"
	API    string
	Before State
	After  State  // NotRun for a thing this run does not hold at all
	Reason string // why it is what it is now
}

// MeasureChange is one load measure that moved beyond noise.
type MeasureChange struct {
	Scenario, Measure string
	Before, After     string
	Why               string // the noise it moved beyond
}

// Compare sets cur against base: every spec, documented code and load
// verdict judged in either, by name.
func Compare(base, cur *View) *Changes {
	ch := &Changes{Baseline: base.Run}
	for _, s := range cur.specInfos() {
		for _, b := range base.specInfos() {
			if b.API == s.API && b.SHA256 != s.SHA256 && !slices.Contains(ch.SpecsDiffer, s.API) {
				ch.SpecsDiffer = append(ch.SpecsDiffer, s.API)
			}
		}
	}
	now := map[string]judgedThing{}
	for _, k := range judgedThings(cur) {
		now[k.key] = k
	}
	var regressed, fixed, skipped, gone []Change
	for _, b := range judgedThings(base) {
		k, held := now[b.key]
		if !held {
			k = b
			k.state, k.reason = NotRun, "not in this run"
		}
		c := k.change(b.state)
		switch {
		case c.Before == Passed && c.After == Failed:
			regressed = append(regressed, c)
		case c.Before == Failed && c.After == Passed:
			fixed = append(fixed, c)
		case c.Before.judged() && c.After == Skipped:
			skipped = append(skipped, c)
		case c.Before.judged() && c.After == NotRun:
			gone = append(gone, c)
		}
	}
	ch.Regressions, ch.Fixed, ch.NewSkips, ch.NoLongerRun = changeSet(regressed), changeSet(fixed), changeSet(skipped), changeSet(gone)
	ch.APIsNoLongerRun = apisGone(base, cur, gone)
	ch.Measures = measureChanges(base.Load, cur.Load)
	ch.AdvisoriesRaised, ch.AdvisoriesCleared = advisoryChanges(base.Advisories, cur.Advisories)
	ch.Empty = len(ch.SpecsDiffer)+ch.Regressions.Count.Total()+ch.Fixed.Count.Total()+ch.NewSkips.Count.Total()+ch.NoLongerRun.Count.Total()+
		len(ch.Measures)+len(ch.AdvisoriesRaised)+len(ch.AdvisoriesCleared) == 0
	ch.Summary = changeSummary(ch)
	return ch
}

// changeSummary counts the changes in words, each kind of change and each
// kind of thing apart; "nothing changed" when nothing did.
func changeSummary(ch *Changes) string {
	var counts []string
	for _, set := range []struct {
		what  string
		count ChangeCount
	}{{"regressed", ch.Regressions.Count}, {"fixed", ch.Fixed.Count}, {"no longer judged", ch.NewSkips.Count}, {"no longer run", ch.NoLongerRun.Count}} {
		if set.count.Total() > 0 {
			counts = append(counts, set.what+": "+countText(set.count))
		}
	}
	if len(ch.Measures) > 0 {
		counts = append(counts, contract.Plural(len(ch.Measures), "measure")+" moved beyond noise")
	}
	if n := len(ch.AdvisoriesRaised); n > 0 {
		counts = append(counts, advisoryCount(n)+" newly raised")
	}
	if n := len(ch.AdvisoriesCleared); n > 0 {
		counts = append(counts, advisoryCount(n)+" cleared")
	}
	switch {
	case ch.Empty:
		return "nothing changed"
	case len(counts) == 0:
		return "only the spec changed"
	}
	return strings.Join(counts, "; ")
}

// countText reads like "64 specs, 18 codes, 4 load verdicts of 1 scenario".
func countText(c ChangeCount) string {
	var parts []string
	if c.Specs > 0 {
		parts = append(parts, contract.Plural(c.Specs, "spec"))
	}
	if c.Codes > 0 {
		parts = append(parts, contract.Plural(c.Codes, "code"))
	}
	if c.LoadVerdicts > 0 {
		parts = append(parts, contract.Plural(c.LoadVerdicts, "load verdict")+" of "+contract.Plural(len(c.LoadScenarios), "scenario"))
	}
	return strings.Join(parts, ", ")
}

// changeSet groups changes by kind and place, in their order, and counts them.
func changeSet(cs []Change) ChangeSet {
	var set ChangeSet
	for _, c := range cs {
		i := slices.IndexFunc(set.Groups, func(g ChangeGroup) bool { return g.Kind == c.Kind && g.Where == c.Where })
		if i < 0 {
			set.Groups = append(set.Groups, ChangeGroup{Kind: c.Kind, Where: c.Where})
			i = len(set.Groups) - 1
		}
		set.Groups[i].Changes = append(set.Groups[i].Changes, c)
		switch c.Kind {
		case kindSpec:
			set.Count.Specs++
		case kindCode:
			set.Count.Codes++
		case kindLoad:
			set.Count.LoadVerdicts++
			if !slices.Contains(set.Count.LoadScenarios, c.Where) {
				set.Count.LoadScenarios = append(set.Count.LoadScenarios, c.Where)
			}
		}
	}
	return set
}

// apisGone are the APIs base judged something of and cur neither judged
// nor skipped anything of, with their changes among gone counted.
func apisGone(base, cur *View, gone []Change) []APINoLongerRun {
	var out []APINoLongerRun
	for _, a := range base.APIs {
		done := slices.ContainsFunc(out, func(g APINoLongerRun) bool { return g.API == a.API })
		if a.Specs.Passed+a.Specs.Failed == 0 || done || slices.ContainsFunc(cur.Specs, func(s Spec) bool { return s.API == a.API && s.State != NotRun }) {
			continue
		}
		var mine []Change
		for _, c := range gone {
			if c.API == a.API && c.Kind != kindLoad {
				mine = append(mine, c)
			}
		}
		out = append(out, APINoLongerRun{API: a.API, Count: changeSet(mine).Count})
	}
	return out
}

// judgedThing is one spec, matrix cell or load verdict of a view, and its
// state there.
type judgedThing struct {
	key          string
	kind         string
	name, api    string
	where, short string
	state        State
	reason       string
}

func (k judgedThing) change(before State) Change {
	return Change{Kind: k.kind, Name: k.name, Where: k.where, Short: k.short, API: k.api, Before: before, After: k.state, Reason: k.reason}
}

// judgedThings lists every conformance spec, matrix cell and load verdict of v.
func judgedThings(v *View) []judgedThing {
	var out []judgedThing
	for _, s := range v.Specs {
		if !s.Load {
			name, where := s.Text, s.API
			if s.Run != "" {
				name += " (" + s.Run + ")"
				where += " (" + s.Run + ")"
			}
			out = append(out, judgedThing{key: kindSpec + "\x00" + name, kind: kindSpec, name: name, api: s.API, where: where, short: s.Name, state: s.State, reason: s.Reason})
		}
	}
	for _, m := range v.Matrices {
		for _, r := range m.Rows {
			for i, c := range r.Cells {
				where := m.API + " on " + m.Targets[i].Name()
				name := fmt.Sprintf("%s %d on %s", m.API, r.Status, m.Targets[i].Name())
				out = append(out, judgedThing{key: kindCode + "\x00" + name, kind: kindCode, name: name, api: m.API, where: where, short: strconv.Itoa(r.Status), state: c.State, reason: c.Reason})
			}
		}
	}
	if v.Load != nil {
		for _, sc := range v.Load.Scenarios {
			for _, lv := range sc.Verdicts {
				name := sc.Title + " " + lv.Name
				out = append(out, judgedThing{key: kindLoad + "\x00" + name, kind: kindLoad, name: name, api: sc.API, where: sc.Title, short: lv.Name, state: loadVerdictState(lv.State), reason: lv.Message})
			}
		}
	}
	return out
}

// loadVerdictState reads a load verdict's state as the view's states.
func loadVerdictState(s results.VerdictState) State {
	switch s {
	case results.VerdictPassed:
		return Passed
	case results.VerdictFailed:
		return Failed
	}
	return Skipped
}
