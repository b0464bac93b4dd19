package load

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/judge"
	"loginharness/internal/limitertest"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/testkit"
)

// The limit every server of the matrix keeps, and the time scale of the
// windowed ones.
const (
	matrixRate   = 50
	matrixWindow = time.Second
)

// correctLimiters keep matrixRate honestly, each its own way.
func correctLimiters() map[string]func() limitertest.Limiter {
	return map[string]func() limitertest.Limiter{
		"token-bucket-burst-1": func() limitertest.Limiter { return limitertest.TokenBucket(matrixRate, 1) },
		"token-bucket-burst-5": func() limitertest.Limiter { return limitertest.TokenBucket(matrixRate, 5) },
		"fixed-window":         func() limitertest.Limiter { return limitertest.FixedWindow(matrixRate, matrixWindow) },
		"sliding-log":          func() limitertest.Limiter { return limitertest.SlidingLog(matrixRate, matrixWindow) },
		"two-window-counter":   func() limitertest.Limiter { return limitertest.SlidingWindowCounter(matrixRate, matrixWindow) },
		"gcra":                 func() limitertest.Limiter { return limitertest.GCRA(matrixRate, 5) },
	}
}

// serverEndpoint aims load at srv as at a live server, the harness's
// limit and cap left for the caller to set.
func serverEndpoint(c *contract.Contract, srv *limitertest.Server) (*Endpoint, error) {
	return NewEndpoint(c, results.TargetInfo{Kind: results.TargetLive, URL: srv.BaseURL()},
		target.Account{Token: "matrix-token", User: "admin@example.com", Password: "matrix-password"})
}

// matrixOutcome is one server's run of every scenario.
type matrixOutcome struct {
	summaries map[string]results.LoadSummary
	errs      map[string]error
}

// runAll runs every scenario against one server in order, as against a
// live server, judged against limit (0: measure it).
func runAll(ctx context.Context, t *testing.T, srv *limitertest.Server, limit float64, opts ...Option) matrixOutcome {
	t.Helper()
	c := testkit.Contract(t)
	tgt, err := serverEndpoint(c, srv)
	if err != nil {
		t.Fatal(err)
	}
	tgt.Limit = results.Limit{Rate: limit, Source: EnvExpectedLimit}
	if limit <= 0 {
		tgt.Limit, tgt.MaxRate = results.Limit{Source: results.LimitMeasured}, 4*matrixRate
	}
	r := NewRunner(c, append([]Option{WithOutDir(t.TempDir()), WithMaxWait(10 * time.Second)}, opts...)...)
	out := matrixOutcome{summaries: map[string]results.LoadSummary{}, errs: map[string]error{}}
	for _, sc := range Scenarios() {
		sum, err := r.Run(ctx, sc, tgt)
		out.summaries[sc.Name], out.errs[sc.Name] = sum, err
	}
	return out
}

// busy keeps the machine busy while the matrix runs, when
// HARNESS_STRESS_CPU names how many goroutines spin (make stress-load).
func busy(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HARNESS_STRESS_CPU"))
	if n <= 0 {
		return
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for x := 0; ; x++ {
				select {
				case <-stop:
					return
				default:
					if x%1024 == 0 {
						runtime.Gosched()
					}
				}
			}
		})
	}
	t.Cleanup(func() { close(stop); wg.Wait() })
}

// TestLimiterMatrix proves the load verdicts against limiters the mock does
// not use: every scenario passes on every correct limiter, with either
// Retry-After form and no RateLimit fields.
func TestLimiterMatrix(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("about a minute of load")
	}
	busy(t)
	type run struct {
		name string
		srv  *limitertest.Server
	}
	var runs []run
	for name, newLimiter := range correctLimiters() {
		for _, form := range []limitertest.RetryAfterForm{limitertest.DelaySeconds, limitertest.HTTPDate} {
			runs = append(runs, run{name + "/" + string(form), limitertest.NewServer(newLimiter(), form)})
		}
	}
	outcomes := make([]matrixOutcome, len(runs))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for i, r := range runs {
		defer r.srv.Close()
		wg.Go(func() { outcomes[i] = runAll(ctx, t, r.srv, matrixRate) })
	}
	wg.Wait()
	for i, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			for _, sc := range Scenarios() {
				sum, err := outcomes[i].summaries[sc.Name], outcomes[i].errs[sc.Name]
				if err != nil {
					t.Errorf("%s: %v", sc.Name, err)
					continue
				}
				for _, f := range sum.Failures() {
					t.Errorf("%s: %s", sc.Name, f)
				}
				t.Log(matrixLine(sc.Name, sum))
			}
		})
	}
}

// matrixLine is one scenario's outcome as the closing table reads it.
func matrixLine(name string, sum results.LoadSummary) string {
	line := fmt.Sprintf("%-20s", name)
	for _, v := range sum.Verdicts {
		line += fmt.Sprintf(" %s=%s", v.Name, v.State)
	}
	if env := sum.Envelope; env != nil && env.LongRunRate > 0 {
		line += fmt.Sprintf(" | long-run %.1f±%.1f burst %.0f span %.1f-%.1fs", env.LongRunRate, env.Uncertainty, env.Burst, env.FromSeconds, env.ToSeconds)
	}
	return line
}

// TestDishonestServersFail proves the verdicts the other way: each server
// breaks one promise, and the verdict made for it fails.
func TestDishonestServersFail(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("about a minute of load")
	}
	busy(t)
	fair := func() limitertest.Limiter { return limitertest.TokenBucket(matrixRate, 5) }
	cases := []struct {
		name     string
		srv      *limitertest.Server
		limit    float64 // expected; negative: measured
		scenario string
		verdict  string
		// provable, when set, is the median answer time beyond which the
		// client cannot tell when its requests reached the server closely
		// enough to prove this server's fault (see refusedWithinLimit and
		// judgeSustained): a machine busy enough to slow answers so much
		// leaves the verdict unproven, which is no false red.
		provable time.Duration
	}{
		{"no Retry-After", limitertest.NewServer(fair(), limitertest.NoRetryAfter), matrixRate, ScenarioOverLimit, judge.VerdictRetryAfterPresent, 0},
		{"unparsable Retry-After", limitertest.NewServer(fair(), limitertest.Unparsable), matrixRate, ScenarioOverLimit, judge.VerdictRetryAfterSyntax, 0},
		{"Retry-After shorter than the truth", limitertest.NewServer(limitertest.Understated(fair(), 2*time.Second), limitertest.DelaySeconds), matrixRate, ScenarioHonesty, judge.VerdictServedAtRetryAfter, 0},
		// Without a limit to pace at, the obeying client probes for one and
		// meets 429s, each a promise to check.
		{"Retry-After shorter than the truth, obeyed", limitertest.NewServer(limitertest.Understated(fair(), 2*time.Second), limitertest.DelaySeconds), -matrixRate, ScenarioObeying, judge.VerdictServedAtRetryAfter, 0},
		{"no limit at all", limitertest.NewServer(limitertest.Unlimited(), limitertest.DelaySeconds), matrixRate, ScenarioOverLimit, judge.VerdictWithinLimit, 0},
		{"twice the limit", limitertest.NewServer(limitertest.TokenBucket(2*matrixRate, 5), limitertest.DelaySeconds), matrixRate, ScenarioOverLimit, judge.VerdictWithinLimit, 0},
		// What a server owes is known as closely as its answers are quick:
		// a quarter of the limit is caught even when a busy machine slows
		// them to tens of milliseconds; half of it with quick answers.
		{"a quarter of the limit", limitertest.NewServer(limitertest.TokenBucket(matrixRate/4, 5), limitertest.DelaySeconds), matrixRate, ScenarioOverLimit, judge.VerdictAtLimit, 40 * time.Millisecond},
		// Half the limit refuses every other request of under-limit's 25/s,
		// sent 40 ms apart: provable while answers take less than the 20 ms
		// the limit allows between two.
		{"half the limit, under it", limitertest.NewServer(limitertest.TokenBucket(matrixRate/2, 1), limitertest.DelaySeconds), matrixRate, ScenarioUnderLimit, judge.VerdictNo429UnderLimit, 10 * time.Millisecond},
		{"connections dropped instead of 429", limitertest.NewServer(fair(), limitertest.DelaySeconds, func(s *limitertest.Server) { s.Drop = true }), matrixRate, ScenarioOverLimit, judge.VerdictAnswered, 0},
		{"503 instead of 429", limitertest.NewServer(fair(), limitertest.DelaySeconds, func(s *limitertest.Server) { s.RefuseStatus = http.StatusServiceUnavailable }), matrixRate, ScenarioOverLimit, judge.VerdictNo5xx, 0},
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	sums := make([]results.LoadSummary, len(cases))
	errs := make([]error, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		defer tc.srv.Close()
		wg.Go(func() {
			c := testkit.Contract(t)
			tgt, err := serverEndpoint(c, tc.srv)
			if err != nil {
				errs[i] = err
				return
			}
			tgt.Limit = results.Limit{Rate: tc.limit, Source: EnvExpectedLimit}
			if tc.limit < 0 { // as if the ramp had measured it
				tgt.Limit = results.Limit{Rate: -tc.limit, Source: results.LimitMeasured}
			}
			sc, _ := ScenarioNamed(tc.scenario)
			r := NewRunner(c, WithOutDir(t.TempDir()), WithMaxWait(10*time.Second), WithMaxDuration(8*time.Second))
			sums[i], errs[i] = r.Run(ctx, sc, tgt)
		})
	}
	wg.Wait()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			v, ok := sums[i].VerdictNamed(tc.verdict)
			if p50 := time.Duration(sums[i].Latency.P50 * float64(time.Millisecond)); tc.provable > 0 && p50 > tc.provable {
				t.Skipf("answers took %s at the median, beyond the %s this server's fault is provable at: %s %s", p50, tc.provable, v.State, v.Message)
			}
			if !ok || v.State != results.VerdictFailed {
				t.Errorf("%s: verdict %s is %q, want failed: %s", tc.scenario, tc.verdict, v.State, v.Message)
			}
			t.Logf("%s: %s", tc.verdict, v.Message)
			for _, f := range sums[i].Failures() {
				t.Logf("also failed: %s", f)
			}
		})
	}
}

// TestLimitFoundWithoutExpectation runs every scenario with no expected
// limit: the ramp measures it, the others offer their load against the
// measured limit, and no verdict that needs a number is judged.
func TestLimitFoundWithoutExpectation(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("about half a minute of load")
	}
	busy(t)
	servers := map[string]*limitertest.Server{
		"token-bucket-burst-5": limitertest.NewServer(limitertest.TokenBucket(matrixRate, 5), limitertest.DelaySeconds),
		"fixed-window":         limitertest.NewServer(limitertest.FixedWindow(matrixRate, matrixWindow), limitertest.HTTPDate),
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	outcomes := map[string]matrixOutcome{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, srv := range servers {
		defer srv.Close()
		wg.Go(func() {
			out := runAll(ctx, t, srv, 0)
			mu.Lock()
			outcomes[name] = out
			mu.Unlock()
		})
	}
	wg.Wait()
	for name := range servers {
		t.Run(name, func(t *testing.T) {
			out := outcomes[name]
			env := out.summaries[ScenarioRamp].Envelope
			// The measure must hold the true limit within its own
			// uncertainty, give or take the verdicts' tolerance.
			if env == nil || math.Abs(env.LongRunRate-matrixRate) > env.Uncertainty+judge.Tolerance*matrixRate {
				t.Fatalf("the ramp measured %.1f ± %.1f req/s, the limit is %d", env.LongRunRate, env.Uncertainty, matrixRate)
			}
			t.Logf("measured %.1f ± %.1f req/s, burst %.0f", env.LongRunRate, env.Uncertainty, env.Burst)
			for _, sc := range Scenarios() {
				sum, err := out.summaries[sc.Name], out.errs[sc.Name]
				if err != nil {
					t.Errorf("%s: %v", sc.Name, err)
					continue
				}
				for _, f := range sum.Failures() {
					t.Errorf("%s: %s", sc.Name, f)
				}
				for _, name := range []string{judge.VerdictWithinLimit, judge.VerdictAtLimit, judge.VerdictNo429UnderLimit} {
					if v, ok := sum.VerdictNamed(name); ok && v.State != results.VerdictNotJudged {
						t.Errorf("%s: %s needs an expected limit, yet it is %s: %s", sc.Name, name, v.State, v.Message)
					}
				}
				t.Log(matrixLine(sc.Name, sum))
			}
		})
	}
}

// overLimitAgainst runs the over-limit scenario against srv, judged against
// the matrix's expected limit, with attacks of a second at least.
func overLimitAgainst(t *testing.T, srv *limitertest.Server, opts ...Option) results.LoadSummary {
	t.Helper()
	c := testkit.Contract(t)
	e, err := serverEndpoint(c, srv)
	if err != nil {
		t.Fatal(err)
	}
	e.Limit = results.Limit{Rate: matrixRate, Source: EnvExpectedLimit}
	sc, _ := ScenarioNamed(ScenarioOverLimit)
	opts = append([]Option{WithOutDir(t.TempDir()), WithDuration(time.Second)}, opts...)
	sum, err := NewRunner(c, opts...).Run(t.Context(), sc, e)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestDownServerJudgesNothing: a server that answers nothing is an outage,
// not a broken promise: every verdict is not judged, and the attack ends
// early rather than hammering a dead address.
func TestDownServerJudgesNothing(t *testing.T) {
	t.Parallel()
	srv := limitertest.NewServer(limitertest.Unlimited(), limitertest.DelaySeconds)
	srv.Close()
	start := time.Now()
	sum := overLimitAgainst(t, srv)
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the attack on a dead address went on for %s", took)
	}
	for _, v := range sum.Verdicts {
		if v.State != results.VerdictNotJudged {
			t.Errorf("%s is %s, want not judged: %s", v.Name, v.State, v.Message)
		}
	}
	if v, _ := sum.VerdictNamed(judge.VerdictContract); !strings.Contains(v.Message, "connection refused") {
		t.Errorf("the reason does not say why nothing answered: %s", v.Message)
	}
}

// TestServerGoneMidRunIsAnOutage: a server that goes away during an attack
// (nothing listens any more: connections refused) leaves the verdicts that
// need answers not judged, marked as an outage, never failed.
func TestServerGoneMidRunIsAnOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of load")
	}
	t.Parallel()
	srv := limitertest.NewServer(limitertest.TokenBucket(matrixRate, 5), limitertest.DelaySeconds)
	time.AfterFunc(1500*time.Millisecond, srv.Close)
	sum := overLimitAgainst(t, srv, WithMaxDuration(4*time.Second))
	if sum.Errors == 0 || sum.Errors == sum.Requests {
		t.Fatalf("want some requests answered and some refused: %d of %d got no answer", sum.Errors, sum.Requests)
	}
	for _, v := range sum.Verdicts {
		switch {
		case v.Name == judge.VerdictNo5xx || v.Name == judge.VerdictContract:
			if v.State != results.VerdictPassed {
				t.Errorf("%s judges the answers that came: %s: %s", v.Name, v.State, v.Message)
			}
		case v.State != results.VerdictNotJudged || !v.Outage || !strings.Contains(v.Message, "connection refused"):
			t.Errorf("%s: %s (outage %v): %s; want not judged for an outage, naming the refusals", v.Name, v.State, v.Outage, v.Message)
		}
	}
	t.Log(sum.Verdicts[0].Message)
}
