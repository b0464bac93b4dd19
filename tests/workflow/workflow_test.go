// Package workflow checks the nightly GitHub Actions workflow, which no CI
// here runs: actionlint must pass it, it must hand every live target
// setting to the harness (secrets from the repository's secrets, the rest
// from its variables), and it must keep the harness's exit classes apart.
package workflow

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"loginharness/internal/target"
)

const nightly = "../../.github/workflows/nightly-conformance.yml"

// actionlint is run at a pinned version through `go run`, outside this
// module's build list: its YAML library (go.yaml.in/yaml/v4 rc.3) cannot
// share a build with the release kin-openapi needs.
const actionlint = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"

func TestNightlyWorkflowPassesActionlint(t *testing.T) {
	out, err := exec.Command("go", "run", actionlint, "-no-color", nightly).CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint %s: %v\n%s", nightly, err, out)
	}
}

// TestNightlyWorkflowPassesEveryTargetSetting keeps the workflow and the
// variable table in step: a new setting in internal/target must reach the
// nightly job, or its live run would silently fall back to the mock. A
// secret comes from the repository's secrets, anything else from its
// variables, where a team can read and change it.
func TestNightlyWorkflowPassesEveryTargetSetting(t *testing.T) {
	content := readWorkflow(t)
	for _, v := range target.Variables() {
		if !isTargetSetting(v.Env) {
			continue
		}
		from := "vars"
		if v.Secret {
			from = "secrets"
		}
		want := v.Env + ": ${{ " + from + "." + v.Env + " }}"
		if !strings.Contains(content, want) {
			t.Errorf("%s does not pass %s from the repository's %s (want the line %q)", nightly, v.Env, from, want)
		}
	}
}

// TestNightlyWorkflowIsOneATeamWouldAdopt: every action pinned by commit,
// with its tag beside it; the harness run directly so its exit code
// survives (make turns any failure into 2), each exit code told apart,
// outages as such; a job summary, the JUnit report published, the
// artifact kept for a set time.
func TestNightlyWorkflowIsOneATeamWouldAdopt(t *testing.T) {
	content := readWorkflow(t)
	pinned := regexp.MustCompile(`^\s*(?:- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$`)
	uses := 0
	for line := range strings.Lines(content) {
		if strings.Contains(line, "uses:") {
			uses++
			if !pinned.MatchString(strings.TrimRight(line, "\n")) {
				t.Errorf("not pinned to a commit with its tag beside it: %s", strings.TrimSpace(line))
			}
		}
	}
	if uses < 4 {
		t.Errorf("%d actions: checkout, setup-go, a JUnit publisher and upload-artifact expected", uses)
	}
	for _, want := range []string{
		"bin/harness run --skip-load", `echo "code=$code" >> "$GITHUB_OUTPUT"`, `>> "$GITHUB_STEP_SUMMARY"`, "cat reports/summary.md",
		"report_paths: reports/junit.xml", "retention-days:", "title=Outage, not drift", "3) echo", `exit "${CODE:-1}"`,
	} {
		if !strings.Contains(content, want) {
			t.Errorf("%s lacks %q", nightly, want)
		}
	}
	if strings.Contains(content, "make run") {
		t.Errorf("%s runs the harness through make, which turns exit 3 into 2", nightly)
	}
}

func readWorkflow(t *testing.T) string {
	t.Helper()
	content, err := os.ReadFile(nightly)
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

// isTargetSetting tells the per-API target settings from the harness's own
// knobs (drift, timeouts, TLS), which a nightly live run leaves at defaults.
func isTargetSetting(env string) bool {
	for _, prefix := range []string{"HARNESS_WEBEX_", "HARNESS_REDSKY_", "HARNESS_COMMVAULT_"} {
		if strings.HasPrefix(env, prefix) {
			return true
		}
	}
	return false
}

// workflowFile is the part of a GitHub workflow the checks below read.
type workflowFile struct {
	Jobs map[string]struct {
		Needs    any               `yaml:"needs"`
		If       string            `yaml:"if"`
		Env      map[string]string `yaml:"env"`
		Strategy struct {
			Matrix map[string]any `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			ID   string            `yaml:"id"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestNightlyWorkflowKeepsABaselineAndShardsTheLoad: the conformance job
// restores the last good run as its baseline, compares with it and saves
// a run that kept every contract; the optional sharded load is a matrix
// of shards on one start and run id, and a merge job that runs harness
// report on every shard's artifact and fails by its verdict.
func TestNightlyWorkflowKeepsABaselineAndShardsTheLoad(t *testing.T) {
	var wf workflowFile
	if err := yaml.Unmarshal([]byte(readWorkflow(t)), &wf); err != nil {
		t.Fatal(err)
	}
	steps := func(job string) string {
		var b strings.Builder
		for _, s := range wf.Jobs[job].Steps {
			b.WriteString(s.Uses + "\n" + s.Run + "\n" + s.If + "\n")
			for k, v := range s.With {
				b.WriteString(k + ": " + v + "\n")
			}
		}
		return b.String()
	}
	conf := steps("conformance")
	for _, want := range []string{"actions/cache/restore@", "path: baseline", "--baseline baseline", "actions/cache/save@", "steps.run.outputs.code == '0'"} {
		if !strings.Contains(conf, want) {
			t.Errorf("the conformance job lacks %q", want)
		}
	}
	shard, ok := wf.Jobs["load-shard"]
	if !ok {
		t.Fatal("no load-shard job")
	}
	if _, ok := shard.Strategy.Matrix["index"]; !ok {
		t.Error("load-shard is no matrix over the shard index")
	}
	for _, v := range []string{"HARNESS_SHARD", "HARNESS_SHARD_START", "HARNESS_RUN_ID", "HARNESS_ALLOW_LIVE_LOAD", "HARNESS_LIVE_MAX_RATE"} {
		if shard.Env[v] == "" {
			t.Errorf("load-shard does not set %s", v)
		}
	}
	if !strings.Contains(shard.Env["HARNESS_SHARD"], "matrix.index") || !strings.Contains(shard.Env["HARNESS_SHARD_START"], "needs.load-plan.outputs.start") {
		t.Errorf("the shards do not share one plan: HARNESS_SHARD=%q HARNESS_SHARD_START=%q", shard.Env["HARNESS_SHARD"], shard.Env["HARNESS_SHARD_START"])
	}
	if s := steps("load-shard"); !strings.Contains(s, "--label-filter load") || !strings.Contains(s, "actions/upload-artifact@") {
		t.Error("a shard does not run the load alone and upload its folder")
	}
	merge := steps("load-merge")
	for _, want := range []string{"actions/download-artifact@", "pattern: load-shard-*", "bin/harness report", "--in", `exit "${CODE:-1}"`} {
		if !strings.Contains(merge, want) {
			t.Errorf("the merge job lacks %q", want)
		}
	}
	if !strings.Contains(wf.Jobs["load-merge"].If, "always()") {
		t.Error("the merge does not run when a shard failed, which is when its page matters most")
	}
}
