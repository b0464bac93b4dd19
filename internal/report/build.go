// Package report turns a run's output folder (Ginkgo's JSON report with its
// results.Exchange entries, the load summaries, run.json) into one
// self-contained HTML page and a short console summary. It reads files only,
// never the suites, so CI artifacts can be rendered again anywhere.
package report

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// Source says what a page is built from.
type Source struct {
	// Dir is the output folder: run.json, Ginkgo JSON reports, load/.
	Dir string
	// GinkgoFiles are the Ginkgo JSON reports to read (see
	// FindGinkgoReports); where several hold a spec, the newest result wins.
	GinkgoFiles []string
	// Run describes the run; nil means Dir/run.json, when present.
	Run *RunInfo
	// Contract says what is documented: status codes, variants, versions.
	Contract *contract.Contract
	// Secrets are values that must never appear on the page, even where a
	// suite forgot to redact them.
	Secrets []string
	// Now stamps the page; nil means time.Now.
	Now func() time.Time
}

// Build reads the run's outputs and decides what the page shows.
func Build(src Source) (*Page, error) {
	if src.Contract == nil {
		return nil, errors.New("report: no contract to judge coverage against")
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	p := &Page{Generated: now().UTC()}

	var files []ginkgoFile
	for _, path := range src.GinkgoFiles {
		f, err := readGinkgoFile(path)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	var err error
	if src.Run != nil {
		p.Run = *src.Run
	} else if p.Run, err = readRunInfo(src.Dir); err != nil {
		return nil, err
	}
	if len(p.Run.Specs) == 0 {
		p.Run.Specs = SpecInfos(src.Contract)
	}
	if p.Run.Started.IsZero() {
		p.Run.Started = earliestStart(files)
	}

	redact := func(s string) string { return contract.Redact(s, src.Secrets...) }
	var loadErr error
	p.Load, loadErr = readLoad(results.LoadDir(src.Dir), p.Run.Started, redact)
	p.conformance(src.Contract, latestSpecs(files), src.Secrets)
	p.scenarios()
	p.skips()
	for _, f := range files {
		p.Sources = append(p.Sources, relativePath(src.Dir, f.Path))
	}
	reasons, interrupted := suiteFailures(files)
	if loadErr != nil {
		reasons = append(reasons, "unreadable load summaries: "+redact(loadErr.Error()))
	}
	p.Run.Incomplete = p.Run.Incomplete || interrupted
	p.verdict(reasons)
	return p, nil
}

// SpecInfos lists the version and hash of each API's spec.
func SpecInfos(c *contract.Contract) []SpecInfo {
	var out []SpecInfo
	for _, api := range contract.APIs() {
		if s := c.Spec(api); s != nil {
			out = append(out, SpecInfo{API: string(api), File: s.File, Version: s.Version, SHA256: s.SHA256})
		}
	}
	return out
}

func earliestStart(files []ginkgoFile) time.Time {
	var t time.Time
	for _, f := range files {
		for _, r := range f.Reports {
			if t.IsZero() || r.StartTime.Before(t) {
				t = r.StartTime
			}
		}
	}
	return t
}

// suiteFailures are the reasons Ginkgo gives for failing a suite as a
// whole, beyond its specs: a timeout, a failed set-up, an interrupt (which
// also makes the run incomplete).
func suiteFailures(files []ginkgoFile) (reasons []string, interrupted bool) {
	for _, f := range files {
		for _, r := range f.Reports {
			for _, reason := range r.SpecialSuiteFailureReasons {
				if strings.HasPrefix(reason, "Interrupted") {
					interrupted = true
					continue
				}
				reasons = append(reasons, fmt.Sprintf("%s: %s", r.SuiteDescription, firstLine(reason)))
			}
		}
	}
	return reasons, interrupted
}

// relativePath names a file of the output folder as the folder sees it,
// so the page names no folder of the machine that wrote it.
func relativePath(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(path)
}
