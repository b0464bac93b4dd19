package target

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/testkit"
)

// preflightAt runs Preflight of api against a server at root (scheme and
// host), with vars changing the live configuration.
func preflightAt(t *testing.T, api contract.API, root string, vars map[string]string, opts ...Option) error {
	t.Helper()
	urls := map[string]string{EnvWebexURL: root + mock.WebexBasePath, EnvCommvaultURL: root + mock.CommvaultBasePath}
	cfg, err := fromMap(mergeVars(mergeVars(liveVars(), urls), vars))
	if err != nil {
		t.Fatal(err)
	}
	return Preflight(t.Context(), testkit.Contract(t), cfg, api, opts...)
}

// wantPreflight holds err to a class, the variables it names and words
// its message says; it must never show a planted secret.
func wantPreflight(t *testing.T, err error, class PreflightClass, vars []string, words ...string) {
	t.Helper()
	var pe *PreflightError
	if !errors.As(err, &pe) {
		t.Fatalf("want a %s PreflightError, got %v", class, err)
	}
	if pe.Class != class || !slices.Equal(pe.Variables, vars) {
		t.Errorf("class %s naming %q, want %s naming %q: %v", pe.Class, pe.Variables, class, vars, pe)
	}
	t.Log(pe)
	for _, w := range append(words, vars...) {
		if !strings.Contains(pe.Error(), w) {
			t.Errorf("the message does not say %q: %v", w, pe)
		}
	}
	for _, secret := range []string{plantedToken, plantedPassword} {
		if strings.Contains(pe.Error(), secret) {
			t.Errorf("the message shows a secret: %v", pe)
		}
	}
}

// answering serves every request with status, headers and a JSON body.
func answering(status int, body string, header ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
}

func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPreflightFindsNoAnswerUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	wantPreflight(t, preflightAt(t, contract.Webex, closed, nil), Unreachable, []string{EnvWebexURL}, "connection refused", closed)

	plain := serve(t, answering(200, `{}`))
	wantPreflight(t, preflightAt(t, contract.Webex, strings.Replace(plain, "http://", "https://", 1), nil), Unreachable, []string{EnvWebexURL}, "plain HTTP, not TLS")

	tlsSrv := httptest.NewTLSServer(answering(200, `{}`))
	defer tlsSrv.Close()
	wantPreflight(t, preflightAt(t, contract.Commvault, tlsSrv.URL, nil), Unreachable, []string{EnvCommvaultURL, EnvInsecureTLS}, "not trusted")

	hang := make(chan struct{})
	defer close(hang)
	hung := serve(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	wantPreflight(t, preflightAt(t, contract.Webex, hung, nil, WithTimeout(100*time.Millisecond)), Unreachable, []string{EnvWebexURL, EnvAttemptTimeout}, "within 100ms")

	dropped := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	wantPreflight(t, preflightAt(t, contract.Webex, dropped, nil), Unreachable, []string{EnvWebexURL}, "without an answer")

	garbled := serve(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		defer conn.Close()
		_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=\x01;;;=\r\nContent-Length: 2\r\n\r\n{}"))
	}))
	wantPreflight(t, preflightAt(t, contract.Webex, garbled, nil), Unreachable, []string{EnvWebexURL}, "no usable HTTP answer", "malformed MIME header")

	err = preflightAt(t, contract.Webex, "http://no-such-host.invalid", nil)
	wantPreflight(t, err, Unreachable, []string{EnvWebexURL}, "no-such-host.invalid")
}

func TestPreflightFindsMisconfiguration(t *testing.T) {
	for name, tt := range map[string]struct {
		api     contract.API
		handler http.Handler
		vars    []string
		words   []string
	}{
		"token refused":                      {contract.Webex, answering(401, `{"message":"The access token `+plantedToken+` is invalid."}`), []string{EnvWebexToken}, []string{"401 Unauthorized", "The access token [REDACTED] is invalid"}},
		"token lacks scope":                  {contract.Webex, answering(403, `{"message":"no scope"}`), []string{EnvWebexToken}, []string{"403 Forbidden", "spark-admin:telephony_config_write"}},
		"RedSky account refused":             {contract.Webex, answering(400, `{"message":"The email or password is wrong."}`), []string{EnvRedSkyEmail, EnvRedSkyPassword}, []string{"admin@example.com", "The email or password is wrong."}},
		"Commvault account refused":          {contract.Commvault, answering(200, `{"errList":[{"errLogMessage":"Invalid username or password","errorCode":5}]}`), []string{EnvCommvaultUsername, EnvCommvaultPassword}, []string{"Invalid username or password"}},
		"Commvault account refused with 401": {contract.Commvault, answering(401, `{}`), []string{EnvCommvaultUsername, EnvCommvaultPassword}, []string{"401 Unauthorized"}},
		"redirect":                           {contract.Webex, answering(302, ``, "Location", "https://login.example.net/v1/sso"), []string{EnvWebexURL}, []string{"302", "https://login.example.net/v1/sso", "follows no redirect"}},
		"relative redirect":                  {contract.Commvault, answering(301, ``, "Location", "/webconsole/api/Login"), []string{EnvCommvaultURL}, []string{"301", "/webconsole/api/Login"}},
		"no login there":                     {contract.Commvault, answering(404, `not found`), []string{EnvCommvaultURL}, []string{"404 Not Found", "at POST http://127.0.0.1:", "/commandcenter/api/Login"}},
		"https only":                         {contract.Webex, answering(400, "Client sent an HTTP request to an HTTPS server.\n"), []string{EnvWebexURL}, []string{"https only", "https://"}},
	} {
		t.Run(name, func(t *testing.T) {
			wantPreflight(t, preflightAt(t, tt.api, serve(t, tt.handler), nil), Misconfigured, tt.vars, tt.words...)
		})
	}
}

func TestPreflightRefusesABasePathTheSpecCannotHaveBeforeAnyRequest(t *testing.T) {
	srv := &recorder{}
	root := serve(t, srv)
	for api, url := range map[contract.API]string{contract.Webex: root, contract.Commvault: root + "/api"} {
		vars := map[string]string{EnvWebexURL: url, EnvCommvaultURL: url}
		cfg, err := fromMap(mergeVars(liveVars(), vars))
		if err != nil {
			t.Fatal(err)
		}
		err = Preflight(t.Context(), testkit.Contract(t), cfg, api)
		wantPreflight(t, err, Misconfigured, []string{map[contract.API]string{contract.Webex: EnvWebexURL, contract.Commvault: EnvCommvaultURL}[api]}, "cannot be the documented base", url)
	}
	if srv.count() != 0 {
		t.Errorf("%d requests sent for a URL that cannot be the base", srv.count())
	}
}

func TestPreflightStopsOnALongWaitOnly(t *testing.T) {
	err := preflightAt(t, contract.Webex, serve(t, answering(429, `{"message":"later"}`, "Retry-After", "86400")), nil)
	wantPreflight(t, err, Unusable, []string{EnvWebexURL}, "24h0m0s", "Retry-After: 86400", "1m0s")
	err = preflightAt(t, contract.Webex, serve(t, answering(423, `{"message":"locked"}`, "Retry-After", "300")), nil)
	wantPreflight(t, err, Unusable, []string{EnvRedSkyEmail, EnvRedSkyPassword}, "locked", "asks to wait 5m0s (Retry-After: 300)")
	err = preflightAt(t, contract.Commvault, serve(t, answering(423, `{}`)), nil)
	wantPreflight(t, err, Unusable, []string{EnvCommvaultUsername, EnvCommvaultPassword}, "locked")
	if strings.Contains(err.Error(), "wait") {
		t.Errorf("a 423 without Retry-After names a wait: %v", err)
	}

	// A short Retry-After is waited out, then the answer is the suites'.
	s := &sleeps{}
	rec := &recorder{answer: func(n int, w http.ResponseWriter) {
		if n == 0 {
			answering(429, `{}`, "Retry-After", "2").ServeHTTP(w, nil)
			return
		}
		w.WriteHeader(http.StatusOK)
	}}
	if err := preflightAt(t, contract.Webex, serve(t, rec), nil, WithSleep(s.sleep)); err != nil || rec.count() != 2 {
		t.Errorf("a 429 with Retry-After: 2, then 200: %v after %d requests", err, rec.count())
	}
}

// TestPreflightCallsA502To504AnOutage: a server or gateway that cannot
// serve now is an outage, named with its code and any Retry-After, after
// the retries a Retry-After allows; a 500 is left to the suites.
func TestPreflightCallsA502To504AnOutage(t *testing.T) {
	for _, status := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		rec := &recorder{answer: func(_ int, w http.ResponseWriter) { answering(status, `{}`).ServeHTTP(w, nil) }}
		err := preflightAt(t, contract.Webex, serve(t, rec), nil)
		wantPreflight(t, err, Unusable, []string{EnvWebexURL}, strconv.Itoa(status)+" "+http.StatusText(status), "an outage")
		if strings.Contains(err.Error(), "Retry-After") || rec.count() != 1 {
			t.Errorf("%d without Retry-After: %d requests, %v", status, rec.count(), err)
		}
	}
	s := &sleeps{}
	rec := &recorder{answer: func(_ int, w http.ResponseWriter) {
		answering(503, `{"message":"down for maintenance"}`, "Retry-After", "7").ServeHTTP(w, nil)
	}}
	err := preflightAt(t, contract.Commvault, serve(t, rec), nil, WithSleep(s.sleep))
	wantPreflight(t, err, Unusable, []string{EnvCommvaultURL}, "503 Service Unavailable", "asks to wait 7s (Retry-After: 7)", "an outage")
	if rec.count() != 1+LiveRetryPolicy.MaxRetries {
		t.Errorf("%d requests: a 503 with a short Retry-After is retried as the policy allows", rec.count())
	}
}

// TestPreflightLeavesTheContractToTheSuites: an answer that breaks the
// contract, or a server error, is no reason to stop the run.
func TestPreflightLeavesTheContractToTheSuites(t *testing.T) {
	for name, h := range map[string]http.Handler{
		"server error":       answering(500, `<html>oops</html>`),
		"undocumented":       answering(418, `{}`),
		"429 without a wait": answering(429, `{}`),
		"not JSON":           answering(200, `<html>`),
	} {
		if err := preflightAt(t, contract.Webex, serve(t, h), nil, WithSleep((&sleeps{}).sleep)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	large := serve(t, answering(200, `{"padding":"`+strings.Repeat("x", 100)+`"}`))
	if err := preflightAt(t, contract.Webex, large, nil, WithMaxBodyBytes(10)); err != nil {
		t.Errorf("a body too large: %v", err)
	}
}

// TestPreflightSignsInOnceWithTheConfiguredAccount: against the mock's
// handler, Webex and Commvault pass with one valid sign-in each and never
// a wrong password; an API on the mock sends nothing.
func TestPreflightSignsInOnceWithTheConfiguredAccount(t *testing.T) {
	srv := testkit.NewLiveServer(t, mock.New(mock.DefaultConfig()), map[string]string{
		mock.DemoRedSkyEmail: mock.DemoRedSkyPassword, mock.DemoCommvaultUser: mock.DemoCommvaultPassword,
	})
	vars := map[string]string{
		EnvWebexToken: mock.DemoWebexToken, EnvRedSkyEmail: mock.DemoRedSkyEmail, EnvRedSkyPassword: mock.DemoRedSkyPassword,
		EnvCommvaultUsername: mock.DemoCommvaultUser, EnvCommvaultPassword: mock.DemoCommvaultPassword,
	}
	for _, api := range contract.APIs() {
		if err := preflightAt(t, api, srv.URL, vars); err != nil {
			t.Errorf("%s: %v", api, err)
		}
	}
	if srv.Requests() != 2 || len(srv.WrongLogins()) != 0 || srv.Prefers() != 0 {
		t.Errorf("%d requests, wrong-password sign-ins %v, %d Prefer: want 2 valid sign-ins", srv.Requests(), srv.WrongLogins(), srv.Prefers())
	}
	mockCfg, err := fromMap(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := Preflight(t.Context(), testkit.Contract(t), mockCfg, contract.Webex); err != nil {
		t.Errorf("an API on the mock: %v", err)
	}
}

func mergeVars(base, more map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, more)
	return out
}

// TestPreflightReadsAnEarlyCloseOneWay: a server that closes a connection
// before the request is written shows as EOF, a reset or net/http's
// "server closed idle connection", by timing alone: each reads as the
// same outage.
func TestPreflightReadsAnEarlyCloseOneWay(t *testing.T) {
	cfg, err := fromMap(mergeVars(liveVars(), map[string]string{EnvWebexURL: "http://127.0.0.1:9" + mock.WebexBasePath}))
	if err != nil {
		t.Fatal(err)
	}
	p := &preflight{api: contract.Webex, cfg: cfg}
	for _, cause := range []error{io.EOF, syscall.ECONNRESET, errors.New(serverClosedIdle)} {
		err := fmt.Errorf("%w: Post %q: %w", ErrNoAnswer, cfg.URL(contract.Webex), cause)
		wantPreflight(t, p.noAnswer(err), Unreachable, []string{EnvWebexURL}, "closed the connection without an answer")
	}
}
