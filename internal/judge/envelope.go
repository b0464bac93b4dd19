package judge

import (
	"math"
	"slices"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// The accepted requests of a run are judged by their arrival curve, as
// network calculus describes a token bucket: for a rate r, the envelope's
// burst b is the smallest number such that every interval of the run
// accepted at most r×length + b requests. Any limiter that keeps a
// long-run limit r has a finite b, whatever its algorithm: a token bucket
// shows its bucket, a fixed window up to two windows' quota at a boundary,
// a sliding log one window's quota. So the upper promise is judged on the
// long-run rate, with the burst left out, and the burst is reported.

// acceptedTimes are the arrival times of the served requests, in seconds
// since start, ascending. A request reached the server somewhere between
// sending and its answer; the midpoint halves the error either way.
func acceptedTimes(recs []timeline.Record, start time.Time) []float64 {
	var out []float64
	for _, rc := range recs {
		if rc.OK() {
			out = append(out, rc.Arrival().Sub(start).Seconds())
		}
	}
	slices.Sort(out)
	return out
}

// burstAbove is the envelope's burst at rate: the largest excess, over
// every interval [times[i], times[j]], of its count over rate×length. One
// request alone is an excess of 1, so any run with a served request has a
// burst of at least 1.
func burstAbove(times []float64, rate float64) float64 {
	b := 0.0
	best := math.Inf(-1) // max over i <= j of rate×t_i − i
	for j, t := range times {
		best = max(best, rate*t-float64(j))
		b = max(b, float64(j+1)-rate*t+best)
	}
	return b
}

// rateWindow is the long-run accepted rate of a saturated stretch of a run,
// measured between moments when the server had just freed capacity.
type rateWindow struct {
	from, to    float64 // seconds since start: the first and last recovery used
	accepted    int     // served in [from, to)
	rate        float64 // accepted / (to − from)
	uncertainty float64 // ± req/s: how far other recoveries stray from that rate
	recoveries  int
}

// longRunRate measures the accepted rate between the first and the last
// recovery (a request served right after a 429) at or after from: at each
// recovery the limiter has just freed capacity after running out, whatever
// its algorithm, and a windowed limiter frees it at its window's edge
// however fast the load comes, so measuring from one recovery to another
// compares like with like where a fixed span would cut a window anywhere.
// The other recoveries give the uncertainty: a limiter in a steady state
// frees capacity at one pace, so the count at every recovery lies on one
// line; how far the counts stray from it, plus one request for the ends,
// bounds the rate's error.
//
// ok is false with fewer than three recoveries or an empty span: nothing
// to measure.
func longRunRate(recs []timeline.Record, start time.Time, from float64) (w rateWindow, ok bool) {
	type event struct {
		at     float64
		served bool
	}
	var events []event
	for _, rc := range recs {
		if rc.OK() || rc.Status == 429 {
			events = append(events, event{rc.Arrival().Sub(start).Seconds(), rc.OK()})
		}
	}
	slices.SortFunc(events, func(a, b event) int { return cmpFloat(a.at, b.at) })
	var recoveries []float64
	var counts []int // served before each recovery
	served, refused := 0, false
	for _, e := range events {
		if e.served && refused && e.at >= from {
			recoveries = append(recoveries, e.at)
			counts = append(counts, served)
		}
		if e.served {
			served++
		}
		refused = !e.served
	}
	n := len(recoveries)
	if n < 3 || recoveries[n-1] <= recoveries[0] {
		return rateWindow{recoveries: n}, false
	}
	w = rateWindow{from: recoveries[0], to: recoveries[n-1], accepted: counts[n-1] - counts[0], recoveries: n}
	span := w.to - w.from
	w.rate = float64(w.accepted) / span
	lo, hi := 0.0, 0.0
	for i, at := range recoveries {
		d := float64(counts[i]-counts[0]) - w.rate*(at-w.from)
		lo, hi = min(lo, d), max(hi, d)
	}
	w.uncertainty = (hi - lo + 1) / span
	return w, true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// envelopePoints samples the accepted count against the bound rate×t + b,
// for the report's chart: at most maxPoints points, always the last.
func envelopePoints(times []float64, rate, burst, end float64) []results.EnvelopePoint {
	const maxPoints = 120
	if end <= 0 {
		return nil
	}
	step := end / maxPoints
	var out []results.EnvelopePoint
	j := 0
	for i := 0; i <= maxPoints; i++ {
		t := float64(i) * step
		for j < len(times) && times[j] <= t {
			j++
		}
		out = append(out, results.EnvelopePoint{Seconds: round3(t), Accepted: j, Bound: round3(rate*t + burst)})
	}
	return out
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
