package load

import (
	"context"
	"fmt"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/judge"
	"loginharness/internal/results"
)

// rampScenario ramps from a quarter to three times the limit.
func rampScenario() Scenario {
	return Scenario{
		Name: ScenarioRamp, Description: "A linear ramp from a quarter to three times the limit: where 429s begin, the limit and burst the server keeps, and no 429 while the load is within the limit.",
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
	duration := s.length(s.longAttack())
	pacer := vegeta.LinearPacer{StartAt: constant(from), Slope: (to - from) / duration.Seconds()}
	s.offer(fmt.Sprintf("linear %.4g/s to %.4g/s (+%.4g/s per s)", from, to, pacer.Slope), to)
	s.sum.Knee = &results.Knee{FromRate: from, Slope: pacer.Slope}
	return s.recorded(ctx, "", true, func(rec *recording) error {
		_, err := rec.attack(ctx, s, s.plan("ramp", s.static(), pacer, duration))
		return err
	})
}
