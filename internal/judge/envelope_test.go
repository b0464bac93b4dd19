package judge

import (
	"math"
	"testing"
	"time"

	"loginharness/internal/timeline"
)

func TestBurstAbove(t *testing.T) {
	even := make([]float64, 100) // one request every 20 ms: 50/s exactly
	for i := range even {
		even[i] = float64(i) * 0.02
	}
	if b := burstAbove(even, 50); math.Abs(b-1) > 1e-9 {
		t.Errorf("even traffic at the rate: burst %v, want 1", b)
	}
	if b := burstAbove(even, 25); b < 50 {
		t.Errorf("twice the rate for 2 s should show a burst of about 50, got %v", b)
	}
	// A fixed window of 10 per second, the first window's quota served at
	// its end and the second's at its start: two windows' quota meet at
	// the boundary, legitimately.
	var boundary []float64
	for i := range 10 {
		boundary = append(boundary, 0.99+float64(i)*0.001)
	}
	for i := range 10 {
		boundary = append(boundary, 1+float64(i)*0.001)
	}
	if b := burstAbove(boundary, 10); b < 19.5 || b > 20 {
		t.Errorf("fixed window at a boundary: burst %v, want about two windows' quota", b)
	}
	if b := burstAbove(nil, 10); b != 0 {
		t.Errorf("nothing served: burst %v", b)
	}
}

// windowed is a fixed window of quota per second seen by a client at
// offered req/s: records of served and refused requests, from start.
func windowed(start time.Time, quota int, offered float64, d time.Duration) []timeline.Record {
	var recs []timeline.Record
	used := map[int]int{}
	for t := time.Duration(0); t < d; t += time.Duration(float64(time.Second) / offered) {
		w := int(t / time.Second)
		code := 429
		if used[w] < quota {
			used[w]++
			code = 200
		}
		rc := timeline.Record{Sent: start.Add(t), Latency: time.Millisecond, Status: code}
		if code == 429 {
			rc.RetryAfter = timeline.RetryAfter{Present: true, Raw: "1", Wait: time.Second}
		}
		recs = append(recs, rc)
	}
	return recs
}

func TestLongRunRateComparesLikeWithLike(t *testing.T) {
	start := time.Now()
	for _, offered := range []float64{75, 150, 400} {
		recs := windowed(start, 50, offered, 10*time.Second)
		w, ok := longRunRate(recs, start, 0)
		if !ok {
			t.Fatalf("offered %v: no measure", offered)
		}
		if math.Abs(w.rate-50) > 0.5 || w.uncertainty > 1 {
			t.Errorf("offered %v: %.2f ± %.2f req/s, want 50 within 0.5", offered, w.rate, w.uncertainty)
		}
	}
	// A ramp moves where in each window the quota runs out, not where it
	// comes back: the rate still reads 50.
	var ramp []timeline.Record
	used := map[int]int{}
	for t, rate := time.Duration(0), 60.0; t < 10*time.Second; t, rate = t+time.Duration(float64(time.Second)/rate), rate+0.2 {
		w, code := int(t/time.Second), 429
		if used[w] < 50 {
			used[w]++
			code = 200
		}
		ramp = append(ramp, timeline.Record{Sent: start.Add(t), Status: code})
	}
	if w, ok := longRunRate(ramp, start, 0); !ok || math.Abs(w.rate-50) > 0.5 {
		t.Errorf("ramp over a fixed window: %.2f ± %.2f (ok %v), want 50", w.rate, w.uncertainty, ok)
	}
	if _, ok := longRunRate(windowed(start, 50, 150, 1500*time.Millisecond), start, 0); ok {
		t.Error("two windows give one recovery: too few to measure, yet it measured")
	}
}

func TestEnvelopePoints(t *testing.T) {
	pts := envelopePoints([]float64{0.1, 0.2, 0.9}, 2, 1, 1)
	if len(pts) != 121 || pts[0].Accepted != 0 || pts[len(pts)-1].Accepted != 3 || pts[len(pts)-1].Bound != 3 {
		t.Errorf("points: %d, first %+v, last %+v", len(pts), pts[0], pts[len(pts)-1])
	}
	if envelopePoints(nil, 1, 1, 0) != nil {
		t.Error("an empty run drew points")
	}
}

func TestOwedService(t *testing.T) {
	start := time.Now()
	steady := func(latency time.Duration, skip func(time.Duration) bool) []timeline.Record {
		var recs []timeline.Record // 150/s for 10 s
		for i := range 1500 {
			at := time.Duration(i) * time.Second / 150
			if skip == nil || !skip(at) {
				recs = append(recs, timeline.Record{Sent: start.Add(at), Latency: latency, Status: 200})
			}
		}
		return recs
	}
	// Quick answers: spans of 1/rate and a little, one admission each
	// fourth request at 150/s against 47.5/s.
	if n := owedService(steady(time.Millisecond, nil), 47.5); n < 370 || n > 380 {
		t.Errorf("150/s answered in 1 ms against 47.5/s: %d, want about 375", n)
	}
	// Slow answers: arrivals are known less closely, less is sure.
	if n := owedService(steady(40*time.Millisecond, nil), 47.5); n > 250 {
		t.Errorf("answered in 40 ms: %d owed, want fewer than with quick answers", n)
	}
	// A 2 s stall: a bucket of one cannot save what it could not spend.
	if n := owedService(steady(time.Millisecond, func(at time.Duration) bool { return at >= 4*time.Second && at < 6*time.Second }), 50); n > 401 {
		t.Errorf("with a 2 s stall: %d, want at most 8 s of 50/s", n)
	}
	if owedService(nil, 50) != 0 {
		t.Error("no request, yet service owed")
	}
}
