// The builder: Source, Build and BuildRuns read runs into a View, part by part.

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

// Source says what a view is built from: one run's outputs.
type Source struct {
	// Dir is the output folder: run.json, Ginkgo JSON reports, load/.
	Dir string
	// GinkgoFiles are the Ginkgo JSON reports to read (see
	// FindGinkgoReports); where several hold a spec, the newest result wins.
	GinkgoFiles []string
	// Run describes the run; nil means Dir/run.json, when present.
	Run *results.RunInfo
	// Contract says what is documented: status codes, variants, versions.
	Contract *contract.Contract
	// Secrets are values that must never appear in an output, even where
	// a suite forgot to redact them.
	Secrets []string
	// Now stamps the view; nil means time.Now.
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

// Build reads one run's outputs into a view.
func Build(src Source) (*View, error) {
	return BuildRuns([]Source{src})
}

// BuildRuns reads several runs into one view: their specs side by side,
// each run's targets a row of the coverage matrices, each run's load
// scenarios under its label, one verdict over all. A run that cannot be
// read is left out and named in the error, which joins every such run's;
// the view holds the rest, and is nil only when none could be read.
func BuildRuns(srcs []Source) (*View, error) {
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
	b := &builder{View: &View{Generated: now().UTC()}}
	b.gather(runs)
	b.build(srcs[0].Contract)
	return b.View, errors.Join(errs...)
}

// builder decides what the view shows from the runs read: its methods
// fill the view in, one part each.
type builder struct {
	*View
	suiteFailures []string // why suites failed beyond their specs
	// advisoryStates are the advisory specs' states, which the contract's
	// counts leave out but the verdict reads: something ran, or was cut short.
	advisoryStates Counts
	partial        []string // what could not be read: no failure of the server's, but no whole run either
}

// gather sets the runs read side by side in the view.
func (b *builder) gather(runs []*runRead) {
	if len(runs) > 1 { // one run alone has nothing to tell apart
		for _, r := range runs {
			r.tag(r.src.Label)
		}
	}
	for i, r := range runs {
		if i == 0 {
			b.Run = r.info
		}
		b.Run.Incomplete = b.Run.Incomplete || r.info.Incomplete || r.interrupted
		if len(runs) > 1 || r.src.Merged {
			b.Runs = append(b.Runs, RunEntry{Label: r.src.Label, Info: r.info, Inputs: r.src.Inputs, Merged: r.src.Merged})
		}
		b.Specs = append(b.Specs, r.specs...)
		if r.load != nil {
			if b.Load == nil {
				b.Load = &Load{}
			}
			b.Load.Scenarios = append(b.Load.Scenarios, r.load.Scenarios...)
		}
		b.Suites = append(b.Suites, r.suites...)
		b.Sources = append(b.Sources, r.sources...)
		b.suiteFailures = append(b.suiteFailures, r.reasons...)
		b.partial = append(b.partial, r.partial...)
	}
}

// build decides every part of the view from what gather set there.
func (b *builder) build(c *contract.Contract) {
	b.mixedSpecs()
	b.advisories()
	b.markLoadOutages()
	b.conformance(c)
	b.scenarios()
	b.skips()
	b.failedChecks()
	b.decideRunVerdict()
	if b.Load != nil {
		for _, sc := range b.Load.Scenarios {
			b.Load.Charts = append(b.Load.Charts, sc.Charts...)
		}
	}
}

// runRead is what one run's outputs hold, before the view sets the runs
// side by side.
type runRead struct {
	src         Source
	info        results.RunInfo
	specs       []Spec
	load        *Load
	suites      []Suite
	sources     []string
	reasons     []string // why the run failed beyond its specs
	partial     []string // what of it could not be read
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
	} else if r.info, err = results.ReadRunInfo(src.Dir); err != nil {
		return nil, err
	}
	if len(r.info.Specs) == 0 {
		r.info.Specs = results.SpecInfos(src.Contract)
	}
	if r.info.Started.IsZero() {
		r.info.Started = earliestStart(files)
	}
	loadErr := r.readLoad()
	r.readSpecs(files)
	for _, f := range files {
		r.sources = append(r.sources, relativePath(src.Dir, f.Path))
	}
	r.suites = suitesOf(files)
	r.reasons, r.interrupted = suiteFailures(files)
	if loadErr != nil {
		r.partial = append(r.partial, "unreadable load summaries: "+contract.Redact(loadErr.Error(), src.Secrets...))
	}
	return r, nil
}

// readLoad reads the run's load summaries: those of a merged run in the
// order they ran, as the shards' suites listed them.
func (r *runRead) readLoad() error {
	loadDir := r.src.LoadDir
	if loadDir == "" {
		loadDir = results.LoadDir(r.src.Dir)
	}
	since := r.info.Started
	if r.src.Merged {
		since = time.Time{} // the merge wrote them after the shards ran
	}
	load, err := readLoad(loadDir, since, func(s string) string { return contract.Redact(s, r.src.Secrets...) })
	if load != nil && r.src.Merged {
		slices.SortStableFunc(load.Scenarios, func(a, b Scenario) int { return strings.Compare(a.StartedAt, b.StartedAt) })
	}
	r.load = load
	return err
}

// readSpecs reads the specs of the run's Ginkgo reports; a merged run's
// load specs are its merged verdicts.
func (r *runRead) readSpecs(files []ginkgoFile) {
	selected, err := types.ParseLabelFilter(r.info.LabelFilter)
	if err != nil {
		selected = func([]string) bool { return true }
	}
	for _, sr := range latestSpecs(files) {
		if sr.LeafNodeType != types.NodeTypeIt && !sr.Failed() {
			continue // set-up and reporting nodes matter only when they fail
		}
		s := newSpec(sr, r.src.Secrets)
		s.FilteredOut = s.State == NotRun && sr.LeafNodeType == types.NodeTypeIt && !selected(s.Labels)
		if r.src.Merged && s.Load {
			continue // the merged verdicts below stand for the shards'
		}
		r.specs = append(r.specs, s)
	}
	if r.src.Merged && r.load != nil {
		for _, sc := range r.load.Scenarios {
			r.specs = append(r.specs, loadVerdictSpecs(sc)...)
		}
	}
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
			sc.Title, sc.Anchor = scenarioTitle(label, sc.Scenario), scenarioAnchor(label, sc.Scenario)
			sc.Charts = charts(sc.LoadSummary, chartID(sc.Anchor))
		}
	}
	for _, reasons := range [][]string{r.reasons, r.partial} {
		for i, reason := range reasons {
			reasons[i] = label + ": " + reason
		}
	}
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
// so the outputs name no folder of the machine that wrote them.
func relativePath(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(path)
}
