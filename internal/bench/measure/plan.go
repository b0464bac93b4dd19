// Package measure runs the sections of `make bench`, each measuring one promise of
// the harness with the instruments of internal/bench and filling a scorecard.Card.
//
// The sections: the handler's cost in process, validation cost against plain
// kin-openapi, the mock's throughput against a bare handler under Vegeta and wrk,
// load fidelity of internal/load's runner against plain Vegeta, limiter accuracy
// with Retry-After probes, the conformance suite's wall time and the mock's memory
// after a flood of keys. Servers run in child processes (`harness-bench serve`) on
// loopback, apart from the load source; every load is bounded in time.
package measure

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sectionNames are the sections, in the order they run.
var sectionNames = []string{"handler", "validation", "throughput", "fidelity", "limiter", "conformance", "memory"}

// Sections lists the sections in the order they run.
func Sections() []string { return slices.Clone(sectionNames) }

// Plan is how long and how hard each section measures.
type Plan struct {
	Quick     bool
	Load      time.Duration // each closed-loop Vegeta round
	WrkLoad   time.Duration // each wrk round (whole seconds)
	Rounds    int           // alternating bare/mock rounds per throughput figure
	Warm      time.Duration // warm-up before each throughput run
	BenchTime time.Duration // testing.Benchmark's -test.benchtime
	// ValidationTime is each validation benchmark's benchtime, in
	// ValidationRounds rounds of the harness and plain kin-openapi.
	ValidationTime   time.Duration
	ValidationRounds int
	Fidelity         time.Duration // each open-loop run
	FidelityRounds   int           // rounds of the three modes per rate
	// TopRate is the top fidelity row's rate, or plain Vegeta's ceiling
	// when it falls short of it; each of its TopRounds rounds' runs, and
	// each probe of the ceiling search, lasts TopFidelity, so the ceiling
	// is a rate plain Vegeta sustained as long as the row runs. The search
	// bisects to CeilingResolution in at most CeilingSteps probes below.
	TopRate           float64
	TopFidelity       time.Duration
	TopRounds         int
	CeilingResolution float64
	CeilingSteps      int
	Limiter           time.Duration // each over-limit run
	Probes            int           // Retry-After probes per limit
	Keys              int           // distinct client keys of the memory run
	Workers           []uint64      // Vegeta closed-loop worker counts
	WrkConns          int
	WrkThreads        int
	Rates             []float64 // fidelity requested rates
	Limits            []float64 // limiter limits
	Burst             int
	MockProfile       string    // CPU profile of the throughput mock
	Exe               string    // the harness-bench program, whose `serve` runs the servers
	Verbose           io.Writer // progress lines; nil for none
}

// NewPlan is the full plan (about 3.5 minutes), or with quick a ~1 minute
// one: shorter runs, fewer rounds, 200k keys.
func NewPlan(quick bool) *Plan {
	p := &Plan{
		Quick: quick, Load: time.Second, WrkLoad: time.Second, Rounds: 5, Warm: 300 * time.Millisecond, BenchTime: 500 * time.Millisecond,
		Fidelity: time.Second, FidelityRounds: 3, Limiter: 3 * time.Second, Probes: 5, Keys: 1_000_000,
		Workers: []uint64{8, 32, 128}, WrkConns: 64, WrkThreads: 2, Rates: []float64{1000, 5000, 10000}, Limits: []float64{10, 100, 1000}, Burst: 10,
	}
	p.ValidationTime, p.ValidationRounds = 150*time.Millisecond, 3
	p.TopRate, p.TopFidelity, p.TopRounds, p.CeilingResolution, p.CeilingSteps = 20000, 3*time.Second, 5, 500, 5
	if quick {
		p.Load, p.Rounds, p.Warm, p.BenchTime = 500*time.Millisecond, 2, 200*time.Millisecond, 100*time.Millisecond
		p.Fidelity, p.FidelityRounds, p.Limiter, p.Probes, p.Keys = 500*time.Millisecond, 2, 2*time.Second, 3, 200_000
		p.ValidationTime, p.ValidationRounds, p.TopFidelity, p.TopRounds, p.CeilingSteps = 50*time.Millisecond, 1, time.Second, 2, 3
	}
	return p
}

func (p *Plan) logf(format string, args ...any) {
	if p.Verbose != nil {
		fmt.Fprintf(p.Verbose, format+"\n", args...)
	}
}

// ParseSections reads a comma-separated list of sections; empty is all.
func ParseSections(s string) (map[string]bool, error) {
	sel := map[string]bool{}
	if strings.TrimSpace(s) == "" {
		for _, n := range sectionNames {
			sel[n] = true
		}
		return sel, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		name := strings.TrimSpace(part)
		if !slices.Contains(sectionNames, name) {
			return nil, fmt.Errorf("unknown section %q; sections: %s", name, strings.Join(sectionNames, ", "))
		}
		sel[name] = true
	}
	return sel, nil
}

// ParseCounts reads a comma-separated list of worker counts, 1 to 4096.
func ParseCounts(s string) ([]uint64, error) {
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
