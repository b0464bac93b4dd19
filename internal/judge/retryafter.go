package judge

import (
	"fmt"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// RetryAfter judges the Retry-After of every own 429 and the RateLimit
// fields of every own answer.
func (c *Case) RetryAfter() {
	ra, rl := c.Sum.RetryAfter, c.Sum.RateLimit
	if ra.Responses429 == 0 {
		for _, name := range RetryAfterVerdicts {
			c.NotJudged(name, "no 429 to check")
		}
	} else {
		c.Verdict(VerdictRetryAfterPresent, ra.Missing == 0,
			"%d of %d 429s carried no Retry-After (RFC 9110 section 10.2.3; the spec requires it)", ra.Missing, ra.Responses429)
		c.Verdict(VerdictRetryAfterSyntax, ra.Unparsable == 0,
			"%d of %d Retry-After values were neither delay-seconds nor an HTTP-date%s", ra.Unparsable, ra.Present, Examples(ra.Examples))
		if ra.Present > ra.Unparsable {
			c.Verdict(VerdictRetryAfterPlausible, ra.Implausible == 0,
				"%d Retry-After values were beyond the %s; range %s", ra.Implausible, c.windowName(), secondsRange(ra.MinSeconds, ra.MaxSeconds))
		} else {
			c.NotJudged(VerdictRetryAfterPlausible, "no Retry-After value could be read")
		}
	}
	if rl.PolicySeen+rl.LimitSeen == 0 {
		c.NotJudged(VerdictRateLimitFields, "the server sent no RateLimit or RateLimit-Policy field (they are optional)")
	} else {
		c.Verdict(VerdictRateLimitFields, rl.ParseErrors == 0 && rl.Disagree == 0,
			"%d RateLimit/RateLimit-Policy values did not parse as structured fields; %d 429s had a Retry-After earlier than RateLimit's reset",
			rl.ParseErrors, rl.Disagree)
	}
}

func (c *Case) windowName() string {
	if ps := c.Sum.RateLimit.Policies; len(ps) > 0 {
		return "window of RateLimit-Policy " + ps[0]
	}
	return fmt.Sprintf("%s a Retry-After may plausibly ask for when no RateLimit-Policy declares a window", c.Terms.PlausibleWait)
}

func secondsRange(lo, hi float64) string {
	if lo == hi {
		return fmt.Sprintf("%g s", lo)
	}
	return fmt.Sprintf("%g to %g s", lo, hi)
}

// Ramp finds the knee of a ramp (the summary's Knee describes the ramp)
// and judges refusals under the limit, the rate where the ramp offered
// well over the limit, and every Retry-After.
func (c *Case) Ramp() {
	knee := c.Sum.Knee
	if knee == nil {
		knee = &results.Knee{}
		c.Sum.Knee = knee
	}
	knee.LimitRate = c.Sum.Limit.Rate
	if first, found := timeline.First429(c.Own); found {
		at := first.Sent.Sub(timeline.FirstSent(c.Own)).Seconds()
		knee.Found, knee.AtSeconds, knee.Rate = true, at, knee.FromRate+knee.Slope*at
		if top := c.Sum.OfferedRate; top > 0 { // the ramp holds its top rate once there
			knee.Rate = min(knee.Rate, top)
		}
		c.Observe(ObservedKnee, "429s began at %.1f req/s offered, %.2fs into the ramp", knee.Rate, knee.AtSeconds)
	} else {
		c.Observe(ObservedKnee, "no 429 during a ramp to %.4g req/s", c.Sum.OfferedRate)
	}
	overFrom := 0.0
	if knee.Slope > 0 {
		overFrom = max(0, (Sustained*c.Sum.Limit.Rate-knee.FromRate)/knee.Slope)
	}
	c.Refusals()
	c.Rate(overFrom, false)
	c.RetryAfter()
}

// OverLimit judges a sustained overload: the long-run rate both ways,
// every Retry-After, and the declared policy.
func (c *Case) OverLimit() {
	c.Rate(0, true)
	c.RetryAfter()
	c.Declared()
}

// Promised judges the Retry-After values of a client's 429s and whether
// the server kept them.
func (c *Case) Promised() {
	c.RetryAfter()
	c.KeptPromises()
}

// CompareClients reports how the obeying client fared beside the naive
// one, from the summary's Clients.
func (c *Case) CompareClients() {
	cl := c.Sum.Clients
	if cl == nil {
		return
	}
	ob, nv := cl.Obeying, cl.Naive
	pace := "no pace"
	if ob.PaceSource != "" {
		pace = fmt.Sprintf("%.4g req/s, %s", ob.PacedRate, ob.PaceSource)
	}
	c.Observe(ObservedGoodput, "the obeying client (paced at %s) was served %.1f req/s in its steady state, %.0f%% of the limit of %.4g req/s; the naive client %.1f req/s",
		pace, ob.SteadyGoodput, 100*ob.GoodputOfLimit, c.Sum.Limit.Rate, nv.SteadyGoodput)
	c.Observe(ObservedRepeated429, "the obeying client met %d repeated 429s in %d requests; the naive client %d in %d",
		ob.Repeated429, ob.Sent, nv.Repeated429, nv.Sent)
}

// ClientRun is one client's account of its attack, read from its records:
// what it sent, what was served, its goodput over the run and once its
// first Retry-After had passed (fallback: the wait when none was usable).
func ClientRun(recs []timeline.Record, began time.Time, duration time.Duration, limit float64, fallback time.Duration) results.ClientRun {
	run := results.ClientRun{Sent: len(recs)}
	first, found := timeline.First429(recs)
	for _, rc := range recs {
		switch {
		case rc.OK():
			run.Served++
		case rc.Status == 429:
			run.Responses429++
			if found && rc.Sent.After(first.Received()) {
				run.Repeated429++
			}
		}
	}
	run.Goodput = float64(run.Served) / duration.Seconds()
	steady := began.Add(time.Duration(SteadyFrom(recs, began, fallback) * float64(time.Second)))
	run.SteadyGoodput, _ = timeline.ServedRate(recs, steady, began.Add(duration))
	if limit > 0 {
		run.GoodputOfLimit = run.SteadyGoodput / limit
	}
	return run
}
