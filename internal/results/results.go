// Package results is the one format between running and reporting: what
// the suites and the load runner write and internal/report reads. It holds
// the conformance records (Exchange, a Ginkgo report entry; OutageEntry),
// the load summaries with their file layout (LoadSummary, LoadDir,
// WriteLoadSummary, ReadLoadSummaries), the verdict states of a load
// scenario, run.json (RunInfo: the build, targets and specs of a run), the
// Ginkgo labels both sides agree on, and where a run's outputs go. Neither side
// reaches into the other: a page is rendered from files alone.
package results

import (
	"errors"
	"os"
	"path/filepath"

	"loginharness/internal/contract/finding"
)

// ExchangeEntry is the name of the Ginkgo report entry that carries an Exchange.
const ExchangeEntry = "harness.exchange"

// OutageEntry is the name of the Ginkgo report entry a spec carries when it
// was not judged because the target went away mid-run (no connection, no
// answer, a 502, 503 or 504 it did not set out to provoke); its value says
// what happened. Such a spec is skipped, and a run whose judged specs all
// passed but met an outage is not judged as a whole (exit 3).
const OutageEntry = "harness.outage"

// The values of Exchange.Target and TargetInfo.Kind.
const (
	TargetMock = "mock" // the in-process mock
	TargetLive = "live" // a live server
)

// Exchange is one request/response pair a suite checked against the contract.
// Every string in it is already redacted.
type Exchange struct {
	API       string            `json:"api"`               // "webex" or "commvault"
	Target    string            `json:"target"`            // TargetMock or TargetLive
	TargetURL string            `json:"targetUrl"`         // base URL the request went to
	Case      string            `json:"case"`              // what the spec entry set out to provoke, e.g. "status 429"
	Want      int               `json:"want,omitempty"`    // the documented status the case aimed at, 0 when any documented one will do
	Method    string            `json:"method"`            // request method
	Path      string            `json:"path"`              // request path, without query secrets
	Status    int               `json:"status"`            // status the target answered
	Variant   string            `json:"variant,omitempty"` // matched oneOf variant, e.g. "LoginResponse-SaaS"
	Findings  []finding.Finding `json:"findings,omitempty"`
	Excerpt   string            `json:"excerpt,omitempty"` // redacted start of the response body
	ElapsedMS float64           `json:"elapsedMs"`
}

// Redacted returns ex with each known secret, and its Base64 forms,
// replaced in every string it holds; the findings are copied.
func (ex Exchange) Redacted(secrets ...string) Exchange {
	ex.TargetURL = finding.Redact(ex.TargetURL, secrets...)
	ex.Path = finding.Redact(ex.Path, secrets...)
	ex.Case = finding.Redact(ex.Case, secrets...)
	ex.Excerpt = finding.Redact(ex.Excerpt, secrets...)
	if ex.Findings != nil {
		findings := make([]finding.Finding, len(ex.Findings))
		for i, f := range ex.Findings {
			findings[i] = f.Redacted(secrets...)
		}
		ex.Findings = findings
	}
	return ex
}

// OutDirEnv names the variable that overrides where outputs are written.
const OutDirEnv = "HARNESS_OUT"

// OutDir is where a run writes its outputs: $HARNESS_OUT when set, else the
// "reports" folder of the module root (found by walking up to go.mod), else
// "reports" under the working directory. Suites run by `go tool ginkgo` start
// in their own package folder, so a plain relative path would scatter outputs.
func OutDir() string {
	if dir := os.Getenv(OutDirEnv); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		return "reports"
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "reports")
		}
		if filepath.Dir(dir) == dir {
			return filepath.Join(wd, "reports")
		}
	}
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so a reader never sees half a file, even after Ctrl-C.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
