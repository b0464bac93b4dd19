package mock

import (
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
	"loginharness/internal/testkit"
)

// probes are requests that between them reach every kind of answer a
// drift changes.
func probes() []req {
	prefer := func(code int) func(*req) { return withHeader("Prefer", "code="+strconv.Itoa(code)) }
	return []req{
		webexReq(validWebexBody()),
		webexReq(`{}`),
		webexReq(validWebexBody(), prefer(429)),
		webexReq(validWebexBody(), prefer(423)),
		webexReq(validWebexBody(), prefer(502)),
		commvaultReq(saasBody()),
		commvaultReq(managedBody()),
		commvaultReq(`{"username":"admin","password":"` + b64("wrong") + `"}`),
	}
}

func TestNoDriftConforms(t *testing.T) {
	m := New(DefaultConfig())
	for _, q := range probes() {
		mustConform(t, do(m, q), q.api())
	}
}

// TestEachDriftIsCaught shows the contract catches every drift mode but
// short-retry-after, which keeps the syntax and lies about the time (see
// TestShortRetryAfterLies).
func TestEachDriftIsCaught(t *testing.T) {
	want := map[Drift]contract.Check{
		DriftMissingField:         contract.CheckSchema,
		DriftWrongType:            contract.CheckSchema,
		DriftMissingRetryAfter:    contract.CheckHeader,
		DriftUnparsableRetryAfter: contract.CheckHeader,
		DriftTextPlain200:         contract.CheckContentType,
		DriftHTML5xx:              contract.CheckContentType,
		DriftUndocumentedStatus:   contract.CheckStatusDocumented,
		DriftNoVariant:            contract.CheckVariant,
	}
	for _, d := range Drifts() {
		if d == DriftShortRetryAfter {
			continue
		}
		t.Run(string(d), func(t *testing.T) {
			check, ok := want[d]
			if !ok {
				t.Fatalf("no expectation for drift %s", d)
			}
			m := New(DefaultConfig(), WithDrift(d))
			var seen []contract.Check
			for _, q := range probes() {
				res := testkit.Contract(t).ValidateResponse(t.Context(), q.api(), do(m, q))
				for _, f := range res.Findings {
					seen = append(seen, f.Check)
				}
			}
			if !slices.Contains(seen, check) {
				t.Fatalf("drift %s was not caught as %s; findings %v", d, check, seen)
			}
		})
	}
}

func TestDriftsCombine(t *testing.T) {
	m := New(DefaultConfig(), WithDrift(Drifts()...))
	failing := 0
	for _, q := range probes() {
		if !testkit.Contract(t).ValidateResponse(t.Context(), q.api(), do(m, q)).OK() {
			failing++
		}
	}
	if failing != len(probes()) {
		t.Fatalf("with every drift on, %d of %d probes broke the contract", failing, len(probes()))
	}
}

func TestShortRetryAfterLies(t *testing.T) {
	clock := newFakeClock()
	m := New(DefaultConfig(), WithClock(clock), WithRate(0.2, 1), WithDrift(DriftShortRetryAfter))
	do(m, webexReq(validWebexBody()))
	ex := do(m, webexReq(validWebexBody()))
	if ex.Status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", ex.Status)
	}
	wait, err := ratelimit.ParseRetryAfter(ex.Header.Get("Retry-After"), clock.Now())
	if err != nil || wait >= 5*time.Second {
		t.Fatalf("Retry-After %q is not short of the real 5 s wait", ex.Header.Get("Retry-After"))
	}
	clock.Advance(wait)
	if ex := do(m, webexReq(validWebexBody())); ex.Status != http.StatusTooManyRequests {
		t.Fatalf("obeying the short Retry-After was served (%d): the drift does not lie", ex.Status)
	}
}

func TestParseDrifts(t *testing.T) {
	got, err := ParseDrifts(" wrong-type,,html-5xx ")
	if err != nil || !slices.Equal(got, []Drift{DriftWrongType, DriftHTML5xx}) {
		t.Fatalf("ParseDrifts = %v, %v", got, err)
	}
	if _, err := ParseDrifts("wrong-type,nope"); err == nil || !containsAll(err.Error(), `"nope"`, "missing-required-field", "no-variant") {
		t.Fatalf("unknown drift error does not name it and the valid ones: %v", err)
	}
}
