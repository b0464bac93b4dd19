package target

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

// recorder is a live server stand-in that answers from a script and
// counts what reaches it.
type recorder struct {
	mu      sync.Mutex
	bodies  []string
	prefers int
	answer  func(n int, w http.ResponseWriter) // n counts requests from 0
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.bodies)
	r.bodies = append(r.bodies, string(body))
	if req.Header.Get("Prefer") != "" {
		r.prefers++
	}
	r.mu.Unlock()
	if r.answer == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	r.answer(n, w)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// sleeps records the client's waits instead of waiting.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

// openLiveAt opens a live target for api whose both base URLs are url.
func openLiveAt(t *testing.T, api contract.API, url string, opts ...Option) *Target {
	t.Helper()
	vars := liveVars()
	vars[EnvWebexURL], vars[EnvCommvaultURL] = url, url
	return openLiveWith(t, api, vars, opts...)
}

// openLiveWith opens a live target for api configured by vars, closed when the
// test ends.
func openLiveWith(t *testing.T, api contract.API, vars map[string]string, opts ...Option) *Target {
	t.Helper()
	cfg, err := fromMap(vars)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := Open(cfg, api, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tg.Close)
	return tg
}

func login(user, password string) Request {
	return Request{Path: "/Login", Body: []byte(`{"username":"` + user + `","password":"` + base64.StdEncoding.EncodeToString([]byte(password)) + `"}`)}
}

func TestLiveRailsAllowOneWrongPasswordPerAccount(t *testing.T) {
	srv := &recorder{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tg := openLiveAt(t, contract.Commvault, ts.URL)
	ctx := t.Context()

	for range 3 {
		if _, err := tg.Do(ctx, login("admin", plantedPassword)); err != nil {
			t.Fatalf("a correct login was refused: %v", err)
		}
	}
	if _, err := tg.Do(ctx, login("admin", "wrong")); err != nil {
		t.Fatalf("the first wrong password was refused: %v", err)
	}
	for _, req := range []Request{
		login("admin", "wrong again"),
		{Path: "/Login", Body: []byte(`{"username":"admin","password":"not base64!"}`)},
		{Path: "/Login", Body: []byte(`{"username":"admin"}`)},
	} {
		_, err := tg.Do(ctx, req)
		if !errors.Is(err, ErrLiveSafety) {
			t.Errorf("a second wrong-password login got %v, want ErrLiveSafety", err)
		}
		if err != nil && strings.Contains(err.Error(), plantedPassword) {
			t.Errorf("the refusal shows the password: %v", err)
		}
	}
	if _, err := tg.Do(ctx, login("someone-else", "x")); err != nil {
		t.Errorf("another account's first wrong password was refused: %v", err)
	}
	// A second target on the same server shares the run's budget.
	other := openLiveAt(t, contract.Commvault, ts.URL)
	if _, err := other.Do(ctx, login("admin", "wrong")); !errors.Is(err, ErrLiveSafety) {
		t.Errorf("a second target reset the budget: %v", err)
	}
	if got := srv.count(); got != 5 {
		t.Errorf("the server saw %d requests, want 5 (3 good, 1 wrong, 1 other account)", got)
	}
}

func TestLiveRailsNeverSendPrefer(t *testing.T) {
	srv := &recorder{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tg := openLiveAt(t, contract.Webex, ts.URL)
	for _, name := range []string{"Prefer", "prefer", "PREFER"} {
		req := Request{Path: "/x", Header: http.Header{name: {"code=500"}}}
		if _, err := tg.Do(t.Context(), req); !errors.Is(err, ErrLiveSafety) {
			t.Errorf("header %q: got %v, want ErrLiveSafety", name, err)
		}
	}
	if srv.count() != 0 {
		t.Errorf("%d requests reached the server", srv.count())
	}
}

func TestMockTargetTakesPrefer(t *testing.T) {
	tg, err := Open(Config{}, contract.Webex)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	req := Request{Path: "/telephony/config/redSky/actions/login/invoke", Header: http.Header{"Prefer": {"code=503"}}}
	attempts, err := tg.Do(t.Context(), req)
	if err != nil || len(attempts) != 1 || attempts[0].Exchange.Status != http.StatusServiceUnavailable {
		t.Fatalf("Prefer on the mock: %v, %+v", err, attempts)
	}
}

func TestLiveClientObeysRetryAfterWithinBounds(t *testing.T) {
	limited := func(retryAfter string, status int) func(int, http.ResponseWriter) {
		return func(_ int, w http.ResponseWriter) {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
		}
	}
	thenOK := func(first func(int, http.ResponseWriter)) func(int, http.ResponseWriter) {
		return func(n int, w http.ResponseWriter) {
			if n == 0 {
				first(n, w)
				return
			}
			w.WriteHeader(http.StatusOK)
		}
	}
	policy := RetryPolicy{MaxRetries: 3, MaxWait: time.Minute, MaxTotal: 90 * time.Second, DefaultWait: 5 * time.Second, DefaultJitter: 10 * time.Second}
	tests := map[string]struct {
		answer    func(int, http.ResponseWriter)
		statuses  []int
		waitsFrom time.Duration
		waitsTo   time.Duration
	}{
		"429 with seconds":           {thenOK(limited("7", 429)), []int{429, 200}, 7 * time.Second, 7 * time.Second},
		"429 with an HTTP-date":      {thenOK(limited(time.Now().Add(20*time.Second).UTC().Format(http.TimeFormat), 429)), []int{429, 200}, 18 * time.Second, 20 * time.Second},
		"429 without Retry-After":    {thenOK(limited("", 429)), []int{429, 200}, 5 * time.Second, 15 * time.Second},
		"429 with garbage":           {thenOK(limited("soon", 429)), []int{429, 200}, 5 * time.Second, 15 * time.Second},
		"503 with Retry-After":       {thenOK(limited("2", 503)), []int{503, 200}, 2 * time.Second, 2 * time.Second},
		"503 without Retry-After":    {thenOK(limited("", 503)), []int{503}, 0, 0},
		"Retry-After beyond MaxWait": {thenOK(limited("3600", 429)), []int{429}, 0, 0},
		"always 429, bounded count":  {limited("1", 429), []int{429, 429, 429, 429}, time.Second, time.Second},
		"always 429, bounded total":  {limited("40", 429), []int{429, 429, 429}, 40 * time.Second, 40 * time.Second},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			ts := httptest.NewServer(&recorder{answer: tt.answer})
			defer ts.Close()
			s := &sleeps{}
			tg := openLiveAt(t, contract.Webex, ts.URL, WithRetryPolicy(policy), WithSleep(s.sleep))
			attempts, err := tg.Do(t.Context(), Request{Path: "/x"})
			if err != nil {
				t.Fatal(err)
			}
			var statuses []int
			for _, a := range attempts {
				statuses = append(statuses, a.Exchange.Status)
			}
			if !slices.Equal(statuses, tt.statuses) {
				t.Errorf("statuses %v, want %v: every answer, the 429s included, is returned", statuses, tt.statuses)
			}
			if len(s.waits) != len(tt.statuses)-1 {
				t.Fatalf("waited %v", s.waits)
			}
			for i, w := range s.waits {
				if w < tt.waitsFrom || w > tt.waitsTo {
					t.Errorf("wait %s outside [%s, %s]", w, tt.waitsFrom, tt.waitsTo)
				}
				if attempts[i+1].Waited != w {
					t.Errorf("attempt %d says it waited %s, the client waited %s", i+1, attempts[i+1].Waited, w)
				}
			}
		})
	}
}

// TestLiveClientBoundsTheRunsWaits: against a server that answers every
// request with 429 and a long Retry-After, the waits of the whole run stop
// at MaxRunWait; later 429s are returned at once, to be judged as they are.
func TestLiveClientBoundsTheRunsWaits(t *testing.T) {
	ts := httptest.NewServer(&recorder{answer: func(_ int, w http.ResponseWriter) {
		w.Header().Set("Retry-After", "50")
		w.WriteHeader(http.StatusTooManyRequests)
	}})
	defer ts.Close()
	s := &sleeps{}
	policy := RetryPolicy{MaxRetries: 3, MaxWait: time.Minute, MaxTotal: 2 * time.Minute, MaxRunWait: 3 * time.Minute}
	tg := openLiveAt(t, contract.Webex, ts.URL, WithRetryPolicy(policy), WithSleep(s.sleep))
	var tries []int
	for range 4 {
		attempts, err := tg.Do(t.Context(), Request{Path: "/x"})
		if err != nil {
			t.Fatal(err)
		}
		tries = append(tries, len(attempts))
	}
	var total time.Duration
	for _, w := range s.waits {
		total += w
	}
	// 50 s waits: two per request fit MaxTotal, three the run's budget.
	if !slices.Equal(tries, []int{3, 2, 1, 1}) || total != 150*time.Second {
		t.Errorf("attempts per request %v, waited %s in all: want [3 2 1 1] and 2m30s (MaxRunWait 3m)", tries, total)
	}
	if LiveRetryPolicy.MaxRunWait <= 0 || LiveRetryPolicy.MaxRunWait > 10*time.Minute {
		t.Errorf("LiveRetryPolicy.MaxRunWait = %s: a run against an always-429 server must end in minutes", LiveRetryPolicy.MaxRunWait)
	}
}

// TestLiveClientFailsClearlyAndInTime covers a server that is down, silent,
// flooding or redirecting: each gives an error naming the URL, in time.
func TestLiveClientFailsClearlyAndInTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()

	block := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	defer silent.Close()
	defer close(block) // before Close, which waits for the handler
	flood := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(make([]byte, 2048))
	}))
	defer flood.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/", http.StatusFound)
	}))
	defer redirect.Close()

	tests := map[string]struct {
		url  string
		want string
		is   error
	}{
		"down":   {down, "no answer", nil},
		"silent": {silent.URL, "no answer", nil},
		"flood":  {flood.URL, "exceeds the limit", ErrBodyTooLarge},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			tg := openLiveAt(t, contract.Webex, tt.url, WithTimeout(300*time.Millisecond), WithMaxBodyBytes(1024))
			start := time.Now()
			_, err := tg.Do(t.Context(), Request{Path: "/x"})
			if err == nil {
				t.Fatal("no error")
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("took %s", took)
			}
			if !strings.Contains(err.Error(), tt.url) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name the URL and say %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
	t.Run("redirect", func(t *testing.T) {
		tg := openLiveAt(t, contract.Webex, redirect.URL)
		attempts, err := tg.Do(t.Context(), Request{Path: "/x"})
		if err != nil || len(attempts) != 1 || attempts[0].Exchange.Status != http.StatusFound {
			t.Errorf("a redirect was followed or lost: %v %+v", err, attempts)
		}
	})
}

// TestAttemptTimeoutBoundsALiveClient shows HARNESS_ATTEMPT_TIMEOUT, read
// into Config.AttemptTimeout, bounds each attempt of a live target opened
// without WithTimeout: a server that sends its headers and then hangs ends
// within it.
func TestAttemptTimeoutBoundsALiveClient(t *testing.T) {
	block := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-block
	}))
	defer hang.Close()
	defer close(block)
	vars := liveVars()
	vars[EnvWebexURL], vars[EnvAttemptTimeout] = hang.URL, "300ms"
	tg := openLiveWith(t, contract.Webex, vars)
	start := time.Now()
	_, err := tg.Do(t.Context(), Request{Path: "/x"})
	if err == nil || !strings.Contains(err.Error(), hang.URL) {
		t.Fatalf("error %v does not name %s", err, hang.URL)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s with a 300ms attempt timeout", took)
	}
}

func TestMockTargetResetForgetsLocksWithoutSleeping(t *testing.T) {
	tg, err := Open(Config{}, contract.Webex, WithMockOptions(mock.WithLockout(2, time.Hour, time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	a := tg.Accounts[0]
	wrong := Request{
		Path:   "/telephony/config/redSky/actions/login/invoke",
		Header: http.Header{"Authorization": {"Bearer " + a.Token}, "Content-Type": {"application/json"}},
		Body:   []byte(`{"email":"` + a.User + `","password":"wrong"}`),
	}
	status := func() int {
		attempts, err := tg.Do(t.Context(), wrong)
		if err != nil {
			t.Fatal(err)
		}
		return attempts[0].Exchange.Status
	}
	for range 2 {
		status()
	}
	if got := status(); got != http.StatusLocked {
		t.Fatalf("after 2 failures: %d, want 423", got)
	}
	tg.Reset()
	if got := status(); got == http.StatusLocked {
		t.Errorf("Reset left the account locked")
	}
}

func TestLiveTLSIsVerifiedUnlessTheUserOptsOut(t *testing.T) {
	ts := httptest.NewTLSServer(&recorder{})
	defer ts.Close()
	for _, insecure := range []string{"", "1"} {
		vars := liveVars()
		vars[EnvWebexURL], vars[EnvInsecureTLS] = ts.URL, insecure
		tg := openLiveWith(t, contract.Webex, vars)
		_, err := tg.Do(t.Context(), Request{Path: "/x"})
		if verified := insecure == ""; verified != (err != nil) {
			t.Errorf("%s=%q: error %v", EnvInsecureTLS, insecure, err)
		}
	}
}
