package conformance

import (
	"context"
	"os"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// caseTimeout bounds one case: the live client's retries are bounded
// below it, so a case that hits it means a hung server.
const caseTimeout = 3 * time.Minute

// setup loads the specs and reads the HARNESS_* variables once, when
// Ginkgo builds the tree: after `harness run` has exported its flags.
var setup = sync.OnceValues(func() (*setupResult, error) {
	c, err := contract.Load()
	if err != nil {
		return nil, err
	}
	cfg, err := target.FromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	if _, err := target.AdvisoryFromEnv(os.Getenv, cfg); err != nil {
		return nil, err // refuses plain http off loopback before any request
	}
	return &setupResult{contract: c, config: cfg}, nil
})

type setupResult struct {
	contract *contract.Contract
	config   target.Config
}

var _ = Describe("Conformance", Label(results.LabelConformance), func() {
	s, err := setup()
	if err != nil {
		It("loads the specs and the target configuration", func() { Fail(err.Error()) })
		return
	}
	for _, api := range contract.APIs() {
		describeAPI(s, api)
	}
})

// describeAPI runs every case of api against one target, opened once:
// Ordered for the shared target, ContinueOnFailure so one broken code
// does not hide the others.
func describeAPI(s *setupResult, api contract.API) {
	tables, err := Tables(s.contract, api)
	Describe(string(api), Label(string(api)), Ordered, ContinueOnFailure, func() {
		if err != nil {
			It("derives its cases from the spec", func() { Fail(err.Error()) })
			return
		}
		var t *target.Target
		BeforeAll(func() {
			var err error
			t, err = target.Open(s.config, api)
			Expect(err).NotTo(HaveOccurred(), "opening the %s target", api)
			DeferCleanup(t.Close)
		})
		BeforeEach(func() { t.Reset() })
		for _, table := range tables {
			entries := make([]TableEntry, 0, len(table.Cases))
			for _, cs := range table.Cases {
				entries = append(entries, Entry(cs.Name, Label(cs.Labels...), SpecTimeout(caseTimeout), cs))
			}
			DescribeTable(table.Name, func(ctx SpecContext, cs *Case) {
				check(ctx, s.contract, t, cs)
			}, entries)
		}
	})
}

// check runs one case, records every exchange for the report, and fails
// with the findings, or skips with the reason the case cannot run here.
func check(ctx context.Context, c *contract.Contract, t *target.Target, cs *Case) {
	o := cs.Run(ctx, c, t)
	for _, ex := range Exchanges(o) {
		AddReportEntry(results.ExchangeEntry, ex, ReportEntryVisibilityNever)
	}
	if o.Skip != "" {
		Skip(o.Skip)
	}
	Expect(o).To(Conform())
}
