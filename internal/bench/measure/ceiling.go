package measure

import (
	"errors"
	"fmt"
	"math"

	"loginharness/internal/bench/scorecard"
)

// findCeiling measures plain Vegeta's ceiling up to top with probe (one run
// at a rate, returning the achieved rate). It probes top first; when plain
// Vegeta falls short there, the rate it did achieve is the first guess
// below (an overloaded run still shows what the machine delivers), then it
// bisects between the highest rate kept up with and the lowest not, in
// steps of resolution, for at most steps more probes. A probe that fails
// counts as not kept up. The error says that no rate was kept up with.
func findCeiling(top, resolution float64, steps int, probe func(rate float64) (float64, error)) (scorecard.Ceiling, error) {
	c := scorecard.Ceiling{Top: top, Resolution: resolution}
	if !(top > 0) || !(resolution > 0) {
		return c, fmt.Errorf("ceiling search: top %v and resolution %v must be positive", top, resolution)
	}
	try := func(rate float64) (float64, bool) {
		achieved, err := probe(rate)
		p := scorecard.CeilingProbe{Requested: rate, Achieved: achieved, KeptUp: err == nil && achieved >= scorecard.CeilingKeepUp*rate}
		if err != nil {
			p.Error = err.Error()
		}
		c.Probes = append(c.Probes, p)
		return achieved, p.KeptUp
	}
	achieved, ok := try(top)
	if ok {
		c.Rate = top
		return c, nil
	}
	c.BelowTop = true
	lo, hi := 0.0, top // lo kept up (0: none yet), hi did not
	next := roundDown(achieved, resolution)
	for range steps {
		if next <= lo || next >= hi {
			next = roundDown((lo+hi)/2, resolution)
		}
		if next <= lo || hi-lo <= resolution {
			break
		}
		if _, ok := try(next); ok {
			lo = next
		} else {
			hi = next
		}
		next = roundDown((lo+hi)/2, resolution)
	}
	c.Rate = lo
	if lo == 0 {
		return c, errors.New("plain Vegeta kept up with none of the rates probed")
	}
	return c, nil
}

// roundDown is v down to a multiple of step; 0 for v below one step.
func roundDown(v, step float64) float64 {
	if !(v > 0) {
		return 0
	}
	return math.Floor(v/step) * step
}
