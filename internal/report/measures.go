// The load measures Compare sets against a baseline's, beyond noise.

package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"loginharness/internal/results"
)

// Noise allowances: a measure is reported as changed only beyond them.
const (
	rateNoise     = 0.05 // the load verdicts' own tolerance on rates, beyond their uncertainty
	burstNoise    = 0.25 // a burst moves with where a run's refusals fall
	latencyNoise  = 1.5  // a percentile must grow or shrink by this factor
	latencyFloorM = 2.0  // and by this many milliseconds, below which a busy machine decides
)

// measureChanges compares the measures of the scenarios both runs have.
func measureChanges(base, cur *Load) []MeasureChange {
	if base == nil || cur == nil {
		return nil
	}
	var out []MeasureChange
	for _, c := range cur.Scenarios {
		i := slices.IndexFunc(base.Scenarios, func(b Scenario) bool { return b.Scenario == c.Scenario && b.Run == c.Run })
		if i < 0 {
			continue
		}
		out = append(out, scenarioChanges(base.Scenarios[i].LoadSummary, c.LoadSummary, c.Title)...)
	}
	return out
}

func scenarioChanges(b, c results.LoadSummary, title string) []MeasureChange {
	var out []MeasureChange
	add := func(measure, before, after, why string) {
		out = append(out, MeasureChange{Scenario: title, Measure: measure, Before: before, After: after, Why: why})
	}
	if be, ce := b.Envelope, c.Envelope; be != nil && ce != nil {
		if be.LongRunRate > 0 && ce.LongRunRate > 0 {
			allowed := rateNoise*be.LongRunRate + be.Uncertainty + ce.Uncertainty
			if math.Abs(ce.LongRunRate-be.LongRunRate) > allowed {
				add("long-run accepted rate", fmt.Sprintf("%s ± %.1f", rate(be.LongRunRate), be.Uncertainty), fmt.Sprintf("%s ± %.1f", rate(ce.LongRunRate), ce.Uncertainty),
					fmt.Sprintf("moved more than %.1f/s: %.0f%% and both uncertainties", allowed, rateNoise*100))
			}
		}
		if be.Rate == ce.Rate && math.Abs(ce.Burst-be.Burst) > max(2, burstNoise*be.Burst) {
			add("burst", fmt.Sprintf("%.0f", be.Burst), fmt.Sprintf("%.0f", ce.Burst), fmt.Sprintf("moved more than %.0f%% and 2 requests", burstNoise*100))
		}
	}
	if b.RetryAfter.Present > b.RetryAfter.Unparsable && c.RetryAfter.Present > c.RetryAfter.Unparsable &&
		(b.RetryAfter.MinSeconds != c.RetryAfter.MinSeconds || b.RetryAfter.MaxSeconds != c.RetryAfter.MaxSeconds) {
		add("Retry-After", secondsRange(b.RetryAfter.MinSeconds, b.RetryAfter.MaxSeconds), secondsRange(c.RetryAfter.MinSeconds, c.RetryAfter.MaxSeconds), "whole seconds: any change")
	}
	for _, p := range []struct {
		name          string
		before, after float64
	}{{"latency p50", b.Latency.P50, c.Latency.P50}, {"latency p99", b.Latency.P99, c.Latency.P99}} {
		lo, hi := min(p.before, p.after), max(p.before, p.after)
		if lo > 0 && hi/lo > latencyNoise && hi-lo > latencyFloorM {
			add(p.name, msText(p.before), msText(p.after), "changed by more than "+strconv.FormatFloat(latencyNoise, 'g', -1, 64)+"× and "+msText(latencyFloorM))
		}
	}
	return out
}
