package target

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/testkit"
)

func loginOperation(t *testing.T, api contract.API) contract.Operation {
	t.Helper()
	op, err := testkit.Contract(t).LoginOperation(api)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

// TestSignInIsAValidRequestOfEachAPIAndEdition: the one place that builds
// sign-ins builds what the spec asks for, of each API and edition.
func TestSignInIsAValidRequestOfEachAPIAndEdition(t *testing.T) {
	c := testkit.Contract(t)
	accounts := map[string]Account{
		"webex":                      {User: "a@example.com", Password: "pw", Token: "tok", OrgID: "org", RedSkyOrgID: "610af8f4-a4ed-4be3-ae6f-efcdcd4895a8"},
		"commvault saas":             {Edition: SaaS, User: "a@example.com", Password: "pw"},
		"commvault customer-managed": {Edition: CustomerManaged, User: "admin", Password: "pw", Domain: "corp", Commserver: "host*cs"},
	}
	wantVariant := map[string]string{"webex": "", "commvault saas": "Login-SaaS", "commvault customer-managed": "Login-CustomerManaged"}
	for name, a := range accounts {
		api := contract.Webex
		if strings.HasPrefix(name, "commvault") {
			api = contract.Commvault
		}
		op := loginOperation(t, api)
		req := SignIn(op, a)
		ex := &contract.Exchange{Method: req.Method, Path: "/base" + req.Path, RawQuery: req.Query.Encode(), RequestHeader: req.Header, RequestBody: req.Body}
		res := c.ValidateRequest(t.Context(), api, ex)
		if !res.OK() || res.Variant != wantVariant[name] {
			t.Errorf("%s: variant %q, findings %+v", name, res.Variant, res.Findings)
		}
	}
}

func TestLoginBodyAndRequest(t *testing.T) {
	cm := Account{Edition: CustomerManaged, User: "admin", Password: "pw", Domain: "corp"}
	body := LoginBody(contract.Commvault, cm, CustomerManaged)
	if body["password"] != "cHc=" || body["domain"] != "corp" || body["commserver"] != nil {
		t.Errorf("customer-managed body %v", body)
	}
	if saas := LoginBody(contract.Commvault, cm, SaaS); saas["domain"] != nil {
		t.Errorf("a SaaS body carries customer-managed fields: %v", saas)
	}
	webex := LoginRequest(loginOperation(t, contract.Webex), Account{Token: "tok", OrgID: "o 1"}, []byte("{}"))
	if webex.Header.Get("Authorization") != "Bearer tok" || webex.Header.Get("Content-Type") != "application/json" {
		t.Errorf("webex header %v", webex.Header)
	}
	if got := webex.URL("http://h/v1/"); got != "http://h/v1/telephony/config/redSky/actions/login/invoke?orgId=o+1" {
		t.Errorf("URL = %q", got)
	}
	commvault := LoginRequest(loginOperation(t, contract.Commvault), cm, nil)
	if commvault.Header.Get("Authorization") != "" || commvault.Query != nil || commvault.URL("http://h/api") != "http://h/api/Login" {
		t.Errorf("commvault request %+v", commvault)
	}
}

func TestEditionOf(t *testing.T) {
	for name, want := range map[string]Edition{
		"Login-SaaS": SaaS, "LoginResponse-SaaS": SaaS, "Login-CustomerManaged": CustomerManaged,
		"LoginResponse-CustomerManaged": CustomerManaged, "LoginFailure": "", "Login-Cloud": "",
	} {
		if got := EditionOf(name); got != want {
			t.Errorf("EditionOf(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestMockAccountsAndLiveAccount(t *testing.T) {
	cfg := mock.DefaultConfig()
	webex := MockAccounts(contract.Webex, cfg)
	if len(webex) != 1 || webex[0].Token != mock.DemoWebexToken || webex[0].User != mock.DemoRedSkyEmail || webex[0].OrgID != mock.DemoOrgID {
		t.Errorf("webex mock accounts %+v", webex)
	}
	cv := MockAccounts(contract.Commvault, cfg)
	if len(cv) != 2 || cv[0].Edition != SaaS || cv[0].User != mock.DemoCommvaultSaaSUser || cv[1].Edition != CustomerManaged || cv[1].User != mock.DemoCommvaultUser {
		t.Errorf("commvault mock accounts %+v", cv)
	}
	live := Config{Commvault: CommvaultConfig{Username: "u", Password: "p", Edition: SaaS, Domain: "d"}}
	if a := live.LiveAccount(contract.Commvault); a.User != "u" || a.Password != "p" || a.Edition != SaaS || a.Domain != "d" {
		t.Errorf("live account %+v", a)
	}
	if got := (Account{Password: "p", Token: "t"}).Secrets(); len(got) != 2 {
		t.Errorf("Secrets = %q", got)
	}
}

// TestStartMockServesEachAPIAtItsBaseURL signs in to both APIs of a
// started mock, then stops it.
func TestStartMockServesEachAPIAtItsBaseURL(t *testing.T) {
	srv, err := StartMock(t.Context(), mock.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range contract.APIs() {
		req := SignIn(loginOperation(t, api), MockAccounts(api, mock.DefaultConfig())[0])
		hr, err := http.NewRequestWithContext(t.Context(), req.Method, req.URL(srv.BaseURL(api)), strings.NewReader(string(req.Body)))
		if err != nil {
			t.Fatal(err)
		}
		hr.Header = req.Header
		res, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var v map[string]any
		if res.StatusCode != http.StatusOK || json.Unmarshal(body, &v) != nil || v["errList"] != nil && len(v["errList"].([]any)) > 0 {
			t.Errorf("%s: %d %s", api, res.StatusCode, body)
		}
	}
	srv.Close()
	if _, err := http.Get(srv.Root + mock.WebexPath); err == nil {
		t.Error("the mock still answers after Close")
	}
	bad := mock.DefaultConfig()
	bad.Rate = 0
	if _, err := StartMock(t.Context(), bad); err == nil {
		t.Error("an invalid configuration was served")
	}
}
