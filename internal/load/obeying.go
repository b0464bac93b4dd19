package load

import (
	"context"
	"fmt"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// obeyingScenario sets a client that obeys Retry-After beside a naive one.
// The naive client goes first and spends the limit, so the obeying client
// starts as a real one sharing a key with others does: refused, told when
// to come back. Its verdicts are about its own requests. On the mock the
// limit has a burst of one, as a strict server's may: a client paced at
// the limit then meets the 429s network jitter brings, and obeys them.
func obeyingScenario() Scenario {
	return Scenario{
		Name: ScenarioObeying, Description: "A client that obeys Retry-After and paces itself, starting where a naive client left the limit spent: each first request after a Retry-After is served; its goodput is set beside the naive client's.",
		Verdicts: verdicts(judge.RetryAfterVerdicts[:2], []string{judge.VerdictServedAtRetryAfter}),
		MockRate: 20, MockBurst: 2,
		run: obeying,
		judge: func(c *judge.Case) {
			c.Promised()
			c.CompareClients()
		},
		judged: func(p timeline.Part) bool { return p.Attack() == obeyingAttack },
	}
}

// The attacks of the client comparison.
const (
	obeyingAttack = "obeying"
	naiveAttack   = "naive"
)

func obeying(ctx context.Context, s *session) error {
	rate, err := s.over(3)
	if err != nil {
		return err
	}
	duration := s.shortAttack()
	s.offer(fmt.Sprintf("constant %.4g/s arrivals (open model)", rate), rate)
	var naiveRecs, obeyRecs []timeline.Record
	began := time.Now()
	pace := s.pacing()
	client := newObeyingClient(s.endpoint.login, rate, duration, s.fallback, pace)
	// The obeying client starts the moment the naive one stops: its result
	// file is closed only afterwards, so nothing lets the limit recover
	// between them.
	err = s.recorded(ctx, "."+naiveAttack, false, func(rec *recording) error {
		var err error
		if naiveRecs, err = rec.attack(ctx, s, s.plan(naiveAttack, s.static(), constant(rate), duration)); err != nil {
			return err
		}
		return s.recorded(ctx, "."+obeyingAttack, true, func(rec *recording) error {
			plan := s.plan(obeyingAttack, client.Targeter, client, duration)
			plan.observe = client.observe
			client.start(ctx)
			var err error
			obeyRecs, err = rec.attack(ctx, s, plan)
			return err
		})
	})
	naive := s.clientRun(naiveRecs, began, duration)
	naive.OfferedRate, naive.Offered = rate, len(naiveRecs)
	obey := s.clientRun(obeyRecs, client.began, duration)
	obey.OfferedRate, obey.Offered = rate, client.offered()
	obey.Deferred, obey.Pending = client.outcome()
	obey.PacedRate, obey.PaceSource = client.pacedRate(), pace.source
	obey.File, naive.File = s.fileName("."+obeyingAttack), s.fileName("."+naiveAttack)
	s.sum.Clients = &results.Clients{Obeying: obey, Naive: naive}
	return err
}

// clientRun is a client's account of its attack.
func (s *session) clientRun(recs []timeline.Record, began time.Time, duration time.Duration) results.ClientRun {
	return judge.ClientRun(recs, began, duration, s.endpoint.Limit.Rate, s.fallback)
}

// pacing is the rate the obeying client keeps to: the declared policy
// wins when the server sends one, then the limit someone promised, else
// the client finds a rate itself.
func (s *session) pacing() pace {
	if lim := s.endpoint.Limit; lim.Expected() {
		return pace{rate: lim.Rate, source: results.PaceExpected}
	}
	return pace{source: results.PaceFound}
}
