// Package loadtest holds the load scenarios of internal/load as Ginkgo
// specs (label results.LabelLoad). They live in a non-test file so that
// `harness run` links them into its own suite; loadtest_suite_test.go only
// runs them for `go tool ginkgo`.
package loadtest

import (
	"context"
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/results"
	"loginharness/suites/setup"
)

// only says why the load scenarios leave Commvault alone.
const only = "load targets Webex only: its spec documents 429 and Retry-After; Commvault's documents no rate limit to hold it to"

// Each verdict of each scenario is a spec of its own, so JUnit and the
// terminal name the promise a server broke, and a verdict the run could not
// judge is skipped with the reason rather than passed. The scenarios run
// once, before the verdicts are read: side by side on the mock, one after
// another, in their listed order, against a live server.
//
// The tree is the scenarios alone; the runner and its endpoints come from
// the suites' shared set-up, which has checked every setting before.
var _ = Describe("Load", Label(results.LabelLoad, string(contract.Webex)), Ordered, ContinueOnFailure, func() {
	scenarios := load.Scenarios()
	outcomes := map[string]load.Outcome{}
	var s *load.Setup
	BeforeAll(func(spec SpecContext) {
		GinkgoWriter.Println(only)
		s = setup.Current().Load
		if s.Refusal != nil {
			return
		}
		budget := s.Runner.Budget(len(scenarios))
		ctx, cancel := context.WithTimeout(spec, budget)
		defer cancel()
		for _, o := range s.Runner.RunAll(ctx, s.Source, scenarios) {
			outcomes[o.Scenario.Name] = o
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			Fail(fmt.Sprintf("the load scenarios ran past their budget of %s", budget))
		}
	})
	setup.Plan(results.LabelLoad, string(contract.Webex))
	for _, sc := range scenarios {
		Describe(sc.Name, func() {
			for _, name := range sc.Verdicts {
				It(name, func() {
					if s.Refusal != nil {
						Skip(s.Refusal.Error())
					}
					judge(outcomes[sc.Name], name)
				})
			}
		})
	}
})

// judge turns one verdict of a scenario's outcome into the spec's state.
func judge(o load.Outcome, name string) {
	var skip load.Skipped
	if errors.As(o.Err, &skip) {
		Skip("not judged: " + skip.Reason)
	}
	if o.Summary.Incomplete {
		Skip("not judged: " + o.Summary.IncompleteReason)
	}
	Expect(o.Err).NotTo(HaveOccurred(), "%s could not run", o.Scenario.Name)
	v, ok := o.Summary.VerdictNamed(name)
	Expect(ok).To(BeTrue(), "%s reported no verdict %s", o.Scenario.Name, name)
	switch {
	case v.State == results.VerdictNotJudged && v.Outage:
		// The report reads the entry: an outage is no pass, and no failure.
		AddReportEntry(results.OutageEntry, v.Message, ReportEntryVisibilityNever)
		Skip("not judged, outage: " + v.Message)
	case v.State == results.VerdictNotJudged:
		Skip("not judged: " + v.Message)
	case v.State == results.VerdictFailed:
		Fail(fmt.Sprintf("%s broke its promise (%s against %s %s): %s", o.Scenario.Name, name, o.Summary.Target.Kind, o.Summary.Target.URL, v.Message))
	}
	AddReportEntry(name, v.Message, ReportEntryVisibilityNever)
}
