// Package mock serves both login APIs the way the real services answer:
// the Webex Calling RedSky admin login and the Commvault Login, with auth,
// validation, rate limiting and lockout. Test controls (Prefer: code=NNN,
// latency, an error ratio, drift modes) and an injectable clock let suites
// provoke every documented answer and prove they catch contract breaks.
package mock

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"loginharness/internal/ratelimit"
)

// The paths the mock serves, as the real services do: each API's base path
// (what HARNESS_*_URL names after the host) and its login operation below it.
const (
	WebexBasePath       = "/v1"
	WebexPath           = WebexBasePath + "/telephony/config/redSky/actions/login/invoke"
	CommvaultBasePath   = "/commandcenter/api"
	CommvaultPath       = CommvaultBasePath + "/Login"
	CommvaultLegacyPath = "/webconsole/api/Login" // older Commvault installations
)

const trackingIDHeader = "Trackingid" // canonical form of TrackingID

// Mock is the http.Handler of both APIs. It is safe for concurrent use.
type Mock struct {
	clock      Clock
	log        *slog.Logger
	rnd        *lockedRand
	drift      driftSet
	latency    time.Duration
	jitter     time.Duration
	errorRatio float64
	maxBody    int64
	keyBy      KeyBy
	policy     string // RateLimit-Policy
	lock       lockPolicy
	ids        trackingIDs

	webex     webex
	commvault commvault
}

// New builds a Mock from cfg and then opts. A field that fails Validate is
// replaced by its default, with an error logged, so New never fails: call
// Validate first to refuse a bad configuration.
func New(cfg Config, opts ...Option) *Mock {
	for _, opt := range opts {
		opt(&cfg)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.repair(); err != nil {
		log.Error("mock: invalid configuration, using defaults for these fields", "error", err)
	}
	clock := cfg.Clock
	if clock == nil {
		clock = SystemClock{}
	}
	drift, _ := newDriftSet(cfg.Drifts)
	docs, err := loadDocs()
	if err != nil {
		log.Error("mock: cannot read the embedded specs; Prefer: code= will refuse every code", "error", err)
	}
	m := &Mock{
		clock:      clock,
		log:        log,
		rnd:        newRand(cfg.Rand),
		drift:      drift,
		latency:    cfg.Latency,
		jitter:     cfg.Jitter,
		errorRatio: cfg.ErrorRatio,
		maxBody:    cfg.MaxBodyBytes,
		keyBy:      cfg.KeyBy,
		policy:     policyOf(cfg.Rate),
		lock:       lockPolicy{threshold: cfg.LockThreshold, window: cfg.LockWindow, duration: cfg.LockDuration, countOnly: drift&noLockout != 0},
		ids:        newTrackingIDs(),
	}
	m.webex = newWebex(&cfg, docOrEmpty(docs, "webex"), drift)
	m.commvault = newCommvault(&cfg, docOrEmpty(docs, "commvault"), drift)
	return m
}

func docOrEmpty(docs map[string]*operationDoc, api string) *operationDoc {
	if d := docs[api]; d != nil {
		return d
	}
	return &operationDoc{allow: http.MethodPost}
}

// ServeHTTP answers the two login paths, and 404 elsewhere.
func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := exchanges.Get().(*exchange)
	defer x.release()
	x.w, x.r = w, r
	if m.latency > 0 || m.jitter > 0 {
		m.clock.Sleep(r.Context(), m.latency+time.Duration(m.rnd.Float64()*float64(m.jitter)))
		if r.Context().Err() != nil {
			return
		}
	}
	x.now = m.clock.Now()
	path := ""
	if r.URL != nil {
		path = r.URL.Path
	}
	switch path {
	case WebexPath:
		m.serveWebex(x)
	case CommvaultPath, CommvaultLegacyPath:
		m.serveCommvault(x)
	default:
		w.Header()["Content-Type"] = contentJSON
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"no such path: the mock serves `+WebexPath+`, `+CommvaultPath+` and `+CommvaultLegacyPath+`"}`)
	}
}

// exchange is one request's scratch space, pooled so the hot path reuses
// its buffers.
type exchange struct {
	w    http.ResponseWriter
	r    *http.Request
	now  time.Time
	in   []byte    // the request body
	out  []byte    // the response body being built
	code errorCode // why the request was refused, for the log

	trackingID string // Webex only
}

var exchanges = sync.Pool{New: func() any { return &exchange{in: make([]byte, 0, 1024), out: make([]byte, 0, 1024)} }}

const maxPooledBuffer = 64 << 10

func (x *exchange) release() {
	if cap(x.in) > maxPooledBuffer || cap(x.out) > maxPooledBuffer {
		return
	}
	*x = exchange{in: x.in[:0], out: x.out[:0]}
	exchanges.Put(x)
}

// readBody reads at most limit bytes of the body into x.in.
func (x *exchange) readBody(limit int64) (tooLarge bool, err error) {
	if x.r.Body == nil {
		return false, nil
	}
	if x.r.ContentLength > limit {
		return true, nil
	}
	for {
		if len(x.in) == cap(x.in) {
			x.in = append(x.in, 0)[:len(x.in)]
		}
		n, err := x.r.Body.Read(x.in[len(x.in):cap(x.in)])
		x.in = x.in[:len(x.in)+n]
		if int64(len(x.in)) > limit {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

var (
	contentJSON = []string{"application/json"}
	contentText = []string{"text/plain; charset=utf-8"}
	contentHTML = []string{"text/html; charset=utf-8"}
	unparsable  = []string{"soon"}
)

// send writes the answer; an empty body goes without Content-Type.
func (x *exchange) send(status int, contentType []string, body []byte) {
	if len(body) > 0 {
		x.w.Header()["Content-Type"] = contentType
	}
	x.w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = x.w.Write(body)
	}
}

// setHeaders sets the headers the spec declares for an answer. wait is the
// honest delay behind Retry-After and RateLimit; the drifts may bend them.
func (m *Mock) setHeaders(x *exchange, status int, doc *responseDoc, allow string, wait time.Duration) {
	h := x.w.Header()
	announced := ratelimit.CeilSeconds(wait) // a client that waits that long is served
	if m.drift&shortRetryAfter != 0 {
		announced = (wait / 2).Truncate(time.Second)
	}
	for _, name := range doc.headers {
		switch name {
		case "Allow":
			h[name] = []string{allow}
		case "Retry-After":
			switch {
			case m.drift&unparsableRetryAfter != 0:
				h[name] = unparsable
			case m.drift&missingRetryAfter != 0 && status == http.StatusTooManyRequests:
			default:
				h[name] = []string{ratelimit.FormatRetryAfter(announced)}
			}
		case "Ratelimit-Policy":
			h[name] = []string{m.policy}
		case "Ratelimit":
			h[name] = []string{ratelimit.FormatLimit(ratelimit.Limit{Name: policyName, Remaining: 0, Reset: announced})}
		}
	}
}

const policyName = "default"

// policyOf writes the limit as a RateLimit-Policy: the smallest whole window
// in which the rate is a whole quota (q=50;w=1, or q=1;w=2 for 0.5/s).
func policyOf(perSecond float64) string {
	w := 1
	for ; w < 3600; w++ {
		q := perSecond * float64(w)
		if q >= 1 && math.Abs(q-math.Round(q)) < 1e-9 {
			break
		}
	}
	q := max(1, int64(math.Round(perSecond*float64(w))))
	return ratelimit.FormatPolicy(ratelimit.Policy{Name: policyName, Quota: q, Window: time.Duration(w) * time.Second})
}

// clientAddress is the client's IP without the port.
func clientAddress(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// trackingIDs names exchanges MOCK_<instance>_<counter>: unique, cheap, and
// easy to find in the mock's log.
type trackingIDs struct {
	prefix string
	next   atomic.Uint64
}

func newTrackingIDs() trackingIDs {
	return trackingIDs{prefix: "MOCK_" + strconv.FormatUint(uint64(time.Now().UnixNano())&0xffffffff, 36) + "_"}
}

func (t *trackingIDs) new() string {
	var b [48]byte
	return string(strconv.AppendUint(append(b[:0], t.prefix...), t.next.Add(1), 10))
}

// trackingID echoes the caller's TrackingID when it is short and JSON-safe,
// as Webex does, and makes one otherwise.
func (m *Mock) trackingID(r *http.Request) string {
	if v := r.Header[trackingIDHeader]; len(v) > 0 && safeTrackingID(v[0]) {
		return v[0]
	}
	return m.ids.new()
}

func safeTrackingID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// logAnswer logs one answer at debug level: never a body, token or password.
func (m *Mock) logAnswer(ctx context.Context, x *exchange, api string, status int) {
	if !m.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	m.log.LogAttrs(ctx, slog.LevelDebug, "mock answer",
		slog.String("api", api), slog.String("method", x.r.Method), slog.Int("status", status),
		slog.Int("reason", int(x.code)), slog.String("client", clientAddress(x.r)))
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
