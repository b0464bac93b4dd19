package testkit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CleanEnv is this process's environment without any HARNESS_* variable,
// and with NO_COLOR=1, so that a developer's settings cannot point a test
// at a live server nor colour its output.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HARNESS_") {
			env = append(env, kv)
		}
	}
	return append(env, "NO_COLOR=1")
}

// BuildHarness builds the harness binary (loginharness/cmd/harness) into a
// temporary folder, for tests that run it as a subprocess: Ginkgo runs its
// specs once per process, and exit codes are part of what is tested.
// remove deletes the folder. The build takes no VCS stamp, which a clone
// owned by another user could not give, and trims the paths of its code
// locations to the module's, as `make build` does.
func BuildHarness() (bin string, remove func(), err error) {
	dir, err := os.MkdirTemp("", "harness-test-")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "harness")
	build := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-o", bin, "loginharness/cmd/harness")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building the harness: %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}
