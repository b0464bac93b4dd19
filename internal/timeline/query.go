package timeline

import "time"

// Of are the records of recs that keep, in their order.
func Of(recs []Record, keep func(Record) bool) []Record {
	var out []Record
	for _, rc := range recs {
		if keep(rc) {
			out = append(out, rc)
		}
	}
	return out
}

// FirstSent is the earliest send time of recs, zero when there are none.
func FirstSent(recs []Record) time.Time {
	var t time.Time
	for i, rc := range recs {
		if i == 0 || rc.Sent.Before(t) {
			t = rc.Sent
		}
	}
	return t
}

// LastSent is the latest send time of recs.
func LastSent(recs []Record) time.Time {
	var t time.Time
	for _, rc := range recs {
		if rc.Sent.After(t) {
			t = rc.Sent
		}
	}
	return t
}

// LastSentRecord is the record sent last; recs must not be empty.
func LastSentRecord(recs []Record) Record {
	last := recs[0]
	for _, rc := range recs {
		if rc.Sent.After(last.Sent) {
			last = rc
		}
	}
	return last
}

// LastArrival is the latest arrival estimate of recs.
func LastArrival(recs []Record) time.Time {
	var t time.Time
	for _, rc := range recs {
		if a := rc.Arrival(); a.After(t) {
			t = a
		}
	}
	return t
}

// First429 is the first 429 in sending order, if any.
func First429(recs []Record) (Record, bool) {
	var found Record
	ok := false
	for _, rc := range recs {
		if rc.Status == 429 && (!ok || rc.Sent.Before(found.Sent)) {
			found, ok = rc, true
		}
	}
	return found, ok
}

// LatestPromise is the 429 whose Retry-After ends last, if any has one.
func LatestPromise(recs []Record) (Record, bool) {
	var found Record
	ok := false
	for _, rc := range recs {
		if rc.Told() && (!ok || !rc.Deadline().Before(found.Deadline())) {
			found, ok = rc, true
		}
	}
	return found, ok
}

// QuietAfter is when every Retry-After of recs has run out: when the
// quota they spent is back, by the server's word.
func QuietAfter(recs []Record) time.Time {
	var t time.Time
	for _, rc := range recs {
		if rc.Told() && rc.Deadline().After(t) {
			t = rc.Deadline()
		}
	}
	return t
}

// MinWindow is the time scale of a server's limiter assumed before the
// server shows one.
const MinWindow = time.Second

// Horizon is how far back a limiter that keeps a rate can remember
// traffic, as recs show it: two of its windows (a weighted two-window
// counter remembers the most), a window being the longest Retry-After or
// declared policy window, at least MinWindow. Traffic older than that
// cannot be why the server refuses a request now.
func Horizon(recs []Record) time.Duration { return 2 * Window(recs, MinWindow, true) }

// Settled is when the server has forgotten everything in recs, by its own
// word: every Retry-After has run out and the last answer is a horizon
// old.
func Settled(recs []Record) time.Time {
	t := QuietAfter(recs)
	var last time.Time
	for _, rc := range recs {
		if r := rc.Received(); r.After(last) {
			last = r
		}
	}
	if len(recs) > 0 && last.Add(Horizon(recs)).After(t) {
		t = last.Add(Horizon(recs))
	}
	return t
}

// Window is the time scale of the server's limiter as recs show it: the
// longest window a RateLimit-Policy declares, or with told, also the
// longest Retry-After; at least floor.
func Window(recs []Record, floor time.Duration, told bool) time.Duration {
	w := floor
	for _, rc := range recs {
		for _, p := range rc.RateLimit.Policies {
			w = max(w, p.Window)
		}
		if told && rc.Told() {
			w = max(w, rc.RetryAfter.Wait)
		}
	}
	return w
}

// DeclaredRate is the tightest quota per second recs' RateLimit-Policy
// fields declare, 0 when none declares one with a window.
func DeclaredRate(recs []Record) float64 {
	rate := 0.0
	for _, rc := range recs {
		for _, p := range rc.RateLimit.Policies {
			if p.Window <= 0 || p.Quota <= 0 {
				continue
			}
			if r := float64(p.Quota) / p.Window.Seconds(); rate == 0 || r < rate {
				rate = r
			}
		}
	}
	return rate
}

// ServedRate is 2xx per second among requests sent in [from, to).
func ServedRate(recs []Record, from, to time.Time) (rate float64, served int) {
	if !to.After(from) {
		return 0, 0
	}
	for _, rc := range recs {
		if rc.OK() && !rc.Sent.Before(from) && rc.Sent.Before(to) {
			served++
		}
	}
	return float64(served) / to.Sub(from).Seconds(), served
}
