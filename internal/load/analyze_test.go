package load

import (
	"testing"
	"time"
)

// served100 is a server at 100 req/s seen by a client sending 300 req/s,
// with the client stalled during [stallFrom, stallTo) and the bucket's 10
// tokens served at once when it resumes.
func served100(start time.Time, d, stallFrom, stallTo time.Duration) []record {
	var recs []record
	for t := time.Duration(0); t < d; t += time.Second / 300 {
		if t >= stallFrom && t < stallTo {
			continue
		}
		code := 429
		if t%(10*time.Millisecond) < time.Second/300 {
			code = 200
		}
		recs = append(recs, record{sent: start.Add(t), code: code})
	}
	for i := range 10 {
		recs = append(recs, record{sent: start.Add(stallTo + time.Duration(i)*time.Microsecond), code: 200})
	}
	return recs
}

func TestSteadyRateShrugsOffAStall(t *testing.T) {
	start := time.Now()
	recs := served100(start, 3*time.Second, 1200*time.Millisecond, 1700*time.Millisecond)
	end := start.Add(3 * time.Second)
	mean, _ := servedRate(recs, start, end)
	steady := steadyRate(recs, start, end)
	if mean > 90 {
		t.Fatalf("the stall should pull the mean down, got %.1f", mean)
	}
	if steady < 98 || steady > 102 {
		t.Errorf("steady rate %.1f, want 100 despite the stall (mean %.1f)", steady, mean)
	}
	if short := steadyRate(recs, start, start.Add(400*time.Millisecond)); short < 95 || short > 105 {
		t.Errorf("a window under two slices: %.1f, want the mean, 100", short)
	}
}
