package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/results"
)

// Scenario is one load experiment against the Webex login, the one
// operation whose spec documents 429.
type Scenario struct {
	Name        string // file-safe, e.g. "over-limit"
	Description string
	// MockRate and MockBurst, when set, are the limit the scenario's
	// in-process mock enforces instead of the source's.
	MockRate  float64
	MockBurst int

	run func(ctx context.Context, s *session) error
}

// The scenario names.
const (
	ScenarioUnderLimit = "under-limit"
	ScenarioOverLimit  = "over-limit"
	ScenarioHonesty    = "retry-after-honesty"
	ScenarioObeying    = "obeying-client"
	ScenarioRamp       = "ramp"
)

// The verdict names, shared by scenarios, suite and tests.
const (
	VerdictNo429               = "no-429"
	VerdictNo5xx               = "no-5xx"
	VerdictContract            = "contract"
	VerdictThrottlesAfterBurst = "throttles-after-burst"
	VerdictAcceptedAtLimit     = "accepted-rate-at-limit"
	VerdictRetryAfterPresent   = "retry-after-present"
	VerdictRetryAfterSyntax    = "retry-after-rfc9110"
	VerdictRetryAfterPlausible = "retry-after-plausible"
	VerdictRateLimitFields     = "ratelimit-fields"
	VerdictDeclaredLimit       = "declared-limit"
	VerdictServedAtRetryAfter  = "served-at-retry-after"
	VerdictRefusedBefore       = "refused-before-retry-after"
	VerdictObeyingGoodput      = "obeying-goodput"
	VerdictObeyingFew429       = "obeying-few-repeated-429"
	VerdictKneeFound           = "knee-found"
	VerdictKneeNotBelowLimit   = "knee-not-below-limit"
	VerdictKneeMatchesLimit    = "knee-matches-limit"
	VerdictAcceptedAfterKnee   = "accepted-after-knee"
)

// Tolerance is how far a measured rate may stray from the limit.
const Tolerance = 0.05

// Scenarios lists every scenario in the order they are best run.
func Scenarios() []Scenario {
	return []Scenario{
		{Name: ScenarioUnderLimit, Description: "Half the limit: every request is served, no 429, no 5xx.", run: underLimit},
		{Name: ScenarioOverLimit, Description: "Three times the limit: 429s start once the burst is spent, the accepted rate equals the limit, and every 429 says when to come back (Retry-After, RateLimit fields).", run: overLimit},
		{Name: ScenarioHonesty, Description: "Retry-After tells the truth: a request sent when it says is served, one sent clearly earlier is refused.",
			MockRate: 0.5, MockBurst: 1, run: honesty},
		{Name: ScenarioObeying, Description: "An open-model client that obeys Retry-After and the declared quota reaches the limit with almost no repeated 429s; a naive client at the same offered load keeps hitting 429.", run: obeying},
		{Name: ScenarioRamp, Description: "A linear ramp from a quarter to three times the limit: where 429s begin, next to the limit.", run: ramp},
	}
}

// ScenarioNamed finds a scenario by name.
func ScenarioNamed(name string) (Scenario, bool) {
	for _, sc := range Scenarios() {
		if sc.Name == name {
			return sc, true
		}
	}
	return Scenario{}, false
}

func (s *session) judge(name string, passed bool, format string, args ...any) {
	s.sum.Verdicts = append(s.sum.Verdicts, results.Verdict{Name: name, State: results.PassedIf(passed), Message: fmt.Sprintf(format, args...)})
}

// commonVerdicts hold for every scenario: no server errors, every
// response within the contract.
func (s *session) commonVerdicts() []results.Verdict {
	var out []results.Verdict
	n5xx := 0
	for code, n := range s.sum.StatusCodes {
		if len(code) == 3 && code[0] == '5' {
			n5xx += n
		}
	}
	out = append(out, results.Verdict{Name: VerdictNo5xx, State: results.PassedIf(n5xx == 0), Message: fmt.Sprintf("%d responses were 5xx", n5xx)})
	bad := 0
	for _, n := range s.sum.Nonconforming {
		bad += n
	}
	out = append(out, results.Verdict{Name: VerdictContract, State: results.PassedIf(bad == 0),
		Message: fmt.Sprintf("%d of %d responses checked broke the contract, by check: %v", bad, s.sum.Validated, s.sum.Nonconforming)})
	return out
}

// over is the offered rate k times the limit, within the live cap; it
// refuses when the cap leaves no room above the limit.
func (s *session) over(k float64) (float64, error) {
	rate := s.endpoint.capRate(k * s.endpoint.Limit.Rate)
	if rate < 1.2*s.endpoint.Limit.Rate {
		return 0, Skipped{Reason: fmt.Sprintf("%s=%.4g leaves no room above the expected limit of %.4g req/s",
			EnvLiveMaxRate, s.endpoint.MaxRate, s.endpoint.Limit.Rate)}
	}
	return rate, nil
}

// single runs one attack at a constant rate into its own file.
func (s *session) single(ctx context.Context, rate float64) ([]record, error) {
	rec, err := s.record("")
	if err != nil {
		return nil, err
	}
	recs, attackErr := rec.attack(ctx, s, s.plan("main", s.static(), constant(rate)))
	s.sum.Pacer, s.sum.OfferedRate, s.sum.DurationSeconds = fmt.Sprintf("constant %.4g/s", rate), rate, s.duration.Seconds()
	err = s.finish(rec)
	s.measure(recs, &rec.metrics)
	return recs, errors.Join(attackErr, err)
}

func underLimit(ctx context.Context, s *session) error {
	recs, err := s.single(ctx, s.endpoint.capRate(0.5*s.endpoint.Limit.Rate))
	n429 := s.sum.StatusCodes["429"]
	s.judge(VerdictNo429, n429 == 0, "%d of %d requests at half the limit were refused with 429", n429, len(recs))
	return err
}

func overLimit(ctx context.Context, s *session) error {
	rate, err := s.over(3)
	if err != nil {
		return err
	}
	recs, err := s.single(ctx, rate)
	s.judgeThrottling(recs)
	s.judgeRetryAfter()
	return err
}

// judgeThrottling checks that 429s begin once the burst is spent and that
// from then on the server accepts the limit, within Tolerance.
func (s *session) judgeThrottling(recs []record) {
	limit := s.sum.Limit
	first, ok := first429(recs)
	if !ok {
		s.judge(VerdictThrottlesAfterBurst, false, "no 429 at all at %.4g req/s, %.1fx the limit", s.sum.OfferedRate, s.sum.OfferedRate/limit.Rate)
		s.judge(VerdictAcceptedAtLimit, false, "not judged: the server never throttled")
		return
	}
	_, servedBefore := servedRate(recs, firstSent(recs), first.sent)
	minBurst := max(1, limit.Burst)
	s.judge(VerdictThrottlesAfterBurst, servedBefore >= minBurst,
		"%d requests were served before the first 429 (burst %d)", servedBefore, limit.Burst)

	end := lastSent(recs)
	mean, served := servedRate(recs, first.sent, end)
	steady := steadyRate(recs, first.sent, end)
	window := end.Sub(first.sent)
	ok = window >= sliceWidth && math.Abs(steady-limit.Rate) <= Tolerance*limit.Rate
	s.judge(VerdictAcceptedAtLimit, ok, "accepted %.1f req/s (median of %s slices; mean %.1f: %d served in %.2fs after the first 429) against a limit of %.4g req/s (±%.0f%%)",
		steady, sliceWidth, mean, served, window.Seconds(), limit.Rate, Tolerance*100)
}

// judgeRetryAfter checks every 429's Retry-After and the RateLimit fields.
func (s *session) judgeRetryAfter() {
	ra, rl := s.sum.RetryAfter, s.sum.RateLimit
	s.judge(VerdictRetryAfterPresent, ra.Responses429 > 0 && ra.Missing == 0,
		"%d of %d 429s carried no Retry-After (RFC 9110 section 10.2.3; the spec requires it)", ra.Missing, ra.Responses429)
	s.judge(VerdictRetryAfterSyntax, ra.Unparsable == 0,
		"%d of %d Retry-After values were neither delay-seconds nor an HTTP-date; seen: %q", ra.Unparsable, ra.Present, ra.Examples)
	s.judge(VerdictRetryAfterPlausible, ra.Implausible == 0,
		"%d Retry-After values were negative or beyond the %s window; range %.0f to %.0f s",
		ra.Implausible, s.retryAfterWindowName(), ra.MinSeconds, ra.MaxSeconds)
	s.judge(VerdictRateLimitFields, rl.ParseErrors == 0 && rl.Disagree == 0,
		"%d RateLimit/RateLimit-Policy values did not parse as structured fields; %d 429s had a Retry-After earlier than RateLimit's reset",
		rl.ParseErrors, rl.Disagree)
	if d := s.sum.Limit.DeclaredRate; d > 0 {
		lim := s.sum.Limit.Rate
		s.judge(VerdictDeclaredLimit, math.Abs(d-lim) <= Tolerance*lim,
			"RateLimit-Policy declares %.4g req/s, the limit (%s) is %.4g req/s", d, s.sum.Limit.Source, lim)
	}
}

func (s *session) retryAfterWindowName() string {
	if ps := s.sum.RateLimit.Policies; len(ps) > 0 {
		return "RateLimit-Policy " + ps[0]
	}
	return fmt.Sprintf("%s default", s.window)
}

// probeSlack is how long after Retry-After the on-time probe goes: the
// server counts from sending, the client from receiving, so only clock
// granularity is left to absorb.
const probeSlack = 10 * time.Millisecond

func honesty(ctx context.Context, s *session) error {
	rate, err := s.over(3)
	if err != nil {
		return err
	}
	rec, err := s.record("")
	if err != nil {
		return err
	}
	defer func() {
		s.measure(rec.records, &rec.metrics)
		s.judgeRetryAfterHonesty()
	}()
	s.sum.Pacer, s.sum.OfferedRate, s.sum.DurationSeconds = fmt.Sprintf("constant %.4g/s until a 429, then single probes", rate), rate, s.duration.Seconds()
	exhaust := s.plan("exhaust", s.static(), constant(rate))
	exhaust.observe = func(rc record) bool { return rc.code == 429 }
	recs, err := rec.attack(ctx, s, exhaust)
	if err != nil {
		return errors.Join(err, s.finish(rec))
	}
	first, found := first429(recs)
	switch {
	case !found:
		s.judge(VerdictServedAtRetryAfter, false, "no 429 within %s at %.4g req/s: nothing to check", s.duration, rate)
		return s.finish(rec)
	case !first.retryAfter.usable():
		s.judge(VerdictServedAtRetryAfter, false, "the first 429 had no usable Retry-After (%q)", first.retryAfter.raw)
		return s.finish(rec)
	case first.retryAfter.wait > s.maxWait:
		return errors.Join(Skipped{Reason: fmt.Sprintf("Retry-After of %s is longer than the %s the harness waits", first.retryAfter.wait, s.maxWait)}, s.finish(rec))
	}
	promise := first.retryAfter.wait
	base := first.received()
	probe := func(name, want string, at time.Time) (results.Probe, error) {
		if err := sleepUntil(ctx, at); err != nil {
			return results.Probe{}, err
		}
		one := s.plan(name, s.static(), atOnce{})
		got, err := rec.attack(ctx, s, one)
		p := results.Probe{Name: name, RetryAfterSeconds: promise.Seconds(), WaitedSeconds: at.Sub(base).Seconds(), Want: want}
		if len(got) > 0 {
			p.Status = got[0].code
		}
		s.sum.Probes = append(s.sum.Probes, p)
		return p, err
	}
	if promise >= 2*time.Second {
		early, err := probe("half of Retry-After", "429", base.Add(promise/2))
		if err != nil {
			return errors.Join(err, s.finish(rec))
		}
		s.judge(VerdictRefusedBefore, early.Status == 429,
			"a request %.1fs after a Retry-After of %.0fs got %s, want 429", early.WaitedSeconds, promise.Seconds(), statusText(early.Status))
	} else {
		s.judge(VerdictRefusedBefore, true,
			"not judged: a Retry-After of %.0fs leaves no instant clearly earlier than it (delay-seconds are whole seconds)", promise.Seconds())
	}
	onTime, err := probe("at Retry-After", "served", base.Add(promise+probeSlack))
	if err != nil {
		return errors.Join(err, s.finish(rec))
	}
	s.judge(VerdictServedAtRetryAfter, onTime.Status >= 200 && onTime.Status < 300,
		"a request sent when Retry-After (%.0fs) said got %s, want 2xx", promise.Seconds(), statusText(onTime.Status))
	return s.finish(rec)
}

// atOnce is a pacer of one request, sent at once: Vegeta's constant pacer
// would wait one interval first.
type atOnce struct{}

func (atOnce) Pace(_ time.Duration, hits uint64) (time.Duration, bool) { return 0, hits > 0 }
func (atOnce) Rate(time.Duration) float64                              { return 0 }

// judgeRetryAfterHonesty adds the Retry-After checks to the honesty run,
// whose probes are few but whose 429s must be well-formed all the same.
func (s *session) judgeRetryAfterHonesty() {
	ra := s.sum.RetryAfter
	s.judge(VerdictRetryAfterPresent, ra.Missing == 0, "%d of %d 429s carried no Retry-After", ra.Missing, ra.Responses429)
	s.judge(VerdictRetryAfterSyntax, ra.Unparsable == 0, "%d Retry-After values did not parse; seen: %q", ra.Unparsable, ra.Examples)
}

func obeying(ctx context.Context, s *session) error {
	rate, err := s.over(3)
	if err != nil {
		return err
	}
	s.sum.Pacer, s.sum.OfferedRate, s.sum.DurationSeconds = fmt.Sprintf("constant %.4g/s arrivals (open model)", rate), rate, s.duration.Seconds()
	obeyRec, err := s.record(".obeying")
	if err != nil {
		return err
	}
	client := newObeyingClient(s.endpoint.login, rate, s.duration, s.fallback)
	plan := s.plan("obeying", client.Targeter, client)
	plan.observe = client.observe
	client.start()
	obeyRecs, attackErr := obeyRec.attack(ctx, s, plan)
	obeyErr := errors.Join(attackErr, s.finish(obeyRec))
	s.measure(obeyRecs, &obeyRec.metrics)
	retries, pending, paced := client.outcome()
	obeyRun := s.clientRun(obeyRec.file, obeyRecs, rate, client.offered(), client.began)
	obeyRun.Deferred, obeyRun.Pending, obeyRun.PacedRate = retries, pending, paced
	s.sum.Clients = &results.Clients{Obeying: obeyRun}
	if obeyErr != nil {
		return obeyErr
	}

	if err := sleepUntil(ctx, minTime(s.endpoint.quietUntil, time.Now().Add(s.maxWait))); err != nil {
		return err
	}
	naiveRec, err := s.record(".naive")
	if err != nil {
		return err
	}
	began := time.Now()
	naiveRecs, attackErr := naiveRec.attack(ctx, s, s.plan("naive", s.static(), constant(rate)))
	naiveErr := errors.Join(attackErr, s.finish(naiveRec))
	naiveRun := s.clientRun(naiveRec.file, naiveRecs, rate, len(naiveRecs), began)
	s.sum.Clients.Naive = naiveRun

	lim := s.sum.Limit.Rate
	steady := steadyRate(obeyRecs, s.steadyFrom(obeyRecs, client.began), client.began.Add(s.duration))
	s.judge(VerdictObeyingGoodput, math.Abs(steady-lim) <= Tolerance*lim,
		"the obeying client was served %.1f req/s once its first Retry-After had passed (median of %s slices; mean %.1f) against a limit of %.4g req/s (±%.0f%%); the naive client %.1f req/s",
		steady, sliceWidth, obeyRun.SteadyGoodput, lim, Tolerance*100, naiveRun.SteadyGoodput)
	allowed := max(2, obeyRun.Sent/100)
	s.judge(VerdictObeyingFew429, obeyRun.Repeated429 <= allowed,
		"the obeying client met %d repeated 429s in %d requests (at most %d allowed); the naive client %d in %d",
		obeyRun.Repeated429, obeyRun.Sent, allowed, naiveRun.Repeated429, naiveRun.Sent)
	return naiveErr
}

// clientRun is a client's account of its attack, read from its results.
func (s *session) clientRun(file string, recs []record, rate float64, offered int, began time.Time) results.ClientRun {
	run := results.ClientRun{File: file, OfferedRate: rate, Offered: offered, Sent: len(recs)}
	first, found := first429(recs)
	for _, rc := range recs {
		switch {
		case rc.ok():
			run.Served++
		case rc.code == 429:
			run.Responses429++
			if found && rc.sent.After(first.received()) {
				run.Repeated429++
			}
		}
	}
	run.Goodput = float64(run.Served) / s.duration.Seconds()
	run.SteadyGoodput, _ = servedRate(recs, s.steadyFrom(recs, began), began.Add(s.duration))
	if lim := s.sum.Limit.Rate; lim > 0 {
		run.GoodputOfLimit = run.SteadyGoodput / lim
	}
	return run
}

// steadyFrom is when a client's first Retry-After had passed: from then on
// its goodput shows the limit, not the start-up.
func (s *session) steadyFrom(recs []record, began time.Time) time.Time {
	first, found := first429(recs)
	if !found {
		return began
	}
	wait := s.fallback
	if first.retryAfter.usable() {
		wait = first.retryAfter.wait
	}
	return first.received().Add(wait)
}

func ramp(ctx context.Context, s *session) error {
	lim := s.endpoint.Limit.Rate
	from, to := s.endpoint.capRate(0.25*lim), s.endpoint.capRate(3*lim)
	if to < 1.2*lim {
		return Skipped{Reason: fmt.Sprintf("%s=%.4g leaves no room to ramp above the expected limit of %.4g req/s", EnvLiveMaxRate, s.endpoint.MaxRate, lim)}
	}
	pacer := vegeta.LinearPacer{StartAt: constant(from), Slope: (to - from) / s.duration.Seconds()}
	s.sum.Pacer = fmt.Sprintf("linear %.4g/s to %.4g/s (+%.4g/s per s)", from, to, pacer.Slope)
	s.sum.OfferedRate, s.sum.DurationSeconds = to, s.duration.Seconds()
	rec, err := s.record("")
	if err != nil {
		return err
	}
	began := time.Now()
	recs, attackErr := rec.attack(ctx, s, s.plan("ramp", s.static(), pacer))
	err = errors.Join(attackErr, s.finish(rec))
	s.measure(recs, &rec.metrics)

	knee := results.Knee{LimitRate: lim}
	first, found := first429(recs)
	if found {
		at := first.sent.Sub(began)
		end := lastSent(recs)
		knee.Found, knee.AtSeconds, knee.Rate = true, at.Seconds(), pacer.Rate(at)
		knee.AcceptedRate = steadyRate(recs, first.sent, end)
		if b := s.sum.Limit.Burst; b > 0 {
			lent := time.Duration(math.Sqrt(2*float64(b)/pacer.Slope) * float64(time.Second))
			knee.BurstAdjustedRate = pacer.Rate(max(0, at-lent))
		}
	}
	s.sum.Knee = &knee
	s.judge(VerdictKneeFound, found, "429s began at %.1f req/s, %.2fs into a ramp to %.4g req/s", knee.Rate, knee.AtSeconds, to)
	if !found {
		return err
	}
	s.judge(VerdictKneeNotBelowLimit, knee.Rate >= (1-Tolerance)*lim,
		"429s began at %.1f req/s, the limit is %.4g req/s (%s)", knee.Rate, lim, s.sum.Limit.Source)
	if knee.BurstAdjustedRate > 0 {
		s.judge(VerdictKneeMatchesLimit, math.Abs(knee.BurstAdjustedRate-lim) <= 2*Tolerance*lim,
			"less the burst of %d the server lent first, 429s began at %.1f req/s against a limit of %.4g req/s (±%.0f%%)",
			s.sum.Limit.Burst, knee.BurstAdjustedRate, lim, 2*Tolerance*100)
	}
	s.judge(VerdictAcceptedAfterKnee, math.Abs(knee.AcceptedRate-lim) <= Tolerance*lim,
		"past the knee the server accepted %.1f req/s (median of %s slices) against a limit of %.4g req/s (±%.0f%%)", knee.AcceptedRate, sliceWidth, lim, Tolerance*100)
	return err
}
