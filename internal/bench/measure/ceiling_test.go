package measure

import (
	"errors"
	"strings"
	"testing"

	"loginharness/internal/bench/scorecard"
)

// machine is a fake plain Vegeta: it keeps up with any rate up to capacity
// and collapses above it, achieving 70 % of its capacity, as an open-loop
// attacker does once answers queue up.
func machine(capacity float64, probed *[]float64) func(float64) (float64, error) {
	return func(rate float64) (float64, error) {
		*probed = append(*probed, rate)
		if rate <= capacity {
			return rate, nil
		}
		return 0.7 * capacity, nil
	}
}

func TestFindCeilingKeepsTheTopWhenVegetaKeepsUp(t *testing.T) {
	var probed []float64
	c, err := findCeiling(20000, 500, 5, machine(35000, &probed))
	if err != nil || c.Rate != 20000 || c.BelowTop || len(probed) != 1 || !c.Probes[0].KeptUp {
		t.Errorf("findCeiling = %+v, %v after %v; want the top rate after one probe", c, err, probed)
	}
}

func TestFindCeilingBisectsBelowTheTop(t *testing.T) {
	var probed []float64
	c, err := findCeiling(20000, 500, 5, machine(10700, &probed))
	if err != nil {
		t.Fatal(err)
	}
	// 20000 fails (7490 achieved), 7000 holds, then 13500, 10000, 11500, 10500.
	want := []float64{20000, 7000, 13500, 10000, 11500, 10500}
	if !equalRates(probed, want) {
		t.Errorf("probed %v, want %v", probed, want)
	}
	if c.Rate != 10500 || !c.BelowTop || c.Top != 20000 || len(c.Probes) != len(want) {
		t.Errorf("ceiling = %+v, want 10500 below the top", c)
	}
	for _, p := range c.Probes {
		if p.KeptUp != (p.Requested <= 10700) {
			t.Errorf("probe %+v: kept up is wrong", p)
		}
	}
}

func TestFindCeilingStopsAtTheResolution(t *testing.T) {
	var probed []float64
	c, err := findCeiling(20000, 500, 50, machine(10700, &probed))
	if err != nil || c.Rate != 10500 {
		t.Errorf("findCeiling = %+v, %v; want 10500", c, err)
	}
	seen := map[float64]bool{}
	for _, r := range probed {
		if seen[r] || r <= 0 || r > 20000 || r != roundDown(r, 500) {
			t.Errorf("probed %v: repeated, out of range or off the grid of 500", probed)
			break
		}
		seen[r] = true
	}
}

func TestFindCeilingCountsFailedProbesAsNotKeptUp(t *testing.T) {
	boom := errors.New("connection refused")
	c, err := findCeiling(20000, 500, 3, func(float64) (float64, error) { return 0, boom })
	if err == nil || c.Rate != 0 || !c.BelowTop {
		t.Errorf("findCeiling = %+v, %v; want no rate and an error", c, err)
	}
	for _, p := range c.Probes {
		if p.KeptUp || !strings.Contains(p.Error, "refused") {
			t.Errorf("probe %+v: a failed probe must not count as kept up", p)
		}
	}
	// A probe that achieves the rate but fails is no ceiling either.
	c, err = findCeiling(2000, 500, 3, func(rate float64) (float64, error) { return rate, boom })
	if err == nil || c.Rate != 0 {
		t.Errorf("findCeiling = %+v, %v; want no rate", c, err)
	}
}

func TestFindCeilingKeepUpThreshold(t *testing.T) {
	var probed []float64
	// Achieving 97 % of every rate is falling behind at every rate.
	c, err := findCeiling(1000, 100, 4, func(rate float64) (float64, error) {
		probed = append(probed, rate)
		return 0.97 * rate, nil
	})
	if err == nil || c.Rate != 0 {
		t.Errorf("findCeiling = %+v, %v; want nothing kept up with at 0.97", c, err)
	}
	c, err = findCeiling(1000, 100, 4, func(rate float64) (float64, error) { return scorecard.CeilingKeepUp * rate, nil })
	if err != nil || c.Rate != 1000 {
		t.Errorf("findCeiling = %+v, %v; achieving exactly the keep-up share is keeping up", c, err)
	}
}

func TestFindCeilingRefusesNonsense(t *testing.T) {
	for _, tc := range [][2]float64{{0, 500}, {-1, 500}, {20000, 0}} {
		called := false
		if _, err := findCeiling(tc[0], tc[1], 3, func(float64) (float64, error) { called = true; return 0, nil }); err == nil || called {
			t.Errorf("findCeiling(%v, %v): err %v, probed %v", tc[0], tc[1], err, called)
		}
	}
}

func equalRates(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
