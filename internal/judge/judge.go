// Package judge holds the load verdicts as pure functions: a timeline of
// records and the promises in force in, verdicts, observations and
// measures (results types) out, with no transport, clock or load
// generator, so a scenario, a shard merge and a test judge alike.
package judge

import (
	"fmt"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// The verdict names, shared by scenarios, suite and tests. Each is a
// promise of the server's: RFC 9110, the spec, or the limit it keeps.
const (
	VerdictAnswered            = "every-request-answered"
	VerdictNo5xx               = "no-5xx"
	VerdictContract            = "contract"
	VerdictNo429UnderLimit     = "no-429-under-limit"
	VerdictWithinLimit         = "accepted-within-limit"
	VerdictAtLimit             = "accepted-at-limit"
	VerdictRetryAfterPresent   = "retry-after-present"
	VerdictRetryAfterSyntax    = "retry-after-rfc9110"
	VerdictRetryAfterPlausible = "retry-after-plausible"
	VerdictRateLimitFields     = "ratelimit-fields"
	VerdictDeclaredLimit       = "declared-limit"
	VerdictServedAtRetryAfter  = "served-after-retry-after"
)

// The observation names: what a run shows that is no promise.
const (
	ObservedRefusedBefore = "refused-before-retry-after"
	ObservedGoodput       = "client-goodput"
	ObservedRepeated429   = "repeated-429"
	ObservedKnee          = "knee"
	ObservedLimit         = "measured-limit"
	ObservedOverLimit     = "refused-over-limit"
	ObservedOverlap       = "shards-overlap"
)

// Common are the verdicts every scenario ends with.
var Common = []string{VerdictAnswered, VerdictNo5xx, VerdictContract}

// RetryAfterVerdicts judge the Retry-After of every 429.
var RetryAfterVerdicts = []string{VerdictRetryAfterPresent, VerdictRetryAfterSyntax, VerdictRetryAfterPlausible}

// Tolerance is how far a measured rate may stray from the limit, beyond
// the measurement's own uncertainty.
const Tolerance = 0.05

// Sustained is how far over the limit the offered load must be for the
// accepted rate to be judged against it from below.
const Sustained = 1.5

// maxDropped is the share of requests that may go unanswered before a
// scenario holds it against the server.
const maxDropped = 0.01

// Terms are the promises and bounds a case is judged under, beside the
// limit its summary names.
type Terms struct {
	// PlausibleWait bounds a plausible Retry-After when the server declares
	// no RateLimit-Policy window.
	PlausibleWait time.Duration
	// Fallback is how long a client waits after a 429 without a usable
	// Retry-After.
	Fallback time.Duration
	// Timeout is how long a request without an answer may have been on
	// its way to the server.
	Timeout time.Duration
	// LimitVariable names the setting that gives the expected limit, and
	// LengthVariable the one that lengthens the rate attacks, for messages.
	LimitVariable, LengthVariable string
}

// Case is one scenario to judge: every request the run sent to the
// server's limiter key, the scenario's own among them, and its summary,
// whose measures the judging reads and whose verdicts, observations and
// derived measures it fills in.
type Case struct {
	Timeline []timeline.Record // by send time
	Own      []timeline.Record // the scenario's requests, judged; by send time
	mine     []bool            // which of Timeline are Own
	Terms    Terms
	Sum      *results.LoadSummary
	Verdicts []string // the scenario's verdict names, in order
}

// NewCase judges the records of tl that mine picks, with the rest as the
// traffic around them.
func NewCase(tl []timeline.Record, mine func(timeline.Record) bool, terms Terms, sum *results.LoadSummary, verdicts []string) *Case {
	c := &Case{Timeline: tl, Terms: terms, Sum: sum, Verdicts: verdicts, mine: make([]bool, len(tl))}
	timeline.SortBySent(c.Timeline)
	for i, rc := range c.Timeline {
		if mine(rc) {
			c.mine[i] = true
			c.Own = append(c.Own, rc)
		}
	}
	return c
}

// Verdict records a judgement: passed when ok, else failed.
func (c *Case) Verdict(name string, ok bool, format string, args ...any) {
	c.set(results.Verdict{Name: name, State: results.PassedIf(ok), Message: fmt.Sprintf(format, args...)})
}

// NotJudged records a verdict the run had nothing to judge on, and why.
func (c *Case) NotJudged(name, format string, args ...any) {
	c.set(results.Verdict{Name: name, State: results.VerdictNotJudged, Message: fmt.Sprintf(format, args...)})
}

// set keeps one verdict per name: a later judgement replaces an earlier one.
func (c *Case) set(v results.Verdict) {
	for i := range c.Sum.Verdicts {
		if c.Sum.Verdicts[i].Name == v.Name {
			c.Sum.Verdicts[i] = v
			return
		}
	}
	c.Sum.Verdicts = append(c.Sum.Verdicts, v)
}

// Observe records what the run showed that is no promise.
func (c *Case) Observe(name, format string, args ...any) {
	c.Sum.Observations = append(c.Sum.Observations, results.Observation{Name: name, Message: fmt.Sprintf(format, args...)})
}

// asks tells whether the scenario judges name.
func (c *Case) asks(name string) bool {
	for _, v := range c.Verdicts {
		if v == name {
			return true
		}
	}
	return false
}

// Settle gives every verdict of the scenario a state, in the scenario's
// order: one the run did not reach is not judged.
func (c *Case) Settle() {
	byName := map[string]results.Verdict{}
	for _, v := range c.Sum.Verdicts {
		byName[v.Name] = v
	}
	out := make([]results.Verdict, 0, len(c.Verdicts))
	for _, name := range c.Verdicts {
		v, ok := byName[name]
		if !ok {
			v = results.Verdict{Name: name, State: results.VerdictNotJudged, Message: "the run ended before it could be judged"}
		}
		out = append(out, v)
	}
	c.Sum.Verdicts = out
}

// LeaveToMerge leaves the verdicts about a limit shared among shards to
// their merge, saying why.
func (c *Case) LeaveToMerge(why string) {
	for _, name := range []string{VerdictNo429UnderLimit, VerdictWithinLimit, VerdictAtLimit, VerdictDeclaredLimit} {
		if c.asks(name) {
			c.NotJudged(name, "%s", why)
		}
	}
}
