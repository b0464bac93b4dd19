package judge

import (
	"time"

	"loginharness/internal/timeline"
)

// What the rate verdicts (accepted-within-limit, accepted-at-limit) need
// to judge: the long-run rate measured over at least MinRateWindows of the
// limiter's window once its burst is spent, between at least three
// recoveries from refusal, and known to within MaxRateUncertainty of the
// limit: close enough to tell a server keeping its limit from one keeping
// half or twice it. A fixed window frees its quota once a window, so a few
// recoveries, two to three windows apart, suffice; a token bucket frees it
// continuously and needs less; a sliding log, whose acceptances come in
// clumps, and a weighted two-window counter, which settles over two
// windows, need the span that lets their uncertainty fall. The window is the
// longest the records show: a Retry-After, a declared policy, or the
// time the burst the server served above the rate spans.
const (
	MinRateWindows     = 2.0
	MaxRateUncertainty = 0.5
)

// RateEvidence is how far a run's records go towards judging the rate.
type RateEvidence struct {
	Recoveries  int
	SpanSeconds float64 // from the first recovery used to the last
	Rate        float64 // the long-run rate measured, req/s; 0 until measured
	Uncertainty float64 // ± req/s
	Window      time.Duration
	Enough      bool
}

// Evidence measures recs (one scenario's own records, by send time) for
// the rate verdicts against limit (0: the limit is to be measured, and the
// rate itself is the reference), the steady stretch starting once the
// first Retry-After has passed (fallback when it was not usable).
func Evidence(recs []timeline.Record, limit float64, fallback time.Duration) RateEvidence {
	ev := RateEvidence{Window: timeline.Window(recs, timeline.MinWindow, true)}
	if len(recs) == 0 {
		return ev
	}
	start := timeline.FirstSent(recs)
	w, measured := longRunRate(recs, start, SteadyFrom(recs, start, fallback))
	ev.Recoveries = w.recoveries
	if !measured {
		return ev
	}
	ev.SpanSeconds, ev.Rate, ev.Uncertainty = w.to-w.from, w.rate, w.uncertainty
	ref := limit
	if ref <= 0 {
		ref = w.rate
	}
	// A limiter that served a burst of b above rate r remembers at least
	// b/r seconds of traffic, whatever its Retry-After says: a weighted
	// two-window counter refuses with waits of a second while it counts
	// in windows of ten.
	if r := max(ref, w.rate); r > 0 {
		memory := time.Duration(burstAbove(acceptedTimes(recs, start), r) / r * float64(time.Second))
		ev.Window = max(ev.Window, memory)
	}
	ev.Enough = ev.SpanSeconds >= MinRateWindows*ev.Window.Seconds() && ev.Uncertainty <= MaxRateUncertainty*ref
	return ev
}

// RateOver is count per second over seconds, when the span holds at least
// one interval of the load offered at offered req/s (0: unknown, then a
// second) and two requests: a rate divided by the span of one request says
// nothing (one answer in 2 ms is no 500 req/s). ok is false otherwise.
func RateOver(count int, seconds, offered float64) (rate float64, ok bool) {
	interval := 1.0
	if offered > 0 {
		interval = 1 / offered
	}
	if count < 2 || seconds <= 0 || seconds < interval {
		return 0, false
	}
	return float64(count) / seconds, true
}
