// Reading Ginkgo JSON reports: the files, the newest result of each spec, its report entries.

package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
)

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
		if filepath.Base(path) == results.RunInfoFile {
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

// entryValues decodes a spec's report entries of one name, in the order
// they were added, passing over those that do not decode as a T.
func entryValues[T any](s types.SpecReport, name string) []T {
	var out []T
	for _, e := range s.ReportEntries {
		if e.Name != name {
			continue
		}
		var v T
		if json.Unmarshal([]byte(e.Value.AsJSON), &v) == nil {
			out = append(out, v)
		}
	}
	return out
}

// outage is what the results.OutageEntry of a spec says went away; "" when
// it carries none.
func outage(s types.SpecReport) string {
	for _, e := range s.ReportEntries {
		if e.Name != results.OutageEntry {
			continue
		}
		var what string
		if json.Unmarshal([]byte(e.Value.AsJSON), &what) != nil || what == "" {
			what = e.Value.String()
		}
		if what == "" {
			what = "the target went away"
		}
		return what
	}
	return ""
}

// suitesOf lists the suite runs of the files.
func suitesOf(files []ginkgoFile) []Suite {
	var out []Suite
	for _, f := range files {
		for _, r := range f.Reports {
			out = append(out, Suite{
				Description: r.SuiteDescription, Started: r.StartTime, Duration: r.RunTime,
				Succeeded: r.SuiteSucceeded, FailureReasons: r.SpecialSuiteFailureReasons, RandomSeed: r.SuiteConfig.RandomSeed,
			})
		}
	}
	return out
}
