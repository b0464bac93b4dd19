// Package advisory is the Ginkgo suite of what a login owes its users
// beyond its contract (the login advisories: account enumeration by answer
// and by timing, credential answers not stored, nothing echoed, passwords
// only over TLS, a lock after repeated failures) and of the documented
// lockout behaviours only a sacrificial account can show (Webex 423 and its
// Retry-After, Commvault's lockout fields), against the mock or a live
// server. Advisories never turn a run red unless it gates on them.
//
// The checks live in plain Go (Session and its methods), so the specs and
// the tests that prove them both ways share one implementation; the specs
// sit in a non-test file so that `harness run` links them in.
package advisory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"loginharness/internal/advisory"
	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/timeline"
)

// Session is one API's checks against one target: what it sent, with what
// credentials, and how many wrong passwords it spent on the sacrificial
// account.
type Session struct {
	API      contract.API
	Contract *contract.Contract
	Op       contract.Operation
	Target   *target.Target
	Settings target.AdvisoryConfig

	// Victim is the sacrificial account, and HasVictim whether there is one.
	Victim    target.Account
	HasVictim bool

	mu       sync.Mutex
	recorded []advisory.Exchange
	secrets  []string
}

// Open starts a session of api: its target, opened with the rails that let
// the sacrificial account take its cap of wrong passwords.
func Open(c *contract.Contract, cfg target.Config, settings target.AdvisoryConfig, api contract.API) (*Session, error) {
	op, err := c.LoginOperation(api)
	if err != nil {
		return nil, err
	}
	var opts []target.Option
	if v, ok := settings.SacrificialOn(api, target.Account{}); ok {
		opts = append(opts, target.WithSacrificial(settings.MaxWrong, v))
	}
	t, err := target.Open(cfg, api, opts...)
	if err != nil {
		return nil, err
	}
	s := &Session{API: api, Contract: c, Op: op, Target: t, Settings: settings}
	if base, ok := t.Account(editionOf(settings, api)); ok {
		s.Victim, s.HasVictim = settings.SacrificialOn(api, base)
	}
	s.secrets = append(t.Secrets(), s.Victim.Secrets()...)
	return s, nil
}

func editionOf(settings target.AdvisoryConfig, api contract.API) target.Edition {
	v, _ := settings.SacrificialOn(api, target.Account{})
	return v.Edition
}

// Close releases the target.
func (s *Session) Close() { s.Target.Close() }

// Secrets lists every credential the session may have sent, for redaction.
func (s *Session) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.secrets...)
}

// Recorded lists every answer the session got, with what each was sent.
func (s *Session) Recorded() []advisory.Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]advisory.Exchange(nil), s.recorded...)
}

// NoVictim says why a check that spends wrong passwords is not judged.
func (s *Session) NoVictim() string {
	return fmt.Sprintf("no sacrificial %s account: set %s and its password to judge this (wrong passwords are never spent on the main account)",
		s.API, target.SacrificialVariable(s.API))
}

// Answer is one sign-in's last attempt, validated against the contract.
type Answer struct {
	target.Attempt
	Result contract.Result
	Sent   []advisory.Secret
}

// Exchange is the answer as the advisories take it.
func (a Answer) Exchange() advisory.Exchange {
	ex := a.Attempt.Exchange
	return advisory.Exchange{Status: ex.Status, Header: ex.Header, Body: ex.Body, Duration: a.Elapsed, Sent: a.Sent}
}

// signIn sends account a's sign-in with password, records the answer and
// validates it. Webex's bearer token counts among what was sent.
func (s *Session) signIn(ctx context.Context, a target.Account, password string) (Answer, error) {
	a.Password = password
	req := target.LoginRequest(s.Op, a, target.EncodeJSON(target.LoginBody(s.API, a, a.Edition)))
	req.Header.Set("Accept", "application/json")
	sent := []advisory.Secret{{Kind: "password", Value: password}}
	if s.API == contract.Webex {
		req.Header.Set("TrackingID", trackingID())
		sent = append(sent, advisory.Secret{Kind: "token", Value: a.Token})
	}
	attempts, err := s.Target.Do(timeline.WithPart(ctx, timeline.PartAdvisory), req)
	if err != nil {
		return Answer{}, err
	}
	last := attempts[len(attempts)-1]
	ans := Answer{Attempt: last, Sent: sent, Result: s.Contract.ValidateResponse(ctx, s.API, &last.Exchange)}
	s.mu.Lock()
	s.recorded = append(s.recorded, ans.Exchange())
	s.secrets = append(s.secrets, password)
	s.mu.Unlock()
	return ans, nil
}

// Valid signs a in with its own password.
func (s *Session) Valid(ctx context.Context, a target.Account) (Answer, error) {
	return s.signIn(ctx, a, a.Password)
}

// Wrong signs the sacrificial account in with a made-up wrong password.
func (s *Session) Wrong(ctx context.Context) (Answer, error) {
	return s.signIn(ctx, s.Victim, "loginharness-wrong-"+randomHex())
}

// Unknown signs in an account that does not exist, in the shape of base
// (same edition, same email domain), with a made-up password: it costs no
// real account anything.
func (s *Session) Unknown(ctx context.Context, base target.Account) (Answer, error) {
	user := "loginharness-nobody-" + randomHex()
	if _, domain, ok := strings.Cut(base.User, "@"); ok {
		user += "@" + domain
	}
	base.User = user
	return s.signIn(ctx, base, "loginharness-any-"+randomHex())
}

// SignedIn tells whether an answer is a successful sign-in: a 2xx but a
// 202 or 204 for Webex, a session (a 200 variant of an edition) for
// Commvault.
func SignedIn(a Answer) bool {
	switch status := a.Attempt.Exchange.Status; {
	case status != http.StatusOK && status != http.StatusCreated:
		return false
	case a.Result.Variant == "":
		return true
	default:
		return target.EditionOf(a.Result.Variant) != ""
	}
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var requests atomic.Uint64

// trackingID names the suite's Webex requests in the service's logs.
func trackingID() string { return fmt.Sprintf("LOGINHARNESS_ADVISORY_%d", requests.Add(1)) }

// finish completes an advisory with where it was judged and what it cost,
// redacted.
func (s *Session) finish(a results.Advisory, wrong int) results.Advisory {
	a.API, a.TargetURL, a.Target = string(s.API), s.Target.BaseURL, results.TargetMock
	if s.Target.Live() {
		a.Target = results.TargetLive
	}
	a.WrongPasswords, a.Cap, a.Gated = wrong, s.Settings.MaxWrong, s.Settings.Gate
	return a.Redacted(s.Secrets()...)
}

// exchange is the report's record of an answer a sacrificial-account spec
// judged, redacted as the conformance suite's are.
func (s *Session) exchange(name string, a Answer) results.Exchange {
	ex := a.Attempt.Exchange
	r := results.Exchange{
		API: string(s.API), Target: results.TargetMock, TargetURL: s.Target.BaseURL, Case: name,
		Method: ex.Method, Path: ex.Path, Status: ex.Status, Variant: a.Result.Variant, Findings: a.Result.Findings,
		Excerpt:   contract.Truncate(contract.Redact(string(contract.RedactJSON(ex.Body)), s.Secrets()...), 512),
		ElapsedMS: float64(a.Elapsed.Microseconds()) / 1000,
	}
	if s.Target.Live() {
		r.Target = results.TargetLive
	}
	return r.Redacted(s.Secrets()...)
}
