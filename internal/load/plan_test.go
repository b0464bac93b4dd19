package load

import (
	"errors"
	"strings"
	"testing"
	"time"

	"loginharness/internal/limitertest"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// perMinute is a live-like endpoint of a server keeping 60 requests a
// minute, under a cap of 4 req/s, as issue reports try it.
func perMinute(t *testing.T) (*Endpoint, *limitertest.Server) {
	t.Helper()
	srv := limitertest.NewServer(limitertest.FixedWindow(60, time.Minute), limitertest.DelaySeconds)
	t.Cleanup(srv.Close)
	e, err := serverEndpoint(testkit.Contract(t), srv)
	if err != nil {
		t.Fatal(err)
	}
	e.Limit, e.MaxRate = results.Limit{Rate: 1, Source: EnvExpectedLimit}, 4
	return e, srv
}

func TestPlanFromADeclaredWindowJudgesEveryVerdict(t *testing.T) {
	e, _ := perMinute(t)
	r := NewRunner(testkit.Contract(t), WithOutDir(t.TempDir()), WithWindow(time.Minute))
	p := r.Plan(e)
	var b strings.Builder
	PrintPlan(&b, p)
	t.Log("\n" + b.String())
	if !p.Judges() || !p.WindowKnown || p.WindowSeconds != 60 {
		t.Fatalf("want a plan on the declared minute that judges every verdict: %+v", p)
	}
	for _, sc := range p.Scenarios {
		if sc.Scenario == ScenarioUnderLimit && sc.Seconds < 120 {
			t.Errorf("under-limit lasts %gs, less than two windows", sc.Seconds)
		}
		if sc.Scenario == ScenarioOverLimit && (sc.Seconds < 240 || sc.Seconds > DefaultMaxDuration.Seconds()) {
			t.Errorf("over-limit lasts %gs: too short for three recoveries a minute apart, or past the cap", sc.Seconds)
		}
	}
	if p.TotalSeconds > (25 * time.Minute).Seconds() {
		t.Errorf("the plan takes %s", seconds(p.TotalSeconds))
	}
}

func TestPlanNamesTheUnjudgedAndTheSettingsThatJudgeThem(t *testing.T) {
	e, _ := perMinute(t)
	r := NewRunner(testkit.Contract(t), WithOutDir(t.TempDir()), WithWindow(time.Minute), WithMaxDuration(2*time.Minute), WithMaxWait(30*time.Second))
	p := r.Plan(e)
	var b strings.Builder
	PrintPlan(&b, p)
	t.Log("\n" + b.String())
	text := b.String()
	for _, want := range []string{"not judged: ramp and over-limit accepted-within-limit, over-limit accepted-at-limit", "not judged: retry-after-honesty served-after-retry-after",
		EnvLoadMaxDuration + "=6m0s", EnvLoadMaxWait + "=1m0s"} {
		if !strings.Contains(text, want) {
			t.Errorf("the plan does not say %q", want)
		}
	}
}

// TestStopIfUnjudgedSpendsNothing: asked to stop when the plan cannot
// judge, a run sends not one request, and says why.
func TestStopIfUnjudgedSpendsNothing(t *testing.T) {
	e, srv := perMinute(t)
	var b strings.Builder
	r := NewRunner(testkit.Contract(t), WithOutDir(t.TempDir()), WithWindow(time.Minute), WithMaxDuration(time.Minute), WithStopIfUnjudged(true), WithPlanOutput(&b))
	s := &Setup{Runner: r, Source: LiveSource{Endpoint: e}}
	err := s.Announce()
	var pe *PlanError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), EnvLoadMaxDuration+"=") {
		t.Fatalf("want a plan error naming the setting that would judge: %v", err)
	}
	for _, o := range r.RunAll(t.Context(), s.Source, Scenarios()) {
		var skip Skipped
		if !errors.As(o.Err, &skip) {
			t.Errorf("%s ran: %v", o.Scenario.Name, o.Err)
		}
	}
	if n := srv.Served() + srv.Refused(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	if !strings.Contains(b.String(), "load plan: window 1m0s") {
		t.Errorf("no plan printed:\n%s", b.String())
	}
}
