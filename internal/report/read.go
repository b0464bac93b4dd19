package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
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
	Shard *results.Shard `json:"shard,omitempty"`
}

// Target is where the requests for one API went.
type Target struct {
	API string `json:"api"`
	URL string `json:"url,omitempty"` // empty for the embedded mock
	// Run is the label of the run that sent them, on a page of several
	// runs, where two runs on the mock are two targets.
	Run string `json:"-"`
}

// Live reports whether the target is a real server rather than the embedded mock.
func (t Target) Live() bool { return t.URL != "" }

// Name is how the report labels the target.
func (t Target) Name() string {
	name := "embedded mock"
	if t.Live() {
		name = t.URL
	}
	if t.Run != "" {
		name += " (" + t.Run + ")"
	}
	return name
}

// SpecInfo identifies the contract one API was checked against.
type SpecInfo struct {
	API     string `json:"api"`
	File    string `json:"file"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
}

// WriteRunInfo writes info to dir/run.json atomically.
func WriteRunInfo(dir string, info RunInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, RunInfoFile), append(data, '\n'))
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

// ginkgoFile is one Ginkgo JSON report file: a list of suite reports.
type ginkgoFile struct {
	Path    string
	Reports []types.Report
}

// FindGinkgoReports lists the Ginkgo JSON reports directly in dir. Other
// JSON files there (run.json, a benchmark table) are passed over, so a whole
// reports folder can be handed in as it is.
func FindGinkgoReports(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var found []string
	for _, path := range paths {
		if filepath.Base(path) == RunInfoFile {
			continue
		}
		_, err := readGinkgoFile(path)
		if errors.Is(err, errNotGinkgo) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = append(found, path)
	}
	return found, nil
}

var errNotGinkgo = errors.New("not a Ginkgo JSON report")

func readGinkgoFile(path string) (ginkgoFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return ginkgoFile{}, err
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		// Broken JSON is a damaged file (cut short by a full disk, a
		// killed run, a partial upload), not another kind of JSON: name
		// it rather than render "no results" in silence.
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return ginkgoFile{}, fmt.Errorf("%s: not valid JSON, a damaged or truncated report? %w", path, err)
		}
		return ginkgoFile{}, fmt.Errorf("%s: %w", path, errNotGinkgo)
	}
	if !isGinkgo(reports) {
		return ginkgoFile{}, fmt.Errorf("%s: %w", path, errNotGinkgo)
	}
	return ginkgoFile{Path: path, Reports: reports}, nil
}

func isGinkgo(reports []types.Report) bool {
	return len(reports) > 0 && !slices.ContainsFunc(reports, func(r types.Report) bool {
		return r.SuitePath == "" || r.StartTime.IsZero()
	})
}

// latestSpecs returns the spec reports of all files, keeping for each spec
// (by text and location) only the one from the newest suite run, so that a
// folder holding an old and a new report of the same suite shows the new one.
func latestSpecs(files []ginkgoFile) []types.SpecReport {
	type kept struct {
		started time.Time
		index   int
	}
	byKey := map[string]kept{}
	var specs []types.SpecReport
	for _, f := range files {
		for _, r := range f.Reports {
			for _, s := range r.SpecReports {
				key := s.FullText() + "\x00" + s.LeafNodeLocation.String() + "\x00" + s.LeafNodeType.String()
				if k, ok := byKey[key]; ok {
					if !r.StartTime.After(k.started) {
						continue
					}
					specs[k.index] = s
					byKey[key] = kept{r.StartTime, k.index}
					continue
				}
				byKey[key] = kept{r.StartTime, len(specs)}
				specs = append(specs, s)
			}
		}
	}
	return specs
}

// exchanges decodes the results.Exchange report entries of a spec.
func exchanges(s types.SpecReport) []results.Exchange {
	var out []results.Exchange
	for _, e := range s.ReportEntries {
		if e.Name != results.ExchangeEntry {
			continue
		}
		var ex results.Exchange
		if json.Unmarshal([]byte(e.Value.AsJSON), &ex) == nil {
			out = append(out, ex)
		}
	}
	return out
}
