// Command harness-bench measures the harness against its limits and peers
// (issue 7): mock throughput against a bare net/http handler under Vegeta
// and wrk, validation cost, load fidelity, limiter accuracy, conformance
// suite wall time and the mock's memory after a flood of client keys. It
// prints tables and writes reports/bench.json.
//
//	harness-bench [-quick] [-only throughput,validation,...] [-out FILE]
//	harness-bench serve --kind mock|bare --addr 127.0.0.1:0 [mock flags]
//
// Every server runs in a child process (harness-bench serve) on loopback,
// apart from the load source; every load is bounded in time.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"loginharness/internal/bench"
	"loginharness/internal/results"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		os.Exit(serveMain(os.Args[2:]))
	}
	os.Exit(benchMain(os.Args[1:], os.Stdout, os.Stderr))
}

// sections, in the order they run.
var sections = []string{"handler", "validation", "throughput", "fidelity", "limiter", "conformance", "memory"}

// plan is how long and how hard each section measures.
type plan struct {
	quick          bool
	load           time.Duration // each closed-loop Vegeta round
	wrkLoad        time.Duration // each wrk round (whole seconds)
	rounds         int           // alternating bare/mock rounds per throughput figure
	warm           time.Duration // warm-up before each throughput run
	benchTime      time.Duration // testing.Benchmark's -test.benchtime
	fidelity       time.Duration // each open-loop run
	fidelityRounds int           // rounds of the three modes per rate
	limiter        time.Duration // each over-limit run
	probes         int           // Retry-After probes per limit
	keys           int           // distinct client keys of the memory run
	workers        []uint64      // Vegeta closed-loop worker counts
	wrkConns       int
	wrkThreads     int
	rates          []float64 // fidelity requested rates
	limits         []float64 // limiter limits
	burst          int
	mockProfile    string // CPU profile of the throughput mock
	exe            string // this program, for serve
	verbose        io.Writer
}

func benchMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("harness-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "a ~1 minute version: shorter runs, 200k keys")
	only := fs.String("only", "", "comma-separated sections to run (default all): "+strings.Join(sections, ","))
	out := fs.String("out", "", "where to write the JSON report (default $HARNESS_OUT or reports/ of the module: bench.json)")
	workers := fs.String("workers", "8,32,128", "Vegeta closed-loop worker counts")
	wrkConns := fs.Int("wrk-connections", 64, "wrk connections")
	keys := fs.Int("keys", 0, "distinct client keys for the memory run (default 1000000, quick 200000)")
	profile := fs.String("cpuprofile-mock", "", "write a CPU profile of the mock server during the throughput runs to this file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: harness-bench [flags]\n       harness-bench serve --kind mock|bare --addr 127.0.0.1:0 [mock flags]\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "harness-bench: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	selected, err := parseOnly(*only)
	if err != nil {
		fmt.Fprintln(stderr, "harness-bench:", err)
		return 2
	}
	ws, err := parseCounts(*workers)
	if err != nil {
		fmt.Fprintln(stderr, "harness-bench: -workers:", err)
		return 2
	}
	if *wrkConns < 1 || *keys < 0 {
		fmt.Fprintln(stderr, "harness-bench: -wrk-connections must be at least 1 and -keys not negative")
		return 2
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "harness-bench: cannot find this program to start the servers:", err)
		return 1
	}
	p := newPlan(*quick)
	p.workers, p.wrkConns, p.mockProfile, p.exe, p.verbose = ws, *wrkConns, *profile, exe, stderr
	if *keys > 0 {
		p.keys = *keys
	}
	path := *out
	if path == "" {
		path = filepath.Join(results.OutDir(), "bench.json")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	rep := &bench.Report{
		Version:   bench.ReportVersion,
		StartedAt: start.UTC().Format(time.RFC3339),
		Quick:     *quick,
		Command:   "harness-bench " + strings.Join(args, " "),
		Env:       env(),
	}
	rep.Command = strings.TrimSpace(rep.Command)
	runners := map[string]func(context.Context, *plan, *bench.Report) []*bench.Table{
		"handler":     runHandler,
		"validation":  runValidation,
		"throughput":  runThroughput,
		"fidelity":    runFidelity,
		"limiter":     runLimiter,
		"conformance": runConformance,
		"memory":      runMemory,
	}
	for _, name := range sections {
		if !selected[name] {
			continue
		}
		if ctx.Err() != nil {
			rep.Notes = append(rep.Notes, name+": not run (interrupted)")
			continue
		}
		p.logf("== %s", name)
		t0 := time.Now()
		for _, t := range runners[name](ctx, p, rep) {
			fmt.Fprintln(stdout, t.Render())
		}
		p.logf("   %s took %.1f s", name, time.Since(t0).Seconds())
	}
	rep.Env.LoadAvgEnd = loadAvg()
	rep.Goals = bench.Goals(rep)
	rep.ElapsedSeconds = time.Since(start).Seconds()
	fmt.Fprintln(stdout, goalTable(rep.Goals).Render())
	if ctx.Err() != nil {
		rep.Notes = append(rep.Notes, "interrupted: the report is partial")
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		fmt.Fprintln(stderr, "harness-bench: encode report:", err)
		return 1
	}
	if err := results.WriteFileAtomic(path, append(data, '\n')); err != nil {
		fmt.Fprintln(stderr, "harness-bench: write report:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%.0f s)\n", path, rep.ElapsedSeconds)
	if ctx.Err() != nil {
		return 130
	}
	return 0
}

func newPlan(quick bool) *plan {
	p := &plan{
		quick: quick, load: time.Second, wrkLoad: time.Second, rounds: 5, warm: 300 * time.Millisecond, benchTime: 500 * time.Millisecond,
		fidelity: time.Second, fidelityRounds: 3, limiter: 3 * time.Second, probes: 5, keys: 1_000_000,
		wrkThreads: 2, rates: []float64{1000, 5000, 10000}, limits: []float64{10, 100, 1000}, burst: 10,
	}
	if quick {
		p.load, p.rounds, p.warm, p.benchTime = 500*time.Millisecond, 2, 200*time.Millisecond, 100*time.Millisecond
		p.fidelity, p.fidelityRounds, p.limiter, p.probes, p.keys = 500*time.Millisecond, 2, 2*time.Second, 3, 200_000
	}
	return p
}

func (p *plan) logf(format string, args ...any) {
	if p.verbose != nil {
		fmt.Fprintf(p.verbose, format+"\n", args...)
	}
}

func parseOnly(s string) (map[string]bool, error) {
	sel := map[string]bool{}
	if strings.TrimSpace(s) == "" {
		for _, n := range sections {
			sel[n] = true
		}
		return sel, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		name := strings.TrimSpace(part)
		if !slices.Contains(sections, name) {
			return nil, fmt.Errorf("-only: unknown section %q; sections: %s", name, strings.Join(sections, ", "))
		}
		sel[name] = true
	}
	return sel, nil
}

func parseCounts(s string) ([]uint64, error) {
	var out []uint64
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(part), 10, 32)
		if err != nil || n == 0 || n > 4096 {
			return nil, fmt.Errorf("%q is not a count from 1 to 4096", strings.TrimSpace(part))
		}
		out = append(out, n)
	}
	return out, nil
}

func env() bench.Env {
	e := bench.Env{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if v, err := bench.WrkVersion(); err == nil {
		e.Wrk = v
	}
	e.LoadAvgStart = loadAvg()
	return e
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func f(v float64) string { return bench.FormatFloat(v) }

// loadAvg is the 1-minute load average, "" when unknown.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(data), " ")
	return first
}
