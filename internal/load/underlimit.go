package load

import (
	"context"
	"fmt"

	"loginharness/internal/judge"
)

// underLimitScenario offers half the limit for two windows, or the base
// duration if longer: nothing may be refused. A limiter counting per
// window refuses only once a window's quota is spent, so a shorter run
// would say nothing.
func underLimitScenario() Scenario {
	return Scenario{
		Name: ScenarioUnderLimit, Description: "Half the limit: no request is refused while the load stays within the limit, no 5xx.",
		Verdicts: verdicts([]string{judge.VerdictNo429UnderLimit}), Splittable: true,
		run: underLimit, judge: (*judge.Case).Refusals,
	}
}

func underLimit(ctx context.Context, s *session) error {
	rate := s.endpoint.capRate(0.5 * s.endpoint.Limit.Rate)
	s.offer(fmt.Sprintf("constant %.4g/s", rate), rate)
	return s.constantAttack(ctx, rate, s.length(min(s.maxDuration, max(s.duration, 2*s.window()))), nil)
}
