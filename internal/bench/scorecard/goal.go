package scorecard

import (
	"fmt"
	"math"
	"slices"
)

// Ratio is num/den, or false when either side is missing (zero, negative
// or not a number), so a skipped or failed run never passes as a ratio.
func Ratio(num, den float64) (float64, bool) {
	if !(num > 0) || !(den > 0) || math.IsInf(num, 0) || math.IsInf(den, 0) {
		return 0, false
	}
	return num / den, true
}

// Op is how a Goal compares its value with its target.
type Op string

// The comparisons goals use.
const (
	AtLeast Op = ">="
	AtMost  Op = "<="
	Below   Op = "<"
)

// Goal is one target of the benchmarks and how the run did against it.
type Goal struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Op     Op      `json:"op"`
	Target float64 `json:"target"`
	Unit   string  `json:"unit,omitempty"`
	// Status is "met", "missed" or "skipped" (no measurement to judge).
	Status string `json:"status"`
	Note   string `json:"note,omitempty"`
	// NoteAlways: the note is worth printing even when the goal is met.
	NoteAlways bool `json:"-"`
}

// Goal states.
const (
	Met     = "met"
	Missed  = "missed"
	Skipped = "skipped"
)

// Judge builds a goal from a measured value; ok false (no value) makes it
// skipped with note saying why.
func Judge(name string, value float64, ok bool, op Op, target float64, unit, note string) Goal {
	g := Goal{Name: name, Op: op, Target: target, Unit: unit, Note: note}
	if !ok || math.IsNaN(value) {
		g.Status = Skipped
		return g
	}
	g.Value = value
	var met bool
	switch op {
	case AtLeast:
		met = value >= target
	case AtMost:
		met = value <= target
	case Below:
		met = value < target
	}
	if met {
		g.Status = Met
	} else {
		g.Status = Missed
	}
	return g
}

// String is the goal in one line, e.g. "mock/bare vegeta w=32: 0.91 >= 0.80 met".
func (g Goal) String() string {
	if g.Status == Skipped {
		s := fmt.Sprintf("%s: skipped (target %s %s%s)", g.Name, g.Op, FormatFloat(g.Target), g.Unit)
		if g.Note != "" {
			s += ": " + g.Note
		}
		return s
	}
	return fmt.Sprintf("%s: %s%s %s %s%s %s", g.Name, FormatFloat(g.Value), g.Unit, g.Op, FormatFloat(g.Target), g.Unit, g.Status)
}

// FormatFloat prints a figure with precision that suits its size.
func FormatFloat(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case a == 0:
		return "0"
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

// Median of xs (the mean of the middle two for an even count); false when empty.
func Median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}
