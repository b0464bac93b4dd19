package load

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/limitertest"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

func TestShardConfig(t *testing.T) {
	now := time.Date(2026, 12, 1, 2, 0, 50, 0, time.UTC)
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	if sh, err := ShardConfig(env(), now); sh != nil || err != nil {
		t.Errorf("unsharded: %+v, %v", sh, err)
	}
	sh, err := ShardConfig(env(EnvShard, "2/3"), now)
	if err != nil || sh.Index != 2 || sh.Count != 3 || !sh.Start.Equal(time.Date(2026, 12, 1, 2, 2, 0, 0, time.UTC)) || sh.RunID != "shards-20261201T020200Z-of-3" {
		t.Errorf("2/3 at 02:00:50: %+v, %v; want the whole minute at least 15 s on, 02:02", sh, err)
	}
	sh, err = ShardConfig(env(EnvShard, "0/2", EnvShardStart, "2026-12-01T03:00:00Z", EnvRunID, "nightly-42"), now)
	if err != nil || !sh.Start.Equal(time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)) || sh.RunID != "nightly-42" {
		t.Errorf("explicit start and id: %+v, %v", sh, err)
	}
	for _, tc := range []struct{ shard, start, want string }{
		{"3/3", "", "numbered from 0"},
		{"1", "", "want I/N"},
		{"a/b", "", "want I/N"},
		{"0/0", "", "shard count must be"},
		{"0/2", "tomorrow", EnvShardStart},
		{"", "2026-12-01T03:00:00Z", "only apply to a sharded run"},
	} {
		_, err := ShardConfig(env(EnvShard, tc.shard, EnvShardStart, tc.start), now)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: %v, want an error saying %q", tc.shard, tc.start, err, tc.want)
		}
	}
}

// runShards runs n shards of one run against srv side by side, as n
// harness processes would, and returns each shard's output folder.
func runShards(t *testing.T, srv *limitertest.Server, n int, limit float64) []string {
	t.Helper()
	c := testkit.Contract(t)
	start := time.Now().Add(time.Second).UTC()
	dirs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		dirs[i] = t.TempDir()
		wg.Go(func() {
			e, err := serverEndpoint(c, srv)
			if err != nil {
				t.Error(err)
				return
			}
			e.Limit = results.Limit{Rate: limit, Source: EnvExpectedLimit}
			e.ShareAmong(n)
			sh := &results.Shard{Index: i, Count: n, RunID: "test", Start: start}
			r := NewRunner(c, WithOutDir(dirs[i]), WithShard(sh), WithDuration(2*time.Second), WithWindows(4), WithMaxWait(2*time.Second), WithMaxDuration(8*time.Second))
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			for _, o := range r.RunAll(ctx, LiveSource{Endpoint: e}, Scenarios()) {
				var skip Skipped
				if o.Err != nil && !errors.As(o.Err, &skip) {
					t.Errorf("shard %d: %s: %v", i, o.Scenario.Name, o.Err)
				}
			}
		})
	}
	wg.Wait()
	return dirs
}

func merged(t *testing.T, dirs []string) map[string]results.LoadSummary {
	t.Helper()
	var shards []ShardInput
	for _, d := range dirs {
		in, err := ReadShard(d)
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, in)
	}
	sums, err := Merge(testkit.Contract(t), shards)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]results.LoadSummary{}
	for _, s := range sums {
		out[s.Scenario] = s
	}
	return out
}

// TestShardsShareALimit: three shards against one server limited to 60
// req/s: each sees a third of the limit and judges no rate alone; merged,
// the limit is judged and kept. The same against a server with no limit
// fails, merged.
func TestShardsShareALimit(t *testing.T) {
	if testing.Short() {
		t.Skip("about a minute of load")
	}
	t.Parallel()
	const limit = 60
	srv := limitertest.NewServer(limitertest.TokenBucket(limit, 5), limitertest.DelaySeconds)
	defer srv.Close()
	dirs := runShards(t, srv, 3, limit)
	for i, d := range dirs {
		sums, err := results.ReadLoadSummaries(results.LoadDir(d))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sums {
			if s.Scenario != ScenarioOverLimit {
				continue
			}
			if v, _ := s.VerdictNamed(judge.VerdictWithinLimit); v.State != results.VerdictNotJudged || !strings.Contains(v.Message, "shard") {
				t.Errorf("shard %d judged the shared limit alone: %+v", i, v)
			}
			t.Logf("shard %d over-limit: accepted %.1f req/s of %.0f offered", i, s.AcceptedRate, s.OfferedRate)
		}
	}
	over := merged(t, dirs)[ScenarioOverLimit]
	for _, name := range []string{judge.VerdictWithinLimit, judge.VerdictAtLimit, judge.VerdictRetryAfterPresent, judge.VerdictContract} {
		if v, _ := over.VerdictNamed(name); v.State != results.VerdictPassed {
			t.Errorf("merged %s: %s: %s", name, v.State, v.Message)
		}
	}
	t.Logf("merged over-limit: %s", matrixLine(ScenarioOverLimit, over))

	// A missing shard leaves the merge incomplete, saying which.
	if part := merged(t, dirs[:2])[ScenarioOverLimit]; !part.Incomplete || !strings.Contains(part.IncompleteReason, "[2]") {
		t.Errorf("two shards of three: incomplete %v: %s", part.Incomplete, part.IncompleteReason)
	}
	// A damaged results file is named, and the inputs are left as they were.
	bin := filepath.Join(results.LoadDir(dirs[1]), ScenarioOverLimit+results.VegetaSuffix)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data[:len(data)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	var shards []ShardInput
	for _, d := range dirs {
		in, _ := ReadShard(d)
		shards = append(shards, in)
	}
	sums, err := Merge(testkit.Contract(t), shards)
	if err == nil || !strings.Contains(err.Error(), dirs[1]) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged file: %v", err)
	}
	if len(sums) == 0 {
		t.Error("one damaged scenario kept the others from merging")
	}

	open := limitertest.NewServer(limitertest.Unlimited(), limitertest.DelaySeconds)
	defer open.Close()
	if v, _ := merged(t, runShards(t, open, 3, limit))[ScenarioOverLimit].VerdictNamed(judge.VerdictWithinLimit); v.State != results.VerdictFailed {
		t.Errorf("merged shards against no limit: %s: %s", v.State, v.Message)
	}
}

func TestMergeRefusesShardsOfOtherRuns(t *testing.T) {
	c := testkit.Contract(t)
	in := func(dir string, index int, run string) ShardInput {
		return ShardInput{Dir: dir, Summaries: []results.LoadSummary{{Scenario: ScenarioOverLimit, Shard: &results.Shard{Index: index, Count: 2, RunID: run}}}}
	}
	for _, tc := range []struct {
		name   string
		shards []ShardInput
		want   string
	}{
		{"two runs", []ShardInput{in("a", 0, "x"), in("b", 1, "y")}, "merge the shards of one run"},
		{"one shard twice", []ShardInput{in("a", 0, "x"), in("b", 0, "x")}, "are both shard 0/2"},
		{"nothing", nil, "no shard"},
	} {
		if _, err := Merge(c, tc.shards); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	dir := t.TempDir()
	if _, err := ReadShard(dir); err == nil || !strings.Contains(err.Error(), "no load summary") {
		t.Errorf("an empty folder: %v", err)
	}
}

// TestLaterTime: the merge keeps the latest promise of quiet any shard saw,
// whatever digits its time was written with.
