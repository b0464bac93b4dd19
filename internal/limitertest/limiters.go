// Package limitertest serves the Webex login from in-process HTTP servers
// whose rate limiting is built unlike the mock's: other algorithms (token
// bucket, fixed window, sliding log, weighted two-window counter, GCRA, a
// leaky bucket that queues), other Retry-After forms, no RateLimit fields, and dishonest variants that
// break one promise each. The load verdicts are proven against them: every
// correct server must pass and every dishonest one must fail with the
// broken promise named, as net/http/httptest lets handlers be tested
// against a real client. NewMockServer puts one in front of the whole mock,
// so a full run, conformance and load, meets it.
package limitertest

import (
	"math"
	"sync"
	"time"
)

// A Limiter decides whether a request arriving at now is served. When it
// is not, wait is how long until the same request would be: the truth the
// server's Retry-After is made from. Limiters are safe for concurrent use.
type Limiter interface {
	Admit(now time.Time) (ok bool, wait time.Duration)
}

// TokenBucket refills rate tokens per second up to burst, one per request.
func TokenBucket(rate float64, burst int) Limiter {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst)}
}

type tokenBucket struct {
	mu          sync.Mutex
	rate, burst float64
	tokens      float64
	last        time.Time
}

func (b *tokenBucket) Admit(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, seconds((1 - b.tokens) / b.rate)
}

// FixedWindow serves quota requests per window, the windows aligned to the
// wall clock as a Redis INCR with EXPIRE would align them.
func FixedWindow(quota int, window time.Duration) Limiter {
	return &fixedWindow{quota: quota, window: window}
}

type fixedWindow struct {
	mu     sync.Mutex
	quota  int
	window time.Duration
	start  time.Time
	count  int
}

func (w *fixedWindow) Admit(now time.Time) (bool, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if start := now.Truncate(w.window); !start.Equal(w.start) {
		w.start, w.count = start, 0
	}
	if w.count < w.quota {
		w.count++
		return true, 0
	}
	return false, w.start.Add(w.window).Sub(now)
}

// SlidingLog serves a request when fewer than quota were served in the
// window before it, keeping the time of each.
func SlidingLog(quota int, window time.Duration) Limiter {
	return &slidingLog{quota: quota, window: window}
}

type slidingLog struct {
	mu     sync.Mutex
	quota  int
	window time.Duration
	served []time.Time // oldest first, at most quota
}

func (l *slidingLog) Admit(now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := 0
	for i < len(l.served) && !l.served[i].After(now.Add(-l.window)) {
		i++
	}
	l.served = l.served[i:]
	if len(l.served) < l.quota {
		l.served = append(l.served, now)
		return true, 0
	}
	return false, l.served[0].Add(l.window).Sub(now)
}

// SlidingWindowCounter is the weighted two-window counter of Kong and
// Cloudflare: the previous fixed window's count, weighted by how much of it
// still overlaps the trailing window, plus the current window's count must
// stay below quota.
func SlidingWindowCounter(quota int, window time.Duration) Limiter {
	return &windowCounter{quota: float64(quota), window: window}
}

type windowCounter struct {
	mu          sync.Mutex
	quota       float64
	window      time.Duration
	start       time.Time
	prev, count float64
}

func (w *windowCounter) Admit(now time.Time) (bool, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch start := now.Truncate(w.window); {
	case start.Equal(w.start):
	case start.Equal(w.start.Add(w.window)):
		w.start, w.prev, w.count = start, w.count, 0
	default:
		w.start, w.prev, w.count = start, 0, 0
	}
	elapsed := now.Sub(w.start).Seconds() / w.window.Seconds()
	if w.prev*(1-elapsed)+w.count+1 <= w.quota {
		w.count++
		return true, 0
	}
	// The weight of the previous window falls linearly; once it is spent
	// only this window's count is left, which falls at the next boundary.
	need := w.prev*(1-elapsed) + w.count + 1 - w.quota
	if w.prev > 0 && need <= w.prev*(1-elapsed) {
		return false, seconds(need / w.prev * w.window.Seconds())
	}
	return false, w.start.Add(w.window).Sub(now) + w.nextWindowWait()
}

// nextWindowWait is how far into the next window a request must wait when
// this window's own count, then weighted as the previous one, still fills it.
func (w *windowCounter) nextWindowWait() time.Duration {
	if w.count+1 <= w.quota {
		return 0
	}
	return seconds((w.count + 1 - w.quota) / w.count * w.window.Seconds())
}

// GCRA is the generic cell rate algorithm (the virtual scheduling form of
// Redis-cell and Envoy): one theoretical arrival time, emission interval
// 1/rate, and a tolerance of burst-1 intervals.
func GCRA(rate float64, burst int) Limiter {
	t := seconds(1 / rate)
	return &gcra{interval: t, tolerance: time.Duration(burst-1) * t}
}

type gcra struct {
	mu                  sync.Mutex
	interval, tolerance time.Duration
	tat                 time.Time
}

func (g *gcra) Admit(now time.Time) (bool, time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	tat := g.tat
	if tat.Before(now) {
		tat = now
	}
	if allowAt := tat.Add(-g.tolerance); now.Before(allowAt) {
		return false, allowAt.Sub(now)
	}
	g.tat = tat.Add(g.interval)
	return true, 0
}

// A Queue is a limiter that holds a request back before it serves it, as
// a leaky bucket does: TakeTurn says how long the server waits before it
// answers an admitted request, or, refused, how long until it would be
// queued. The server calls TakeTurn instead of Admit.
type Queue interface {
	Limiter
	TakeTurn(now time.Time) (ok bool, delay, wait time.Duration)
}

// LeakyBucket serves rate requests per second, one every 1/rate, as nginx
// limit_req without nodelay does: a request that comes early waits its
// turn, up to burst turns ahead, and one beyond that is refused.
func LeakyBucket(rate float64, burst int) Queue {
	return &leakyBucket{interval: seconds(1 / rate), burst: burst}
}

type leakyBucket struct {
	mu       sync.Mutex
	interval time.Duration
	burst    int
	next     time.Time // when the next request may be served
}

func (b *leakyBucket) Admit(now time.Time) (bool, time.Duration) {
	ok, _, wait := b.TakeTurn(now)
	return ok, wait
}

func (b *leakyBucket) TakeTurn(now time.Time) (ok bool, delay, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	next := b.next
	if next.Before(now) {
		next = now
	}
	delay = next.Sub(now)
	if ahead := time.Duration(b.burst) * b.interval; delay > ahead {
		return false, 0, delay - ahead
	}
	b.next = next.Add(b.interval)
	return true, delay, 0
}

// Unlimited serves everything: a server that promises a limit and keeps none.
func Unlimited() Limiter { return unlimited{} }

type unlimited struct{}

func (unlimited) Admit(time.Time) (bool, time.Duration) { return true, 0 }

// Understated wraps l so that after each refusal it goes on refusing for
// extra beyond what it says: its Retry-After is shorter than the truth.
func Understated(l Limiter, extra time.Duration) Limiter {
	return &understated{inner: l, extra: extra}
}

type understated struct {
	mu    sync.Mutex
	inner Limiter
	extra time.Duration
	until time.Time // refused until then; the stated wait ends extra earlier
}

func (u *understated) Admit(now time.Time) (bool, time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if now.Before(u.until) {
		return false, max(time.Millisecond, u.until.Add(-u.extra).Sub(now))
	}
	ok, wait := u.inner.Admit(now)
	if !ok {
		u.until = now.Add(wait + u.extra)
	}
	return ok, wait
}

// PenaltyBox wraps l so that a refusal shuts the door for penalty: every
// request until then is refused, each told honestly how long is left, as
// limiters that punish a burst do.
func PenaltyBox(l Limiter, penalty time.Duration) Limiter {
	return &penaltyBox{inner: l, penalty: penalty}
}

type penaltyBox struct {
	mu      sync.Mutex
	inner   Limiter
	penalty time.Duration
	until   time.Time
}

func (p *penaltyBox) Admit(now time.Time) (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Before(p.until) {
		return false, p.until.Sub(now)
	}
	if ok, _ := p.inner.Admit(now); !ok {
		p.until = now.Add(p.penalty)
		return false, p.penalty
	}
	return true, 0
}

func seconds(s float64) time.Duration {
	return time.Duration(math.Ceil(s * float64(time.Second)))
}
