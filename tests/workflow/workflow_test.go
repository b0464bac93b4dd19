// Package workflow checks the nightly GitHub Actions workflow, which no CI
// here runs: actionlint must pass it, it must hand every live target
// setting to the harness (secrets from the repository's secrets, the rest
// from its variables), and it must keep the harness's exit classes apart.
package workflow

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
			Name string            `yaml:"name"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
			Env  map[string]string `yaml:"env"`
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

// stepScript is the run script of the conformance job's step named name.
func stepScript(t *testing.T, name string) string {
	t.Helper()
	var wf workflowFile
	if err := yaml.Unmarshal([]byte(readWorkflow(t)), &wf); err != nil {
		t.Fatal(err)
	}
	job := wf.Jobs["conformance"]
	for name, value := range job.Env {
		if strings.HasPrefix(name, "HARNESS_") && strings.Contains(value, "${{") {
			t.Errorf("the conformance job sets %s for every step: a missing repository variable would reach the harness empty", name)
		}
	}
	for _, s := range job.Steps {
		if s.Name == name {
			return s.Run
		}
	}
	t.Fatalf("the conformance job has no step %q", name)
	return ""
}

// runStep runs a step's script under bash as GitHub does, with env as the
// step's environment (a missing repository variable is an empty value),
// and returns its exit code, its output and the files it wrote: the
// variables passed on to later steps (GITHUB_ENV), its outputs and the job
// summary.
func runStep(t *testing.T, script string, env map[string]string) (code int, out string, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{"GITHUB_ENV": "env", "GITHUB_OUTPUT": "output", "GITHUB_STEP_SUMMARY": "summary"}
	cmd := exec.Command("bash", "-e", "-c", script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for name, file := range paths {
		cmd.Env = append(cmd.Env, name+"="+filepath.Join(dir, file))
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	output, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	files = map[string]string{}
	for name, file := range paths {
		data, _ := os.ReadFile(filepath.Join(dir, file))
		files[name] = string(data)
	}
	return cmd.ProcessState.ExitCode(), string(output), files
}

// missingSettings is the Settings step's environment on a repository with
// no variable and no secret: every one expands to an empty string.
func missingSettings() map[string]string {
	env := map[string]string{"NIGHTLY_MOCK_INTENDED": ""}
	for _, v := range target.Variables() {
		if isTargetSetting(v.Env) {
			env[v.Env] = ""
		}
	}
	return env
}

// TestNightlyPassesOnOnlyTheSettingsItHas: a missing repository variable
// or secret never reaches the harness as an empty value (which would test
// the mock, or be refused); the step names which APIs are live and which
// on the mock; with none live the job stops as a configuration error
// unless NIGHTLY_MOCK_INTENDED says the mock is meant.
func TestNightlyPassesOnOnlyTheSettingsItHas(t *testing.T) {
	script := stepScript(t, "Settings")
	commvaultOnly := missingSettings()
	commvaultOnly["HARNESS_COMMVAULT_URL"] = "https://cv.example.com/commandcenter/api"
	commvaultOnly["HARNESS_COMMVAULT_PASSWORD"] = "p w=1"
	code, out, files := runStep(t, script, commvaultOnly)
	wantLine := "Live: commvault (https://cv.example.com/commandcenter/api); on the embedded mock: webex"
	if code != 0 || !strings.Contains(files["GITHUB_OUTPUT"], "targets="+wantLine+"\n") {
		t.Errorf("Commvault live: exit %d, outputs %q, want targets=%q\n%s", code, files["GITHUB_OUTPUT"], wantLine, out)
	}
	if want := "HARNESS_COMMVAULT_PASSWORD=p w=1\nHARNESS_COMMVAULT_URL=https://cv.example.com/commandcenter/api\n"; files["GITHUB_ENV"] != want {
		t.Errorf("passed on %q, want only what is set: %q", files["GITHUB_ENV"], want)
	}

	code, out, files = runStep(t, script, missingSettings())
	if code != 2 || !strings.Contains(out, "::error title=Configuration error::no API is live") || !strings.Contains(files["GITHUB_OUTPUT"], "code=2\n") || files["GITHUB_ENV"] != "" {
		t.Errorf("nothing set: exit %d, want 2 with a configuration error and nothing passed on:\n%s\n%v", code, out, files)
	}

	intended := missingSettings()
	intended["NIGHTLY_MOCK_INTENDED"] = "1"
	code, out, files = runStep(t, script, intended)
	wantLine = "Live: no API; on the embedded mock: webex, commvault, as NIGHTLY_MOCK_INTENDED says"
	if code != 0 || !strings.Contains(files["GITHUB_OUTPUT"], "targets="+wantLine+"\n") {
		t.Errorf("the mock intended: exit %d, outputs %q, want targets=%q\n%s", code, files["GITHUB_OUTPUT"], wantLine, out)
	}

	broken := missingSettings()
	broken["HARNESS_WEBEX_URL"] = "https://webexapis.com/v1"
	broken["HARNESS_WEBEX_TOKEN"] = "line\nbreak"
	if code, out, _ = runStep(t, script, broken); code != 2 || !strings.Contains(out, "HARNESS_WEBEX_TOKEN holds a line break") || strings.Contains(out, "line\nbreak") {
		t.Errorf("a value with a line break: exit %d, want 2 naming it, not showing it:\n%s", code, out)
	}
}

// TestNightlySummaryFirstSaysWhatWasLive: the job summary's first line is
// the live-or-mock line, whatever the verdict, then the verdict in words.
func TestNightlySummaryFirstSaysWhatWasLive(t *testing.T) {
	script := stepScript(t, "Job summary")
	line := "Live: webex (https://webexapis.com/v1); on the embedded mock: commvault"
	for code, heading := range map[string]string{"0": "### Contracts kept", "2": "### Configuration error", "3": "### Outage"} {
		_, out, files := runStep(t, script, map[string]string{"CODE": code, "TARGETS": line})
		lines := strings.Split(files["GITHUB_STEP_SUMMARY"], "\n")
		if len(lines) < 3 || lines[0] != line || !strings.HasPrefix(lines[2], heading) {
			t.Errorf("exit %s: summary %q, want %q first, then %q\n%s", code, files["GITHUB_STEP_SUMMARY"], line, heading, out)
		}
	}
}
