package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

const plantedSecret = "planted-S3cr3t-value"

var t0 = time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)

// ranIn stands for the folder of another machine where the suites ran.
const ranIn = "/builds/runner-7/loginharness"

// suite builds Ginkgo spec reports the way the conformance suite records
// them: one spec per documented code, labelled with API and status.
type suite struct {
	specs []types.SpecReport
}

func (s *suite) add(state types.SpecState, labels []string, failure string, exs ...results.Exchange) {
	sr := types.SpecReport{
		ContainerHierarchyTexts:  []string{"conformance"},
		ContainerHierarchyLabels: [][]string{nil},
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             strings.Join(labels, " "),
		LeafNodeLabels:           labels,
		LeafNodeLocation:         types.CodeLocation{FileName: "suites/conformance/suite.go", LineNumber: len(s.specs) + 1},
		State:                    state,
		RunTime:                  3 * time.Millisecond,
		Failure:                  types.Failure{Message: failure},
	}
	for _, ex := range exs {
		sr.ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: results.ExchangeEntry, Value: types.WrapEntryValue(ex)})
	}
	s.specs = append(s.specs, sr)
}

// passing is a suite with a passing spec for every documented code of every
// API, each answered against target with the code's first documented variant.
func passing(c *contract.Contract, target string) suite {
	var s suite
	for _, api := range contract.APIs() {
		for _, op := range c.Spec(api).Operations() {
			for _, code := range op.Statuses {
				ex := results.Exchange{API: string(api), Target: target, TargetURL: "http://127.0.0.1:1", Method: op.Method, Path: op.Path, Status: code, Want: code}
				if vs := op.ResponseVariants[code]; len(vs) > 0 {
					ex.Variant = vs[0]
				}
				s.add(types.SpecStatePassed, []string{string(api), "status:" + strconv.Itoa(code)}, "", ex)
			}
		}
	}
	return s
}

// set replaces the state of the spec covering api and code.
func (s *suite) set(api string, code int, state types.SpecState, failure string, exs ...results.Exchange) {
	for i, sr := range s.specs {
		if sr.LeafNodeText == api+" status:"+strconv.Itoa(code) {
			s.specs[i].State = state
			s.specs[i].Failure.Message = failure
			if len(exs) > 0 {
				s.specs[i].ReportEntries = nil
				for _, ex := range exs {
					s.specs[i].ReportEntries = append(s.specs[i].ReportEntries, types.ReportEntry{Name: results.ExchangeEntry, Value: types.WrapEntryValue(ex)})
				}
			}
		}
	}
}

func (s *suite) write(t *testing.T, dir, name string, started time.Time, special ...string) string {
	t.Helper()
	r := types.Report{
		SuitePath:                  ranIn + "/suites/conformance",
		SuiteDescription:           "loginharness",
		StartTime:                  started,
		EndTime:                    started.Add(time.Second),
		SpecReports:                s.specs,
		SpecialSuiteFailureReasons: special,
	}
	data, err := json.Marshal([]types.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// passingRun writes, in a folder of its own, a conformance run of c in which
// every spec passed against the embedded mock, and returns the folder.
func passingRun(t *testing.T, c *contract.Contract) string {
	t.Helper()
	dir := t.TempDir()
	s := passing(c, "mock")
	s.write(t, dir, "ginkgo.json", t0)
	return dir
}

func build(t *testing.T, src Source) *View {
	t.Helper()
	if src.Contract == nil {
		src.Contract = testkit.Contract(t)
	}
	src.Now = func() time.Time { return t0 }
	if src.GinkgoFiles == nil {
		files, err := FindGinkgoReports(src.Dir)
		if err != nil {
			t.Fatal(err)
		}
		src.GinkgoFiles = files
	}
	p, err := Build(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func render(t *testing.T, p *View) string {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderHTML(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func cellOf(t *testing.T, p *View, api string, code int) Cell {
	t.Helper()
	for _, m := range p.Matrices {
		if m.API != api {
			continue
		}
		for _, r := range m.Rows {
			if r.Status == code {
				return r.Cells[0]
			}
		}
	}
	t.Fatalf("no matrix cell for %s %d", api, code)
	return Cell{}
}

func TestEveryDocumentedCodeIsARowAndPassingRunPasses(t *testing.T) {
	c := testkit.Contract(t)
	dir := passingRun(t, c)

	p := build(t, Source{Dir: dir, Contract: c})

	if p.Verdict != Pass {
		t.Fatalf("verdict = %s %v, want PASS", p.Verdict, p.Reasons)
	}
	for _, api := range contract.APIs() {
		for _, op := range c.Spec(api).Operations() {
			for _, code := range op.Statuses {
				if cell := cellOf(t, p, string(api), code); cell.State != Passed {
					t.Errorf("%s %d: %s, want passed", api, code, cell.State)
				}
			}
		}
	}
	for _, v := range p.Variants {
		if !v.Matched && v.Name == c.Spec(contract.Commvault).Operations()[0].ResponseVariants[v.Status][0] {
			t.Errorf("variant %s not seen", v.Name)
		}
	}
	if p.Load != nil {
		t.Errorf("load = %+v, want none without summaries", p.Load)
	}
	html := render(t, p)
	mustContain(t, "the page", html, `id="verdict">PASS<`, `id="no-failures"`, `id="no-load"`, `class="matrix" data-api="webex"`, `class="matrix" data-api="commvault"`)
}

func TestFailureShowsInMatrixWithFindingsAndNoSecret(t *testing.T) {
	c := testkit.Contract(t)
	dir := t.TempDir()
	s := passing(c, "mock")
	broken := results.Exchange{
		API: "webex", Target: "mock", Method: "POST", Path: "/v1/telephony/config/redSky/actions/login/invoke", Status: 429, Want: 429,
		Findings: []contract.Finding{{Check: contract.CheckHeader, Pointer: "/header/Retry-After", Expected: "delay-seconds or HTTP-date", Actual: "missing", Message: "429 lacks Retry-After"}},
		Excerpt:  `{"message":"slow down","password":"` + plantedSecret + `"}`,
	}
	s.set("webex", 429, types.SpecStateFailed, "webex 429: header /header/Retry-After: token "+plantedSecret, broken)
	s.set("webex", 503, types.SpecStateSkipped, "live target: nothing provokes 503 without Prefer")
	s.write(t, dir, "ginkgo.json", t0)

	p := build(t, Source{Dir: dir, Contract: c, Secrets: []string{plantedSecret}})

	if p.Verdict != Fail {
		t.Fatalf("verdict = %s, want FAIL", p.Verdict)
	}
	if cell := cellOf(t, p, "webex", 429); cell.State != Failed || cell.Reason != "header" {
		t.Errorf("webex 429 = %+v, want failed by header", cell)
	}
	if cell := cellOf(t, p, "webex", 503); cell.State != Skipped || !strings.Contains(cell.Reason, "Prefer") {
		t.Errorf("webex 503 = %+v, want skipped with reason", cell)
	}
	if len(p.Failures) != 1 || p.Failures[0].Exchanges[0].Findings[0].Pointer != "/header/Retry-After" {
		t.Fatalf("failures = %+v", p.Failures)
	}
	html := render(t, p)
	if strings.Contains(html, plantedSecret) {
		t.Error("page shows the planted secret")
	}
	mustContain(t, "the page", html, `id="verdict">FAIL<`, `data-state="failed"`, `href="#`+p.Failures[0].ID+`"`, `/header/Retry-After`, `[REDACTED]`)
	var sum bytes.Buffer
	if err := WriteTerminal(&sum, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum.String(), "verdict: FAIL") || !strings.Contains(sum.String(), "1 failed") {
		t.Errorf("summary:\n%s", sum.String())
	}
}

func TestInterruptedRunIsIncomplete(t *testing.T) {
	c := testkit.Contract(t)
	for name, src := range map[string]func(dir string) Source{
		"ginkgo says interrupted": func(dir string) Source {
			s := passing(c, "mock")
			s.set("commvault", 200, types.SpecStateInterrupted, "interrupted by user")
			s.write(t, dir, "ginkgo.json", t0, "Interrupted by User")
			return Source{Dir: dir}
		},
		"run info says incomplete": func(dir string) Source {
			s := passing(c, "mock")
			s.write(t, dir, "ginkgo.json", t0)
			return Source{Dir: dir, Run: &results.RunInfo{Started: t0, Incomplete: true}}
		},
		"no ginkgo report at all": func(dir string) Source {
			return Source{Dir: dir, Run: &results.RunInfo{Started: t0, Incomplete: true}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := build(t, src(t.TempDir()))
			if p.Verdict != Incomplete {
				t.Fatalf("verdict = %s, want INCOMPLETE", p.Verdict)
			}
			if html := render(t, p); !strings.Contains(html, "interrupted: partial results") {
				t.Error("page does not say the results are partial")
			}
		})
	}
}

func TestFolderReadsNewestResultOfEachSpecAndSkipsOtherJSON(t *testing.T) {
	c := testkit.Contract(t)
	dir := t.TempDir()
	old := passing(c, "mock")
	old.set("webex", 401, types.SpecStateFailed, "old failure")
	old.write(t, dir, "conformance.json", t0)
	fresh := passing(c, "mock")
	fresh.write(t, dir, "ginkgo.json", t0.Add(time.Hour))
	if err := os.WriteFile(filepath.Join(dir, "bench.json"), []byte(`{"rows":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteRunInfo(dir, results.RunInfo{HarnessVersion: "v1.2.3", Started: t0}); err != nil {
		t.Fatal(err)
	}

	p := build(t, Source{Dir: dir, Contract: c})

	if p.Verdict != Pass || len(p.Sources) != 2 || p.Run.HarnessVersion != "v1.2.3" {
		t.Fatalf("verdict %s, sources %v, run %+v", p.Verdict, p.Sources, p.Run)
	}
}

// TestUnreadableLoadSummaryLeavesThePageIncomplete: a summary that cannot
// be read is named, and the page is INCOMPLETE, not FAIL: no promise of the
// server's was seen broken.
func TestUnreadableLoadSummaryLeavesThePageIncomplete(t *testing.T) {
	dir := passingRun(t, testkit.Contract(t))
	writeLoadFixtures(t, filepath.Join(dir, "load"), t0)
	if err := os.WriteFile(filepath.Join(dir, "load", "broken.summary.json"), []byte(`{"scenario":`), 0o644); err != nil {
		t.Fatal(err)
	}

	p := build(t, Source{Dir: dir})

	if p.Verdict != Incomplete || p.AnyFailed || p.Load == nil || len(p.Load.Scenarios) != 3 {
		t.Fatalf("verdict %s (failed %v) %v, %d load scenarios", p.Verdict, p.AnyFailed, p.Reasons, len(p.Load.Scenarios))
	}
	if html := render(t, p); !strings.Contains(html, "broken.summary.json") {
		t.Error("the page does not name the unreadable summary")
	}
}

func TestStaleLoadSummariesAreLeftOut(t *testing.T) {
	dir := passingRun(t, testkit.Contract(t))
	writeLoadFixtures(t, filepath.Join(dir, "load"), t0.Add(-24*time.Hour))

	if p := build(t, Source{Dir: dir, Run: &results.RunInfo{Started: t0}}); p.Load != nil {
		t.Fatalf("yesterday's summaries shown: %d", len(p.Load.Scenarios))
	}
}

func TestNothingRunIsNoResultsAndNothingJudgedIsNotAPass(t *testing.T) {
	dir := t.TempDir()
	var s suite
	s.add(types.SpecStateSkipped, []string{"webex", "status:200"}, "") // filtered out
	s.write(t, dir, "ginkgo.json", t0)
	if p := build(t, Source{Dir: dir}); p.Verdict != NoResults {
		t.Fatalf("verdict = %s, want NO RESULTS", p.Verdict)
	}
	s.add(types.SpecStateSkipped, []string{"webex", "status:201"}, "no request provokes this code on purpose")
	s.add(types.SpecStatePassed, []string{"commvault", "status:200"}, "")
	s.write(t, dir, "ginkgo.json", t0)
	p := build(t, Source{Dir: dir})
	if p.Verdict != NotJudged || !slices.Contains(p.Reasons, "nothing of webex was judged: 1 spec skipped") {
		t.Fatalf("verdict = %s %q, want NOT JUDGED naming webex", p.Verdict, p.Reasons)
	}
	if html := render(t, p); !strings.Contains(html, `class="verdict NOT-JUDGED"`) {
		t.Error("the page does not show NOT JUDGED")
	}
}

func TestWriteHTMLIsAtomicAndSelfContained(t *testing.T) {
	dir := passingRun(t, testkit.Contract(t))
	path := filepath.Join(dir, "index.html")
	if err := WriteHTML(path, build(t, Source{Dir: dir})); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, remote := range []string{"http://", "https://", "//cdn"} {
		for _, attr := range []string{`src="` + remote, `href="` + remote} {
			if bytes.Contains(data, []byte(attr)) {
				t.Errorf("page loads %s", attr)
			}
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".index.html.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// mustContain fails the test for each of wants that text, called what in the
// message, lacks; a short text is shown whole.
func mustContain(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	missing := false
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("%s lacks %q", what, want)
			missing = true
		}
	}
	if missing && len(text) < 4096 {
		t.Logf("%s:\n%s", what, text)
	}
}
