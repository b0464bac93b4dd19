package main

import (
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"loginharness/internal/contract"
	"loginharness/internal/load"

	// The suites register their specs when linked in; `go tool ginkgo`
	// runs the very same specs from their _test.go files.
	_ "loginharness/suites/advisory"
	_ "loginharness/suites/conformance"
	_ "loginharness/suites/loadtest"
)

// Where a run's Ginkgo reports go, under its output folder.
const (
	ginkgoJSON  = "ginkgo.json"
	ginkgoJUnit = "junit.xml"
)

// suiteRun is one run of the linked suites, configured as the ginkgo CLI
// would configure it from its flags.
type suiteRun struct {
	labelFilter string
	outDir      string
	verbose     bool // Ginkgo's own output; else nothing until the summary, but progress on a terminal
	total       int  // specs the filter selects, for the progress line
}

// selection is what a label filter selects of the linked specs.
type selection struct {
	specs  int            // specs linked in
	chosen int            // specs the filter selects
	apis   []contract.API // the APIs with a chosen spec
	labels []string       // every label in use
}

// preview lists what the filter selects without running a spec (Ginkgo's
// dry run), so a filter that selects nothing is a usage error, and only
// the APIs the run tests are checked before it.
func (s suiteRun) preview() selection {
	suite := types.NewDefaultSuiteConfig()
	suite.LabelFilter = s.labelFilter
	var sel selection
	labels := map[string]bool{}
	for _, sr := range ginkgo.PreviewSpecs(suiteName, suite).SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		sel.specs++
		for _, l := range sr.Labels() {
			labels[l] = true
		}
		if sr.State != types.SpecStatePassed { // a dry run passes what it would run
			continue
		}
		sel.chosen++
		for _, api := range contract.APIs() {
			if slices.Contains(sr.Labels(), string(api)) && !slices.Contains(sel.apis, api) {
				sel.apis = append(sel.apis, api)
			}
		}
	}
	sel.labels = slices.Sorted(maps.Keys(labels))
	return sel
}

// suiteName is the Ginkgo suite's description.
const suiteName = "loginharness"

// labelFilter joins the slices a run was asked for into one Ginkgo label
// filter; each part is parenthesised so an || in one cannot widen another.
func labelFilter(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	if len(kept) < 2 {
		return strings.Join(kept, "")
	}
	return "(" + strings.Join(kept, ") && (") + ")"
}

// recordingT is the GinkgoTestingT RunSpecs reports to outside `go test`.
type recordingT struct{ failed bool }

func (t *recordingT) Fail() { t.failed = true }

// run runs the specs once (Ginkgo allows one RunSpecs per process) and
// returns the path of its JSON report, empty if Ginkgo wrote none, and
// whether every spec passed. The JUnit report is written later, from the
// report's view (report.WriteJUnit); a stale one is removed here all the same.
func (s suiteRun) run() (jsonPath string, passed bool, err error) {
	json, junit := reportFile(filepath.Join(s.outDir, ginkgoJSON)), reportFile(filepath.Join(s.outDir, ginkgoJUnit))
	for _, f := range []reportFile{json, junit} {
		if err := f.removeStale(); err != nil {
			return "", false, err
		}
	}
	suite := types.NewDefaultSuiteConfig()
	suite.LabelFilter = s.labelFilter
	reporter := types.NewDefaultReporterConfig()
	reporter.Verbose = s.verbose
	reporter.NoColor = os.Getenv("NO_COLOR") != "" || !isTerminal(os.Stdout)
	reporter.JSONReport = json.partial()

	gomega.RegisterFailHandler(ginkgo.Fail)
	t := &recordingT{}
	// Ginkgo prints to formatter.ColorableStdOut: all of it with -v, less
	// the goroutine stacks of the progress report it prints on Ctrl-C;
	// nothing without, where the summary says what matters.
	stdout := formatter.ColorableStdOut
	console := newStackFilter(stdout)
	formatter.ColorableStdOut = console
	if !s.verbose {
		formatter.ColorableStdOut = io.Discard
		if load.Interactive(os.Stderr) {
			p := &specProgress{w: os.Stderr, total: s.total}
			ginkgo.ReportAfterEach(p.add)
			defer p.done()
		}
	}
	ginkgo.RunSpecs(t, suiteName, suite, reporter)
	formatter.ColorableStdOut = stdout
	if err := console.Flush(); err != nil {
		return "", false, err
	}

	wroteJSON, err := json.publish()
	if err != nil {
		return "", false, err
	}
	if wroteJSON {
		jsonPath = string(json)
	}
	return jsonPath, !t.failed, nil
}

// reportFile is a report Ginkgo writes. Ginkgo writes it in place, so it
// writes to a temporary name renamed once complete: an interrupted write
// never leaves half a report, nor the last run's report, under the name.
type reportFile string

func (f reportFile) partial() string { return string(f) + ".partial" }

func (f reportFile) removeStale() error {
	if err := os.Remove(string(f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// publish renames the complete report to its name; wrote is false when
// Ginkgo wrote none.
func (f reportFile) publish() (wrote bool, err error) {
	err = os.Rename(f.partial(), string(f))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
