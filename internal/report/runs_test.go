package report

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// TestRunsSideBySide: two runs on the mock, one broken, on one page: each
// run's target is a row of its own, its load scenarios sit under its
// label with their own anchors and charts, the verdict covers both, and a
// run judged against another spec is named.
func TestRunsSideBySide(t *testing.T) {
	c := testkit.Contract(t)
	runDir := func(broken bool, sha string) string {
		dir := t.TempDir()
		s := passing(c, "mock")
		if broken {
			s.set("webex", 429, types.SpecStateFailed, "header: Retry-After missing")
		}
		s.addLoad(types.SpecStatePassed, "over-limit", "accepted-within-limit", "")
		s.write(t, dir, "ginkgo.json", t0)
		writeLoadFixtures(t, results.LoadDir(dir), t0)
		info := results.RunInfo{Started: t0, Specs: results.SpecInfos(c)}
		info.Specs[0].SHA256 = sha
		if err := results.WriteRunInfo(dir, info); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	staging, prod := runDir(false, "aaa"), runDir(true, "bbb")
	var srcs []Source
	for label, dir := range map[string]string{"staging": staging, "prod": prod} {
		files, err := FindGinkgoReports(dir)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, Source{Dir: dir, GinkgoFiles: files, Contract: c, Label: label, Inputs: []string{dir}})
	}
	p, err := BuildRuns(srcs)
	if err != nil {
		t.Fatal(err)
	}
	if p.Verdict != Fail || len(p.Runs) != 2 {
		t.Fatalf("verdict %s over %d runs, want FAIL over 2", p.Verdict, len(p.Runs))
	}
	var webex Matrix
	for _, m := range p.Matrices {
		if m.API == "webex" {
			webex = m
		}
	}
	if len(webex.Targets) != 2 {
		t.Fatalf("webex targets %v, want one per run", webex.Targets)
	}
	for i, tg := range webex.Targets {
		for _, r := range webex.Rows {
			want := Passed
			if tg.Run == "prod" && r.Status == 429 {
				want = Failed
			}
			if got := r.Cells[i].State; got != want {
				t.Errorf("%s %d on %s: %s, want %s", webex.API, r.Status, tg.Name(), got, want)
			}
		}
	}
	if len(p.Mixed) != 1 || p.Mixed[0] != "webex" {
		t.Errorf("mixed specs %v, want webex named", p.Mixed)
	}
	ids := map[string]bool{}
	for _, s := range p.Specs {
		if ids[s.ID] {
			t.Errorf("two specs share the id %s", s.ID)
		}
		ids[s.ID] = true
	}
	html := render(t, p)
	mustContain(t, "the page", html, `id="runs"`, `id="mixed-specs"`, `id="scenario-over-limit-prod"`, `id="scenario-over-limit-staging"`, `id="chart-over-limit-prod-status"`, "embedded mock (prod)")
	out := summaryOf(t, p)
	mustContain(t, "the summary", out, "over-limit (prod)", "over-limit (staging)", "run prod: run of", "specs differ between the runs for webex")
}

// TestMergedRunJudgesByItsMergedSummaries: a sharded run's page takes its
// load verdicts from the merged summaries, not from the shards' specs,
// which left the shared limit unjudged; a failed merged verdict fails it.
func TestMergedRunJudgesByItsMergedSummaries(t *testing.T) {
	c := testkit.Contract(t)
	shard0 := t.TempDir()
	s := passing(c, "mock")
	s.addLoad(types.SpecStateSkipped, "over-limit", "accepted-within-limit", "not judged: shard 0/2: the limit is shared")
	s.write(t, shard0, "ginkgo.json", t0)
	merged := filepath.Join(t.TempDir(), "merged")
	writeLoadFixtures(t, merged, t0)
	sums, err := results.ReadLoadSummaries(merged)
	if err != nil {
		t.Fatal(err)
	}
	for _, sum := range sums {
		if sum.Scenario == "over-limit" {
			sum.Verdicts = []results.Verdict{{Name: "accepted-within-limit", State: results.VerdictFailed, Message: "accepted 200/s against a limit of 100/s"}}
			if err := results.WriteLoadSummary(merged, sum); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, err := FindGinkgoReports(shard0)
	if err != nil {
		t.Fatal(err)
	}
	info := results.RunInfo{Started: t0, Shard: &results.Shard{Index: -1, Count: 2, RunID: "nightly-7"}}
	p, err := BuildRuns([]Source{{Dir: shard0, GinkgoFiles: files, Run: &info, Contract: c, Label: "nightly-7", LoadDir: merged, Merged: true, Inputs: []string{"shard-0", "shard-1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Verdict != Fail {
		t.Errorf("verdict %s, want FAIL by the merged over-limit verdict", p.Verdict)
	}
	for _, sp := range p.Specs {
		if sp.Load && strings.Contains(sp.Reason, "shard 0/2") {
			t.Errorf("a shard's own load spec stands beside the merge: %s: %s", sp.Text, sp.Reason)
		}
	}
	if !strings.Contains(summaryOf(t, p), "run nightly-7: 2 shards merged, from shard-0, shard-1") {
		t.Errorf("the summary does not say the run merges its shards:\n%s", summaryOf(t, p))
	}
}
