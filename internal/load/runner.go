package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/judge"
	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// Runner runs scenarios with shared bounds and writes their outputs.
type Runner struct {
	contract    *contract.Contract
	outDir      string
	duration    time.Duration
	maxRequests uint64
	timeout     time.Duration
	maxBody     int64
	validators  int
	progress    io.Writer
	maxWait     time.Duration
	fallback    time.Duration
	// plausibleWait bounds a plausible Retry-After when the server declares
	// no RateLimit-Policy window.
	plausibleWait time.Duration
	// windows is how many windows the rate verdicts watch, 0: as few as
	// their evidence needs; maxDuration caps every attack.
	windows     int
	maxDuration time.Duration
	// window is the limiter's window as the user declares it, 0: learned
	// from the server; stopIfUnjudged stops a run whose plan leaves a
	// verdict not judged before it spends the quota.
	declaredWindow time.Duration
	stopIfUnjudged bool
	// planOut gets the load plan of a live run; planned is the last plan
	// announced, nil before any.
	planOut io.Writer
	planned *results.LoadPlan
	shard   *results.Shard // nil unless the run is one shard of several
}

// Option configures a Runner, as vegeta's attacker options do.
type Option func(*Runner)

// Defaults: a few seconds for an attack that judges no rate; those that do
// run until their evidence suffices (judge.Evidence), capped; a shard,
// which keeps a fixed schedule, watches ShardWindows.
const (
	DefaultDuration    = 3 * time.Second
	ShardWindows       = 10
	DefaultMaxDuration = 6 * time.Minute
	DefaultMaxRequests = 100_000
	DefaultTimeout     = 5 * time.Second
	DefaultMaxBody     = 64 << 10
	DefaultMaxWait     = 60 * time.Second
	// DefaultFallbackRetryAfter is how long the obeying client waits after a
	// 429 without a usable Retry-After; Webex SDKs wait 5 to 15 s.
	DefaultFallbackRetryAfter = 5 * time.Second
	// DefaultPlausibleWait bounds a plausible Retry-After when the server
	// declares no RateLimit-Policy window.
	DefaultPlausibleWait = 60 * time.Second
)

// WithOutDir sets the output folder; load files go to its load/ folder.
func WithOutDir(dir string) Option { return func(r *Runner) { r.outDir = dir } }

// WithDuration sets how long an attack lasts at least, and how long those
// that judge no rate last.
func WithDuration(d time.Duration) Option { return func(r *Runner) { r.duration = d } }

// WithWindows sets how many windows of the server's limiter the attacks that
// judge its rate watch after its burst is spent, instead of as few as the
// evidence needs.
func WithWindows(n int) Option { return func(r *Runner) { r.windows = max(1, n) } }

// WithWindow declares the window of the server's limiter, so the plan is
// made before any request rather than after the ramp meets a refusal.
func WithWindow(d time.Duration) Option { return func(r *Runner) { r.declaredWindow = d } }

// WithPlanOutput prints the plan of a live run to w (stderr) before its
// load, and again once the ramp has found the window.
func WithPlanOutput(w io.Writer) Option { return func(r *Runner) { r.planOut = w } }

// WithStopIfUnjudged makes a run stop before its load when its plan leaves
// a verdict not judged (see Runner.Plan).
func WithStopIfUnjudged(stop bool) Option { return func(r *Runner) { r.stopIfUnjudged = stop } }

// WithShard makes the runner one shard of a sharded run (see ShardConfig).
func WithShard(sh *results.Shard) Option { return func(r *Runner) { r.shard = sh } }

// WithMaxDuration caps every attack.
func WithMaxDuration(d time.Duration) Option { return func(r *Runner) { r.maxDuration = d } }

// WithMaxRequests caps the requests of each attack.
func WithMaxRequests(n uint64) Option { return func(r *Runner) { r.maxRequests = n } }

// WithProgress prints a live progress line to w during attacks; pass a
// terminal only (see Interactive), nil for none.
func WithProgress(w io.Writer) Option { return func(r *Runner) { r.progress = w } }

// WithMaxWait bounds how long a scenario waits for a Retry-After to pass.
func WithMaxWait(d time.Duration) Option { return func(r *Runner) { r.maxWait = d } }

// NewRunner returns a Runner that validates responses against c and writes
// under results.OutDir() unless told otherwise.
func NewRunner(c *contract.Contract, opts ...Option) *Runner {
	r := &Runner{
		contract: c, outDir: results.OutDir(),
		duration: DefaultDuration, maxRequests: DefaultMaxRequests, timeout: DefaultTimeout,
		maxBody: DefaultMaxBody, validators: defaultValidators(), maxWait: DefaultMaxWait,
		fallback: DefaultFallbackRetryAfter, plausibleWait: DefaultPlausibleWait,
		maxDuration: DefaultMaxDuration,
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// Skipped is returned by Run when a scenario cannot be judged on its target,
// such as a live rate cap too low to go over the limit. The suite skips it.
type Skipped struct{ Reason string }

func (s Skipped) Error() string { return "skipped: " + s.Reason }

// Run runs sc against e, writes its summary (marked incomplete when ctx
// ends first) and returns it. The error is ctx's, an output error, or
// Skipped; verdicts are in the summary, not in the error.
func (r *Runner) Run(ctx context.Context, sc Scenario, e *Endpoint) (results.LoadSummary, error) {
	return r.run(ctx, sc, e, time.Time{})
}

// run is Run whose attacks end at until when it is set: a shard keeps to
// the schedule the shards of its run share.
func (r *Runner) run(ctx context.Context, sc Scenario, e *Endpoint, until time.Time) (results.LoadSummary, error) {
	if e.Limit.Rate <= 0 && (sc.Name != ScenarioRamp || e.MaxRate <= 0) {
		return results.LoadSummary{}, Skipped{Reason: fmt.Sprintf("no limit to offer load against: %s is unset and the ramp found none up to %s=%.4g req/s",
			EnvExpectedLimit, EnvLiveMaxRate, e.MaxRate)}
	}
	// Each scenario starts once the server has forgotten what the run sent
	// before, by its own word (timeline.Settled); a longer wait than
	// maxWait is left to the judge, which reads the whole timeline.
	if err := sleepUntil(ctx, minTime(timeline.Settled(e.timeline()), time.Now().Add(r.maxWait))); err != nil {
		return results.LoadSummary{}, err
	}
	s := &session{Runner: r, endpoint: e, scenario: sc, sum: r.newSummary(sc, e.Info, e.Limit), transport: e.newTransport(), until: until}
	defer s.transport.CloseIdleConnections()
	runErr := sc.run(ctx, s)
	var skip Skipped
	if errors.As(runErr, &skip) {
		return s.sum, runErr
	}
	if ctx.Err() != nil {
		s.sum.Incomplete, s.sum.IncompleteReason = true, "interrupted: "+context.Cause(ctx).Error()
	}
	s.conclude()
	e.learn(s.sum)
	writeErr := results.WriteLoadSummary(results.LoadDir(r.outDir), s.sum)
	return s.sum, errors.Join(runErr, writeErr, ctx.Err())
}

// conclude judges the scenario on everything the run sent to the server.
func (s *session) conclude() {
	c := judge.NewCase(s.endpoint.timeline(), s.scenario.mine, s.terms(), &s.sum, s.scenario.Verdicts)
	c.Measure()
	s.scenario.judge(c)
	c.Conclude()
	if s.shard != nil && s.scenario.Splittable {
		c.LeaveToMerge(fmt.Sprintf("shard %s: the limit is shared with %s, so it is judged when their results are merged (harness report --in each shard's folder)",
			shardText(s.shard), contract.Plural(s.shard.Count-1, "other shard")))
	}
}

// terms are the bounds the runner judges under.
func (r *Runner) terms() judge.Terms {
	return judge.Terms{PlausibleWait: r.plausibleWait, Fallback: r.fallback, Timeout: r.timeout,
		LimitVariable: EnvExpectedLimit, LengthVariable: EnvLoadMaxDuration}
}

// Source opens the endpoint of each scenario.
type Source interface {
	Open(ctx context.Context, sc Scenario) (*Endpoint, error)
	// Independent tells whether each scenario gets a server of its own,
	// so scenarios may run side by side.
	Independent() bool
}

// MockSource starts a fresh in-process mock for each scenario, so none
// inherits another's spent quota. A scenario may ask for its own limit.
type MockSource struct {
	Contract *contract.Contract
	Config   mock.Config
}

// The in-process mock's limit. The burst is half a second of the limit:
// on a busy machine the scheduler delivers requests in clumps, and a burst
// that absorbs half a second of jitter keeps the limiter's verdicts about
// the limit, not about the machine.
const (
	MockRate  = 100
	MockBurst = 50
)

// DefaultMockConfig is the mock the load suite uses: the demo accounts,
// MockRate req/s with a burst of MockBurst per token, lockout off (the
// load sends valid logins only).
func DefaultMockConfig(drifts ...mock.Drift) mock.Config {
	cfg := mock.DefaultConfig()
	mock.WithRate(MockRate, MockBurst)(&cfg)
	mock.WithKeyBy(mock.KeyByToken)(&cfg)
	mock.WithLockout(0, 0, 0)(&cfg)
	mock.WithDrift(drifts...)(&cfg)
	return cfg
}

// Independent is true: every scenario gets a fresh mock.
func (MockSource) Independent() bool { return true }

// Open starts the mock for sc.
func (m MockSource) Open(ctx context.Context, sc Scenario) (*Endpoint, error) {
	cfg := m.Config
	if sc.MockRate > 0 {
		cfg.Rate, cfg.Burst = sc.MockRate, max(1, sc.MockBurst)
	}
	return MockEndpoint(ctx, m.Contract, cfg)
}

// LiveSource hands every scenario the same live endpoint.
type LiveSource struct{ Endpoint *Endpoint }

// Independent is false: the scenarios share the live server's quota.
func (LiveSource) Independent() bool { return false }

// Open returns the live endpoint, the same each time, so each scenario
// waits for the quota its predecessor spent; closing it is a no-op.
func (l LiveSource) Open(context.Context, Scenario) (*Endpoint, error) { return l.Endpoint, nil }
