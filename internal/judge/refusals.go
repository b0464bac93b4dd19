package judge

import (
	"slices"
	"sort"
	"time"

	"loginharness/internal/timeline"
)

// Refusals judges no-429-under-limit: no own request was refused while
// the traffic before it, everything the run sent to the limiter key,
// stayed within the limit. A 429 that followed a clump of the harness's
// own sending (a stalled load generator catching up, the preflight's
// sign-in just before a scenario) is the limiter doing its job, and only
// reported; so is one the server gave while a Retry-After it had given
// another part of the run still ran.
func (c *Case) Refusals() {
	lim := c.Sum.Limit
	n429 := c.Sum.StatusCodes["429"]
	if !lim.Expected() {
		c.NotJudged(VerdictNo429UnderLimit, "no expected limit to hold the server to (%s unset); %d of %d requests were refused", c.Terms.LimitVariable, n429, len(c.Own))
		return
	}
	r := refusedWithinLimit(c.Timeline, c.mine, lim.Rate, c.Terms.Timeout, timeline.Horizon(c.Timeline))
	switch {
	case r.unjustified > 0:
		c.Verdict(VerdictNo429UnderLimit, false, "%d requests were refused with 429 although the traffic before each (all this run sent to the server, %d requests before the scenario's included) stayed within %.4g req/s (burst 1); the first %.2fs into the scenario",
			r.unjustified, len(c.Timeline)-len(c.Own), lim.Rate, r.first.Sent.Sub(timeline.FirstSent(c.Own)).Seconds())
	case r.owed > 0:
		c.Verdict(VerdictNo429UnderLimit, true, "no request was refused while the traffic stayed within the limit; %d of %d were refused while a Retry-After the server had given an earlier part of the run still ran",
			r.owed, n429)
	case n429 > 0:
		c.Verdict(VerdictNo429UnderLimit, true, "no request was refused while the traffic stayed within the limit; %d were, each after it had gone over", n429)
		c.Observe(ObservedOverLimit, "%d requests were refused, each after the traffic had gone over %.4g req/s with a burst of one, if only for a moment (below the limit, only a load generator catching up after a stall, or the harness's own earlier requests, do that): the limiter's right", n429, lim.Rate)
	default:
		c.Verdict(VerdictNo429UnderLimit, true, "none of %d requests at up to %.4g req/s was refused", len(c.Own), c.Sum.OfferedRate)
	}
}

// refusals counts the own 429s of a timeline.
type refusals struct {
	unjustified int             // within the limit, with no Retry-After running
	first       timeline.Record // the first unjustified one
	owed        int             // while an earlier Retry-After still ran
}

// refusedWithinLimit finds the 429s among the mine records of tl whose
// request reached the server with the traffic before it, all of tl,
// within rate at a burst of one: never more than rate × length + 1
// requests in an interval ending at it. Any limiter that keeps rate admits
// such traffic, whatever its algorithm; a 429 that followed a clump above
// it may be the limiter's right.
//
// The client cannot see arrivals, only that each request reached the
// server between its sending and its answer (or, unanswered, until its
// timeout). So a 429 is blamed only when the traffic kept within the limit
// however the network moved each request within its span: no other
// request's span reaches past the start of the refused one's (it might
// have arrived just before it), and the m requests that surely came
// before it, each taken as late as it can have come, are at least m/rate
// before the refused one taken as early as it can have come. A 429 to a
// request sent while a Retry-After the server gave another part of the
// run still ran is no such refusal: the server kept its word, and the
// harness did not. Traffic
// older than horizon (timeline.Horizon) is past what a limiter
// remembers.
func refusedWithinLimit(tl []timeline.Record, mine []bool, rate float64, timeout, horizon time.Duration) refusals {
	var r refusals
	if len(tl) == 0 {
		return r
	}
	start := timeline.FirstSent(tl)
	at := func(t time.Time) float64 { return t.Sub(start).Seconds() }
	sent := make([]float64, len(tl))
	latest := make([]float64, len(tl)) // the latest each can have reached the server
	for i, rc := range tl {
		sent[i], latest[i] = at(rc.Sent), at(rc.Received())
		if rc.Status == 0 {
			latest[i] = at(rc.Sent.Add(max(rc.Latency, timeout)))
		}
	}
	sortedSent, sortedLatest := slices.Clone(sent), slices.Clone(latest)
	slices.Sort(sortedSent)
	slices.Sort(sortedLatest)
	quiet := quietUntil(tl, mine)
	for j, rc := range tl {
		if !mine[j] || rc.Status != 429 {
			continue
		}
		if rc.Sent.Before(quiet[j]) {
			r.owed++
			continue
		}
		surelyBefore := sort.SearchFloat64s(sortedLatest, sent[j]+1e-12) // latest ≤ sent_j
		maybeBefore := sort.SearchFloat64s(sortedSent, latest[j]) - 1    // sent < latest_j, less j itself
		if maybeBefore > surelyBefore {
			continue // another request may have reached the server just before it
		}
		if withinLimit(sortedLatest[:surelyBefore], sent[j], rate, horizon.Seconds()) {
			if r.unjustified == 0 || rc.Sent.Before(r.first.Sent) {
				r.first = rc
			}
			r.unjustified++
		}
	}
	return r
}

// withinLimit tells whether the requests that surely reached the server
// before a request sent at sent (their latest arrivals, ascending) kept
// within rate at a burst of one over every interval ending at it, back to
// horizon: the m latest of them, each taken as late as it can have come,
// are at least m/rate before it.
func withinLimit(before []float64, sent, rate, horizon float64) bool {
	for q := len(before) - 1; q >= 0 && before[q] >= sent-horizon; q-- {
		if m := float64(len(before) - q); m > rate*(sent-before[q])+1e-9 {
			return false
		}
	}
	return true
}

// quietUntil is, for each request of tl (by send time), the latest
// deadline of the Retry-Afters received before it was sent by the rest of
// the run (not mine): the scenario's own refusals are judged each on its
// traffic, so a server refusing within the limit again and again is not
// excused by its own earlier refusals.
func quietUntil(tl []timeline.Record, mine []bool) []time.Time {
	var told []timeline.Record
	for i, rc := range tl {
		if rc.Told() && !mine[i] {
			told = append(told, rc)
		}
	}
	slices.SortStableFunc(told, func(a, b timeline.Record) int { return a.Received().Compare(b.Received()) })
	out := make([]time.Time, len(tl))
	var until time.Time
	k := 0
	for i, rc := range tl {
		for k < len(told) && !told[k].Received().After(rc.Sent) {
			if d := told[k].Deadline(); d.After(until) {
				until = d
			}
			k++
		}
		out[i] = until
	}
	return out
}
