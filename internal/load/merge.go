package load

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/contract"
	"loginharness/internal/judge"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/timeline"
)

// ShardInput is one shard's output folder as Merge reads it.
type ShardInput struct {
	Dir       string // the folder a shard ran with --out
	Summaries []results.LoadSummary
}

// ReadShard reads the load summaries of one shard's output folder.
func ReadShard(dir string) (ShardInput, error) {
	sums, err := results.ReadLoadSummaries(results.LoadDir(dir))
	if err != nil {
		return ShardInput{Dir: dir}, err
	}
	if len(sums) == 0 {
		return ShardInput{Dir: dir}, fmt.Errorf("%s: no load summary", dir)
	}
	for _, s := range sums {
		if s.Shard == nil || s.Shard.Index < 0 {
			return ShardInput{Dir: dir}, fmt.Errorf("%s: %s is not a shard's summary", dir, s.Scenario)
		}
	}
	return ShardInput{Dir: dir, Summaries: sums}, nil
}

// Merge judges the shards of one sharded run together, as the server saw
// them: each shared scenario from the Vegeta results of every shard taken
// as one run, over the stretch where all their loads overlapped, against
// the run's limit, with everything every shard sent the server (its
// preflight and conformance traffic, the other scenarios) as the timeline
// around them; each scenario for one client from shard 0's summary.
// The shards must be of one run (the same run id and count); a missing
// one leaves the merged summaries incomplete, saying which. Merge reads
// the shards' files and writes nothing.
func Merge(c *contract.Contract, shards []ShardInput, opts ...Option) ([]results.LoadSummary, error) {
	if len(shards) == 0 {
		return nil, errors.New("load: no shard to merge")
	}
	run := *shards[0].Summaries[0].Shard
	missing, err := checkShards(shards, run)
	if err != nil {
		return nil, err
	}
	all, damaged := readShardTimelines(shards)
	r := NewRunner(c, opts...)
	run.Index = -1
	var out []results.LoadSummary
	var errs []error
	for _, sc := range Scenarios() {
		parts := partsOf(shards, sc.Name)
		if len(parts) == 0 {
			continue
		}
		if err := damaged[sc.Name]; err != nil {
			errs = append(errs, err)
			continue
		}
		merged, err := r.merge(sc, parts, all)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		merged.Shard = &run
		switch lost := lostBefore(parts[0].summary, shards, damaged); {
		case len(missing) > 0:
			merged.Incomplete = true
			merged.IncompleteReason = fmt.Sprintf("shards %v of %d are missing: the server took load this merge cannot see", missing, run.Count)
		case damaged[""] != nil:
			merged.Incomplete = true
			merged.IncompleteReason = "a shard's traffic before its load could not be read: the traffic around it is not all known"
		case lost != "":
			merged.Incomplete = true
			merged.IncompleteReason = fmt.Sprintf("the results of %s, sent before it, could not be read: the traffic around it is not all known", lost)
		}
		out = append(out, merged)
	}
	return out, errors.Join(append(errs, damaged[""])...)
}

// lostBefore names a scenario sent before sum's whose results could not
// be read, "" when none.
func lostBefore(sum results.LoadSummary, shards []ShardInput, damaged map[string]error) string {
	for _, in := range shards {
		for _, s := range in.Summaries {
			if damaged[s.Scenario] != nil && s.StartedAt < sum.StartedAt {
				return s.Scenario
			}
		}
	}
	return ""
}

// checkShards checks that the shards are of one run, each once, and
// returns the indices of those missing.
func checkShards(shards []ShardInput, run results.Shard) ([]int, error) {
	seen := map[int]string{}
	for _, in := range shards {
		sh := in.Summaries[0].Shard
		if sh.RunID != run.RunID || sh.Count != run.Count {
			return nil, fmt.Errorf("%s is shard %d/%d of run %s, not of run %s (%d shards): merge the shards of one run",
				in.Dir, sh.Index, sh.Count, sh.RunID, run.RunID, run.Count)
		}
		if other, dup := seen[sh.Index]; dup {
			return nil, fmt.Errorf("%s and %s are both shard %d/%d", other, in.Dir, sh.Index, sh.Count)
		}
		seen[sh.Index] = in.Dir
	}
	var missing []int
	for i := range run.Count {
		if _, ok := seen[i]; !ok {
			missing = append(missing, i)
		}
	}
	return missing, nil
}

// shardPart is one shard's run of one scenario.
type shardPart struct {
	dir     string
	summary results.LoadSummary
}

func partsOf(shards []ShardInput, scenario string) []shardPart {
	var parts []shardPart
	for _, in := range shards {
		for _, s := range in.Summaries {
			if s.Scenario == scenario {
				parts = append(parts, shardPart{dir: in.Dir, summary: s})
			}
		}
	}
	slices.SortFunc(parts, func(a, b shardPart) int { return a.summary.Shard.Index - b.summary.Shard.Index })
	return parts
}

// readShardTimelines reads everything the shards sent the server: every
// scenario's results and each shard's traffic before its load. A file
// that cannot be read is left out and named by its scenario ("" for the
// traffic before the load).
func readShardTimelines(shards []ShardInput) ([]timeline.Record, map[string]error) {
	var all []timeline.Record
	damaged := map[string]error{}
	var rr target.RecordReader
	for _, in := range shards {
		dir := results.LoadDir(in.Dir)
		for _, sum := range in.Summaries {
			got, err := readResults(dir, sum.Files)
			if err != nil {
				damaged[sum.Scenario] = errors.Join(damaged[sum.Scenario], fmt.Errorf("%s: %s: %w", in.Dir, sum.Scenario, err))
				continue
			}
			for i := range got {
				all = append(all, newRecord(&rr, &got[i], loadPartOf(sum.Scenario, got[i].Attack), nil))
			}
		}
		traffic, err := readTraffic(dir)
		if err != nil {
			damaged[""] = errors.Join(damaged[""], fmt.Errorf("%s: %w", in.Dir, err))
		}
		all = append(all, traffic...)
	}
	return all, damaged
}

// loadPartOf is the part a scenario's result was sent by, as its attack
// name says; results written before parts were named are its main attack.
func loadPartOf(scenario, attack string) timeline.Part {
	if p := timeline.Part(attack); p.Scenario() == scenario {
		return p
	}
	return timeline.LoadPart(scenario, "main")
}

// merge judges one scenario from its shards' parts, with all as the
// timeline around them.
func (r *Runner) merge(sc Scenario, parts []shardPart, all []timeline.Record) (results.LoadSummary, error) {
	if !sc.Splittable {
		// Run by shard 0 alone: its judgement stands.
		return parts[0].summary, nil
	}
	base := parts[0].summary
	sum := r.newSummary(sc, base.Target, base.Limit)
	var mine []vegeta.Result
	var spans [][2]time.Time
	for _, p := range parts {
		got, err := readResults(results.LoadDir(p.dir), p.summary.Files)
		if err != nil {
			return results.LoadSummary{}, fmt.Errorf("%s: %s: %w", p.dir, sc.Name, err)
		}
		if len(got) > 0 {
			spans = append(spans, [2]time.Time{got[0].Timestamp, got[len(got)-1].Timestamp})
		}
		mine = append(mine, got...)
		addTallies(&sum, p.summary)
	}
	n := float64(len(parts))
	sum.StartedAt, sum.Pacer, sum.OfferedRate = base.StartedAt, fmt.Sprintf("%d shards, each %s", len(parts), base.Pacer), n*base.OfferedRate
	if k := base.Knee; k != nil {
		sum.Knee = &results.Knee{FromRate: n * k.FromRate, Slope: n * k.Slope}
	}
	from, to, overlap := overlapOf(spans)
	var metrics vegeta.Metrics
	for i := range mine {
		if t := mine[i].Timestamp; !t.Before(from) && !t.After(to) {
			metrics.Add(&mine[i])
		}
	}
	metrics.Close()
	measureMetrics(&sum, &metrics)
	within := func(rc timeline.Record) bool {
		return sc.mine(rc) && !rc.Sent.Before(from) && !rc.Sent.After(to)
	}
	c := judge.NewCase(all, within, r.terms(), &sum, sc.Verdicts)
	if overlap != "" {
		c.Observe(judge.ObservedOverlap, "%s", overlap)
	}
	c.Measure()
	sc.judge(c)
	c.Conclude()
	return sum, nil
}

// addTallies adds one shard's contract tallies to the merged summary.
func addTallies(sum *results.LoadSummary, part results.LoadSummary) {
	sum.Validated += part.Validated
	for k, n := range part.Nonconforming {
		sum.Nonconforming[k] += n
	}
	for k, n := range part.Conforming {
		if sum.Conforming == nil {
			sum.Conforming = map[string]int{}
		}
		sum.Conforming[k] += n
	}
}

// overlapOf is the stretch while every shard was sending: only then did
// the server see the whole load; and how much the loads overlapped, to
// report. One shard's results are all of them.
func overlapOf(spans [][2]time.Time) (from, to time.Time, overlap string) {
	from, to = time.Time{}, time.Unix(1<<40, 0)
	longest := time.Duration(0)
	for _, sp := range spans {
		from, to = maxTime(from, sp[0]), minTime(to, sp[1])
		longest = max(longest, sp[1].Sub(sp[0]))
	}
	switch {
	case len(spans) < 2:
		return time.Time{}, time.Unix(1<<40, 0), ""
	case !to.After(from):
		return from, to, fmt.Sprintf("the shards' loads never overlapped: start them together (%s)", EnvShardStart)
	}
	return from, to, fmt.Sprintf("the %d shards' loads overlapped for %.1fs of the longest %.1fs; judged on that stretch", len(spans), to.Sub(from).Seconds(), longest.Seconds())
}

// readResults decodes the Vegeta result files of a summary, in the order
// they were sent.
func readResults(dir string, files []string) ([]vegeta.Result, error) {
	var out []vegeta.Result
	for _, name := range files {
		got, err := readResultFile(filepath.Join(dir, filepath.Base(name)))
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	slices.SortStableFunc(out, func(a, b vegeta.Result) int { return a.Timestamp.Compare(b.Timestamp) })
	return out, nil
}

// readResultFile decodes one Vegeta result file.
func readResultFile(path string) ([]vegeta.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []vegeta.Result
	dec := vegeta.NewDecoder(f)
	for {
		var res vegeta.Result
		err := dec.Decode(&res)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: result %d: %w (a damaged or truncated file?)", filepath.Base(path), len(out)+1, err)
		}
		out = append(out, res)
	}
}
