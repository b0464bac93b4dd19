package conformance

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/timeline"
	"loginharness/suites/setup"
)

// caseTimeout bounds one case: the live client's retries are bounded
// below it, so a case that hits it means a hung server.
const caseTimeout = 3 * time.Minute

var _ = Describe("Conformance", Label(results.LabelConformance), func() {
	c, err := setup.Contract()
	if err != nil {
		It("loads the specs", func() { Fail(err.Error()) })
		return
	}
	for _, api := range contract.APIs() {
		describeAPI(c, api)
	}
})

// describeAPI runs every case of api against one target, opened once:
// Ordered for the shared target, ContinueOnFailure so one broken code
// does not hide the others. The cases come from the spec alone; where
// they go comes from the settings, read once the set-up has run.
func describeAPI(c *contract.Contract, api contract.API) {
	tables, err := Tables(c, api)
	Describe(string(api), Label(string(api)), Ordered, ContinueOnFailure, func() {
		if err != nil {
			It("derives its cases from the spec", func() { Fail(err.Error()) })
			return
		}
		var t *target.Target
		BeforeAll(func() {
			var err error
			t, err = target.Open(setup.Current().Config, api)
			Expect(err).NotTo(HaveOccurred(), "opening the %s target", api)
			DeferCleanup(t.Close)
		})
		BeforeEach(func() { t.Reset() })
		for _, table := range tables {
			entries := make([]TableEntry, 0, len(table.Cases))
			for _, cs := range table.Cases {
				setup.Plan(append([]string{results.LabelConformance, string(api)}, cs.Labels...)...)
				entries = append(entries, Entry(cs.Name, Label(cs.Labels...), SpecTimeout(caseTimeout), cs))
			}
			DescribeTable(table.Name, func(ctx SpecContext, cs *Case) {
				check(ctx, c, t, cs)
			}, entries)
		}
	})
}

// check runs one case, records every exchange for the report, and fails
// with the findings, or skips with the reason the case cannot run here or
// was not judged: an outage met on the way is no broken contract.
func check(ctx context.Context, c *contract.Contract, t *target.Target, cs *Case) {
	o := cs.Run(timeline.WithPart(ctx, timeline.PartConformance), c, t)
	for _, ex := range Exchanges(o) {
		AddReportEntry(results.ExchangeEntry, ex, ReportEntryVisibilityNever)
	}
	if reason := o.Outage(); reason != "" {
		AddReportEntry(results.OutageEntry, reason, ReportEntryVisibilityNever)
		Skip("not judged: outage: " + reason)
	}
	if o.Skip != "" {
		Skip(o.Skip)
	}
	Expect(o).To(Conform())
}
