// Package timeline keeps every request a run sends to a server, in the
// form the judge reads, one timeline per limiter key.
//
// A server's limiter counts requests by some key (a token, an account, an
// address) that the harness cannot see, so the key here is the widest it
// could be: the API's base URL, that is everything this run sent to that
// server, from the preflight's sign-in and the conformance specs to every
// load scenario and both clients of the client comparison. A verdict that
// reasons about the traffic before a request reads all of it, so the
// harness never blames the server for quota it spent itself.
package timeline

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Record is one request as the judge needs it: when it went, how it was
// answered, and the rate-limit fields of its answer, each parsed once.
type Record struct {
	Sent    time.Time
	Latency time.Duration // to the answer, or to giving up without one
	Status  int           // 0: no answer
	// Cause is why a request got no answer (Status 0), redacted.
	Cause string
	// Dropped marks a request whose connection the server closed without
	// an answer (EOF, reset); Unreachable one that found nothing
	// listening (connection refused, no route): the target was down.
	Dropped, Unreachable bool

	RetryAfter RetryAfter
	RateLimit  RateLimit

	// Request and Retry are the obeying client's tag: which of its requests
	// this is, and whether it is a deferred retry.
	Request uint64
	Retry   bool
	// Part is which part of the run sent it.
	Part Part
}

// Received is when the answer came, or the client gave up.
func (r Record) Received() time.Time { return r.Sent.Add(r.Latency) }

// OK tells a served request: a 2xx answer.
func (r Record) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Arrival estimates when the request reached the server: somewhere
// between sending and the answer, so the midpoint halves the error.
func (r Record) Arrival() time.Time { return r.Sent.Add(r.Latency / 2) }

// Deadline is when the client may come back after this answer, by its
// Retry-After; meaningful when RetryAfter.Usable().
func (r Record) Deadline() time.Time { return r.Received().Add(r.RetryAfter.Wait) }

// Told tells a 429 with a Retry-After a client can obey.
func (r Record) Told() bool { return r.Status == 429 && r.RetryAfter.Usable() }

// RetryAfter is a Retry-After as a client reads it.
type RetryAfter struct {
	Raw     string
	Present bool
	Wait    time.Duration // from the answer; an HTTP-date read on the server's clock
	Err     error         // neither delay-seconds nor an HTTP-date
}

// Usable tells a Retry-After present and readable.
func (v RetryAfter) Usable() bool { return v.Present && v.Err == nil }

// RateLimit is what the RateLimit and RateLimit-Policy fields of an
// answer said (draft-ietf-httpapi-ratelimit-headers).
type RateLimit struct {
	PolicyRaw string // "" when absent
	Policies  []Policy
	PolicyErr error
	LimitRaw  string // "" when absent
	Limits    []Limit
	LimitErr  error
	// ResetBeyondRetryAfter marks a 429 whose Retry-After points earlier
	// than the reset of a quota RateLimit says is spent.
	ResetBeyondRetryAfter bool
}

// Policy is one quota a RateLimit-Policy declares.
type Policy struct {
	Quota  int64
	Window time.Duration // 0 when the policy names none
}

// Limit is one item of a RateLimit field.
type Limit struct {
	Remaining int64
	Reset     time.Duration
}

// Part names which part of a run sent a request: the harness's own client
// (the preflight, the conformance specs, the advisory checks), or a load
// scenario's attack.
type Part string

// The parts outside load.
const (
	PartPreflight   Part = "preflight"
	PartConformance Part = "conformance"
	PartAdvisory    Part = "advisory checks"
	// PartTargetClient is the harness's target client when its caller did
	// not say which part it served (see WithPart).
	PartTargetClient Part = "the harness's target client"
)

// loadPrefix starts the part of every load attack.
const loadPrefix = "load/"

// LoadPart is the part of one attack of a load scenario, e.g.
// "load/over-limit/main".
func LoadPart(scenario, attack string) Part {
	return Part(loadPrefix + scenario + "/" + attack)
}

// Scenario is the load scenario of the part, "" outside load.
func (p Part) Scenario() string {
	rest, ok := strings.CutPrefix(string(p), loadPrefix)
	if !ok {
		return ""
	}
	scenario, _, _ := strings.Cut(rest, "/")
	return scenario
}

// Attack is the attack of a load part, "" outside load.
func (p Part) Attack() string {
	rest, ok := strings.CutPrefix(string(p), loadPrefix)
	if !ok {
		return ""
	}
	_, attack, _ := strings.Cut(rest, "/")
	return attack
}

// Key is the limiter key of a base URL: scheme and host in lower case, the
// path without a trailing slash, no query, no credentials.
func Key(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return strings.TrimRight(baseURL, "/")
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")
}

// Journal holds the timelines of a run, one per limiter key. It is safe
// for concurrent use.
type Journal struct {
	mu    sync.Mutex
	byKey map[string][]Record
}

// NewJournal returns an empty journal.
func NewJournal() *Journal { return &Journal{byKey: map[string][]Record{}} }

var process = NewJournal()

// Process is the journal of this process: everything the run sent, as
// the target client and the load runner record it.
func Process() *Journal { return process }

// Add appends records to the timeline of the server at baseURL.
func (j *Journal) Add(baseURL string, recs ...Record) {
	if len(recs) == 0 {
		return
	}
	key := Key(baseURL)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.byKey[key] = append(j.byKey[key], recs...)
}

// Timeline is a copy of everything sent to the server at baseURL, in the
// order it was sent.
func (j *Journal) Timeline(baseURL string) []Record {
	j.mu.Lock()
	out := slices.Clone(j.byKey[Key(baseURL)])
	j.mu.Unlock()
	SortBySent(out)
	return out
}

// SortBySent orders recs by when they were sent, keeping ties in order.
func SortBySent(recs []Record) {
	slices.SortStableFunc(recs, func(a, b Record) int { return a.Sent.Compare(b.Sent) })
}

type partKey struct{}

// WithPart tells the target client which part of the run ctx's requests
// serve, for their records.
func WithPart(ctx context.Context, p Part) context.Context {
	return context.WithValue(ctx, partKey{}, p)
}

// PartOf is the part WithPart set on ctx, else PartTargetClient.
func PartOf(ctx context.Context) Part {
	if p, ok := ctx.Value(partKey{}).(Part); ok {
		return p
	}
	return PartTargetClient
}
