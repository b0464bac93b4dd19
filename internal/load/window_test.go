package load

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/limitertest"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// EnvWindowProof sets the window of TestLimitersCountingPerWindow, 10 s
// unless set: `make proof-per-minute` runs it with a minute.
const EnvWindowProof = "HARNESS_WINDOW_PROOF"

// proofWindow is the window the per-window limiters of the proof count in.
func proofWindow(t *testing.T) time.Duration {
	raw := os.Getenv(EnvWindowProof)
	if raw == "" {
		return 10 * time.Second
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < time.Second {
		t.Fatalf("%s=%q: want a duration of at least 1s", EnvWindowProof, raw)
	}
	return d
}

// TestLimitersCountingPerWindow proves the rate verdicts on limiters that
// count per window, windows long enough that a short run never sees one
// end: every rate verdict is judged, correct limiters pass, and a limiter
// keeping half the expected quota fails accepted-at-limit, one keeping
// twice it accepted-within-limit. The runs stop once the evidence
// suffices: three recoveries about two windows apart.
func TestLimitersCountingPerWindow(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("about a minute of load")
	}
	busy(t)
	window := proofWindow(t)
	const quota = 100 // per window: 10 req/s at 10 s
	limit := quota / window.Seconds()
	kinds := map[string]func(int, time.Duration) limitertest.Limiter{
		"fixed-window":       limitertest.FixedWindow,
		"sliding-log":        limitertest.SlidingLog,
		"two-window-counter": limitertest.SlidingWindowCounter,
	}
	keeps := []struct {
		name   string
		quota  int
		failed string // the verdict that must fail; "" for none
	}{
		{"correct", quota, ""},
		{"half the quota", quota / 2, judge.VerdictAtLimit},
		{"twice the quota", 2 * quota, judge.VerdictWithinLimit},
	}
	type run struct {
		name, failed string
		sc           Scenario
		srv          *limitertest.Server
		sum          results.LoadSummary
		err          error
	}
	var runs []*run
	for kind, newLimiter := range kinds {
		for _, k := range keeps {
			scs := []string{ScenarioOverLimit}
			if k.failed == "" {
				scs = append(scs, ScenarioRamp)
			}
			for _, name := range scs {
				sc, _ := ScenarioNamed(name)
				srv := limitertest.NewServer(newLimiter(k.quota, window), limitertest.DelaySeconds)
				defer srv.Close()
				runs = append(runs, &run{name: kind + "/" + k.name + "/" + name, failed: k.failed, sc: sc, srv: srv})
			}
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 12*window+time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() {
			c := testkit.Contract(t)
			e, err := serverEndpoint(c, r.srv)
			if err != nil {
				r.err = err
				return
			}
			e.Limit = results.Limit{Rate: limit, Source: EnvExpectedLimit}
			r.sum, r.err = NewRunner(c, WithOutDir(t.TempDir()), WithMaxWait(2*window)).Run(ctx, r.sc, e)
		})
	}
	wg.Wait()
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			t.Logf("%s in %.1fs, %d requests", matrixLine(r.sc.Name, r.sum), r.sum.ElapsedSeconds, r.sum.Requests)
			for _, name := range []string{judge.VerdictWithinLimit, judge.VerdictAtLimit} {
				v, ok := r.sum.VerdictNamed(name)
				if !ok {
					continue // the ramp judges within-limit alone
				}
				want := results.VerdictPassed
				if name == r.failed {
					want = results.VerdictFailed
				}
				if v.State != want {
					t.Errorf("%s is %s, want %s: %s", name, v.State, want, v.Message)
				}
			}
			if r.failed == "" {
				for _, f := range r.sum.Failures() {
					t.Errorf("a correct limiter failed: %s", f)
				}
			}
		})
	}
}
