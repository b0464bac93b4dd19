package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ListeningPrefix starts the line a server process prints on stdout once
// it accepts connections: "listening http://127.0.0.1:PORT".
const ListeningPrefix = "listening "

// ServerProcess is a server running in a child process, so its CPU and memory are
// its own and the load source does not share its runtime.
type ServerProcess struct {
	URL  string // base URL, e.g. http://127.0.0.1:41234
	PID  int
	cmd  *exec.Cmd
	done chan struct{}
	err  error     // from Wait, once done is closed
	logs *tailBuf  // the child's stderr, last lines, for error messages
	once sync.Once // Stop
}

// StartServerProcess runs name with args and waits (up to timeout) for its
// "listening <url>" line.
func StartServerProcess(ctx context.Context, timeout time.Duration, name string, args ...string) (*ServerProcess, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = os.Environ()
	orphanGuard(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	logs := &tailBuf{max: 4096}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &ServerProcess{PID: cmd.Process.Pid, cmd: cmd, done: make(chan struct{}), logs: logs}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), ListeningPrefix); ok {
				select {
				case lines <- strings.TrimSpace(u):
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case u := <-lines:
		s.URL = u
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("server exited before listening (%v): %s", s.err, logs.String())
	case <-timer.C:
		s.Stop()
		return nil, fmt.Errorf("server did not print its address within %v: %s", timeout, logs.String())
	case <-ctx.Done():
		s.Stop()
		return nil, ctx.Err()
	}
}

// Stop asks the server to shut down (SIGTERM), kills it after 5 s, and
// returns its exit error, if any besides being stopped.
func (s *ServerProcess) Stop() error {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	var exit *exec.ExitError
	if errors.As(s.err, &exit) && !exit.Exited() {
		return nil // ended by our signal
	}
	if s.err != nil {
		return fmt.Errorf("server: %w: %s", s.err, s.logs.String())
	}
	return nil
}

// tailBuf keeps the last max bytes written to it.
type tailBuf struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuf) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuf) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return "(no output)"
	}
	return s
}
