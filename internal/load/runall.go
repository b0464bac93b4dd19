package load

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"loginharness/internal/results"
)

// Outcome is what became of one scenario: its summary, or why it has none
// (Skipped, ctx's error, an output error).
type Outcome struct {
	Scenario Scenario
	Summary  results.LoadSummary
	Err      error
}

// RunAll runs scenarios against src and returns their outcomes in the
// same order. Scenarios that each get a server of their own run side by
// side, so a run on the mock takes as long as its longest scenario; on a
// shared server they run one after another, each waiting for the quota its
// predecessor spent and learning from it.
func (r *Runner) RunAll(ctx context.Context, src Source, scenarios []Scenario) []Outcome {
	if r.shard != nil {
		return r.runShard(ctx, src, scenarios)
	}
	out := make([]Outcome, len(scenarios))
	if !src.Independent() {
		return r.runInOrder(ctx, src, scenarios)
	}
	quiet := *r
	quiet.progress = nil // one progress line per attack reads badly when they overlap
	if r.progress != nil {
		fmt.Fprintf(r.progress, "load: %d scenarios side by side, each on a mock of its own\n", len(scenarios))
	}
	var wg sync.WaitGroup
	for i, sc := range scenarios {
		wg.Go(func() { out[i] = quiet.runOne(ctx, src, sc) })
	}
	wg.Wait()
	return out
}

// runInOrder runs scenarios one after another against a shared server,
// announcing the plan before the first (unless the set-up has) and again
// once the ramp has found the window; a plan that the user asked to stop
// on skips the rest.
func (r *Runner) runInOrder(ctx context.Context, src Source, scenarios []Scenario) []Outcome {
	out := make([]Outcome, len(scenarios))
	var stopped error
	for i, sc := range scenarios {
		if i == 0 {
			stopped = r.announceFor(ctx, src, sc)
		}
		if stopped != nil {
			out[i] = Outcome{Scenario: sc, Err: stopped}
			continue
		}
		out[i] = r.runOne(ctx, src, sc)
		if sc.Name == ScenarioRamp {
			stopped = r.replanFor(ctx, src, sc)
		}
	}
	return out
}

// announceFor announces the plan for src's endpoint, unless the set-up
// has; a plan the user asked to stop on skips the run.
func (r *Runner) announceFor(ctx context.Context, src Source, sc Scenario) error {
	var err error
	switch {
	case r.planned != nil && r.stopIfUnjudged && !r.planned.Judges():
		err = &PlanError{Plan: *r.planned}
	case r.planned == nil:
		e, openErr := src.Open(ctx, sc)
		if openErr != nil {
			return nil // runOne reports it
		}
		err = r.announce(e)
	}
	var pe *PlanError
	if errors.As(err, &pe) {
		return Skipped{Reason: "stopped before the load: " + pe.Error()}
	}
	return err
}

// replanFor makes the plan again for src's endpoint after the ramp.
func (r *Runner) replanFor(ctx context.Context, src Source, sc Scenario) error {
	e, err := src.Open(ctx, sc)
	if err != nil {
		return nil
	}
	return r.replan(e)
}

// Budget bounds how long RunAll of n scenarios may take, one after
// another: each scenario's attacks (the client comparison runs two), the
// Retry-After waits before and inside them, and the writing.
func (r *Runner) Budget(n int) time.Duration {
	return time.Duration(n) * (3*r.maxDuration + 3*r.maxWait + time.Minute)
}

func (r *Runner) runOne(ctx context.Context, src Source, sc Scenario) Outcome {
	return r.runAt(ctx, src, sc, time.Time{})
}

// runAt opens sc's endpoint and runs sc, its attacks ending at until when
// it is set.
func (r *Runner) runAt(ctx context.Context, src Source, sc Scenario, until time.Time) Outcome {
	e, err := src.Open(ctx, sc)
	if err != nil {
		return Outcome{Scenario: sc, Err: err}
	}
	defer e.Close()
	sum, err := r.run(ctx, sc, e, until)
	return Outcome{Scenario: sc, Summary: sum, Err: err}
}
