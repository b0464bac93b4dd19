package load

import (
	"testing"

	"loginharness/internal/judge"
	"loginharness/internal/mock"
	"loginharness/internal/results"
)

// TestDriftsFailTheRightScenario is the meta-test: each Retry-After drift of
// the mock must fail the verdict made to catch it, through the very code
// the suite runs, and that verdict must pass on the faithful mock.
func TestDriftsFailTheRightScenario(t *testing.T) {
	t.Parallel()
	cases := []struct {
		drift    mock.Drift
		scenario string
		verdict  string
	}{
		{mock.DriftMissingRetryAfter, ScenarioOverLimit, judge.VerdictRetryAfterPresent},
		{mock.DriftUnparsableRetryAfter, ScenarioOverLimit, judge.VerdictRetryAfterSyntax},
		{mock.DriftShortRetryAfter, ScenarioHonesty, judge.VerdictServedAtRetryAfter},
	}
	for _, tc := range cases {
		t.Run(string(tc.drift), func(t *testing.T) {
			t.Parallel()
			drifted := verdict(t, runScenario(t, tc.scenario, tc.drift), tc.verdict)
			if drifted.State != results.VerdictFailed {
				t.Errorf("%s with drift %s: %s passed: %s", tc.scenario, tc.drift, tc.verdict, drifted.Message)
			}
			faithful := verdict(t, runScenario(t, tc.scenario), tc.verdict)
			if faithful.State != results.VerdictPassed {
				t.Errorf("%s on the faithful mock: %s failed: %s", tc.scenario, tc.verdict, faithful.Message)
			}
		})
	}
}
