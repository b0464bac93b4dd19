package load

import (
	"errors"
	"fmt"
	"io"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// Setup is what the load suite runs: a runner, the source of its
// endpoints, and, when live load is not allowed, why not.
type Setup struct {
	Runner  *Runner
	Source  Source
	Refusal error          // live load without the opt-in: every scenario is skipped with it
	Shard   *results.Shard // nil unless the run is one shard of several
}

// SetupFromEnv reads every HARNESS_* variable the load suite needs through
// getenv, as `harness run` exported them: the targets, the live-load opt-in
// and bounds, how long attacks run, and the shard. progress, when not nil,
// gets the live progress line; plan, when not nil, the plan of a live load.
func SetupFromEnv(c *contract.Contract, getenv func(string) string, now time.Time, progress, plan io.Writer) (*Setup, error) {
	tc, tcErr := target.FromEnv(getenv)
	lc, lcErr := LiveConfigFromEnv(getenv)
	opts, optsErr := RunnerOptionsFromEnv(getenv)
	shard, shardErr := ShardConfig(getenv, now)
	if err := errors.Join(tcErr, lcErr, optsErr, shardErr); err != nil {
		return nil, err
	}
	if progress != nil {
		opts = append(opts, WithProgress(progress))
	}
	if plan != nil {
		opts = append(opts, WithPlanOutput(plan))
	}
	s := &Setup{Shard: shard}
	if shard != nil {
		if !tc.Live(contract.Webex) {
			return nil, fmt.Errorf("%s shares one server's limit among shards, but %s is unset: each shard would load its own embedded mock", EnvShard, target.EnvWebexURL)
		}
		opts = append(opts, WithShard(shard))
	}
	s.Runner = NewRunner(c, opts...)
	if !tc.Live(contract.Webex) {
		s.Source = MockSource{Contract: c, Config: DefaultMockConfig(tc.MockDrifts...)}
		return s, nil
	}
	if s.Refusal = lc.Permit(true); s.Refusal != nil {
		return s, nil
	}
	e, err := LiveEndpoint(c, tc, lc)
	if err != nil {
		return nil, err
	}
	if shard != nil {
		e.ShareAmong(shard.Count)
	}
	s.Source = LiveSource{Endpoint: e}
	return s, nil
}
