package conformance

import (
	"slices"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/target"
	"loginharness/internal/testkit"
)

// driftCatch is how the suite is expected to catch one drift mode: the case
// that meets the broken answer, and the finding it must report.
type driftCatch struct {
	api     contract.API
	caseOf  string
	check   contract.Check
	pointer string // "" when the check names no place
}

var driftCatches = map[mock.Drift][]driftCatch{
	mock.DriftMissingField: {
		{contract.Webex, "status 200", contract.CheckSchema, "/companyId"},
		{contract.Webex, "status 400", contract.CheckSchema, "/trackingId"},
		{contract.Commvault, "status 200", contract.CheckSchema, "/data/authToken"},
	},
	mock.DriftWrongType: {
		{contract.Webex, "status 200", contract.CheckSchema, "/accountMatch"},
		{contract.Commvault, "Login-CustomerManaged: valid sign-in", contract.CheckSchema, "/capability"},
	},
	mock.DriftMissingRetryAfter: {
		{contract.Webex, "status 429", contract.CheckHeader, "/headers/Retry-After"},
	},
	mock.DriftUnparsableRetryAfter: {
		{contract.Webex, "status 429", contract.CheckHeader, "/headers/Retry-After"},
		{contract.Webex, "status 423", contract.CheckHeader, "/headers/Retry-After"},
	},
	mock.DriftShortRetryAfter: {
		{contract.Webex, "status 429", contract.CheckHeader, "/headers/Retry-After"},
	},
	mock.DriftTextPlain200: {
		{contract.Webex, "status 200", contract.CheckContentType, ""},
		{contract.Commvault, "status 200", contract.CheckContentType, ""},
	},
	mock.DriftHTML5xx: {
		{contract.Webex, "status 500", contract.CheckContentType, ""},
		{contract.Webex, "status 503", contract.CheckContentType, ""},
	},
	mock.DriftUndocumentedStatus: {
		{contract.Webex, "missing email", contract.CheckStatusDocumented, ""},
		{contract.Commvault, "wrong password", contract.CheckStatusDocumented, ""},
	},
	mock.DriftNoVariant: {
		{contract.Commvault, "Login-SaaS: valid sign-in", contract.CheckVariant, ""},
	},
}

// TestSuiteCatchesEveryDrift proves the suite can fail: each drift mode of
// the mock makes the very cases the Ginkgo specs run report the matching
// finding, while the same cases pass against a faithful mock.
func TestSuiteCatchesEveryDrift(t *testing.T) {
	c := testkit.Contract(t)
	for _, drift := range mock.Drifts() {
		catches, ok := driftCatches[drift]
		if !ok {
			t.Errorf("drift %q has no expected catch: add it to driftCatches", drift)
			continue
		}
		for _, want := range catches {
			t.Run(string(drift)+"/"+string(want.api)+"/"+want.caseOf, func(t *testing.T) {
				cs := findCase(t, c, want.api, want.caseOf)
				if faithful := runCase(t, c, cs, target.Config{}); !faithful.OK() {
					t.Fatalf("the case fails on a faithful mock, so its failure under drift proves nothing:\n%s", Explain(faithful))
				}
				o := runCase(t, c, cs, target.Config{MockDrifts: []mock.Drift{drift}})
				if o.OK() {
					t.Fatalf("the case passes against a mock in drift %q", drift)
				}
				if !slices.ContainsFunc(o.Findings(), want.matches) {
					t.Errorf("no %s finding at %q; the case reported:\n%s", want.check, want.pointer, Explain(o))
				}
			})
		}
	}
}

func (d driftCatch) matches(f contract.Finding) bool {
	return f.Check == d.check && (d.pointer == "" || f.Pointer == d.pointer)
}

// findCase returns the generated case of api with that name.
func findCase(t *testing.T, c *contract.Contract, api contract.API, name string) *Case {
	t.Helper()
	tables, err := Tables(c, api)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		for _, cs := range table.Cases {
			if cs.Name == name {
				return cs
			}
		}
	}
	t.Fatalf("%s has no case %q", api, name)
	return nil
}

// runCase runs one case against a fresh target of cfg.
func runCase(t *testing.T, c *contract.Contract, cs *Case, cfg target.Config, opts ...target.Option) *Outcome {
	t.Helper()
	tg, err := target.Open(cfg, cs.API, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	return cs.Run(t.Context(), c, tg)
}
