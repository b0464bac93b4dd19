package load

import (
	"testing"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/limitertest"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
	"loginharness/internal/timeline"
)

// TestRefusalsInsideAnEarlierRetryAfterAreNoFault: a server that punishes
// a burst with a penalty longer than the harness waits goes on refusing,
// honestly, into the next scenario; under-limit does not blame it for the
// 429s that come while the Retry-After it gave an earlier part of the run
// still runs, as the timeline shows it.
func TestRefusalsInsideAnEarlierRetryAfterAreNoFault(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of load")
	}
	t.Parallel()
	penalty := limitertest.PenaltyBox(limitertest.TokenBucket(matrixRate, 5), 3*time.Second)
	srv := limitertest.NewServer(penalty, limitertest.DelaySeconds)
	defer srv.Close()
	c := testkit.Contract(t)
	e, err := serverEndpoint(c, srv)
	if err != nil {
		t.Fatal(err)
	}
	e.Limit = results.Limit{Rate: matrixRate, Source: EnvExpectedLimit}
	now := time.Now()
	for {
		if ok, _ := penalty.Admit(now); !ok {
			break // the burst is spent: the penalty runs
		}
	}
	// What the conformance specs saw: refused, told to wait 3 s.
	timeline.Process().Add(srv.BaseURL(), timeline.Record{Sent: now, Latency: time.Millisecond, Status: 429,
		RetryAfter: timeline.RetryAfter{Present: true, Raw: "3", Wait: 3 * time.Second}, Part: timeline.PartConformance})
	r := NewRunner(c, WithOutDir(t.TempDir()), WithMaxWait(time.Second), WithDuration(4*time.Second), WithWindows(2), WithMaxDuration(6*time.Second))
	sc, _ := ScenarioNamed(ScenarioUnderLimit)
	sum, err := r.Run(t.Context(), sc, e)
	if err != nil {
		t.Fatal(err)
	}
	if sum.StatusCodes["429"] == 0 {
		t.Fatalf("the scenario did not begin inside the penalty: %d 429s", sum.StatusCodes["429"])
	}
	if v, _ := sum.VerdictNamed(judge.VerdictNo429UnderLimit); v.State != results.VerdictPassed {
		t.Errorf("%s: %s: %s", judge.VerdictNo429UnderLimit, v.State, v.Message)
	}
	t.Logf("%d of %d refused while the earlier Retry-After ran; %s", sum.StatusCodes["429"], sum.Requests, sum.Verdicts[0].Message)
}
