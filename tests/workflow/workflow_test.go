// Package workflow checks the nightly GitHub Actions workflow, which no CI
// here runs: actionlint must pass it, and it must hand every live target
// setting from the repository's secrets to the harness.
package workflow

import (
	"bytes"
	"os"
	"os/exec"
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

// TestNightlyWorkflowPassesEveryTargetSecret keeps the workflow and the
// variable table in step: a new credential in internal/target must reach the
// nightly job, or its live run would silently fall back to the mock.
func TestNightlyWorkflowPassesEveryTargetSecret(t *testing.T) {
	content, err := os.ReadFile(nightly)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range target.Variables() {
		if !v.Secret && !strings.HasSuffix(v.Env, "_URL") && !isTargetSetting(v.Env) {
			continue
		}
		want := v.Env + ": ${{ secrets." + v.Env + " }}"
		if !bytes.Contains(content, []byte(want)) {
			t.Errorf("%s does not pass %s from the repository secrets (want the line %q)", nightly, v.Env, want)
		}
	}
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
