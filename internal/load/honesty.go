package load

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// honestyScenario spends the limit, then probes a Retry-After.
func honestyScenario() Scenario {
	return Scenario{
		Name: ScenarioHonesty, Description: "Retry-After tells the truth: after the limit is spent, a request sent once Retry-After has passed is served.",
		Verdicts: verdicts(judge.RetryAfterVerdicts[:2], []string{judge.VerdictServedAtRetryAfter}), MockRate: 0.5, MockBurst: 1,
		run: honesty, judge: (*judge.Case).Promised,
	}
}

// probeSlack is how long after Retry-After the on-time probe goes: the
// server counts from sending, the client from receiving, so only clock
// granularity is left to absorb.
const probeSlack = 10 * time.Millisecond

// honesty spends the limit, then sends one request once Retry-After has
// passed: the judge holds the server to it. When Retry-After leaves room
// for it, it then spends the limit again and sends one request half-way
// through the wait, to report whether the server refuses before its time
// (it may serve sooner than it said: that is no broken promise).
func honesty(ctx context.Context, s *session) error {
	rate, err := s.over(3)
	if err != nil {
		return err
	}
	s.offer(fmt.Sprintf("constant %.4g/s until a 429, then single probes", rate), rate)
	return s.recorded(ctx, "", true, func(rec *recording) error { return s.probeHonesty(ctx, rec, rate) })
}

func (s *session) probeHonesty(ctx context.Context, rec *recording, rate float64) error {
	told, err := s.exhaust(ctx, rec, rate)
	if err != nil || told == nil {
		return err
	}
	promise := told.RetryAfter.Wait
	if _, err := s.probe(ctx, rec, "at Retry-After", "served", told, promise+probeSlack); err != nil {
		return err
	}
	if promise < 2*time.Second {
		s.observe(judge.ObservedRefusedBefore, "not probed: a Retry-After of %s leaves no instant clearly earlier than it (delay-seconds are whole seconds)", promise)
		return nil
	}
	if told, err = s.exhaust(ctx, rec, rate); err != nil || told == nil {
		return err
	}
	promise = told.RetryAfter.Wait
	early, err := s.probe(ctx, rec, "half of Retry-After", "429", told, promise/2)
	if err != nil {
		return err
	}
	what := "refused, as Retry-After said"
	if early.Status >= 200 && early.Status < 300 {
		what = "served: the server lets clients back sooner than it says, which it may"
	}
	s.observe(judge.ObservedRefusedBefore, "a request %.1fs into a Retry-After of %.0fs got %s: %s", early.WaitedSeconds, promise.Seconds(), statusText(early.Status), what)
	return nil
}

// exhaust sends at rate until the first 429 and returns the refusal whose
// Retry-After ends last: the promise to probe. Requests in flight when the
// 429 came may be served, which would stand between the promise and the
// probe; single requests follow until the last one sent is refused. It
// returns nil when there is nothing to probe, with the reason noted.
func (s *session) exhaust(ctx context.Context, rec *recording, rate float64) (*timeline.Record, error) {
	plan := s.plan(fmt.Sprintf("exhaust-%d", len(s.sum.Probes)+1), s.static(), constant(rate), s.maxDuration)
	plan.observe = func(rc timeline.Record) bool { return rc.Status == 429 }
	recs, err := rec.attack(ctx, s, plan)
	for nudge := 0; err == nil && len(recs) > 0 && timeline.LastSentRecord(recs).Status != 429 && nudge < maxNudges; nudge++ {
		var one []timeline.Record
		one, err = rec.attack(ctx, s, s.plan(plan.name+"-again", s.static(), atOnce{}, s.maxWait))
		recs = append(recs, one...)
	}
	if err != nil {
		return nil, err
	}
	told, found := timeline.LatestPromise(recs)
	switch {
	case found && timeline.LastSentRecord(recs).Status != 429:
		s.cannotJudge(judge.VerdictServedAtRetryAfter, "after its first 429 the server served %d single requests in a row: no quiet moment to check a Retry-After from", maxNudges)
		return nil, nil
	case found && time.Until(told.Deadline()) > s.maxWait:
		return nil, Skipped{Reason: fmt.Sprintf("Retry-After of %s is longer than the %s the harness waits", told.RetryAfter.Wait, s.maxWait)}
	case found:
		return &told, nil
	}
	if _, refused := timeline.First429(recs); refused {
		s.cannotJudge(judge.VerdictServedAtRetryAfter, "no 429 carried a usable Retry-After: no promise to check")
	} else {
		s.cannotJudge(judge.VerdictServedAtRetryAfter, "no 429 within %s at %.4g req/s: nothing to check", s.maxDuration, rate)
	}
	return nil, nil
}

// maxNudges bounds the single requests exhaust sends after its attack.
const maxNudges = 5

// probe sends one request once waited has passed since told was received,
// and notes it.
func (s *session) probe(ctx context.Context, rec *recording, name, want string, told *timeline.Record, waited time.Duration) (results.Probe, error) {
	if err := sleepUntil(ctx, told.Received().Add(waited)); err != nil {
		return results.Probe{}, err
	}
	got, err := rec.attack(ctx, s, s.plan(name, s.static(), atOnce{}, s.maxWait))
	p := results.Probe{Name: name, RetryAfterSeconds: told.RetryAfter.Wait.Seconds(), Want: want}
	if len(got) > 0 {
		p.Status, p.WaitedSeconds = got[0].Status, got[0].Sent.Sub(told.Received()).Seconds()
	}
	s.sum.Probes = append(s.sum.Probes, p)
	return p, err
}

// atOnce is a pacer of one request, sent at once: Vegeta's constant pacer
// would wait one interval first.
type atOnce struct{}

func (atOnce) Pace(_ time.Duration, hits uint64) (time.Duration, bool) { return 0, hits > 0 }
func (atOnce) Rate(time.Duration) float64                              { return 0 }

func statusText(code int) string {
	if code == 0 {
		return "a transport error"
	}
	return fmt.Sprintf("%d %s", code, http.StatusText(code))
}
