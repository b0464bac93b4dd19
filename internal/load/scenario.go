package load

import (
	"context"
	"fmt"

	"loginharness/internal/judge"
	"loginharness/internal/timeline"
)

// Scenario is one load experiment against the Webex login, the one
// operation whose spec documents 429: what it sends, and the verdicts it
// asks the judge for.
type Scenario struct {
	Name        string // file-safe, e.g. "over-limit"
	Description string
	// Verdicts names every promise the scenario judges, in the order it
	// reports them; a run that cannot judge one says so in its state.
	Verdicts []string
	// Splittable tells whether the scenario's load can be split among
	// shards that share one limit; the others need a client alone with the
	// server, and in a sharded run shard 0 runs them after the rest.
	Splittable bool
	// MockRate and MockBurst, when set, are the limit the scenario's
	// in-process mock enforces instead of the source's.
	MockRate  float64
	MockBurst int

	// run sends the load, recording it into the timeline; judge asks for
	// the scenario's verdicts, whether the records were sent here or
	// merged from the files of several shards.
	run   func(ctx context.Context, s *session) error
	judge func(c *judge.Case)
	// judged picks the parts of the scenario its verdicts are about; nil:
	// all of them.
	judged func(timeline.Part) bool
}

// The scenario names.
const (
	ScenarioUnderLimit = "under-limit"
	ScenarioOverLimit  = "over-limit"
	ScenarioHonesty    = "retry-after-honesty"
	ScenarioObeying    = "obeying-client"
	ScenarioRamp       = "ramp"
)

// verdicts lists the names of a scenario's verdicts, the common ones last.
func verdicts(names ...[]string) []string {
	var out []string
	for _, n := range names {
		out = append(out, n...)
	}
	return append(out, judge.Common...)
}

// Scenarios lists every scenario in the order they are best run. The ramp
// comes first: without an expected limit it measures the limit the others
// offer their load against.
func Scenarios() []Scenario {
	return []Scenario{rampScenario(), underLimitScenario(), overLimitScenario(), honestyScenario(), obeyingScenario()}
}

// ScenarioNamed finds a scenario by name.
func ScenarioNamed(name string) (Scenario, bool) {
	for _, sc := range Scenarios() {
		if sc.Name == name {
			return sc, true
		}
	}
	return Scenario{}, false
}

// mine tells the records a scenario's verdicts are about.
func (sc Scenario) mine(rc timeline.Record) bool {
	return rc.Part.Scenario() == sc.Name && (sc.judged == nil || sc.judged(rc.Part))
}

// over is the offered rate k times the limit, within the live cap (a
// shard's share of it); it refuses when the cap leaves no room above the
// limit.
func (s *session) over(k float64) (float64, error) {
	rate := s.endpoint.capRate(k * s.endpoint.Limit.Rate)
	if rate < 1.2*s.endpoint.capRate(s.endpoint.Limit.Rate) {
		return 0, Skipped{Reason: fmt.Sprintf("%s=%.4g leaves no room above the limit of %.4g req/s (%s)",
			EnvLiveMaxRate, s.endpoint.MaxRate, s.endpoint.Limit.Rate, s.endpoint.Limit.Source)}
	}
	return rate, nil
}
