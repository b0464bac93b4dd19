package limitertest

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// RetryAfterForm is how a server writes Retry-After on its refusals.
type RetryAfterForm string

// The forms: the two RFC 9110 allows, and two that break the spec.
const (
	DelaySeconds RetryAfterForm = "delay-seconds" // whole seconds, rounded up
	HTTPDate     RetryAfterForm = "http-date"     // IMF-fixdate, rounded up to the next second
	NoRetryAfter RetryAfterForm = "none"          // the field is left out
	Unparsable   RetryAfterForm = "unparsable"    // words instead of a value
)

// Server is a Webex login limited by one Limiter. It answers every POST
// with 200 and a RedSky result while the limiter admits, and with
// RefuseStatus and Retry-After when it does not. It checks no credentials
// and sends no RateLimit fields.
type Server struct {
	*httptest.Server
	Limiter      Limiter
	RetryAfter   RetryAfterForm
	RefuseStatus int // 429 unless set
	// ExtraFields adds members the spec does not name to the 200 body,
	// which its schema allows.
	ExtraFields bool
	// Drop closes the connection of a refused request without an answer,
	// as an overloaded proxy might, instead of answering it.
	Drop bool
	// Next, when set, answers every request the limiter admits, and every
	// request but the POSTs under Limited: the server is then a proxy that
	// limits the sign-in, the one operation whose spec documents 429.
	Next    http.Handler
	Limited string // the path prefix whose POSTs the limiter guards when Next is set

	served, refused atomic.Int64
}

// NewServer starts s on loopback and returns it; Close stops it.
func NewServer(l Limiter, form RetryAfterForm, opts ...func(*Server)) *Server {
	s := &Server{Limiter: l, RetryAfter: form, RefuseStatus: http.StatusTooManyRequests}
	for _, opt := range opts {
		opt(s)
	}
	s.Server = httptest.NewServer(s)
	return s
}

// BaseURL is what a client appends the login's path to, shaped like
// https://webexapis.com/v1.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Served and Refused count the requests the limiter admitted and refused.
func (s *Server) Served() int64  { return s.served.Load() }
func (s *Server) Refused() int64 { return s.refused.Load() }

var trackingIDs atomic.Uint64

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.Next != nil && (r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, s.Limited)) {
		s.Next.ServeHTTP(w, r)
		return
	}
	id := "LIMITERTEST_" + strconv.FormatUint(trackingIDs.Add(1), 10)
	if s.Next == nil && r.Method != http.MethodPost {
		w.Header().Set("TrackingID", id)
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, webexError("Only POST signs in.", id))
		return
	}
	now := time.Now()
	ok, wait := s.admit(r, now)
	if ok && s.Next != nil {
		s.served.Add(1)
		s.Next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("TrackingID", id)
	if ok {
		s.served.Add(1)
		body := map[string]any{"accountMatch": true, "externalTenantEnabled": false, "companyId": "4b0e8d5e-3c55-4d4a-9b1c-8f0c7f3f2a10"}
		if s.ExtraFields {
			body["region"], body["servedAt"] = "us-east", now.UTC().Format(time.RFC3339Nano)
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	s.refused.Add(1)
	if s.Drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	switch s.RetryAfter {
	case DelaySeconds:
		w.Header().Set("Retry-After", strconv.FormatInt(int64(math.Ceil(wait.Seconds())), 10))
	case HTTPDate:
		at := now.Add(wait)
		if rounded := at.Truncate(time.Second); !rounded.Equal(at) {
			at = rounded.Add(time.Second)
		}
		w.Header().Set("Retry-After", at.UTC().Format(http.TimeFormat))
	case Unparsable:
		w.Header().Set("Retry-After", "in a little while")
	}
	writeJSON(w, s.RefuseStatus, webexError("Too many requests; retry after the time in Retry-After.", id))
}

// admit asks the limiter about a request arriving at now; a queue holds
// an admitted request back for its turn (or until the client gives up).
func (s *Server) admit(r *http.Request, now time.Time) (bool, time.Duration) {
	q, queues := s.Limiter.(Queue)
	if !queues {
		return s.Limiter.Admit(now)
	}
	ok, delay, wait := q.TakeTurn(now)
	if ok && delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
		}
	}
	return ok, wait
}

func webexError(message, trackingID string) map[string]any {
	return map[string]any{"message": message, "errors": []map[string]any{{"description": message}}, "trackingId": trackingID}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v) // maps of strings and booleans always encode
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
