package load

import (
	"slices"
	"testing"
	"time"

	"loginharness/internal/limitertest"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

func told(sent time.Time, wait time.Duration) record {
	return record{sent: sent, latency: time.Millisecond, code: 429, retryAfter: retryAfterValue{present: true, raw: "1", wait: wait}}
}

func served(sent time.Time) record { return record{sent: sent, latency: time.Millisecond, code: 200} }

func TestRetryAfterPromises(t *testing.T) {
	at := time.Now()
	ms := func(n int) time.Time { return at.Add(time.Duration(n) * time.Millisecond) }
	cases := []struct {
		name             string
		recs             []record
		checked, refused int
	}{
		{"kept: silent, then served", []record{told(ms(0), time.Second), served(ms(1010))}, 1, 0},
		{"broken: silent, then refused", []record{told(ms(0), time.Second), told(ms(1010), time.Second)}, 1, 1},
		{"too early: not a check", []record{told(ms(0), time.Second), told(ms(500), time.Second), served(ms(2000))}, 1, 0},
		{"not silent: not a check", []record{told(ms(0), time.Second), served(ms(600)), told(ms(1100), time.Second)}, 0, 0},
		// In flight when the first 429 came: its own 429 moves the deadline.
		{"in flight", []record{told(ms(0), time.Second), {sent: ms(0).Add(500 * time.Microsecond), latency: 900 * time.Millisecond, code: 429, retryAfter: retryAfterValue{present: true, raw: "1", wait: time.Second}}, served(ms(1010))}, 0, 0},
		{"once per promise", []record{told(ms(0), time.Second), served(ms(1010)), told(ms(1011), time.Second)}, 1, 0},
		{"no usable Retry-After", []record{{sent: ms(0), code: 429}, served(ms(2000))}, 0, 0},
		// A request with no answer may reach the server late.
		{"unanswered before", []record{{sent: ms(-100), code: 0}, told(ms(0), time.Second), told(ms(1010), time.Second)}, 0, 0},
		{"overtaken by the next", []record{told(ms(0), time.Second), {sent: ms(1010), latency: 30 * time.Millisecond, code: 429}, served(ms(1020))}, 0, 0},
		{"in flight at the probe", []record{told(ms(0), time.Second), {sent: ms(0).Add(time.Microsecond), latency: 1200 * time.Millisecond, code: 200}, served(ms(1010))}, 0, 0},
	}
	for _, tc := range cases {
		got := retryAfterPromises(tc.recs, 5*time.Second)
		if got.Checked != tc.checked || got.Refused != tc.refused {
			t.Errorf("%s: checked %d refused %d, want %d and %d", tc.name, got.Checked, got.Refused, tc.checked, tc.refused)
		}
	}
}

func TestRefusedWithinLimit(t *testing.T) {
	at := time.Now()
	var even []record // 25/s against a limit of 50/s
	for i := range 20 {
		even = append(even, served(at.Add(time.Duration(i)*40*time.Millisecond)))
	}
	within := append(even[:len(even):len(even)], told(at.Add(800*time.Millisecond), time.Second))
	if n, _ := refusedWithinLimit(within, 50, time.Second, time.Time{}); n != 1 {
		t.Errorf("a 429 40 ms after the last of an even 25/s: %d blamed, want 1", n)
	}
	clump := append(even[:len(even):len(even)], told(at.Add(765*time.Millisecond), time.Second))
	if n, _ := refusedWithinLimit(clump, 50, time.Second, time.Time{}); n != 0 {
		t.Errorf("a 429 5 ms after the last request: %d blamed, want 0 (burst one allows no closer)", n)
	}
	// The same 429, while a Retry-After given before the run still ran:
	// the server kept its word.
	if n, _ := refusedWithinLimit(within, 50, time.Second, at.Add(2*time.Second)); n != 0 {
		t.Errorf("a 429 inside an earlier Retry-After: %d blamed, want 0", n)
	}
	// Sent first but slow: the request after it may have overtaken it.
	overtaken := []record{{sent: at, latency: 28 * time.Millisecond, code: 429}, served(at.Add(15 * time.Millisecond))}
	if n, _ := refusedWithinLimit(overtaken, 50, time.Second, time.Time{}); n != 0 {
		t.Errorf("a request overtaken on the way: %d blamed, want 0", n)
	}
	slow := append(even[:len(even):len(even)], record{sent: at.Add(790 * time.Millisecond), latency: 30 * time.Millisecond, code: 429})
	slow[len(even)-1].latency = 15 * time.Millisecond
	if n, _ := refusedWithinLimit(slow, 50, time.Second, time.Time{}); n != 0 {
		t.Errorf("the network may have moved the last two 15 ms closer: %d blamed, want 0", n)
	}
}

// TestRefusalsInsideAnEarlierRetryAfterAreNoFault: a server that punishes
// a burst with a penalty longer than the harness waits goes on refusing,
// honestly, into the next scenario; under-limit does not blame it for the
// 429s that come while its earlier Retry-After still runs.
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
	e.quietUntil = now.Add(3 * time.Second) // what its 429 said
	r := NewRunner(c, WithOutDir(t.TempDir()), WithMaxWait(time.Second), WithDuration(4*time.Second), WithWindows(2), WithMaxDuration(6*time.Second))
	i := slices.IndexFunc(Scenarios(), func(sc Scenario) bool { return sc.Name == ScenarioUnderLimit })
	sum, err := r.Run(t.Context(), Scenarios()[i], e)
	if err != nil {
		t.Fatal(err)
	}
	if sum.QuietUntil == "" || sum.StatusCodes["429"] == 0 {
		t.Fatalf("the scenario did not begin inside the penalty: quiet until %q, %d 429s", sum.QuietUntil, sum.StatusCodes["429"])
	}
	if v, _ := sum.VerdictNamed(VerdictNo429UnderLimit); v.State != results.VerdictPassed {
		t.Errorf("%s: %s: %s", VerdictNo429UnderLimit, v.State, v.Message)
	}
	t.Logf("%d of %d refused while the earlier Retry-After ran; %s", sum.StatusCodes["429"], sum.Requests, sum.Verdicts[0].Message)
}
