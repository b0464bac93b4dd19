package load

import (
	"math"
	"slices"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
	"loginharness/internal/results"
)

// measure fills the measured fields of the summary from the records and
// Vegeta's metrics of the attack the scenario is about.
func (s *session) measure(recs []record, m *vegeta.Metrics) {
	sum := &s.sum
	sum.Requests = len(recs)
	if len(recs) > 0 {
		sum.DurationSeconds = lastSent(recs).Sub(firstSent(recs)).Seconds()
	}
	sum.AchievedRate = m.Rate
	sum.ElapsedSeconds = (m.Duration + m.Wait).Seconds()
	sum.Latency = results.Percentiles{
		Mean: results.Milliseconds(m.Latencies.Mean), P50: results.Milliseconds(m.Latencies.P50), P90: results.Milliseconds(m.Latencies.P90),
		P95: results.Milliseconds(m.Latencies.P95), P99: results.Milliseconds(m.Latencies.P99), Max: results.Milliseconds(m.Latencies.Max),
	}
	served, n429 := 0, 0
	for _, rc := range recs {
		sum.StatusCodes[strconv.Itoa(rc.code)]++
		switch {
		case rc.code == 0:
			sum.Errors++
			if rc.dropped() {
				sum.Dropped++
			}
			sum.ErrorExamples = appendDistinct(sum.ErrorExamples, contract.Redact(rc.err, s.endpoint.secrets...))
		case rc.ok():
			served++
		case rc.code == 429:
			n429++
		}
	}
	if sum.ElapsedSeconds > 0 {
		sum.AcceptedRate = float64(served) / sum.ElapsedSeconds
	}
	if len(recs) > 0 {
		sum.Ratio429 = float64(n429) / float64(len(recs))
	}
	sum.Timeline = timeline(recs)
	sum.RetryAfter, sum.RateLimit = s.rateFields(recs)
	if declared := declaredRate(recs); declared > 0 {
		sum.Limit.DeclaredRate = declared
	}
}

// percentiles are exact: the buckets are small enough to sort.
func percentiles(lat []time.Duration) results.Percentiles {
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

func timeline(recs []record) []results.Bucket {
	if len(recs) == 0 {
		return nil
	}
	first, last := recs[0].sent, recs[0].sent
	for _, rc := range recs {
		first, last = minTime(first, rc.sent), maxTime(last, rc.sent)
	}
	span := last.Sub(first)
	width := bucketWidths[len(bucketWidths)-1]
	for _, w := range bucketWidths {
		if span/w < maxBuckets {
			width = w
			break
		}
	}
	n := int(span/width) + 1
	buckets := make([]results.Bucket, n)
	lat := make([][]time.Duration, n)
	for i := range buckets {
		buckets[i] = results.Bucket{StartSeconds: (time.Duration(i) * width).Seconds(), WidthSeconds: width.Seconds(), StatusCodes: map[string]int{}}
	}
	for _, rc := range recs {
		i := min(n-1, int(rc.sent.Sub(first)/width))
		buckets[i].Requests++
		buckets[i].StatusCodes[strconv.Itoa(rc.code)]++
		lat[i] = append(lat[i], rc.latency)
	}
	for i := range buckets {
		buckets[i].Latency = percentiles(lat[i])
	}
	return buckets
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

const maxExamples = 5

// rateFields describes the Retry-After values of the 429s and the
// RateLimit fields of every response, judging each against the others.
func (s *session) rateFields(recs []record) (results.RetryAfter, results.RateLimitFields) {
	var ra results.RetryAfter
	var rl results.RateLimitFields
	window := s.retryAfterWindow(recs)
	hist := map[float64]int{}
	policies := map[string]bool{}
	limits := map[string][]ratelimit.Limit{}
	for _, rc := range recs {
		if rc.policy != "" {
			rl.PolicySeen++
			if !policies[rc.policy] {
				policies[rc.policy] = true
				if _, err := ratelimit.ParsePolicy(rc.policy); err != nil {
					rl.ParseErrors++
				}
				rl.Policies = appendCapped(rl.Policies, rc.policy)
			}
		}
		var parsed []ratelimit.Limit
		if rc.limit != "" {
			rl.LimitSeen++
			var err error
			parsed, err = parseLimitCached(limits, rc.limit)
			if err != nil {
				rl.ParseErrors++
			}
			if !slices.Contains(rl.LimitSamples, rc.limit) {
				rl.LimitSamples = appendCapped(rl.LimitSamples, rc.limit)
			}
		}
		if rc.code != 429 {
			continue
		}
		ra.Responses429++
		v := rc.retryAfter
		switch {
		case !v.present:
			ra.Missing++
			continue
		case v.err != nil:
			ra.Present++
			ra.Unparsable++
			ra.Examples = appendDistinct(ra.Examples, v.raw)
			continue
		}
		ra.Present++
		ra.Examples = appendDistinct(ra.Examples, v.raw)
		secs := math.Ceil(v.wait.Seconds())
		if ra.Present-ra.Unparsable == 1 || secs < ra.MinSeconds {
			ra.MinSeconds = secs
		}
		ra.MaxSeconds = max(ra.MaxSeconds, secs)
		hist[secs]++
		if v.wait < 0 || v.wait > window {
			ra.Implausible++
		}
		if parsed != nil && ratelimit.Agree(v.wait, parsed) != nil {
			rl.Disagree++
		}
	}
	for secs, n := range hist {
		ra.Histogram = append(ra.Histogram, results.ValueCount{Seconds: secs, Count: n})
	}
	slices.SortFunc(ra.Histogram, func(a, b results.ValueCount) int { return int(a.Seconds - b.Seconds) })
	return ra, rl
}

func parseLimitCached(cache map[string][]ratelimit.Limit, raw string) ([]ratelimit.Limit, error) {
	if l, ok := cache[raw]; ok {
		return l, nil
	}
	l, err := ratelimit.ParseLimit(raw)
	if err != nil {
		return nil, err
	}
	cache[raw] = l
	return l, nil
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

// retryAfterWindow is the longest Retry-After that is plausible: the
// longest window the server declares, else the runner's default.
func (s *session) retryAfterWindow(recs []record) time.Duration {
	var window time.Duration
	for _, p := range policiesIn(recs) {
		window = max(window, p.Window)
	}
	if window == 0 {
		return s.plausibleWait
	}
	return window
}

// policiesIn parses the distinct RateLimit-Policy values of recs.
func policiesIn(recs []record) []ratelimit.Policy {
	seen := map[string]bool{}
	var out []ratelimit.Policy
	for _, rc := range recs {
		if rc.policy == "" || seen[rc.policy] {
			continue
		}
		seen[rc.policy] = true
		if ps, err := ratelimit.ParsePolicy(rc.policy); err == nil {
			out = append(out, ps...)
		}
	}
	return out
}

// declaredRate is the tightest quota per second the server declared, 0
// when it declared none with a window.
func declaredRate(recs []record) float64 {
	return policyRate(policiesIn(recs))
}

func policyRate(ps []ratelimit.Policy) float64 {
	rate := 0.0
	for _, p := range ps {
		if p.Window <= 0 || p.Quota <= 0 {
			continue
		}
		if r := float64(p.Quota) / p.Window.Seconds(); rate == 0 || r < rate {
			rate = r
		}
	}
	return rate
}

// first429 is the first 429 in sending order, if any.
func first429(recs []record) (record, bool) {
	var found record
	ok := false
	for _, rc := range recs {
		if rc.code == 429 && (!ok || rc.sent.Before(found.sent)) {
			found, ok = rc, true
		}
	}
	return found, ok
}

// servedRate is 2xx per second among requests sent in [from, to).
func servedRate(recs []record, from, to time.Time) (rate float64, served int) {
	if !to.After(from) {
		return 0, 0
	}
	for _, rc := range recs {
		if rc.ok() && !rc.sent.Before(from) && rc.sent.Before(to) {
			served++
		}
	}
	return float64(served) / to.Sub(from).Seconds(), served
}

// lastArrival is the latest arrival estimate of recs.
func lastArrival(recs []record) time.Time {
	var t time.Time
	for _, rc := range recs {
		t = maxTime(t, rc.arrival())
	}
	return t
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

// lastSent is the latest send time of recs.
func lastSent(recs []record) time.Time {
	var t time.Time
	for _, rc := range recs {
		t = maxTime(t, rc.sent)
	}
	return t
}

// firstSent is the earliest send time of recs.
func firstSent(recs []record) time.Time {
	if len(recs) == 0 {
		return time.Time{}
	}
	t := recs[0].sent
	for _, rc := range recs {
		t = minTime(t, rc.sent)
	}
	return t
}
