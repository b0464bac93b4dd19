// Command harness-bench is `make bench`: it wires flags to measure.Scorecard,
// prints the tables and writes reports/bench.json, and its serve subcommand runs
// the measured server (the mock or the bare yardstick) in a child process.
//
//	harness-bench [--quick] [--only throughput,validation,...] [--top-rate 20000] [--out FILE]
//	harness-bench serve --kind mock|bare --addr 127.0.0.1:0 [mock flags]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"loginharness/internal/bench/measure"
	"loginharness/internal/results"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		os.Exit(serveMain(os.Args[2:]))
	}
	os.Exit(benchMain(os.Args[1:], os.Stdout, os.Stderr))
}

// benchOptions are what the command line asks of a run.
type benchOptions struct {
	plan     *measure.Plan
	selected map[string]bool
	out      string
}

func benchMain(args []string, stdout, stderr io.Writer) int {
	o, code := parseBenchFlags(args, stderr)
	if o == nil {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep := measure.Scorecard(ctx, o.plan, o.selected, "harness-bench "+strings.Join(args, " "), stdout)
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		fmt.Fprintln(stderr, "harness-bench: encode report:", err)
		return 1
	}
	if err := results.WriteFileAtomic(o.out, append(data, '\n')); err != nil {
		fmt.Fprintln(stderr, "harness-bench: write report:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (%.0f s)\n", o.out, rep.ElapsedSeconds)
	if ctx.Err() != nil {
		return 130
	}
	return 0
}

// parseBenchFlags reads the command line into a plan; nil and an exit
// code when there is nothing to run (help, 0) or the line is wrong (2).
func parseBenchFlags(args []string, stderr io.Writer) (*benchOptions, int) {
	fs := pflag.NewFlagSet("harness-bench", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	quick := fs.Bool("quick", false, "a ~1 minute version: shorter runs, 200k keys")
	only := fs.String("only", "", "comma-separated sections to run (default all): "+strings.Join(measure.Sections(), ","))
	out := fs.String("out", "", "where to write the JSON report (default $"+results.OutDirEnv+" or reports/ of the module: bench.json)")
	workers := fs.String("workers", "8,32,128", "Vegeta closed-loop worker counts")
	wrkConns := fs.Int("wrk-connections", 64, "wrk connections")
	topRate := fs.Float64("top-rate", 20000, "the top load fidelity rate (req/s), run at plain Vegeta's measured ceiling when that is lower; 0 for none")
	keys := fs.Int("keys", 0, "distinct client keys for the memory run (default 1000000, quick 200000)")
	profile := fs.String("cpuprofile-mock", "", "write a CPU profile of the mock server during the throughput runs to this file")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: harness-bench [flags]\n       harness-bench serve --kind mock|bare --addr 127.0.0.1:0 [mock flags]\n\nflags:")
		fs.PrintDefaults()
	}
	usage := func(format string, args ...any) (*benchOptions, int) {
		fmt.Fprintf(stderr, "harness-bench: "+format+"\n", args...)
		return nil, 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, 0
		}
		fmt.Fprintln(stderr, "harness-bench:", err)
		fs.Usage()
		return nil, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "harness-bench: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return nil, 2
	}
	selected, err := measure.ParseSections(*only)
	if err != nil {
		return usage("--only: %v", err)
	}
	ws, err := measure.ParseCounts(*workers)
	if err != nil {
		return usage("--workers: %v", err)
	}
	if *wrkConns < 1 || *keys < 0 {
		return usage("--wrk-connections must be at least 1 and --keys not negative")
	}
	if !(*topRate >= 0 && *topRate <= 1e6) {
		return usage("--top-rate %v: want 0 (none) to 1000000 req/s", *topRate)
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "harness-bench: cannot find this program to start the servers:", err)
		return nil, 1
	}
	p := measure.NewPlan(*quick)
	p.Workers, p.WrkConns, p.MockProfile, p.Exe, p.Verbose, p.TopRate = ws, *wrkConns, *profile, exe, stderr, *topRate
	if *keys > 0 {
		p.Keys = *keys
	}
	path := *out
	if path == "" {
		path = filepath.Join(results.OutDir(), "bench.json")
	}
	return &benchOptions{plan: p, selected: selected, out: path}, 0
}
