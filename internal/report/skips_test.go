package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// addLoad adds a load verdict spec as the load suite records it: under
// "Load" and its scenario, labelled load and webex.
func (s *suite) addLoad(state types.SpecState, scenario, verdict, message string) {
	s.add(state, []string{results.LabelLoad, string(contract.Webex)}, message)
	sr := &s.specs[len(s.specs)-1]
	sr.ContainerHierarchyTexts = []string{"Load", scenario}
	sr.ContainerHierarchyLabels = [][]string{nil, nil}
	sr.LeafNodeText = verdict
}

func summaryOf(t *testing.T, p *View) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTerminal(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestSkipsAreCountedBesideAPass: a run that skipped specs and load
// verdicts still passes, but the verdict line, the page's top and the Load
// card say how many were skipped and why, and a scenario skipped whole
// (no summary written) shows as not judged.
func TestSkipsAreCountedBesideAPass(t *testing.T) {
	c := testkit.Contract(t)
	dir := t.TempDir()
	s := passing(c, "live")
	s.set("webex", 201, types.SpecStateSkipped, "no request provokes this code on purpose")
	s.set("webex", 202, types.SpecStateSkipped, "no request provokes this code on purpose")
	s.addLoad(types.SpecStatePassed, "under-limit", "no-429", "")
	const why = "not judged: HARNESS_LIVE_MAX_RATE=40 leaves no room above the limit of 50 req/s"
	for _, v := range []string{"accepted-within-limit", "retry-after-present"} {
		s.addLoad(types.SpecStateSkipped, "over-limit", v, why)
	}
	s.write(t, dir, "ginkgo.json", t0)

	p := build(t, Source{Dir: dir, Contract: c})
	if p.Verdict != Pass || p.Skipped != 4 || len(p.Skips) != 2 {
		t.Fatalf("verdict %s, %d skipped in %+v; want PASS with 4 skipped in 2 groups", p.Verdict, p.Skipped, p.Skips)
	}
	if got := p.Skips[1]; got.Where != "load over-limit" || got.Reason != why || len(got.Specs) != 2 {
		t.Errorf("load skip group = %+v", got)
	}
	if len(p.Scenarios) != 2 || p.Scenarios[1].State != Skipped || p.Scenarios[1].Judged != "2 not judged" {
		t.Fatalf("scenarios = %+v", p.Scenarios)
	}
	sum := summaryOf(t, p)
	mustContain(t, "the summary", sum,
		"verdict: PASS, 2 specs skipped, 2 load verdicts not judged (over-limit)\n",
		"over-limit          2 not judged", why,
		"skipped, by reason:\n  – webex, 2 specs: no request provokes this code on purpose\n      webex status:201, webex status:202\n")
	html := render(t, p)
	mustContain(t, "the page", html, `<small class="rider">2 specs skipped, 2 load verdicts not judged (over-limit)`, `id="skips"`, `data-scenario="over-limit" data-state="skipped"`, `badge not-judged">not judged</span> over-limit`, why)
}

// TestLoadResponsesCoverTheMatrix: a code the conformance specs skipped is
// covered by the responses the load scenarios validated on the same
// target, and failed by those that broke the contract.
func TestLoadResponsesCoverTheMatrix(t *testing.T) {
	c := testkit.Contract(t)
	for name, tt := range map[string]struct {
		conforming int
		state      State
		says       string
	}{
		"kept":  {291, Passed, "seen under load: 291 429 responses, every one kept the contract (over-limit)"},
		"broke": {0, Failed, "under load, at least 291 of 291 429 responses broke the contract (over-limit)"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := passing(c, "mock")
			s.set("webex", 429, types.SpecStateSkipped, "no conformance request was answered 429")
			s.write(t, dir, "ginkgo.json", t0)
			over := summary("over-limit", t0, results.Limit{Rate: 50, Source: "mock"}, 150, func(float64) (int, int) { return 50, 58 })
			over.StatusCodes = map[string]int{"200": 250, "429": 291}
			over.Conforming = map[string]int{"200": 250, "429": tt.conforming}
			if err := results.WriteLoadSummary(filepath.Join(dir, "load"), over); err != nil {
				t.Fatal(err)
			}
			p := build(t, Source{Dir: dir, Contract: c, Run: &results.RunInfo{Started: t0}})
			if cell := cellOf(t, p, "webex", 429); cell.State != tt.state || cell.Reason != tt.says {
				t.Errorf("webex 429 = %+v, want %s: %q", cell, tt.state, tt.says)
			}
			if cell := cellOf(t, p, "webex", 200); cell.State != Passed || !strings.Contains(cell.Reason, "250 more 200 responses kept the contract") {
				t.Errorf("webex 200 = %+v, want passed, saying what load saw", cell)
			}
		})
	}
}

// TestCodeLocationsAreRelativeToTheModule: locations of this module's
// files, from a build with or without -trimpath, are shown from the module
// root; the Ginkgo reports read are named within the output folder.
func TestCodeLocationsAreRelativeToTheModule(t *testing.T) {
	for file, want := range map[string]string{
		moduleRoot + "suites/conformance/conformance.go": "suites/conformance/conformance.go:91",
		modulePath + "/suites/loadtest/loadtest.go":      "suites/loadtest/loadtest.go:91",
		"/usr/local/go/src/testing/testing.go":           "/usr/local/go/src/testing/testing.go:91",
	} {
		if got := relativeLocation(types.CodeLocation{FileName: file, LineNumber: 91}); got != want {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
	if modulePath != "loginharness" || !strings.HasSuffix(moduleRoot, "/") {
		t.Errorf("module path %q, root %q", modulePath, moduleRoot)
	}
	dir := t.TempDir()
	var s suite
	s.add(types.SpecStateFailed, []string{"webex", "status:200"}, "broke")
	s.specs[0].Failure.Location = types.CodeLocation{FileName: moduleRoot + "suites/conformance/conformance.go", LineNumber: 91}
	s.write(t, dir, "ginkgo.json", t0)
	p := build(t, Source{Dir: dir})
	if p.Failures[0].Location != "suites/conformance/conformance.go:91" || p.Sources[0] != "ginkgo.json" {
		t.Errorf("location %q, sources %q", p.Failures[0].Location, p.Sources)
	}
	if html := render(t, p); strings.Contains(html, moduleRoot) || strings.Contains(html, dir) {
		t.Error("the page names a folder of this machine")
	}
}

// TestSummaryOfABrokenRunIsShort: a drift that breaks every answer fails
// every spec with the same few findings; the summary lists each finding
// once with the specs that met it, in a few dozen lines.
func TestSummaryOfABrokenRunIsShort(t *testing.T) {
	c := testkit.Contract(t)
	dir := t.TempDir()
	s := passing(c, "mock")
	for i := range s.specs {
		s.specs[i].State = types.SpecStateFailed
		s.specs[i].Failure.Message = "breaks the contract"
		ex := results.Exchange{API: s.specs[i].LeafNodeLabels[0], Findings: []contract.Finding{{Check: contract.CheckSchema, Pointer: "/trackingId", Expected: "present", Actual: "missing"}}}
		s.specs[i].ReportEntries = []types.ReportEntry{{Name: results.ExchangeEntry, Value: types.WrapEntryValue(ex)}}
	}
	for i := range 40 {
		s.add(types.SpecStateFailed, []string{"webex", "negative"}, "transport: no answer "+strings.Repeat("x", i))
	}
	s.write(t, dir, "ginkgo.json", t0)
	p := build(t, Source{Dir: dir, Contract: c})
	sum := summaryOf(t, p)
	if lines := strings.Count(sum, "\n"); lines > 60 {
		t.Errorf("%d lines for %d failures:\n%s", lines, len(p.Failures), sum)
	}
	mustContain(t, "the summary", sum, "✗ webex  schema /trackingId: expected present, actual missing", "19 specs: webex status:200, webex status:201", "more: see the report")
}

// TestJUnitHoldsTheSelectedSpecsAndTheirSkips: the JUnit report leaves out
// the specs the filter never selected, keeps each real skip with its
// reason, names the suite by the module, and carries the verdict.
func TestJUnitHoldsTheSelectedSpecsAndTheirSkips(t *testing.T) {
	dir := t.TempDir()
	var s suite
	s.add(types.SpecStatePassed, []string{"webex", "status:200"}, "")
	s.add(types.SpecStateSkipped, []string{"webex", "status:201"}, "no request provokes this code on purpose")
	s.add(types.SpecStateSkipped, []string{"commvault", "status:200"}, "") // filtered out
	path := s.write(t, dir, "ginkgo.json", t0)
	p := build(t, Source{Dir: dir, Run: &results.RunInfo{Started: t0, LabelFilter: "webex"}})
	if err := os.Remove(path); err != nil { // JUnit is written from the view alone
		t.Fatal(err)
	}
	got, data := writeJUnit(t, dir, p)
	suite := got.TestSuites[0]
	if suite.Tests != 2 || suite.Skipped != 1 || suite.Package != "loginharness" {
		t.Errorf("tests %d, skipped %d, package %q: want 2, 1, loginharness", suite.Tests, suite.Skipped, suite.Package)
	}
	if skip := suite.TestCases[1].Skipped; skip == nil || !strings.Contains(skip.Message, "no request provokes this code on purpose") {
		t.Errorf("the skip lost its reason: %+v", skip)
	}
	if !strings.Contains(string(data), `name="Verdict" value="PASS, 1 spec skipped"`) {
		t.Errorf("no verdict property:\n%s", data)
	}
	if strings.Contains(string(data), ranIn) {
		t.Error("the JUnit report names the folder the suites ran in")
	}
}

func TestMarkdownSummaryShowsVerdictCoverageAndFailures(t *testing.T) {
	c := testkit.Contract(t)
	dir := t.TempDir()
	s := passing(c, "mock")
	s.set("webex", 429, types.SpecStateFailed, "broke", results.Exchange{API: "webex", Findings: []contract.Finding{{Check: contract.CheckHeader, Pointer: "/headers/Retry-After", Expected: "present", Actual: "missing"}}})
	s.set("webex", 503, types.SpecStateSkipped, "live | no Prefer")
	s.write(t, dir, "ginkgo.json", t0)
	p := build(t, Source{Dir: dir, Contract: c})
	var buf bytes.Buffer
	Markdown(&buf, p)
	md := buf.String()
	mustContain(t, "the Markdown", md,
		"## Login API conformance: FAIL, 1 spec skipped\n", "- 1 spec skipped in webex: live \\| no Prefer\n",
		"| Target | 200 | 201 |", "| embedded mock | ✅ |", "❌", "⏭️",
		"- **webex** header /headers/Retry-After: expected present, actual missing (1 spec: webex status:429)")
}
