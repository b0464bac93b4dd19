package conformance

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"

	"loginharness/internal/contract"
	"loginharness/internal/target"
)

// body is a JSON request body under construction.
type body map[string]any

// request wraps a body the way the API takes a sign-in (target.LoginRequest),
// and as the suite sends every request: asking for JSON, with a TrackingID
// of its own on Webex.
func request(op contract.Operation, a target.Account, b []byte) target.Request {
	req := target.LoginRequest(op, a, b)
	req.Header.Set("Accept", "application/json")
	if op.API == contract.Webex {
		req.Header.Set("TrackingID", trackingID())
	}
	return req
}

func loginRequest(op contract.Operation, a target.Account, e target.Edition) target.Request {
	return request(op, a, target.EncodeJSON(target.LoginBody(op.API, a, e)))
}

var requests atomic.Uint64

// trackingID is the caller's TrackingID header, as Webex clients send one,
// so a live run's requests can be found in the service's logs.
func trackingID() string { return "LOGINHARNESS_" + strconv.FormatUint(requests.Add(1), 10) }

// decoy is a made-up account for requests that are refused whatever the
// password: the real account's password never travels with a broken
// request, and live safety rails count no failed login against it. Each
// case gets its own, under the reserved .invalid domain.
func decoy(a target.Account, e target.Edition, caseName string) target.Account {
	a.User = "loginharness-" + slug(caseName)
	if e != target.CustomerManaged {
		a.User += "@example.invalid"
	}
	a.Password = "loginharness-decoy"
	return a
}

// wrongPassword is a's sign-in with a password that cannot be a's.
func wrongPassword(a target.Account) target.Account {
	a.Password += "-not"
	return a
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// successVariant is the 200 variant answering a sign-in of edition e.
func successVariant(op contract.Operation, e target.Edition) string {
	for _, name := range op.ResponseVariants[http.StatusOK] {
		if e != "" && target.EditionOf(name) == e {
			return name
		}
	}
	return ""
}

// failureVariant is the 200 variant of no edition: the refusal body of an
// API that answers refusals with 200.
func failureVariant(op contract.Operation) string {
	for _, name := range op.ResponseVariants[http.StatusOK] {
		if target.EditionOf(name) == "" {
			return name
		}
	}
	return ""
}
