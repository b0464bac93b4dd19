package load

import (
	"slices"
	"time"

	"loginharness/internal/ratelimit"
	"loginharness/internal/results"
)

// judgeRate judges the accepted rate of recs against the limit. The upper
// promise, no more than the limit in the long run, is judged on the
// long-run rate once the burst is spent; the lower one, sustained overload
// served at the limit, only when overloaded says the whole run offered
// well over it. overFrom (seconds since the first request) is where the
// offered load first exceeded the limit enough to judge from.
//
// Without an expected limit nothing is judged: the long-run rate is the
// measured limit, reported with its uncertainty and burst.
func (s *session) judgeRate(recs []record, overFrom float64, overloaded bool) {
	if len(recs) == 0 {
		s.notJudged(VerdictWithinLimit, "no request was answered")
		if overloaded {
			s.notJudged(VerdictAtLimit, "no request was answered")
		}
		return
	}
	start := firstSent(recs)
	times := acceptedTimes(recs, start)
	span := lastArrival(recs).Sub(start).Seconds()
	lim := s.sum.Limit
	w, measured := longRunRate(recs, start, max(overFrom, s.steadyFrom(recs, start)))
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
	s.sum.Envelope = env
	if !lim.Expected() {
		s.reportMeasuredLimit(w, measured, env)
		return
	}
	_, refused := first429(recs)
	upper := lim.Rate * (1 + Tolerance)
	switch {
	case !refused && overloaded:
		accepted := float64(len(times)) / span
		s.verdict(VerdictWithinLimit, accepted <= upper,
			"no 429 in %.1fs at %.4g req/s offered: %d requests served, %.1f req/s, against a limit of %.4g req/s (+%.0f%%)",
			span, s.sum.OfferedRate, len(times), accepted, lim.Rate, Tolerance*100)
	case !refused:
		s.notJudged(VerdictWithinLimit, "no 429 during the run: a burst may explain all it served; the over-limit scenario judges the long run")
	case !measured:
		s.notJudged(VerdictWithinLimit, "%d recoveries from refusal once the first Retry-After had passed: too few to measure the long-run rate; a longer run (%s) would", w.recoveries, EnvLoadMaxDuration)
	default:
		s.verdict(VerdictWithinLimit, w.rate-w.uncertainty <= upper,
			"accepted %.1f ± %.1f req/s from %.1fs to %.1fs, after a burst of %.0f, against a limit of %.4g req/s (+%.0f%%)",
			w.rate, w.uncertainty, w.from, w.to, env.Burst, lim.Rate, Tolerance*100)
	}
	if overloaded {
		s.judgeSustained(recs, start, w, measured, refused)
	}
}

// judgeSustained checks that overload was served at the limit, not well
// below it. A limiter that keeps a rate serves a client that keeps asking
// at least as a token bucket of that rate and a burst of one would: a
// request that reaches it finds a token unless one was taken in the
// 1/rate before it. The client knows each arrival only to within its
// request's span, from sending to answer, so each request i proves one
// admission somewhere in [sent_i − 1/rate, answer_i]; as many admissions
// as those spans hold without overlap are owed, however the network moved
// the requests and whatever the limiter's algorithm (a window's or a
// log's quota comes back in whole, at least as much). The server's
// acceptances over the measured stretch are set against that, at the limit
// less the tolerance and the measure's own uncertainty.
func (s *session) judgeSustained(recs []record, start time.Time, w rateWindow, measured, refused bool) {
	lim := s.sum.Limit
	from, to := w.from, w.to
	if !measured {
		from, to = 0, lastArrival(recs).Sub(start).Seconds()
	}
	answered := answeredIn(recs, start, from, to)
	offered := float64(len(answered)) / max(to-from, 1e-9)
	switch {
	case offered < sustained*lim.Rate:
		s.notJudged(VerdictAtLimit, "only %.1f req/s reached the server, less than %.1fx the limit: no overload to judge (%d requests got no answer)", offered, sustained, s.sum.Errors)
	case !refused:
		accepted, _ := servedRate(recs, start, lastArrival(recs))
		s.verdict(VerdictAtLimit, s.sum.Errors == 0, "no 429: %.1f req/s served, %d requests got no answer", accepted, s.sum.Errors)
	case !measured:
		s.notJudged(VerdictAtLimit, "%d recoveries from refusal once the first Retry-After had passed: too few to measure over", w.recoveries)
	default:
		owed := owedService(answered, lim.Rate*(1-Tolerance))
		slack := 1 + int(w.uncertainty*(to-from))
		s.verdict(VerdictAtLimit, w.accepted+slack >= owed,
			"under %.1f req/s reaching the server, it accepted %d from %.1fs to %.1fs (%.1f ± %.1f req/s); a limiter keeping %.4g req/s owes at least %d to those requests (a token bucket of burst one at the limit, -%.0f%%, whenever each reached it)",
			offered, w.accepted, from, to, w.rate, w.uncertainty, lim.Rate, owed, Tolerance*100)
	}
}

// owedService is the admissions a token bucket of rate with a burst of one
// surely grants requests each known to have reached it within its span:
// the most spans [sent − 1/rate, answer] that do not overlap, picked
// greedily by earliest end.
func owedService(answered []record, rate float64) int {
	interval := time.Duration(float64(time.Second) / rate)
	byEnd := slices.Clone(answered)
	slices.SortFunc(byEnd, func(a, b record) int { return a.received().Compare(b.received()) })
	n := 0
	var free time.Time // the end of the last span picked
	for _, rc := range byEnd {
		if from := rc.sent.Add(-interval); n == 0 || from.After(free) {
			n++
			free = rc.received()
		}
	}
	return n
}

// answeredIn are the answered requests sent in [from, to), seconds since
// start: the load that reached the server. A request lost on the way (a
// full connection table, a timeout) overloaded nothing.
func answeredIn(recs []record, start time.Time, from, to float64) []record {
	var out []record
	for _, rc := range recs {
		if t := rc.sent.Sub(start).Seconds(); rc.code != 0 && t >= from && t < to {
			out = append(out, rc)
		}
	}
	return out
}

// judgeDeclared holds the server to the RateLimit-Policy it declared.
func (s *session) judgeDeclared() {
	d := s.sum.Limit.DeclaredRate
	env := s.sum.Envelope
	switch {
	case d <= 0:
		s.notJudged(VerdictDeclaredLimit, "the server declared no RateLimit-Policy (it is optional)")
	case env == nil || env.LongRunRate == 0:
		s.notJudged(VerdictDeclaredLimit, "RateLimit-Policy declares %.4g req/s, but the long-run rate could not be measured", d)
	default:
		s.verdict(VerdictDeclaredLimit, abs(env.LongRunRate-d) <= Tolerance*d+env.Uncertainty,
			"RateLimit-Policy declares %.4g req/s; the server kept %.1f ± %.1f req/s", d, env.LongRunRate, env.Uncertainty)
	}
}

// reportMeasuredLimit records the limit a run found when nobody said what
// it should be.
func (s *session) reportMeasuredLimit(w rateWindow, measured bool, env *results.Envelope) {
	why := "no expected limit to hold the server to (" + EnvExpectedLimit + " unset)"
	if measured {
		s.observe(ObservedLimit, "the server kept %.1f ± %.1f req/s from %.1fs to %.1fs, with a burst of %.0f at that rate",
			w.rate, w.uncertainty, w.from, w.to, env.Burst)
		why += "; measured above"
	} else {
		s.observe(ObservedLimit, "not measured: %d recoveries from refusal once the first Retry-After had passed", w.recoveries)
	}
	s.notJudged(VerdictWithinLimit, "%s", why)
	if _, ok := s.verdictIn(VerdictAtLimit); ok {
		s.notJudged(VerdictAtLimit, "%s", why)
	}
}

// verdictIn tells whether the scenario judges name.
func (s *session) verdictIn(name string) (int, bool) {
	for i, v := range s.scenario.Verdicts {
		if v == name {
			return i, true
		}
	}
	return 0, false
}

// steadyFrom is when, in seconds since start, the first Retry-After had
// passed: from then on the burst is spent and the limiter is at its pace.
func (s *session) steadyFrom(recs []record, start time.Time) float64 {
	first, found := first429(recs)
	if !found {
		return 0
	}
	wait := s.fallback
	if first.retryAfter.usable() {
		wait = first.retryAfter.wait
	}
	return first.received().Add(wait).Sub(start).Seconds()
}

// untilJudged stops an attack once it is long enough to judge the rate: at
// least the base duration, and a steady stretch after the first Retry-After
// of s.windows windows, a window being the longest Retry-After or
// RateLimit-Policy window seen (a missing Retry-After tells no time scale).
// Without a 429 it runs to its end.
func (s *session) untilJudged() func(record) bool {
	var start, steady time.Time
	window := s.endpoint.window
	policy := ""
	return func(rc record) bool {
		if start.IsZero() || rc.sent.Before(start) {
			start = rc.sent
		}
		if rc.policy != "" && rc.policy != policy {
			policy = rc.policy
			if ps, err := ratelimit.ParsePolicy(rc.policy); err == nil {
				for _, p := range ps {
					window = max(window, p.Window)
				}
			}
		}
		if rc.code == 429 {
			wait := s.fallback
			if rc.retryAfter.usable() {
				wait = rc.retryAfter.wait
				window = max(window, wait)
			}
			if steady.IsZero() {
				steady = rc.received().Add(wait)
			}
		}
		now := rc.received()
		return !steady.IsZero() && now.Sub(start) >= s.duration && now.Sub(steady) >= time.Duration(s.windows)*window
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
