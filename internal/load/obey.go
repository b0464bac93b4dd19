package load

import (
	"errors"
	"math"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/ratelimit"
)

// obeyingClient is an open-model client that honours the server's signals.
// Fresh requests arrive at a constant rate whatever the server answers; a
// request refused with 429 is deferred until its Retry-After, and since the
// server asked the client to wait, so is every request behind it; once the
// server declares its quota (RateLimit-Policy) the client sends no faster.
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

	mu          sync.Mutex
	began       time.Time
	fresh       uint64     // fresh requests sent
	deferred    []deferral // by notBefore
	ready       []vegeta.Target
	gate        time.Duration // since began: nothing is sent before
	spacing     time.Duration // from RateLimit-Policy; 0 until declared
	lastSend    time.Duration
	planned     bool
	plannedHits uint64
	plannedAt   time.Duration
	policy      string
	pacedRate   float64
	retries     int
}

type deferral struct {
	request   uint64
	notBefore time.Duration
}

func newObeyingClient(login vegeta.Target, rate float64, duration, fallback time.Duration) *obeyingClient {
	return &obeyingClient{
		login: login, duration: duration, fallback: fallback,
		rate: rate,
	}
}

// start marks the moment the attack begins; call it just before Attack.
func (c *obeyingClient) start() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.began = time.Now()
	c.lastSend = -time.Hour
}

var errNothingPlanned = errors.New("load: the obeying client's pacer planned no request")

// Pace plans the next request: the oldest deferred one once due, else the
// next fresh arrival, never before the gate nor faster than the declared
// quota. Vegeta may ask twice for the same hit; it gets the same plan.
func (c *obeyingClient) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, stop := c.plan(hits)
	return max(0, at-elapsed), stop
}

func (c *obeyingClient) plan(hits uint64) (time.Duration, bool) {
	if c.planned && hits == c.plannedHits {
		return c.plannedAt, false
	}
	next := c.arrival(c.fresh)
	if len(c.deferred) > 0 {
		next = min(next, c.deferred[0].notBefore)
	}
	at := max(next, c.gate, c.lastSend+c.spacing)
	if at >= c.duration {
		return 0, true
	}
	retry := len(c.deferred) > 0 && c.deferred[0].notBefore <= at
	if retry {
		d := c.deferred[0]
		c.deferred = c.deferred[1:]
		c.ready = append(c.ready, c.tagged(d.request, true))
		c.retries++
	} else {
		c.ready = append(c.ready, c.tagged(c.fresh, false))
		c.fresh++
	}
	c.planned, c.plannedHits, c.plannedAt, c.lastSend = true, hits, at, at
	return at, false
}

func (c *obeyingClient) tagged(request uint64, retry bool) vegeta.Target {
	t := c.login
	t.URL = tagURL(c.login.URL, request, retry)
	return t
}

// Targeter hands out the requests Pace planned, in order.
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
// to try that request again.
func (c *obeyingClient) observe(rc record) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rc.policy != "" && rc.policy != c.policy {
		c.policy = rc.policy
		if ps, err := ratelimit.ParsePolicy(rc.policy); err == nil {
			if rate := policyRate(ps); rate > 0 {
				c.pacedRate, c.spacing = rate, time.Duration(float64(time.Second)/rate)
			}
		}
	}
	if rc.code != 429 {
		return false
	}
	wait := c.fallback
	if rc.retryAfter.usable() {
		wait = rc.retryAfter.wait
	}
	d := deferral{request: rc.request, notBefore: rc.received().Sub(c.began) + wait}
	c.gate = max(c.gate, d.notBefore)
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
func (c *obeyingClient) outcome() (retries, pending int, pacedRate float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.retries, c.offered() - int(c.fresh) + len(c.deferred), c.pacedRate
}

// Rate is the send rate the client keeps to at elapsed: none while it waits
// out a Retry-After, else the arrival rate, capped by the declared quota.
func (c *obeyingClient) Rate(elapsed time.Duration) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if elapsed < c.gate {
		return 0
	}
	rate := c.rate
	if c.pacedRate > 0 {
		rate = min(rate, c.pacedRate)
	}
	return rate
}
