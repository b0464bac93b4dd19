// Package load holds the load scenarios as Ginkgo specs (label "load").
// They live in a non-test file so that `harness run` links them into its
// own suite; load_suite_test.go only runs them for `go tool ginkgo`.
package load

import (
	"errors"
	"os"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"loginharness/internal/contract"
	harnessload "loginharness/internal/load"
	"loginharness/internal/target"
)

// scenarioTimeout bounds one scenario: its attacks, the waits for
// Retry-After (at most harnessload.DefaultMaxWait) and the writing.
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
	lc, err := harnessload.LiveConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	s := &suiteSetup{}
	var opts []harnessload.Option
	if harnessload.Interactive(os.Stderr) {
		opts = append(opts, harnessload.WithProgress(os.Stderr))
	}
	s.runner = harnessload.NewRunner(c, opts...)
	if !tc.Live(contract.Webex) {
		s.source = harnessload.MockSource{Contract: c, Config: harnessload.DefaultMockConfig(tc.MockDrifts...)}
		return s, nil
	}
	if s.refusal = lc.Permit(true); s.refusal != nil {
		return s, nil
	}
	t, err := harnessload.LiveTarget(c, tc, lc)
	if err != nil {
		return nil, err
	}
	s.source = harnessload.LiveSource{Target: t}
	return s, nil
})

type suiteSetup struct {
	runner  *harnessload.Runner
	source  harnessload.Source
	refusal error // live load without the opt-in
}

// Ordered keeps the scenarios in their listed order, which a shared live
// server needs; ContinueOnFailure runs them all even when one fails.
var _ = Describe("Load", Label("load", string(contract.Webex)), Ordered, ContinueOnFailure, func() {
	s, err := setup()
	if err != nil {
		It("reads the load configuration", func() { Fail(err.Error()) })
		return
	}
	BeforeEach(func() { GinkgoWriter.Println(only) })
	for _, sc := range harnessload.Scenarios() {
		It(sc.Name+": "+sc.Description, NodeTimeout(scenarioTimeout), func(ctx SpecContext) {
			if s.refusal != nil {
				Skip(s.refusal.Error())
			}
			t, err := s.source.Open(ctx, sc)
			Expect(err).NotTo(HaveOccurred())
			defer t.Close()
			sum, err := s.runner.Run(ctx, sc, t)
			var skip harnessload.Skipped
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

func verdictLines(sum harnessload.Summary) string {
	var b strings.Builder
	for _, v := range sum.Verdicts {
		mark := "ok  "
		if !v.Passed {
			mark = "FAIL"
		}
		b.WriteString(mark + " " + v.Name + ": " + v.Message + "\n")
	}
	return b.String()
}
