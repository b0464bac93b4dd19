package load

import (
	"context"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

func TestObeyingClientPlans(t *testing.T) {
	login := vegeta.Target{Method: "POST", URL: "http://127.0.0.1:1/login"}
	c := newObeyingClient(login, 100, 2*time.Second, 5*time.Second, pace{rate: 200, source: results.PaceExpected})
	c.start(context.Background())
	began := c.began

	// next plans without committing; commit hands the request out.
	send := func(elapsed time.Duration) (time.Duration, uint64, bool) {
		t.Helper()
		at, stop := c.next(elapsed)
		if stop {
			return at, 0, false
		}
		c.commit(at)
		var tgt vegeta.Target
		if err := c.Targeter(&tgt); err != nil {
			t.Fatal(err)
		}
		id, retry := parseRequestTag(tgt.URL)
		return at, id, retry
	}

	// Fresh arrivals every 10 ms, the pace (200/s) allowing them.
	for k := range uint64(3) {
		at, id, retry := send(0)
		if at != time.Duration(k)*10*time.Millisecond || id != k || retry {
			t.Fatalf("request %d: at %s, id %d, retry %v", k, at, id, retry)
		}
	}
	if at, _ := c.next(0); at != 30*time.Millisecond || len(c.ready) != 0 {
		t.Fatalf("next without commit moved the plan: at %s, %d ready", at, len(c.ready))
	}

	// Request 1 is refused at 15 ms, come back in 1 s, under a 50/s policy.
	c.observe(timeline.Record{
		Sent: began.Add(12 * time.Millisecond), Latency: 3 * time.Millisecond, Status: 429, Request: 1,
		RetryAfter: timeline.RetryAfter{Present: true, Raw: "1", Wait: time.Second},
		RateLimit:  timeline.RateLimit{PolicyRaw: `"default";q=50;w=1`, Policies: []timeline.Policy{{Quota: 50, Window: time.Second}}},
	})
	at, id, retry := send(0)
	if at != 1015*time.Millisecond || id != 1 || !retry {
		t.Fatalf("after the 429: at %s, request %d, retry %v; want request 1 retried at 1.015s", at, id, retry)
	}
	at, id, retry = send(0)
	if at != 1035*time.Millisecond || id != 3 || retry {
		t.Fatalf("then at %s request %d retry %v; want fresh request 3 one 50/s interval later", at, id, retry)
	}
	if c.Rate(2*time.Second) != 50 || c.Rate(500*time.Millisecond) != 0 {
		t.Errorf("Rate: %v after the gate, %v during it", c.Rate(2*time.Second), c.Rate(500*time.Millisecond))
	}

	// A 429 without a usable Retry-After waits the fallback, past the run.
	c.observe(timeline.Record{Sent: began.Add(1040 * time.Millisecond), Status: 429, Request: 3})
	if _, stop := c.next(0); !stop {
		t.Error("the client planned a send during the fallback wait")
	}
	retries, pending := c.outcome()
	if retries != 1 || c.pacedRate() != 50 || pending != 200-4+1 {
		t.Errorf("outcome: %d retries, %d pending, paced %v", retries, pending, c.pacedRate())
	}
}

func TestObeyingClientFindsAPace(t *testing.T) {
	login := vegeta.Target{Method: "POST", URL: "http://127.0.0.1:1/login"}
	c := newObeyingClient(login, 100, time.Minute, 5*time.Second, pace{source: results.PaceFound})
	c.start(context.Background())
	if got := c.pacedRate(); got != 100 {
		t.Fatalf("a found pace starts at the arrival rate: %v", got)
	}
	refused := timeline.Record{Sent: c.began, Status: 429, RetryAfter: timeline.RetryAfter{Present: true, Wait: time.Second}}
	c.observe(refused)
	inFlight := refused
	inFlight.Sent = inFlight.Sent.Add(time.Millisecond)
	c.observe(inFlight)
	if got := c.pacedRate(); got != 50 {
		t.Fatalf("a 429 halves the pace once per wait, not per answer in flight: %v", got)
	}
	c.spacing(900 * time.Millisecond)
	if got := c.pacedRate(); got != 50 {
		t.Errorf("the pace grew during the wait: %v", got)
	}
	c.spacing(3 * time.Second)
	if got := c.pacedRate(); got != 60 {
		t.Errorf("2 s after the wait the pace should have grown by 2 × 5/s to 60: %v", got)
	}
}

func TestObeyingClientHoldsBackWhenTold(t *testing.T) {
	login := vegeta.Target{Method: "POST", URL: "http://127.0.0.1:1/login"}
	c := newObeyingClient(login, 10, time.Minute, 5*time.Second, pace{rate: 10, source: results.PaceExpected})
	c.start(context.Background())
	if _, stop := c.Pace(0, 0); stop {
		t.Fatal("the first request was not sent")
	}
	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		c.Pace(0, 1)
		done <- time.Since(start)
	}()
	// While Pace waits for the next arrival (100 ms), a 429 says 300 ms.
	time.Sleep(20 * time.Millisecond)
	c.observe(timeline.Record{Sent: time.Now(), Status: 429, RetryAfter: timeline.RetryAfter{Present: true, Wait: 300 * time.Millisecond}})
	if waited := <-done; waited < 250*time.Millisecond {
		t.Errorf("Pace released a request %s into a 300 ms Retry-After", waited)
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

func TestObeyingClientSendsOneRequestAfterAWait(t *testing.T) {
	login := vegeta.Target{Method: "POST", URL: "http://127.0.0.1:1/login"}
	c := newObeyingClient(login, 100, time.Minute, 5*time.Second, pace{rate: 100, source: results.PaceExpected})
	c.start(context.Background())
	c.commit(0)
	c.observe(timeline.Record{Sent: c.began, Status: 429, Request: 0, RetryAfter: timeline.RetryAfter{Present: true, Wait: time.Second}})
	at, _ := c.next(0)
	c.commit(at)
	if !c.probing || c.probe != (sentRequest{request: 0, retry: true}) {
		t.Fatalf("the first request after the wait is not held as the probe: probing %v, %+v", c.probing, c.probe)
	}
	c.observe(timeline.Record{Sent: c.began.Add(time.Second), Status: 200, Request: 7})
	if !c.probing {
		t.Error("another request's answer released the probe's hold")
	}
	c.observe(timeline.Record{Sent: c.began.Add(time.Second), Status: 200, Request: 0, Retry: true})
	if c.probing {
		t.Error("the probe's answer did not release the others")
	}
}

// TestObeyingClientIsJudgedOnTheMock: on the default mock the naive client
// leaves the limit spent, so the obeying client meets a 429, obeys it and
// is served: every verdict of the scenario is judged, and passes.
func TestObeyingClientIsJudgedOnTheMock(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of load")
	}
	sum := runScenario(t, ScenarioObeying)
	for _, v := range sum.Verdicts {
		if v.State != results.VerdictPassed {
			t.Errorf("%s: %s: %s", v.Name, v.State, v.Message)
		}
	}
	if sum.Promises == nil || sum.Promises.Checked == 0 {
		t.Errorf("no Retry-After promise checked: %+v", sum.Promises)
	}
	for _, o := range sum.Observations {
		t.Log(o.Name, ": ", o.Message)
	}
	t.Logf("retry-after %+v clients %+v", sum.RetryAfter, sum.Clients.Obeying)
}
