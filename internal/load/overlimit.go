package load

import (
	"context"
	"fmt"

	"loginharness/internal/judge"
)

// overLimitScenario offers three times the limit for many windows.
func overLimitScenario() Scenario {
	return Scenario{
		Name: ScenarioOverLimit, Description: "Three times the limit for many windows: the long-run accepted rate, burst left out, is the limit, and every 429 says when to come back.",
		Verdicts:   verdicts([]string{judge.VerdictWithinLimit, judge.VerdictAtLimit}, judge.RetryAfterVerdicts, []string{judge.VerdictRateLimitFields, judge.VerdictDeclaredLimit}),
		Splittable: true, run: overLimit, judge: (*judge.Case).OverLimit,
	}
}

func overLimit(ctx context.Context, s *session) error {
	rate, err := s.over(3)
	if err != nil {
		return err
	}
	s.offer(fmt.Sprintf("constant %.4g/s", rate), rate)
	var stop stopRule
	if s.until.IsZero() { // a shard keeps to the common schedule instead
		stop = s.untilJudged()
	}
	return s.constantAttack(ctx, rate, s.length(s.maxDuration), stop)
}
