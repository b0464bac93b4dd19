package scorecard

import (
	"math"
	"strings"
	"testing"
)

func TestRatio(t *testing.T) {
	if v, ok := Ratio(80, 100); !ok || v != 0.8 {
		t.Errorf("Ratio(80, 100) = %v, %v", v, ok)
	}
	for _, tc := range [][2]float64{{0, 100}, {100, 0}, {-1, 100}, {100, -1}, {math.NaN(), 1}, {1, math.NaN()}, {math.Inf(1), 1}, {1, math.Inf(1)}} {
		if v, ok := Ratio(tc[0], tc[1]); ok {
			t.Errorf("Ratio(%v, %v) = %v, want no ratio", tc[0], tc[1], v)
		}
	}
}

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		value  float64
		ok     bool
		op     Op
		target float64
		want   string
	}{
		{0.8, true, AtLeast, 0.8, Met}, // the boundary meets an "at least"
		{0.79, true, AtLeast, 0.8, Missed},
		{19.9, true, Below, 20, Met},
		{20, true, Below, 20, Missed}, // and misses a "below"
		{0.9, false, AtLeast, 0.8, Skipped},
		{math.NaN(), true, AtLeast, 0.8, Skipped},
		{1, true, Op("~"), 1, Missed}, // an unknown comparison never passes
	} {
		g := Judge("g", tc.value, tc.ok, tc.op, tc.target, "", "")
		if g.Status != tc.want {
			t.Errorf("Judge(%v, ok=%v, %s %v) = %s, want %s", tc.value, tc.ok, tc.op, tc.target, g.Status, tc.want)
		}
	}
}

func TestGoalString(t *testing.T) {
	g := Judge("validation", 31.7, true, Below, 20, " µs", "")
	if got := g.String(); got != "validation: 31.70 µs < 20.00 µs missed" {
		t.Errorf("String = %q", got)
	}
	s := Judge("wrk", 0, false, AtLeast, 0.8, "", "wrk is not installed").String()
	if !strings.Contains(s, "skipped") || !strings.Contains(s, "wrk is not installed") {
		t.Errorf("String = %q", s)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		in := append([]float64(nil), tc.in...)
		if got, ok := Median(tc.in); !ok || got != tc.want {
			t.Errorf("Median(%v) = %v, %v", tc.in, got, ok)
		}
		for i := range in {
			if in[i] != tc.in[i] {
				t.Errorf("Median reordered its input: %v", tc.in)
			}
		}
	}
	if _, ok := Median(nil); ok {
		t.Error("Median(nil) has a value")
	}
}

func TestFormatFloat(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 0.8531: "0.853", 1.4: "1.40", 123.45: "123.5", 45454.41: "45454", -0.5: "-0.500", math.NaN(): "-"} {
		if got := FormatFloat(v); got != want {
			t.Errorf("FormatFloat(%v) = %q, want %q", v, got, want)
		}
	}
}
