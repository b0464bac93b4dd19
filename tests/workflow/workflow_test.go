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
