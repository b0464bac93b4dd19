// Package loadtest holds the load scenarios of internal/load as Ginkgo
// specs (label results.LabelLoad). They live in a non-test file so that
// `harness run` links them into its own suite; loadtest_suite_test.go only
// runs them for `go tool ginkgo`.
package loadtest

import (
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// scenarioTimeout bounds one scenario: its attacks, the waits for
// Retry-After (at most load.DefaultMaxWait) and the writing.
const scenarioTimeout = 2 * time.Minute

// only says why the load scenarios leave Commvault alone.
const only = "load targets Webex only: its spec documents 429 and Retry-After; Commvault's documents no rate limit to hold it to"

// setup reads the specs and the HARNESS_* variables once, when Ginkgo
// builds the tree (after `harness run` has exported its flags).
var setup = sync.OnceValues(func() (*suiteSetup, error) {
	c, err := contract.Load()
	if err != nil {
		return nil, err
	}
	tc, err := target.FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	lc, err := load.LiveConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	s := &suiteSetup{}
	var opts []load.Option
	if load.Interactive(os.Stderr) {
		opts = append(opts, load.WithProgress(os.Stderr))
	}
	s.runner = load.NewRunner(c, opts...)
	if !tc.Live(contract.Webex) {
		s.source = load.MockSource{Contract: c, Config: load.DefaultMockConfig(tc.MockDrifts...)}
		return s, nil
	}
	if s.refusal = lc.Permit(true); s.refusal != nil {
		return s, nil
	}
	e, err := load.LiveEndpoint(c, tc, lc)
	if err != nil {
		return nil, err
	}
	s.source = load.LiveSource{Endpoint: e}
	return s, nil
})

type suiteSetup struct {
	runner  *load.Runner
	source  load.Source
	refusal error // live load without the opt-in
}

// Ordered keeps the scenarios in their listed order, which a shared live
// server needs; ContinueOnFailure runs them all even when one fails.
var _ = Describe("Load", Label(results.LabelLoad, string(contract.Webex)), Ordered, ContinueOnFailure, func() {
	s, err := setup()
	if err != nil {
		It("reads the load configuration", func() { Fail(err.Error()) })
		return
	}
	BeforeEach(func() { GinkgoWriter.Println(only) })
	for _, sc := range load.Scenarios() {
		It(sc.Name+": "+sc.Description, NodeTimeout(scenarioTimeout), func(ctx SpecContext) {
			if s.refusal != nil {
				Skip(s.refusal.Error())
			}
			e, err := s.source.Open(ctx, sc)
			Expect(err).NotTo(HaveOccurred())
			defer e.Close()
			sum, err := s.runner.Run(ctx, sc, e)
			var skip load.Skipped
			if errors.As(err, &skip) {
				Skip(skip.Reason)
			}
			if ctx.Err() != nil {
				// Interrupted or out of time: Ginkgo says so, the partial
				// summary is written, and ctx's error would only repeat it.
				AddReportEntry(sc.Name, verdictLines(sum), ReportEntryVisibilityFailureOrVerbose)
				return
			}
			Expect(err).NotTo(HaveOccurred())
			AddReportEntry(sc.Name, verdictLines(sum), ReportEntryVisibilityFailureOrVerbose)
			Expect(sum.Failures()).To(BeEmpty(), "%s against %s %s", sc.Name, sum.Target.Kind, sum.Target.URL)
		})
	}
})

func verdictLines(sum results.LoadSummary) string {
	var b strings.Builder
	for _, v := range sum.Verdicts {
		mark := "ok  "
		if !v.Passed() {
			mark = "FAIL"
		}
		b.WriteString(mark + " " + v.Name + ": " + v.Message + "\n")
	}
	return b.String()
}
