// Package scorecard is reports/bench.json: the figures of one `make bench` run and
// the goals judged on them as ratios of figures measured side by side.
//
// It is a pure model: nothing here measures, runs or asserts on time, so the
// goals can be proved both ways on made-up cards.
package scorecard

// Version is bumped when a field of Card changes meaning.
const Version = 2

// Card is reports/bench.json: every figure of one benchmark run.
// Rates are requests per second, latencies milliseconds, memory KiB.
type Card struct {
	Version        int     `json:"version"`
	StartedAt      string  `json:"startedAt"` // RFC 3339, UTC
	ElapsedSeconds float64 `json:"elapsedSeconds"`
	Quick          bool    `json:"quick"`
	Command        string  `json:"command"`
	Env            Env     `json:"env"`

	Throughput []Throughput `json:"throughput"`
	Handler    []Cost       `json:"handler"`
	Validation []Cost       `json:"validation"`
	Fidelity   []Fidelity   `json:"fidelity"`
	// Ceiling is plain Vegeta's measured ceiling, which caps the top
	// fidelity row; nil when the fidelity section did not run.
	Ceiling     *Ceiling          `json:"ceiling,omitempty"`
	Limiter     []LimiterAccuracy `json:"limiter"`
	Conformance []SuiteTime       `json:"conformance"`
	Memory      []Memory          `json:"memory"`

	Goals []Goal   `json:"goals"`
	Notes []string `json:"notes,omitempty"` // skipped sections and why
}

// Env is the machine and tools of the run.
type Env struct {
	GoVersion  string `json:"goVersion"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	NumCPU     int    `json:"numCPU"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Wrk        string `json:"wrk,omitempty"` // wrk's version line, "" when missing
	// LoadAvg is /proc/loadavg's 1-minute figure at the start and the end:
	// well above NumCPU means other work shared the machine.
	LoadAvgStart string `json:"loadAvgStart,omitempty"`
	LoadAvgEnd   string `json:"loadAvgEnd,omitempty"`
}

// Throughput is one closed-loop run against one server.
type Throughput struct {
	Source         string         `json:"source"` // "vegeta" or "wrk"
	Connections    int            `json:"connections"`
	Server         string         `json:"server"` // "bare" or "mock"
	Seconds        float64        `json:"seconds"`
	Requests       int64          `json:"requests"`
	RequestsPerSec float64        `json:"requestsPerSec"`
	P50Ms          float64        `json:"p50Ms"`
	P99Ms          float64        `json:"p99Ms"`
	Non2xx         int64          `json:"non2xx"`
	Errors         int64          `json:"errors"`
	StatusCodes    map[string]int `json:"statusCodes,omitempty"`
	Skipped        string         `json:"skipped,omitempty"` // why the row has no figures
	// Rounds are the requests/s of each round; RequestsPerSec, P50Ms and
	// P99Ms are the medians over rounds. Rounds of bare and mock alternate.
	Rounds []float64 `json:"rounds,omitempty"`
	// RatioToBare (mock rows) is the median over rounds of mock/bare
	// requests/s, each round's pair run back to back.
	RatioToBare float64 `json:"ratioToBare,omitempty"`
}

// Cost is the in-process cost of one call, from testing.Benchmark.
type Cost struct {
	Name        string  `json:"name"`
	API         string  `json:"api,omitempty"`
	Status      int     `json:"status,omitempty"`
	Variant     string  `json:"variant,omitempty"`
	NsPerOp     float64 `json:"nsPerOp"`              // wall time
	CPUNsPerOp  float64 `json:"cpuNsPerOp,omitempty"` // process CPU time (user+system), steadier when other work shares the machine
	AllocsPerOp int64   `json:"allocsPerOp"`
	BytesPerOp  int64   `json:"bytesPerOp"`
	Iterations  int     `json:"iterations"`
	Findings    int     `json:"findings"` // what the validator found (0: the response keeps the contract)
	// Plain is the same response through plain kin-openapi
	// (openapi3filter.ValidateResponse), measured in the same run, in
	// rounds taking turns with this cost's.
	Plain *Cost `json:"plain,omitempty"`
	// RatioToPlain is the median over rounds of this cost over Plain's
	// (CPU time per call, else wall time), each round's pair back to back.
	RatioToPlain float64 `json:"ratioToPlain,omitempty"`
}

// Fidelity is one open-loop run against the bare handler.
type Fidelity struct {
	Mode          string  `json:"mode"` // "vegeta" or the harness's load path
	RequestedRate float64 `json:"requestedRate"`
	AchievedRate  float64 `json:"achievedRate"` // responses per second, first request sent to last response
	SentRate      float64 `json:"sentRate"`     // requests sent per second (Vegeta's Rate)
	Throughput    float64 `json:"throughput"`   // 2xx per second
	Requests      int     `json:"requests"`
	P99Ms         float64 `json:"p99Ms"`
	Validated     int     `json:"validated"`
	Nonconforming int     `json:"nonconforming"`
	Errors        int     `json:"errors"`
	// Rounds are the achieved rates of each round; AchievedRate, SentRate,
	// Throughput and P99Ms are medians over rounds, counts are sums.
	Rounds []float64 `json:"rounds,omitempty"`
	// RatioToPlain (modes other than plain) is the median over rounds of
	// this mode's achieved rate over plain Vegeta's in the same round;
	// RatioRounds are those per-round ratios, which show the noise.
	RatioToPlain float64   `json:"ratioToPlain,omitempty"`
	RatioRounds  []float64 `json:"ratioRounds,omitempty"`
	// Top marks the row at the top rate (Card.Ceiling's Rate).
	Top bool `json:"top,omitempty"`
	// CPUSeconds is the load process's CPU time (user and system) over
	// the runs, summed over rounds; CPUMicrosPerRequest is that per request.
	CPUSeconds          float64 `json:"cpuSeconds,omitempty"`
	CPUMicrosPerRequest float64 `json:"cpuMicrosPerRequest,omitempty"`
	// Validators is contract.ValidateResponse's share of the load process's
	// CPU time over the rounds of a mode that validates, from CPU profiles
	// of the runs (see CPUShare); nil when not measured.
	Validators *CPUShare `json:"validators,omitempty"`
}

// LimiterAccuracy is one over-limit run against the mock and the Retry-After probes after it.
type LimiterAccuracy struct {
	Limit         float64 `json:"limit"`
	Burst         int     `json:"burst"`
	OfferedRate   float64 `json:"offeredRate"`
	Seconds       float64 `json:"seconds"`  // first to last request sent
	Accepted      int     `json:"accepted"` // 2xx
	Expected      float64 `json:"expected"` // burst + limit x seconds
	AcceptedRate  float64 `json:"acceptedRate"`
	AcceptedError float64 `json:"acceptedError"` // (accepted - expected) / expected
	Responses429  int     `json:"responses429"`
	Other         int     `json:"other"` // neither 2xx nor 429
	// Retry-After values the 429s of the run carried (seconds).
	RetryAfterMin float64 `json:"retryAfterMin"`
	RetryAfterMax float64 `json:"retryAfterMax"`
	// Probes: after a 429, poll until served; error = announced - actual wait
	// (positive: the client waits longer than needed; negative: Retry-After lied).
	Probes            int     `json:"probes"`
	ActualWaitMeanMs  float64 `json:"actualWaitMeanMs"`
	RetryAfterErrMean float64 `json:"retryAfterErrMeanSeconds"`
	RetryAfterErrMin  float64 `json:"retryAfterErrMinSeconds"`
	Honest            bool    `json:"honest"` // every probe was served by the announced time
}

// SuiteTime is one timed run of the conformance suite.
type SuiteTime struct {
	Scope        string  `json:"scope"`   // "webex", "commvault", "both", or "compile"
	Seconds      float64 `json:"seconds"` // wall time of the process
	Passed       bool    `json:"passed"`
	Specs        int     `json:"specs,omitempty"`        // specs run
	OfSpecs      int     `json:"ofSpecs,omitempty"`      // specs in the suite
	SuiteSeconds float64 `json:"suiteSeconds,omitempty"` // Ginkgo's own "in S seconds"
	Note         string  `json:"note,omitempty"`
}

// Memory is the mock's peak memory after a flood of distinct client keys.
type Memory struct {
	Keys        int              `json:"keys"`
	MaxKeys     int              `json:"maxKeys"` // the mock's cap of tracked keys
	Seconds     float64          `json:"seconds"`
	StatusCodes map[string]int64 `json:"statusCodes"`
	RSSBeforeKB int64            `json:"rssBeforeKB"` // after start-up and a warm-up
	HWMKB       int64            `json:"hwmKB"`       // VmHWM after the flood
	RSSAfterKB  int64            `json:"rssAfterKB"`
}

// CeilingKeepUp is the share of a requested rate plain Vegeta must achieve
// to count as keeping up with it. Achieved counts until the last response,
// so a run that keeps up loses only its last latency (under 1 % of a
// 3 s run); below 0.98 answers queue up: the machine sets the pace.
const CeilingKeepUp = 0.98

// CeilingProbe is one open-loop run of plain Vegeta in a ceiling search.
type CeilingProbe struct {
	Requested float64 `json:"requested"`
	Achieved  float64 `json:"achieved"`
	KeptUp    bool    `json:"keptUp"`
	Error     string  `json:"error,omitempty"`
}

// Ceiling is what plain Vegeta sustains on this machine, up to Top: the
// top fidelity row runs at Rate, which is Top unless Top is beyond Vegeta
// here, in which case it is the highest rate plain Vegeta kept up with.
type Ceiling struct {
	Top        float64        `json:"top"`
	Rate       float64        `json:"rate"`       // 0 when plain Vegeta kept up with nothing probed
	BelowTop   bool           `json:"belowTop"`   // Top is above the ceiling: Rate is the ceiling measured
	Resolution float64        `json:"resolution"` // the search stops when the bracket is this narrow
	Probes     []CeilingProbe `json:"probes"`
}

// CPUShare is how much of a process's CPU time went to one function,
// measured with the Go CPU profiler: it samples every thread of the
// process 100 times per CPU-second, recording the stack, so the samples
// whose stack passes through the function (inlined or not, whatever calls
// it, on whichever goroutine) over all samples is its share of the
// process's CPU time. The profiler's own cost falls on every function alike.
type CPUShare struct {
	Func    string  `json:"func"`    // the function counted, fully qualified
	Samples int64   `json:"samples"` // all samples of the process
	InFunc  int64   `json:"inFunc"`  // samples with Func on the stack
	Share   float64 `json:"share"`   // InFunc / Samples, 0..1
	// ProcessCPUSeconds is the process's CPU time (user and system) over
	// the same span, from getrusage; the samples add up to about as much.
	ProcessCPUSeconds float64 `json:"processCPUSeconds"`
}

// Add pools another measurement of the same function into s.
func (s *CPUShare) Add(o CPUShare) {
	s.Func = o.Func
	s.Samples += o.Samples
	s.InFunc += o.InFunc
	s.ProcessCPUSeconds += o.ProcessCPUSeconds
	s.Share = 0
	if s.Samples > 0 {
		s.Share = float64(s.InFunc) / float64(s.Samples)
	}
}
