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
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/timeline"
)

// newRecord reads one Vegeta result into the timeline as part of the
// run, its cause of failure scrubbed of secrets; rr parses its fields.
func newRecord(rr *target.RecordReader, res *vegeta.Result, part timeline.Part, secrets []string) timeline.Record {
	rc := rr.Read(res.Timestamp, res.Latency, int(res.Code), res.Headers, redactText(res.Error, secrets))
	rc.Request, rc.Retry = parseRequestTag(res.URL)
	rc.Part = part
	return rc
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

	records []timeline.Record
	metrics vegeta.Metrics
	key     string // the limiter key the records are journalled under
	secrets []string

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
	observe func(timeline.Record) bool
}

const pendingResults = 1 << 14

func (r *Runner) newRecording(file, key string, secrets []string) (*recording, error) {
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
		key:     key,
		secrets: secrets,
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
// and the password never reach the file. It reuses the last result's
// redacted body and URL when this one carries the same bytes.
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

// attack runs one attack into the recording and the process journal and
// returns its records. It ends at the plan's duration or request cap, when
// observe says so, or when ctx ends; then it returns the partial records
// with ctx's error.
func (rec *recording) attack(ctx context.Context, s *session, plan attackPlan) ([]timeline.Record, error) {
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: s.transport}),
		vegeta.Timeout(s.timeout), vegeta.MaxBody(s.maxBody), vegeta.Redirects(vegeta.NoFollow))
	done := make(chan struct{})
	halt := sync.OnceFunc(func() {
		close(done)
		atk.Stop()
	})
	unwatch := context.AfterFunc(ctx, halt)
	defer unwatch()
	part := timeline.LoadPart(s.scenario.Name, plan.name)
	p := startProgress(s.progress, strings.TrimPrefix(string(part), "load/"), plan.duration)
	defer p.stop()
	first := len(rec.records)
	defer func() { timeline.Process().Add(rec.key, rec.records[first:]...) }()
	pacer := bounded{Pacer: plan.pacer, max: plan.maxRequests, done: done}
	began, answered := time.Now(), false
	var rr target.RecordReader
	for res := range atk.Attack(plan.targeter, pacer, plan.duration, string(part)) {
		rc := newRecord(&rr, res, part, rec.secrets)
		rec.records = append(rec.records, rc)
		rec.metrics.Add(res)
		p.add(rc.Status)
		answered = answered || rc.Status != 0
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
