package contract_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

const (
	plantedPassword = "Sup3r-S3cret!pw"
	plantedToken    = "QSDK planted-token-4711"
	plantedBearer   = "bearer-token-0815"
)

// TestFindingsNeverHoldSecrets plants credentials in requests and responses
// that break the contract in many ways, and looks for them, or their
// Base64, in every field of every finding.
func TestFindingsNeverHoldSecrets(t *testing.T) {
	c := testkit.Contract(t)
	b64 := base64.StdEncoding.EncodeToString([]byte(plantedPassword))
	auth := "Authorization"
	requests := []*contract.Exchange{
		webexRequest(`{"email": "x", "password": "`+plantedPassword+`", "redSkyOrgId": "`+plantedPassword+`"}`, auth, "Bearer "+plantedBearer),
		webexRequest(`{"email": "x", "password": 42}`, auth, "Bearer "+plantedBearer),
		webexRequest(`{"email": "a@b.c", "password": ["`+plantedPassword+`"]}`, auth, "Bearer "+plantedBearer),
		webexRequest(`{"email": "a@b.c", "password": "`+plantedPassword+`"`, auth, "Bearer "+plantedBearer),
		webexRequest(`{"email": "a@b.c", "password": "`+plantedPassword+`"}`, auth, "Bearer "+plantedBearer, "Content-Type", "text/plain"),
		commvaultRequest(`{"username": "a@b@c", "password": "` + plantedPassword + `"}`),
		commvaultRequest(`{"username": "admin", "password": "` + b64 + `", "timeout": "` + b64 + `"}`),
		commvaultRequest(`{"username": "user@example.com", "password": "` + plantedPassword + `", "extra": "` + plantedPassword + `"}`),
	}
	responses := []struct {
		api contract.API
		ex  *contract.Exchange
	}{
		{contract.Commvault, commvaultResponse(`{"data": {"authToken": ` + jsonString(plantedToken) + `}, "token": 1}`)},
		{contract.Commvault, commvaultResponse(`{"token": "` + plantedToken + `", "userName": 5}`)},
		{contract.Commvault, commvaultResponse(`{"token": "x` + plantedToken + `", "userName": "u"}`)},
		{contract.Commvault, commvaultResponse(`{"token": {"inner": "` + plantedToken + `"}, "userName": "u"}`)},
		{contract.Commvault, commvaultResponse(`{"data": {"authToken": "` + plantedToken + `"`)},
		{contract.Commvault, commvaultResponse(`{"errList": [{"errLogMessage": "wrong password ` + plantedPassword + `", "errorCode": "` + plantedPassword + `"}]}`)},
		{contract.Webex, webexResponse(200, `{"accountMatch": true, "externalTenantEnabled": true, "companyId": "`+plantedBearer+`"}`)},
		{contract.Webex, webexResponse(429, webexError, "Retry-After", plantedBearer)},
		{contract.Webex, webexResponse(200, webex200, "Content-Type", "text/"+plantedPassword)},
		{contract.Webex, webexResponse(418, `{}`)},
	}
	secrets := []string{plantedPassword, b64, plantedToken, plantedBearer, "planted-token-4711"}
	check := func(name string, res contract.Result) {
		t.Helper()
		if res.OK() {
			t.Errorf("%s: no findings; the case must break the contract to test anything", name)
		}
		blob, _ := json.Marshal(res.Findings)
		for _, s := range secrets {
			if strings.Contains(string(blob), s) {
				t.Errorf("%s: findings hold secret %q: %s", name, s, blob)
			}
		}
	}
	for _, ex := range requests {
		for _, api := range contract.APIs() {
			if strings.HasSuffix(ex.Path, "Login") == (api == contract.Commvault) {
				// A request's own password echoed back in a response must be caught too.
				check(string(ex.RequestBody), c.ValidateRequest(context.Background(), api, ex))
			}
		}
	}
	for _, r := range responses {
		r.ex.RequestBody = []byte(`{"email": "a@b.c", "password": "` + plantedPassword + `"}`)
		r.ex.RequestHeader = headers(auth, "Bearer "+plantedBearer)
		check(string(r.ex.Body), c.ValidateResponse(context.Background(), r.api, r.ex))
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestRedactJSON(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"password and tokens", `{"username": "u", "password": "p4ss", "data": {"authToken": "t0k"}, "token": "QSDK x", "Authtoken": 5}`,
			`{"username": "u", "password": "[REDACTED]", "data": {"authToken": "[REDACTED]"}, "token": "[REDACTED]", "Authtoken": "[REDACTED]"}`},
		{"nested values", `{"token": {"a": ["b", {"c": 1}]}, "x": [{"password": null}]}`,
			`{"token": "[REDACTED]", "x": [{"password": "[REDACTED]"}]}`},
		{"layout kept", "{\n  \"password\" :\t\"p\",\n  \"keep\": \"password\"\n}", "{\n  \"password\" :\t\"[REDACTED]\",\n  \"keep\": \"password\"\n}"},
		{"escaped quote", `{"password": "a\"b", "n": 1}`, `{"password": "[REDACTED]", "n": 1}`},
		{"nothing secret", `{"forcePasswordChange": false, "tokens": 1}`, `{"forcePasswordChange": false, "tokens": 1}`},
		{"truncated", `{"user": "u", "password": "p4ss`, `{"user": "u", "password": "[REDACTED]"`},
		{"truncated after a full pair", `{"token": "QSDK abc", "userName": "adm`, `{"token": "[REDACTED]", "userName": "adm`},
		{"not JSON", `password=p4ss`, `password=p4ss`},
		{"empty", ``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(contract.RedactJSON([]byte(tt.in))); got != tt.want {
				t.Errorf("RedactJSON(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactHeader(t *testing.T) {
	in := http.Header{
		"Authorization": {"Bearer abc.def"},
		"Authtoken":     {"QSDK 123"},
		"Cookie":        {"session=1"},
		"Set-Cookie":    {"session=1; HttpOnly"},
		"Trackingid":    {"t-1"},
	}
	got := contract.RedactHeader(in)
	want := http.Header{
		"Authorization": {"Bearer [REDACTED]"},
		"Authtoken":     {"[REDACTED]"},
		"Cookie":        {"[REDACTED]"},
		"Set-Cookie":    {"[REDACTED]"},
		"Trackingid":    {"t-1"},
	}
	for name := range want {
		if got.Get(name) != want.Get(name) {
			t.Errorf("%s = %q, want %q", name, got.Get(name), want.Get(name))
		}
	}
	if in.Get("Authorization") != "Bearer abc.def" {
		t.Error("RedactHeader changed its argument")
	}
	if contract.RedactHeader(nil) != nil {
		t.Error("RedactHeader(nil) != nil")
	}
}

func TestRedact(t *testing.T) {
	const pw = "Password1"
	b64 := base64.StdEncoding.EncodeToString([]byte(pw)) // UGFzc3dvcmQx
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"plain", "pw is Password1.", []string{pw}, "pw is [REDACTED]."},
		{"its Base64", "sent " + b64, []string{pw}, "sent [REDACTED]"},
		{"the text a Base64 secret encodes", "pw is Password1", []string{b64}, "pw is [REDACTED]"},
		{"JSON-escaped", `got "a\"quote"`, []string{`a"quote`}, `got "[REDACTED]"`},
		{"longest first", "abcdefgh", []string{"abcd", "abcdefgh"}, "[REDACTED]"},
		{"too short to redact", "a value", []string{"a", ""}, "a value"},
		{"no secrets", "as is", nil, "as is"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := contract.Redact(tt.in, tt.secrets...); got != tt.want {
				t.Errorf("Redact(%q, %q) = %q, want %q", tt.in, tt.secrets, got, tt.want)
			}
		})
	}
}

// TestRedactHeaderCopiesOnlyWhatItRedacts: an answer without a secret
// header is returned as it is (the load path redacts every result); one
// with a secret header, named in any case, gets a redacted copy.
func TestRedactHeaderCopiesOnlyWhatItRedacts(t *testing.T) {
	plain := http.Header{"Content-Type": {"application/json"}, "Trackingid": {"abc"}}
	if got := contract.RedactHeader(plain); reflect.ValueOf(got).Pointer() != reflect.ValueOf(plain).Pointer() {
		t.Error("a header without secrets was copied")
	}
	secret := http.Header{"X-Session-Token": {"s3cr3t-value"}, "Content-Type": {"application/json"}}
	got := contract.RedactHeader(secret)
	if got["X-Session-Token"][0] == "s3cr3t-value" || secret["X-Session-Token"][0] != "s3cr3t-value" {
		t.Errorf("a token header: redacted %q, original %q", got["X-Session-Token"], secret["X-Session-Token"])
	}
}
