package load

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestObeyingClientPlans(t *testing.T) {
	login := vegeta.Target{Method: "POST", URL: "http://127.0.0.1:1/login"}
	c := newObeyingClient(login, 100, 2*time.Second, 5*time.Second)
	c.start()
	began := c.began

	next := func(hits uint64) (time.Duration, uint64, bool) {
		t.Helper()
		at, stop := c.plan(hits)
		if stop {
			return at, 0, false
		}
		var tgt vegeta.Target
		if err := c.Targeter(&tgt); err != nil {
			t.Fatal(err)
		}
		id, retry := parseRequestTag(tgt.URL)
		return at, id, retry
	}

	// Fresh arrivals every 10 ms; asking twice for one hit plans it once.
	for hits := range uint64(3) {
		at, id, retry := next(hits)
		if at != time.Duration(hits)*10*time.Millisecond || id != hits || retry {
			t.Fatalf("hit %d: at %s, request %d, retry %v", hits, at, id, retry)
		}
	}
	if at, _ := c.plan(2); at != 20*time.Millisecond || len(c.ready) != 0 {
		t.Fatalf("a repeated Pace planned again: at %s, %d ready", at, len(c.ready))
	}

	// Request 1 is refused at 15 ms, come back in 1 s, under a 50/s policy.
	c.observe(record{
		sent: began.Add(12 * time.Millisecond), latency: 3 * time.Millisecond, code: 429, request: 1,
		retryAfter: retryAfterValue{present: true, raw: "1", wait: time.Second},
		policy:     `"default";q=50;w=1`,
	})
	at, id, retry := next(3)
	if at != 1015*time.Millisecond || id != 1 || !retry {
		t.Fatalf("after the 429: at %s, request %d, retry %v; want request 1 retried at 1.015s", at, id, retry)
	}
	at, id, retry = next(4)
	if at != 1035*time.Millisecond || id != 3 || retry {
		t.Fatalf("then at %s request %d retry %v; want fresh request 3 one 50/s interval later", at, id, retry)
	}
	if c.Rate(2*time.Second) != 50 || c.Rate(500*time.Millisecond) != 0 {
		t.Errorf("Rate: %v after the gate, %v during it", c.Rate(2*time.Second), c.Rate(500*time.Millisecond))
	}

	// A 429 without a usable Retry-After waits the fallback, past the run.
	c.observe(record{sent: began.Add(1040 * time.Millisecond), code: 429, request: 3})
	if _, stop := c.plan(5); !stop {
		t.Error("the client sent during the fallback wait")
	}
	retries, pending, paced := c.outcome()
	if retries != 1 || paced != 50 || pending != 200-4+1 {
		t.Errorf("outcome: %d retries, %d pending, paced %v", retries, pending, paced)
	}
}

func TestBoundedPacerStopsOnDone(t *testing.T) {
	done := make(chan struct{})
	p := bounded{Pacer: constant(0.1), max: 2, done: done}
	go func() { time.Sleep(20 * time.Millisecond); close(done) }()
	start := time.Now()
	if _, stop := p.Pace(0, 0); !stop || time.Since(start) > time.Second {
		t.Errorf("a 10 s pause went on %s after done; stop=%v", time.Since(start), stop)
	}
	if _, stop := (bounded{Pacer: constant(1000), max: 2}).Pace(time.Second, 2); !stop {
		t.Error("the request cap did not stop the attack")
	}
}
