package load

import (
	"os"
	"strings"
	"testing"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/limitertest"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// EnvBenchWindow runs TestBenchPerMinute with a correct fixed-window
// limiter of 1 req/s counted in windows of its value (60s: 60 requests a
// minute); unset, the benchmark is skipped. Goal: every rate verdict
// judged in at most 15 minutes of load with the defaults.
const EnvBenchWindow = "HARNESS_BENCH_WINDOW"

// TestBenchPerMinute is a benchmark, not a timed test (`make
// bench-per-minute`): every scenario, one after another as against a live
// server, with the live defaults (rate cap 4 req/s, expected limit 1
// req/s), the plan printed first. It fails only when a rate verdict is
// not judged or a verdict fails; the times are reported.
func TestBenchPerMinute(t *testing.T) {
	raw := os.Getenv(EnvBenchWindow)
	if raw == "" {
		t.Skip(EnvBenchWindow + " unset: the per-minute benchmark runs up to 20 minutes")
	}
	window, err := time.ParseDuration(raw)
	if err != nil || window < time.Second {
		t.Fatalf("%s=%q: want a window of at least 1s", EnvBenchWindow, raw)
	}
	srv := limitertest.NewServer(limitertest.FixedWindow(int(window.Seconds()), window), limitertest.DelaySeconds)
	defer srv.Close()
	c := testkit.Contract(t)
	e, err := serverEndpoint(c, srv)
	if err != nil {
		t.Fatal(err)
	}
	e.Limit, e.MaxRate = results.Limit{Rate: 1, Source: EnvExpectedLimit}, 4
	var plan strings.Builder
	r := NewRunner(c, WithOutDir(t.TempDir()), WithPlanOutput(&plan))
	began := time.Now()
	outcomes := r.RunAll(t.Context(), LiveSource{Endpoint: e}, Scenarios())
	t.Logf("window %s: %s in all, %d requests served, %d refused\n%s", window, time.Since(began).Round(time.Second), srv.Served(), srv.Refused(), plan.String())
	load := 0.0
	for _, o := range outcomes {
		if o.Err != nil {
			t.Errorf("%s: %v", o.Scenario.Name, o.Err)
			continue
		}
		load += o.Summary.ElapsedSeconds
		t.Logf("%-20s %6.1fs %5d requests  %s", o.Scenario.Name, o.Summary.ElapsedSeconds, o.Summary.Requests, verdictStates(o.Summary))
		for _, v := range o.Summary.Verdicts {
			rate := v.Name == judge.VerdictWithinLimit || v.Name == judge.VerdictAtLimit
			if rate && v.State == results.VerdictNotJudged {
				t.Errorf("%s: %s not judged: %s", o.Scenario.Name, v.Name, v.Message)
			}
		}
		for _, f := range o.Summary.Failures() {
			t.Errorf("%s: %s", o.Scenario.Name, f)
		}
	}
	t.Logf("load %s, total %s", (time.Duration(load) * time.Second).Round(time.Second), time.Since(began).Round(time.Second))
}

// verdictStates is each verdict's name and state.
func verdictStates(sum results.LoadSummary) string {
	var parts []string
	for _, v := range sum.Verdicts {
		parts = append(parts, v.Name+"="+string(v.State))
	}
	return strings.Join(parts, " ")
}
