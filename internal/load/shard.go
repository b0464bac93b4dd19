package load

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// A limit shared by several clients (per organisation, per token used by
// many) or keyed by client address can only be probed from several
// places at once. A sharded run is N harness processes, each offering
// 1/N of every load, on one schedule: the shared scenarios start at the
// same instants in every shard and last as long, so their loads overlap
// at the server. No shard judges the shared limit alone; `harness report`
// merges their results and judges them together. Shard 0 runs the
// conformance suite and the scenarios that need a client alone with the
// server, once the shared load is over.

// The variables of a sharded run.
const (
	EnvShard      = "HARNESS_SHARD"
	EnvShardStart = "HARNESS_SHARD_START"
	EnvRunID      = "HARNESS_RUN_ID"
)

// MaxShards bounds N in HARNESS_SHARD=I/N.
const MaxShards = 256

// The default start of a sharded run: the first whole minute at least
// shardLead away, so that shards launched within a few seconds of each
// other most likely pick the same one; HARNESS_SHARD_START makes it sure.
const (
	shardSlot = time.Minute
	shardLead = 15 * time.Second
)

// ShardConfig reads the sharding variables through getenv; nil when the
// run is not sharded. Every bad value is reported at once, naming its
// variable.
func ShardConfig(getenv func(string) string, now time.Time) (*results.Shard, error) {
	raw := strings.TrimSpace(getenv(EnvShard))
	start := strings.TrimSpace(getenv(EnvShardStart))
	id := strings.TrimSpace(getenv(EnvRunID))
	if raw == "" {
		if start != "" || id != "" {
			return nil, fmt.Errorf("%s and %s only apply to a sharded run: set %s=I/N too", EnvShardStart, EnvRunID, EnvShard)
		}
		return nil, nil
	}
	index, count, err := ParseShard(raw)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", EnvShard, raw, err)
	}
	sh := &results.Shard{Index: index, Count: count, RunID: id}
	if start == "" {
		sh.Start = now.Add(shardLead).Truncate(shardSlot)
		if sh.Start.Before(now.Add(shardLead)) {
			sh.Start = sh.Start.Add(shardSlot)
		}
	} else if sh.Start, err = time.Parse(time.RFC3339, start); err != nil {
		return nil, fmt.Errorf("%s=%q: want an RFC 3339 time, e.g. 2026-12-01T02:00:00Z", EnvShardStart, start)
	}
	sh.Start = sh.Start.UTC()
	if sh.RunID == "" {
		sh.RunID = fmt.Sprintf("shards-%s-of-%d", sh.Start.Format("20060102T150405Z"), count)
	}
	return sh, nil
}

// ParseShard reads "I/N": shard I of N, numbered from 0 as a Kubernetes
// Indexed Job numbers its pods (JOB_COMPLETION_INDEX).
func ParseShard(s string) (index, count int, err error) {
	i, n, ok := strings.Cut(s, "/")
	index, ierr := strconv.Atoi(strings.TrimSpace(i))
	count, nerr := strconv.Atoi(strings.TrimSpace(n))
	switch {
	case !ok || ierr != nil || nerr != nil:
		return 0, 0, fmt.Errorf("want I/N, shard I of N, e.g. 0/3")
	case count < 1 || count > MaxShards:
		return 0, 0, fmt.Errorf("the shard count must be from 1 to %d", MaxShards)
	case index < 0 || index >= count:
		return 0, 0, fmt.Errorf("shards are numbered from 0: %d/%d is out of range; use 0/%d to %d/%d", index, count, count, count-1, count)
	}
	return index, count, nil
}

// runShard runs this shard's part of a sharded run: the shared scenarios
// on the common schedule, then, on shard 0 alone, the others.
func (r *Runner) runShard(ctx context.Context, src Source, scenarios []Scenario) []Outcome {
	out := make([]Outcome, len(scenarios))
	if live, ok := src.(LiveSource); ok {
		if err := writeTraffic(results.LoadDir(r.outDir), live.Endpoint.Info.URL); err != nil {
			for i, sc := range scenarios {
				out[i] = Outcome{Scenario: sc, Err: err}
			}
			return out
		}
	}
	slot := r.shard.Start
	for i, sc := range scenarios {
		if !sc.Splittable {
			continue
		}
		end := slot.Add(r.shardAttack(sc))
		if err := sleepUntil(ctx, slot); err != nil {
			out[i] = Outcome{Scenario: sc, Err: err}
			continue
		}
		out[i] = r.runAt(ctx, src, sc, end)
		// The next slot leaves every shard time to wait out the quota
		// this one spent.
		slot = end.Add(r.maxWait)
	}
	for i, sc := range scenarios {
		switch {
		case sc.Splittable:
		case r.shard.Index != 0:
			out[i] = Outcome{Scenario: sc, Err: Skipped{Reason: fmt.Sprintf("shard %s: a scenario for one client alone, run by shard 0 once the shared load is over", shardText(r.shard))}}
		default:
			if err := sleepUntil(ctx, slot); err != nil {
				out[i] = Outcome{Scenario: sc, Err: err}
				continue
			}
			out[i] = r.runAt(ctx, src, sc, time.Time{})
		}
	}
	return out
}

// shardAttack is how long a shared scenario's load lasts in every shard:
// fixed, so that the shards' loads overlap from start to end.
func (r *Runner) shardAttack(sc Scenario) time.Duration {
	if sc.Name == ScenarioUnderLimit {
		return r.duration
	}
	windows := r.windows
	if windows == 0 {
		windows = ShardWindows
	}
	return max(2*r.duration, time.Duration(windows+2)*timeline.MinWindow)
}

func shardText(sh *results.Shard) string { return fmt.Sprintf("%d/%d", sh.Index, sh.Count) }
