package judge

import (
	"testing"
	"time"

	"loginharness/internal/timeline"
)

// all marks every record as judged.
func all(recs []timeline.Record) []bool {
	out := make([]bool, len(recs))
	for i := range out {
		out[i] = true
	}
	return out
}

// blamed counts the 429s refusedWithinLimit holds against the server
// when recs are sorted and all judged.
func blamed(recs []timeline.Record, rate float64) int {
	timeline.SortBySent(recs)
	return refusedWithinLimit(recs, all(recs), rate, time.Second, time.Minute).unjustified
}

func told(sent time.Time, wait time.Duration) timeline.Record {
	return timeline.Record{Sent: sent, Latency: time.Millisecond, Status: 429, RetryAfter: timeline.RetryAfter{Present: true, Raw: "1", Wait: wait}}
}

func served(sent time.Time) timeline.Record {
	return timeline.Record{Sent: sent, Latency: time.Millisecond, Status: 200}
}

func TestRetryAfterPromises(t *testing.T) {
	at := time.Now()
	ms := func(n int) time.Time { return at.Add(time.Duration(n) * time.Millisecond) }
	cases := []struct {
		name             string
		recs             []timeline.Record
		checked, refused int
	}{
		{"kept: silent, then served", []timeline.Record{told(ms(0), time.Second), served(ms(1010))}, 1, 0},
		{"broken: silent, then refused", []timeline.Record{told(ms(0), time.Second), told(ms(1010), time.Second)}, 1, 1},
		{"too early: not a check", []timeline.Record{told(ms(0), time.Second), told(ms(500), time.Second), served(ms(2000))}, 1, 0},
		{"not silent: not a check", []timeline.Record{told(ms(0), time.Second), served(ms(600)), told(ms(1100), time.Second)}, 0, 0},
		// In flight when the first 429 came: its own 429 moves the deadline.
		{"in flight", []timeline.Record{told(ms(0), time.Second), {Sent: ms(0).Add(500 * time.Microsecond), Latency: 900 * time.Millisecond, Status: 429, RetryAfter: timeline.RetryAfter{Present: true, Raw: "1", Wait: time.Second}}, served(ms(1010))}, 0, 0},
		{"once per promise", []timeline.Record{told(ms(0), time.Second), served(ms(1010)), told(ms(1011), time.Second)}, 1, 0},
		{"no usable Retry-After", []timeline.Record{{Sent: ms(0), Status: 429}, served(ms(2000))}, 0, 0},
		// A request with no answer may reach the server late.
		{"unanswered before", []timeline.Record{{Sent: ms(-100), Status: 0}, told(ms(0), time.Second), told(ms(1010), time.Second)}, 0, 0},
		{"overtaken by the next", []timeline.Record{told(ms(0), time.Second), {Sent: ms(1010), Latency: 30 * time.Millisecond, Status: 429}, served(ms(1020))}, 0, 0},
		{"in flight at the probe", []timeline.Record{told(ms(0), time.Second), {Sent: ms(0).Add(time.Microsecond), Latency: 1200 * time.Millisecond, Status: 200}, served(ms(1010))}, 0, 0},
	}
	for _, tc := range cases {
		timeline.SortBySent(tc.recs)
		got := retryAfterPromises(tc.recs, all(tc.recs), 5*time.Second)
		if got.Checked != tc.checked || got.Refused != tc.refused {
			t.Errorf("%s: checked %d refused %d, want %d and %d", tc.name, got.Checked, got.Refused, tc.checked, tc.refused)
		}
	}
}

func TestRefusedWithinLimit(t *testing.T) {
	at := time.Now()
	var even []timeline.Record // 25/s against a limit of 50/s
	for i := range 20 {
		even = append(even, served(at.Add(time.Duration(i)*40*time.Millisecond)))
	}
	within := append(even[:len(even):len(even)], told(at.Add(800*time.Millisecond), time.Second))
	if n := blamed(within, 50); n != 1 {
		t.Errorf("a 429 40 ms after the last of an even 25/s: %d blamed, want 1", n)
	}
	clump := append(even[:len(even):len(even)], told(at.Add(765*time.Millisecond), time.Second))
	if n := blamed(clump, 50); n != 0 {
		t.Errorf("a 429 5 ms after the last request: %d blamed, want 0 (burst one allows no closer)", n)
	}
	// The same 429, while a Retry-After given before the scenario (by the
	// preflight, say) still ran: the server kept its word.
	earlier := append([]timeline.Record{told(at.Add(-time.Second), 3*time.Second)}, within...)
	timeline.SortBySent(earlier)
	mine := all(earlier)
	mine[0] = false
	if r := refusedWithinLimit(earlier, mine, 50, time.Second, time.Minute); r.unjustified != 0 || r.owed != 1 {
		t.Errorf("a 429 inside an earlier Retry-After: %d blamed, %d owed, want 0 and 1", r.unjustified, r.owed)
	}
	// The harness's own request just before the scenario spent the only
	// token: the scenario's first request, refused, is no fault.
	first := []timeline.Record{served(at.Add(-5 * time.Millisecond)), told(at, time.Second)}
	if r := refusedWithinLimit(first, []bool{false, true}, 20, time.Second, time.Minute); r.unjustified != 0 {
		t.Errorf("a first request refused 5 ms after the preflight's: %d blamed, want 0", r.unjustified)
	}
	if r := refusedWithinLimit(first[1:], []bool{true}, 20, time.Second, time.Minute); r.unjustified != 1 {
		t.Errorf("the same request alone in the timeline: %d blamed, want 1", r.unjustified)
	}
	// A flood long past the horizon is forgotten: a refusal within the
	// limit since is blamed.
	var flood []timeline.Record
	for i := range 200 {
		flood = append(flood, served(at.Add(-5*time.Second+time.Duration(i)*time.Millisecond)))
	}
	late := append(flood, served(at.Add(-100*time.Millisecond)), told(at, time.Second))
	mine = make([]bool, len(late))
	mine[len(late)-1] = true
	if r := refusedWithinLimit(late, mine, 20, time.Second, 2*time.Second); r.unjustified != 1 {
		t.Errorf("a refusal 5 s after a flood, 2 s horizon: %d blamed, want 1", r.unjustified)
	}
	if r := refusedWithinLimit(late, mine, 20, time.Second, time.Minute); r.unjustified != 0 {
		t.Errorf("the same within a minute's horizon: %d blamed, want 0", r.unjustified)
	}
	// Sent first but slow: the request after it may have overtaken it.
	overtaken := []timeline.Record{{Sent: at, Latency: 28 * time.Millisecond, Status: 429}, served(at.Add(15 * time.Millisecond))}
	if n := blamed(overtaken, 50); n != 0 {
		t.Errorf("a request overtaken on the way: %d blamed, want 0", n)
	}
	slow := append(even[:len(even):len(even)], timeline.Record{Sent: at.Add(790 * time.Millisecond), Latency: 30 * time.Millisecond, Status: 429})
	slow[len(even)-1].Latency = 15 * time.Millisecond
	if n := blamed(slow, 50); n != 0 {
		t.Errorf("the network may have moved the last two 15 ms closer: %d blamed, want 0", n)
	}
}
