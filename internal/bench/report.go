package bench

// ReportVersion is bumped when a field of Report changes meaning.
const ReportVersion = 2

// Report is reports/bench.json: every figure of one benchmark run.
// Rates are requests per second, latencies milliseconds, memory KiB.
type Report struct {
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
	Ceiling     *Ceiling      `json:"ceiling,omitempty"`
	Limiter     []Limiter     `json:"limiter"`
	Conformance []Conformance `json:"conformance"`
	Memory      []Memory      `json:"memory"`

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
	// Top marks the row at the top rate (Report.Ceiling's Rate).
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

// Limiter is one over-limit run against the mock and the Retry-After probes after it.
type Limiter struct {
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

// Conformance is one timed run of the conformance suite.
type Conformance struct {
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
