package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"loginharness/internal/contract/finding"
)

// RunInfoFile is the file beside the Ginkgo report that holds a RunInfo.
const RunInfoFile = "run.json"

// RunInfo records what only the harness knows about a run: which build ran
// it, against which targets and specs, and whether it finished. `harness run`
// writes it next to the Ginkgo report so that `harness report` can render the
// same header later, from CI artifacts, with another build.
type RunInfo struct {
	HarnessVersion string     `json:"harnessVersion"`
	Started        time.Time  `json:"started"`
	Finished       time.Time  `json:"finished,omitzero"`
	Incomplete     bool       `json:"incomplete,omitempty"` // interrupted: the results are partial
	LabelFilter    string     `json:"labelFilter,omitempty"`
	Drift          []string   `json:"drift,omitempty"` // contract breaks the mock made on purpose
	Targets        []Target   `json:"targets,omitempty"`
	Specs          []SpecInfo `json:"specs,omitempty"`
	// Shard is set when the run was one shard of a sharded load run.
	Shard *Shard `json:"shard,omitempty"`
}

// Target is where a run sent the requests for one API.
type Target struct {
	API string `json:"api"`
	URL string `json:"url,omitempty"` // empty for the embedded mock
}

// Live reports whether the target is a real server rather than the embedded mock.
func (t Target) Live() bool { return t.URL != "" }

// Name is how outputs label the target: its URL, or "embedded mock".
func (t Target) Name() string {
	if t.Live() {
		return t.URL
	}
	return "embedded mock"
}

// SpecInfo identifies the contract one API was checked against.
type SpecInfo struct {
	API     string `json:"api"`
	File    string `json:"file"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// SpecSource is what SpecInfos reads: a *contract.Contract, seen
// through the HTTP-free leaf package, so results pulls in no HTTP client.
type SpecSource interface{ SpecIDs() []finding.SpecID }

// SpecInfos lists the file, version and hash of each API's spec in c.
func SpecInfos(c SpecSource) []SpecInfo {
	var out []SpecInfo
	for _, id := range c.SpecIDs() {
		out = append(out, SpecInfo(id))
	}
	return out
}

// WriteRunInfo writes info to dir/run.json atomically.
func WriteRunInfo(dir string, info RunInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, RunInfoFile), append(data, '\n'))
}

// ReadRunInfo reads dir/run.json; there is none in a folder written by
// `go tool ginkgo` rather than `harness run`, which leaves info empty.
func ReadRunInfo(dir string) (info RunInfo, err error) {
	path := filepath.Join(dir, RunInfoFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return RunInfo{}, nil
	}
	if err != nil {
		return RunInfo{}, err
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return RunInfo{}, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}
