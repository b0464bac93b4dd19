package bench

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the server process StartServerProcess runs.
const helperEnv = "BENCH_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "listen":
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		fmt.Println("starting up")
		fmt.Println(ListeningPrefix + "http://127.0.0.1:9")
		<-ctx.Done()
		os.Exit(0)
	case "exit":
		fmt.Fprintln(os.Stderr, "bad flag --frobnicate")
		os.Exit(2)
	case "silent":
		time.Sleep(time.Minute)
		os.Exit(0)
	}
}

func helper(t *testing.T, mode string) {
	t.Helper()
	t.Setenv(helperEnv, mode)
}

func TestStartServer(t *testing.T) {
	helper(t, "listen")
	s, err := StartServerProcess(context.Background(), 10*time.Second, os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "http://127.0.0.1:9" || s.PID <= 0 || !s.alive() {
		t.Errorf("server = %+v", s)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if s.alive() {
		t.Error("alive after Stop")
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStartServerExits(t *testing.T) {
	helper(t, "exit")
	_, err := StartServerProcess(context.Background(), 10*time.Second, os.Args[0])
	if err == nil || !strings.Contains(err.Error(), "exited before listening") || !strings.Contains(err.Error(), "--frobnicate") {
		t.Errorf("err = %v, want the exit and the server's own message", err)
	}
}

func TestStartServerSilent(t *testing.T) {
	helper(t, "silent")
	_, err := StartServerProcess(context.Background(), 200*time.Millisecond, os.Args[0])
	if err == nil || !strings.Contains(err.Error(), "did not print its address") {
		t.Errorf("err = %v", err)
	}
}

func TestStartServerMissingProgram(t *testing.T) {
	if _, err := StartServerProcess(context.Background(), time.Second, "/nonexistent/harness-bench"); err == nil {
		t.Error("no error for a missing program")
	}
}

func TestTailBuf(t *testing.T) {
	b := &tailBuf{max: 8}
	fmt.Fprint(b, "0123456789")
	fmt.Fprint(b, "ab")
	if got := b.String(); got != "456789ab" {
		t.Errorf("tail = %q", got)
	}
	if got := (&tailBuf{max: 8}).String(); got != "(no output)" {
		t.Errorf("empty tail = %q", got)
	}
}

// alive reports whether the process still runs.
func (s *ServerProcess) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}
