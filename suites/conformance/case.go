// Package conformance is the Ginkgo suite that shows each login API keeps its
// contract: one entry per documented status code, per request and response
// variant, and per negative input derived from the request schema, run
// against the in-process mock or a live server (internal/target).
//
// The checks live in plain Go (Case.Run, returning an Outcome), so the
// Ginkgo specs and the meta-test that proves the suite can fail share one
// implementation; the specs themselves sit in a non-test file so that
// `harness run` links them into its own RunSpecs.
package conformance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"loginharness/internal/contract"
	"loginharness/internal/target"
)

// Checks the suite adds to the contract's own: what a case set out to get.
const (
	// CheckExpectedStatus: the answer is not the status the case provoked.
	CheckExpectedStatus contract.Check = "expected_status"
	// CheckServerError: a 5xx where the request deserved a documented answer.
	CheckServerError contract.Check = "not_a_server_error"
	// CheckExpectedVariant: the body is a different variant than the request called for.
	CheckExpectedVariant contract.Check = "expected_variant"
	// CheckTransport: no usable answer at all (refused, dropped, timed out, too large).
	CheckTransport contract.Check = "transport"
)

// Case is one thing the suite shows about an operation: how to provoke an
// answer, and what that answer must be besides keeping the contract.
type Case struct {
	API    contract.API
	Op     contract.Operation
	Name   string   // says what is provoked, never a credential
	Labels []string // Ginkgo labels besides the API's

	Want        int    // the exact status to get; 0: any documented one
	Rejection   bool   // a documented refusal: Webex a 4xx, Commvault a 200 failure body
	WantVariant string // the response variant the body must be
	// RequestVariant, when set, is the variant the case's own request must
	// be, a check that the suite sends what it claims to.
	RequestVariant string
	// Negative cases send a request the spec rejects: it is checked to be so.
	Negative bool
	LiveSafe bool // safe to send to a live server
	// Observable cases may be shown on a live server by an answer with
	// their status that another case happened to get, such as a natural 429.
	Observable bool
	liveSkip   string // why the case is not sent live, when it is not LiveSafe

	provoke provocation
}

// provocation sends a case's requests through s. It returns a reason to
// skip when the case cannot run on this target; then nothing was sent.
type provocation func(ctx context.Context, s *session) (skip string)

// Outcome is everything a case run saw.
type Outcome struct {
	Case    *Case
	Target  *target.Target
	Skip    string     // why the case did not run on this target
	Checked []*Checked // every exchange, validated, in order
	Err     error      // the target gave no usable answer
	// Observed: the answer judged is one another case happened to get
	// (Case.Observable), not one this case provoked.
	Observed bool
}

// Checked is one exchange and its verdict, the case's own checks included.
type Checked struct {
	target.Attempt
	Result  contract.Result
	Probe   bool // the exchange the case's expectations apply to
	Retried bool // the server asked for a retry, and the client made it
}

// Findings lists every finding of the run, transport failure included.
func (o *Outcome) Findings() []contract.Finding {
	var out []contract.Finding
	for _, ch := range o.Checked {
		out = append(out, ch.Result.Findings...)
	}
	if o.Err != nil {
		out = append(out, transportFinding(o.Err))
	}
	return out
}

// Outage says why the case is not judged when the target went away while
// it ran: no answer came (refused, reset, timed out), or a 502, 503 or 504
// the case did not provoke itself (one it observed another case get
// included) and that no retry followed. It is "" for a case that was
// judged; a 500 is judged, as a failure.
func (o *Outcome) Outage() string {
	secrets := o.Target.Secrets()
	if o.Err != nil && target.WentAway(o.Err) {
		return contract.Redact("the target went away: "+o.Err.Error(), secrets...)
	}
	for _, ch := range o.Checked {
		ex := &ch.Exchange
		if target.IsOutageStatus(ex.Status) && (ex.Status != o.Case.Want || o.Observed) && !ch.Retried {
			return contract.Redact(fmt.Sprintf("%s answered %d %s, which the case did not set out to provoke",
				o.Target.BaseURL, ex.Status, http.StatusText(ex.Status)), secrets...)
		}
	}
	return ""
}

// OK tells whether the case ran and everything it saw keeps the contract.
func (o *Outcome) OK() bool { return o.Skip == "" && len(o.Findings()) == 0 }

func transportFinding(err error) contract.Finding {
	return contract.Finding{Check: CheckTransport, Expected: "a documented answer", Actual: "no usable answer", Message: err.Error()}
}

// Run provokes the case on t and judges every answer.
func (cs *Case) Run(ctx context.Context, c *contract.Contract, t *target.Target) *Outcome {
	s := &session{c: c, t: t, cs: cs, out: &Outcome{Case: cs, Target: t}}
	if t.Live() && !cs.LiveSafe {
		if s.observedInstead() {
			return s.out
		}
		s.out.Skip = cmp.Or(cs.liveSkip, liveSkipReason(cs))
		return s.out
	}
	s.out.Skip = cs.provoke(ctx, s)
	if errors.Is(s.out.Err, target.ErrLiveSafety) && len(s.out.Checked) == 0 {
		s.out.Skip, s.out.Err = s.out.Err.Error(), nil
	}
	return s.out
}

// liveSkipReason says why a case is not sent to a live server.
func liveSkipReason(cs *Case) string {
	switch cs.Want {
	case http.StatusLocked:
		return "423 needs repeated wrong passwords, which would lock a real account; live runs send at most one per account (a sacrificial account, " + target.EnvRedSkySacrificialEmail + ", shows 423 in the sacrificial-account specs)"
	case http.StatusTooManyRequests:
		return "no conformance request was answered 429, and the suite does not flood a live server to provoke one (the load scenarios do, when live load is allowed)"
	}
	if cs.Want != 0 {
		// One wording for every such code, so the report lists them together.
		return "no request provokes this code on purpose; only the mock can be asked for it (Prefer: code=NNN), and live runs never send Prefer"
	}
	return "this case only runs against the mock"
}

// observedInstead judges, on a live server, an answer with the case's
// status that another case happened to get, such as a natural 429.
func (s *session) observedInstead() bool {
	if !s.cs.Observable {
		return false
	}
	a, ok := s.t.Observed(s.cs.Want)
	if !ok {
		return false
	}
	s.out.Observed = true
	s.expect(s.judge(a, false))
	return true
}

// session is one run of a case: it sends, judges and collects.
type session struct {
	c   *contract.Contract
	t   *target.Target
	cs  *Case
	out *Outcome
	// variant is the response variant the account used calls for, when
	// the case leaves the account to the target.
	variant string
}

func (s *session) wantVariant() string {
	if s.cs.WantVariant != "" {
		return s.cs.WantVariant
	}
	return s.variant
}

// send sends req and judges every attempt against the contract alone. It
// returns the last attempt, or nil when the target gave no usable answer.
func (s *session) send(ctx context.Context, req target.Request) *Checked {
	if req.Path == "" {
		req.Path = s.cs.Op.Path
	}
	attempts, err := s.t.Do(ctx, req)
	var last *Checked
	for i, a := range attempts {
		last = s.judge(a, i < len(attempts)-1)
	}
	if err != nil {
		s.out.Err = err
		return nil
	}
	return last
}

// probe sends req and holds its answer to the case's expectations.
func (s *session) probe(ctx context.Context, req target.Request) *Checked {
	ch := s.send(ctx, req)
	if ch != nil {
		s.expect(ch)
	}
	return ch
}

// judge validates one attempt and keeps it. A 5xx fails the case unless
// the case wants one, or the server asked for the retry that followed (a
// 503 with Retry-After is an overloaded server's documented answer).
func (s *session) judge(a target.Attempt, retried bool) *Checked {
	res := s.c.ValidateResponse(context.Background(), s.cs.API, &a.Exchange)
	res.Findings = contract.Apply405Rule(s.cs.Op, &a.Exchange, res.Findings)
	if a.Exchange.Status >= 500 && s.cs.Want < 500 && !retried {
		res.Findings = append(res.Findings, contract.Finding{
			Check: CheckServerError, Expected: "a documented answer below 500", Actual: strconv.Itoa(a.Exchange.Status),
			Message: "the server failed on a request it should have answered",
		})
	}
	ch := &Checked{Attempt: a, Result: res, Retried: retried}
	s.out.Checked = append(s.out.Checked, ch)
	return ch
}

// expect holds ch to the case's expectations, adding findings to it. The
// request side is checked too, so the suite cannot send something other
// than what the case claims.
func (s *session) expect(ch *Checked) {
	ch.Probe = true
	cs, ex := s.cs, &ch.Exchange
	add := func(f contract.Finding) { ch.Result.Findings = append(ch.Result.Findings, f) }
	if cs.Want != 0 && ex.Status != cs.Want {
		add(contract.Finding{Check: CheckExpectedStatus, Expected: strconv.Itoa(cs.Want), Actual: strconv.Itoa(ex.Status),
			Message: fmt.Sprintf("the case set out to provoke %d", cs.Want)})
	}
	if cs.Rejection {
		if f, ok := rejected(cs, ch); !ok {
			add(f)
		}
	}
	if want := s.wantVariant(); want != "" && ch.Result.Variant != want {
		add(contract.Finding{Check: CheckExpectedVariant, Expected: want, Actual: orNone(ch.Result.Variant),
			Message: "the answer is not the variant the request called for"})
	}
	req := s.c.ValidateRequest(context.Background(), cs.API, ex)
	switch {
	case cs.Negative && req.OK():
		add(contract.Finding{Check: contract.CheckRequest, Expected: "a request the spec rejects", Actual: "a valid request",
			Message: "the suite's negative input is valid per the spec, so it proves nothing"})
	case !cs.Negative && cs.RequestVariant != "" && (!req.OK() || req.Variant != cs.RequestVariant):
		add(contract.Finding{Check: contract.CheckRequest, Expected: cs.RequestVariant, Actual: orNone(req.Variant),
			Message: fmt.Sprintf("the suite's own request is not a valid %s (%d request findings)", cs.RequestVariant, len(req.Findings))})
	}
}

// rejected tells whether the answer refuses the request as documented: a
// 4xx where the spec documents any (Webex), else the 200 failure variant.
func rejected(cs *Case, ch *Checked) (contract.Finding, bool) {
	status := ch.Exchange.Status
	if failure := failureVariant(cs.Op); failure != "" && !hasClientErrors(cs.Op) {
		if status == http.StatusOK && ch.Result.Variant == failure {
			return contract.Finding{}, true
		}
		return contract.Finding{Check: CheckExpectedVariant, Expected: fmt.Sprintf("200 %s", failure),
			Actual: fmt.Sprintf("%d %s", status, orNone(ch.Result.Variant)), Message: "the request should have been refused with the documented failure body"}, false
	}
	if status >= 400 && status < 500 {
		return contract.Finding{}, true
	}
	return contract.Finding{Check: CheckExpectedStatus, Expected: "a documented 4xx", Actual: strconv.Itoa(status),
		Message: "the request should have been refused"}, false
}

func hasClientErrors(op contract.Operation) bool {
	for _, s := range op.Statuses {
		if s >= 400 && s < 500 {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
