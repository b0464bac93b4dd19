package scorecard

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
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
	GoalValidationRatio = 0.2  // harness/plain kin-openapi CPU time, per response
	GoalFidelityRatio   = 0.9  // harness/plain achieved rate
	GoalTopFidelity     = 0.95 // harness/plain achieved rate at the top rate (or Vegeta's ceiling)
	GoalLimiterError    = 0.05 // |accepted/expected - 1|
)

// Goals judges the report against the goals' targets; ratios only, no
// absolute times but the validator's.
func Goals(rep *Card) []Goal {
	var out []Goal
	out = append(out, throughputGoals(rep.Throughput)...)
	out = append(out, validationGoals(rep.Validation)...)
	out = append(out, fidelityGoals(rep.Fidelity, rep.Ceiling)...)
	return append(out, limiterGoals(rep.Limiter)...)
}

// throughputGoals: mock/bare per source and connection count.
func throughputGoals(rows []Throughput) []Goal {
	type key struct {
		source string
		conns  int
	}
	pairs := map[key]map[string]Throughput{}
	var order []key
	for _, r := range rows {
		k := key{r.Source, r.Connections}
		if pairs[k] == nil {
			pairs[k] = map[string]Throughput{}
			order = append(order, k)
		}
		pairs[k][r.Server] = r
	}
	var out []Goal
	for _, k := range order {
		bare, mock := pairs[k]["bare"], pairs[k]["mock"]
		v, ok := mock.RatioToBare, mock.RatioToBare > 0 && bare.Skipped == ""
		note := mock.Skipped
		if ok && (mock.Non2xx > 0 || bare.Non2xx > 0) {
			ok, note = false, "not every answer was a 200"
		}
		out = append(out, Judge(fmt.Sprintf("throughput mock/bare, %s %d conns", k.source, k.conns), v, ok, AtLeast, GoalThroughputRatio, "", note))
	}
	return out
}

// validationGoals: the slowest response in µs, then each response against
// plain kin-openapi on the same response, so a regression on any one
// variant shows even when it is not the slowest.
func validationGoals(costs []Cost) []Goal {
	if len(costs) == 0 {
		return nil
	}
	worst := slices.MaxFunc(costs, func(a, b Cost) int { return cmp.Compare(a.perOp(), b.perOp()) })
	note := "CPU time per response"
	if worst.CPUNsPerOp <= 0 {
		note = "wall time per response"
	}
	out := []Goal{Judge("validation, slowest response ("+worst.Name+")", worst.perOp()/1000, worst.perOp() > 0, Below, GoalValidationMicro, " µs", note)}
	for _, c := range costs {
		if c.Plain == nil {
			continue
		}
		note := ""
		if c.RatioToPlain <= 0 {
			note = "no pair of measurements to compare"
		}
		out = append(out, Judge(ValidationRatioGoal+c.Name, c.RatioToPlain, c.RatioToPlain > 0, AtMost, GoalValidationRatio, "×", note))
	}
	return out
}

// ValidationRatioGoal starts the name of each per-response validation goal.
const ValidationRatioGoal = "validation/kin-openapi, "

// fidelityGoals: the harness load path against plain Vegeta, per requested
// rate, and at the top rate with its own, stricter target.
func fidelityGoals(rows []Fidelity, ceiling *Ceiling) []Goal {
	plain := map[float64]float64{}
	for _, r := range rows {
		if r.Mode == ModePlain && !r.Top {
			plain[r.RequestedRate] = r.AchievedRate
		}
	}
	var out []Goal
	for _, r := range rows {
		if r.Mode != ModeHarness || r.Top {
			continue
		}
		v, ok := r.RatioToPlain, r.RatioToPlain > 0
		note := ""
		if p, measured := plain[r.RequestedRate]; measured && p < GoalFidelityRatio*r.RequestedRate {
			note = saturated(p, r.RequestedRate)
		}
		out = append(out, Judge("load fidelity harness/plain at "+strconv.FormatFloat(r.RequestedRate, 'f', 0, 64)+"/s", v, ok, AtLeast, GoalFidelityRatio, "", note))
	}
	if ceiling != nil {
		out = append(out, topFidelityGoal(rows, ceiling))
	}
	return out
}

// TopFidelityGoal names the goal of the top fidelity row for a top rate,
// the same whatever ceiling a run measured, so runs can be compared.
func TopFidelityGoal(top float64) string {
	return "load fidelity harness/plain at " + strconv.FormatFloat(top, 'f', 0, 64) + "/s or Vegeta's ceiling"
}

// topFidelityGoal judges the harness row at the top rate; its note says
// which rate ran, why, and the validators' share of the CPU.
func topFidelityGoal(rows []Fidelity, c *Ceiling) Goal {
	var harness, plain *Fidelity
	for i := range rows {
		switch {
		case !rows[i].Top:
		case rows[i].Mode == ModeHarness:
			harness = &rows[i]
		case rows[i].Mode == ModePlain:
			plain = &rows[i]
		}
	}
	var notes []string
	switch {
	case c.Rate <= 0:
		notes = append(notes, "not run: plain Vegeta kept up with none of the rates probed")
	case c.BelowTop:
		notes = append(notes, fmt.Sprintf("run at plain Vegeta's ceiling on this machine, %.0f/s (%.0f/s is above it)", c.Rate, c.Top))
	default:
		notes = append(notes, fmt.Sprintf("run at %.0f/s, within plain Vegeta's ceiling", c.Rate))
	}
	if plain != nil && plain.AchievedRate < GoalFidelityRatio*plain.RequestedRate {
		notes = append(notes, saturated(plain.AchievedRate, plain.RequestedRate))
	}
	v, ok := 0.0, false
	if harness != nil {
		v, ok = harness.RatioToPlain, harness.RatioToPlain > 0
		if len(harness.RatioRounds) > 1 {
			notes = append(notes, fmt.Sprintf("rounds %.2f to %.2f", slices.Min(harness.RatioRounds), slices.Max(harness.RatioRounds)))
		}
		if s := harness.Validators; s != nil && s.Samples > 0 {
			notes = append(notes, fmt.Sprintf("validating took %.1f%% of the load process's CPU (%d of %d profile samples)", 100*s.Share, s.InFunc, s.Samples))
		}
	}
	g := Judge(TopFidelityGoal(c.Top), v, ok, AtLeast, GoalTopFidelity, "", strings.Join(notes, "; "))
	g.NoteAlways = true
	return g
}

func saturated(plain, requested float64) string {
	return fmt.Sprintf("plain Vegeta itself reached only %.0f%% of the requested rate: the machine was saturated", 100*plain/requested)
}

// limiterGoals: accepted within 5 % of the expectation, Retry-After honest.
func limiterGoals(rows []LimiterAccuracy) []Goal {
	var out []Goal
	for _, l := range rows {
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
// rounds, counts, CPU time and profile samples are sums. ratios[mode] are the per-round ratios of that
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
			row.CPUSeconds += r.CPUSeconds
			if r.Validators != nil {
				if row.Validators == nil {
					row.Validators = &CPUShare{}
				}
				row.Validators.Add(*r.Validators)
			}
			achieved, sent = append(achieved, r.AchievedRate), append(sent, r.SentRate)
			thr, p99 = append(thr, r.Throughput), append(p99, r.P99Ms)
		}
		row.Rounds = achieved
		row.AchievedRate, _ = Median(achieved)
		row.SentRate, _ = Median(sent)
		row.Throughput, _ = Median(thr)
		row.P99Ms, _ = Median(p99)
		row.RatioToPlain, _ = Median(ratios[mode])
		row.RatioRounds = ratios[mode]
		if row.CPUSeconds > 0 && row.Requests > 0 {
			row.CPUMicrosPerRequest = 1e6 * row.CPUSeconds / float64(row.Requests)
		}
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

// CostRatio is a's cost per call over b's: CPU time when both have it,
// else wall time; false when either is missing.
func CostRatio(a, b Cost) (float64, bool) {
	if a.CPUNsPerOp > 0 && b.CPUNsPerOp > 0 {
		return Ratio(a.CPUNsPerOp, b.CPUNsPerOp)
	}
	return Ratio(a.NsPerOp, b.NsPerOp)
}

// FoldCosts folds rounds of one measurement into one: times per call,
// allocations and bytes are medians over rounds, iterations a sum. The
// name and the labels are the first round's; the zero Cost when none.
func FoldCosts(rounds []Cost) Cost {
	if len(rounds) == 0 {
		return Cost{}
	}
	out := rounds[0]
	out.Iterations = 0
	var ns, cpu, allocs, bytes []float64
	for _, r := range rounds {
		out.Iterations += r.Iterations
		ns, allocs, bytes = append(ns, r.NsPerOp), append(allocs, float64(r.AllocsPerOp)), append(bytes, float64(r.BytesPerOp))
		if r.CPUNsPerOp > 0 {
			cpu = append(cpu, r.CPUNsPerOp)
		}
	}
	out.NsPerOp, _ = Median(ns)
	out.CPUNsPerOp, _ = Median(cpu)
	a, _ := Median(allocs)
	b, _ := Median(bytes)
	out.AllocsPerOp, out.BytesPerOp = int64(math.Round(a)), int64(math.Round(b))
	return out
}
