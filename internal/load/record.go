package load

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
	"loginharness/internal/results"
)

// record is what the analysis keeps of one result: timing, status and the
// rate-limit fields, never a body or a credential.
type record struct {
	sent       time.Time
	latency    time.Duration
	code       int
	retry      bool // a deferred retry of the obeying client
	request    uint64
	retryAfter retryAfterValue
	policy     string // raw RateLimit-Policy, "" when absent
	limit      string // raw RateLimit, "" when absent
	err        string // why a request got no answer (code 0); redacted later
}

func (r record) received() time.Time { return r.sent.Add(r.latency) }
func (r record) ok() bool            { return r.code >= 200 && r.code < 300 }

// arrival estimates when the request reached the server: somewhere
// between sending and the answer, so the midpoint halves the error.
func (r record) arrival() time.Time { return r.sent.Add(r.latency / 2) }

// dropped tells a request whose connection the server closed without an
// answer from one that got no answer in time, which a slow server and a
// starved load generator both cause.
func (r record) dropped() bool {
	return r.code == 0 && (strings.Contains(r.err, "EOF") || strings.Contains(r.err, "connection reset by peer"))
}

// deadline is when the client may come back after this answer, by its
// Retry-After; meaningful when retryAfter.usable().
func (r record) deadline() time.Time { return r.received().Add(r.retryAfter.wait) }

// retryAfterValue is a Retry-After as a client reads it.
type retryAfterValue struct {
	raw     string
	present bool
	wait    time.Duration
	err     error
}

func (v retryAfterValue) usable() bool { return v.present && v.err == nil }

// Response fields the records keep, canonical as net/http stores them.
var (
	retryAfterKey = http.CanonicalHeaderKey("Retry-After")
	dateKey       = http.CanonicalHeaderKey("Date")
	policyKey     = http.CanonicalHeaderKey("RateLimit-Policy")
	limitKey      = http.CanonicalHeaderKey("RateLimit")
)

func newRecord(res *vegeta.Result) record {
	rc := record{sent: res.Timestamp, latency: res.Latency, code: int(res.Code)}
	rc.request, rc.retry = parseRequestTag(res.URL)
	if vs := res.Headers[retryAfterKey]; len(vs) > 0 {
		rc.retryAfter.present, rc.retryAfter.raw = true, vs[0]
		rc.retryAfter.wait, rc.retryAfter.err = ratelimit.ParseRetryAfter(vs[0], serverNow(res.Headers, rc.received()))
	}
	if rc.code == 0 {
		rc.err = errorCause(res.Error)
	}
	rc.policy = strings.Join(res.Headers[policyKey], ", ")
	rc.limit = strings.Join(res.Headers[limitKey], ", ")
	return rc
}

// errorCause drops the "Post "<url>": " prefix of a client error: the
// scenario names the URL once, and the cause is what differs.
func errorCause(err string) string {
	if rest, ok := strings.CutPrefix(err, "Post \""); ok { // as net/http's url.Error spells the method
		if _, cause, ok := strings.Cut(rest, "\": "); ok {
			return cause
		}
	}
	return err
}

// serverNow is the server's clock when it answered, by its Date field,
// else the client's: an HTTP-date in Retry-After is read against the
// clock that wrote it, so a client whose clock is off still waits what
// the server meant. Date has whole seconds, like the HTTP-date, so the
// two round alike.
func serverNow(h http.Header, received time.Time) time.Time {
	if vs := h[dateKey]; len(vs) > 0 {
		if t, err := http.ParseTime(vs[0]); err == nil {
			return t
		}
	}
	return received
}

// requestTag marks the requests of the obeying client in the URL fragment,
// which Vegeta keeps in Result.URL but no HTTP client sends: results can be
// matched to requests without touching what goes over the wire.
const requestTag = "harness-request="

func tagURL(u string, request uint64, retry bool) string {
	kind := "new"
	if retry {
		kind = "retry"
	}
	return fmt.Sprintf("%s#%s%d.%s", u, requestTag, request, kind)
}

func parseRequestTag(u string) (request uint64, retry bool) {
	_, frag, found := strings.Cut(u, "#"+requestTag)
	if !found {
		return 0, false
	}
	id, kind, _ := strings.Cut(frag, ".")
	var n uint64
	if _, err := fmt.Sscan(id, &n); err != nil {
		return 0, false
	}
	return n, kind == "retry"
}

// recording streams the results of one or more attacks into one Vegeta
// result file, validating every response against the contract on the way.
// The attack loop only appends a record and hands the result on; checks,
// redaction and encoding run on other goroutines, so they never slow the
// attacker.
type recording struct {
	file    string // base name, <scenario>.bin
	path    string
	tmp     *os.File
	pending chan *vegeta.Result

	records []record
	metrics vegeta.Metrics

	workers   sync.WaitGroup
	encoded   chan *vegeta.Result
	encoder   sync.WaitGroup
	encodeErr error
	checks    []*checkCounts
}

// checkCounts is one validator's tally, merged when the recording closes.
type checkCounts struct {
	validated  int
	byCheck    map[string]int
	conforming map[string]int // responses that kept the contract, by status code
}

// attackPlan is one attack: what to send, how fast, for how long.
type attackPlan struct {
	name        string
	targeter    vegeta.Targeter
	pacer       vegeta.Pacer
	duration    time.Duration
	maxRequests uint64
	// observe sees each record as it arrives, on the attack's collecting
	// goroutine; returning true stops the attack. It must be quick.
	observe func(record) bool
}

const pendingResults = 1 << 14

func (r *Runner) newRecording(file string, secrets []string) (*recording, error) {
	dir := results.LoadDir(r.outDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+file+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	rec := &recording{
		file:    file,
		path:    filepath.Join(dir, file),
		tmp:     tmp,
		pending: make(chan *vegeta.Result, pendingResults),
		encoded: make(chan *vegeta.Result, pendingResults),
	}
	buf := bufio.NewWriterSize(tmp, 1<<16)
	enc := vegeta.NewEncoder(buf)
	rec.encoder.Add(1)
	go func() {
		defer rec.encoder.Done()
		for res := range rec.encoded {
			if rec.encodeErr == nil {
				rec.encodeErr = enc.Encode(res)
			}
		}
		if rec.encodeErr == nil {
			rec.encodeErr = buf.Flush()
		}
	}()
	for range r.validators {
		counts := &checkCounts{byCheck: map[string]int{}, conforming: map[string]int{}}
		rec.checks = append(rec.checks, counts)
		rec.workers.Add(1)
		go func() {
			defer rec.workers.Done()
			m := memo{secrets: secrets}
			for res := range rec.pending {
				r.check(res, counts, &m)
				m.redact(res)
				rec.encoded <- res
			}
		}()
	}
	return rec, nil
}

// memo is what one validator goroutine last parsed and redacted. A load
// run repeats one request, and a server answers it with the same bytes
// again and again (the Webex login's body names the account, not the
// session), so most results reuse the last URL's parts and redacted forms
// instead of working out the same bytes anew: parsing and redaction cost
// the load path many times what validation does.
type memo struct {
	secrets []string // the recording's, which redaction replaces

	haveURL        bool
	url            string // as Vegeta reported it
	path, rawQuery string
	parsed         bool // url parses
	redactedURL    string

	haveBody     bool
	body         []byte // as received; results own their bodies, nobody writes them
	redactedBody []byte // shared by the results that carried body, read-only
}

// parse is url.Parse's path and query of u, and whether it parses.
func (m *memo) parse(u string) (path, rawQuery string, ok bool) {
	m.see(u)
	return m.path, m.rawQuery, m.parsed
}

// see makes u the URL remembered, with its parts and its redacted form.
func (m *memo) see(u string) {
	if m.haveURL && u == m.url {
		return
	}
	m.haveURL, m.url, m.path, m.rawQuery, m.parsed = true, u, "", "", false
	if parsed, err := url.Parse(u); err == nil {
		m.path, m.rawQuery, m.parsed = parsed.Path, parsed.RawQuery, true
	}
	m.redactedURL = redactText(u, m.secrets)
}

// check validates one response against the Webex contract.
func (r *Runner) check(res *vegeta.Result, counts *checkCounts, m *memo) {
	if res.Code == 0 {
		return // a transport error: no response to judge
	}
	path, rawQuery, ok := m.parse(res.URL)
	if !ok {
		return
	}
	verdict := r.contract.ValidateResponse(context.Background(), contract.Webex, &contract.Exchange{
		Method: res.Method, Path: path, RawQuery: rawQuery,
		Status: int(res.Code), Header: res.Headers, Body: res.Body,
	})
	counts.validated++
	if verdict.OK() {
		counts.conforming[strconv.Itoa(int(res.Code))]++
	}
	seen := map[contract.Check]bool{}
	for _, f := range verdict.Findings {
		if !seen[f.Check] {
			seen[f.Check] = true
			counts.byCheck[string(f.Check)]++
		}
	}
}

// redact scrubs what Vegeta keeps of a response before it is written:
// secret JSON values, secret headers and any credential the target uses.
// Vegeta keeps no request headers or bodies, so the Authorization header
// and the password never reach the file.
func redact(res *vegeta.Result, secrets []string) { (&memo{secrets: secrets}).redact(res) }

// redact is the package's redact, reusing the last result's redacted body
// and URL when this one carries the same bytes: the output is the same.
func (m *memo) redact(res *vegeta.Result) {
	if !m.haveBody || !bytes.Equal(res.Body, m.body) {
		m.haveBody, m.body = true, res.Body
		m.redactedBody = contract.RedactJSON(res.Body)
		if len(m.secrets) > 0 {
			m.redactedBody = []byte(contract.Redact(string(m.redactedBody), m.secrets...))
		}
	}
	m.see(res.URL)
	res.Body, res.URL = m.redactedBody, m.redactedURL
	res.Error = redactText(res.Error, m.secrets)
	res.Headers = contract.RedactHeader(res.Headers)
}

// redactText is contract.Redact, skipped where it has nothing to do.
func redactText(s string, secrets []string) string {
	if s == "" || len(secrets) == 0 {
		return s
	}
	return contract.Redact(s, secrets...)
}

// attack runs one attack into the recording and returns its records. It
// ends at the plan's duration or request cap, when observe says so, or when
// ctx ends; then it returns the partial records with ctx's error.
func (rec *recording) attack(ctx context.Context, s *session, plan attackPlan) ([]record, error) {
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: s.transport}),
		vegeta.Timeout(s.timeout), vegeta.MaxBody(s.maxBody), vegeta.Redirects(vegeta.NoFollow))
	done := make(chan struct{})
	halt := sync.OnceFunc(func() {
		close(done)
		atk.Stop()
	})
	unwatch := context.AfterFunc(ctx, halt)
	defer unwatch()
	p := startProgress(s.progress, strings.TrimSuffix(rec.file, results.VegetaSuffix)+"/"+plan.name, plan.duration)
	defer p.stop()
	first := len(rec.records)
	pacer := bounded{Pacer: plan.pacer, max: plan.maxRequests, done: done}
	began, answered := time.Now(), false
	for res := range atk.Attack(plan.targeter, pacer, plan.duration, strings.TrimSuffix(rec.file, results.VegetaSuffix)+"/"+plan.name) {
		rc := newRecord(res)
		rec.records = append(rec.records, rc)
		rec.metrics.Add(res)
		p.add(rc.code)
		answered = answered || rc.code != 0
		if plan.observe != nil && plan.observe(rc) {
			halt()
		}
		// A server that answered nothing for a while is down: more load
		// would judge nothing.
		if !answered && time.Since(began) >= s.duration {
			halt()
		}
		rec.pending <- res
	}
	return rec.records[first:], ctx.Err()
}

// close finishes the file (temp file renamed into place, so a reader never
// sees half of it) and returns the contract tallies.
func (rec *recording) close() (validated int, byCheck map[string]int, err error) {
	close(rec.pending)
	rec.workers.Wait()
	close(rec.encoded)
	rec.encoder.Wait()
	rec.metrics.Close()
	byCheck = map[string]int{}
	for _, c := range rec.checks {
		validated += c.validated
		for k, n := range c.byCheck {
			byCheck[k] += n
		}
	}
	err = errors.Join(rec.encodeErr, rec.tmp.Chmod(0o644), rec.tmp.Close())
	if err != nil {
		os.Remove(rec.tmp.Name())
		return validated, byCheck, fmt.Errorf("load: write %s: %w", rec.file, err)
	}
	if err := os.Rename(rec.tmp.Name(), rec.path); err != nil {
		os.Remove(rec.tmp.Name())
		return validated, byCheck, fmt.Errorf("load: %w", err)
	}
	return validated, byCheck, nil
}

// conforming merges the validators' counts of the responses that kept the
// contract, by status code; it is complete once the recording is closed.
func (rec *recording) conforming() map[string]int {
	out := map[string]int{}
	for _, c := range rec.checks {
		for k, n := range c.conforming {
			out[k] += n
		}
	}
	return out
}

// bounded wraps an attack's pacer: it stops after max hits or once done is
// closed, and it sits out long pauses itself, where done cuts them short:
// Vegeta's own sleep between hits cannot be interrupted, so a slow pacer
// would otherwise send one more request after Stop or Ctrl-C.
type bounded struct {
	vegeta.Pacer
	max  uint64
	done <-chan struct{}
}

// interruptibleWait is the longest pause left to Vegeta's own sleep.
const interruptibleWait = 20 * time.Millisecond

func (b bounded) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if b.max > 0 && hits >= b.max {
		return 0, true
	}
	select {
	case <-b.done:
		return 0, true
	default:
	}
	wait, stop := b.Pacer.Pace(elapsed, hits)
	if stop || wait <= interruptibleWait {
		return wait, stop
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return 0, false
	case <-b.done:
		return 0, true
	}
}

func defaultValidators() int { return max(1, runtime.GOMAXPROCS(0)/2) }
