package measure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"loginharness/internal/bench/scorecard"
	"loginharness/internal/results"
)

// moduleRoot walks up from the working directory to go.mod.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no go.mod above %s: run harness-bench from the module", wd)
		}
	}
}

func goTool() (string, error) {
	path, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is not in PATH")
	}
	return path, nil
}

// suiteEnv is the environment without any HARNESS_* setting, so the suite
// targets its in-process mock and never a live server, with its outputs
// in dir.
func suiteEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HARNESS_") {
			env = append(env, kv)
		}
	}
	return append(env, results.OutDirEnv+"="+dir)
}

// runConformance: wall time of the conformance suite against the
// in-process mock, per API and for both; the test binary is compiled first
// and timed apart.
func runConformance(ctx context.Context, p *Plan, rep *scorecard.Card) []*table {
	root, err := moduleRoot()
	if err != nil {
		rep.Notes = append(rep.Notes, "conformance: "+err.Error())
		return nil
	}
	pkg := filepath.Join(root, "suites", "conformance")
	if _, err := os.Stat(pkg); err != nil {
		rep.Notes = append(rep.Notes, "conformance: skipped: suites/conformance does not exist yet")
		return nil
	}
	tmp, err := os.MkdirTemp("", "harness-bench-conformance-")
	if err != nil {
		rep.Notes = append(rep.Notes, "conformance: "+err.Error())
		return nil
	}
	defer os.RemoveAll(tmp)
	t := &table{Title: "Conformance suite wall time against the in-process mock", Header: []string{"scope", "wall s", "specs", "ginkgo s", "passed", "note"}}
	bin := filepath.Join(tmp, "conformance.test")
	add := func(c scorecard.SuiteTime) {
		rep.Conformance = append(rep.Conformance, c)
		specs, suite := "", ""
		if c.OfSpecs > 0 {
			specs, suite = fmt.Sprintf("%d/%d", c.Specs, c.OfSpecs), scorecard.FormatFloat(c.SuiteSeconds)
		}
		t.Add(c.Scope, scorecard.FormatFloat(c.Seconds), specs, suite, fmt.Sprint(c.Passed), c.Note)
	}
	gocmd, err := goTool()
	if err != nil {
		rep.Notes = append(rep.Notes, "conformance: skipped: "+err.Error())
		return nil
	}
	p.logf("   go test -c ./suites/conformance")
	start := time.Now()
	out, err := command(ctx, root, suiteEnv(tmp), 5*time.Minute, gocmd, "test", "-c", "-o", bin, "./suites/conformance")
	compile := scorecard.SuiteTime{Scope: "compile (go test -c)", Seconds: time.Since(start).Seconds(), Passed: err == nil, Note: "build cache warm after the first run"}
	if err != nil {
		compile.Note = "does not compile: " + lastLine(out)
		add(compile)
		rep.Notes = append(rep.Notes, "conformance: skipped: the suite does not compile: "+lastLine(out))
		return []*table{t}
	}
	add(compile)
	for _, scope := range []string{"webex", "commvault", "both"} {
		if ctx.Err() != nil {
			break
		}
		args := []string{"-test.run=^TestConformance$", "-test.count=1", "-ginkgo.no-color"}
		if scope != "both" {
			args = append(args, "-ginkgo.label-filter="+scope)
		}
		p.logf("   conformance %s", scope)
		start := time.Now()
		out, err := command(ctx, pkg, suiteEnv(tmp), 5*time.Minute, bin, args...)
		c := scorecard.SuiteTime{Scope: scope, Seconds: time.Since(start).Seconds(), Passed: err == nil}
		if err != nil {
			c.Note = "failed: " + lastLine(out)
		}
		if ran, total, secs, perr := parseGinkgoRan(out); perr == nil {
			c.Specs, c.OfSpecs, c.SuiteSeconds = ran, total, secs
		} else if err == nil {
			c.Note = perr.Error()
		}
		add(c)
	}
	t.Notes = append(t.Notes, "the compiled suite binary (-test.run=^TestConformance$) run in suites/conformance with no HARNESS_* variables, so against the in-process mock; ginkgo s is the suite's own time, wall s adds process start-up")
	return []*table{t}
}

// command runs name in dir with a time limit and returns its combined output.
func command(ctx context.Context, dir string, env []string, limit time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %v", limit)
	}
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return "(no output)"
}
