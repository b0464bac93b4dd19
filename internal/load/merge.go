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
	"loginharness/internal/results"
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
// the run's limit; each scenario for one client from shard 0's summary.
// The shards must be of one run (the same run id and count); a missing
// one leaves the merged summaries incomplete, saying which. Merge reads
// the shards' files and writes nothing.
func Merge(c *contract.Contract, shards []ShardInput, opts ...Option) ([]results.LoadSummary, error) {
	if len(shards) == 0 {
		return nil, errors.New("load: no shard to merge")
	}
	run := *shards[0].Summaries[0].Shard
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
	r := NewRunner(c, opts...)
	run.Index = -1
	var out []results.LoadSummary
	var errs []error
	for _, sc := range Scenarios() {
		parts := partsOf(shards, sc.Name)
		if len(parts) == 0 {
			continue
		}
		merged, err := r.merge(sc, parts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		merged.Shard = &run
		if len(missing) > 0 {
			merged.Incomplete = true
			merged.IncompleteReason = fmt.Sprintf("shards %v of %d are missing: the server took load this merge cannot see", missing, run.Count)
		}
		out = append(out, merged)
	}
	return out, errors.Join(errs...)
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

// merge judges one scenario from its shards' parts.
func (r *Runner) merge(sc Scenario, parts []shardPart) (results.LoadSummary, error) {
	if !sc.Shared {
		// Run by shard 0 alone: its judgement stands.
		return parts[0].summary, nil
	}
	var recs []record
	var all []vegeta.Result
	var spans [][2]time.Time
	base := parts[0].summary
	e := &Endpoint{Info: base.Target, Limit: base.Limit, window: defaultWindow}
	s := &session{Runner: r, endpoint: e, scenario: sc, sum: r.newSummary(sc, e)}
	for _, p := range parts {
		got, err := readResults(results.LoadDir(p.dir), p.summary.Files)
		if err != nil {
			return results.LoadSummary{}, fmt.Errorf("%s: %s: %w", p.dir, sc.Name, err)
		}
		if len(got) > 0 {
			spans = append(spans, [2]time.Time{got[0].Timestamp, got[len(got)-1].Timestamp})
		}
		all = append(all, got...)
		s.sum.Validated += p.summary.Validated
		s.sum.QuietUntil = laterTime(s.sum.QuietUntil, p.summary.QuietUntil)
		for k, n := range p.summary.Nonconforming {
			s.sum.Nonconforming[k] += n
		}
		for k, n := range p.summary.Conforming {
			if s.sum.Conforming == nil {
				s.sum.Conforming = map[string]int{}
			}
			s.sum.Conforming[k] += n
		}
	}
	n := float64(len(parts))
	s.sum.StartedAt, s.sum.Pacer, s.sum.OfferedRate = base.StartedAt, fmt.Sprintf("%d shards, each %s", len(parts), base.Pacer), n*base.OfferedRate
	if k := base.Knee; k != nil {
		s.sum.Knee = &results.Knee{FromRate: n * k.FromRate, Slope: n * k.Slope}
	}
	var metrics vegeta.Metrics
	for i := range s.overlap(all, spans) {
		metrics.Add(&all[i])
		recs = append(recs, newRecord(&all[i]))
	}
	metrics.Close()
	s.measure(recs, &metrics)
	s.conclude(recs)
	return s.sum, nil
}

// overlap yields the indices of the results sent while every shard was
// sending: only then did the server see the whole load. It reports how
// much the loads overlapped.
func (s *session) overlap(all []vegeta.Result, spans [][2]time.Time) func(yield func(int) bool) {
	from, to := time.Time{}, time.Unix(1<<40, 0) // one shard's results: all of them
	longest := time.Duration(0)
	for _, sp := range spans {
		from, to = maxTime(from, sp[0]), minTime(to, sp[1])
		longest = max(longest, sp[1].Sub(sp[0]))
	}
	switch {
	case len(spans) < 2:
		from, to = time.Time{}, time.Unix(1<<40, 0)
	case !to.After(from):
		s.observe(ObservedOverlap, "the shards' loads never overlapped: start them together (%s)", EnvShardStart)
	default:
		s.observe(ObservedOverlap, "the %d shards' loads overlapped for %.1fs of the longest %.1fs; judged on that stretch", len(spans), to.Sub(from).Seconds(), longest.Seconds())
	}
	return func(yield func(int) bool) {
		for i := range all {
			if t := all[i].Timestamp; !t.Before(from) && !t.After(to) && !yield(i) {
				return
			}
		}
	}
}

// readResults decodes the Vegeta result files of a summary, in the order
// they were sent.
func readResults(dir string, files []string) ([]vegeta.Result, error) {
	var out []vegeta.Result
	for _, name := range files {
		f, err := os.Open(filepath.Join(dir, filepath.Base(name)))
		if err != nil {
			return nil, err
		}
		dec := vegeta.NewDecoder(f)
		for {
			var res vegeta.Result
			err := dec.Decode(&res)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: result %d: %w (a damaged or truncated file?)", name, len(out)+1, err)
			}
			out = append(out, res)
		}
		f.Close()
	}
	slices.SortStableFunc(out, func(a, b vegeta.Result) int { return a.Timestamp.Compare(b.Timestamp) })
	return out, nil
}

// laterTime is the later of two RFC 3339 times, either possibly empty.
func laterTime(a, b string) string {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errB != nil || (errA == nil && !tb.After(ta)) {
		return a
	}
	return b
}
