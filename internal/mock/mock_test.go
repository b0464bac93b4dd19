package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

func TestWebex(t *testing.T) {
	valid := validWebexBody()
	tests := []struct {
		name   string
		req    req
		status int
		code   errorCode
	}{
		{"valid", webexReq(valid), 200, codeNone},
		{"valid with known orgId", webexReq(valid, withQuery("orgId="+DemoOrgID)), 200, codeNone},
		{"scheme is case-insensitive", webexReq(valid, withHeader("Authorization", "bearer "+DemoWebexToken)), 200, codeNone},
		{"JSON with parameters", webexReq(valid, withHeader("Content-Type", "Application/JSON; charset=utf-8")), 200, codeNone},
		{"escaped email", webexReq(`{"email":"\u0072edsky-admin@example.com","password":"` + DemoRedSkyPassword + `"}`), 200, codeNone},
		{"last duplicate key wins", webexReq(`{"email":5,"email":"` + DemoRedSkyEmail + `","password":"` + DemoRedSkyPassword + `"}`), 200, codeNone},
		{"unknown fields are allowed", webexReq(`{"email":"` + DemoRedSkyEmail + `","password":"` + DemoRedSkyPassword + `","x":[1,{"y":null}]}`), 200, codeNone},
		{"no Authorization", webexReq(valid, withoutHeader("Authorization")), 401, codeNoAuth},
		{"Basic auth", webexReq(valid, withHeader("Authorization", "Basic dXNlcjpwYXNz")), 401, codeNoAuth},
		{"empty bearer", webexReq(valid, withHeader("Authorization", "Bearer ")), 401, codeNoAuth},
		{"unknown token", webexReq(valid, withHeader("Authorization", "Bearer nope")), 401, codeBadToken},
		{"token without write scope", webexReq(valid, withHeader("Authorization", "Bearer "+DemoWebexTokenNoScope)), 403, codeNoScope},
		{"GET", webexReq("", withMethod(http.MethodGet)), 405, codeMethod},
		{"DELETE", webexReq(valid, withMethod(http.MethodDelete)), 405, codeMethod},
		{"text/plain body", webexReq(valid, withHeader("Content-Type", "text/plain")), 415, codeMediaType},
		{"no Content-Type", webexReq(valid, withoutHeader("Content-Type")), 415, codeMediaType},
		{"vendor JSON type", webexReq(valid, withHeader("Content-Type", "application/vnd.api+json")), 415, codeMediaType},
		{"empty body", webexReq(""), 400, codeBodyMissing},
		{"malformed JSON", webexReq(`{"email":`), 400, codeNotJSON},
		{"number beyond float64", webexReq(`{"email":"a@b.c","password":"p","n":1e999}`), 400, codeNotJSON},
		{"array body", webexReq(`[]`), 400, codeNotObject},
		{"missing email", webexReq(`{"password":"p"}`), 400, codeFieldMissing},
		{"missing password", webexReq(`{"email":"a@b.c"}`), 400, codeFieldMissing},
		{"email not a string", webexReq(`{"email":42,"password":"p"}`), 400, codeFieldType},
		{"null email", webexReq(`{"email":null,"password":"p"}`), 400, codeFieldType},
		{"bad email", webexReq(`{"email":"not-an-email","password":"p"}`), 400, codeFieldValue},
		{"empty password", webexReq(`{"email":"a@b.c","password":""}`), 400, codeFieldValue},
		{"redSkyOrgId not a UUID", webexReq(`{"email":"a@b.c","password":"p","redSkyOrgId":"x"}`), 400, codeFieldValue},
		{"empty orgId", webexReq(valid, withQuery("orgId=")), 400, codeQuery},
		{"unknown orgId", webexReq(valid, withQuery("orgId=other")), 404, codeUnknownOrg},
		{"wrong password", webexReq(`{"email":"` + DemoRedSkyEmail + `","password":"wrong"}`), 400, codeBadCredentials},
		{"unknown account", webexReq(`{"email":"someone@example.com","password":"p"}`), 400, codeBadCredentials},
		{"body over the limit", webexReq(`{"email":"a@b.c","password":"` + strings.Repeat("x", 1<<20) + `"}`), 400, codeBodyTooLarge},
		{"undocumented Prefer code", webexReq(valid, withHeader("Prefer", "code=418")), 400, codePrefer},
		{"unreadable Prefer code", webexReq(valid, withHeader("Prefer", "code=abc")), 400, codePrefer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(DefaultConfig(), WithClock(newFakeClock()))
			ex := do(m, tt.req)
			if ex.Status != tt.status {
				t.Fatalf("status %d, want %d; body %s", ex.Status, tt.status, ex.Body)
			}
			mustConform(t, ex, contract.Webex)
			if got := errorCodeOf(ex.Body); got != tt.code {
				t.Errorf("errorCode %d, want %d; body %s", got, tt.code, ex.Body)
			}
			id := ex.Header.Get("TrackingID")
			if id == "" {
				t.Fatal("no TrackingID header")
			}
			if tt.status >= 400 && !bytes.Contains(ex.Body, []byte(`"trackingId":"`+id+`"`)) {
				t.Errorf("body does not repeat TrackingID %q: %s", id, ex.Body)
			}
			if tt.status == 405 && ex.Header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q, want POST", ex.Header.Get("Allow"))
			}
		})
	}
}

func TestWebexSuccessBody(t *testing.T) {
	ex := do(New(DefaultConfig()), webexReq(validWebexBody()))
	var got map[string]any
	if err := json.Unmarshal(ex.Body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"accountMatch": true, "externalTenantEnabled": false, "companyId": DemoRedSkyCompanyID}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestWebexEchoesTrackingID(t *testing.T) {
	m := New(DefaultConfig())
	ex := do(m, webexReq(`{}`, withHeader("TrackingID", "client_42-x")))
	if got := ex.Header.Get("TrackingID"); got != "client_42-x" {
		t.Fatalf("TrackingID %q, want the caller's", got)
	}
	unsafe := do(m, webexReq(`{}`, withHeader("TrackingID", `quote"d`)))
	if got := unsafe.Header.Get("TrackingID"); !strings.HasPrefix(got, "MOCK_") {
		t.Fatalf("an unsafe TrackingID was echoed: %q", got)
	}
}

func TestCommvault(t *testing.T) {
	pw := b64(DemoCommvaultPassword)
	tests := []struct {
		name    string
		req     req
		variant string
		code    errorCode
	}{
		{"SaaS", commvaultReq(saasBody()), "LoginResponse-SaaS", codeNone},
		{"customer-managed", commvaultReq(managedBody()), "LoginResponse-CustomerManaged", codeNone},
		{"customer-managed, name only", commvaultReq(`{"username":"admin","password":"` + pw + `"}`), "LoginResponse-CustomerManaged", codeNone},
		{"email user with a domain is customer-managed", commvaultReq(`{"username":"` + DemoCommvaultSaaSUser + `","password":"` + pw + `","domain":"d"}`), "LoginResponse-CustomerManaged", codeNone},
		{"remote CommServe", commvaultReq(`{"username":"admin","password":"` + pw + `","commserver":"host*cs","deviceId":"d1"}`), "LoginResponse-CustomerManaged", codeNone},
		{"legacy webconsole path", commvaultReq(saasBody(), func(q *req) { q.path = CommvaultLegacyPath }), "LoginResponse-SaaS", codeNone},
		{"wrong password", commvaultReq(`{"username":"admin","password":"` + b64("nope") + `"}`), "LoginFailure", codeBadCredentials},
		{"unknown user", commvaultReq(`{"username":"ghost","password":"` + pw + `"}`), "LoginFailure", codeBadCredentials},
		{"password not Base64", commvaultReq(`{"username":"admin","password":"` + DemoCommvaultPassword + `"}`), "LoginFailure", codeFieldValue},
		{"malformed JSON", commvaultReq(`{"username":`), "LoginFailure", codeNotJSON},
		{"empty body", commvaultReq(``), "LoginFailure", codeBodyMissing},
		{"missing password", commvaultReq(`{"username":"admin"}`), "LoginFailure", codeFieldMissing},
		{"username not a string", commvaultReq(`{"username":7,"password":"` + pw + `"}`), "LoginFailure", codeFieldType},
		{"XML body", commvaultReq(`<DM2ContentIndexing_CheckCredentialReq username="admin" password="x"/>`, withHeader("Content-Type", "application/xml")), "LoginFailure", codeMediaType},
		{"no variant: invalid email, no other field", commvaultReq(`{"username":"a@b@c","password":"` + pw + `"}`), "LoginFailure", codeNoVariant},
		{"no variant: email with an unknown field", commvaultReq(`{"username":"` + DemoCommvaultSaaSUser + `","password":"` + pw + `","x":1}`), "LoginFailure", codeNoVariant},
		{"timeout 0", commvaultReq(`{"username":"admin","password":"` + pw + `","timeout":0}`), "LoginFailure", codeFieldValue},
		{"timeout 1.5", commvaultReq(`{"username":"admin","password":"` + pw + `","timeout":1.5}`), "LoginFailure", codeFieldValue},
		{"timeout as a string", commvaultReq(`{"username":"admin","password":"` + pw + `","timeout":"30"}`), "LoginFailure", codeFieldValue},
		{"bad commserver", commvaultReq(`{"username":"admin","password":"` + pw + `","commserver":"host"}`), "LoginFailure", codeFieldValue},
		{"undocumented Prefer code", commvaultReq(saasBody(), withHeader("Prefer", "code=401")), "LoginFailure", codePrefer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := do(New(DefaultConfig(), WithClock(newFakeClock())), tt.req)
			if ex.Status != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", ex.Status, ex.Body)
			}
			res := mustConform(t, ex, contract.Commvault)
			if res.Variant != tt.variant {
				t.Errorf("variant %q, want %q; body %s", res.Variant, tt.variant, ex.Body)
			}
			if got := errorCodeOf(ex.Body); got != tt.code {
				t.Errorf("errorCode %d, want %d; body %s", got, tt.code, ex.Body)
			}
		})
	}
}

func TestCommvaultMessages(t *testing.T) {
	m := New(DefaultConfig())
	for body, want := range map[string]string{
		`{"username":"admin","password":"plain text"}`:                   "Base64",
		`<Login username="admin"/>`:                                      "Only JSON",
		`{"username":"admin","password":"` + b64("x") + `","timeout":0}`: "timeout",
	} {
		ct := "application/json"
		if strings.HasPrefix(body, "<") {
			ct = "application/xml"
		}
		ex := do(m, commvaultReq(body, withHeader("Content-Type", ct)))
		if !bytes.Contains(ex.Body, []byte(want)) {
			t.Errorf("%s: message lacks %q: %s", body, want, ex.Body)
		}
	}
}

func TestCommvaultSessions(t *testing.T) {
	m := New(DefaultConfig())
	var cm struct {
		Token      string `json:"token"`
		UserName   string `json:"userName"`
		UserGUID   string `json:"userGUID"`
		Capability int64  `json:"capability"`
		ErrList    []any  `json:"errList"`
		Owner      struct {
			GUID string `json:"GUID"`
		} `json:"ownerOrganization"`
	}
	first := do(m, commvaultReq(managedBody()))
	if err := json.Unmarshal(first.Body, &cm); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cm.Token, "QSDK ") || cm.UserName != DemoCommvaultUser || cm.UserGUID == "" ||
		cm.Capability <= 1<<32 || cm.ErrList == nil || len(cm.ErrList) != 0 || cm.Owner.GUID == "" {
		t.Fatalf("customer-managed session incomplete: %s", first.Body)
	}
	second := do(m, commvaultReq(managedBody()))
	if bytes.Equal(first.Body, second.Body) {
		t.Fatal("two sign-ins got the same token")
	}
}

func TestCommvaultWrongMethod(t *testing.T) {
	ex := do(New(DefaultConfig()), commvaultReq("", withMethod(http.MethodGet)))
	if ex.Status != http.StatusMethodNotAllowed || ex.Header.Get("Allow") != http.MethodPost {
		t.Fatalf("status %d Allow %q, want 405 and POST", ex.Status, ex.Header.Get("Allow"))
	}
	if errorCodeOf(ex.Body) != codeMethod {
		t.Fatalf("body is not the failure shape: %s", ex.Body)
	}
}

func TestUnknownPath(t *testing.T) {
	ex := do(New(DefaultConfig()), req{path: "/v1/other"})
	if ex.Status != http.StatusNotFound {
		t.Fatalf("status %d, want 404", ex.Status)
	}
}

// TestPreferEveryDocumentedCode forces each status the contract documents
// and checks the answer keeps the contract, so a code added to a spec is
// covered here without a change.
func TestPreferEveryDocumentedCode(t *testing.T) {
	c := testkit.Contract(t)
	for _, api := range contract.APIs() {
		for _, op := range c.Spec(api).Operations() {
			for _, status := range op.Statuses {
				t.Run(string(api)+"/"+strconv.Itoa(status), func(t *testing.T) {
					q := webexReq(validWebexBody())
					if api == contract.Commvault {
						q = commvaultReq(saasBody())
					}
					q.header.Set("Prefer", "respond-async, code="+strconv.Itoa(status))
					ex := do(New(DefaultConfig()), q)
					if ex.Status != status {
						t.Fatalf("status %d, want %d: %s", ex.Status, status, ex.Body)
					}
					mustConform(t, ex, api)
				})
			}
		}
	}
}

// TestServedPathsAreTheBasePathsAndTheSpecs: each API's login is served at
// its base path followed by the operation's path as the spec writes it, so
// a client that appends the spec's path to the base URL reaches it.
func TestServedPathsAreTheBasePathsAndTheSpecs(t *testing.T) {
	c := testkit.Contract(t)
	for api, want := range map[contract.API][2]string{
		contract.Webex:     {WebexBasePath, WebexPath},
		contract.Commvault: {CommvaultBasePath, CommvaultPath},
	} {
		op, err := c.LoginOperation(api)
		if err != nil {
			t.Fatal(err)
		}
		if got := want[0] + op.Path; got != want[1] {
			t.Errorf("%s: base path + the spec's %q is %q, but the mock serves %q", api, op.Path, got, want[1])
		}
	}
}

func TestLockout(t *testing.T) {
	wrongWebex := webexReq(`{"email":"` + DemoRedSkyEmail + `","password":"wrong"}`)
	wrongCommvault := commvaultReq(`{"username":"admin","password":"` + b64("wrong") + `"}`)
	clock := newFakeClock()
	m := New(DefaultConfig(), WithClock(clock), WithLockout(3, time.Minute, 5*time.Minute), WithRate(1e6, 1000))
	for i := 1; i <= 3; i++ {
		if ex := do(m, wrongWebex); ex.Status != http.StatusBadRequest {
			t.Fatalf("failure %d: status %d, want 400", i, ex.Status)
		}
		if ex := do(m, wrongCommvault); errorCodeOf(ex.Body) != codeBadCredentials {
			t.Fatalf("failure %d: %s", i, ex.Body)
		}
	}
	clock.Advance(time.Minute)
	locked := do(m, webexReq(validWebexBody()))
	if locked.Status != http.StatusLocked || locked.Header.Get("Retry-After") != "240" {
		t.Fatalf("locked: status %d Retry-After %q, want 423 and 240", locked.Status, locked.Header.Get("Retry-After"))
	}
	mustConform(t, locked, contract.Webex)
	cv := do(m, commvaultReq(managedBody()))
	mustConform(t, cv, contract.Commvault)
	var failure struct {
		Locked    bool `json:"isAccountLocked"`
		Remaining int  `json:"remainingLockTime"`
		Attempts  int  `json:"loginAttempts"`
	}
	if err := json.Unmarshal(cv.Body, &failure); err != nil || !failure.Locked || failure.Remaining != 240 || failure.Attempts != 3 {
		t.Fatalf("Commvault lock not reported: %s", cv.Body)
	}

	clock.Advance(4 * time.Minute)
	if ex := do(m, webexReq(validWebexBody())); ex.Status != http.StatusOK {
		t.Fatalf("after the lock: status %d, want 200", ex.Status)
	}
	if ex := do(m, commvaultReq(managedBody())); errorCodeOf(ex.Body) != codeNone {
		t.Fatalf("after the lock: %s", ex.Body)
	}
}

func TestLockoutWindowForgets(t *testing.T) {
	clock := newFakeClock()
	m := New(DefaultConfig(), WithClock(clock), WithLockout(2, time.Minute, time.Hour))
	wrong := webexReq(`{"email":"` + DemoRedSkyEmail + `","password":"wrong"}`)
	do(m, wrong)
	clock.Advance(time.Minute)
	do(m, wrong)
	if ex := do(m, webexReq(validWebexBody())); ex.Status != http.StatusOK {
		t.Fatalf("failures in two windows locked the account: %d", ex.Status)
	}
}

func TestErrorRatio(t *testing.T) {
	m := New(DefaultConfig(), WithErrorRatio(0.25), WithRand(newSeededSource()), WithRate(1e6, 1000))
	failed := 0
	const n = 4000
	for range n {
		ex := do(m, webexReq(validWebexBody()))
		if ex.Status == http.StatusServiceUnavailable {
			failed++
			if ex.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
			mustConform(t, ex, contract.Webex)
		}
	}
	if failed < n*22/100 || failed > n*28/100 {
		t.Fatalf("%d of %d answers were 503, want about 25 %%", failed, n)
	}
	if ex := do(m, commvaultReq(saasBody())); ex.Status != http.StatusOK {
		t.Fatal("the error ratio touched Commvault")
	}
}

func TestLatency(t *testing.T) {
	clock := newFakeClock()
	m := New(DefaultConfig(), WithClock(clock), WithLatency(100*time.Millisecond, 50*time.Millisecond), WithRand(newSeededSource()))
	for range 20 {
		before := clock.Now()
		do(m, webexReq(validWebexBody()))
		if d := clock.Now().Sub(before); d < 100*time.Millisecond || d >= 150*time.Millisecond {
			t.Fatalf("latency %v, want within [100ms, 150ms)", d)
		}
	}
}

func TestLatencyStopsWithTheRequest(t *testing.T) {
	m := New(DefaultConfig(), WithLatency(time.Hour, 0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := &recorder{header: http.Header{}}
	m.ServeHTTP(rec, webexReq(validWebexBody()).build().WithContext(ctx))
	if rec.status != 0 {
		t.Fatalf("a cancelled request was answered %d", rec.status)
	}
}

type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(status int)      { r.status = status }

func TestLockoutAccountsAreSeparate(t *testing.T) {
	m := New(DefaultConfig(), WithClock(newFakeClock()))
	for range 6 {
		do(m, webexReq(`{"email":"`+DemoRedSkyLockoutEmail+`","password":"wrong"}`))
		do(m, commvaultReq(`{"username":"`+DemoCommvaultLockoutUser+`","password":"`+b64("wrong")+`"}`))
	}
	if ex := do(m, webexReq(`{"email":"`+DemoRedSkyLockoutEmail+`","password":"`+DemoRedSkyPassword+`"}`)); ex.Status != http.StatusLocked {
		t.Fatalf("lockout account not locked: %d", ex.Status)
	}
	if ex := do(m, webexReq(validWebexBody())); ex.Status != http.StatusOK {
		t.Fatalf("the main account suffered: %d", ex.Status)
	}
	if ex := do(m, commvaultReq(managedBody())); errorCodeOf(ex.Body) != codeNone {
		t.Fatalf("the main Commvault user suffered: %s", ex.Body)
	}
}
