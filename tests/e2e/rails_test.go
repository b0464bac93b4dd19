package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLiveLoadNeedsOptInAndCap: with a live Webex, `harness run` refuses
// to load it without HARNESS_ALLOW_LIVE_LOAD=1 and the rate variables,
// exit 2, before sending a single request.
func TestLiveLoadNeedsOptInAndCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		set  map[string]string
		want []string
	}{
		{"no opt-in", nil, []string{"live load refused", "HARNESS_ALLOW_LIVE_LOAD", "HARNESS_LIVE_MAX_RATE", "--skip-load"}},
		{"opt-in 0", map[string]string{"HARNESS_ALLOW_LIVE_LOAD": "0", "HARNESS_LIVE_MAX_RATE": "10", "HARNESS_EXPECTED_LIMIT": "10"}, []string{"live load refused"}},
		{"opt-in without a cap", map[string]string{"HARNESS_ALLOW_LIVE_LOAD": "1", "HARNESS_EXPECTED_LIMIT": "10"}, []string{"HARNESS_LIVE_MAX_RATE is required"}},
		{"opt-in with a zero cap", map[string]string{"HARNESS_ALLOW_LIVE_LOAD": "1", "HARNESS_LIVE_MAX_RATE": "0", "HARNESS_EXPECTED_LIMIT": "10"}, []string{"HARNESS_LIVE_MAX_RATE", "above 0"}},
		{"opt-in with an infinite cap", map[string]string{"HARNESS_ALLOW_LIVE_LOAD": "1", "HARNESS_LIVE_MAX_RATE": "Inf", "HARNESS_EXPECTED_LIMIT": "10"}, []string{"HARNESS_LIVE_MAX_RATE"}},
		{"opt-in with a bad expected limit", map[string]string{"HARNESS_ALLOW_LIVE_LOAD": "1", "HARNESS_LIVE_MAX_RATE": "10", "HARNESS_EXPECTED_LIMIT": "fast"}, []string{"HARNESS_EXPECTED_LIMIT"}},
		{"flag opt-in without a cap", map[string]string{"args": "--allow-live-load=1 --expected-limit=10"}, []string{"HARNESS_LIVE_MAX_RATE is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			requests := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				mu.Lock()
				requests++
				mu.Unlock()
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()
			env := with(webexLive(srv.URL + "/v1"))
			args := []string{"run", "--only", "webex", "--out", t.TempDir()}
			for k, v := range tt.set {
				if k == "args" {
					args = append(args, strings.Fields(v)...)
					continue
				}
				env[k] = v
			}
			o := harness(t, invocation{args: args, env: env, hangGuard: time.Minute})
			if o.code != 2 {
				t.Errorf("exit %d, want 2\n%s", o.code, tail(o.output()))
			}
			for _, w := range tt.want {
				if !strings.Contains(o.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, o.stderr)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if requests != 0 {
				t.Errorf("%d requests reached the live server before the refusal", requests)
			}
		})
	}
}

// TestLiveConformanceSendsOneWrongPasswordPerAccount runs the live
// conformance suite against a server that counts, per account, the
// sign-ins with a wrong password: at most one each, and no Prefer header.
func TestLiveConformanceSendsOneWrongPasswordPerAccount(t *testing.T) {
	t.Parallel()
	srv := newAccountServer(t)
	o := harness(t, invocation{args: []string{"run", "--skip-load", "--out", t.TempDir()}, env: liveEnv(srv.URL, srv.URL), hangGuard: 3 * time.Minute})
	if o.code != 0 {
		t.Errorf("exit %d, want 0\n%s", o.code, tail(o.output()))
	}
	wrong := srv.WrongLogins()
	t.Logf("%d requests; wrong-password sign-ins by account: %v; Prefer headers: %d", srv.Requests(), wrong, srv.Prefers())
	total := 0
	for account, n := range wrong {
		total += n
		if n > 1 {
			t.Errorf("account %s got %d wrong-password sign-ins in one run, want at most 1: %q", account, n, srv.WrongSent(account))
		}
	}
	if total == 0 {
		t.Error("no wrong-password sign-in was counted: the suite's one allowed try is missing, or the count is broken")
	}
	if n := srv.Prefers(); n != 0 {
		t.Errorf("%d requests carried Prefer to a live server", n)
	}
}
