package load

import (
	"math"
	"slices"
	"sort"
	"time"

	"loginharness/internal/results"
)

// A 429 with Retry-After is a promise: a client that waits that long,
// sending nothing meanwhile, is served. retryAfterPromises finds every
// time a client kept its side and reports whether the server kept its.
//
// A request q keeps the client's side when the client had heard a 429
// (the latest it had received when it sent q), sent nothing since, and
// sent q no earlier than the deadline (answer + Retry-After) of every 429
// to a request sent before q. Requests still in flight when a 429 arrived
// may draw 429s of their own, maybe after q went out; their deadlines
// count too, so a request that went out before one of them passed is not
// held against the server; and q is held to the promise only when every
// request sent before it had its answer and the next went out only once q
// had its own, so none can have reached the server just before it (one
// with no answer may have, until its timeout).
// Each 429 is checked once, by the first request after it: later ones
// released at the same instant may legitimately meet the limit again.
func retryAfterPromises(recs []record, timeout time.Duration) results.Promises {
	bySent := slices.Clone(recs)
	slices.SortStableFunc(bySent, func(a, b record) int { return a.sent.Compare(b.sent) })
	var told []record // the usable 429s, by when they were received
	for _, rc := range bySent {
		if rc.code == 429 && rc.retryAfter.usable() {
			told = append(told, rc)
		}
	}
	slices.SortStableFunc(told, func(a, b record) int { return a.received().Compare(b.received()) })
	var p results.Promises
	var deadline time.Time // the latest deadline of the 429s sent so far
	var answered time.Time // when every request sent so far had its answer
	heard, checked := -1, -1
	for i, q := range bySent {
		for heard+1 < len(told) && !told[heard+1].received().After(q.sent) {
			heard++
		}
		if heard >= 0 && heard != checked && q.code != 0 && !q.sent.Before(deadline) &&
			i > 0 && bySent[i-1].sent.Before(told[heard].received()) && !answered.After(q.sent) &&
			(i+1 == len(bySent) || !bySent[i+1].sent.Before(q.received())) {
			checked = heard
			p.Checked++
			if !q.ok() {
				p.Refused++
				if p.Refused == 1 {
					p.FirstRefusal = results.Refusal{RetryAfter: told[heard].retryAfter.raw, WaitedSeconds: q.sent.Sub(told[heard].received()).Seconds(), Status: q.code}
				}
			}
		}
		if q.code == 429 && q.retryAfter.usable() && q.deadline().After(deadline) {
			deadline = q.deadline()
		}
		end := q.received()
		if q.code == 0 { // it may reach the server until its timeout
			end = q.sent.Add(max(q.latency, timeout))
		}
		answered = maxTime(answered, end)
	}
	return p
}

// latestPromise is the 429 whose Retry-After ends last, if any has one.
func latestPromise(recs []record) (record, bool) {
	var found record
	ok := false
	for _, rc := range recs {
		if rc.code == 429 && rc.retryAfter.usable() && (!ok || !rc.deadline().Before(found.deadline())) {
			found, ok = rc, true
		}
	}
	return found, ok
}

// refusedWithinLimit counts the 429s whose request reached the server
// with the traffic before it within rate at a burst of one: never more
// than rate × length + 1 requests in an interval ending at it. Any limiter
// that keeps rate admits such traffic, whatever its algorithm; a 429 that
// followed a clump above it (a load generator catching up after a stall)
// may be the limiter's right.
//
// The client cannot see arrivals, only that each request reached the
// server between its sending and its answer (or, unanswered, until its
// timeout). So a 429 is blamed only when the traffic kept within the limit
// however the network moved each request within its span: no other
// request's span reaches past the start of the refused one's (it might
// have arrived just before it), and the m requests that surely came
// before it, each taken as late as it can have come, are at least m/rate
// before the refused one taken as early as it can have come. A 429 that
// came before owedUntil is no such refusal: the server still kept a
// Retry-After it gave before these requests.
func refusedWithinLimit(recs []record, rate float64, timeout time.Duration, owedUntil time.Time) (n int, first record) {
	if len(recs) == 0 {
		return 0, record{}
	}
	start := firstSent(recs)
	at := func(t time.Time) float64 { return t.Sub(start).Seconds() }
	sent := make([]float64, len(recs))
	latest := make([]float64, len(recs)) // the latest each can have reached the server
	for i, rc := range recs {
		sent[i], latest[i] = at(rc.sent), at(rc.received())
		if rc.code == 0 {
			latest[i] = at(rc.sent.Add(max(rc.latency, timeout)))
		}
	}
	sortedSent, sortedLatest := slices.Clone(sent), slices.Clone(latest)
	slices.Sort(sortedSent)
	slices.Sort(sortedLatest)
	// best[p] is the max over q < p of rate × sortedLatest[q] − q.
	best := make([]float64, len(recs)+1)
	best[0] = math.Inf(-1)
	for q, l := range sortedLatest {
		best[q+1] = max(best[q], rate*l-float64(q))
	}
	for j, rc := range recs {
		if rc.code != 429 || rc.received().Before(owedUntil) {
			continue
		}
		surelyBefore := sort.SearchFloat64s(sortedLatest, sent[j]+1e-12) // latest ≤ sent_j
		maybeBefore := sort.SearchFloat64s(sortedSent, latest[j]) - 1    // sent < latest_j, less j itself
		if maybeBefore > surelyBefore {
			continue // another request may have reached the server just before it
		}
		// m = p − q requests in [sortedLatest[q], sent_j]: m + 1 with j.
		excess := 1 + float64(surelyBefore) - rate*sent[j] + best[surelyBefore]
		if excess <= 1+1e-9 {
			if n == 0 || rc.sent.Before(first.sent) {
				first = rc
			}
			n++
		}
	}
	return n, first
}
