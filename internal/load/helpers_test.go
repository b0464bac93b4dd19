package load

import (
	"context"
	"testing"
	"time"

	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// runScenario runs the named scenario against a fresh mock with drifts, the
// way the suite does, with short attacks watching few windows.
func runScenario(t *testing.T, name string, drifts ...mock.Drift) results.LoadSummary {
	t.Helper()
	sc, ok := ScenarioNamed(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	c := testkit.Contract(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tgt, err := MockSource{Contract: c, Config: DefaultMockConfig(drifts...)}.Open(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	r := NewRunner(c, WithOutDir(t.TempDir()), WithDuration(1500*time.Millisecond), WithWindows(3))
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
