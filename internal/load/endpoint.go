package load

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/timeline"
)

// Endpoint is where a scenario sends its load: one valid Webex sign-in,
// the limit it should be held to, and how hard the harness may push.
type Endpoint struct {
	Info    results.TargetInfo
	Limit   results.Limit
	MaxRate float64 // no attack offers more; 0: no cap (the mock)

	login       vegeta.Target
	secrets     []string
	insecureTLS bool
	close       func()
	// shards is how many shards share the server's limit (0 or 1: none);
	// each offers its share of every load.
	shards int
}

// ShareAmong makes e one of n shards' endpoints: every load it offers is
// 1/n of the run's.
func (e *Endpoint) ShareAmong(n int) { e.shards = n }

// timeline is everything this run has sent to e's server so far.
func (e *Endpoint) timeline() []timeline.Record { return timeline.Process().Timeline(e.Info.URL) }

// window is the time scale of the server's limiter, as everything the run
// sent it shows: its longest Retry-After or declared policy window. The
// scenarios that judge a rate watch several of them.
func (e *Endpoint) window() time.Duration {
	return timeline.Window(e.timeline(), timeline.MinWindow, true)
}

// Close stops the in-process mock behind e, if any.
func (e *Endpoint) Close() {
	if e.close != nil {
		e.close()
	}
}

// Secrets are the credentials e sends, so outputs can be scrubbed of them.
func (e *Endpoint) Secrets() []string { return e.secrets }

// capRate bounds an offered rate by the live cap, and gives a shard its
// share of it.
func (e *Endpoint) capRate(r float64) float64 {
	if e.MaxRate > 0 {
		r = min(r, e.MaxRate)
	}
	return r / float64(max(1, e.shards))
}

// NewEndpoint aims load at the Webex login of the server whose base URL is
// info.URL, signing in as a (target.SignIn), with no limit set: the caller
// sets Limit, and MaxRate for a server it must not push too hard. Live load
// goes through LiveEndpoint, which asks for the opt-in.
func NewEndpoint(c *contract.Contract, info results.TargetInfo, a target.Account) (*Endpoint, error) {
	op, err := c.LoginOperation(contract.Webex)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	req := target.SignIn(op, a)
	u := req.URL(info.URL)
	if _, err := url.Parse(u); err != nil {
		return nil, fmt.Errorf("load: target URL: %w", err)
	}
	return &Endpoint{
		Info:    info,
		login:   vegeta.Target{Method: req.Method, URL: u, Body: req.Body, Header: req.Header},
		secrets: a.Secrets(),
	}, nil
}

// MockEndpoint starts mock.New(cfg) in process (target.StartMock), on the
// real clock (rate limits need real time under load), until ctx ends or
// Close, and aims at its Webex login as its first account.
func MockEndpoint(ctx context.Context, c *contract.Contract, cfg mock.Config) (*Endpoint, error) {
	srv, err := target.StartMock(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if len(cfg.WebexTokens) == 0 || len(cfg.RedSkyAccounts) == 0 {
		srv.Close()
		return nil, errors.New("load: mock: needs a Webex token and a RedSky account")
	}
	base := srv.BaseURL(contract.Webex)
	e, err := NewEndpoint(c, results.TargetInfo{Kind: results.TargetMock, URL: base}, target.MockAccounts(contract.Webex, cfg)[0])
	if err != nil {
		srv.Close()
		return nil, err
	}
	e.Limit = results.Limit{Rate: cfg.Rate, Burst: cfg.Burst, Source: "mock"}
	e.close = srv.Close
	return e, nil
}

// LiveEndpoint is the live Webex named by tc, bounded by lc. It refuses
// (ErrLiveLoadRefused) without the opt-in.
func LiveEndpoint(c *contract.Contract, tc target.Config, lc LiveConfig) (*Endpoint, error) {
	if !tc.Live(contract.Webex) {
		return nil, errors.New("load: no live Webex target: " + target.EnvWebexURL + " is unset")
	}
	if err := lc.Permit(true); err != nil {
		return nil, err
	}
	e, err := NewEndpoint(c, results.TargetInfo{Kind: results.TargetLive, URL: tc.Webex.URL}, tc.LiveAccount(contract.Webex))
	if err != nil {
		return nil, err
	}
	e.Limit = results.Limit{Rate: lc.ExpectedLimit, Source: EnvExpectedLimit}
	if lc.ExpectedLimit <= 0 {
		e.Limit = results.Limit{Source: results.LimitMeasured}
	}
	e.MaxRate = lc.MaxRate
	e.insecureTLS = tc.InsecureTLS
	return e, nil
}

// newTransport is the connection pool one scenario's attacks share, as
// one client's would: HTTP/1.1 keep-alive like most clients, certificates
// verified unless the user vouched for the server, and closed when the
// scenario ends, so no connection outlives it (each Vegeta attacker would
// otherwise keep its idle connections open for good).
func (e *Endpoint) newTransport() *http.Transport {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: vegeta.DefaultConnections,
		IdleConnTimeout:     30 * time.Second,
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{}, // no HTTP/2
	}
	if e.insecureTLS { // HARNESS_INSECURE_TLS=1: the user vouches for the server
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return tr
}

// learn keeps what a scenario showed of the server for the next ones,
// when nobody said what the limit should be: the limit the ramp measured.
func (e *Endpoint) learn(sum results.LoadSummary) {
	if env := sum.Envelope; !e.Limit.Expected() && sum.Scenario == ScenarioRamp && env != nil && env.LongRunRate > 0 {
		// A shard measured its share; the others, sharing fairly, theirs.
		n := float64(max(1, e.shards))
		e.Limit = results.Limit{Rate: n * env.LongRunRate, Source: results.LimitMeasured, Uncertainty: n * env.Uncertainty}
	}
}
