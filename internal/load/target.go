package load

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// Target is where a scenario sends its load: one valid Webex login, the
// limit it should be held to, and how hard the harness may push.
type Target struct {
	Info    results.TargetInfo
	Limit   results.Limit
	MaxRate float64 // no attack offers more; 0: no cap (the mock)

	login       vegeta.Target
	secrets     []string
	insecureTLS bool
	close       func()
	// quietUntil is when the quota the last scenario spent is back, by the
	// latest Retry-After it was given: a shared live server needs the wait,
	// or a scenario would inherit its predecessor's 429s.
	quietUntil time.Time
}

// Close stops the in-process mock behind t, if any.
func (t *Target) Close() {
	if t.close != nil {
		t.close()
	}
}

// Secrets are the credentials t sends, so outputs can be scrubbed of them.
func (t *Target) Secrets() []string { return t.secrets }

// capRate bounds an offered rate by the live cap.
func (t *Target) capRate(r float64) float64 {
	if t.MaxRate > 0 {
		return min(r, t.MaxRate)
	}
	return r
}

// webexLogin returns the documented method and path template of the Webex
// login, read from the spec so the path lives in one place.
func webexLogin(c *contract.Contract) (method, path string, err error) {
	spec := c.Spec(contract.Webex)
	if spec == nil {
		return "", "", errors.New("load: the contract has no Webex spec")
	}
	ops := spec.Operations()
	if len(ops) != 1 {
		return "", "", fmt.Errorf("load: the Webex spec has %d operations, want the login alone", len(ops))
	}
	return ops[0].Method, ops[0].Path, nil
}

// credentials is one valid Webex login: live load never sends a wrong one,
// so it cannot lock an account.
type credentials struct {
	token, orgID, email, password, redSkyOrgID string
}

func newTarget(c *contract.Contract, info results.TargetInfo, base string, cr credentials) (*Target, error) {
	method, path, err := webexLogin(c)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/") + path)
	if err != nil {
		return nil, fmt.Errorf("load: target URL: %w", err)
	}
	if cr.orgID != "" {
		u.RawQuery = url.Values{"orgId": {cr.orgID}}.Encode()
	}
	body := map[string]string{"email": cr.email, "password": cr.password}
	if cr.redSkyOrgID != "" {
		body["redSkyOrgId"] = cr.redSkyOrgID
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return &Target{
		Info: info,
		login: vegeta.Target{
			Method: method,
			URL:    u.String(),
			Body:   raw,
			Header: http.Header{
				"Authorization": {"Bearer " + cr.token},
				"Content-Type":  {"application/json"},
			},
		},
		secrets: nonEmpty(cr.token, cr.password),
	}, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// StartMock serves mock.New(cfg) on a fresh loopback port, on the real
// clock (rate limits need real time under load), until ctx ends or Close.
func StartMock(ctx context.Context, c *contract.Contract, cfg mock.Config) (*Target, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("load: mock: %w", err)
	}
	if len(cfg.WebexTokens) == 0 || len(cfg.RedSkyAccounts) == 0 {
		return nil, errors.New("load: mock: needs a Webex token and a RedSky account")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("load: mock: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = mock.Serve(ctx, ln, mock.New(cfg), nil) // returns once ctx ends
	}()
	account := cfg.RedSkyAccounts[0]
	cr := credentials{token: cfg.WebexTokens[0], email: account.Email, password: account.Password}
	base := "http://" + ln.Addr().String() + strings.TrimSuffix(mock.WebexPath, webexPathTemplate(c))
	t, err := newTarget(c, results.TargetInfo{Kind: string(target.ModeMock), URL: base}, base, cr)
	if err != nil {
		cancel()
		<-done
		return nil, err
	}
	t.Limit = results.Limit{Rate: cfg.Rate, Burst: cfg.Burst, Source: "mock"}
	t.close = func() { cancel(); <-done }
	return t, nil
}

func webexPathTemplate(c *contract.Contract) string {
	_, path, _ := webexLogin(c)
	return path
}

// LiveTarget is the live Webex named by tc, bounded by lc. It refuses
// (ErrLiveLoadRefused) without the opt-in.
func LiveTarget(c *contract.Contract, tc target.Config, lc LiveConfig) (*Target, error) {
	if !tc.Live(contract.Webex) {
		return nil, errors.New("load: no live Webex target: " + target.EnvWebexURL + " is unset")
	}
	if err := lc.Permit(true); err != nil {
		return nil, err
	}
	w := tc.Webex
	cr := credentials{token: w.Token, orgID: w.OrgID, email: w.Email, password: w.Password, redSkyOrgID: w.RedSkyOrgID}
	t, err := newTarget(c, results.TargetInfo{Kind: string(target.ModeLive), URL: w.URL}, w.URL, cr)
	if err != nil {
		return nil, err
	}
	t.Limit = results.Limit{Rate: lc.ExpectedLimit, Source: EnvExpectedLimit}
	t.MaxRate = lc.MaxRate
	t.insecureTLS = tc.InsecureTLS
	return t, nil
}

// attackerOptions are the Vegeta options every attack on t uses: bounded
// requests and bodies, no redirects, HTTP/1.1 keep-alive like most clients.
func (t *Target) attackerOptions(timeout time.Duration, maxBody int64) []func(*vegeta.Attacker) {
	opts := []func(*vegeta.Attacker){
		vegeta.Timeout(timeout),
		vegeta.MaxBody(maxBody),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.KeepAlive(true),
		vegeta.HTTP2(false),
	}
	if t.insecureTLS { // HARNESS_INSECURE_TLS=1: the user vouches for the server
		opts = append(opts, vegeta.TLSConfig(&tls.Config{InsecureSkipVerify: true}))
	}
	return opts
}

// noteQuota remembers when the quota spent by recs is back.
func (t *Target) noteQuota(recs []record) {
	for _, rc := range recs {
		if rc.code == 429 && rc.retryAfter.usable() {
			t.quietUntil = maxTime(t.quietUntil, rc.received().Add(rc.retryAfter.wait))
		}
	}
}
