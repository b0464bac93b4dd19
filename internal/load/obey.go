package load

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// obeyingClient is an open-model client that honours the server's signals,
// as a good SDK does. Fresh requests arrive at a constant rate whatever the
// server answers. The client sends them no faster than its pace: the
// quota the server declares (RateLimit-Policy), else the limit it was told
// to expect, else a pace it finds itself, as TCP finds a sending rate:
// additive increase, multiplicative decrease on 429. A request refused with 429 is deferred
// until its Retry-After (HTTP-date or delay-seconds), and since the server
// asked the client to wait, nothing at all is sent until then; afterwards
// one request goes alone, and once it is answered the deferred requests go
// out at the pace, not all at once.
//
// Vegeta drives it: the client is the attack's Pacer (when to send) and
// Targeter (what to send), and the attack's results are fed back through
// observe. Requests are told apart by a URL fragment (see tagURL), which
// Vegeta records but never sends.
type obeyingClient struct {
	login    vegeta.Target
	rate     float64 // fresh arrivals per second
	duration time.Duration
	fallback time.Duration // wait after a 429 without a usable Retry-After

	mu       sync.Mutex
	ctx      context.Context
	changed  chan struct{} // closed and replaced whenever observe moves the gate
	began    time.Time
	fresh    uint64     // fresh requests sent
	deferred []deferral // by notBefore
	ready    []vegeta.Target
	gate     time.Duration // since began: nothing is sent before
	lastSend time.Duration
	retries  int
	// After a wait the first request goes alone: waitedOut marks that the
	// next send is it, probing that it is on its way, as probe.
	waitedOut, probing bool
	probe              sentRequest

	pace     pace
	declared float64       // the last quota per second a RateLimit-Policy declared
	paceAt   time.Duration // since began: when the found pace last changed
}

// pace is the rate a client keeps to and where it comes from.
type pace struct {
	rate   float64 // requests per second; 0 before a found pace starts
	source string
}

type deferral struct {
	request   uint64
	notBefore time.Duration
}

// sentRequest names one request of the client: fresh or a retry.
type sentRequest struct {
	request uint64
	retry   bool
}

func newObeyingClient(login vegeta.Target, rate float64, duration, fallback time.Duration, p pace) *obeyingClient {
	if p.source == results.PaceFound {
		p.rate = rate
	}
	return &obeyingClient{login: login, rate: rate, duration: duration, fallback: fallback, pace: p}
}

// A found pace starts at the arrival rate, halves at each 429 down to a
// fortieth of it, and grows by a twentieth of it each second without one.
const (
	foundFloor  = 40
	foundGrowth = 20
)

// start marks the moment the attack begins; call it just before Attack.
// The client stops pacing when ctx ends.
func (c *obeyingClient) start(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ctx, c.changed = ctx, make(chan struct{})
	c.began = time.Now()
	c.lastSend = -time.Hour
}

var errNothingPlanned = errors.New("load: the obeying client's pacer planned no request")

// Pace waits until the next request is due and hands it to the Targeter:
// the oldest deferred one once due, else the next fresh arrival, never
// before the gate nor faster than the pace. It decides at the last moment,
// so a 429 that arrives while it waits holds back the request.
func (c *obeyingClient) Pace(time.Duration, uint64) (time.Duration, bool) {
	for {
		c.mu.Lock()
		elapsed := time.Since(c.began)
		at, stop := c.next(elapsed)
		if stop {
			c.mu.Unlock()
			return 0, true
		}
		if at <= elapsed && !c.probing {
			c.commit(at)
			c.mu.Unlock()
			return 0, false
		}
		changed, ctx := c.changed, c.ctx
		c.mu.Unlock()
		wait := at - elapsed
		if wait <= 0 { // the probe's answer wakes it
			wait = c.duration
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-changed:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return 0, true
		}
	}
}

// next is when the next request is due; stop once the run is over.
func (c *obeyingClient) next(elapsed time.Duration) (time.Duration, bool) {
	due := c.arrival(c.fresh)
	if len(c.deferred) > 0 {
		due = min(due, c.deferred[0].notBefore)
	}
	at := max(due, c.gate, c.lastSend+c.spacing(elapsed))
	return at, at >= c.duration
}

// commit hands the request due at at to the Targeter.
func (c *obeyingClient) commit(at time.Duration) {
	sent := sentRequest{request: c.fresh}
	if len(c.deferred) > 0 && c.deferred[0].notBefore <= at {
		sent = sentRequest{request: c.deferred[0].request, retry: true}
		c.deferred = c.deferred[1:]
		c.ready = append(c.ready, c.tagged(sent.request, true))
		c.retries++
	} else {
		c.ready = append(c.ready, c.tagged(c.fresh, false))
		c.fresh++
	}
	c.lastSend = at
	if c.waitedOut {
		c.waitedOut, c.probing, c.probe = false, true, sent
	}
}

// wake tells a waiting Pace that the plan changed.
func (c *obeyingClient) wake() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// spacing is the least time between two sends at the current pace; a
// found pace grows with the time since it last changed.
func (c *obeyingClient) spacing(elapsed time.Duration) time.Duration {
	if c.pace.source == results.PaceFound && elapsed > c.paceAt {
		c.pace.rate = min(c.rate, c.pace.rate+c.rate/foundGrowth*(elapsed-c.paceAt).Seconds())
		c.paceAt = elapsed
	}
	if c.pace.rate <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / c.pace.rate)
}

func (c *obeyingClient) tagged(request uint64, retry bool) vegeta.Target {
	t := c.login
	t.URL = tagURL(c.login.URL, request, retry)
	return t
}

// Targeter hands out the requests Pace released, in order.
func (c *obeyingClient) Targeter(t *vegeta.Target) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ready) == 0 {
		return errNothingPlanned
	}
	*t, c.ready = c.ready[0], c.ready[1:]
	return nil
}

// observe learns from each answer: the declared quota, and for a 429 when
// to try that request again. It never stops the attack.
func (c *obeyingClient) observe(rc timeline.Record) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rate := timeline.DeclaredRate([]timeline.Record{rc}); rate > 0 && rate != c.declared {
		c.declared = rate
		c.pace = pace{rate: rate, source: results.PacePolicy}
	}
	if c.probing && (sentRequest{rc.Request, rc.Retry}) == c.probe {
		c.probing = false
		c.wake()
	}
	if rc.Status != 429 {
		return false
	}
	wait := c.fallback
	if rc.RetryAfter.Usable() {
		wait = rc.RetryAfter.Wait
	}
	d := deferral{request: rc.Request, notBefore: rc.Received().Sub(c.began) + wait}
	if c.pace.source == results.PaceFound && c.gate <= rc.Sent.Sub(c.began) {
		// Halve once per gate: the answers to requests already in flight
		// say nothing new. Growth resumes once the wait is over.
		c.pace.rate = max(c.rate/foundFloor, c.pace.rate/2)
		c.paceAt = d.notBefore
	}
	if d.notBefore > c.gate {
		c.gate, c.waitedOut = d.notBefore, true
		c.wake()
	}
	i, _ := slices.BinarySearchFunc(c.deferred, d.notBefore, func(e deferral, t time.Duration) int {
		if e.notBefore <= t {
			return -1
		}
		return 1
	})
	c.deferred = slices.Insert(c.deferred, i, d)
	return false
}

// arrival is when fresh request k arrives, since the start.
func (c *obeyingClient) arrival(k uint64) time.Duration {
	return time.Duration(float64(k) / c.rate * float64(time.Second))
}

// offered is how many fresh requests arrived during the run.
func (c *obeyingClient) offered() int {
	return int(math.Ceil(c.duration.Seconds() * c.rate))
}

// outcome is the client's own account, for ClientRun.
func (c *obeyingClient) outcome() (retries, pending int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retries, c.offered() - int(c.fresh) + len(c.deferred)
}

// pacedRate is the pace the client ended with.
func (c *obeyingClient) pacedRate() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pace.rate
}

// Rate is the send rate the client keeps to at elapsed: none while it waits
// out a Retry-After, else the arrival rate, capped by the pace.
func (c *obeyingClient) Rate(elapsed time.Duration) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if elapsed < c.gate {
		return 0
	}
	if c.pace.rate > 0 {
		return min(c.rate, c.pace.rate)
	}
	return c.rate
}
