package conformance

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
	"loginharness/internal/target"
)

// Bounds of the provocations that repeat a request until the server
// answers as wanted, so a server that never does ends the case quickly.
const (
	maxLockAttempts  = 50
	maxBurstRequests = 500
)

// account is the target's account for edition e ("" takes the target's
// first), and whether it is a real one; else a stand-in of the first.
func (s *session) account(e target.Edition) (target.Account, bool) {
	if e == "" {
		return s.t.Accounts[0], true
	}
	if a, ok := s.t.Account(e); ok {
		return a, true
	}
	a := s.t.Accounts[0]
	a.Edition = e
	return a, false
}

// login is the first account's valid sign-in.
func (s *session) login() target.Request {
	a, _ := s.account("")
	return loginRequest(s.cs.Op, a, a.Edition)
}

// breaksSpec tells whether the spec rejects req, as the server will see it.
func (s *session) breaksSpec(req target.Request) bool {
	ex := &contract.Exchange{Method: req.Method, Path: s.cs.Op.Path, RawQuery: req.Query.Encode(), RequestHeader: req.Header, RequestBody: req.Body}
	return !s.c.ValidateRequest(context.Background(), s.cs.API, ex).OK()
}

// validLogin signs the first account in; the answer must be the success
// variant of its edition.
func validLogin(ctx context.Context, s *session) string {
	a, _ := s.account("")
	s.variant = successVariant(s.cs.Op, a.Edition)
	s.probe(ctx, s.login())
	return ""
}

// emptyObject sends {}: every required property is missing.
func emptyObject(ctx context.Context, s *session) string {
	req := s.login()
	req.Body = []byte("{}")
	s.probe(ctx, req)
	return ""
}

// badTokens sends no Authorization, then a token no server issued.
func badTokens(ctx context.Context, s *session) string {
	req := s.login()
	req.Header.Del("Authorization")
	s.probe(ctx, req)
	req.Header.Set("Authorization", "Bearer loginharness-garbage-token")
	s.probe(ctx, req)
	return ""
}

func noScopeToken(ctx context.Context, s *session) string {
	a, _ := s.account("")
	if a.TokenNoScope == "" {
		return "no token without the write scope is configured (" + target.EnvWebexTokenNoScope + ")"
	}
	a.Token = a.TokenNoScope
	s.probe(ctx, loginRequest(s.cs.Op, a, a.Edition))
	return ""
}

func unknownOrg(ctx context.Context, s *session) string {
	req := s.login()
	req.Query = map[string][]string{"orgId": {"loginharness-no-such-org"}}
	s.probe(ctx, req)
	return ""
}

func wrongMethod(ctx context.Context, s *session) string {
	req := s.login()
	req.Method, req.Body = http.MethodGet, nil
	req.Header.Del("Content-Type")
	s.probe(ctx, req)
	return ""
}

// wrongContentType sends a decoy's JSON sign-in labelled text/plain.
func wrongContentType(ctx context.Context, s *session) string {
	req := s.decoyRequest(nil)
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	s.probe(ctx, req)
	return ""
}

// lockOut fails the first account's sign-in until the server locks it.
// Only the mock gets it (Case.LiveSafe is false): a real account would lock.
func lockOut(ctx context.Context, s *session) string {
	a, _ := s.account("")
	req := loginRequest(s.cs.Op, wrongPassword(a), a.Edition)
	s.repeatUntil(ctx, req, http.StatusLocked, maxLockAttempts)
	return ""
}

// burst sends valid sign-ins until the server limits them, then checks
// that Retry-After is honest: after waiting as told, a request is served.
func burst(ctx context.Context, s *session) string {
	req := s.login()
	limited := s.repeatUntil(ctx, req, http.StatusTooManyRequests, maxBurstRequests)
	if limited == nil || limited.Exchange.Status != http.StatusTooManyRequests {
		return ""
	}
	value := limited.Exchange.Header.Get("Retry-After")
	wait, err := ratelimit.ParseRetryAfter(value, time.Now())
	if value == "" || err != nil {
		return "" // the contract check already says so
	}
	if err := s.t.Wait(ctx, wait); err != nil {
		s.out.Err = err
		return ""
	}
	retry := s.send(ctx, req)
	if retry != nil && retry.Exchange.Status == http.StatusTooManyRequests {
		limited.Result.Findings = append(limited.Result.Findings, contract.Finding{
			Check: contract.CheckHeader, Pointer: "/headers/Retry-After",
			Expected: "a wait after which a request is served", Actual: fmt.Sprintf("refused again after waiting %s (Retry-After: %s)", wait, value),
			Message: "Retry-After announces less than the real wait, so a client that obeys it is refused again",
		})
	}
	return ""
}

// repeatUntil sends req until the answer is want, at most limit times;
// that answer, or the last one, is held to the case's expectations.
func (s *session) repeatUntil(ctx context.Context, req target.Request, want, limit int) *Checked {
	var last *Checked
	for range limit {
		last = s.send(ctx, req)
		if last == nil || last.Exchange.Status == want {
			break
		}
	}
	if last != nil {
		s.expect(last)
	}
	return last
}

// preferred asks the mock for a status nothing else provokes.
func preferred(code int) provocation {
	return func(ctx context.Context, s *session) string {
		req := s.login()
		req.Header.Set("Prefer", "code="+strconv.Itoa(code))
		s.probe(ctx, req)
		return ""
	}
}

// signIn sends a valid sign-in of variant v, with extra optional fields.
func signIn(v requestVariant, extra body) provocation {
	return func(ctx context.Context, s *session) string {
		a, real := s.account(v.Edition)
		if !real {
			return fmt.Sprintf("the live Commvault is %s (%s), so %s requests go to the mock only", s.t.Accounts[0].Edition, target.EnvCommvaultVariant, v.Edition)
		}
		b := target.LoginBody(s.cs.API, a, v.Edition)
		for name, value := range extra {
			if _, set := b[name]; !set {
				b[name] = value
			}
		}
		s.probe(ctx, request(s.cs.Op, a, target.EncodeJSON(b)))
		return ""
	}
}

// decoyRequest is a decoy's sign-in shaped for the first account's
// edition, changed by edit.
func (s *session) decoyRequest(edit func(body)) target.Request {
	a, _ := s.account("")
	a = decoy(a, a.Edition, s.cs.Name)
	b := target.LoginBody(s.cs.API, a, a.Edition)
	if edit != nil {
		edit(b)
	}
	return request(s.cs.Op, a, target.EncodeJSON(b))
}

// mutated sends a decoy's sign-in of variant v with one property broken:
// the first candidate value the spec rejects.
func mutated(v requestVariant, m mutation) provocation {
	return func(ctx context.Context, s *session) string {
		a, _ := s.account(v.Edition)
		a = decoy(a, v.Edition, s.cs.Name)
		if m.drop {
			b := target.LoginBody(s.cs.API, a, v.Edition)
			delete(b, m.prop)
			s.probe(ctx, request(s.cs.Op, a, target.EncodeJSON(b)))
			return ""
		}
		for _, value := range m.values {
			b := target.LoginBody(s.cs.API, a, v.Edition)
			b[m.prop] = value
			if req := request(s.cs.Op, a, target.EncodeJSON(b)); s.breaksSpec(req) {
				s.probe(ctx, req)
				return ""
			}
		}
		return fmt.Sprintf("the spec accepts every candidate value of %s, so none makes a negative input", m.prop)
	}
}

// rawBody sends a decoy's sign-in with its encoded body rewritten.
func rawBody(rewrite func([]byte) []byte) provocation {
	return func(ctx context.Context, s *session) string {
		req := s.decoyRequest(nil)
		req.Body = rewrite(req.Body)
		s.probe(ctx, req)
		return ""
	}
}

// oversize sends a decoy's sign-in padded past 1 MiB.
func oversize(ctx context.Context, s *session) string {
	s.probe(ctx, s.decoyRequest(func(b body) { b["padding"] = strings.Repeat("x", 1<<20) }))
	return ""
}

// wrongPasswordLogin is the run's one wrong-password sign-in of the real
// account; the live rails refuse a second.
func wrongPasswordLogin(ctx context.Context, s *session) string {
	a, _ := s.account("")
	s.probe(ctx, loginRequest(s.cs.Op, wrongPassword(a), a.Edition))
	return ""
}
