package advisory

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
	"loginharness/internal/target"
	"loginharness/internal/testkit"
)

const (
	victim         = "victim"
	victimPassword = "victim-password-7f3e"
	lockFor        = 3 * time.Second // how long the lock lasts, unless lockServer.lock says: long beside a busy machine's request times
)

// lockServer is a Commvault or Webex login that locks the victim after 3
// failures, correct or broken in the ways its knobs say.
type lockServer struct {
	noAttempts     bool // never sends loginAttempts (the spec makes it optional)
	stuckAttempts  bool // loginAttempts stays 1
	claimAtLimit   bool // says isAccountLocked on the failure that locks
	silentLock     bool // never says isAccountLocked
	falseClaim     bool // says isAccountLocked, yet takes the right password
	understate     bool // remainingLockTime is a third of the real wait
	noRetryAfter   bool // Webex 423 without Retry-After
	dateRetryAfter bool // Webex 423's Retry-After as an HTTP-date
	lock           time.Duration

	mu          sync.Mutex
	failures    int
	lockedUntil time.Time
}

func (s *lockServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Email, Password string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	password := in.Password
	if in.Username != "" {
		plain, _ := base64.StdEncoding.DecodeString(in.Password)
		password = string(plain)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	locked := now.Before(s.lockedUntil)
	right := password == victimPassword && (in.Username == victim || in.Email == victim+"@example.com")
	switch {
	case locked && !(right && s.falseClaim):
	case right:
		s.failures = 0
	default:
		s.failures++
		if s.failures == 3 {
			s.lockedUntil = now.Add(cmp.Or(s.lock, lockFor))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("TrackingID", "T")
	if in.Email != "" {
		s.webex(w, locked, right)
		return
	}
	s.commvault(w, locked, right, now)
}

func (s *lockServer) webex(w http.ResponseWriter, locked, right bool) {
	switch {
	case locked:
		switch {
		case s.dateRetryAfter:
			w.Header().Set("Retry-After", s.lockedUntil.Add(time.Second).UTC().Format(http.TimeFormat))
		case !s.noRetryAfter:
			w.Header().Set("Retry-After", strconv.Itoa(int(ratelimit.CeilSeconds(time.Until(s.lockedUntil))/time.Second)))
		}
		w.WriteHeader(http.StatusLocked)
		fmt.Fprint(w, `{"message":"locked","errors":[{"description":"locked"}],"trackingId":"T"}`)
	case right:
		fmt.Fprint(w, `{"accountMatch":true,"externalTenantEnabled":false,"companyId":"5b3e6a0c-1f2d-4c8e-9a7b-3d2f1e0c9b8a"}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"message":"wrong","errors":[{"description":"wrong"}],"trackingId":"T"}`)
	}
}

func (s *lockServer) commvault(w http.ResponseWriter, locked, right bool, now time.Time) {
	if right && (!locked || s.falseClaim) {
		fmt.Fprint(w, `{"token":"QSDK 0123","userName":"victim","errList":[]}`)
		return
	}
	fields := map[string]any{"errList": []map[string]any{{"errLogMessage": "refused", "errorCode": 5}}}
	if !s.noAttempts {
		fields["loginAttempts"] = s.failures
		if s.stuckAttempts {
			fields["loginAttempts"] = 1
		}
	}
	if (locked || s.claimAtLimit && s.failures >= 3 || s.falseClaim && s.failures >= 3) && !s.silentLock {
		fields["isAccountLocked"] = true
		remaining := s.lockedUntil.Sub(now)
		if s.understate {
			remaining /= 3
		}
		fields["remainingLockTime"] = max(int(remaining.Round(time.Second)/time.Second), 1)
	}
	_ = json.NewEncoder(w).Encode(fields)
}

// lockSession opens a live session of api on srv with the victim as the
// sacrificial account and a cap of 5.
func lockSession(t *testing.T, api contract.API, srv http.Handler) *Session {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	env := map[string]string{
		target.EnvWebexURL: ts.URL + "/v1", target.EnvWebexToken: "token-1", target.EnvRedSkyEmail: "main@example.com", target.EnvRedSkyPassword: "main-pass-1",
		target.EnvRedSkySacrificialEmail: victim + "@example.com", target.EnvRedSkySacrificialPassword: victimPassword,
		target.EnvCommvaultURL: ts.URL + "/commandcenter/api", target.EnvCommvaultUsername: "main", target.EnvCommvaultPassword: "main-pass-1",
		target.EnvCommvaultVariant: "customer-managed", target.EnvCommvaultSacrificialUsername: victim, target.EnvCommvaultSacrificialPassword: victimPassword,
		target.EnvSacrificialMaxWrong: "5",
	}
	get := func(k string) string { return env[k] }
	cfg, err := target.FromEnv(get)
	if err != nil {
		t.Fatal(err)
	}
	adv, err := target.AdvisoryFromEnv(get, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(testkit.Contract(t), cfg, adv, api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestCommvaultLockoutFieldsBothWays: servers that keep the fields in
// different ways pass; each way of lying fails, naming the field.
func TestCommvaultLockoutFieldsBothWays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		server  *lockServer
		pointer string // the finding wanted; "" passes
		note    string // a note wanted on a pass
	}{
		{"faithful", &lockServer{}, "", ""},
		{"says locked on the failure that locks", &lockServer{claimAtLimit: true}, "", ""},
		{"no loginAttempts", &lockServer{noAttempts: true}, "", "loginAttempts"},
		{"loginAttempts stuck", &lockServer{stuckAttempts: true}, "/loginAttempts", ""},
		{"locks without saying so", &lockServer{silentLock: true}, "/isAccountLocked", ""},
		{"says locked, takes the right password", &lockServer{falseClaim: true}, "/isAccountLocked", ""},
		{"remainingLockTime understated", &lockServer{understate: true, lock: 9 * time.Second}, "/remainingLockTime", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := lockSession(t, contract.Commvault, tt.server)
			l, err := s.DriveToLock(t.Context())
			if err != nil || l.Skip != "" {
				t.Fatalf("drive: %v %s", err, l.Skip)
			}
			v, err := s.CommvaultLockoutFields(t.Context(), l)
			if err != nil {
				t.Fatal(err)
			}
			var pointers []string
			for _, f := range v.Findings() {
				pointers = append(pointers, f.Pointer)
				if f.Check == CheckLockoutFields && strings.Contains(f.Message+f.Actual, victimPassword) {
					t.Errorf("a finding carries the password: %+v", f)
				}
			}
			switch {
			case v.Skip != "":
				t.Errorf("skipped: %s", v.Skip)
			case tt.pointer == "" && len(pointers) > 0:
				t.Errorf("findings %v on a server that keeps the fields", v.Findings())
			case tt.pointer != "" && !slices.Contains(pointers, tt.pointer):
				t.Errorf("findings at %v, want one at %s", pointers, tt.pointer)
			case tt.note != "" && !strings.Contains(strings.Join(v.Notes, " "), tt.note):
				t.Errorf("notes %v do not say %s was not judged", v.Notes, tt.note)
			}
			if s.Spent() > 5 {
				t.Errorf("spent %d wrong passwords, cap 5", s.Spent())
			}
		})
	}
}

// TestWebexLockWaitBothWays: an honest Retry-After, in seconds or as an
// HTTP-date, is waited out and the account opens; a 423 without one is
// judged, and the wait is not guessed.
func TestWebexLockWaitBothWays(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		server *lockServer
		skip   string
	}{
		{"delay-seconds", &lockServer{}, ""},
		{"HTTP-date", &lockServer{dateRetryAfter: true}, ""},
		{"no Retry-After", &lockServer{noRetryAfter: true}, "does not guess"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := lockSession(t, contract.Webex, tt.server)
			l, err := s.DriveToLock(t.Context())
			if err != nil || l.LockedAfter != 4 {
				t.Fatalf("drive: %v, locked after %d, want 4", err, l.LockedAfter)
			}
			if v := s.WebexLocked(l); v.Skip != "" || len(v.Findings()) > 0 {
				t.Errorf("the 423: %s %v", v.Skip, v.Findings())
			}
			v, err := s.WebexOpensAfterRetryAfter(t.Context(), l)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(v.Skip, tt.skip) || tt.skip == "" && (v.Skip != "" || len(v.Findings()) > 0) {
				t.Errorf("after the wait: skip %q, findings %v; want skip %q", v.Skip, v.Findings(), tt.skip)
			}
		})
	}
}
