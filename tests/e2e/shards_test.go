package e2e

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/load"
	"loginharness/internal/results"
)

// The shared limit of the sharded runs: per token, which every shard uses.
const (
	shardedLimit = 60
	shardCount   = 3
)

// TestShardsShareALimitThroughTheBinary runs three `harness run --shard`
// processes against one `harness mock` whose per-token limit they share,
// then merges their folders with `harness report`. Each shard alone is
// offered a third of the load and judges no shared limit; merged, the
// server's limit is seen and judged. Against a mock with no limit, the
// merged judgement fails. The inputs are left as they were.
func TestShardsShareALimitThroughTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("two sharded runs of about a minute each")
	}
	t.Parallel()

	limited, _ := startHarnessMock(t, "--rate", fmt.Sprint(shardedLimit), "--burst", "5")
	dirs := runShardProcesses(t, limited, "e2e-limited")
	for i, d := range dirs {
		over := readSummary(t, results.LoadDir(d), load.ScenarioOverLimit)
		if v, _ := over.VerdictNamed(judge.VerdictWithinLimit); v.State != results.VerdictNotJudged {
			t.Errorf("shard %d judged the shared limit alone: %s: %s", i, v.State, v.Message)
		}
		t.Logf("shard %d over-limit: offered %.1f req/s, accepted %.1f req/s", i, over.OfferedRate, over.AcceptedRate)
	}
	before := folderHashes(t, dirs...)
	out := t.TempDir()
	o := harness(t, invocation{args: mergeArgs(dirs, out), hangGuard: 2 * time.Minute})
	if o.code != 0 || !strings.Contains(o.stdout, "verdict: PASS") || !strings.Contains(o.stdout, "3 shards merged") {
		t.Errorf("merged: exit %d, want 0 with verdict PASS and the shards named\n%s", o.code, tail(o.output()))
	}
	merged := readSummary(t, filepath.Join(out, "load", "e2e-limited"), load.ScenarioOverLimit)
	within, _ := merged.VerdictNamed(judge.VerdictWithinLimit)
	if within.State != results.VerdictPassed || merged.Envelope == nil {
		t.Fatalf("merged over-limit: %s: %s", within.State, within.Message)
	}
	env := merged.Envelope
	if tol := 0.1*shardedLimit + env.Uncertainty; env.LongRunRate < shardedLimit-tol || env.LongRunRate > shardedLimit+tol {
		t.Errorf("merged long-run rate %.1f ± %.1f req/s, want the shared limit %d within %.1f", env.LongRunRate, env.Uncertainty, shardedLimit, tol)
	}
	t.Logf("merged over-limit: long-run %.1f ± %.1f req/s, burst %.0f, against the limit of %d", env.LongRunRate, env.Uncertainty, env.Burst, shardedLimit)
	if after := folderHashes(t, dirs...); !equalHashes(before, after) {
		t.Error("the merge changed its inputs")
	}
	for _, f := range []string{"index.html", "summary.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the merge wrote no %s: %v", f, err)
		}
	}

	open, _ := startHarnessMock(t, "--rate", "100000", "--burst", "100000")
	openOut := t.TempDir()
	o = harness(t, invocation{args: mergeArgs(runShardProcesses(t, open, "e2e-open"), openOut), hangGuard: 2 * time.Minute})
	if o.code != 1 || !strings.Contains(o.stdout, "verdict: FAIL") || !strings.Contains(o.stdout, judge.VerdictWithinLimit) {
		t.Errorf("merged against no limit: exit %d, want 1 naming %s\n%s", o.code, judge.VerdictWithinLimit, tail(o.output()))
	}
}

// runShardProcesses runs shardCount shards of one run against the mock at
// root, side by side, and returns their output folders in shard order.
// Each must pass: a shard alone judges nothing it cannot see.
func runShardProcesses(t *testing.T, root, runID string) []string {
	t.Helper()
	start := time.Now().Add(8 * time.Second).UTC().Format(time.RFC3339)
	dirs := make([]string, shardCount)
	var wg sync.WaitGroup
	for i := range shardCount {
		dirs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("shard-%d", i))
		wg.Go(func() {
			env := with(demoWebexLive(root),
				"HARNESS_ALLOW_LIVE_LOAD", "1", "HARNESS_LIVE_MAX_RATE", "300", "HARNESS_EXPECTED_LIMIT", fmt.Sprint(shardedLimit),
				"HARNESS_LOAD_WINDOWS", "4", "HARNESS_LOAD_MAX_DURATION", "10s", "HARNESS_LOAD_MAX_WAIT", "3s",
				"HARNESS_SHARD_START", start, "HARNESS_RUN_ID", runID)
			o := harness(t, invocation{args: []string{"run", "--only", "webex", "--shard", fmt.Sprintf("%d/%d", i, shardCount), "--out", dirs[i]}, env: env, hangGuard: 4 * time.Minute})
			want := fmt.Sprintf("shard %d/%d of run %s", i, shardCount, runID)
			if o.code != 0 || !strings.Contains(o.stdout, want) {
				t.Errorf("shard %d: exit %d, want 0 saying %q\n%s", i, o.code, want, tail(o.output()))
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return dirs
}

func mergeArgs(dirs []string, out string) []string {
	args := []string{"report"}
	for _, d := range dirs {
		args = append(args, "--in", d)
	}
	return append(args, "--out", out)
}

// demoWebexLive points Webex at a `harness mock` with its demo account.
func demoWebexLive(root string) map[string]string {
	return map[string]string{
		"HARNESS_WEBEX_URL":       root + "/v1",
		"HARNESS_WEBEX_TOKEN":     "demo-webex-admin-token",
		"HARNESS_REDSKY_EMAIL":    "redsky-admin@example.com",
		"HARNESS_REDSKY_PASSWORD": "Demo-RedSky-Pass1",
	}
}

func readSummary(t *testing.T, dir, scenario string) results.LoadSummary {
	t.Helper()
	sums, err := results.ReadLoadSummaries(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Scenario == scenario {
			return s
		}
	}
	t.Fatalf("%s holds no %s summary", dir, scenario)
	return results.LoadSummary{}
}

// folderHashes maps every file under dirs to its SHA-256, so a test can
// show that reading them changed nothing.
func folderHashes(t *testing.T, dirs ...string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			out[path] = sha256.Sum256(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func equalHashes(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestBaselineNamesRegressions: a clean run, then one on a mock that
// drops a required field, compared: the regressions are named on the
// terminal and the page, specs and codes counted apart and as the verdict
// counts them, and the comparison the other way names them fixed. A
// baseline with load set against a run without names each scenario no
// longer run. A damaged run among several is named and the rest rendered;
// `harness report` writes only where its help says.
func TestBaselineNamesRegressions(t *testing.T) {
	t.Parallel()
	clean, drift, loaded := t.TempDir(), t.TempDir(), t.TempDir()
	// Conformance (and load) alone: the sacrificial-account specs, which judge
	// the contract too, would shuffle with it (Ginkgo orders top-level
	// containers at random) and push "status 200" out of the truncated list.
	if o := harness(t, invocation{args: []string{"run", "--only", "webex", "--skip-load", "--label-filter", "conformance", "--out", clean}, hangGuard: 2 * time.Minute}); o.code != 0 {
		t.Fatalf("clean run: exit %d\n%s", o.code, tail(o.output()))
	}
	if o := harness(t, invocation{args: []string{"run", "--only", "webex", "--skip-load", "--label-filter", "conformance", "--drift", "missing-required-field", "--out", drift}, hangGuard: 2 * time.Minute}); o.code != 1 {
		t.Fatalf("drifting run: exit %d, want 1\n%s", o.code, tail(o.output()))
	}
	if o := harness(t, invocation{args: []string{"run", "--only", "webex", "--label-filter", "conformance || load", "--out", loaded}, hangGuard: 3 * time.Minute}); o.code != 0 {
		t.Fatalf("run with load: exit %d\n%s", o.code, tail(o.output()))
	}
	before := folderHashes(t, clean, drift, loaded)

	out := t.TempDir()
	o := harness(t, invocation{args: []string{"report", "--in", drift, "--baseline", clean, "--out", out}, hangGuard: time.Minute})
	if o.code != 1 {
		t.Errorf("report on the drifting run: exit %d, want 1\n%s", o.code, tail(o.output()))
	}
	for _, want := range []string{"since the baseline", "✗ regressed: codes of webex on embedded mock: 200", "specs of webex: status 200"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("the terminal does not say %q:\n%s", want, tail(o.stdout))
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="since"`, "Regressions: passed then, failed now", "webex 200 on embedded mock"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page does not show %q", want)
		}
	}

	failed := regexp.MustCompile(`(?m)^  - (\d+) conformance specs failed$`).FindStringSubmatch(o.stdout)
	regressed := regexp.MustCompile(`regressed: (\d+) specs, (\d+) codes[;\n]`).FindStringSubmatch(o.stdout)
	codes := regexp.MustCompile(`(?m)^webex +embedded mock +codes: \d+ passed, (\d+) failed`).FindStringSubmatch(o.stdout)
	if failed == nil || regressed == nil || codes == nil || regressed[1] != failed[1] || regressed[2] != codes[1] {
		t.Errorf("the changes do not count specs and codes apart as the verdict and the API line do (failed %q, regressed %q, codes %q):\n%s", failed, regressed, codes, tail(o.stdout))
	}

	o = harness(t, invocation{args: []string{"report", "--in", clean, "--baseline", loaded, "--out", t.TempDir()}, hangGuard: time.Minute})
	if o.code != 0 || !regexp.MustCompile(`no longer run: \d+ load verdicts of 5 scenarios`).MatchString(o.stdout) {
		t.Errorf("report on a run without load against one with: exit %d, want 0 counting 5 scenarios no longer run\n%s", o.code, tail(o.stdout))
	}
	for _, sc := range []string{"under-limit", "over-limit", "ramp", "retry-after-honesty", "obeying-client"} {
		if !strings.Contains(o.stdout, "– no longer run: load "+sc+" (") {
			t.Errorf("the terminal does not name %s no longer run:\n%s", sc, tail(o.stdout))
		}
	}

	o = harness(t, invocation{args: []string{"report", "--in", clean, "--baseline", drift, "--out", t.TempDir()}, hangGuard: time.Minute})
	if o.code != 0 || !strings.Contains(o.stdout, "✓ fixed: codes of webex on embedded mock: 200") || strings.Contains(o.stdout, "✗ regressed") {
		t.Errorf("report on the clean run against the drifting one: exit %d, want 0 naming the fixes\n%s", o.code, tail(o.stdout))
	}

	damaged := t.TempDir()
	if err := os.WriteFile(filepath.Join(damaged, "ginkgo.json"), []byte(`[{"SuiteDescription": "loginharness", "SpecReports": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	side := t.TempDir()
	o = harness(t, invocation{args: []string{"report", "--in", clean, "--in", damaged, "--in", drift, "--out", side}, hangGuard: time.Minute})
	if o.code != 1 || !strings.Contains(o.stderr, damaged) {
		t.Errorf("report with a damaged input: exit %d, want 1 (the drift fails) naming %s on stderr\n%s", o.code, damaged, tail(o.output()))
	}
	if !strings.Contains(o.stdout, "embedded mock ("+filepath.Base(clean)+")") || !strings.Contains(o.stdout, "embedded mock ("+filepath.Base(drift)+")") {
		t.Errorf("the two readable runs are not side by side:\n%s", tail(o.stdout))
	}
	o = harness(t, invocation{args: []string{"report", "--in", clean, "--in", damaged, "--out", t.TempDir()}, hangGuard: time.Minute})
	if o.code != 2 || !strings.Contains(o.stderr, damaged) || !strings.Contains(o.stdout, "verdict: PASS") || !strings.Contains(o.stdout, "codes: 19 passed") {
		t.Errorf("report with a damaged input beside a clean run: exit %d, want 2 naming %s, the clean run rendered\n%s", o.code, damaged, tail(o.output()))
	}
	if after := folderHashes(t, clean, drift, loaded); !equalHashes(before, after) {
		t.Error("comparing changed the inputs")
	}
	reRenderInPlace(t, clean)
}

// reRenderInPlace: `harness report --in X` alone renders X again, as its
// help says: X/index.html and X/summary.md are written, nothing else in X.
func reRenderInPlace(t *testing.T, run string) {
	t.Helper()
	if help := harness(t, invocation{args: []string{"report", "--help"}}); !strings.Contains(help.stdout, "one --in folder is rendered again in place") {
		t.Errorf("the help does not say what report writes:\n%s", help.stdout)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(run)); err != nil {
		t.Fatal(err)
	}
	rendered := []string{filepath.Join(dir, "index.html"), filepath.Join(dir, "summary.md")}
	for _, path := range rendered {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
	}
	before := folderHashes(t, dir)
	if o := harness(t, invocation{args: []string{"report", "--in", dir}, hangGuard: time.Minute}); o.code != 0 || !strings.Contains(o.stdout, "report: "+rendered[0]) {
		t.Errorf("report --in %s: exit %d, want 0 naming the page it wrote\n%s", dir, o.code, tail(o.output()))
	}
	after := folderHashes(t, dir)
	for _, path := range rendered {
		if _, ok := after[path]; !ok {
			t.Errorf("report --in did not write %s", path)
		}
		delete(after, path)
	}
	if !equalHashes(before, after) {
		t.Error("report --in changed more of its folder than index.html and summary.md")
	}
}
