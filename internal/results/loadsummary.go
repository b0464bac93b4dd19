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
const LoadSummaryVersion = 1

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
	DurationSeconds float64 `json:"durationSeconds"` // planned attack duration
	ElapsedSeconds  float64 `json:"elapsedSeconds"`  // first request to last response

	Requests     int     `json:"requests"`     // responses (and errors) recorded
	AchievedRate float64 `json:"achievedRate"` // requests sent per second (Vegeta's Rate)
	AcceptedRate float64 `json:"acceptedRate"` // 2xx responses per second over the attack
	Errors       int     `json:"errors"`       // transport errors (status 0)

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
	// Probes are single requests timed against Retry-After (honesty scenario).
	Probes []Probe `json:"probes,omitempty"`

	// Validated counts responses checked against the spec; Nonconforming counts
	// those that broke it, by contract check (a response may break several).
	Validated     int            `json:"validated"`
	Nonconforming map[string]int `json:"nonconforming"`

	Verdicts []Verdict `json:"verdicts"`

	// Files names the scenario's Vegeta result files, relative to the summary.
	Files []string `json:"files"`

	Incomplete       bool   `json:"incomplete"`
	IncompleteReason string `json:"incompleteReason,omitempty"` // e.g. "interrupted"
}

// TargetInfo is where the load went.
type TargetInfo struct {
	Kind string `json:"kind"` // TargetMock or TargetLive
	URL  string `json:"url"`  // base URL, no credentials
}

// Limit is the rate a target should enforce.
type Limit struct {
	// Rate is the limit the run is judged against, requests per second.
	Rate float64 `json:"rate"`
	// Burst is the configured burst, 0 when unknown (live targets).
	Burst int `json:"burst,omitempty"`
	// Source says where Rate came from: "mock" (its configuration),
	// "HARNESS_EXPECTED_LIMIT", or "RateLimit-Policy" (declared by the server).
	Source string `json:"source"`
	// DeclaredRate is quota/window of the RateLimit-Policy the server sent, 0 when none.
	DeclaredRate float64 `json:"declaredRate,omitempty"`
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
	File           string  `json:"file"`           // its Vegeta result file
	OfferedRate    float64 `json:"offeredRate"`    // fresh requests arriving per second
	Offered        int     `json:"offered"`        // fresh requests that arrived during the run
	Sent           int     `json:"sent"`           // requests on the wire, retries included
	Deferred       int     `json:"deferred"`       // retries sent after waiting out a Retry-After
	Served         int     `json:"served"`         // 2xx responses
	Responses429   int     `json:"responses429"`   // all 429s
	Repeated429    int     `json:"repeated429"`    // 429s to requests sent after the client had been told to wait
	Pending        int     `json:"pending"`        // offered requests neither served nor sent when the run ended
	PacedRate      float64 `json:"pacedRate"`      // send rate the client kept to, from RateLimit-Policy; 0: none
	Goodput        float64 `json:"goodput"`        // 2xx per second over the whole run
	SteadyGoodput  float64 `json:"steadyGoodput"`  // 2xx per second once the first Retry-After had elapsed
	GoodputOfLimit float64 `json:"goodputOfLimit"` // SteadyGoodput / Limit.Rate
}

// Knee is where 429s begin in a ramp.
type Knee struct {
	Found        bool    `json:"found"`
	Rate         float64 `json:"rate"`         // offered rate when 429s began, req/s
	AtSeconds    float64 `json:"atSeconds"`    // since the ramp started
	AcceptedRate float64 `json:"acceptedRate"` // 2xx/s once over the knee, median of 500 ms slices
	LimitRate    float64 `json:"limitRate"`    // Limit.Rate, for side-by-side reading
	// BurstAdjustedRate is where the offered load crossed what the server
	// sustains: a token bucket lends its burst first, so 429s begin
	// sqrt(2*burst*slope) req/s above the limit. 0 when the burst is unknown.
	BurstAdjustedRate float64 `json:"burstAdjustedRate,omitempty"`
}

// Probe is one request timed against a Retry-After.
type Probe struct {
	Name              string  `json:"name"`              // e.g. "at Retry-After", "half of Retry-After"
	RetryAfterSeconds float64 `json:"retryAfterSeconds"` // the promise being checked
	WaitedSeconds     float64 `json:"waitedSeconds"`     // how long the probe waited
	Status            int     `json:"status"`
	Want              string  `json:"want"` // "served" or "429"
}

// Verdict is one judgement of a scenario.
type Verdict struct {
	Name    string
	State   VerdictState
	Message string
}

// VerdictState is how a judgement came out. Passed and failed are the states
// so far; a reader takes any other as not passed.
type VerdictState string

// The verdict states.
const (
	VerdictPassed VerdictState = "passed"
	VerdictFailed VerdictState = "failed"
)

// PassedIf is VerdictPassed when ok holds, else VerdictFailed.
func PassedIf(ok bool) VerdictState {
	if ok {
		return VerdictPassed
	}
	return VerdictFailed
}

// Passed tells whether the judgement passed.
func (v Verdict) Passed() bool { return v.State == VerdictPassed }

// verdictJSON is a Verdict in its file: the state, and beside it the
// passed flag of summaries written before states, which older readers use.
type verdictJSON struct {
	Name    string       `json:"name"`
	State   VerdictState `json:"state,omitempty"`
	Passed  bool         `json:"passed"`
	Message string       `json:"message"`
}

// MarshalJSON writes the state and the passed flag.
func (v Verdict) MarshalJSON() ([]byte, error) {
	return json.Marshal(verdictJSON{Name: v.Name, State: v.State, Passed: v.Passed(), Message: v.Message})
}

// UnmarshalJSON reads the state, or the passed flag of an older summary.
func (v *Verdict) UnmarshalJSON(data []byte) error {
	var j verdictJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*v = Verdict{Name: j.Name, State: j.State, Message: j.Message}
	if v.State == "" {
		v.State = PassedIf(j.Passed)
	}
	return nil
}

// Passed reports whether every verdict passed and the run completed.
func (s LoadSummary) Passed() bool {
	if s.Incomplete {
		return false
	}
	for _, v := range s.Verdicts {
		if !v.Passed() {
			return false
		}
	}
	return true
}

// Failures lists the verdicts that did not pass, one line each.
func (s LoadSummary) Failures() []string {
	var out []string
	for _, v := range s.Verdicts {
		if !v.Passed() {
			out = append(out, v.Name+": "+v.Message)
		}
	}
	return out
}

// WriteLoadSummary writes s to dir/<scenario>.summary.json atomically.
func WriteLoadSummary(dir string, s LoadSummary) error {
	if err := checkScenarioName(s.Scenario); err != nil {
		return err
	}
	s.Version = LoadSummaryVersion
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("load: encode summary %q: %w", s.Scenario, err)
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
			errs = append(errs, fmt.Errorf("load: %s: %w", p, err))
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Scenario < out[j].Scenario })
	return out, errors.Join(errs...)
}

func checkScenarioName(name string) error {
	if name == "" || strings.ContainsAny(name, `/\ `) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("load: scenario name %q is not a plain file name", name)
	}
	return nil
}

// Milliseconds is d in the unit of the summaries' latencies.
func Milliseconds(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
