// Package report turns a run's output folder (Ginkgo's JSON report with its
// results.Exchange entries, the load summaries, run.json) into one
// self-contained HTML page and a short console summary. It reads files only,
// never the suites, so CI artifacts can be rendered again anywhere.
package report

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// Source says what a page is built from: one run's outputs.
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

	// Label names the run on a page of several (BuildRuns): its targets
	// and load scenarios carry it, so two runs on the mock stay apart.
	Label string
	// LoadDir holds the run's load summaries; empty means Dir's load/.
	LoadDir string
	// Merged says LoadDir holds the merged summaries of a sharded run
	// (load.Merge): their verdicts replace the shards' own load specs,
	// which left the shared limit to the merge.
	Merged bool
	// Inputs are the folders the run was read from, as the user named
	// them: the shards' folders of a merged run.
	Inputs []string
}

// Build reads one run's outputs and decides what the page shows.
func Build(src Source) (*Page, error) {
	return BuildRuns([]Source{src})
}

// BuildRuns renders several runs on one page: their specs side by side,
// each run's targets a row of the coverage matrices, each run's load
// scenarios under its label, one verdict over all. A run that cannot be
// read is left out and named in the error, which joins every such run's;
// the page holds the rest, and is nil only when none could be read.
func BuildRuns(srcs []Source) (*Page, error) {
	if len(srcs) == 0 {
		return nil, errors.New("report: no run to render")
	}
	for _, src := range srcs {
		if src.Contract == nil {
			return nil, errors.New("report: no contract to judge coverage against")
		}
	}
	now := time.Now
	if srcs[0].Now != nil {
		now = srcs[0].Now
	}
	p := &Page{Generated: now().UTC()}
	var runs []*runRead
	var errs []error
	for _, src := range srcs {
		r, err := readRun(src)
		if err != nil {
			if len(srcs) > 1 {
				err = fmt.Errorf("%s: %w", src.Dir, err)
			}
			errs = append(errs, err)
			continue
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return nil, errors.Join(errs...)
	}
	if len(runs) > 1 { // one run alone has nothing to tell apart
		for _, r := range runs {
			r.tag(r.src.Label)
		}
	}
	var reasons, partial []string
	for i, r := range runs {
		if i == 0 {
			p.Run = r.info
		}
		p.Run.Incomplete = p.Run.Incomplete || r.info.Incomplete || r.interrupted
		if len(runs) > 1 || r.src.Merged {
			p.Runs = append(p.Runs, RunEntry{Label: r.src.Label, Info: r.info, Inputs: r.src.Inputs, Merged: r.src.Merged})
		}
		p.Specs = append(p.Specs, r.specs...)
		if r.load != nil {
			if p.Load == nil {
				p.Load = &Load{}
			}
			p.Load.Scenarios = append(p.Load.Scenarios, r.load.Scenarios...)
		}
		p.Sources = append(p.Sources, r.sources...)
		reasons = append(reasons, r.reasons...)
		partial = append(partial, r.partial...)
	}
	p.mixedSpecs()
	p.conformance(srcs[0].Contract)
	p.scenarios()
	p.skips()
	p.verdict(reasons, partial)
	return p, errors.Join(errs...)
}

// runRead is what one run's outputs hold, before the page sets the runs
// side by side.
type runRead struct {
	src         Source
	info        RunInfo
	specs       []Spec
	load        *Load
	sources     []string
	reasons     []string // why the run failed beyond its specs
	partial     []string // what of it could not be read: no failure of the server's, but no whole run either
	interrupted bool
}

// readRun reads one run's outputs: its run.json, Ginkgo reports and load
// summaries.
func readRun(src Source) (*runRead, error) {
	r := &runRead{src: src}
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
		r.info = *src.Run
	} else if r.info, err = ReadRunInfo(src.Dir); err != nil {
		return nil, err
	}
	if len(r.info.Specs) == 0 {
		r.info.Specs = SpecInfos(src.Contract)
	}
	if r.info.Started.IsZero() {
		r.info.Started = earliestStart(files)
	}
	loadDir := src.LoadDir
	if loadDir == "" {
		loadDir = results.LoadDir(src.Dir)
	}
	redact := func(s string) string { return contract.Redact(s, src.Secrets...) }
	since := r.info.Started
	if src.Merged {
		since = time.Time{} // the merge wrote them after the shards ran
	}
	load, loadErr := readLoad(loadDir, since, redact)
	if load != nil && src.Merged {
		// In the order they ran, as the shards' suites listed them.
		slices.SortStableFunc(load.Scenarios, func(a, b Scenario) int { return strings.Compare(a.StartedAt, b.StartedAt) })
	}
	r.load = load
	for _, sr := range latestSpecs(files) {
		if sr.LeafNodeType != types.NodeTypeIt && !sr.Failed() {
			continue // set-up and reporting nodes matter only when they fail
		}
		s := newSpec(sr, contract.APIs(), src.Secrets)
		if src.Merged && s.Load {
			continue // the merged verdicts below stand for the shards'
		}
		r.specs = append(r.specs, s)
	}
	if src.Merged && load != nil {
		for _, sc := range load.Scenarios {
			r.specs = append(r.specs, sc.verdictSpecs()...)
		}
	}
	for _, f := range files {
		r.sources = append(r.sources, relativePath(src.Dir, f.Path))
	}
	r.reasons, r.interrupted = suiteFailures(files)
	if loadErr != nil {
		r.partial = append(r.partial, "unreadable load summaries: "+redact(loadErr.Error()))
	}
	return r, nil
}

// tag marks the run's specs, scenarios (and their charts' ids) and
// reasons with its label, on a page of several runs.
func (r *runRead) tag(label string) {
	for i := range r.specs {
		r.specs[i].Run = label
	}
	if r.load != nil {
		for i := range r.load.Scenarios {
			sc := &r.load.Scenarios[i]
			sc.Run = label
			sc.Charts = charts(sc.LoadSummary, sc.chartID())
		}
	}
	for _, reasons := range [][]string{r.reasons, r.partial} {
		for i, reason := range reasons {
			reasons[i] = label + ": " + reason
		}
	}
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
