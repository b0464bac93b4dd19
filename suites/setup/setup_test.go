package setup

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// TestPlannedPreflightsOnlyTheAPIsTheFilterSelects: the BeforeSuite
// preflights an API only when the label filter selects a spec of it, as
// `harness run` does from its preview.
func TestPlannedPreflightsOnlyTheAPIsTheFilterSelects(t *testing.T) {
	plan.specs = nil
	t.Cleanup(func() { plan.specs = nil })
	Plan(results.LabelConformance, "webex", "status:429")
	Plan(results.LabelConformance, "commvault", "status:200")
	Plan(results.LabelLoad, "webex")
	for filter, want := range map[string][]contract.API{
		"":                      {contract.Webex, contract.Commvault},
		"webex && status:429":   {contract.Webex},
		"commvault":             {contract.Commvault},
		"load":                  {contract.Webex},
		"status:404":            nil,
		"conformance && !webex": {contract.Commvault},
		"webex && status:200":   nil,
		"(webex) && (!load)":    {contract.Webex},
		"unparsable &&":         contract.APIs(),
	} {
		if got := planned(filter); !slices.Equal(got, want) {
			t.Errorf("planned(%q) = %v, want %v", filter, got, want)
		}
	}
}

// TestExplainNamesTheClass: the one message says configuration error or
// outage first, then the settings to check.
func TestExplainNamesTheClass(t *testing.T) {
	for err, want := range map[error]string{
		&target.PreflightError{API: contract.Webex, Class: target.Misconfigured, Variables: []string{target.EnvWebexToken}, Message: "refused"}:     "configuration error: webex: HARNESS_WEBEX_TOKEN: refused; nothing was judged",
		&target.PreflightError{API: contract.Webex, Class: target.Unreachable, Variables: []string{target.EnvWebexURL}, Message: "nothing listens"}: "outage, not drift: webex: HARNESS_WEBEX_URL: nothing listens; nothing was judged",
		context.Canceled: "interrupted during the set-up (context canceled); nothing was judged",
		errors.Join(errors.New("HARNESS_WEBEX_URL is set but empty"), errors.New("HARNESS_INSECURE_TLS=\"2\"")): "configuration error: HARNESS_WEBEX_URL is set but empty; HARNESS_INSECURE_TLS=\"2\"; nothing was judged",
	} {
		if got := Explain(err); got != want || strings.Contains(got, "\n") {
			t.Errorf("Explain(%v) = %q, want %q", err, got, want)
		}
	}
}

// TestOutagesCountTheSpecsAnOutageLeftOpen: the suite's NOT JUDGED line
// counts the specs with an outage entry and gives the first reason.
func TestOutagesCountTheSpecsAnOutageLeftOpen(t *testing.T) {
	entry := func(name, value string) types.SpecReport {
		return types.SpecReport{ReportEntries: []types.ReportEntry{{Name: name, Value: types.WrapEntryValue(value)}}}
	}
	r := types.Report{SpecReports: []types.SpecReport{entry(results.ExchangeEntry, "{}"), entry(results.OutageEntry, "503 first"), entry(results.OutageEntry, "503 again")}}
	if got, want := outages(r), "NOT JUDGED: outage, not drift: 2 specs not judged, the target went away mid-run (503 first)"; got != want {
		t.Errorf("outages = %q, want %q", got, want)
	}
	if got := outages(types.Report{SpecReports: r.SpecReports[:1]}); got != "" {
		t.Errorf("no outage: %q", got)
	}
}
