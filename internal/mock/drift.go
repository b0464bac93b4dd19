package mock

import (
	"fmt"
	"strings"
)

// Drift names a deliberate break of the contract, so the suites can be shown
// to catch it. Drifts combine; the zero set is a faithful mock.
type Drift string

// The drift modes. Each says which answers it changes. The first ones break
// the contract (Drifts); the last ones only leak (Leaks).
const (
	// DriftMissingField drops a required field: Webex 200 loses companyId and
	// error bodies lose trackingId; Commvault sessions lose data.authToken
	// (SaaS) or userName (customer-managed), refusals lose errList.
	DriftMissingField Drift = "missing-required-field"
	// DriftWrongType sends a field with the wrong JSON type: Webex 200
	// accountMatch and errors[].errorCode as strings; Commvault capability,
	// authToken and errorCode as strings.
	DriftWrongType Drift = "wrong-type"
	// DriftMissingRetryAfter answers 429 without Retry-After.
	DriftMissingRetryAfter Drift = "missing-retry-after"
	// DriftUnparsableRetryAfter sends "Retry-After: soon" wherever a
	// Retry-After goes (429, 423, 503).
	DriftUnparsableRetryAfter Drift = "unparsable-retry-after"
	// DriftShortRetryAfter announces, in Retry-After and RateLimit t, half the
	// real wait rounded down, so a client that obeys it is refused again.
	DriftShortRetryAfter Drift = "short-retry-after"
	// DriftTextPlain200 labels every 200 body text/plain.
	DriftTextPlain200 Drift = "text-plain-200"
	// DriftHTML5xx answers every Webex 5xx with an HTML page.
	DriftHTML5xx Drift = "html-5xx"
	// DriftUndocumentedStatus answers Webex 400s as 422 and refused Commvault
	// sign-ins (bad credentials, locked) as 401, as some versions do.
	DriftUndocumentedStatus Drift = "undocumented-status"
	// DriftNoVariant answers a successful Commvault sign-in with
	// {"errList":[]}, which matches none of the three 200 variants.
	DriftNoVariant Drift = "no-variant"

	// The drifts below break no contract: they leak what a login owes its
	// users to keep (see leaks.go), so the advisories can be shown to
	// catch each one.

	// DriftUnknownAccountAnswer answers a sign-in of an unknown account
	// differently from a wrong password: Webex with another message,
	// Commvault with another error code and message and no loginAttempts.
	DriftUnknownAccountAnswer Drift = "unknown-account-answer"
	// DriftSlowExistingAccount spends ExistingAccountDelay of wall time on
	// every sign-in of an existing account, as a slow password hash checked
	// only for known accounts does.
	DriftSlowExistingAccount Drift = "slow-existing-account"
	// DriftCacheableToken leaves Cache-Control: no-store off the answers
	// that carry a sign-in's outcome (Webex 200, Commvault sessions).
	DriftCacheableToken Drift = "cacheable-token"
	// DriftEchoedPassword repeats the password it was sent in the message
	// of a refused sign-in.
	DriftEchoedPassword Drift = "echoed-password"
	// DriftNoLockout never locks an account, whatever the failures.
	DriftNoLockout Drift = "no-lockout"
	// DriftLockOutlastsRetryAfter announces half the remaining lock in the
	// 423's Retry-After and Commvault's remainingLockTime, so a client
	// that waits as told finds the account still locked.
	DriftLockOutlastsRetryAfter Drift = "lock-outlasts-retry-after"
)

var allDrifts = []Drift{
	DriftMissingField, DriftWrongType, DriftMissingRetryAfter, DriftUnparsableRetryAfter,
	DriftShortRetryAfter, DriftTextPlain200, DriftHTML5xx, DriftUndocumentedStatus, DriftNoVariant,
}

// allLeaks follow allDrifts in the bit order of driftSet.
var allLeaks = []Drift{
	DriftUnknownAccountAnswer, DriftSlowExistingAccount, DriftCacheableToken, DriftEchoedPassword,
	DriftNoLockout, DriftLockOutlastsRetryAfter,
}

// Drifts lists every drift mode that breaks the contract, in a stable order.
func Drifts() []Drift { return append([]Drift(nil), allDrifts...) }

// Leaks lists the drift modes that keep the contract but leak what a login
// owes its users (the advisories' drifts), in a stable order.
func Leaks() []Drift { return append([]Drift(nil), allLeaks...) }

// known is every drift mode ParseDrifts takes, in bit order.
func known() []Drift { return append(Drifts(), allLeaks...) }

// ParseDrifts reads a comma-separated list such as "wrong-type,html-5xx".
// Blank items are ignored; an unknown name is an error that lists the valid ones.
func ParseDrifts(s string) ([]Drift, error) {
	var out []Drift
	for item := range strings.SplitSeq(s, ",") {
		name := Drift(strings.TrimSpace(item))
		if name == "" {
			continue
		}
		if _, err := name.bit(); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, nil
}

// driftSet holds the active drifts as bits, in the order of allDrifts, so
// the faithful path pays one AND per decision.
type driftSet uint16

const (
	missingField driftSet = 1 << iota
	wrongType
	missingRetryAfter
	unparsableRetryAfter
	shortRetryAfter
	textPlain200
	html5xx
	undocumentedStatus
	noVariant
	unknownAccountAnswer
	slowExistingAccount
	cacheableToken
	echoedPassword
	noLockout
	lockOutlastsRetryAfter
)

func (d Drift) bit() (driftSet, error) {
	all := known()
	for i, k := range all {
		if d == k {
			return 1 << i, nil
		}
	}
	names := make([]string, len(all))
	for i, k := range all {
		names[i] = string(k)
	}
	return 0, fmt.Errorf("unknown drift %q: valid drifts are %s", d, strings.Join(names, ", "))
}

func newDriftSet(drifts []Drift) (driftSet, error) {
	var set driftSet
	for _, d := range drifts {
		b, err := d.bit()
		if err != nil {
			return 0, err
		}
		set |= b
	}
	return set, nil
}
