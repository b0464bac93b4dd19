package report

import (
	"fmt"
	"testing"
	"time"

	"loginharness/internal/results"
)

// writeLoadFixtures writes summaries shaped like the load suite's: a run
// over the limit with its timeline, a ramp with its knee, and the obeying
// versus naive clients.
func writeLoadFixtures(t *testing.T, dir string, started time.Time) {
	t.Helper()
	limit := results.Limit{Rate: 100, Burst: 10, Source: "mock"}
	over := summary("over-limit", started, limit, 300, func(sec float64) (ok, limited int) { return 100, 200 })
	over.Envelope = &results.Envelope{Rate: 100, Burst: 10, SpanSeconds: 5, LongRunRate: 100.2, Uncertainty: 0.5, FromSeconds: 1, ToSeconds: 5,
		Points: []results.EnvelopePoint{{Seconds: 0, Accepted: 0, Bound: 10}, {Seconds: 2.5, Accepted: 255, Bound: 260}, {Seconds: 5, Accepted: 505, Bound: 510}}}
	over.RetryAfter = results.RetryAfter{Responses429: 1000, Present: 1000, MinSeconds: 1, MaxSeconds: 1,
		Histogram: []results.ValueCount{{Seconds: 1, Count: 1000}}, Examples: []string{"1"}}
	over.RateLimit = results.RateLimitFields{PolicySeen: 1510, LimitSeen: 1510, Policies: []string{`"burst";q=10;w=1`}}

	ramp := summary("ramp", started, limit, 200, func(sec float64) (ok, limited int) {
		offered := int(20 + 36*sec)
		return min(offered, 100), max(offered-100, 0)
	})
	ramp.Pacer = "linear 20/s +36/s/s"
	ramp.Knee = &results.Knee{Found: true, Rate: 104, AtSeconds: 2.3, LimitRate: 100}

	clients := summary("obeying-client", started, limit, 300, func(sec float64) (ok, limited int) { return 100, 10 })
	clients.Clients = &results.Clients{
		Obeying: results.ClientRun{OfferedRate: 300, Offered: 900, Sent: 211, Deferred: 150, Served: 200, Responses429: 11, Repeated429: 1, Pending: 700, PacedRate: 100, Goodput: 66.8, SteadyGoodput: 100.2, GoodputOfLimit: 1.002},
		Naive:   results.ClientRun{OfferedRate: 300, Offered: 900, Sent: 900, Served: 309, Responses429: 591, Repeated429: 591, Goodput: 99.9, SteadyGoodput: 99.9, GoodputOfLimit: 0.999},
	}
	clients.Probes = []results.Probe{
		{Name: "at Retry-After", RetryAfterSeconds: 1, WaitedSeconds: 1.0, Status: 200, Want: "served"},
		{Name: "half of Retry-After", RetryAfterSeconds: 1, WaitedSeconds: 0.5, Status: 429, Want: "429"},
	}
	for _, s := range []results.LoadSummary{over, ramp, clients} {
		if err := results.WriteLoadSummary(dir, s); err != nil {
			t.Fatal(err)
		}
	}
}

// summary builds a five-second scenario whose timeline, in half-second
// buckets, serves and refuses what split says per second.
func summary(name string, started time.Time, limit results.Limit, offered float64, split func(sec float64) (ok, limited int)) results.LoadSummary {
	s := results.LoadSummary{
		Scenario: name, Description: "Fixture scenario " + name + ".", API: "webex",
		Target: results.TargetInfo{Kind: "mock"}, Limit: limit, Pacer: fmt.Sprintf("constant %g/s", offered), OfferedRate: offered,
		StartedAt: started.Add(time.Second).Format(time.RFC3339Nano), DurationSeconds: 5, ElapsedSeconds: 5,
		StatusCodes: map[string]int{}, Latency: results.Percentiles{P50: 0.4, P90: 0.9, P99: 2.1, Max: 7},
		Verdicts: []results.Verdict{{Name: "accepted rate", State: results.VerdictPassed, Message: "within 5% of the limit"}},
	}
	for sec := 0.0; sec < 5; sec += 0.5 {
		ok, limited := split(sec)
		b := results.Bucket{StartSeconds: sec, WidthSeconds: 0.5, StatusCodes: map[string]int{"200": ok / 2, "429": limited / 2},
			Latency: results.Percentiles{P50: 0.3 + sec/10, P90: 0.8 + sec/5, P99: 1.5 + sec/2}}
		b.Requests = b.StatusCodes["200"] + b.StatusCodes["429"]
		s.Timeline = append(s.Timeline, b)
		s.Requests += b.Requests
		s.StatusCodes["200"] += b.StatusCodes["200"]
		s.StatusCodes["429"] += b.StatusCodes["429"]
		s.Validated += b.Requests
	}
	s.AcceptedRate = float64(s.StatusCodes["200"]) / 5
	s.AchievedRate = float64(s.Requests) / 5
	s.Ratio429 = float64(s.StatusCodes["429"]) / float64(max(s.Requests, 1))
	return s
}
