package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/results"
)

// Scenario is one load experiment against the Webex login, the one
// operation whose spec documents 429.
type Scenario struct {
	Name        string // file-safe, e.g. "over-limit"
	Description string
	// Verdicts names every promise the scenario judges, in the order it
	// reports them; a run that cannot judge one says so in its state.
	Verdicts []string
	// Shared tells whether the scenario's load can be split among shards
	// that share one limit; the others need a client alone with the
	// server, and in a sharded run shard 0 runs them after the rest.
	Shared bool
	// MockRate and MockBurst, when set, are the limit the scenario's
	// in-process mock enforces instead of the source's.
	MockRate  float64
	MockBurst int

	// run drives the load and returns the records to judge; judge judges
	// them, whether run here or merged from the files of several shards.
	run   func(ctx context.Context, s *session) ([]record, error)
	judge func(s *session, recs []record)
}

// The scenario names.
const (
	ScenarioUnderLimit = "under-limit"
	ScenarioOverLimit  = "over-limit"
	ScenarioHonesty    = "retry-after-honesty"
	ScenarioObeying    = "obeying-client"
	ScenarioRamp       = "ramp"
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

// Tolerance is how far a measured rate may stray from the limit, beyond
// the measurement's own uncertainty.
const Tolerance = 0.05

// sustained is how far over the limit the offered load must be for the
// accepted rate to be judged against it from below.
const sustained = 1.5

// common are the verdicts every scenario ends with.
var common = []string{VerdictAnswered, VerdictNo5xx, VerdictContract}

var retryAfterVerdicts = []string{VerdictRetryAfterPresent, VerdictRetryAfterSyntax, VerdictRetryAfterPlausible}

func verdicts(names ...[]string) []string {
	var out []string
	for _, n := range names {
		out = append(out, n...)
	}
	return append(out, common...)
}

// Scenarios lists every scenario in the order they are best run. The ramp
// comes first: without an expected limit it measures the limit the others
// offer their load against.
func Scenarios() []Scenario {
	return []Scenario{
		{Name: ScenarioRamp, Description: "A linear ramp from a quarter to three times the limit: where 429s begin, the limit and burst the server keeps, and no 429 while the load is within the limit.",
			Verdicts: verdicts([]string{VerdictNo429UnderLimit, VerdictWithinLimit}, retryAfterVerdicts), Shared: true, run: ramp, judge: judgeRamp},
		{Name: ScenarioUnderLimit, Description: "Half the limit: no request is refused while the load stays within the limit, no 5xx.",
			Verdicts: verdicts([]string{VerdictNo429UnderLimit}), Shared: true, run: underLimit, judge: (*session).judgeRefusals},
		{Name: ScenarioOverLimit, Description: "Three times the limit for many windows: the long-run accepted rate, burst left out, is the limit, and every 429 says when to come back.",
			Verdicts: verdicts([]string{VerdictWithinLimit, VerdictAtLimit}, retryAfterVerdicts, []string{VerdictRateLimitFields, VerdictDeclaredLimit}), Shared: true, run: overLimit, judge: judgeOverLimit},
		{Name: ScenarioHonesty, Description: "Retry-After tells the truth: after the limit is spent, a request sent once Retry-After has passed is served.",
			Verdicts: verdicts(retryAfterVerdicts[:2], []string{VerdictServedAtRetryAfter}), MockRate: 0.5, MockBurst: 1, run: honesty, judge: judgeKeptPromises},
		{Name: ScenarioObeying, Description: "A client that obeys Retry-After and paces itself: each first request after a Retry-After is served; its goodput is set beside a naive client's.",
			Verdicts: verdicts(retryAfterVerdicts[:2], []string{VerdictServedAtRetryAfter}), run: obeying, judge: judgeKeptPromises},
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

// verdict records a judgement: passed when ok, else failed.
func (s *session) verdict(name string, ok bool, format string, args ...any) {
	state := results.VerdictFailed
	if ok {
		state = results.VerdictPassed
	}
	s.setVerdict(results.Verdict{Name: name, State: state, Message: fmt.Sprintf(format, args...)})
}

// notJudged records a verdict the run had nothing to judge on, and why.
func (s *session) notJudged(name, format string, args ...any) {
	s.setVerdict(results.Verdict{Name: name, State: results.VerdictNotJudged, Message: fmt.Sprintf(format, args...)})
}

// setVerdict keeps one verdict per name: a later judgement replaces an
// earlier one.
func (s *session) setVerdict(v results.Verdict) {
	for i := range s.sum.Verdicts {
		if s.sum.Verdicts[i].Name == v.Name {
			s.sum.Verdicts[i] = v
			return
		}
	}
	s.sum.Verdicts = append(s.sum.Verdicts, v)
}

func (s *session) observe(name, format string, args ...any) {
	s.sum.Observations = append(s.sum.Observations, results.Observation{Name: name, Message: fmt.Sprintf(format, args...)})
}

// settle gives every verdict of the scenario a state: one the run did not
// reach is not judged, and the list follows the scenario's order.
func (s *session) settle() {
	byName := map[string]results.Verdict{}
	for _, v := range s.sum.Verdicts {
		byName[v.Name] = v
	}
	out := make([]results.Verdict, 0, len(s.scenario.Verdicts))
	for _, name := range s.scenario.Verdicts {
		v, ok := byName[name]
		if !ok {
			v = results.Verdict{Name: name, State: results.VerdictNotJudged, Message: "the run ended before it could be judged"}
		}
		out = append(out, v)
	}
	s.sum.Verdicts = out
}

// commonVerdicts hold for every scenario: every request answered, no
// server errors, every response within the contract.
func (s *session) commonVerdicts() {
	sum := &s.sum
	answered := sum.Requests - sum.Errors
	share := func(n int) float64 { return float64(n) / float64(max(1, sum.Requests)) }
	switch {
	case share(sum.Dropped) > maxDropped:
		s.verdict(VerdictAnswered, false, "%d of %d requests had their connection closed by the server without an answer%s: overload should be refused with 429, not dropped (at most %.0f%% may be: a network has blips)",
			sum.Dropped, sum.Requests, examples(sum.ErrorExamples), maxDropped*100)
	case share(sum.Errors) > maxDropped:
		s.notJudged(VerdictAnswered, "%d of %d requests got no answer in time%s: a slow server or a starved load generator, which the harness cannot tell apart",
			sum.Errors-sum.Dropped, sum.Requests, examples(sum.ErrorExamples))
	default:
		s.verdict(VerdictAnswered, true, "%d of %d requests got no answer (at most %.0f%% may: a network has blips)", sum.Errors, sum.Requests, maxDropped*100)
	}
	n5xx := 0
	for code, n := range sum.StatusCodes {
		if len(code) == 3 && code[0] == '5' {
			n5xx += n
		}
	}
	s.verdict(VerdictNo5xx, n5xx == 0, "%d of %d responses were 5xx", n5xx, answered)
	bad := 0
	for _, n := range sum.Nonconforming {
		bad += n
	}
	s.verdict(VerdictContract, bad == 0, "%d of %d responses checked broke the contract%s", bad, sum.Validated, byCheck(sum.Nonconforming))
}

// maxDropped is the share of requests that may go unanswered before a
// scenario holds it against the server.
const maxDropped = 0.01

// judgeNothingIfUnanswered leaves every verdict not judged when no request
// got an answer: the server was down or unreachable, which is an outage,
// not a broken promise.
func (s *session) judgeNothingIfUnanswered() {
	if s.sum.Requests == 0 || s.sum.Errors < s.sum.Requests {
		return
	}
	why := fmt.Sprintf("none of %d requests got an answer%s: the server was down or unreachable, so nothing could be judged", s.sum.Requests, examples(s.sum.ErrorExamples))
	s.sum.Verdicts = s.sum.Verdicts[:0]
	for _, name := range s.scenario.Verdicts {
		s.notJudged(name, "%s", why)
	}
}

// byCheck reads like "; by check: header 3, schema 1", empty when clean.
func byCheck(counts map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; by check: " + strings.Join(parts, ", ")
}

// over is the offered rate k times the limit, within the live cap (a
// shard's share of it); it refuses when the cap leaves no room above the
// limit.
func (s *session) over(k float64) (float64, error) {
	rate := s.endpoint.capRate(k * s.endpoint.Limit.Rate)
	if rate < 1.2*s.endpoint.capRate(s.endpoint.Limit.Rate) {
		return 0, Skipped{Reason: fmt.Sprintf("%s=%.4g leaves no room above the limit of %.4g req/s (%s)",
			EnvLiveMaxRate, s.endpoint.MaxRate, s.endpoint.Limit.Rate, s.endpoint.Limit.Source)}
	}
	return rate, nil
}

func underLimit(ctx context.Context, s *session) ([]record, error) {
	rate := s.endpoint.capRate(0.5 * s.endpoint.Limit.Rate)
	rec, err := s.record("")
	if err != nil {
		return nil, err
	}
	s.sum.Pacer, s.sum.OfferedRate = fmt.Sprintf("constant %.4g/s", rate), rate
	recs, attackErr := rec.attack(ctx, s, s.plan("main", s.static(), constant(rate), s.length(s.duration)))
	err = errors.Join(attackErr, s.finish(rec))
	s.measure(recs, &rec.metrics)
	return recs, err
}

// judgeRefusals checks that no request was refused while the traffic before
// it stayed within the limit. A 429 that followed a clump of the harness's
// own sending (a stalled load generator catching up) is the limiter doing
// its job, and only reported.
func (s *session) judgeRefusals(recs []record) {
	lim := s.sum.Limit
	n429 := s.sum.StatusCodes["429"]
	if !lim.Expected() {
		s.notJudged(VerdictNo429UnderLimit, "no expected limit to hold the server to (%s unset); %d of %d requests were refused", EnvExpectedLimit, n429, len(recs))
		return
	}
	var owed time.Time
	if s.sum.QuietUntil != "" {
		owed, _ = time.Parse(time.RFC3339Nano, s.sum.QuietUntil)
	}
	unjustified, first := refusedWithinLimit(recs, lim.Rate, s.timeout, owed)
	kept := 0 // refused while an earlier Retry-After still ran
	for _, rc := range recs {
		if rc.code == 429 && rc.received().Before(owed) {
			kept++
		}
	}
	switch {
	case unjustified > 0:
		s.verdict(VerdictNo429UnderLimit, false, "%d requests were refused with 429 although the traffic before each stayed within %.4g req/s (burst 1); the first %.2fs into the run",
			unjustified, lim.Rate, first.sent.Sub(firstSent(recs)).Seconds())
	case kept > 0:
		s.verdict(VerdictNo429UnderLimit, true, "no request was refused while the traffic stayed within the limit, once the Retry-After the server gave before the run (until %s) had passed; %d of %d were refused before it",
			owed.UTC().Format("15:04:05.000"), kept, n429)
	case n429 > 0:
		s.verdict(VerdictNo429UnderLimit, true, "no request was refused while the traffic stayed within the limit; %d were, each after it had gone over", n429)
		s.observe(ObservedOverLimit, "%d requests were refused, each after the traffic had gone over %.4g req/s with a burst of one, if only for a moment (below the limit, only a load generator catching up after a stall does that): the limiter's right", n429, lim.Rate)
	default:
		s.verdict(VerdictNo429UnderLimit, true, "none of %d requests at up to %.4g req/s was refused", len(recs), s.sum.OfferedRate)
	}
}

func overLimit(ctx context.Context, s *session) ([]record, error) {
	rate, err := s.over(3)
	if err != nil {
		return nil, err
	}
	rec, err := s.record("")
	if err != nil {
		return nil, err
	}
	s.sum.Pacer, s.sum.OfferedRate = fmt.Sprintf("constant %.4g/s", rate), rate
	plan := s.plan("main", s.static(), constant(rate), s.length(s.maxDuration))
	if s.until.IsZero() { // a shard keeps to the common schedule instead
		plan.observe = s.untilJudged()
	}
	recs, attackErr := rec.attack(ctx, s, plan)
	err = errors.Join(attackErr, s.finish(rec))
	s.measure(recs, &rec.metrics)
	return recs, err
}

func judgeOverLimit(s *session, recs []record) {
	s.judgeRate(recs, 0, true)
	s.judgeRetryAfter()
	s.judgeDeclared()
}

// judgeRetryAfter checks every 429's Retry-After and the RateLimit fields.
func (s *session) judgeRetryAfter() {
	ra, rl := s.sum.RetryAfter, s.sum.RateLimit
	if ra.Responses429 == 0 {
		for _, name := range retryAfterVerdicts {
			s.notJudged(name, "no 429 to check")
		}
	} else {
		s.verdict(VerdictRetryAfterPresent, ra.Missing == 0,
			"%d of %d 429s carried no Retry-After (RFC 9110 section 10.2.3; the spec requires it)", ra.Missing, ra.Responses429)
		s.verdict(VerdictRetryAfterSyntax, ra.Unparsable == 0,
			"%d of %d Retry-After values were neither delay-seconds nor an HTTP-date%s", ra.Unparsable, ra.Present, examples(ra.Examples))
		if ra.Present > ra.Unparsable {
			s.verdict(VerdictRetryAfterPlausible, ra.Implausible == 0,
				"%d Retry-After values were beyond the %s; range %s", ra.Implausible, s.retryAfterWindowName(), secondsRange(ra.MinSeconds, ra.MaxSeconds))
		} else {
			s.notJudged(VerdictRetryAfterPlausible, "no Retry-After value could be read")
		}
	}
	if rl.PolicySeen+rl.LimitSeen == 0 {
		s.notJudged(VerdictRateLimitFields, "the server sent no RateLimit or RateLimit-Policy field (they are optional)")
	} else {
		s.verdict(VerdictRateLimitFields, rl.ParseErrors == 0 && rl.Disagree == 0,
			"%d RateLimit/RateLimit-Policy values did not parse as structured fields; %d 429s had a Retry-After earlier than RateLimit's reset",
			rl.ParseErrors, rl.Disagree)
	}
}

func examples(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return "; seen: " + strings.Join(quoteAll(xs), ", ")
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

func secondsRange(lo, hi float64) string {
	if lo == hi {
		return fmt.Sprintf("%g s", lo)
	}
	return fmt.Sprintf("%g to %g s", lo, hi)
}

func (s *session) retryAfterWindowName() string {
	if ps := s.sum.RateLimit.Policies; len(ps) > 0 {
		return "window of RateLimit-Policy " + ps[0]
	}
	return fmt.Sprintf("%s a Retry-After may plausibly ask for when no RateLimit-Policy declares a window", s.plausibleWait)
}

// probeSlack is how long after Retry-After the on-time probe goes: the
// server counts from sending, the client from receiving, so only clock
// granularity is left to absorb.
const probeSlack = 10 * time.Millisecond

// honesty spends the limit, then sends one request once Retry-After has
// passed: it must be served. When Retry-After leaves room for it, it then
// spends the limit again and sends one request half-way through the wait,
// to report whether the server refuses before its time (it may serve
// sooner than it said: that is no broken promise).
func honesty(ctx context.Context, s *session) ([]record, error) {
	rate, err := s.over(3)
	if err != nil {
		return nil, err
	}
	rec, err := s.record("")
	if err != nil {
		return nil, err
	}
	s.sum.Pacer, s.sum.OfferedRate = fmt.Sprintf("constant %.4g/s until a 429, then single probes", rate), rate
	runErr := s.probeHonesty(ctx, rec, rate)
	err = errors.Join(runErr, s.finish(rec))
	s.measure(rec.records, &rec.metrics)
	return rec.records, err
}

// judgeKeptPromises judges the Retry-After values of a client's 429s and
// whether the server kept them.
func judgeKeptPromises(s *session, recs []record) {
	s.judgeRetryAfter()
	s.judgePromises(recs)
}

func (s *session) probeHonesty(ctx context.Context, rec *recording, rate float64) error {
	told, err := s.exhaust(ctx, rec, rate)
	if err != nil || told == nil {
		return err
	}
	promise := told.retryAfter.wait
	if _, err := s.probe(ctx, rec, "at Retry-After", "served", told, promise+probeSlack); err != nil {
		return err
	}
	if promise < 2*time.Second {
		s.observe(ObservedRefusedBefore, "not probed: a Retry-After of %s leaves no instant clearly earlier than it (delay-seconds are whole seconds)", promise)
		return nil
	}
	if told, err = s.exhaust(ctx, rec, rate); err != nil || told == nil {
		return err
	}
	promise = told.retryAfter.wait
	early, err := s.probe(ctx, rec, "half of Retry-After", "429", told, promise/2)
	if err != nil {
		return err
	}
	what := "refused, as Retry-After said"
	if early.Status >= 200 && early.Status < 300 {
		what = "served: the server lets clients back sooner than it says, which it may"
	}
	s.observe(ObservedRefusedBefore, "a request %.1fs into a Retry-After of %.0fs got %s: %s", early.WaitedSeconds, promise.Seconds(), statusText(early.Status), what)
	return nil
}

// exhaust sends at rate until the first 429 and returns the refusal whose
// Retry-After ends last: the promise to probe. Requests in flight when the
// 429 came may be served, which would stand between the promise and the
// probe; single requests follow until the last one sent is refused. It
// returns nil when there is nothing to probe, with the reason recorded.
func (s *session) exhaust(ctx context.Context, rec *recording, rate float64) (*record, error) {
	plan := s.plan(fmt.Sprintf("exhaust-%d", len(s.sum.Probes)+1), s.static(), constant(rate), s.maxDuration)
	plan.observe = func(rc record) bool { return rc.code == 429 }
	recs, err := rec.attack(ctx, s, plan)
	for nudge := 0; err == nil && len(recs) > 0 && lastSentRecord(recs).code != 429 && nudge < maxNudges; nudge++ {
		var one []record
		one, err = rec.attack(ctx, s, s.plan(plan.name+"-again", s.static(), atOnce{}, s.maxWait))
		recs = append(recs, one...)
	}
	if err != nil {
		return nil, err
	}
	told, found := latestPromise(recs)
	switch {
	case found && lastSentRecord(recs).code != 429:
		s.notJudged(VerdictServedAtRetryAfter, "after its first 429 the server served %d single requests in a row: no quiet moment to check a Retry-After from", maxNudges)
		return nil, nil
	case found && time.Until(told.deadline()) > s.maxWait:
		return nil, Skipped{Reason: fmt.Sprintf("Retry-After of %s is longer than the %s the harness waits", told.retryAfter.wait, s.maxWait)}
	case found:
		return &told, nil
	}
	if _, refused := first429(recs); refused {
		s.notJudged(VerdictServedAtRetryAfter, "no 429 carried a usable Retry-After: no promise to check")
	} else {
		s.notJudged(VerdictServedAtRetryAfter, "no 429 within %s at %.4g req/s: nothing to check", s.maxDuration, rate)
	}
	return nil, nil
}

// maxNudges bounds the single requests exhaust sends after its attack.
const maxNudges = 5

// lastSentRecord is the record sent last.
func lastSentRecord(recs []record) record {
	last := recs[0]
	for _, rc := range recs {
		if rc.sent.After(last.sent) {
			last = rc
		}
	}
	return last
}

// probe sends one request once waited has passed since told was received,
// and records it.
func (s *session) probe(ctx context.Context, rec *recording, name, want string, told *record, waited time.Duration) (results.Probe, error) {
	if err := sleepUntil(ctx, told.received().Add(waited)); err != nil {
		return results.Probe{}, err
	}
	got, err := rec.attack(ctx, s, s.plan(name, s.static(), atOnce{}, s.maxWait))
	p := results.Probe{Name: name, RetryAfterSeconds: told.retryAfter.wait.Seconds(), Want: want}
	if len(got) > 0 {
		p.Status, p.WaitedSeconds = got[0].code, got[0].sent.Sub(told.received()).Seconds()
	}
	s.sum.Probes = append(s.sum.Probes, p)
	return p, err
}

// atOnce is a pacer of one request, sent at once: Vegeta's constant pacer
// would wait one interval first.
type atOnce struct{}

func (atOnce) Pace(_ time.Duration, hits uint64) (time.Duration, bool) { return 0, hits > 0 }
func (atOnce) Rate(time.Duration) float64                              { return 0 }

// judgePromises checks the promise of every Retry-After the client waited
// out in silence: the first request it sent afterwards was served.
func (s *session) judgePromises(recs []record) {
	kept := retryAfterPromises(recs, s.timeout)
	s.sum.Promises = &kept
	switch {
	case kept.Checked == 0:
		if _, judged := s.sum.VerdictNamed(VerdictServedAtRetryAfter); !judged {
			s.notJudged(VerdictServedAtRetryAfter, "the client never waited out a Retry-After and then sent again: no promise to check")
		}
	case kept.Refused > 0:
		s.verdict(VerdictServedAtRetryAfter, false, "%d of %d requests sent after waiting what Retry-After said were refused; the first waited %.2fs for a Retry-After of %s and got %s",
			kept.Refused, kept.Checked, kept.FirstRefusal.WaitedSeconds, kept.FirstRefusal.RetryAfter, statusText(kept.FirstRefusal.Status))
	default:
		s.verdict(VerdictServedAtRetryAfter, true, "all %d requests sent once Retry-After had passed were served", kept.Checked)
	}
}

func obeying(ctx context.Context, s *session) ([]record, error) {
	rate, err := s.over(3)
	if err != nil {
		return nil, err
	}
	duration := s.shortAttack()
	s.sum.Pacer, s.sum.OfferedRate = fmt.Sprintf("constant %.4g/s arrivals (open model)", rate), rate
	obeyRec, err := s.record(".obeying")
	if err != nil {
		return nil, err
	}
	pace := s.pacing()
	client := newObeyingClient(s.endpoint.login, rate, duration, s.fallback, pace)
	plan := s.plan("obeying", client.Targeter, client, duration)
	plan.observe = client.observe
	client.start(ctx)
	obeyRecs, attackErr := obeyRec.attack(ctx, s, plan)
	obeyErr := errors.Join(attackErr, s.finish(obeyRec))
	s.measure(obeyRecs, &obeyRec.metrics)
	obeyRun := s.clientRun(obeyRec.file, obeyRecs, rate, client.offered(), client.began, duration)
	obeyRun.Deferred, obeyRun.Pending = client.outcome()
	obeyRun.PacedRate, obeyRun.PaceSource = client.pacedRate(), pace.source
	s.sum.Clients = &results.Clients{Obeying: obeyRun}
	if obeyErr != nil {
		return obeyRecs, obeyErr
	}

	if err := sleepUntil(ctx, minTime(s.endpoint.quietUntil, time.Now().Add(s.maxWait))); err != nil {
		return obeyRecs, err
	}
	naiveRec, err := s.record(".naive")
	if err != nil {
		return obeyRecs, err
	}
	began := time.Now()
	naiveRecs, attackErr := naiveRec.attack(ctx, s, s.plan("naive", s.static(), constant(rate), duration))
	naiveErr := errors.Join(attackErr, s.finish(naiveRec))
	naiveRun := s.clientRun(naiveRec.file, naiveRecs, rate, len(naiveRecs), began, duration)
	s.sum.Clients.Naive = naiveRun
	s.observe(ObservedGoodput, "the obeying client (paced at %s) was served %.1f req/s in its steady state, %.0f%% of the limit of %.4g req/s; the naive client %.1f req/s",
		paceText(obeyRun), obeyRun.SteadyGoodput, 100*obeyRun.GoodputOfLimit, s.sum.Limit.Rate, naiveRun.SteadyGoodput)
	s.observe(ObservedRepeated429, "the obeying client met %d repeated 429s in %d requests; the naive client %d in %d",
		obeyRun.Repeated429, obeyRun.Sent, naiveRun.Repeated429, naiveRun.Sent)
	return obeyRecs, naiveErr
}

// clientRun is a client's account of its attack, read from its results.
func (s *session) clientRun(file string, recs []record, rate float64, offered int, began time.Time, duration time.Duration) results.ClientRun {
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
	run.Goodput = float64(run.Served) / duration.Seconds()
	steady := began.Add(time.Duration(s.steadyFrom(recs, began) * float64(time.Second)))
	run.SteadyGoodput, _ = servedRate(recs, steady, began.Add(duration))
	if lim := s.sum.Limit.Rate; lim > 0 {
		run.GoodputOfLimit = run.SteadyGoodput / lim
	}
	return run
}

// paceText says how a client paced itself, for messages.
func paceText(c results.ClientRun) string {
	if c.PaceSource == "" {
		return "no pace"
	}
	return fmt.Sprintf("%.4g req/s, %s", c.PacedRate, c.PaceSource)
}

// pacing is the rate the obeying client keeps to: the declared policy
// wins when the server sends one, then the limit someone promised, else
// the client finds a rate itself.
func (s *session) pacing() pace {
	if lim := s.sum.Limit; lim.Expected() {
		return pace{rate: lim.Rate, source: PaceExpected}
	}
	return pace{source: PaceFound}
}

func ramp(ctx context.Context, s *session) ([]record, error) {
	lim := s.endpoint.Limit.Rate
	from, to := s.endpoint.capRate(0.25*lim), s.endpoint.capRate(3*lim)
	if !s.endpoint.Limit.Expected() {
		from, to = s.endpoint.capRate(s.endpoint.MaxRate/12), s.endpoint.capRate(s.endpoint.MaxRate)
	} else if to < 1.2*s.endpoint.capRate(lim) {
		return nil, Skipped{Reason: fmt.Sprintf("%s=%.4g leaves no room to ramp above the limit of %.4g req/s", EnvLiveMaxRate, s.endpoint.MaxRate, lim)}
	}
	duration := s.length(s.longAttack())
	pacer := vegeta.LinearPacer{StartAt: constant(from), Slope: (to - from) / duration.Seconds()}
	s.sum.Pacer = fmt.Sprintf("linear %.4g/s to %.4g/s (+%.4g/s per s)", from, to, pacer.Slope)
	s.sum.OfferedRate = to
	s.sum.Knee = &results.Knee{FromRate: from, Slope: pacer.Slope}
	rec, err := s.record("")
	if err != nil {
		return nil, err
	}
	recs, attackErr := rec.attack(ctx, s, s.plan("ramp", s.static(), pacer, duration))
	err = errors.Join(attackErr, s.finish(rec))
	s.measure(recs, &rec.metrics)
	return recs, err
}

// judgeRamp finds the knee and judges the rate where the ramp offered well
// over the limit.
func judgeRamp(s *session, recs []record) {
	knee := s.sum.Knee
	knee.LimitRate = s.sum.Limit.Rate
	if first, found := first429(recs); found {
		at := first.sent.Sub(firstSent(recs)).Seconds()
		knee.Found, knee.AtSeconds, knee.Rate = true, at, knee.FromRate+knee.Slope*at
		s.observe(ObservedKnee, "429s began at %.1f req/s offered, %.2fs into the ramp", knee.Rate, knee.AtSeconds)
	} else {
		s.observe(ObservedKnee, "no 429 during a ramp to %.4g req/s", s.sum.OfferedRate)
	}
	overFrom := 0.0
	if knee.Slope > 0 {
		overFrom = max(0, (sustained*s.sum.Limit.Rate-knee.FromRate)/knee.Slope)
	}
	s.judgeRefusals(recs)
	s.judgeRate(recs, overFrom, false)
	s.judgeRetryAfter()
}

// shortAttack is how long the client comparison runs: a few windows.
func (s *session) shortAttack() time.Duration {
	return min(s.maxDuration, max(s.duration, 3*s.endpoint.window))
}

// longAttack is how long the ramp runs: as many windows as the rate
// verdicts need.
func (s *session) longAttack() time.Duration {
	return min(s.maxDuration, max(2*s.duration, time.Duration(s.windows)*s.endpoint.window))
}

// length is how long an attack may run: d, or in a shard, until the
// common schedule's slot ends, whatever d says.
func (s *session) length(d time.Duration) time.Duration {
	if s.until.IsZero() {
		return d
	}
	return max(0, time.Until(s.until))
}

func statusText(code int) string {
	if code == 0 {
		return "a transport error"
	}
	return fmt.Sprintf("%d %s", code, http.StatusText(code))
}
