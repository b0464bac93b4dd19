package target

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

// Mode says whether a target is a live server or the in-process mock.
type Mode string

// The modes of a target.
const (
	ModeMock Mode = "mock"
	ModeLive Mode = "live"
)

// Target is one API's server: where it is, who to sign in as, and the
// client that talks to it. Close releases it.
type Target struct {
	API      contract.API
	Mode     Mode
	BaseURL  string    // what the operations' paths are appended to
	Accounts []Account // Webex: one; Commvault: one per edition it can sign in as

	client *Client
	server *MockServer       // nil when live
	clock  *mock.ManualClock // the mock's, nil when live
	reset  time.Duration     // how far Reset moves the mock's clock

	mu       sync.Mutex
	observed map[int]Attempt // the first attempt seen with each status
}

// Option adjusts Open.
type Option func(*options)

type options struct {
	client      clientOptions
	mock        []mock.Option
	sacrificial []Account // accounts the live rails let take maxWrong wrong passwords
	maxWrong    int
}

// WithMockOptions configures the in-process mock (a low burst, a small lock
// threshold, planted credentials); a live target ignores them.
func WithMockOptions(opts ...mock.Option) Option {
	return func(o *options) { o.mock = append(o.mock, opts...) }
}

// WithTimeout bounds each attempt, body included.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.client.timeout = d } }

// WithMaxBodyBytes bounds each response body.
func WithMaxBodyBytes(n int64) Option { return func(o *options) { o.client.maxBody = n } }

// WithRetryPolicy replaces the live client's LiveRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(o *options) { o.client.retry = &p } }

// WithSleep replaces how the client waits before a retry, for tests.
func WithSleep(sleep func(context.Context, time.Duration) error) Option {
	return func(o *options) { o.client.sleep = sleep }
}

// Open returns the target of api: live when cfg names its URL, else a fresh
// in-process mock on 127.0.0.1 with a port of its own.
func Open(cfg Config, api contract.API, opts ...Option) (*Target, error) {
	o := options{client: clientOptions{
		timeout: cmp.Or(cfg.AttemptTimeout, DefaultTimeout), maxBody: DefaultMaxBodyBytes, sleep: sleepContext, insecureTLS: cfg.InsecureTLS,
	}}
	for _, opt := range opts {
		opt(&o)
	}
	switch api {
	case contract.Webex, contract.Commvault:
	default:
		return nil, fmt.Errorf("no target for unknown API %q", api)
	}
	if cfg.Live(api) {
		return openLive(cfg, api, o)
	}
	return openMock(cfg, api, o)
}

func openLive(cfg Config, api contract.API, o options) (*Target, error) {
	if o.client.retry == nil {
		o.client.retry = &LiveRetryPolicy
	}
	t := &Target{API: api, Mode: ModeLive, BaseURL: cfg.URL(api), observed: map[int]Attempt{}}
	t.Accounts = []Account{cfg.LiveAccount(api)}
	r := &rails{api: api, base: t.BaseURL, passwords: map[string]string{}}
	switch api {
	case contract.Webex:
		r.userField = "email"
	case contract.Commvault:
		r.userField, r.base64 = "username", true
	}
	for _, a := range t.Accounts {
		r.passwords[a.User] = a.Password
	}
	r.sacrificial, r.maxWrong = map[string]bool{}, o.maxWrong
	for _, a := range o.sacrificial {
		if _, main := r.passwords[a.User]; !main {
			r.passwords[a.User], r.sacrificial[a.User] = a.Password, true
		}
	}
	client, err := newClient(api, t.BaseURL, o.client, r)
	if err != nil {
		return nil, err
	}
	t.client = client
	return t, nil
}

func openMock(cfg Config, api contract.API, o options) (*Target, error) {
	clock := mock.NewManualClock(time.Now())
	mc := mock.DefaultConfig()
	mc.Drifts = append(mc.Drifts, cfg.MockDrifts...)
	for _, opt := range o.mock {
		opt(&mc)
	}
	mc.Clock = clock
	server, err := StartMock(context.Background(), mc)
	if err != nil {
		return nil, fmt.Errorf("%s %w", api, err)
	}
	accounts := MockAccounts(api, mc)
	if len(accounts) == 0 {
		server.Close()
		return nil, fmt.Errorf("%s mock: no account to sign in with", api)
	}
	t := &Target{
		API: api, Mode: ModeMock, BaseURL: server.BaseURL(api), Accounts: accounts,
		server: server, clock: clock, observed: map[int]Attempt{},
		reset: max(mc.LockWindow, mc.LockDuration, time.Duration(float64(mc.Burst)/mc.Rate*float64(time.Second))) + time.Hour,
	}
	client, err := newClient(api, t.BaseURL, o.client, nil)
	if err != nil {
		server.Close()
		return nil, err
	}
	t.client = client
	return t, nil
}

// Live tells whether the target is a live server.
func (t *Target) Live() bool { return t.Mode == ModeLive }

// Account returns the account that signs in as edition e ("" for Webex).
func (t *Target) Account(e Edition) (Account, bool) {
	for _, a := range t.Accounts {
		if a.Edition == e {
			return a, true
		}
	}
	return Account{}, false
}

// Do sends req through the target's client and remembers the statuses seen.
func (t *Target) Do(ctx context.Context, req Request) ([]Attempt, error) {
	attempts, err := t.client.Do(ctx, req)
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range attempts {
		if _, seen := t.observed[a.Exchange.Status]; !seen {
			t.observed[a.Exchange.Status] = a
		}
	}
	return attempts, err
}

// Observed returns the first attempt answered with status, if any: how a
// live run shows a status it may not provoke, such as a natural 429.
func (t *Target) Observed(status int) (Attempt, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a, ok := t.observed[status]
	return a, ok
}

// Reset makes the mock forget rate and lock state by moving its clock past
// every window, so each check starts fresh without sleeping. A live
// server's state is not the harness's to reset: there it does nothing.
func (t *Target) Reset() {
	if t.clock != nil {
		t.clock.Advance(t.reset)
	}
}

// Wait lets d pass as the server sees it: the mock's clock moves at once, a
// live server is waited for.
func (t *Target) Wait(ctx context.Context, d time.Duration) error {
	if t.clock != nil {
		t.clock.Advance(d)
		return nil
	}
	return sleepContext(ctx, d)
}

// Secrets lists the credentials of the target's accounts, for redaction.
// contract.Redact also covers their Base64 forms.
func (t *Target) Secrets() []string {
	var out []string
	for _, a := range t.Accounts {
		out = append(out, a.Secrets()...)
	}
	return out
}

// Close stops the mock; a live target has nothing to stop.
func (t *Target) Close() {
	if t.server != nil {
		t.server.Close()
	}
}
