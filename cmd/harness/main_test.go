package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"loginharness/internal/mock"
	"loginharness/internal/testkit"
)

// conformanceDrift breaks a field of the 200 bodies, which the conformance
// suite must catch.
const conformanceDrift = string(mock.DriftMissingField)

// The binary is built once and run as a subprocess: Ginkgo's RunSpecs runs
// only once per process, and exit codes are part of what is tested.
var harnessBin string

func TestMain(m *testing.M) {
	bin, remove, err := testkit.BuildHarness()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	harnessBin = bin
	code := m.Run()
	remove()
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// harness runs the binary with a clean HARNESS_* environment, so a variable
// set on the developer's machine cannot point a test at a live server.
func harness(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	return harnessEnv(t, ctx, nil, args...)
}

// harnessEnv runs the binary with env added to the clean environment.
func harnessEnv(t *testing.T, ctx context.Context, env []string, args ...string) result {
	t.Helper()
	cmd := exec.CommandContext(ctx, harnessBin, args...)
	cmd.Env = append(testkit.CleanEnv(), env...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("harness %v: %v", args, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errs.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.code, r.stdout, r.stderr)
}

func readPage(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, pageFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestRunOnTheMockConformsAndEndsWithTheReportPath(t *testing.T) {
	out := t.TempDir()
	r := harness(t, t.Context(), "run", "--skip-load", "--out", out)
	if r.code != exitOK {
		t.Fatalf("want exit 0:\n%s", r)
	}
	if r.stderr != "" {
		t.Errorf("a run that has nothing to warn of wrote to stderr:\n%s", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if want := "report: " + filepath.Join(out, pageFile); lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
	page := readPage(t, out)
	if !strings.Contains(page, `data-verdict="PASS"`) || strings.Contains(page, `data-state="failed"`) {
		t.Error("page does not show a passing run")
	}
	for _, f := range []string{ginkgoJSON, ginkgoJUnit, "run.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestRunAgainstADriftingMockFailsAndTheMatrixShowsIt(t *testing.T) {
	out := t.TempDir()
	r := harness(t, t.Context(), "run", "--skip-load", "--drift", conformanceDrift, "--out", out)
	if r.code != exitFailed {
		t.Fatalf("want exit 1:\n%s", r)
	}
	page := readPage(t, out)
	if !strings.Contains(page, `data-verdict="FAIL"`) || !strings.Contains(page, `class="tile failed"`) {
		t.Errorf("the matrix shows no failure")
	}
	if !strings.Contains(page, conformanceDrift) {
		t.Errorf("the page does not name the drift mode")
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown command":   {"nosuch"},
		"unknown flag":      {"run", "--nosuch"},
		"unknown API":       {"run", "--only", "teams"},
		"bad label filter":  {"run", "--label-filter", "webex &&"},
		"unknown drift":     {"run", "--drift", "nosuch"},
		"stray argument":    {"version", "extra"},
		"bad mock flag":     {"mock", "--nosuch"},
		"missing report in": {"report", "--in", filepath.Join(t.TempDir(), "missing")},
		"in-each, no run":   {"report", "--in-each", t.TempDir(), "--out", t.TempDir()},
	} {
		t.Run(name, func(t *testing.T) {
			r := harness(t, t.Context(), args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "--help") {
				t.Errorf("want exit 2 and a pointer to --help:\n%s", r)
			}
		})
	}
}

func TestBadConfigurationExits2BeforeAnyRequest(t *testing.T) {
	liveWebex := []string{"HARNESS_WEBEX_URL=https://webex.invalid/v1", "HARNESS_WEBEX_TOKEN=t", "HARNESS_REDSKY_EMAIL=admin@example.com", "HARNESS_REDSKY_PASSWORD=p"}
	for name, env := range map[string][]string{
		"live load without opt-in":   liveWebex,
		"live URL without its token": {"HARNESS_WEBEX_URL=https://webex.invalid/v1"},
		"bad Commvault variant":      {"HARNESS_COMMVAULT_URL=https://cv.invalid/commandcenter/api", "HARNESS_COMMVAULT_USERNAME=u", "HARNESS_COMMVAULT_PASSWORD=p", "HARNESS_COMMVAULT_VARIANT=cloud"},
		"opt-in without a rate cap":  append(liveWebex, "HARNESS_ALLOW_LIVE_LOAD=1"),
	} {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			r := harnessEnv(t, t.Context(), env, "run", "--out", out)
			if r.code != exitUsage {
				t.Errorf("want exit 2:\n%s", r)
			}
			if _, err := os.Stat(filepath.Join(out, ginkgoJSON)); err == nil {
				t.Error("specs ran despite the bad configuration")
			}
		})
	}
}

func TestReportRendersAgainFromAFolder(t *testing.T) {
	out := t.TempDir()
	if r := harness(t, t.Context(), "run", "--skip-load", "--only", "commvault", "--out", out); r.code != exitOK {
		t.Fatalf("run:\n%s", r)
	}
	if err := os.Remove(filepath.Join(out, pageFile)); err != nil {
		t.Fatal(err)
	}
	r := harness(t, t.Context(), "report", "--in", out)
	if r.code != exitOK || !strings.Contains(r.stdout, "verdict: PASS") {
		t.Fatalf("report:\n%s", r)
	}
	if page := readPage(t, out); !strings.Contains(page, `data-api="commvault"`) {
		t.Error("re-rendered page lacks the commvault matrix")
	}
}

// TestReportReadsEveryRunOfAFolder gives report the folder that holds the
// runs' folders, as the Kubernetes merge does: every run is on the page,
// with no list of them written by hand.
func TestReportReadsEveryRunOfAFolder(t *testing.T) {
	runs := t.TempDir()
	for _, name := range []string{"first", "second"} {
		if r := harness(t, t.Context(), "run", "--skip-load", "--only", "commvault", "--out", filepath.Join(runs, name)); r.code != exitOK {
			t.Fatalf("run %s:\n%s", name, r)
		}
	}
	out := t.TempDir()
	r := harness(t, t.Context(), "report", "--in-each", runs, "--out", out)
	if r.code != exitOK {
		t.Fatalf("report --in-each:\n%s", r)
	}
	page := readPage(t, out)
	for _, name := range []string{"first", "second"} {
		if !strings.Contains(page, `data-run="`+name+`"`) {
			t.Errorf("the page lacks the run %s", name)
		}
	}
}

func TestInterruptedRunWritesAnIncompleteReport(t *testing.T) {
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, harnessBin, "run", "--out", out)
	cmd.Env = testkit.CleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // well into the load scenarios, which take about 15 s
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	r := result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
	if err == nil || r.code != exitFailed {
		t.Fatalf("want exit 1 after SIGINT:\n%s", r)
	}
	page := readPage(t, out)
	if !strings.Contains(page, `data-verdict="INCOMPLETE"`) || !strings.Contains(page, "interrupted: partial results") {
		t.Error("the page is not marked incomplete")
	}
	run, err := os.ReadFile(filepath.Join(out, "run.json"))
	if err != nil || !strings.Contains(string(run), `"incomplete": true`) {
		t.Errorf("run.json not marked incomplete: %s %v", run, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(out, "*.partial")); len(leftovers) > 0 {
		t.Errorf("half-written files left: %v", leftovers)
	}
}

func TestMockShutsDownOnSIGTERM(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, harnessBin, "mock", "--addr", addr)
	cmd.Env = testkit.CleanEnv()
	var errs bytes.Buffer
	cmd.Stderr = &errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitListening(t, addr)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mock did not exit cleanly: %v\n%s", err, errs.String())
	}
}

func TestMockOnAnAddressInUseExits2(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	r := harness(t, ctx, "mock", "--addr", busy.Addr().String())
	if r.code != exitUsage || !strings.Contains(r.stderr, "--addr "+busy.Addr().String()+": the address is in use") {
		t.Fatalf("want exit 2 naming the address in use:\n%s", r)
	}
}

// TestMistypedNamesGetASuggestion: an unknown command or flag is answered
// with the nearest ones, on stderr, with exit 2.
func TestMistypedNamesGetASuggestion(t *testing.T) {
	for args, want := range map[string]string{
		"rnu":                  "\trun",
		"run --skip-lod":       "\t--skip-load",
		"run -skip-load":       "\t--skip-load",
		"run --only-webex":     "\t--only",
		"report --baselin x":   "\t--baseline",
		"mock --adr 1.2.3.4:5": "\t--addr",
	} {
		r := harness(t, t.Context(), strings.Fields(args)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "Did you mean this?\n"+want+"\n") {
			t.Errorf("harness %s: want exit 2 suggesting %q:\n%s", args, strings.TrimSpace(want), r)
		}
	}
}

func TestVersionNamesTheBuild(t *testing.T) {
	r := harness(t, t.Context(), "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "harness ") || !strings.Contains(r.stdout, "github.com/onsi/ginkgo/v2") {
		t.Fatalf("version:\n%s", r)
	}
}

// TestREADMEListsEveryVariable keeps the README's table of variables in
// step with the ones the harness reads.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range variables() {
		if !strings.Contains(string(readme), "| `"+v.Env+"` |") {
			t.Errorf("README.md has no row for %s", v.Env)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}
