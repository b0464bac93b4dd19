package report

import (
	"fmt"
	"slices"
	"strings"

	"loginharness/internal/contract"
)

// FailedCheck is one way the run's failed specs went wrong, with the specs
// that met it. The terminal and the job summary list these rather than
// every failed spec, so a drift that breaks every answer reads as a line.
type FailedCheck struct {
	Where   string   // the API, or "load <scenario>"
	Check   string   // "schema /trackingId"; "" for a failure without findings
	Detail  string   // "expected present, actual missing", or the failure's first line
	Message string   // what the first finding of the group says, when it says more than Detail
	Specs   []string // the names of the specs that met it
}

// FailedChecks groups the failures by finding, in the order they came.
func (p *Page) FailedChecks() []FailedCheck {
	var out []FailedCheck
	add := func(fc FailedCheck, spec string) {
		i := slices.IndexFunc(out, func(o FailedCheck) bool {
			return o.Where == fc.Where && o.Check == fc.Check && o.Detail == fc.Detail
		})
		if i < 0 {
			out = append(out, fc)
			i = len(out) - 1
		}
		if !slices.Contains(out[i].Specs, spec) {
			out[i].Specs = append(out[i].Specs, spec)
		}
	}
	for _, s := range p.Failures {
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
	return out
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

// SpecList names up to n specs, and how many more there are.
func (fc FailedCheck) SpecList(n int) string {
	return nameList(fc.Specs, n)
}

func nameList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %d more", strings.Join(names[:n], ", "), len(names)-n)
}
