package mock

import (
	"math/rand/v2"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
)

// TestLimiterAccuracy offers 300 req/s for 5 s to a 100 req/s, burst 10
// limit: the burst plus 5 s of rate, 510, must be served, within 2 %.
func TestLimiterAccuracy(t *testing.T) {
	clock := newFakeClock()
	m := New(DefaultConfig(), WithClock(clock), WithRate(100, 10), WithLockout(0, 0, 0))
	start := clock.Now()
	served, limited := 0, 0
	for i := range 1500 {
		clock.now = start.Add(time.Duration(i) * time.Second / 300)
		ex := do(m, webexReq(validWebexBody()))
		switch ex.Status {
		case http.StatusOK:
			served++
		case http.StatusTooManyRequests:
			limited++
			if i%50 == 0 {
				mustConform(t, ex, contract.Webex)
			}
		default:
			t.Fatalf("status %d", ex.Status)
		}
	}
	if served < 500 || served > 520 {
		t.Fatalf("served %d of 1500, want 510 ± 2 %%", served)
	}
	t.Logf("served %d, limited %d", served, limited)
}

// TestRetryAfterIsHonest drives two keys through the same requests until
// they are refused, then sends one a second before Retry-After (refused:
// the value is not too long by a whole second) and the other at it
// (served: it is not too short). Random limits include whole-second waits.
func TestRetryAfterIsHonest(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	rates := []float64{0.25, 0.5, 1, 2, 3, 7.5, 10, 100, 1000}
	for trial := range 300 {
		perSecond, burst := rates[rnd.IntN(len(rates))], 1+rnd.IntN(12)
		clock := newFakeClock()
		m := New(DefaultConfig(), WithClock(clock), WithRate(perSecond, burst), WithKeyBy(KeyByAddress), WithLockout(0, 0, 0))
		early, onTime := webexReq(validWebexBody()), webexReq(validWebexBody())
		early.remote, onTime.remote = "10.0.0.1:1", "10.0.0.2:1"
		var refused *contractExchange
		for range 10_000 {
			clock.Advance(time.Duration(rnd.IntN(int(2 * float64(time.Second) / perSecond / 3))))
			a, b := do(m, early), do(m, onTime)
			if a.Status != b.Status {
				t.Fatalf("trial %d: twin keys disagree: %d and %d", trial, a.Status, b.Status)
			}
			if a.Status == http.StatusTooManyRequests {
				refused = a
				break
			}
		}
		if refused == nil {
			t.Fatalf("trial %d: never refused at %v/s burst %d", trial, perSecond, burst)
		}
		res := mustConform(t, refused, contract.Webex)
		_ = res
		wait, err := ratelimit.ParseRetryAfter(refused.Header.Get("Retry-After"), clock.Now())
		if err != nil || wait < time.Second {
			t.Fatalf("trial %d: Retry-After %q", trial, refused.Header.Get("Retry-After"))
		}
		limits, err := ratelimit.ParseLimit(refused.Header.Get("RateLimit"))
		if err != nil || ratelimit.Agree(wait, limits) != nil || limits[0].Reset != wait {
			t.Fatalf("trial %d: RateLimit %q disagrees with Retry-After %v", trial, refused.Header.Get("RateLimit"), wait)
		}
		if _, err := ratelimit.ParsePolicy(refused.Header.Get("RateLimit-Policy")); err != nil {
			t.Fatalf("trial %d: RateLimit-Policy: %v", trial, err)
		}
		clock.Advance(wait - time.Second)
		if ex := do(m, early); ex.Status != http.StatusTooManyRequests {
			t.Fatalf("trial %d (%v/s burst %d): served a whole second before Retry-After %v", trial, perSecond, burst, wait)
		}
		clock.Advance(time.Second)
		if ex := do(m, onTime); ex.Status != http.StatusOK {
			t.Fatalf("trial %d (%v/s burst %d): refused (%d) at Retry-After %v", trial, perSecond, burst, ex.Status, wait)
		}
	}
}

type contractExchange = contract.Exchange

func TestPolicy(t *testing.T) {
	for rate, want := range map[float64]string{100: `"default";q=100;w=1`, 0.5: `"default";q=1;w=2`, 2.5: `"default";q=5;w=2`} {
		if got := policyOf(rate); got != want {
			t.Errorf("policyOf(%v) = %s, want %s", rate, got, want)
		}
	}
}

func TestKeyBy(t *testing.T) {
	for _, tt := range []struct {
		keyBy    KeyBy
		separate bool // whether two addresses with one token get their own buckets
	}{{KeyByToken, false}, {KeyByAddress, true}} {
		t.Run(string(tt.keyBy), func(t *testing.T) {
			m := New(DefaultConfig(), WithClock(newFakeClock()), WithRate(1, 1), WithKeyBy(tt.keyBy))
			a, b := webexReq(validWebexBody()), webexReq(validWebexBody())
			a.remote, b.remote = "10.0.0.1:1", "10.0.0.2:1"
			do(m, a)
			if got := do(m, b).Status == http.StatusOK; got != tt.separate {
				t.Fatalf("second address served = %v, want %v", got, tt.separate)
			}
		})
	}
}

func TestCommvaultRateLimitIsOptIn(t *testing.T) {
	for _, on := range []bool{false, true} {
		m := New(DefaultConfig(), WithClock(newFakeClock()), WithRate(1, 1), WithCommvaultRateLimit(on))
		do(m, commvaultReq(saasBody()))
		ex := do(m, commvaultReq(saasBody()))
		if limited := ex.Status == http.StatusTooManyRequests; limited != on {
			t.Fatalf("CommvaultRateLimit=%v: status %d", on, ex.Status)
		}
		if on && ex.Header.Get("Retry-After") != "1" {
			t.Fatalf("Commvault 429 Retry-After %q", ex.Header.Get("Retry-After"))
		}
	}
}

// TestFloodOfKeys sends a million distinct keys at a million per second
// (clock-driven) while one active key sends at twice its rate: memory stays
// bounded, the active key is served exactly at its rate, and a polite key
// that waits between requests is never refused.
func TestFloodOfKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("1M keys")
	}
	clock := newFakeClock()
	const perSecond, burst, maxKeys = 100, 10, 100_000
	l := newKeyedLimiter(perSecond, burst, maxKeys)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	start := clock.Now()
	greedyServed, politeRefused := 0, 0
	for i := range 1_000_000 {
		now := start.Add(time.Duration(i) * time.Microsecond)
		l.admit("flood-"+strconv.Itoa(i), now)
		if i%5000 == 0 { // every 5 ms: 200/s, twice the rate
			if l.admit("greedy", now) == 0 {
				greedyServed++
			}
		}
		if i%20000 == 0 { // every 20 ms: half the rate
			if l.admit("polite", now) > 0 {
				politeRefused++
			}
		}
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("keys %d, heap grew %d KiB, greedy served %d", l.keys(), grown>>10, greedyServed)

	if l.keys() > maxKeys {
		t.Errorf("%d keys tracked, cap %d", l.keys(), maxKeys)
	}
	if grown > 64<<20 {
		t.Errorf("heap grew %d MiB for a %d-key cap", grown>>20, maxKeys)
	}
	if want := burst + perSecond*1; greedyServed < want-2 || greedyServed > want+2 {
		t.Errorf("greedy key served %d in 1 s, want %d", greedyServed, want)
	}
	if politeRefused > 0 {
		t.Errorf("polite key refused %d times", politeRefused)
	}
}

// TestFullTableFailsClosed fills a tiny table with busy keys: new keys then
// share one overflow bucket (never a fresh, lenient one), tracked keys keep
// their own, and memory stays at the cap.
func TestFullTableFailsClosed(t *testing.T) {
	now := newFakeClock().Now()
	l := newKeyedLimiter(1, 2, limiterShards) // one bucket per shard
	served := 0
	for i := range 10_000 {
		if l.admit("k"+strconv.Itoa(i), now) == 0 {
			served++
		}
	}
	if l.keys() > limiterShards {
		t.Fatalf("%d keys tracked, cap %d", l.keys(), limiterShards)
	}
	if max := limiterShards*2 + 2; served > max {
		t.Fatalf("%d of 10000 fresh keys served at once, want at most %d (tracked bursts plus the overflow burst)", served, max)
	}
	// Once the buckets refill they are evictable, and new keys get their own again.
	later := now.Add(3 * time.Second)
	if l.admit("newcomer", later) != 0 {
		t.Fatal("a newcomer was refused after the table's buckets refilled")
	}
}
