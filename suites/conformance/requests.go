package conformance

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode"

	"loginharness/internal/contract"
	"loginharness/internal/target"
)

// body is a JSON request body under construction.
type body map[string]any

// loginBody is the sign-in body of account a, shaped for edition v:
// required fields, plus the optional ones the account configures.
func loginBody(api contract.API, a target.Account, v target.Variant) body {
	if api == contract.Webex {
		b := body{"email": a.User, "password": a.Password}
		if a.RedSkyOrgID != "" {
			b["redSkyOrgId"] = a.RedSkyOrgID
		}
		return b
	}
	b := body{"username": a.User, "password": base64.StdEncoding.EncodeToString([]byte(a.Password))}
	if v == target.CustomerManaged {
		for name, value := range map[string]string{"domain": a.Domain, "commserver": a.Commserver} {
			if value != "" {
				b[name] = value
			}
		}
	}
	return b
}

// request wraps a body the way each API's clients send it.
func request(api contract.API, a target.Account, b []byte) target.Request {
	req := target.Request{Method: http.MethodPost, Header: http.Header{}, Body: b}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if api == contract.Webex {
		req.Header.Set("Authorization", "Bearer "+a.Token)
		req.Header.Set("TrackingID", trackingID())
		if a.OrgID != "" {
			req.Query = url.Values{"orgId": {a.OrgID}}
		}
	}
	return req
}

func loginRequest(api contract.API, a target.Account, v target.Variant) target.Request {
	return request(api, a, mustJSON(loginBody(api, a, v)))
}

// mustJSON encodes a body of strings, numbers, booleans, maps and slices,
// which cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`"unencodable body: ` + err.Error() + `"`)
	}
	return b
}

var requests atomic.Uint64

// trackingID is the caller's TrackingID header, as Webex clients send one,
// so a live run's requests can be found in the service's logs.
func trackingID() string { return "LOGINHARNESS_" + strconv.FormatUint(requests.Add(1), 10) }

// decoy is a made-up account for requests that are refused whatever the
// password: the real account's password never travels with a broken
// request, and live safety rails count no failed login against it. Each
// case gets its own, under the reserved .invalid domain.
func decoy(a target.Account, v target.Variant, caseName string) target.Account {
	a.User = "loginharness-" + slug(caseName)
	if v != target.CustomerManaged {
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

// editionOf reads the Commvault edition from a variant name, after its
// first dash: "Login-SaaS" and "LoginResponse-SaaS" are saas,
// "Login-CustomerManaged" customer-managed, "LoginFailure" none.
func editionOf(variant string) target.Variant {
	_, suffix, ok := strings.Cut(variant, "-")
	if !ok {
		return ""
	}
	for _, v := range target.Variants() {
		if strings.EqualFold(strings.ReplaceAll(string(v), "-", ""), suffix) {
			return v
		}
	}
	return ""
}

// successVariant is the 200 variant answering a sign-in of edition v.
func successVariant(op contract.Operation, v target.Variant) string {
	for _, name := range op.ResponseVariants[http.StatusOK] {
		if v != "" && editionOf(name) == v {
			return name
		}
	}
	return ""
}

// failureVariant is the 200 variant of no edition: the refusal body of an
// API that answers refusals with 200.
func failureVariant(op contract.Operation) string {
	for _, name := range op.ResponseVariants[http.StatusOK] {
		if editionOf(name) == "" {
			return name
		}
	}
	return ""
}
