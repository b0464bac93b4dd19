package bench

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// The load fidelity modes: plain Vegeta, Vegeta validating each result
// inline on its collecting goroutine, and the harness's own load path.
const (
	ModePlain   = "vegeta"
	ModeInline  = "vegeta + ValidateResponse inline"
	ModeHarness = "internal/load runner"
)

// The goals' targets: what the harness promises of its mock, its
// validator, its load path and the mock's limiter.
const (
	GoalThroughputRatio = 0.8  // mock/bare requests/s
	GoalValidationMicro = 20.0 // µs per response, the slowest; within the goal of ≤ 0.2× plain kin-openapi on each response (~26 µs on CustomerManaged)
	GoalFidelityRatio   = 0.9  // harness/plain achieved rate
	GoalLimiterError    = 0.05 // |accepted/expected - 1|
)

// Goals judges the report against the goals' targets; ratios only, no
// absolute times but the validator's.
func Goals(rep *Report) []Goal {
	var out []Goal
	// Throughput: mock/bare per source and connection count.
	type key struct {
		source string
		conns  int
	}
	pairs := map[key]map[string]Throughput{}
	var order []key
	for _, r := range rep.Throughput {
		k := key{r.Source, r.Connections}
		if pairs[k] == nil {
			pairs[k] = map[string]Throughput{}
			order = append(order, k)
		}
		pairs[k][r.Server] = r
	}
	for _, k := range order {
		bare, mock := pairs[k]["bare"], pairs[k]["mock"]
		v, ok := mock.RatioToBare, mock.RatioToBare > 0 && bare.Skipped == ""
		note := mock.Skipped
		if ok && (mock.Non2xx > 0 || bare.Non2xx > 0) {
			ok, note = false, "not every answer was a 200"
		}
		out = append(out, Judge(fmt.Sprintf("throughput mock/bare, %s %d conns", k.source, k.conns), v, ok, AtLeast, GoalThroughputRatio, "", note))
	}
	// Validation: the slowest response.
	if len(rep.Validation) > 0 {
		worst := slices.MaxFunc(rep.Validation, func(a, b Cost) int { return cmp.Compare(a.perOp(), b.perOp()) })
		note := "CPU time per response"
		if worst.CPUNsPerOp <= 0 {
			note = "wall time per response"
		}
		out = append(out, Judge("validation, slowest response ("+worst.Name+")", worst.perOp()/1000, worst.perOp() > 0, Below, GoalValidationMicro, " µs", note))
	}
	// Fidelity: the harness load path against plain Vegeta, per requested rate.
	plain := map[float64]float64{}
	for _, r := range rep.Fidelity {
		if r.Mode == ModePlain {
			plain[r.RequestedRate] = r.AchievedRate
		}
	}
	for _, r := range rep.Fidelity {
		if r.Mode != ModeHarness {
			continue
		}
		v, ok := r.RatioToPlain, r.RatioToPlain > 0
		note := ""
		if p, measured := plain[r.RequestedRate]; measured && p < GoalFidelityRatio*r.RequestedRate {
			note = fmt.Sprintf("plain Vegeta itself reached only %.0f%% of the requested rate: the machine was saturated", 100*p/r.RequestedRate)
		}
		out = append(out, Judge("load fidelity harness/plain at "+strconv.FormatFloat(r.RequestedRate, 'f', 0, 64)+"/s", v, ok, AtLeast, GoalFidelityRatio, "", note))
	}
	// Limiter: accepted within 5 % of the expectation, Retry-After honest.
	for _, l := range rep.Limiter {
		name := "limiter " + strconv.FormatFloat(l.Limit, 'f', 0, 64) + "/s"
		out = append(out, Judge(name+" |accepted/expected - 1|", math.Abs(l.AcceptedError), l.Expected > 0, Below, GoalLimiterError, "", ""))
		honest := 0.0
		if l.Honest {
			honest = 1
		}
		out = append(out, Judge(name+" Retry-After honest probes", honest, l.Probes > 0, AtLeast, 1, "", strconv.Itoa(l.Probes)+" probes"))
	}
	return out
}

// FoldRounds folds alternating rounds into one bare and one mock row of
// source at conns: requests/s and latencies are medians over rounds,
// counts are sums, and the mock row's RatioToBare is the median of the
// rounds' paired ratios. A server without rounds gets a skipped row,
// with failed[server] as the reason when known.
func FoldRounds(source string, conns int, per map[string][]Throughput, ratios []float64, failed map[string]string) map[string]Throughput {
	out := map[string]Throughput{}
	for _, name := range []string{"bare", "mock"} {
		row := Throughput{Source: source, Connections: conns, Server: name}
		rounds := per[name]
		if len(rounds) == 0 {
			row.Skipped = failed[name]
			if row.Skipped == "" {
				row.Skipped = "not measured (interrupted)"
			}
			out[name] = row
			continue
		}
		var rps, p50, p99 []float64
		for _, m := range rounds {
			row.Seconds += m.Seconds
			row.Requests += m.Requests
			row.Non2xx += m.Non2xx
			row.Errors += m.Errors
			for code, n := range m.StatusCodes {
				if row.StatusCodes == nil {
					row.StatusCodes = map[string]int{}
				}
				row.StatusCodes[code] += n
			}
			rps, p50, p99 = append(rps, m.RequestsPerSec), append(p50, m.P50Ms), append(p99, m.P99Ms)
		}
		row.Rounds = rps
		row.RequestsPerSec, _ = Median(rps)
		row.P50Ms, _ = Median(p50)
		row.P99Ms, _ = Median(p99)
		if name == "mock" {
			row.RatioToBare, _ = Median(ratios)
		}
		out[name] = row
	}
	return out
}

// FoldFidelity folds the rounds of each mode at one requested rate into one
// row per mode, in the order of modes: rates and latency are medians over
// rounds, counts are sums. ratios[mode] are the per-round ratios of that
// mode's achieved rate to plain Vegeta's; their median is RatioToPlain.
func FoldFidelity(rate float64, modes []string, per map[string][]Fidelity, ratios map[string][]float64) []Fidelity {
	var out []Fidelity
	for _, mode := range modes {
		rounds := per[mode]
		if len(rounds) == 0 {
			continue
		}
		row := Fidelity{Mode: mode, RequestedRate: rate}
		var achieved, sent, thr, p99 []float64
		for _, r := range rounds {
			row.Requests += r.Requests
			row.Validated += r.Validated
			row.Nonconforming += r.Nonconforming
			row.Errors += r.Errors
			achieved, sent = append(achieved, r.AchievedRate), append(sent, r.SentRate)
			thr, p99 = append(thr, r.Throughput), append(p99, r.P99Ms)
		}
		row.Rounds = achieved
		row.AchievedRate, _ = Median(achieved)
		row.SentRate, _ = Median(sent)
		row.Throughput, _ = Median(thr)
		row.P99Ms, _ = Median(p99)
		row.RatioToPlain, _ = Median(ratios[mode])
		out = append(out, row)
	}
	return out
}

// perOp is the cost judged: CPU time when measured, else wall time.
func (c Cost) perOp() float64 {
	if c.CPUNsPerOp > 0 {
		return c.CPUNsPerOp
	}
	return c.NsPerOp
}
