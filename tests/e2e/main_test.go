// Package e2e runs the harness binary as a user would: built once per test
// binary into a temporary folder, run as a subprocess against servers the
// tests start on 127.0.0.1, judged by its exit code, its output and the
// files it writes.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"loginharness/internal/testkit"
)

// harnessBin is the binary under test, built by TestMain.
var harnessBin string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	bin, remove, err := testkit.BuildHarness()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer remove()
	harnessBin = bin
	return m.Run()
}

// execHarness is the binary as a command, with a clean environment.
func execHarness(args ...string) *exec.Cmd {
	cmd := exec.Command(harnessBin, args...)
	cmd.Env = testkit.CleanEnv()
	return cmd
}

// invocation is one run of the binary.
type invocation struct {
	args []string
	env  map[string]string // on top of a clean environment: no HARNESS_* is inherited
	// hangGuard kills the process if it runs longer: a generous bound that
	// only a hang reaches, not a timing assertion.
	hangGuard time.Duration
	// interruptWhen, when set, is polled while the process runs: SIGINT is
	// sent the first time it returns true.
	interruptWhen func() bool
}

// outcome is what a run did.
type outcome struct {
	code           int
	stdout, stderr string
	took           time.Duration
	interruptedAt  time.Duration // 0 when no SIGINT was sent
}

func (o outcome) output() string { return o.stdout + "\n" + o.stderr }

// syncBuffer is a bytes.Buffer safe for the writer goroutine and a reader.
type syncBuffer struct {
	mu  chan struct{}
	buf bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

// harness runs the binary and fails the test on a panic or a hang.
func harness(t *testing.T, inv invocation) outcome {
	t.Helper()
	guard := inv.hangGuard
	if guard == 0 {
		guard = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	cmd := exec.CommandContext(ctx, harnessBin, inv.args...)
	cmd.Env = testkit.CleanEnv()
	for k, v := range inv.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var interruptedAt atomic.Int64
	if inv.interruptWhen != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(20 * time.Millisecond):
				}
				if inv.interruptWhen() {
					interruptedAt.Store(int64(time.Since(start)))
					_ = cmd.Process.Signal(syscall.SIGINT)
					return
				}
			}
		}()
	}
	err := cmd.Wait()
	o := outcome{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	o.interruptedAt = time.Duration(interruptedAt.Load())
	if ctx.Err() != nil {
		t.Fatalf("harness %s hung: killed after %s\nstdout:\n%s\nstderr:\n%s", strings.Join(inv.args, " "), guard, tail(o.stdout), tail(o.stderr))
	}
	o.code = cmd.ProcessState.ExitCode()
	if err != nil && o.code < 0 {
		t.Fatalf("harness %s: %v", strings.Join(inv.args, " "), err)
	}
	for _, bad := range []string{"panic:", "goroutine ", "fatal error:"} {
		if strings.Contains(o.output(), bad) {
			t.Errorf("harness %s printed %q:\n%s", strings.Join(inv.args, " "), bad, tail(o.output()))
		}
	}
	return o
}

// tail keeps the end of long output for failure messages.
func tail(s string) string {
	const keep = 6000
	if len(s) > keep {
		return "...\n" + s[len(s)-keep:]
	}
	return s
}
