package judge

import (
	"slices"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// Rate judges the accepted rate of the own records against the limit. The
// upper promise, no more than the limit in the long run, is judged on the
// long-run rate once the burst is spent; the lower one, sustained overload
// served at the limit, only when overloaded says the whole run offered
// well over it. overFrom (seconds since the first own request) is where
// the offered load first exceeded the limit enough to judge from.
//
// Without an expected limit nothing is judged: the long-run rate is the
// measured limit, reported with its uncertainty and burst.
func (c *Case) Rate(overFrom float64, overloaded bool) {
	recs := c.Own
	if len(recs) == 0 {
		c.NotJudged(VerdictWithinLimit, "no request was answered")
		if overloaded {
			c.NotJudged(VerdictAtLimit, "no request was answered")
		}
		return
	}
	start := timeline.FirstSent(recs)
	times := acceptedTimes(recs, start)
	span := timeline.LastArrival(recs).Sub(start).Seconds()
	lim := c.Sum.Limit
	w, measured := longRunRate(recs, start, max(overFrom, SteadyFrom(recs, start, c.Terms.Fallback)))
	ref := lim.Rate
	if !lim.Expected() {
		ref = w.rate
	}
	env := &results.Envelope{Rate: ref, SpanSeconds: span}
	if ref > 0 {
		env.Burst = burstAbove(times, ref)
		env.Points = envelopePoints(times, ref, env.Burst, span)
	}
	if measured {
		env.LongRunRate, env.Uncertainty, env.FromSeconds, env.ToSeconds = w.rate, w.uncertainty, w.from, w.to
	}
	c.Sum.Envelope = env
	if !lim.Expected() {
		c.measuredLimit(w, measured, env)
		return
	}
	_, refused := timeline.First429(recs)
	upper := lim.Rate * (1 + Tolerance)
	window := timeline.Window(recs, timeline.MinWindow, true)
	switch {
	case !refused && overloaded:
		c.unrefused(span, len(times), upper)
	case !refused:
		c.NotJudged(VerdictWithinLimit, "no 429 during the run: a burst may explain all it served; the over-limit scenario judges the long run")
	case !measured:
		c.NotJudged(VerdictWithinLimit, "%d recoveries from refusal once the first Retry-After had passed: too few to measure the long-run rate, which needs 3 over %.1f windows of %s; a longer run (%s) would",
			w.recoveries, MinRateWindows, window, c.Terms.LengthVariable)
	default:
		c.Verdict(VerdictWithinLimit, w.rate-w.uncertainty <= upper,
			"accepted %.1f ± %.1f req/s from %.1fs to %.1fs (%d recoveries, %.1f windows of %s), after a burst of %.0f, against a limit of %.4g req/s (+%.0f%%)",
			w.rate, w.uncertainty, w.from, w.to, w.recoveries, (w.to-w.from)/window.Seconds(), window, env.Burst, lim.Rate, Tolerance*100)
	}
	if overloaded {
		c.sustained(start, w, measured, refused)
	}
}

// sustained judges accepted-at-limit: overload was served at the limit,
// not well below it. A limiter that keeps a rate serves a client that
// keeps asking at least as a token bucket of that rate and a burst of one
// would: a request that reaches it finds a token unless one was taken in
// the 1/rate before it. The client knows each arrival only to within its
// request's span, from sending to answer, so each request i proves one
// admission somewhere in [sent_i − 1/rate, answer_i]; as many admissions
// as those spans hold without overlap are owed, however the network moved
// the requests and whatever the limiter's algorithm (a window's or a
// log's quota comes back in whole, at least as much). The spans are those
// of every answered request of the timeline in the measured stretch, the
// harness's other traffic included. The server's acceptances over the
// stretch are set against that, at the limit less the tolerance and the
// measure's own uncertainty.
func (c *Case) sustained(start time.Time, w rateWindow, measured, refused bool) {
	lim := c.Sum.Limit
	from, to := w.from, w.to
	if !measured {
		from, to = 0, timeline.LastArrival(c.Own).Sub(start).Seconds()
	}
	answered := answeredIn(c.Own, start, from, to)
	offered := float64(len(answered)) / max(to-from, 1e-9)
	switch {
	case offered < Sustained*lim.Rate:
		c.NotJudged(VerdictAtLimit, "only %.1f req/s reached the server, less than %.1fx the limit: no overload to judge (%d requests got no answer)", offered, Sustained, c.Sum.Errors)
	case !refused:
		_, served := timeline.ServedRate(c.Own, start, timeline.LastArrival(c.Own))
		c.Verdict(VerdictAtLimit, c.Sum.Errors == 0, "no 429: %d requests served from %.1fs to %.1fs, %d got no answer", served, from, to, c.Sum.Errors)
	case !measured:
		c.NotJudged(VerdictAtLimit, "%d recoveries from refusal once the first Retry-After had passed: too few to measure over", w.recoveries)
	default:
		owed := owedService(answeredIn(c.Timeline, start, from, to), lim.Rate*(1-Tolerance))
		slack := 1 + int(w.uncertainty*(to-from))
		c.Verdict(VerdictAtLimit, w.accepted+slack >= owed,
			"under %.1f req/s reaching the server, it accepted %d from %.1fs to %.1fs (%.1f ± %.1f req/s); a limiter keeping %.4g req/s owes at least %d to those requests (a token bucket of burst one at the limit, -%.0f%%, whenever each reached it)",
			offered, w.accepted, from, to, w.rate, w.uncertainty, lim.Rate, owed, Tolerance*100)
	}
}

// owedService is the admissions a token bucket of rate with a burst of one
// surely grants requests each known to have reached it within its span:
// the most spans [sent − 1/rate, answer] that do not overlap, picked
// greedily by earliest end.
func owedService(answered []timeline.Record, rate float64) int {
	interval := time.Duration(float64(time.Second) / rate)
	byEnd := slices.Clone(answered)
	slices.SortFunc(byEnd, func(a, b timeline.Record) int { return a.Received().Compare(b.Received()) })
	n := 0
	var free time.Time // the end of the last span picked
	for _, rc := range byEnd {
		if from := rc.Sent.Add(-interval); n == 0 || from.After(free) {
			n++
			free = rc.Received()
		}
	}
	return n
}

// answeredIn are the answered requests sent in [from, to), seconds since
// start: the load that reached the server. A request lost on the way (a
// full connection table, a timeout) overloaded nothing.
func answeredIn(recs []timeline.Record, start time.Time, from, to float64) []timeline.Record {
	var out []timeline.Record
	for _, rc := range recs {
		if t := rc.Sent.Sub(start).Seconds(); rc.Status != 0 && t >= from && t < to {
			out = append(out, rc)
		}
	}
	return out
}

// Declared judges declared-limit: the server keeps the RateLimit-Policy
// it declared.
func (c *Case) Declared() {
	d := c.Sum.Limit.DeclaredRate
	env := c.Sum.Envelope
	switch {
	case d <= 0:
		c.NotJudged(VerdictDeclaredLimit, "the server declared no RateLimit-Policy (it is optional)")
	case env == nil || env.LongRunRate == 0:
		c.NotJudged(VerdictDeclaredLimit, "RateLimit-Policy declares %.4g req/s, but the long-run rate could not be measured", d)
	default:
		diff := env.LongRunRate - d
		if diff < 0 {
			diff = -diff
		}
		c.Verdict(VerdictDeclaredLimit, diff <= Tolerance*d+env.Uncertainty,
			"RateLimit-Policy declares %.4g req/s; the server kept %.1f ± %.1f req/s", d, env.LongRunRate, env.Uncertainty)
	}
}

// measuredLimit records the limit a run found when nobody said what it
// should be.
func (c *Case) measuredLimit(w rateWindow, measured bool, env *results.Envelope) {
	why := "no expected limit to hold the server to (" + c.Terms.LimitVariable + " unset)"
	if measured {
		c.Observe(ObservedLimit, "the server kept %.1f ± %.1f req/s from %.1fs to %.1fs, with a burst of %.0f at that rate",
			w.rate, w.uncertainty, w.from, w.to, env.Burst)
		why += "; measured above"
	} else {
		c.Observe(ObservedLimit, "not measured: %d recoveries from refusal once the first Retry-After had passed", w.recoveries)
	}
	c.NotJudged(VerdictWithinLimit, "%s", why)
	if c.asks(VerdictAtLimit) {
		c.NotJudged(VerdictAtLimit, "%s", why)
	}
}

// SteadyFrom is when, in seconds since start, the first Retry-After of
// recs had passed: from then on the burst is spent and the limiter is at
// its pace; fallback is the wait when its Retry-After was not usable.
func SteadyFrom(recs []timeline.Record, start time.Time, fallback time.Duration) float64 {
	first, found := timeline.First429(recs)
	if !found {
		return 0
	}
	wait := fallback
	if first.RetryAfter.Usable() {
		wait = first.RetryAfter.Wait
	}
	return first.Received().Add(wait).Sub(start).Seconds()
}

// unrefused judges accepted-within-limit on a run at three times the limit
// that met no 429: served requests over its span, once the span holds a
// rate at all.
func (c *Case) unrefused(span float64, served int, upper float64) {
	lim := c.Sum.Limit.Rate
	accepted, ok := RateOver(served, span, lim)
	if !ok {
		c.NotJudged(VerdictWithinLimit, "no 429, but %d requests served in %.3fs is too short a span to hold a rate at a limit of %.4g req/s", served, span, lim)
		return
	}
	c.Verdict(VerdictWithinLimit, accepted <= upper,
		"no 429 in %.1fs at %.4g req/s offered: %d requests served, %.1f req/s, against a limit of %.4g req/s (+%.0f%%)",
		span, c.Sum.OfferedRate, served, accepted, lim, Tolerance*100)
}
