// The builder's tallies: scenarios rolled up, skips grouped and counted once, failures by check.

package report

import (
	"fmt"
	"slices"
	"strings"

	"loginharness/internal/contract"
)

// scenarios rolls the load specs that ran up into their scenarios, with
// what the summaries measured.
func (b *builder) scenarios() {
	for _, s := range b.Specs {
		if !s.Load || s.Scenario == "" || s.State == NotRun {
			continue
		}
		i := slices.IndexFunc(b.Scenarios, func(r ScenarioResult) bool { return r.Name == s.Scenario && r.Run == s.Run })
		if i < 0 {
			b.Scenarios = append(b.Scenarios, ScenarioResult{Name: s.Scenario, Run: s.Run, API: s.API,
				Title: scenarioTitle(s.Run, s.Scenario), Anchor: scenarioAnchor(s.Run, s.Scenario)})
			i = len(b.Scenarios) - 1
		}
		r := &b.Scenarios[i]
		r.VerdictCounts.add(s.State)
		if s.State == Skipped {
			why := strings.TrimPrefix(s.Reason, notJudgedPrefix)
			switch {
			case r.Reason == "":
				r.Reason = why
			case why != r.Reason:
				r.MoreReasons++
			}
		}
	}
	var states Counts
	for i := range b.Scenarios {
		r := &b.Scenarios[i]
		r.State = r.VerdictCounts.worst()
		if b.Load != nil {
			for _, sc := range b.Load.Scenarios {
				if sc.Scenario == r.Name && sc.Run == r.Run {
					r.Measured = sc.Measured
					if sc.State == Interrupted {
						r.State = Interrupted
					}
				}
			}
		}
		r.StateText = strings.ReplaceAll(string(r.State), string(Skipped), notJudged)
		r.Judged = r.VerdictCounts.notJudgedText()
		states.add(r.State)
	}
	b.ScenarioCounts = states.notJudgedText()
}

// skips groups the specs not judged, in the order they ran, and counts
// each once: an outage's, a load verdict's or a conformance spec's.
func (b *builder) skips() {
	u := &b.Unjudged
	for _, s := range b.Specs {
		if s.State != Skipped {
			continue
		}
		where := s.API
		switch {
		case s.Outage != "":
			u.Outage++
			if u.OutageReason == "" {
				u.OutageReason = s.Outage
			}
		case s.Load:
			u.LoadVerdicts++
			if t := scenarioTitle(s.Run, s.Scenario); !slices.Contains(u.LoadScenarios, t) {
				u.LoadScenarios = append(u.LoadScenarios, t)
			}
		default:
			u.Specs++
		}
		if s.Load {
			where = strings.TrimSpace("load " + s.Scenario)
		}
		if s.Run != "" {
			where += " (" + s.Run + ")"
		}
		i := slices.IndexFunc(b.Skips, func(k Skip) bool { return k.Where == where && k.Reason == s.Reason })
		if i < 0 {
			b.Skips = append(b.Skips, Skip{Where: where, Reason: s.Reason, Outage: s.Outage != ""})
			i = len(b.Skips) - 1
		}
		b.Skips[i].Specs = append(b.Skips[i].Specs, s.Name)
	}
	b.Skipped = u.Total()
	b.Rider = rider(*u)
}

// rider says what was not judged, each thing once: "26 specs skipped,
// 3 load verdicts not judged (obeying-client), 2 not judged: outage".
func rider(u Unjudged) string {
	var parts []string
	if u.Specs > 0 {
		parts = append(parts, contract.Plural(u.Specs, "spec")+" skipped")
	}
	if u.LoadVerdicts > 0 {
		in := strings.Join(u.LoadScenarios, ", ")
		if len(u.LoadScenarios) > 3 {
			in = "in " + contract.Plural(len(u.LoadScenarios), "scenario")
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", contract.Plural(u.LoadVerdicts, "load verdict"), notJudged, in))
	}
	if u.Outage > 0 {
		parts = append(parts, fmt.Sprintf("%d %s: outage", u.Outage, notJudged))
	}
	return strings.Join(parts, ", ")
}

// failedChecks groups the failures by finding, in the order they came.
func (b *builder) failedChecks() {
	add := func(fc FailedCheck, spec string) {
		i := slices.IndexFunc(b.Checks, func(o FailedCheck) bool {
			return o.Where == fc.Where && o.Check == fc.Check && o.Detail == fc.Detail
		})
		if i < 0 {
			b.Checks = append(b.Checks, fc)
			i = len(b.Checks) - 1
		}
		if !slices.Contains(b.Checks[i].Specs, spec) {
			b.Checks[i].Specs = append(b.Checks[i].Specs, spec)
		}
	}
	for _, s := range b.Failures {
		where := s.API
		if s.Load {
			where = strings.TrimSpace("load " + s.Scenario)
		}
		found := false
		for _, ex := range s.Exchanges {
			for _, f := range ex.Findings {
				found = true
				fc := FailedCheck{Where: where, Check: strings.TrimSpace(string(f.Check) + " " + f.Pointer), Detail: findingDetail(f), Message: f.Message}
				if fc.Detail == contract.Truncate(f.Message, 160) {
					fc.Message = ""
				}
				add(fc, s.Name)
			}
		}
		if !found {
			add(FailedCheck{Where: where, Detail: s.Reason}, s.Name)
		}
	}
}

// findingDetail reads like "expected present, actual missing".
func findingDetail(f contract.Finding) string {
	var parts []string
	if f.Expected != "" {
		parts = append(parts, "expected "+contract.Truncate(f.Expected, 100))
	}
	if f.Actual != "" {
		parts = append(parts, "actual "+contract.Truncate(f.Actual, 100))
	}
	if len(parts) == 0 {
		return contract.Truncate(f.Message, 160)
	}
	return strings.Join(parts, ", ")
}
