package contract_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// TestResponseMutations breaks valid responses one way at a time; each must
// come back with the finding that names that way, at the right place.
func TestResponseMutations(t *testing.T) {
	c := testkit.Contract(t)
	retryAfter := func(v string) *contract.Exchange {
		return webexResponse(429, webexError, "Retry-After", v)
	}
	tests := []struct {
		name        string
		api         contract.API
		ex          *contract.Exchange
		check       contract.Check
		pointer     string
		wantVariant string // the closest variant named in a variant finding
	}{
		{"wrong type", contract.Webex, webexResponse(200, replace(t, webex200, `"accountMatch": true`, `"accountMatch": "yes"`)),
			contract.CheckSchema, "/accountMatch", ""},
		{"missing required field", contract.Webex, webexResponse(200, `{"accountMatch": true, "externalTenantEnabled": true}`),
			contract.CheckSchema, "/companyId", ""},
		{"companyId not a UUID", contract.Webex, webexResponse(200, replace(t, webex200, "ddd1424c-5b48", "ddd1424c5b48-")),
			contract.CheckSchema, "/companyId", ""},
		{"error item without description", contract.Webex, webexResponse(400, `{"message": "m", "errors": [{"errorCode": 1}], "trackingId": "t"}`),
			contract.CheckSchema, "/errors/0/description", ""},
		{"undocumented status", contract.Webex, webexResponse(418, webexError), contract.CheckStatusDocumented, "", ""},
		{"undocumented status on Commvault", contract.Commvault, with(commvaultResponse(commvaultFailure), func(ex *contract.Exchange) { ex.Status = 401 }),
			contract.CheckStatusDocumented, "", ""},
		{"missing Retry-After on 429", contract.Webex, webexResponse(429, webexError), contract.CheckHeader, "/headers/Retry-After", ""},
		{"Retry-After: soon", contract.Webex, retryAfter("soon"), contract.CheckHeader, "/headers/Retry-After", ""},
		{"Retry-After: negative", contract.Webex, retryAfter("-5"), contract.CheckHeader, "/headers/Retry-After", ""},
		{"Retry-After on Feb 31", contract.Webex, retryAfter("Fri, 31 Feb 1999 23:59:59 GMT"), contract.CheckHeader, "/headers/Retry-After", ""},
		{"Retry-After on the wrong weekday", contract.Webex, retryAfter("Mon, 31 Dec 1999 23:59:59 GMT"), contract.CheckHeader, "/headers/Retry-After", ""},
		{"Retry-After at hour 25", contract.Webex, retryAfter("Fri Dec 31 25:59:59 1999"), contract.CheckHeader, "/headers/Retry-After", ""},
		{"Retry-After: soon on 423", contract.Webex, webexResponse(423, webexError, "Retry-After", "soon"), contract.CheckHeader, "/headers/Retry-After", ""},
		{"missing TrackingID", contract.Webex, with(webexResponse(200, webex200), func(ex *contract.Exchange) { ex.Header.Del("TrackingID") }),
			contract.CheckHeader, "/headers/TrackingID", ""},
		{"405 without Allow", contract.Webex, with(webexResponse(405, webexError), func(ex *contract.Exchange) { ex.Method = http.MethodGet }),
			contract.CheckHeader, "/headers/Allow", ""},
		{"text/plain on 200", contract.Webex, with(webexResponse(200, webex200), func(ex *contract.Exchange) { ex.Header.Set("Content-Type", "text/plain") }),
			contract.CheckContentType, "", ""},
		{"HTML on 500", contract.Webex, with(webexResponse(500, "<html><body>Internal Server Error</body></html>"), func(ex *contract.Exchange) {
			ex.Header.Set("Content-Type", "text/html; charset=utf-8")
		}), contract.CheckContentType, "", ""},
		{"no Content-Type", contract.Webex, with(webexResponse(200, webex200), func(ex *contract.Exchange) { ex.Header.Del("Content-Type") }),
			contract.CheckContentType, "", ""},
		{"empty body where JSON is documented", contract.Webex, webexResponse(200, ""), contract.CheckSchema, "", ""},
		{"malformed JSON", contract.Webex, webexResponse(200, `{"accountMatch": tru`), contract.CheckSchema, "", ""},
		{"trailing data after JSON", contract.Webex, webexResponse(200, webex200+` {}`), contract.CheckSchema, "", ""},
		{"body on 204", contract.Webex, webexResponse(204, `{}`), contract.CheckSchema, "", ""},
		{"no Commvault variant: authToken a number", contract.Commvault, commvaultResponse(`{"data": {"authToken": 5}}`),
			contract.CheckSchema, "/data/authToken", "LoginResponse-SaaS"},
		{"no Commvault variant: capability a string", contract.Commvault,
			commvaultResponse(replace(t, commvaultCustomerManaged, `"capability": 4328650366975`, `"capability": "4328650366975"`)),
			contract.CheckSchema, "/capability", "LoginResponse-CustomerManaged"},
		{"no Commvault variant: nested organization id", contract.Commvault,
			commvaultResponse(replace(t, commvaultCustomerManaged, `"ownerOrganization": {"GUID": "95189d4e-4a7f-4cb3-969f-80d5871ac13f", "providerId": 0`,
				`"ownerOrganization": {"GUID": "95189d4e-4a7f-4cb3-969f-80d5871ac13f", "providerId": "zero"`)),
			contract.CheckSchema, "/ownerOrganization/providerId", "LoginResponse-CustomerManaged"},
		{"no Commvault variant: token without QSDK", contract.Commvault,
			commvaultResponse(replace(t, commvaultCustomerManaged, `"QSDK 3f2a9c"`, `"3f2a9c"`)),
			contract.CheckSchema, "/token", "LoginResponse-CustomerManaged"},
		{"no Commvault variant: empty errList", contract.Commvault, commvaultResponse(`{"errList": []}`),
			contract.CheckSchema, "/errList", "LoginFailure"},
		{"no Commvault variant: error without code", contract.Commvault, commvaultResponse(`{"errList": [{"errLogMessage": "bad"}]}`),
			contract.CheckSchema, "/errList/0/errorCode", "LoginFailure"},
		{"no Commvault variant: not an object", contract.Commvault, commvaultResponse(`[]`), contract.CheckSchema, "", "LoginResponse-SaaS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.ValidateResponse(context.Background(), tt.api, tt.ex)
			if !hasFinding(res, tt.check, tt.pointer) {
				t.Fatalf("findings = %+v, want a %q finding at %q", res.Findings, tt.check, tt.pointer)
			}
			for _, f := range res.Findings {
				if f.Message == "" || strings.Contains(f.Message, " Or ") || strings.Contains(f.Message, "Schema:") {
					t.Errorf("finding %+v: want a message of our own, not kin-openapi's dump", f)
				}
			}
			if tt.wantVariant == "" {
				return
			}
			if res.Variant != "" || !hasFinding(res, contract.CheckVariant, "") {
				t.Fatalf("variant %q, findings %+v: want a variant finding and no variant", res.Variant, res.Findings)
			}
			if got := res.Findings[0].Actual; got != "none; closest is "+tt.wantVariant {
				t.Errorf("variant finding says %q, want the closest to be %s", got, tt.wantVariant)
			}
		})
	}
}

// TestFindingDetails pins what a finding says, not only where.
func TestFindingDetails(t *testing.T) {
	c := testkit.Contract(t)
	tests := []struct {
		name string
		api  contract.API
		ex   *contract.Exchange
		want []contract.Finding // Message is checked for being non-empty only
	}{
		{"wrong type", contract.Webex, webexResponse(200, replace(t, webex200, `"accountMatch": true`, `"accountMatch": 1`)),
			[]contract.Finding{{Check: contract.CheckSchema, Pointer: "/accountMatch", Expected: "type boolean", Actual: "number 1"}}},
		{"two problems at once", contract.Webex, webexResponse(200, `{"accountMatch": true, "companyId": "x"}`),
			[]contract.Finding{
				{Check: contract.CheckSchema, Pointer: "/companyId", Expected: "format uuid", Actual: `string "x"`},
				{Check: contract.CheckSchema, Pointer: "/externalTenantEnabled", Expected: "present", Actual: "missing"},
			}},
		{"undocumented status", contract.Commvault, with(commvaultResponse(`{}`), func(ex *contract.Exchange) { ex.Status = 500 }),
			[]contract.Finding{{Check: contract.CheckStatusDocumented, Expected: "200", Actual: "500"}}},
		{"Retry-After: soon", contract.Webex, webexResponse(429, webexError, "Retry-After", "soon"),
			[]contract.Finding{{Check: contract.CheckHeader, Pointer: "/headers/Retry-After", Expected: "pattern " + retryAfterPattern(t, c), Actual: `string "soon"`}}},
		{"Retry-After on Feb 31", contract.Webex, webexResponse(429, webexError, "Retry-After", "Fri, 31 Feb 1999 23:59:59 GMT"),
			[]contract.Finding{{Check: contract.CheckHeader, Pointer: "/headers/Retry-After",
				Expected: "delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime), RFC 9110 section 10.2.3", Actual: `string "Fri, 31 Feb 1999 23:59:59 GMT"`}}},
		{"missing Retry-After", contract.Webex, webexResponse(429, webexError),
			[]contract.Finding{{Check: contract.CheckHeader, Pointer: "/headers/Retry-After", Expected: "present", Actual: "missing"}}},
		{"text/plain", contract.Webex, with(webexResponse(200, "ok"), func(ex *contract.Exchange) { ex.Header.Set("Content-Type", "text/plain") }),
			[]contract.Finding{{Check: contract.CheckContentType, Expected: "application/json", Actual: "text/plain"}}},
		{"short token redacted by where it sits", contract.Commvault, commvaultResponse(`{"token": "abc", "userName": "u"}`),
			[]contract.Finding{
				{Check: contract.CheckVariant, Expected: "exactly one of LoginResponse-SaaS, LoginResponse-CustomerManaged, LoginFailure",
					Actual: "none; closest is LoginResponse-CustomerManaged"},
				{Check: contract.CheckSchema, Pointer: "/token", Expected: "pattern ^QSDK ", Actual: "string [REDACTED]"},
			}},
		{"SaaS body with an undeclared-type token", contract.Commvault, commvaultResponse(`{"data": {"authToken": "a"}, "token": 7}`),
			[]contract.Finding{
				{Check: contract.CheckVariant, Expected: "exactly one of LoginResponse-SaaS, LoginResponse-CustomerManaged, LoginFailure",
					Actual: "none; closest is LoginResponse-SaaS"},
				{Check: contract.CheckSchema, Pointer: "", Expected: `not {"anyOf":[{"required":["token"]},{"required":["userName"]}]}`,
					Actual: "object with keys data, token"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.ValidateResponse(context.Background(), tt.api, tt.ex).Findings
			if len(got) != len(tt.want) {
				t.Fatalf("findings = %+v, want %+v", got, tt.want)
			}
			for i, f := range got {
				if f.Message == "" {
					t.Errorf("finding %d has no message", i)
				}
				f.Message = ""
				if f != tt.want[i] {
					t.Errorf("finding %d = %+v, want %+v", i, f, tt.want[i])
				}
			}
		})
	}
}

func retryAfterPattern(t *testing.T, c *contract.Contract) string {
	t.Helper()
	s := c.Spec(contract.Webex).Doc.Components.Schemas["RetryAfter"]
	if s == nil || s.Value.Pattern == "" {
		t.Fatal("the webex spec has no RetryAfter pattern")
	}
	return s.Value.Pattern
}

func TestRetryAfterForms(t *testing.T) {
	c := testkit.Contract(t)
	tests := []struct {
		value string
		ok    bool
	}{
		{"120", true},
		{"0", true},
		{"Fri, 31 Dec 1999 23:59:59 GMT", true},  // IMF-fixdate
		{"Friday, 31-Dec-99 23:59:59 GMT", true}, // RFC 850
		{"Fri Dec 31 23:59:59 1999", true},       // asctime
		{"Sat Jan  1 00:00:00 2000", true},       // asctime, one-digit day
		{"soon", false},
		{"", false},
		{"1.5", false},
		{" 120", false},
		{"Fri, 31 Dec 1999 23:59:59 UTC", false},
		{"Fri, 31 Feb 1999 23:59:59 GMT", false},
		{"Thu, 31 Dec 1999 23:59:59 GMT", false}, // 1999-12-31 was a Friday
		{"Friday, 31-Dec-1999 23:59:59 GMT", false},
		{"1999-12-31T23:59:59Z", false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			ex := webexResponse(429, webexError)
			if tt.value != "" {
				ex.Header.Set("Retry-After", tt.value)
			}
			res := c.ValidateResponse(context.Background(), contract.Webex, ex)
			if res.OK() != tt.ok {
				t.Errorf("Retry-After %q: findings %+v, want OK=%v", tt.value, res.Findings, tt.ok)
			}
			if !tt.ok && !hasFinding(res, contract.CheckHeader, "/headers/Retry-After") {
				t.Errorf("Retry-After %q: findings %+v, want a header finding at /headers/Retry-After", tt.value, res.Findings)
			}
		})
	}
}

// TestNoBodyMatchesTwoVariants tries to build bodies that two variants
// accept, from pieces of each; the specs must make that impossible. It
// tries every variant, bypassing the early stop the load-time proof allows.
func TestNoBodyMatchesTwoVariants(t *testing.T) {
	c := testkit.Contract(t)
	responses := []string{
		commvaultSaaS, commvaultCustomerManaged, commvaultFailure,
		`{"data": {"authToken": "a"}, "token": "QSDK a"}`,
		`{"data": {"authToken": "a"}, "userName": "u"}`,
		`{"data": {"authToken": "a"}, "token": "QSDK a", "userName": "u"}`,
		`{"data": {"authToken": "a"}, "errList": [{"errLogMessage": "m", "errorCode": 1}]}`,
		`{"token": "QSDK a", "userName": "u", "errList": [{"errLogMessage": "m", "errorCode": 1}]}`,
		`{"token": "QSDK a", "userName": "u", "data": {"authToken": "a"}, "errList": [{"errLogMessage": "m", "errorCode": 1}]}`,
		`{"userName": "u", "errList": [{"errLogMessage": "m", "errorCode": 1}]}`,
	}
	for _, body := range responses {
		matches, exclusive, ok := c.BodyVariants(contract.Commvault, http.MethodPost, commvaultPath, 200, []byte(body))
		if !ok || len(matches) > 1 || !exclusive {
			t.Errorf("response %s: matches %v (exclusive proof %v), want at most one", body, matches, exclusive)
		}
	}
	requests := []string{
		`{"username": "user@example.com", "password": "UGFzc3dvcmQx"}`,
		`{"username": "admin", "password": "UGFzc3dvcmQx"}`,
		`{"username": "user@example.com", "password": "UGFzc3dvcmQx", "domain": "corp"}`,
		`{"username": "user@example.com", "password": "UGFzc3dvcmQx", "timeout": 30}`,
		`{"username": "a@b@c", "password": "UGFzc3dvcmQx"}`,
		`{"username": "user@example.com", "password": "UGFzc3dvcmQx", "commserver": "h*cs", "deviceId": "d"}`,
	}
	for _, body := range requests {
		matches, _, ok := c.BodyVariants(contract.Commvault, http.MethodPost, commvaultPath, 0, []byte(body))
		if !ok || len(matches) > 1 {
			t.Errorf("request %s: matches %v, want at most one", body, matches)
		}
	}
}

func TestRequestValidation(t *testing.T) {
	c := testkit.Contract(t)
	tests := []struct {
		name    string
		api     contract.API
		ex      *contract.Exchange
		variant string
		check   contract.Check // "" for a request that keeps the contract
		pointer string
	}{
		{"webex seed", contract.Webex, webexRequest(webexLogin), "", "", ""},
		{"webex without orgId and redSkyOrgId", contract.Webex, with(webexRequest(`{"email": "a@b.c", "password": "p"}`), func(ex *contract.Exchange) { ex.RawQuery = "" }),
			"", "", ""},
		{"webex without Authorization", contract.Webex, with(webexRequest(webexLogin), func(ex *contract.Exchange) { ex.RequestHeader.Del("Authorization") }),
			"", "", ""},
		{"commvault SaaS", contract.Commvault, commvaultRequest(`{"username": "user@example.com", "password": "UGFzc3dvcmQx"}`), "Login-SaaS", "", ""},
		{"commvault customer-managed", contract.Commvault, commvaultRequest(`{"username": "admin", "password": "UGFzc3dvcmQx"}`), "Login-CustomerManaged", "", ""},
		{"commvault email user with a domain", contract.Commvault,
			commvaultRequest(`{"username": "user@example.com", "password": "UGFzc3dvcmQx", "domain": "corp", "commserver": "h.example.com*cs", "deviceId": "d", "timeout": 60}`),
			"Login-CustomerManaged", "", ""},
		{"webex email not an email", contract.Webex, webexRequest(`{"email": "test", "password": "Test@123"}`), "", contract.CheckSchema, "/email"},
		{"webex missing password", contract.Webex, webexRequest(`{"email": "test@cisco.com"}`), "", contract.CheckSchema, "/password"},
		{"webex redSkyOrgId not a UUID", contract.Webex, webexRequest(`{"email": "test@cisco.com", "password": "p", "redSkyOrgId": "42"}`), "", contract.CheckSchema, "/redSkyOrgId"},
		{"webex empty orgId", contract.Webex, with(webexRequest(webexLogin), func(ex *contract.Exchange) { ex.RawQuery = "orgId=" }), "", contract.CheckRequest, "/query/orgId"},
		{"webex text/plain", contract.Webex, webexRequest(webexLogin, "Content-Type", "text/plain"), "", contract.CheckContentType, ""},
		{"webex no body", contract.Webex, webexRequest(""), "", contract.CheckRequest, ""},
		{"webex malformed JSON", contract.Webex, webexRequest(`{"email":`), "", contract.CheckRequest, ""},
		{"commvault password not Base64", contract.Commvault, commvaultRequest(`{"username": "admin", "password": "Password1!"}`),
			"", contract.CheckSchema, "/password"},
		{"commvault password not padded", contract.Commvault, commvaultRequest(`{"username": "admin", "password": "UGFzc3dvcmQ"}`),
			"", contract.CheckSchema, "/password"},
		{"commvault timeout zero", contract.Commvault, commvaultRequest(`{"username": "admin", "password": "UGFzc3dvcmQx", "timeout": 0}`),
			"", contract.CheckSchema, "/timeout"},
		{"commvault commserver without star", contract.Commvault, commvaultRequest(`{"username": "admin", "password": "UGFzc3dvcmQx", "commserver": "cs"}`),
			"", contract.CheckSchema, "/commserver"},
		{"commvault username neither", contract.Commvault, commvaultRequest(`{"username": "a@b@c", "password": "UGFzc3dvcmQx"}`),
			"", contract.CheckVariant, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.ValidateRequest(context.Background(), tt.api, tt.ex)
			if res.Variant != tt.variant {
				t.Errorf("variant = %q, want %q", res.Variant, tt.variant)
			}
			if tt.check == "" {
				if !res.OK() {
					t.Errorf("findings = %+v, want none", res.Findings)
				}
				return
			}
			if !hasFinding(res, tt.check, tt.pointer) {
				t.Errorf("findings = %+v, want a %q finding at %q", res.Findings, tt.check, tt.pointer)
			}
		})
	}
}
