package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/limitertest"
)

// The limit every limiter of the full-run proof keeps, in req/s, and the
// bounds that keep each run to about a minute.
const fullRunLimit = 20

func fullRunEnv(root string) map[string]string {
	return with(demoWebexLive(root),
		"HARNESS_ALLOW_LIVE_LOAD", "1", "HARNESS_LIVE_MAX_RATE", "100", "HARNESS_EXPECTED_LIMIT", "20",
		"HARNESS_LOAD_WINDOWS", "3", "HARNESS_LOAD_MAX_DURATION", "10s", "HARNESS_LOAD_MAX_WAIT", "5s")
}

// TestFullRunAgainstCorrectLimiters runs the whole harness, preflight,
// conformance and load with no filter, through the binary, against the mock
// behind limiters of 20 req/s built every way a correct server may build
// one, each answering Retry-After only. Every run passes: the harness's own
// traffic (the preflight's sign-in, the conformance specs, each earlier
// scenario) spends the limit too, and is never held against the server.
// The token bucket of burst one is the case where the preflight's sign-in
// spends the only token just before the ramp.
func TestFullRunAgainstCorrectLimiters(t *testing.T) {
	if testing.Short() {
		t.Skip("a full run per limiter, about a minute each, side by side")
	}
	t.Parallel()
	limiters := map[string]func() limitertest.Limiter{
		"token-bucket-burst-1": func() limitertest.Limiter { return limitertest.TokenBucket(fullRunLimit, 1) },
		"token-bucket-burst-5": func() limitertest.Limiter { return limitertest.TokenBucket(fullRunLimit, 5) },
		"gcra-burst-1":         func() limitertest.Limiter { return limitertest.GCRA(fullRunLimit, 1) },
		"gcra-burst-5":         func() limitertest.Limiter { return limitertest.GCRA(fullRunLimit, 5) },
		"fixed-window-1s":      func() limitertest.Limiter { return limitertest.FixedWindow(fullRunLimit, time.Second) },
		"fixed-window-250ms":   func() limitertest.Limiter { return limitertest.FixedWindow(fullRunLimit/4, time.Second/4) },
		"sliding-log-1s":       func() limitertest.Limiter { return limitertest.SlidingLog(fullRunLimit, time.Second) },
		"sliding-log-250ms":    func() limitertest.Limiter { return limitertest.SlidingLog(fullRunLimit/4, time.Second/4) },
		"leaky-bucket-burst-1": func() limitertest.Limiter { return limitertest.LeakyBucket(fullRunLimit, 1) },
		"leaky-bucket-burst-5": func() limitertest.Limiter { return limitertest.LeakyBucket(fullRunLimit, 5) },
	}
	if only := os.Getenv("HARNESS_E2E_LIMITER"); only != "" {
		for name := range limiters {
			if name != only {
				delete(limiters, name)
			}
		}
	}
	for name, newLimiter := range limiters {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := limitertest.NewMockServer(newLimiter(), limitertest.DelaySeconds)
			defer srv.Close()
			o := harness(t, invocation{args: []string{"run", "--out", t.TempDir()}, env: fullRunEnv(srv.URL), hangGuard: 8 * time.Minute})
			first, _, _ := strings.Cut(o.stdout, "\n")
			if o.code != 0 || !strings.HasPrefix(first, "verdict: PASS") {
				t.Fatalf("exit %d, %q; want a PASS (served %d, refused %d)\n%s", o.code, first, srv.Served(), srv.Refused(), tail(o.output()))
			}
			t.Logf("exit %d in %s: %s (served %d, refused %d)\n%s", o.code, o.took.Round(time.Second), first, srv.Served(), srv.Refused(), loadRows(o.stdout))
		})
	}
}

// TestFullRunBlamesRefusalsWithinTheLimit: a server that keeps a quarter of
// the limit it promises refuses requests while everything the run sent
// stayed within it: the full run fails no-429-under-limit.
func TestFullRunBlamesRefusalsWithinTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("a full run, about a minute")
	}
	t.Parallel()
	srv := limitertest.NewMockServer(limitertest.TokenBucket(fullRunLimit/4, 1), limitertest.DelaySeconds)
	defer srv.Close()
	o := harness(t, invocation{args: []string{"run", "--out", t.TempDir()}, env: fullRunEnv(srv.URL), hangGuard: 8 * time.Minute})
	first, _, _ := strings.Cut(o.stdout, "\n")
	if o.code != 1 || !strings.HasPrefix(first, "verdict: FAIL") || !strings.Contains(o.stdout, judge.VerdictNo429UnderLimit) {
		t.Fatalf("exit %d, %q; want a FAIL naming %s\n%s", o.code, first, judge.VerdictNo429UnderLimit, tail(o.output()))
	}
	t.Logf("exit %d in %s: %s\n%s", o.code, o.took.Round(time.Second), first, loadRows(o.stdout))
}

// loadRows are the load scenarios' rows and failed checks of a run's
// terminal summary, for the test log.
func loadRows(stdout string) string {
	var rows []string
	for _, line := range strings.Split(stdout, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "load ") || strings.HasPrefix(l, "✗") {
			rows = append(rows, line)
		}
	}
	return strings.Join(rows, "\n")
}

// TestPlanThatCannotJudgeStopsBeforeTheLoad: told the server counts 60
// requests a minute, with attacks capped at 10 s and the stop asked for,
// the run prints its plan, names what it cannot judge and the settings
// that would, and exits 2 before a single load request: the quota is not
// spent.
func TestPlanThatCannotJudgeStopsBeforeTheLoad(t *testing.T) {
	t.Parallel()
	srv := limitertest.NewMockServer(limitertest.FixedWindow(60, time.Minute), limitertest.DelaySeconds)
	defer srv.Close()
	env := with(fullRunEnv(srv.URL), "HARNESS_EXPECTED_LIMIT", "1", "HARNESS_LOAD_WINDOW", "1m", "HARNESS_LOAD_STOP_IF_UNJUDGED", "1")
	o := harness(t, invocation{args: []string{"run", "--out", t.TempDir()}, env: env})
	if o.code != 2 || !strings.Contains(o.stderr, "load plan: window 1m0s") || !strings.Contains(o.stderr, "HARNESS_LOAD_MAX_DURATION=") {
		t.Fatalf("exit %d; want 2 with the plan and the settings that judge it\n%s", o.code, tail(o.output()))
	}
	if n := srv.Served() + srv.Refused(); n > 1 { // the preflight's sign-in alone
		t.Errorf("%d sign-ins reached the server before the run stopped", n)
	}
	t.Log(tail(o.stderr))
}
