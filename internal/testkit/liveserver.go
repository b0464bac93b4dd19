package testkit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// LiveServer stands in for the real services in tests of the live path. It
// serves a handler of the test's on 127.0.0.1 and watches what a live run
// must never do: send the mock-only Prefer header, or sign in to one
// account with a wrong password more than once.
type LiveServer struct {
	*httptest.Server
	passwords map[string]string // account name -> plain password

	mu       sync.Mutex
	requests int
	prefers  int
	wrong    map[string][]string // "api account" -> what each wrong sign-in sent
}

// NewLiveServer serves h until the test ends. passwords are the plain
// passwords of the accounts h knows, by RedSky email or Commvault user
// name; a sign-in of any other account counts as a wrong password.
func NewLiveServer(tb testing.TB, h http.Handler, passwords map[string]string) *LiveServer {
	s := &LiveServer{passwords: passwords, wrong: map[string][]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		s.note(r, body, sw.status)
	}))
	tb.Cleanup(s.Close)
	return s
}

// note counts one request. A sign-in refused with 429 was refused before
// its password was judged: no failed login; the client's retry may be one.
func (s *LiveServer) note(r *http.Request, body []byte, status int) {
	api, account, password, signIn := readSignIn(body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if r.Header.Get("Prefer") != "" {
		s.prefers++
	}
	if want, known := s.passwords[account]; signIn && (!known || password != want) && status != http.StatusTooManyRequests {
		key := api + " " + account
		s.wrong[key] = append(s.wrong[key], r.Method+" "+r.URL.Path+" "+string(body)+" -> "+strconv.Itoa(status))
	}
}

// readSignIn reads the account and plain password of a sign-in body:
// Webex's email and password, or Commvault's user name and Base64 password.
func readSignIn(body []byte) (api, account, password string, ok bool) {
	var login struct {
		Email, Username string
		Password        any
	}
	if json.Unmarshal(body, &login) != nil || login.Email+login.Username == "" {
		return "", "", "", false
	}
	password, _ = login.Password.(string)
	if login.Username != "" {
		plain, _ := base64.StdEncoding.DecodeString(password)
		return "commvault", login.Username, string(plain), true
	}
	return "webex", login.Email, password, true
}

// Requests counts every request served.
func (s *LiveServer) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Prefers counts the requests that carried Prefer.
func (s *LiveServer) Prefers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prefers
}

// WrongLogins counts the sign-ins with a wrong password, by "api account".
func (s *LiveServer) WrongLogins() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, sent := range s.wrong {
		out[k] = len(sent)
	}
	return out
}

// WrongSent lists what the wrong sign-ins of "api account" sent, for
// messages.
func (s *LiveServer) WrongSent(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.wrong[key]...)
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}
