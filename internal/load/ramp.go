package load

import (
	"context"
	"fmt"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/results"
)

// rampScenario ramps from a quarter to three times the limit, then holds
// the top rate until the limiter has refused and shown its window.
func rampScenario() Scenario {
	return Scenario{
		Name: ScenarioRamp, Description: "A linear ramp from a quarter to three times the limit, held at the top until the limiter refuses and its rate can be measured: where 429s begin, the window, the limit and burst the server keeps, and no 429 while the load is within the limit.",
		Verdicts: verdicts([]string{judge.VerdictNo429UnderLimit, judge.VerdictWithinLimit}, judge.RetryAfterVerdicts), Splittable: true,
		run: ramp, judge: (*judge.Case).Ramp,
	}
}

func ramp(ctx context.Context, s *session) error {
	lim := s.endpoint.Limit.Rate
	from, to := s.endpoint.capRate(0.25*lim), s.endpoint.capRate(3*lim)
	if !s.endpoint.Limit.Expected() {
		from, to = s.endpoint.capRate(s.endpoint.MaxRate/12), s.endpoint.capRate(s.endpoint.MaxRate)
	} else if to < 1.2*s.endpoint.capRate(lim) {
		return Skipped{Reason: fmt.Sprintf("%s=%.4g leaves no room to ramp above the limit of %.4g req/s", EnvLiveMaxRate, s.endpoint.MaxRate, lim)}
	}
	climb := s.length(s.rampAttack())
	pacer := rampPacer{from: from, slope: (to - from) / climb.Seconds(), climb: climb}
	s.offer(fmt.Sprintf("linear %.4g/s to %.4g/s (+%.4g/s per s), then %.4g/s until the rate is measured", from, to, pacer.slope, to), to)
	s.sum.Knee = &results.Knee{FromRate: from, Slope: pacer.slope}
	var stop stopRule
	length := climb
	if s.until.IsZero() { // a shard keeps to the common schedule instead
		stop, length = s.untilJudged(), max(climb, s.maxDuration)
	}
	return s.recorded(ctx, "", true, func(rec *recording) error {
		plan := s.plan("ramp", s.static(), pacer, length)
		plan.observe = stop
		_, err := rec.attack(ctx, s, plan)
		return err
	})
}

// rampPacer climbs linearly from from req/s by slope req/s per second for
// climb, then holds the rate it reached: a limiter counting per minute
// refuses only once its quota is spent, which a short climb may not reach.
type rampPacer struct {
	from, slope float64
	climb       time.Duration
}

// hits is how many requests the pacer has asked for by t.
func (p rampPacer) hits(t time.Duration) float64 {
	c := min(t, p.climb).Seconds()
	h := p.from*c + p.slope*c*c/2
	if t > p.climb {
		h += p.Rate(t) * (t - p.climb).Seconds()
	}
	return h
}

// Rate is the offered rate at t.
func (p rampPacer) Rate(t time.Duration) float64 {
	return p.from + p.slope*min(t, p.climb).Seconds()
}

// Pace waits until the next request is due, as vegeta's pacers do.
func (p rampPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	expected := p.hits(elapsed)
	if float64(hits) < expected {
		return 0, false
	}
	rate := p.Rate(elapsed)
	if rate <= 0 {
		return time.Second, false
	}
	return time.Duration((float64(hits) + 1 - expected) / rate * float64(time.Second)), false
}
