package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/target"
	"loginharness/internal/testkit"
)

// The independent server's accounts. They are test fixtures, not secrets.
const (
	liveToken        = "live-admin-token"
	liveTokenNoScope = "live-readonly-token"
	liveOrg          = "live-org"
	liveEmail        = "admin@live.example.com"
	livePassword     = "live-redsky-pass"
	liveCVUser       = "cvadmin"
	liveCVPassword   = "live-cv-pass"
)

// liveServer is the handler of the live path's tests, served by a
// testkit.LiveServer. It is written here from the specs, not from the mock,
// so the live configuration is shown to work against a server the harness
// did not build. It answers the first valid Webex sign-in with 429 and
// Retry-After: 1, as a rate-limited service would.
type liveServer struct {
	mu        sync.Mutex
	limitedAt time.Time // when the 429 was sent; zero until then
	servedAt  time.Time // the first valid Webex sign-in served after it
	ids       int
}

// serve starts the server; its accounts are the live* fixtures.
func (s *liveServer) serve(t *testing.T) *testkit.LiveServer {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/telephony/config/redSky/actions/login/invoke", s.webex)
	mux.HandleFunc("/webconsole/api/Login", s.commvault)
	return testkit.NewLiveServer(t, mux, map[string]string{liveEmail: livePassword, liveCVUser: liveCVPassword})
}

// read returns the request's body, and false past 1 MiB or when it is no
// JSON object.
func read(r *http.Request) (map[string]any, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	tooLarge := err != nil || len(raw) > 1<<20
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return body, !tooLarge && body != nil
}

func (s *liveServer) webex(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.ids++
	id := fmt.Sprintf("LIVE_%d", s.ids)
	s.mu.Unlock()
	w.Header().Set("TrackingID", id)
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "errors": []any{map[string]any{"description": msg}}, "trackingId": id})
	}
	body, ok := read(r)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", "POST")
		fail(http.StatusMethodNotAllowed, "use POST")
		return
	case r.Header.Get("Authorization") == "Bearer "+liveTokenNoScope:
		fail(http.StatusForbidden, "missing scope")
		return
	case r.Header.Get("Authorization") != "Bearer "+liveToken:
		fail(http.StatusUnauthorized, "bad token")
		return
	case mediaType != "application/json":
		fail(http.StatusUnsupportedMediaType, "JSON only")
		return
	case r.URL.Query().Has("orgId") && r.URL.Query().Get("orgId") != liveOrg:
		fail(http.StatusNotFound, "no such org")
		return
	case !ok || body["email"] != liveEmail || body["password"] != livePassword:
		fail(http.StatusBadRequest, "bad request or credentials")
		return
	}
	s.mu.Lock()
	limit := s.limitedAt.IsZero()
	if limit {
		s.limitedAt = time.Now()
	} else if s.servedAt.IsZero() {
		s.servedAt = time.Now()
	}
	s.mu.Unlock()
	if limit {
		w.Header().Set("Retry-After", "1")
		fail(http.StatusTooManyRequests, "slow down")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"accountMatch":true,"externalTenantEnabled":false,"companyId":"0f0e0d0c-0b0a-4999-8888-777766665555"}`)
}

func (s *liveServer) commvault(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		_, _ = io.WriteString(w, `{"errList":[{"errLogMessage":"use POST","errorCode":405}]}`)
		return
	}
	body, _ := read(r)
	password, _ := body["password"].(string)
	plain, err := base64.StdEncoding.DecodeString(password)
	if err != nil || body["username"] != liveCVUser || string(plain) != liveCVPassword {
		_, _ = io.WriteString(w, `{"errList":[{"errLogMessage":"Invalid username or password.","errorCode":5}],"loginAttempts":1}`)
		return
	}
	_, _ = io.WriteString(w, `{"userName":"cvadmin","token":"QSDK 0123abcd","aliasName":"1","userGUID":"A1B2","loginAttempts":0,`+
		`"remainingLockTime":0,"smtpAddress":"cvadmin@live.example.com","providerType":1,"ccn":0,"capability":4328650366975,`+
		`"forcePasswordChange":false,"isAccountLocked":false,"errList":[]}`)
}

// liveEnv is the environment a user would set to test both APIs live.
func liveEnv(server string) map[string]string {
	return map[string]string{
		target.EnvWebexURL:            server + "/v1",
		target.EnvWebexToken:          liveToken,
		target.EnvWebexTokenNoScope:   liveTokenNoScope,
		target.EnvWebexOrgID:          liveOrg,
		target.EnvRedSkyEmail:         liveEmail,
		target.EnvRedSkyPassword:      livePassword,
		target.EnvCommvaultURL:        server + "/webconsole/api/",
		target.EnvCommvaultUsername:   liveCVUser,
		target.EnvCommvaultPassword:   liveCVPassword,
		target.EnvCommvaultVariant:    string(target.CustomerManaged),
		target.EnvCommvaultCommserver: "",
	}
}

// TestLivePathEndToEnd runs every generated case, configured from the
// environment as a user would, against the independent server: what can
// be provoked safely passes, the rest is skipped with a reason, no Prefer
// is sent, one wrong password at most reaches each account, and the 429
// the server sent is waited out and still judged.
func TestLivePathEndToEnd(t *testing.T) {
	srv := &liveServer{}
	ts := srv.serve(t)
	env := liveEnv(ts.URL)
	cfg, err := target.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	c := testkit.Contract(t)

	var skipped []string
	var webex200 *Outcome
	for _, api := range contract.APIs() {
		tg, err := target.Open(cfg, api)
		if err != nil {
			t.Fatal(err)
		}
		defer tg.Close()
		if !tg.Live() {
			t.Fatalf("%s: the environment names a URL, yet the target is the mock", api)
		}
		tables, err := Tables(c, api)
		if err != nil {
			t.Fatal(err)
		}
		for _, table := range tables {
			for _, cs := range table.Cases {
				o := cs.Run(t.Context(), c, tg)
				switch {
				case o.Skip != "":
					skipped = append(skipped, string(api)+" "+cs.Name)
				case !o.OK():
					t.Errorf("%s", Explain(o))
				}
				if api == contract.Webex && cs.Name == "status 200" {
					webex200 = o
				}
			}
		}
		again := findCase(t, c, api, "wrong password").Run(t.Context(), c, tg)
		if !strings.Contains(again.Skip, target.ErrLiveSafety.Error()) {
			t.Errorf("%s: a second wrong-password login was not refused by the rails (skip %q, err %v)", api, again.Skip, again.Err)
		}
	}

	wantSkipped := []string{
		"commvault Login-CustomerManaged: valid sign-in with every optional field",
		"commvault Login-SaaS: valid sign-in",
		"webex valid sign-in with every optional field",
	}
	for _, code := range []int{201, 202, 204, 409, 410, 423, 428, 500, 502, 503, 504} {
		wantSkipped = append(wantSkipped, fmt.Sprintf("webex status %d", code))
	}
	slices.Sort(skipped)
	slices.Sort(wantSkipped)
	if !slices.Equal(skipped, wantSkipped) {
		t.Errorf("skipped cases:\n got %q\nwant %q", skipped, wantSkipped)
	}

	if got := ts.WrongLogins(); got["webex "+liveEmail] != 1 || got["commvault "+liveCVUser] != 1 {
		t.Errorf("wrong-password logins per account = %v, want exactly one each", got)
	}
	if n := ts.Prefers(); n != 0 {
		t.Errorf("%d requests carried Prefer to the live server", n)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()

	if srv.limitedAt.IsZero() || srv.servedAt.IsZero() {
		t.Fatal("the server never rate-limited the suite, or the suite never came back")
	}
	if waited := srv.servedAt.Sub(srv.limitedAt); waited < time.Second || waited > 10*time.Second {
		t.Errorf("the client came back %s after Retry-After: 1", waited)
	}
	if webex200 == nil || len(webex200.Checked) != 2 || webex200.Checked[0].Exchange.Status != http.StatusTooManyRequests || !webex200.Checked[0].Result.OK() {
		t.Fatalf("the 429 before the 200 was not judged as part of the case")
	}
	if rec := Exchanges(webex200); len(rec) != 2 || rec[0].Status != http.StatusTooManyRequests {
		t.Errorf("the 429 was not recorded for the report: %+v", rec)
	}
}

// TestRetriedServerErrorIsJudgedButForgiven: a live 503 with Retry-After
// is validated and recorded, and the retry that follows decides the case.
func TestRetriedServerErrorIsJudgedButForgiven(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		w.Header().Set("TrackingID", "LIVE_1")
		w.Header().Set("Content-Type", "application/json")
		if first {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"message":"busy","errors":[{"description":"busy"}],"trackingId":"LIVE_1"}`)
			return
		}
		_, _ = io.WriteString(w, `{"accountMatch":true,"externalTenantEnabled":false,"companyId":"0f0e0d0c-0b0a-4999-8888-777766665555"}`)
	}))
	defer ts.Close()
	env := liveEnv(ts.URL)
	cfg, err := target.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	c := testkit.Contract(t)
	o := runCase(t, c, findCase(t, c, contract.Webex, "status 200"), cfg)
	if !o.OK() {
		t.Fatalf("%s", Explain(o))
	}
	if len(o.Checked) != 2 || o.Checked[0].Exchange.Status != http.StatusServiceUnavailable {
		t.Fatalf("the 503 was not judged with the case: %d exchanges", len(o.Checked))
	}
}
