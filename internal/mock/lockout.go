package mock

import (
	"sync"
	"time"
)

// lockPolicy locks an account after threshold failed sign-ins within
// window, for duration. Only configured accounts carry lock state, so it is
// bounded by the account list and a flood of unknown names costs nothing.
type lockPolicy struct {
	threshold        int // 0: never lock
	window, duration time.Duration
	countOnly        bool // count failures but never lock (DriftNoLockout)
}

// lockState is one account's failed sign-ins.
type lockState struct {
	mu          sync.Mutex
	failures    int
	since       time.Time // first failure of the current window
	lockedUntil time.Time
}

// verdict is what lockout says of one sign-in attempt.
type verdict struct {
	locked   bool
	wait     time.Duration // until the lock ends, when locked
	failures int           // failed sign-ins counted so far
}

// attempt records a sign-in whose password was ok or not. The failure that
// reaches the threshold is answered as a failure; the lock applies from the
// next attempt until it ends, whatever the password.
func (p lockPolicy) attempt(s *lockState, now time.Time, passwordOK bool) verdict {
	if p.threshold == 0 {
		return verdict{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.lockedUntil) {
		return verdict{locked: true, wait: s.lockedUntil.Sub(now), failures: s.failures}
	}
	if passwordOK || !s.lockedUntil.IsZero() || now.Sub(s.since) >= p.window {
		s.failures, s.lockedUntil = 0, time.Time{}
	}
	if passwordOK {
		return verdict{}
	}
	if s.failures == 0 {
		s.since = now
	}
	s.failures++
	if s.failures >= p.threshold && !p.countOnly {
		s.lockedUntil = now.Add(p.duration)
	}
	return verdict{failures: s.failures}
}
