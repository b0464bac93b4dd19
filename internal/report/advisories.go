// The advisories of a view: what a login owes its users beyond its
// contract, kept apart from the verdict.

package report

import (
	"fmt"
	"strings"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// Advisories are the login advisories a view holds, apart from the
// contract verdict: they turn a run red only when it gated on them.
type Advisories struct {
	Groups []AdvisoryGroup // per run and API, in the order they ran
	Counts AdvisoryCounts
	// Gated tells whether the run asked for a raised advisory to fail it.
	Gated bool
	// Partial are the passed specs that judged only part of what they
	// check, each with what it left out.
	Partial []PartialJudgement
}

// AdvisoryGroup is the advisories of one API in one run.
type AdvisoryGroup struct {
	API    string
	Run    string // the run's label on a page of several
	Title  string // "webex", "webex (nightly)"
	Anchor string
	List   []Advisory
}

// Advisory is one advisory as the outputs show it: what the check
// recorded, and the spec that ran it.
type Advisory struct {
	results.Advisory
	Spec     string // the spec's text
	SpecName string // its own text
	Run      string
	// SpecState is the spec's state: failed for a gated raise, or for a
	// check that broke before it judged.
	SpecState State
	// Cost is what it spent of the sacrificial account: "1 wrong password
	// of a cap of 10"; "" when none.
	Cost string
	// Broken says why the check failed before it judged, when it did.
	Broken   string
	Duration time.Duration // the spec's
}

// AdvisoryCounts tallies advisories by state.
type AdvisoryCounts struct {
	Passed, Raised, NotJudged int
	// GatedRaised are the raised ones that failed their spec; Broken the
	// checks that failed before they judged.
	GatedRaised, Broken int
}

// Total is every advisory counted.
func (c AdvisoryCounts) Total() int { return c.Passed + c.Raised + c.NotJudged }

// PartialJudgement is a passed spec with what it did not judge.
type PartialJudgement struct {
	Where string // the API, with its run on a page of several
	Spec  string // the spec's own text
	Notes []string
}

// Line is the advisories' line under the verdict: "advisories: 9 passed,
// 2 raised, 0 not judged (not gating: --advisories-gate)"; "" when the
// view holds none.
func (a Advisories) Line() string {
	c := a.Counts
	if c.Total() == 0 {
		return ""
	}
	gate := "not gating: --advisories-gate"
	if a.Gated {
		gate = "gating: a raised advisory fails the run"
	}
	return fmt.Sprintf("advisories: %d passed, %d raised, %d %s (%s)", c.Passed, c.Raised, c.NotJudged, notJudged, gate)
}

// Raised lists the raised advisories, in the order they ran.
func (a Advisories) Raised() []Advisory {
	var out []Advisory
	for _, g := range a.Groups {
		for _, adv := range g.List {
			if adv.State == results.AdvisoryRaised {
				out = append(out, adv)
			}
		}
	}
	return out
}

// Line is one advisory in one line: "commvault: credential answers say
// Cache-Control: no-store: <message>", with "(gated)" when it failed the run.
func (a Advisory) Line() string {
	where := a.API
	if a.Run != "" {
		where += " (" + a.Run + ")"
	}
	line := fmt.Sprintf("%s: %s: %s", where, a.Title, a.Message)
	if a.SpecState == Failed && a.State == results.AdvisoryRaised {
		line = "advisory raised (gated): " + line
	}
	return line
}

// StateText is the advisory's state in words: "passed", "raised",
// "raised (gated)", "not judged".
func (a Advisory) StateText() string {
	switch {
	case a.State == results.AdvisoryNotJudged:
		return notJudged
	case a.State == results.AdvisoryRaised && a.SpecState == Failed:
		return "raised (gated)"
	}
	return string(a.State)
}

// costText says what an advisory spent of the sacrificial account.
func costText(a results.Advisory) string {
	switch {
	case a.WrongPasswords == 0:
		return ""
	case a.Cap > 0:
		return fmt.Sprintf("%s of a cap of %d", contract.Plural(a.WrongPasswords, "wrong password"), a.Cap)
	}
	return contract.Plural(a.WrongPasswords, "wrong password") + ", uncapped (the mock)"
}

// advisoryOfSpec is the advisory a spec recorded; a spec of the advisory
// label that recorded none (skipped or broken before it judged) stands as
// one not judged, with the spec's reason.
func advisoryOfSpec(s Spec) Advisory {
	a := Advisory{Spec: s.Text, SpecName: s.Name, Run: s.Run, SpecState: s.State, Duration: s.Duration}
	if s.Advisory != nil {
		a.Advisory = *s.Advisory
	} else {
		reason := s.Reason
		if reason == "" {
			reason = string(s.State)
		}
		a.Advisory = results.Advisory{Name: s.Name, Title: s.Name, API: s.API, State: results.AdvisoryNotJudged,
			Message: strings.TrimPrefix(reason, notJudgedPrefix)}
	}
	if s.State == Failed && a.State != results.AdvisoryRaised {
		// A failure that is no gated raise: the check broke before it
		// judged, which says nothing of the login either way.
		a.State, a.Broken = results.AdvisoryNotJudged, s.Reason
		a.Message = "the check failed before it judged: " + s.Reason
	}
	a.Cost = costText(a.Advisory)
	return a
}

// advisoryText is what the terminal and summary.md say of the advisories
// under the verdict: the counts line, then one line per raised advisory
// and per check that broke before it judged. Empty when there are none.
func advisoryText(a Advisories) (head string, lines []string) {
	head = a.Line()
	for _, g := range a.Groups {
		for _, adv := range g.List {
			switch {
			case adv.State == results.AdvisoryRaised:
				lines = append(lines, "! "+adv.Line())
			case adv.Broken != "":
				lines = append(lines, "✗ "+adv.Line())
			}
		}
	}
	return head, lines
}

// partialText is one line per passed spec that judged in part, with what
// it left out.
func partialText(a Advisories) []string {
	var lines []string
	for _, p := range a.Partial {
		lines = append(lines, fmt.Sprintf("%s, %s: passed in part: %s", p.Where, p.Spec, strings.Join(p.Notes, "; ")))
	}
	return lines
}

// advisoryChanges compares the advisories of two views by run, API and
// name: those raised now and not in the baseline, and those raised then
// and passed now, each as "webex: <title>".
func advisoryChanges(base, cur Advisories) (raised, cleared []string) {
	before := map[string]results.AdvisoryState{}
	for _, g := range base.Groups {
		for _, a := range g.List {
			before[g.Title+"\x00"+a.Name] = a.State
		}
	}
	for _, g := range cur.Groups {
		for _, a := range g.List {
			was, held := before[g.Title+"\x00"+a.Name]
			switch {
			case a.State == results.AdvisoryRaised && was != results.AdvisoryRaised:
				raised = append(raised, g.Title+": "+a.Title)
			case a.State == results.AdvisoryPassed && held && was == results.AdvisoryRaised:
				cleared = append(cleared, g.Title+": "+a.Title)
			}
		}
	}
	return raised, cleared
}
