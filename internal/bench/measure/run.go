package measure

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"loginharness/internal/bench"
	"loginharness/internal/bench/scorecard"
)

// section measures one thing, adds its rows to the report and returns the
// tables to print.
type section func(context.Context, *Plan, *scorecard.Card) []*table

var sections = map[string]section{
	"handler":     runHandler,
	"validation":  runValidation,
	"throughput":  runThroughput,
	"fidelity":    runFidelity,
	"limiter":     runLimiter,
	"conformance": runConformance,
	"memory":      runMemory,
}

// Scorecard measures the selected sections in order, printing each table
// to stdout as it is done, then the goals and the notes, and returns the
// filled card. Once ctx ends, the sections left are noted as not run.
func Scorecard(ctx context.Context, p *Plan, selected map[string]bool, command string, stdout io.Writer) *scorecard.Card {
	start := time.Now()
	rep := &scorecard.Card{
		Version:   scorecard.Version,
		StartedAt: start.UTC().Format(time.RFC3339),
		Quick:     p.Quick,
		Command:   strings.TrimSpace(command),
		Env:       env(),
	}
	for _, name := range sectionNames {
		if !selected[name] {
			continue
		}
		if ctx.Err() != nil {
			rep.Notes = append(rep.Notes, name+": not run (interrupted)")
			continue
		}
		p.logf("== %s", name)
		t0 := time.Now()
		for _, t := range sections[name](ctx, p, rep) {
			fmt.Fprintln(stdout, t.Render())
		}
		p.logf("   %s took %.1f s", name, time.Since(t0).Seconds())
	}
	rep.Env.LoadAvgEnd = loadAvg()
	rep.Goals = scorecard.Goals(rep)
	rep.ElapsedSeconds = time.Since(start).Seconds()
	fmt.Fprintln(stdout, goalTable(rep.Goals).Render())
	if ctx.Err() != nil {
		rep.Notes = append(rep.Notes, "interrupted: the report is partial")
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	return rep
}

func env() scorecard.Env {
	e := scorecard.Env{GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if v, err := bench.WrkVersion(); err == nil {
		e.Wrk = v
	}
	e.LoadAvgStart = loadAvg()
	return e
}

// loadAvg is the 1-minute load average, "" when unknown.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	first, _, _ := strings.Cut(string(data), " ")
	return first
}
