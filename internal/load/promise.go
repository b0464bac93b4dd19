package load

import (
	"math"
	"slices"
	"time"
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
// held against the server. Each 429 is checked once, by the first request
// after it: later ones released at the same instant may legitimately
// meet the limit again. A request that got no answer may have reached the
// server at any time until its timeout, so one sent within timeout before
// the 429 was heard voids the check.
func retryAfterPromises(recs []record, timeout time.Duration) Promises {
	bySent := slices.Clone(recs)
	slices.SortStableFunc(bySent, func(a, b record) int { return a.sent.Compare(b.sent) })
	var told []record // the usable 429s, by when they were received
	for _, rc := range bySent {
		if rc.code == 429 && rc.retryAfter.usable() {
			told = append(told, rc)
		}
	}
	slices.SortStableFunc(told, func(a, b record) int { return a.received().Compare(b.received()) })
	var p Promises
	var deadline time.Time   // the latest deadline of the 429s sent so far
	var unanswered time.Time // the latest request sent that got no answer
	heard, checked := -1, -1
	for i, q := range bySent {
		for heard+1 < len(told) && !told[heard+1].received().After(q.sent) {
			heard++
		}
		if heard >= 0 && heard != checked && q.code != 0 && !q.sent.Before(deadline) &&
			i > 0 && bySent[i-1].sent.Before(told[heard].received()) &&
			unanswered.Add(timeout).Before(told[heard].received()) {
			checked = heard
			p.Checked++
			if !q.ok() {
				p.Refused++
				if p.Refused == 1 {
					p.FirstRefusal = Refusal{RetryAfter: told[heard].retryAfter.raw, WaitedSeconds: q.sent.Sub(told[heard].received()).Seconds(), Status: q.code}
				}
			}
		}
		if q.code == 429 && q.retryAfter.usable() && q.deadline().After(deadline) {
			deadline = q.deadline()
		}
		if q.code == 0 {
			unanswered = q.sent
		}
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

// refusedWithinLimit counts the 429s whose request, with every request
// sent before it, kept within rate with a burst of one: over every pair
// of requests i before j, no more than rate × (their distance) + 1 of
// them, however the network moved them. Each reached the server between
// its sending and its answer, so the distance is taken at its shortest,
// from i's answer to j's sending. Any limiter that keeps rate admits such
// traffic, whatever its algorithm; a 429 that followed a clump above it
// (a load generator catching up after a stall) may be the limiter's right.
func refusedWithinLimit(recs []record, rate float64) (n int, first record) {
	bySent := make([]record, 0, len(recs))
	for _, rc := range recs {
		if rc.code != 0 {
			bySent = append(bySent, rc)
		}
	}
	slices.SortStableFunc(bySent, func(a, b record) int { return a.sent.Compare(b.sent) })
	start := firstSent(bySent)
	best := math.Inf(-1) // max over i < j of rate × received_i − i
	for j, rc := range bySent {
		// Requests i..j, j−i+1 of them, in at least sent_j − received_i.
		excess := float64(j+1) - rate*rc.sent.Sub(start).Seconds() + best
		if rc.code == 429 && excess <= 1+1e-9 {
			if n == 0 {
				first = rc
			}
			n++
		}
		best = max(best, rate*rc.received().Sub(start).Seconds()-float64(j))
	}
	return n, first
}
