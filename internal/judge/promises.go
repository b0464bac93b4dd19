package judge

import (
	"slices"
	"strconv"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// KeptPromises judges served-after-retry-after: every time the harness
// waited out a Retry-After in silence and an own request went next, that
// request was served. Promises the case's probes already judged (an
// earlier verdict) stand when the client had none to check.
func (c *Case) KeptPromises() {
	kept := retryAfterPromises(c.Timeline, c.mine, c.Terms.Timeout)
	c.Sum.Promises = &kept
	switch {
	case kept.Checked == 0:
		if _, judged := c.Sum.VerdictNamed(VerdictServedAtRetryAfter); !judged {
			c.NotJudged(VerdictServedAtRetryAfter, "the client never waited out a Retry-After and then sent again: no promise to check")
		}
	case kept.Refused > 0:
		c.Verdict(VerdictServedAtRetryAfter, false, "%d of %d requests sent after waiting what Retry-After said were refused; the first waited %.2fs for a Retry-After of %s and got %s",
			kept.Refused, kept.Checked, kept.FirstRefusal.WaitedSeconds, kept.FirstRefusal.RetryAfter, StatusText(kept.FirstRefusal.Status))
	default:
		c.Verdict(VerdictServedAtRetryAfter, true, "all %d requests sent once Retry-After had passed were served", kept.Checked)
	}
}

// retryAfterPromises finds every time the harness kept its side of a
// Retry-After with one of the mine requests of tl, and whether the server
// kept its. A 429 with Retry-After is a promise: a client that waits that
// long, sending nothing meanwhile, is served.
//
// A request q keeps the client's side when the harness had heard a 429
// (the latest it had received when it sent q), sent nothing since, and
// sent q no earlier than the deadline (answer + Retry-After) of every 429
// to a request sent before q. Requests still in flight when a 429 arrived
// may draw 429s of their own, maybe after q went out; their deadlines
// count too, so a request that went out before one of them passed is not
// held against the server; and q is held to the promise only when every
// request sent before it had its answer and the next went out only once q
// had its own, so none can have reached the server just before it (one
// with no answer may have, until its timeout). tl is everything sent to
// the limiter key, so another part of the run's traffic is never missed.
// Each 429 is checked once, by the first request after it: later ones
// released at the same instant may legitimately meet the limit again.
func retryAfterPromises(tl []timeline.Record, mine []bool, timeout time.Duration) results.Promises {
	told := timeline.Of(tl, timeline.Record.Told)
	slices.SortStableFunc(told, func(a, b timeline.Record) int { return a.Received().Compare(b.Received()) })
	var p results.Promises
	var deadline time.Time // the latest deadline of the 429s sent so far
	var answered time.Time // when every request sent so far had its answer
	heard, checked := -1, -1
	for i, q := range tl {
		for heard+1 < len(told) && !told[heard+1].Received().After(q.Sent) {
			heard++
		}
		if heard >= 0 && heard != checked && q.Status != 0 && !q.Sent.Before(deadline) &&
			i > 0 && tl[i-1].Sent.Before(told[heard].Received()) && !answered.After(q.Sent) &&
			(i+1 == len(tl) || !tl[i+1].Sent.Before(q.Received())) {
			checked = heard
			if mine[i] {
				p.Checked++
				if !q.OK() {
					p.Refused++
					if p.Refused == 1 {
						p.FirstRefusal = results.Refusal{RetryAfter: told[heard].RetryAfter.Raw, WaitedSeconds: q.Sent.Sub(told[heard].Received()).Seconds(), Status: q.Status}
					}
				}
			}
		}
		if q.Told() && q.Deadline().After(deadline) {
			deadline = q.Deadline()
		}
		end := q.Received()
		if q.Status == 0 { // it may reach the server until its timeout
			end = q.Sent.Add(max(q.Latency, timeout))
		}
		if end.After(answered) {
			answered = end
		}
	}
	return p
}

// StatusText names a status for messages: "status 429", or "a transport
// error" for none.
func StatusText(code int) string {
	if code == 0 {
		return "a transport error"
	}
	return "status " + strconv.Itoa(code)
}
