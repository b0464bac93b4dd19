package load

import (
	"context"
	"sync"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/results"
)

var loadContract = sync.OnceValues(contract.Load)

func testContract(t testing.TB) *contract.Contract {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runScenario runs the named scenario against a fresh mock with drifts, the
// way the suite does, with short attacks.
func runScenario(t *testing.T, name string, drifts ...mock.Drift) results.LoadSummary {
	t.Helper()
	sc, ok := ScenarioNamed(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	c := testContract(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tgt, err := MockSource{Contract: c, Config: DefaultMockConfig(drifts...)}.Open(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	r := NewRunner(c, WithOutDir(t.TempDir()), WithDuration(1500*time.Millisecond))
	sum, err := r.Run(ctx, sc, tgt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func verdict(t *testing.T, sum results.LoadSummary, name string) results.Verdict {
	t.Helper()
	for _, v := range sum.Verdicts {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("%s: no verdict %q in %+v", sum.Scenario, name, sum.Verdicts)
	return results.Verdict{}
}
