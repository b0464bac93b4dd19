package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	// The suites register their specs when linked in; `go tool ginkgo`
	// runs the very same specs from their _test.go files.
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
	verbose     bool
}

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
// whether every spec passed.
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
	reporter.Succinct = !s.verbose
	reporter.Verbose = s.verbose
	reporter.NoColor = os.Getenv("NO_COLOR") != "" || !isTerminal(os.Stdout)
	reporter.JSONReport = json.partial()
	reporter.JUnitReport = junit.partial()

	gomega.RegisterFailHandler(ginkgo.Fail)
	t := &recordingT{}
	// Ginkgo prints to formatter.ColorableStdOut: leave out the goroutine
	// stacks of the progress report it prints on Ctrl-C.
	console := newStackFilter(formatter.ColorableStdOut)
	formatter.ColorableStdOut = console
	ginkgo.RunSpecs(t, "loginharness", suite, reporter)
	formatter.ColorableStdOut = console.w
	if err := console.Flush(); err != nil {
		return "", false, err
	}

	wroteJSON, err := json.publish()
	if err != nil {
		return "", false, err
	}
	if _, err := junit.publish(); err != nil {
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
