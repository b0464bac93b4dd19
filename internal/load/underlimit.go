package load

import (
	"context"
	"fmt"

	"loginharness/internal/judge"
)

// underLimitScenario offers half the limit: nothing may be refused.
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
	return s.constantAttack(ctx, rate, s.length(s.duration), nil)
}
