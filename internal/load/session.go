package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/contract"
	"loginharness/internal/judge"
	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// session is one scenario run against one endpoint: its attacks, recorded
// into result files and the timeline, and the summary they fill.
type session struct {
	*Runner
	endpoint  *Endpoint
	scenario  Scenario
	sum       results.LoadSummary
	transport *http.Transport // shared by the scenario's attacks
	until     time.Time       // a shard's attacks end then; zero: they choose
}

func (r *Runner) newSummary(sc Scenario, info results.TargetInfo, limit results.Limit) results.LoadSummary {
	return results.LoadSummary{
		Scenario: sc.Name, Description: sc.Description, API: string(contract.Webex),
		Target: info, Limit: limit, Shard: r.shard,
		StartedAt:   time.Now().UTC().Format(time.RFC3339Nano),
		StatusCodes: map[string]int{}, Nonconforming: map[string]int{},
	}
}

// offer describes the load the scenario offers.
func (s *session) offer(pacer string, rate float64) { s.sum.Pacer, s.sum.OfferedRate = pacer, rate }

// observe notes what the run showed that is no promise.
func (s *session) observe(name, format string, args ...any) {
	s.sum.Observations = append(s.sum.Observations, results.Observation{Name: name, Message: fmt.Sprintf(format, args...)})
}

// cannotJudge notes why the run leaves a verdict without anything to
// judge it on; the judge keeps the note when it has nothing either.
func (s *session) cannotJudge(name, format string, args ...any) {
	s.sum.Verdicts = append(s.sum.Verdicts, results.Verdict{Name: name, State: results.VerdictNotJudged, Message: fmt.Sprintf(format, args...)})
}

// fileName is the Vegeta result file <scenario><suffix>.bin.
func (s *session) fileName(suffix string) string {
	return s.scenario.Name + suffix + results.VegetaSuffix
}

// stopRule sees each record of an attack as it arrives and says when the
// attack has shown enough.
type stopRule = func(timeline.Record) bool

// constantAttack is the scenario's one attack at rate for at most
// duration, recorded into <scenario>.bin and measured.
func (s *session) constantAttack(ctx context.Context, rate float64, duration time.Duration, stop stopRule) error {
	return s.recorded(ctx, "", true, func(rec *recording) error {
		plan := s.plan("main", s.static(), constant(rate), duration)
		plan.observe = stop
		_, err := rec.attack(ctx, s, plan)
		return err
	})
}

// recorded runs attacks into the result file <scenario><suffix>.bin, then
// closes it and adds its tallies to the summary; measured makes its
// Vegeta metrics the summary's.
func (s *session) recorded(ctx context.Context, suffix string, measured bool, attacks func(*recording) error) error {
	rec, err := s.newRecording(s.fileName(suffix), s.endpoint.Info.URL, s.endpoint.secrets)
	if err != nil {
		return err
	}
	err = errors.Join(attacks(rec), s.finish(rec))
	if measured {
		measureMetrics(&s.sum, &rec.metrics)
	}
	return err
}

// measureMetrics sets the figures of the load generator's own: the rate
// it achieved, how long the attack took, the latency percentiles.
func measureMetrics(sum *results.LoadSummary, m *vegeta.Metrics) {
	sum.AchievedRate = m.Rate
	sum.ElapsedSeconds = (m.Duration + m.Wait).Seconds()
	sum.Latency = results.Percentiles{
		Mean: results.Milliseconds(m.Latencies.Mean), P50: results.Milliseconds(m.Latencies.P50), P90: results.Milliseconds(m.Latencies.P90),
		P95: results.Milliseconds(m.Latencies.P95), P99: results.Milliseconds(m.Latencies.P99), Max: results.Milliseconds(m.Latencies.Max),
	}
}

// finish closes rec and adds its file and contract tallies to the summary.
func (s *session) finish(rec *recording) error {
	validated, byCheck, err := rec.close()
	s.sum.Files = append(s.sum.Files, rec.file)
	s.sum.Validated += validated
	for k, n := range byCheck {
		s.sum.Nonconforming[k] += n
	}
	if s.sum.Conforming == nil {
		s.sum.Conforming = map[string]int{}
	}
	for k, n := range rec.conforming() {
		s.sum.Conforming[k] += n
	}
	return err
}

// untilJudged stops an attack once it is long enough to judge the rate: at
// least the base duration, and, by default, as soon as the rate verdicts
// have the evidence they need (judge.Evidence: the fewest windows that
// suffice for the limiter seen); with a number of windows set, a steady
// stretch after the first Retry-After of that many windows, a window being
// the limiter's time scale as the timeline shows it. Without a 429 it runs
// to its end.
func (s *session) untilJudged() stopRule {
	var start, steady, checked time.Time
	var recs []timeline.Record
	window := s.window()
	return func(rc timeline.Record) bool {
		if start.IsZero() || rc.Sent.Before(start) {
			start = rc.Sent
		}
		recs = append(recs, rc)
		window = timeline.Window([]timeline.Record{rc}, window, true)
		if rc.Status == 429 && steady.IsZero() {
			wait := s.fallback
			if rc.RetryAfter.Usable() {
				wait = rc.RetryAfter.Wait
			}
			steady = rc.Received().Add(wait)
		}
		now := rc.Received()
		if steady.IsZero() || now.Sub(start) < s.duration || now.Before(steady) {
			return false
		}
		if s.windows > 0 {
			return now.Sub(steady) >= time.Duration(s.windows)*window
		}
		// Measuring is linear in the records: a few times a second is enough.
		if now.Sub(checked) < evidenceEvery {
			return false
		}
		checked = now
		timeline.SortBySent(recs)
		return judge.Evidence(recs, s.endpoint.Limit.Rate, s.fallback).Enough
	}
}

// evidenceEvery is how often an attack asks whether it has shown enough.
const evidenceEvery = 250 * time.Millisecond

// shortAttack is how long each client of the comparison runs: two windows,
// one to spend the quota and one to wait out the Retry-After.
func (s *session) shortAttack() time.Duration {
	return min(s.maxDuration, max(s.duration, 2*s.window()))
}

// rampAttack is how long the ramp climbs to its top rate: a window of the
// limiter as far as it is known, at least twice the base duration. It then
// holds the top rate until the rate verdicts can judge.
func (s *session) rampAttack() time.Duration {
	return min(s.maxDuration, max(2*s.duration, s.window()))
}

// window is the limiter's window: the one the user declared, or the one
// the run has shown so far, whichever is longer.
func (s *session) window() time.Duration { return max(s.declaredWindow, s.endpoint.window()) }

// length is how long an attack may run: d, or in a shard, until the
// common schedule's slot ends, whatever d says.
func (s *session) length(d time.Duration) time.Duration {
	if s.until.IsZero() {
		return d
	}
	return max(0, time.Until(s.until))
}

// static targets the valid login, again and again.
func (s *session) static() vegeta.Targeter { return vegeta.NewStaticTargeter(s.endpoint.login) }

// constant is Vegeta's constant pacer at rate req/s, fractions included.
func constant(rate float64) vegeta.ConstantPacer {
	if r := math.Round(rate); r >= 1 && math.Abs(rate-r) < 1e-9 {
		return vegeta.ConstantPacer{Freq: int(r), Per: time.Second}
	}
	return vegeta.ConstantPacer{Freq: 1, Per: time.Duration(float64(time.Second) / rate)}
}

// plan is an attack of at most duration, within this session's bounds.
func (s *session) plan(name string, tr vegeta.Targeter, p vegeta.Pacer, duration time.Duration) attackPlan {
	return attackPlan{name: name, targeter: tr, pacer: p, duration: duration, maxRequests: s.maxRequests}
}

// sleepUntil waits for t or ctx, whichever comes first.
func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
