package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// LoadSummaryVersion is bumped when a field of LoadSummary changes meaning,
// so a report reading older files can tell.
const LoadSummaryVersion = 2

// LoadSummarySuffix ends the name of every load summary file:
// <scenario>.summary.json.
const LoadSummarySuffix = ".summary.json"

// VegetaSuffix ends the name of every Vegeta result file: <scenario>.bin,
// Vegeta's gob encoding, readable by `vegeta report` and `vegeta plot`.
const VegetaSuffix = ".bin"

// LoadDir is where load outputs live under an output folder (OutDir()).
func LoadDir(outDir string) string { return filepath.Join(outDir, "load") }

// LoadSummary is what one load scenario measured and concluded. It is
// written as <scenario>.summary.json next to the scenario's Vegeta result
// files and read by the HTML report. Durations are seconds, latencies
// milliseconds, rates requests per second; every string is redacted.
type LoadSummary struct {
	Version     int        `json:"version"`     // LoadSummaryVersion
	Scenario    string     `json:"scenario"`    // file-safe name, e.g. "over-limit"
	Description string     `json:"description"` // one sentence: what the scenario sets out to show
	API         string     `json:"api"`         // "webex" or "commvault"
	Target      TargetInfo `json:"target"`

	// Limit is the limit the run is judged against, and where it came from.
	Limit Limit `json:"limit"`

	// Pacer describes the offered load, e.g. "constant 300/s" or "linear 10/s +40/s/s".
	Pacer           string  `json:"pacer"`
	OfferedRate     float64 `json:"offeredRate"`     // requested rate; for a ramp, the final rate
	StartedAt       string  `json:"startedAt"`       // RFC 3339 (nanoseconds), UTC
	DurationSeconds float64 `json:"durationSeconds"` // from the first request sent to the last
	ElapsedSeconds  float64 `json:"elapsedSeconds"`  // first request to last response

	Requests     int     `json:"requests"`     // responses (and errors) recorded
	AchievedRate float64 `json:"achievedRate"` // requests sent per second (Vegeta's Rate)
	AcceptedRate float64 `json:"acceptedRate"` // 2xx responses per second over the attack
	Errors       int     `json:"errors"`       // requests with no answer (status 0): refused connection, timeout, reset
	// Dropped counts the requests among Errors whose connection the server
	// closed without an answer (EOF, reset), rather than ones that timed out.
	Dropped int `json:"dropped"`
	// ErrorExamples are a few distinct reasons requests got no answer.
	ErrorExamples []string `json:"errorExamples,omitempty"`

	// StatusCodes counts responses by status code ("0" is a transport error).
	StatusCodes map[string]int `json:"statusCodes"`
	// Ratio429 is the share of responses that were 429, 0..1.
	Ratio429 float64 `json:"ratio429"`

	Latency  Percentiles `json:"latency"`
	Timeline []Bucket    `json:"timeline"` // fixed-width buckets from the first request

	RetryAfter RetryAfter      `json:"retryAfter"`
	RateLimit  RateLimitFields `json:"rateLimit"`

	// Clients compares a client that obeys Retry-After with a naive one; set by
	// the scenario that runs both, whose other figures are the obeying
	// client's (Validated and Nonconforming count both).
	Clients *Clients `json:"clients,omitempty"`
	// Knee is where a ramp first met 429s; set by the ramp scenario.
	Knee *Knee `json:"knee,omitempty"`
	// Envelope is the arrival curve of the accepted requests against the
	// limit, and the long-run accepted rate; set when anything was served.
	Envelope *Envelope `json:"envelope,omitempty"`
	// Probes are single requests timed against Retry-After (honesty scenario).
	Probes []Probe `json:"probes,omitempty"`
	// Promises are the Retry-After promises checked by the client's own
	// conduct (honesty and obeying-client scenarios).
	Promises *Promises `json:"promises,omitempty"`

	// Validated counts responses checked against the spec; Nonconforming counts
	// those that broke it, by contract check (a response may break several).
	Validated     int            `json:"validated"`
	Nonconforming map[string]int `json:"nonconforming"`
	// Conforming counts the validated responses that kept the contract, by
	// status code ("429"), so the coverage matrix counts what load saw;
	// nil in summaries written before it was kept.
	Conforming map[string]int `json:"conforming,omitempty"`

	Verdicts []Verdict `json:"verdicts"`
	// Observations are what the run showed that is no promise of the
	// server's: the harness's own clients' goodput, the knee of a ramp.
	Observations []Observation `json:"observations,omitempty"`

	// Files names the scenario's Vegeta result files, relative to the summary.
	Files []string `json:"files"`

	// Shard is set when the scenario ran as one shard of several sharing
	// a limit, or, with Index -1, when its summary merges theirs.
	Shard *Shard `json:"shard,omitempty"`

	Incomplete       bool   `json:"incomplete"`
	IncompleteReason string `json:"incompleteReason,omitempty"` // e.g. "interrupted"
}

// Shard identifies one of several harness processes that loaded one
// server together, on one schedule, each offering 1/Count of every load.
type Shard struct {
	Index int       `json:"index"` // from 0; -1 in a summary that merges all
	Count int       `json:"count"`
	RunID string    `json:"runId"` // the same in every shard of a run
	Start time.Time `json:"start"` // when the shared load began
}

// TargetInfo is where the load went.
type TargetInfo struct {
	Kind string `json:"kind"` // TargetMock or TargetLive
	URL  string `json:"url"`  // base URL, no credentials
}

// Limit is the rate a target should enforce.
type Limit struct {
	// Rate is the limit the offered loads are set from, requests per
	// second, and the one judged against unless Source is LimitMeasured.
	Rate float64 `json:"rate"`
	// Burst is the configured burst, 0 when unknown (live targets).
	Burst int `json:"burst,omitempty"`
	// Source says where Rate came from: "mock" (its configuration),
	// "HARNESS_EXPECTED_LIMIT", or "measured" (by the ramp, when nobody
	// said what the limit should be: then no verdict needs it).
	Source string `json:"source"`
	// Uncertainty is ± req/s of a measured Rate.
	Uncertainty float64 `json:"uncertainty,omitempty"`
	// DeclaredRate is quota/window of the RateLimit-Policy the server sent, 0 when none.
	DeclaredRate float64 `json:"declaredRate,omitempty"`
}

// LimitMeasured is the Source of a limit the harness found itself.
const LimitMeasured = "measured"

// Expected tells whether the limit is a number someone promised (the mock's
// configuration, the user's expected limit) rather than one measured.
func (l Limit) Expected() bool { return l.Source != LimitMeasured && l.Rate > 0 }

// Envelope describes the accepted requests of a run as a token-bucket
// arrival curve: at Rate, every interval of the run accepted at most
// Rate × its length + Burst. LongRunRate is the accepted rate once the
// burst was spent, measured between refusal onsets.
type Envelope struct {
	Rate        float64 `json:"rate"`        // the rate the burst is measured at: the limit
	Burst       float64 `json:"burst"`       // smallest b of the arrival curve at Rate
	SpanSeconds float64 `json:"spanSeconds"` // the run the envelope covers
	// LongRunRate ± Uncertainty is the accepted rate from FromSeconds to
	// ToSeconds, 0 when the run had too few refusals to measure it.
	LongRunRate float64         `json:"longRunRate"`
	Uncertainty float64         `json:"uncertainty"`
	FromSeconds float64         `json:"fromSeconds"`
	ToSeconds   float64         `json:"toSeconds"`
	Points      []EnvelopePoint `json:"points,omitempty"`
}

// EnvelopePoint is one sample of the envelope chart: accepted so far
// against Rate × t + Burst.
type EnvelopePoint struct {
	Seconds  float64 `json:"t"`
	Accepted int     `json:"accepted"`
	Bound    float64 `json:"bound"`
}

// Percentiles of latency in milliseconds.
type Percentiles struct {
	Mean float64 `json:"meanMs"`
	P50  float64 `json:"p50Ms"`
	P90  float64 `json:"p90Ms"`
	P95  float64 `json:"p95Ms"`
	P99  float64 `json:"p99Ms"`
	Max  float64 `json:"maxMs"`
}

// Bucket is one slice of the timeline.
type Bucket struct {
	StartSeconds float64        `json:"startSeconds"` // since the first request
	WidthSeconds float64        `json:"widthSeconds"`
	Requests     int            `json:"requests"`
	StatusCodes  map[string]int `json:"statusCodes"`
	Latency      Percentiles    `json:"latency"`
}

// RetryAfter describes the Retry-After values the 429 responses carried.
type RetryAfter struct {
	Responses429 int     `json:"responses429"`
	Present      int     `json:"present"`    // 429s that carried Retry-After
	Missing      int     `json:"missing"`    // 429s without it (RFC 9110 / spec break)
	Unparsable   int     `json:"unparsable"` // present but neither delay-seconds nor HTTP-date
	Implausible  int     `json:"implausible"`
	MinSeconds   float64 `json:"minSeconds"`
	MaxSeconds   float64 `json:"maxSeconds"`
	// Histogram counts parsed values, rounded up to whole seconds, ascending.
	Histogram []ValueCount `json:"histogram"`
	// Examples are a few distinct raw values, for people reading the report.
	Examples []string `json:"examples,omitempty"`
}

// ValueCount is one histogram bar.
type ValueCount struct {
	Seconds float64 `json:"seconds"`
	Count   int     `json:"count"`
}

// RateLimitFields describes the RateLimit and RateLimit-Policy fields seen
// (IETF draft-ietf-httpapi-ratelimit-headers).
type RateLimitFields struct {
	PolicySeen   int      `json:"policySeen"` // responses carrying RateLimit-Policy
	LimitSeen    int      `json:"limitSeen"`  // responses carrying RateLimit
	ParseErrors  int      `json:"parseErrors"`
	Disagree     int      `json:"disagree"` // 429s whose RateLimit reset is later than Retry-After
	Policies     []string `json:"policies,omitempty"`
	LimitSamples []string `json:"limitSamples,omitempty"` // a few distinct RateLimit values
}

// Clients compares two clients under the same offered load.
type Clients struct {
	Obeying ClientRun `json:"obeying"`
	Naive   ClientRun `json:"naive"`
}

// ClientRun is one client's view of an attack: what arrived (open model),
// what it deferred because of Retry-After, and what was served.
type ClientRun struct {
	File          string  `json:"file"`          // its Vegeta result file
	OfferedRate   float64 `json:"offeredRate"`   // fresh requests arriving per second
	Offered       int     `json:"offered"`       // fresh requests that arrived during the run
	Sent          int     `json:"sent"`          // requests on the wire, retries included
	Deferred      int     `json:"deferred"`      // retries sent after waiting out a Retry-After
	Served        int     `json:"served"`        // 2xx responses
	Responses429  int     `json:"responses429"`  // all 429s
	Repeated429   int     `json:"repeated429"`   // 429s to requests sent after the client had been told to wait
	Pending       int     `json:"pending"`       // offered requests neither served nor sent when the run ended
	PacedRate     float64 `json:"pacedRate"`     // the pace the client ended with, req/s; 0: none
	PaceSource    string  `json:"paceSource"`    // where the pace came from: PacePolicy, PaceExpected, PaceFound
	Goodput       float64 `json:"goodput"`       // 2xx per second over the whole run
	SteadyGoodput float64 `json:"steadyGoodput"` // 2xx per second once the first Retry-After had elapsed, or over the run without one
	// GoodputOfLimit is SteadyGoodput / Limit.Rate.
	GoodputOfLimit float64 `json:"goodputOfLimit"`
}

// The sources of the obeying client's pace (ClientRun.PaceSource).
const (
	PacePolicy   = "RateLimit-Policy"
	PaceExpected = "expected limit"
	PaceFound    = "found (AIMD)"
)

// Knee is where 429s begin in a ramp.
type Knee struct {
	Found     bool    `json:"found"`
	Rate      float64 `json:"rate"`      // offered rate when 429s began, req/s
	AtSeconds float64 `json:"atSeconds"` // since the ramp started
	LimitRate float64 `json:"limitRate"` // Limit.Rate, for side-by-side reading
	// FromRate and Slope describe the ramp: it offered FromRate req/s at
	// its start and Slope req/s more each second.
	FromRate float64 `json:"fromRate"`
	Slope    float64 `json:"slope"`
}

// Promises counts the Retry-After promises a run could check: each time
// the client waited out a Retry-After in silence, whether its next request
// was served.
type Promises struct {
	Checked      int     `json:"checked"`
	Refused      int     `json:"refused"`
	FirstRefusal Refusal `json:"firstRefusal,omitzero"`
}

// Refusal is a request refused although it waited what Retry-After said.
type Refusal struct {
	RetryAfter    string  `json:"retryAfter"`    // the value it waited out
	WaitedSeconds float64 `json:"waitedSeconds"` // from that answer to sending
	Status        int     `json:"status"`
}

// Probe is one request timed against a Retry-After.
type Probe struct {
	Name              string  `json:"name"`              // e.g. "at Retry-After", "half of Retry-After"
	RetryAfterSeconds float64 `json:"retryAfterSeconds"` // the promise being checked
	WaitedSeconds     float64 `json:"waitedSeconds"`     // how long the probe waited
	Status            int     `json:"status"`
	Want              string  `json:"want"` // "served" or "429"
}

// Verdict is one judgement of a promise of the server's.
type Verdict struct {
	Name    string       `json:"name"`
	State   VerdictState `json:"state"`
	Message string       `json:"message"`
	// Outage marks a verdict not judged because the target went away (no
	// connection, no answer, 502/503/504 it was not asked for): an outage,
	// never a broken promise. A run whose judged verdicts all held but met
	// an outage is not judged as a whole (exit 3).
	Outage bool `json:"outage,omitempty"`
}

// VerdictState is what became of a verdict.
type VerdictState string

// The states of a verdict. A verdict the run could not judge (nothing to
// judge it on, or no number to judge it against) is neither passed nor
// failed: it says why.
const (
	VerdictPassed    VerdictState = "passed"
	VerdictFailed    VerdictState = "failed"
	VerdictNotJudged VerdictState = "not judged"
)

// UnmarshalJSON reads verdicts of version 1 summaries too, which had a
// passed flag instead of a state.
func (v *Verdict) UnmarshalJSON(data []byte) error {
	type plain Verdict
	var in struct {
		plain
		Passed *bool `json:"passed"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*v = Verdict(in.plain)
	if v.State == "" && in.Passed != nil {
		v.State = VerdictFailed
		if *in.Passed {
			v.State = VerdictPassed
		}
	}
	return nil
}

// Observation is something a run showed that is no promise of the
// server's, such as how well the harness's own clients did.
type Observation struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// PassedIf is VerdictPassed when ok holds, else VerdictFailed.
func PassedIf(ok bool) VerdictState {
	if ok {
		return VerdictPassed
	}
	return VerdictFailed
}

// Passed reports whether the run completed and no verdict failed; verdicts
// not judged do not fail a run (Counts tells how many there were).
func (s LoadSummary) Passed() bool {
	return !s.Incomplete && len(s.Failures()) == 0
}

// Failures lists the verdicts that failed, one line each.
func (s LoadSummary) Failures() []string {
	var out []string
	for _, v := range s.Verdicts {
		if v.State == VerdictFailed {
			out = append(out, v.Name+": "+v.Message)
		}
	}
	return out
}

// VerdictNamed finds a verdict of the summary by name.
func (s LoadSummary) VerdictNamed(name string) (Verdict, bool) {
	for _, v := range s.Verdicts {
		if v.Name == name {
			return v, true
		}
	}
	return Verdict{}, false
}

// WriteLoadSummary writes s to dir/<scenario>.summary.json atomically.
func WriteLoadSummary(dir string, s LoadSummary) error {
	if err := checkScenarioName(s.Scenario); err != nil {
		return err
	}
	s.Version = LoadSummaryVersion
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode load summary %q: %w", s.Scenario, err)
	}
	return WriteFileAtomic(filepath.Join(dir, s.Scenario+LoadSummarySuffix), append(data, '\n'))
}

// ReadLoadSummaries reads every *.summary.json in dir, sorted by scenario
// name. A missing dir is no error (a run with --skip-load writes none).
func ReadLoadSummaries(dir string) ([]LoadSummary, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"+LoadSummarySuffix))
	if err != nil {
		return nil, err
	}
	var out []LoadSummary
	var errs []error
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var s LoadSummary
		if err := json.Unmarshal(data, &s); err != nil {
			errs = append(errs, fmt.Errorf("results: %s: %w", p, err))
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scenario < out[j].Scenario })
	return out, errors.Join(errs...)
}

func checkScenarioName(name string) error {
	if name == "" || strings.ContainsAny(name, `/\ `) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("results: scenario name %q is not a plain file name", name)
	}
	return nil
}

// Milliseconds is d in milliseconds, as summaries write latencies.
func Milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
