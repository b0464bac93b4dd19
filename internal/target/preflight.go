package target

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
)

// PreflightClass says what a failed preflight means for the run.
type PreflightClass string

// The classes of a failed preflight. None of them is a broken contract.
const (
	// Unreachable: no answer came. The host does not resolve, nothing
	// listens, TLS fails (plain HTTP on an https URL included), or the
	// answer does not come in time.
	Unreachable PreflightClass = "unreachable"
	// Unusable: the server answered, but will not serve the run now: it
	// answers 502, 503 or 504 (an outage), asks to wait longer than the
	// run waits, or the account is locked.
	Unusable PreflightClass = "unusable"
	// Misconfigured: the settings are wrong. The server refuses the token
	// or the account, the URL's path cannot be the documented base, or the
	// login is redirected elsewhere.
	Misconfigured PreflightClass = "misconfigured"
)

// PreflightError is why a live API cannot be judged. It names the settings
// to check and holds no secret.
type PreflightError struct {
	API       contract.API
	Class     PreflightClass
	Variables []string // the settings to check, e.g. HARNESS_WEBEX_URL
	Message   string   // what happened and what to check
	Err       error    // the transport error, when no answer came
}

func (e *PreflightError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.API, strings.Join(e.Variables, ", "), e.Message)
}

func (e *PreflightError) Unwrap() error { return e.Err }

// Preflight checks, before any suite runs, that api's live server can be
// judged at all: the URL's path may be the documented base, the host
// resolves, connects and speaks TLS where the URL says so, and the
// configured account's valid sign-in (the one the suites send, which checks
// the credentials and changes nothing) is neither refused, redirected, nor
// told to wait beyond the run's budget. It never sends a wrong password.
//
// It returns a *PreflightError when the run should not go on. Any other
// answer, a 5xx or an undocumented one included, is the suites' to judge:
// Preflight returns nil then, and for an API on the mock without a request.
func Preflight(ctx context.Context, c *contract.Contract, cfg Config, api contract.API, opts ...Option) error {
	if !cfg.Live(api) {
		return nil
	}
	spec := c.Spec(api)
	if spec == nil {
		return fmt.Errorf("preflight: no spec is loaded for %s", api)
	}
	p := &preflight{api: api, cfg: cfg, base: spec.Base()}
	if err := p.checkBasePath(); err != nil {
		return err
	}
	op, err := c.LoginOperation(api)
	if err != nil {
		return err
	}
	t, err := Open(cfg, api, opts...)
	if err != nil {
		return err
	}
	defer t.Close()
	p.secrets, p.timeout, p.maxWait = t.Secrets(), t.client.http.Timeout, t.client.retry.MaxWait
	attempts, err := t.Do(ctx, SignIn(op, t.Accounts[0]))
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrNoAnswer):
		return p.noAnswer(err)
	case err != nil:
		// A status came, with a body too large, cut short or too slow to
		// read: the server answers, and the suites judge the answer.
		return nil
	}
	last := attempts[len(attempts)-1].Exchange
	return p.answer(ctx, c, &last)
}

// preflight is one API's check.
type preflight struct {
	api     contract.API
	cfg     Config
	base    contract.Base
	secrets []string
	timeout time.Duration // of one attempt
	maxWait time.Duration // the longest wait the client takes
}

func (p *preflight) fail(class PreflightClass, message string, variables ...string) *PreflightError {
	return &PreflightError{API: p.api, Class: class, Variables: variables, Message: contract.Redact(message, p.secrets...)}
}

func (p *preflight) urlVariable() string {
	if p.api == contract.Webex {
		return EnvWebexURL
	}
	return EnvCommvaultURL
}

// checkBasePath refuses a URL whose path cannot be the spec's base, before
// any request: every case would then fail with 404s that say nothing.
func (p *preflight) checkBasePath() error {
	raw := p.cfg.URL(p.api)
	u, err := url.Parse(raw)
	if err != nil || p.base.HasBasePath(u.Path) {
		return nil // FromEnv has named a bad URL already
	}
	return p.fail(Misconfigured, fmt.Sprintf("%s cannot be the documented base: its path should end in %s, as in %s", raw, strings.Join(p.base.Paths, " or "), p.base.URL), p.urlVariable())
}

// serverClosedIdle is net/http's unexported error for a connection the
// server closed before the request could be written: which of it and EOF
// a client sees depends on timing alone.
const serverClosedIdle = "http: server closed idle connection"

// noAnswer says why no status came, and what to check.
func (p *preflight) noAnswer(err error) *PreflightError {
	raw := p.cfg.URL(p.api)
	host := raw
	if u, perr := url.Parse(raw); perr == nil {
		host = u.Host
	}
	var (
		dns    *net.DNSError
		record tls.RecordHeaderError
		cert   *tls.CertificateVerificationError
		netErr net.Error
	)
	var e *PreflightError
	switch {
	case errors.As(err, &dns):
		e = p.fail(Unreachable, fmt.Sprintf("the host of %s does not resolve (%s): check the host name", raw, dns.Err), p.urlVariable())
	case errors.Is(err, syscall.ECONNREFUSED):
		e = p.fail(Unreachable, fmt.Sprintf("nothing listens at %s (connection refused): check the host and port of %s, and that the server is up", host, raw), p.urlVariable())
	case errors.As(err, &record), errors.Is(err, http.ErrSchemeMismatch):
		e = p.fail(Unreachable, fmt.Sprintf("%s answers plain HTTP, not TLS: use an http:// URL, or the port that serves https", host), p.urlVariable())
	case errors.As(err, &cert):
		e = p.fail(Unreachable, fmt.Sprintf("the TLS certificate of %s is not trusted (%v): check the host name, or set %s=1 for a lab server you trust", host, cert.Err, EnvInsecureTLS), p.urlVariable(), EnvInsecureTLS)
	case errors.As(err, &netErr) && netErr.Timeout():
		e = p.fail(Unreachable, fmt.Sprintf("no answer from %s within %s: check that the server is up and reachable from here (proxy, firewall), or allow more time", raw, p.timeout), p.urlVariable(), EnvAttemptTimeout)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), strings.Contains(err.Error(), serverClosedIdle):
		e = p.fail(Unreachable, fmt.Sprintf("%s closed the connection without an answer: check the URL's scheme and port", host), p.urlVariable())
	default: // a reply that is no HTTP answer, such as a malformed header
		_, cause, _ := strings.Cut(err.Error(), ErrNoAnswer.Error()+": ")
		e = p.fail(Unreachable, fmt.Sprintf("no usable HTTP answer from %s (%s): check the URL's scheme and port", raw, cause), p.urlVariable())
	}
	e.Err = err
	return e
}

// answer classes the status of the sign-in; nil leaves it to the suites.
func (p *preflight) answer(ctx context.Context, c *contract.Contract, ex *contract.Exchange) error {
	said := p.said(ex)
	switch s := ex.Status; {
	case s >= 300 && s < 400 && s != http.StatusNotModified:
		return p.redirected(ex)
	case s == http.StatusBadRequest && speaksTLSOnly(ex.Body):
		return p.fail(Misconfigured, fmt.Sprintf("%s takes https only (%s): use an https:// URL", p.cfg.URL(p.api), said), p.urlVariable())
	case s == http.StatusNotFound:
		return p.notFound(ex, said)
	case s == http.StatusTooManyRequests:
		return p.toldToWait(ex, said)
	case IsOutageStatus(s):
		return p.fail(Unusable, fmt.Sprintf("the server cannot serve the sign-in now, an outage: it answers %s%s; run again once it serves", said, waitAsked(ex)), p.urlVariable())
	case s == http.StatusLocked:
		return p.fail(Unusable, fmt.Sprintf("the account %s is locked (%s%s): run again once it opens", p.cfg.LiveAccount(p.api).User, said, waitAsked(ex)), p.accountVariables()...)
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return p.refused(said, true)
	case s == http.StatusBadRequest && p.api == contract.Webex:
		return p.refused(said, false) // the one request the suites know to be valid
	case s == http.StatusOK && isRefusal(c.ValidateResponse(ctx, p.api, ex).Variant):
		return p.refused(said, false)
	}
	return nil
}

// said is the status and the server's own words, redacted and short.
func (p *preflight) said(ex *contract.Exchange) string {
	out := strconv.Itoa(ex.Status) + " " + http.StatusText(ex.Status)
	if msg := serverMessage(ex.Body); msg != "" {
		out += ": " + contract.Truncate(contract.Redact(msg, p.secrets...), 160)
	}
	return out
}

func (p *preflight) redirected(ex *contract.Exchange) error {
	where := ex.Header.Get("Location")
	if loc, err := url.Parse(p.cfg.URL(p.api)); err == nil && where != "" {
		if ref, err := loc.Parse(where); err == nil {
			where = ref.Redacted()
		}
	}
	if where == "" {
		where = "nowhere (no Location)"
	}
	return p.fail(Misconfigured, fmt.Sprintf("the server answers the login with %d, a redirect to %s; the harness follows no redirect, so credentials never travel to a host you did not name: if the API lives there, set the base URL to it", ex.Status, where), p.urlVariable())
}

// notFound names the path the sign-in went to. The URL's path may be the
// base already (checkBasePath let it through), so the host or the prefix
// before the base is what to check.
func (p *preflight) notFound(ex *contract.Exchange, said string) error {
	vars := []string{p.urlVariable()}
	tried := ex.Path
	if u, err := url.Parse(p.cfg.URL(p.api)); err == nil {
		u.Path, u.RawPath, u.RawQuery = ex.Path, "", ""
		tried = u.Redacted()
	}
	msg := fmt.Sprintf("nothing serves the login at %s %s (%s): check the host and the path of %s, documented as %s", ex.Method, tried, said, p.cfg.URL(p.api), p.base.URL)
	if p.api == contract.Webex && p.cfg.Webex.OrgID != "" {
		vars = append(vars, EnvWebexOrgID)
		msg += ", and the orgId must name an organization the token may see"
	}
	return p.fail(Misconfigured, msg, vars...)
}

// toldToWait stops the run when the server asks for a longer wait than
// the client takes: every case would be refused the same way.
func (p *preflight) toldToWait(ex *contract.Exchange, said string) error {
	value := ex.Header.Get("Retry-After")
	wait, err := ratelimit.ParseRetryAfter(value, time.Now())
	if value == "" || err != nil || wait <= p.maxWait {
		return nil // the suites judge a missing or short Retry-After
	}
	return p.fail(Unusable, fmt.Sprintf("the server asks to wait %s (%s, Retry-After: %s), longer than the %s the harness waits at a time: nothing was judged; run again later", wait, said, value, p.maxWait), p.urlVariable())
}

// waitAsked says how long the server asked to wait, when its answer
// carries a Retry-After: "; it asks to wait 15m0s (Retry-After: 900)".
func waitAsked(ex *contract.Exchange) string {
	value := ex.Header.Get("Retry-After")
	if value == "" {
		return ""
	}
	wait, err := ratelimit.ParseRetryAfter(value, time.Now())
	if err != nil {
		return fmt.Sprintf("; its Retry-After is unreadable: %q", contract.Truncate(value, 40))
	}
	return fmt.Sprintf("; it asks to wait %s (Retry-After: %s)", wait, value)
}

// refused names the credentials the server refused: the token (byToken)
// or the account.
func (p *preflight) refused(said string, byToken bool) error {
	if byToken && p.api == contract.Webex {
		return p.fail(Misconfigured, fmt.Sprintf("the server refuses the token (%s): it must be valid, unexpired, and a full admin's with spark-admin:telephony_config_write", said), EnvWebexToken)
	}
	return p.fail(Misconfigured, fmt.Sprintf("the server refuses the sign-in of %s (%s): check the account", p.cfg.LiveAccount(p.api).User, said), p.accountVariables()...)
}

// accountVariables are the settings of the account that signs in.
func (p *preflight) accountVariables() []string {
	if p.api == contract.Webex {
		vars := []string{EnvRedSkyEmail, EnvRedSkyPassword}
		if p.cfg.Webex.RedSkyOrgID != "" {
			vars = append(vars, EnvRedSkyOrgID)
		}
		return vars
	}
	vars := []string{EnvCommvaultUsername, EnvCommvaultPassword}
	if p.cfg.Commvault.Domain != "" {
		vars = append(vars, EnvCommvaultDomain)
	}
	if p.cfg.Commvault.Commserver != "" {
		vars = append(vars, EnvCommvaultCommserver)
	}
	return vars
}

// isRefusal tells a 200 refusal body (Commvault's LoginFailure), the one
// variant of no edition, from a sign-in.
func isRefusal(variant string) bool { return variant != "" && EditionOf(variant) == "" }

// speaksTLSOnly recognises the 400 that web servers send to plain HTTP on
// their TLS port.
func speaksTLSOnly(body []byte) bool {
	b := strings.ToLower(string(body))
	return strings.Contains(b, "http request to an https server") || strings.Contains(b, "plain http request was sent to https port")
}

// serverMessage is the explanation an error body carries: Webex's message,
// or Commvault's first errLogMessage.
func serverMessage(body []byte) string {
	var b struct {
		Message string `json:"message"`
		ErrList []struct {
			ErrLogMessage string `json:"errLogMessage"`
		} `json:"errList"`
	}
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	msg := b.Message
	if msg == "" && len(b.ErrList) > 0 {
		msg = b.ErrList[0].ErrLogMessage
	}
	return strings.Join(strings.Fields(msg), " ")
}
