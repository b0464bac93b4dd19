package mock

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Clock is the mock's only source of time, so tests drive rate windows,
// lockouts and injected latency without sleeping.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends, whichever comes first.
	Sleep(ctx context.Context, d time.Duration)
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits on a timer, stopping early when ctx ends.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// ManualClock stands still until advanced, so rate windows, locks and
// injected latency behave the same on any machine and never need a sleep.
// It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock starts a ManualClock at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock instead of waiting: injected latency costs no time.
func (c *ManualClock) Sleep(_ context.Context, d time.Duration) { c.Advance(d) }

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// lockedRand makes an injected math/rand/v2 source safe for concurrent
// requests; the default (nil source) uses the runtime's lock-free generator.
type lockedRand struct {
	mu  sync.Mutex
	rnd *rand.Rand
}

func newRand(src rand.Source) *lockedRand {
	if src == nil {
		return &lockedRand{}
	}
	return &lockedRand{rnd: rand.New(src)}
}

func (r *lockedRand) Float64() float64 {
	if r.rnd == nil {
		return rand.Float64()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rnd.Float64()
}
