package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// WrkVersion returns wrk's version line, or ErrWrkMissing.
func WrkVersion() (string, error) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		return "", ErrWrkMissing
	}
	// wrk -v prints its version and usage, and exits 1.
	out, _ := exec.Command(path, "-v").CombinedOutput()
	line, _, _ := strings.Cut(string(out), "\n")
	if !strings.HasPrefix(line, "wrk") {
		return "", fmt.Errorf("%s does not look like wrk: %q", path, line)
	}
	return strings.TrimSpace(line), nil
}

// WrkOptions shapes a wrk run.
type WrkOptions struct {
	Threads, Connections int
	Duration             time.Duration
	Script               string // Lua, e.g. from WrkScript
}

// RunWrk runs wrk with --latency against url and parses its output.
func RunWrk(ctx context.Context, url string, o WrkOptions) (WrkResult, error) {
	path, err := exec.LookPath("wrk")
	if err != nil {
		return WrkResult{}, ErrWrkMissing
	}
	dir, err := os.MkdirTemp("", "harness-bench-wrk-")
	if err != nil {
		return WrkResult{}, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "request.lua")
	if err := os.WriteFile(script, []byte(o.Script), 0o600); err != nil {
		return WrkResult{}, err
	}
	secs := max(1, int(o.Duration.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, path,
		"-t", strconv.Itoa(max(1, o.Threads)), "-c", strconv.Itoa(max(1, o.Connections)),
		"-d", strconv.Itoa(secs)+"s", "--timeout", "10s", "--latency", "-s", script, url)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return WrkResult{}, ctx.Err()
		}
		return WrkResult{}, fmt.Errorf("wrk: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	res, err := ParseWrk(stdout.String())
	if err != nil {
		return res, errors.Join(err, fmt.Errorf("wrk stderr: %s", strings.TrimSpace(stderr.String())))
	}
	return res, nil
}
