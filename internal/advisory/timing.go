package advisory

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"loginharness/internal/results"
)

// TimingOptions are the thresholds a timing difference must all meet to
// raise the advisory: statistically sure (Alpha), large as an effect
// (MinCliffsDelta) and large in time (MinDifference), so a busy machine's
// noise or a difference of microseconds no network can show raises nothing.
type TimingOptions struct {
	Alpha          float64       // two-sided p-value below which the samples differ
	MinCliffsDelta float64       // |Cliff's delta| at least this: 0.474 is "large" (Romano et al. 2006)
	MinDifference  time.Duration // medians at least this far apart
	MinSamples     int           // per sample; fewer is not judged
}

// DefaultTiming are the thresholds of a run.
var DefaultTiming = TimingOptions{Alpha: 0.01, MinCliffsDelta: 0.474, MinDifference: time.Millisecond, MinSamples: 8}

// EnumerationByTiming compares the times of wrong passwords of an existing
// account with those of sign-ins of unknown accounts, with a Mann-Whitney U
// test and its effect size: a login that takes measurably longer for one
// tells an attacker which accounts exist.
func EnumerationByTiming(existing, unknown []time.Duration, o TimingOptions) results.Advisory {
	x, y := millis(existing), millis(unknown)
	t := &results.Timing{ExistingMS: x, UnknownMS: y, Alpha: o.Alpha, MinCliffsDelta: o.MinCliffsDelta,
		MinDifferenceMS: float64(o.MinDifference) / float64(time.Millisecond)}
	if len(x) < o.MinSamples || len(y) < o.MinSamples {
		a := verdict(NameEnumerationByTiming, results.AdvisoryNotJudged,
			fmt.Sprintf("%d existing-account and %d unknown-account times: the comparison needs at least %d of each", len(x), len(y), o.MinSamples))
		a.Timing = t
		return a
	}
	t.U, t.P = MannWhitney(x, y)
	n := float64(len(x) * len(y))
	t.CommonLanguage = t.U / n
	t.CliffsDelta = 2*t.CommonLanguage - 1
	t.MedianExistingMS, t.MedianUnknownMS = median(x), median(y)
	diff := t.MedianExistingMS - t.MedianUnknownMS
	summary := fmt.Sprintf("median %.2f ms for a wrong password of an existing account, %.2f ms for an unknown account (n=%d+%d, Mann-Whitney U=%.1f, p=%.2g, Cliff's delta=%.2f)",
		t.MedianExistingMS, t.MedianUnknownMS, len(x), len(y), t.U, t.P, t.CliffsDelta)
	state, message := results.AdvisoryPassed, summary+": no difference an attacker could use"
	if t.P < o.Alpha && math.Abs(t.CliffsDelta) >= o.MinCliffsDelta && math.Abs(diff) >= t.MinDifferenceMS {
		slower := "existing accounts"
		if diff < 0 {
			slower = "unknown accounts"
		}
		state, message = results.AdvisoryRaised, fmt.Sprintf("%s: %s take %.1f ms longer, enough to tell which accounts exist", summary, slower, math.Abs(diff))
	}
	a := verdict(NameEnumerationByTiming, state, message)
	a.Timing = t
	return a
}

// MannWhitney returns U of x (pairs where x wins, ties counting half) and
// the two-sided p-value of the hypothesis that x and y come from the same
// distribution, by the normal approximation with tie and continuity
// correction. Both samples must be non-empty.
func MannWhitney(x, y []float64) (u, p float64) {
	n1, n2 := float64(len(x)), float64(len(y))
	type obs struct {
		v     float64
		fromX bool
	}
	all := make([]obs, 0, len(x)+len(y))
	for _, v := range x {
		all = append(all, obs{v, true})
	}
	for _, v := range y {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	var rankX, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // the average of ranks i+1 .. j
		for k := i; k < j; k++ {
			if all[k].fromX {
				rankX += rank
			}
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	u = rankX - n1*(n1+1)/2
	n := n1 + n2
	variance := n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1)))
	if variance <= 0 {
		return u, 1
	}
	z := math.Max(math.Abs(u-n1*n2/2)-0.5, 0) / math.Sqrt(variance)
	return u, math.Erfc(z / math.Sqrt2)
}

func millis(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d) / float64(time.Millisecond)
	}
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
