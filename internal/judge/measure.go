package judge

import (
	"math"
	"slices"
	"strconv"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// Measure fills the figures of the summary that the case's own records
// give: counts by status, the errors, the timeline of the run and the
// rate-limit fields. The load generator's own figures (achieved rate,
// elapsed time, latency percentiles) are the caller's to set first.
func (c *Case) Measure() {
	sum, recs := c.Sum, c.Own
	sum.Requests = len(recs)
	if sum.StatusCodes == nil {
		sum.StatusCodes = map[string]int{}
	}
	if len(recs) > 0 {
		sum.DurationSeconds = timeline.LastSent(recs).Sub(timeline.FirstSent(recs)).Seconds()
	}
	served, n429 := 0, 0
	for _, rc := range recs {
		sum.StatusCodes[strconv.Itoa(rc.Status)]++
		switch {
		case rc.Status == 0:
			sum.Errors++
			if rc.Dropped {
				sum.Dropped++
			}
			sum.ErrorExamples = appendDistinct(sum.ErrorExamples, rc.Cause)
		case rc.OK():
			served++
		case rc.Status == 429:
			n429++
		}
	}
	sum.AcceptedRate, _ = RateOver(served, sum.ElapsedSeconds, sum.OfferedRate)
	if len(recs) > 0 {
		sum.Ratio429 = float64(n429) / float64(len(recs))
	}
	sum.Timeline = buckets(recs)
	sum.RetryAfter, sum.RateLimit = c.rateFields()
	if declared := timeline.DeclaredRate(recs); declared > 0 {
		sum.Limit.DeclaredRate = declared
	}
}

// Percentiles are exact: the buckets are small enough to sort.
func Percentiles(lat []time.Duration) results.Percentiles {
	if len(lat) == 0 {
		return results.Percentiles{}
	}
	slices.Sort(lat)
	at := func(q float64) float64 {
		return results.Milliseconds(lat[max(0, int(math.Ceil(q*float64(len(lat))))-1)])
	}
	var total time.Duration
	for _, l := range lat {
		total += l
	}
	return results.Percentiles{
		Mean: results.Milliseconds(total / time.Duration(len(lat))), P50: at(0.5), P90: at(0.9), P95: at(0.95), P99: at(0.99),
		Max: results.Milliseconds(lat[len(lat)-1]),
	}
}

// bucketWidths are the timeline resolutions, finest first; a run gets the
// finest that needs at most maxBuckets.
var bucketWidths = []time.Duration{
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
	2 * time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute,
}

const maxBuckets = 60

func buckets(recs []timeline.Record) []results.Bucket {
	if len(recs) == 0 {
		return nil
	}
	first := timeline.FirstSent(recs)
	span := timeline.LastSent(recs).Sub(first)
	width := bucketWidths[len(bucketWidths)-1]
	for _, w := range bucketWidths {
		if span/w < maxBuckets {
			width = w
			break
		}
	}
	n := int(span/width) + 1
	out := make([]results.Bucket, n)
	lat := make([][]time.Duration, n)
	for i := range out {
		out[i] = results.Bucket{StartSeconds: (time.Duration(i) * width).Seconds(), WidthSeconds: width.Seconds(), StatusCodes: map[string]int{}}
	}
	for _, rc := range recs {
		i := min(n-1, int(rc.Sent.Sub(first)/width))
		out[i].Requests++
		out[i].StatusCodes[strconv.Itoa(rc.Status)]++
		lat[i] = append(lat[i], rc.Latency)
	}
	for i := range out {
		out[i].Latency = Percentiles(lat[i])
	}
	return out
}

const maxExamples = 5

// rateFields describes the Retry-After values of the own 429s and the
// RateLimit fields of every own response, judging each against the others.
func (c *Case) rateFields() (results.RetryAfter, results.RateLimitFields) {
	var ra results.RetryAfter
	var rl results.RateLimitFields
	window := c.plausibleWindow()
	hist := map[float64]int{}
	policies := map[string]bool{}
	for _, rc := range c.Own {
		noteRateLimit(&rl, policies, rc)
		if rc.Status != 429 {
			continue
		}
		ra.Responses429++
		v := rc.RetryAfter
		switch {
		case !v.Present:
			ra.Missing++
			continue
		case v.Err != nil:
			ra.Present++
			ra.Unparsable++
			ra.Examples = appendDistinct(ra.Examples, v.Raw)
			continue
		}
		ra.Present++
		ra.Examples = appendDistinct(ra.Examples, v.Raw)
		secs := math.Ceil(v.Wait.Seconds())
		if ra.Present-ra.Unparsable == 1 || secs < ra.MinSeconds {
			ra.MinSeconds = secs
		}
		ra.MaxSeconds = max(ra.MaxSeconds, secs)
		hist[secs]++
		if v.Wait < 0 || v.Wait > window {
			ra.Implausible++
		}
		if rc.RateLimit.ResetBeyondRetryAfter {
			rl.Disagree++
		}
	}
	for secs, n := range hist {
		ra.Histogram = append(ra.Histogram, results.ValueCount{Seconds: secs, Count: n})
	}
	slices.SortFunc(ra.Histogram, func(a, b results.ValueCount) int { return int(a.Seconds - b.Seconds) })
	return ra, rl
}

// noteRateLimit counts one response's RateLimit fields; a policy that
// does not parse is counted once, a RateLimit value each time.
func noteRateLimit(rl *results.RateLimitFields, policies map[string]bool, rc timeline.Record) {
	f := rc.RateLimit
	if f.PolicyRaw != "" {
		rl.PolicySeen++
		if !policies[f.PolicyRaw] {
			policies[f.PolicyRaw] = true
			if f.PolicyErr != nil {
				rl.ParseErrors++
			}
			rl.Policies = appendCapped(rl.Policies, f.PolicyRaw)
		}
	}
	if f.LimitRaw != "" {
		rl.LimitSeen++
		if f.LimitErr != nil {
			rl.ParseErrors++
		}
		if !slices.Contains(rl.LimitSamples, f.LimitRaw) {
			rl.LimitSamples = appendCapped(rl.LimitSamples, f.LimitRaw)
		}
	}
}

// plausibleWindow is the longest Retry-After that is plausible: the
// longest window the server declares, else the terms' bound.
func (c *Case) plausibleWindow() time.Duration {
	if w := timeline.Window(c.Own, 0, false); w > 0 {
		return w
	}
	return c.Terms.PlausibleWait
}

func appendCapped(list []string, v string) []string {
	if len(list) >= maxExamples {
		return list
	}
	return append(list, v)
}

func appendDistinct(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return appendCapped(list, v)
}

// sortedKeys are m's keys in order, for messages that read the same each run.
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
