// The builder's last part: the run verdict and why.

package report

import (
	"fmt"
	"slices"

	"loginharness/internal/contract"
)

// decideRunVerdict decides the run verdict from the specs, the load
// scenarios and how the run ended, and says why when it is not PASS. What
// could not be read makes the view incomplete, not failed.
func (b *builder) decideRunVerdict() {
	all, conformance, loadSpecs := b.advisoryStates, Counts{}, Counts{}
	for _, s := range b.Specs {
		all.add(s.State)
		if s.Load {
			loadSpecs.add(s.State)
		} else {
			conformance.add(s.State)
		}
	}
	failures := slices.Clone(b.suiteFailures)
	if conformance.Failed > 0 {
		failures = append(failures, contract.Plural(conformance.Failed, "conformance spec")+" failed")
	}
	failures = append(failures, b.advisoryFailures()...)
	switch failedScenarios := b.failedScenarios(); {
	case failedScenarios > 0:
		failures = append(failures, contract.Plural(failedScenarios, "load scenario")+" failed")
	case loadSpecs.Failed > 0: // failed before writing a summary
		failures = append(failures, contract.Plural(loadSpecs.Failed, "load spec")+" failed")
	}
	b.Reasons = failures
	b.AnyFailed = len(failures) > 0
	incomplete := b.incomplete(all)
	unjudged := b.unjudgedAPIs()
	switch {
	case incomplete:
		b.Verdict = Incomplete
	case len(failures) > 0:
		b.Verdict = Fail
	case all.Total() == all.NotRun:
		b.Verdict = NoResults
		b.Reasons = append(b.Reasons, "no spec ran: the filter selected none, or the run stopped first")
	case b.Unjudged.Outage > 0:
		b.Verdict = NotJudged
		b.Reasons = append(b.Reasons, fmt.Sprintf("the target went away mid-run: %s not judged: %s",
			contract.Plural(b.Unjudged.Outage, "spec"), b.Unjudged.OutageReason))
		b.Reasons = append(b.Reasons, unjudged...)
	case len(unjudged) > 0:
		b.Verdict = NotJudged
		b.Reasons = append(b.Reasons, unjudged...)
	default:
		b.Verdict = Pass
	}
}

// failedScenarios counts the load scenarios whose summary failed.
func (b *builder) failedScenarios() int {
	n := 0
	if b.Load != nil {
		for _, sc := range b.Load.Scenarios {
			if sc.State == Failed {
				n++
			}
		}
	}
	return n
}

// incomplete tells whether the view holds only part of a run, and adds
// why to its reasons: an interrupt, a scenario cut short, a file that
// could not be read.
func (b *builder) incomplete(all Counts) bool {
	incomplete := b.Run.Incomplete || all.Interrupted > 0
	if incomplete {
		b.Reasons = append(b.Reasons, "the run was interrupted: results are partial")
	} else if b.Load != nil {
		// A scenario cut short on its own says why: a merge missing a
		// shard is no interrupted run.
		for _, sc := range b.Load.Scenarios {
			if sc.State == Interrupted {
				incomplete = true
				b.Reasons = append(b.Reasons, fmt.Sprintf("load %s is partial: %s", sc.Title, sc.IncompleteReason))
			}
		}
	}
	if len(b.partial) > 0 {
		incomplete = true
		b.Reasons = append(b.Reasons, b.partial...)
	}
	return incomplete
}

// unjudgedAPIs says, for each API the run tested, that it judged nothing
// of it when every spec of the API that ran was skipped.
func (b *builder) unjudgedAPIs() []string {
	var out []string
	for _, api := range contract.APIs() {
		var c Counts
		for _, s := range b.Specs {
			if s.API == string(api) {
				c.add(s.State)
			}
		}
		if ran := c.Total() - c.NotRun; ran > 0 && c.Passed+c.Failed == 0 {
			out = append(out, fmt.Sprintf("nothing of %s was judged: %s skipped", api, contract.Plural(c.Skipped, "spec")))
		}
	}
	return out
}
