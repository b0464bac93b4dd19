package target

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"loginharness/internal/contract"
)

// Account is what a client signs in with.
type Account struct {
	Edition             Edition // the Commvault edition it signs in as; "" for Webex
	User, Password      string  // RedSky email or Commvault user name; the password in plain text
	Token, TokenNoScope string  // Webex bearer tokens; TokenNoScope may be ""
	OrgID, RedSkyOrgID  string  // Webex, optional
	Domain, Commserver  string  // Commvault customer-managed, optional
}

// Secrets lists the account's credentials, for redaction; contract.Redact
// also covers their Base64 forms.
func (a Account) Secrets() []string {
	var out []string
	for _, s := range []string{a.Password, a.Token, a.TokenNoScope} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// LoginBody is the sign-in body of account a shaped for edition e ("" for
// Webex): the fields the API requires, and the optional ones a sets. The
// Commvault password travels Base64-encoded, as the API requires.
func LoginBody(api contract.API, a Account, e Edition) map[string]any {
	if api == contract.Webex {
		b := map[string]any{"email": a.User, "password": a.Password}
		if a.RedSkyOrgID != "" {
			b["redSkyOrgId"] = a.RedSkyOrgID
		}
		return b
	}
	b := map[string]any{"username": a.User, "password": base64.StdEncoding.EncodeToString([]byte(a.Password))}
	if e == CustomerManaged {
		for name, value := range map[string]string{"domain": a.Domain, "commserver": a.Commserver} {
			if value != "" {
				b[name] = value
			}
		}
	}
	return b
}

// LoginRequest wraps a sign-in body the way op's API takes it: a JSON
// request to op's method and path, with the bearer token of a and its
// orgId for Webex.
func LoginRequest(op contract.Operation, a Account, body []byte) Request {
	req := Request{Method: op.Method, Path: op.Path, Header: http.Header{}, Body: body}
	req.Header.Set("Content-Type", "application/json")
	if op.API == contract.Webex {
		req.Header.Set("Authorization", "Bearer "+a.Token)
		if a.OrgID != "" {
			req.Query = url.Values{"orgId": {a.OrgID}}
		}
	}
	return req
}

// SignIn is a's valid sign-in to op, shaped for a's edition.
func SignIn(op contract.Operation, a Account) Request {
	return LoginRequest(op, a, EncodeJSON(LoginBody(op.API, a, a.Edition)))
}

// EncodeJSON encodes a body of strings, numbers, booleans, maps and slices,
// which cannot fail; anything else becomes a JSON string saying so.
func EncodeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(`"unencodable body: ` + err.Error() + `"`)
	}
	return b
}

// URL is where req goes on a server whose base URL is base.
func (r Request) URL(base string) string {
	u := strings.TrimSuffix(base, "/") + r.Path
	if q := r.Query.Encode(); q != "" {
		u += "?" + q
	}
	return u
}

// EditionOf reads the Commvault edition a spec variant belongs to from its
// name, after the first dash: "Login-SaaS" and "LoginResponse-SaaS" are
// SaaS, "Login-CustomerManaged" customer-managed, "LoginFailure" none.
func EditionOf(variant string) Edition {
	_, suffix, ok := strings.Cut(variant, "-")
	if !ok {
		return ""
	}
	for _, e := range Editions() {
		if strings.EqualFold(strings.ReplaceAll(string(e), "-", ""), suffix) {
			return e
		}
	}
	return ""
}
