package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// Skip is a group of specs skipped in one place for one reason: the codes a
// live server cannot be made to answer, the verdicts of a load scenario the
// run could not judge. A skip is no pass, so the page and the terminal say
// how many there were and why.
type Skip struct {
	Where  string // the API, or "load <scenario>"
	Reason string
	Specs  []string // their names: "status 201", "accepted-within-limit"
}

// skips groups the skipped specs, in the order they ran.
func (p *Page) skips() {
	for _, s := range p.Specs {
		if s.State != Skipped {
			continue
		}
		p.Skipped++
		where := s.API
		if s.Load {
			where = strings.TrimSpace("load " + s.Scenario)
		}
		if s.Run != "" {
			where += " (" + s.Run + ")"
		}
		i := slices.IndexFunc(p.Skips, func(k Skip) bool { return k.Where == where && k.Reason == s.Reason })
		if i < 0 {
			p.Skips = append(p.Skips, Skip{Where: where, Reason: s.Reason})
			i = len(p.Skips) - 1
		}
		p.Skips[i].Specs = append(p.Skips[i].Specs, s.Name)
	}
}

// unjudged says, for each API the run tested, that it judged nothing of it
// when every spec of the API that ran was skipped.
func (p *Page) unjudged() []string {
	var out []string
	for _, api := range contract.APIs() {
		var c Counts
		for _, s := range p.Specs {
			if s.API == string(api) {
				c.add(s.State)
			}
		}
		if ran := c.Total() - c.NotRun; ran > 0 && c.Passed+c.Failed == 0 {
			out = append(out, fmt.Sprintf("nothing of %s was judged: %s skipped", api, contract.Plural(c.Skipped, "spec")))
		}
	}
	return append(out, p.outages()...)
}

// outages names what an outage kept from being judged: the specs that met
// one mid-run, and the load verdicts the target's going away left open.
// The run cannot pass then, though nothing it judged failed.
func (p *Page) outages() []string {
	var out []string
	var first string
	n := 0
	for _, s := range p.Specs {
		if s.Outage != "" {
			n++
			first = cmp.Or(first, s.Outage)
		}
	}
	if n > 0 {
		out = append(out, fmt.Sprintf("outage, not drift: %s not judged, the target went away mid-run (%s)", contract.Plural(n, "spec"), first))
	}
	if p.Load != nil {
		for _, sc := range p.Load.Scenarios {
			for _, v := range sc.Verdicts {
				if v.Outage && v.State == results.VerdictNotJudged {
					out = append(out, fmt.Sprintf("outage, not drift: load %s %s not judged (%s)", sc.Title(), v.Name, v.Message))
				}
			}
		}
	}
	return out
}

// outageOf is the reason a spec carries in its results.OutageEntry, "" when
// it met no outage.
func outageOf(sr types.SpecReport) string {
	for _, e := range sr.ReportEntries {
		if e.Name == results.OutageEntry {
			return e.StringRepresentation()
		}
	}
	return ""
}

// ScenarioRun is one load scenario as its verdict specs tell it, with what
// its summary measured when it wrote one. A scenario can be skipped whole
// (live limits that leave it nothing to judge): then only its specs say so.
type ScenarioRun struct {
	Name     string
	Run      string // the run's label on a page of several
	API      string // the API its specs drive
	State    State  // failed, interrupted, passed, or skipped: nothing judged
	Verdicts Counts // its verdict specs; Skipped are the verdicts not judged
	Reason   string // why a verdict was not judged, the first given: "no 429 to check"
	Headline string // what it measured, from its summary
}

// Anchor is the scenario's section on the page.
func (s ScenarioRun) Anchor() string { return scenarioAnchor(s.Run, s.Name) }

// Title names the scenario, with its run on a page of several.
func (s ScenarioRun) Title() string {
	if s.Run == "" {
		return s.Name
	}
	return s.Name + " (" + s.Run + ")"
}

// Judged reads like "3 passed, 1 not judged".
func (s ScenarioRun) Judged() string {
	return strings.ReplaceAll(s.Verdicts.String(), string(Skipped), "not judged")
}

// StateText is the scenario's state in words, "not judged" for a skip.
func (s ScenarioRun) StateText() string {
	if s.State == Skipped {
		return "not judged"
	}
	return string(s.State)
}

// scenarios rolls the load specs that ran up into their scenarios, with
// the summaries' headlines.
func (p *Page) scenarios() {
	for _, s := range p.Specs {
		if !s.Load || s.Scenario == "" || s.State == NotRun {
			continue
		}
		i := slices.IndexFunc(p.Scenarios, func(r ScenarioRun) bool { return r.Name == s.Scenario && r.Run == s.Run })
		if i < 0 {
			p.Scenarios = append(p.Scenarios, ScenarioRun{Name: s.Scenario, Run: s.Run, API: s.API})
			i = len(p.Scenarios) - 1
		}
		r := &p.Scenarios[i]
		r.Verdicts.add(s.State)
		if s.State == Skipped && r.Reason == "" {
			r.Reason = strings.TrimPrefix(s.Reason, notJudgedPrefix)
		}
	}
	for i := range p.Scenarios {
		r := &p.Scenarios[i]
		r.State = r.Verdicts.worst()
		if p.Load == nil {
			continue
		}
		for _, sc := range p.Load.Scenarios {
			if sc.Scenario == r.Name && sc.Run == r.Run {
				r.Headline = sc.Headline
				if sc.State == Interrupted {
					r.State = Interrupted
				}
			}
		}
	}
}

// notJudgedPrefix begins the skip message of a load verdict not judged.
const notJudgedPrefix = "not judged: "

// worst is the state a group of specs takes: the worst that ran, a pass
// over skips (which the counts still show), skipped when none was judged.
func (c Counts) worst() State {
	switch {
	case c.Failed > 0:
		return Failed
	case c.Interrupted > 0:
		return Interrupted
	case c.Passed > 0:
		return Passed
	case c.Skipped > 0:
		return Skipped
	}
	return NotRun
}

// ScenarioCounts tallies the scenarios by state, "not judged" for skipped.
func (p *Page) ScenarioCounts() string {
	var c Counts
	for _, s := range p.Scenarios {
		c.add(s.State)
	}
	return strings.ReplaceAll(c.String(), string(Skipped), "not judged")
}

// SkipLine is the verdict's rider: how many specs were skipped and how
// many scenarios were not judged, "" when none.
func (p *Page) SkipLine() string {
	if p.Skipped == 0 {
		return ""
	}
	line := contract.Plural(p.Skipped, "spec") + " skipped"
	unjudged := 0
	for _, s := range p.Scenarios {
		if s.Verdicts.Skipped > 0 {
			unjudged++
		}
	}
	if unjudged > 0 {
		line += fmt.Sprintf(", %d of %d load scenarios not fully judged", unjudged, len(p.Scenarios))
	}
	return line
}
