package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// addAdvisory adds a spec as the advisory suite records one: under the
// advisories container labelled advisory, its API's container labelled
// with the API, an advisory entry when it judged (a nil a for a spec that
// ended before it did).
func (s *suite) addAdvisory(state types.SpecState, a *results.Advisory, failure string) {
	s.add(state, nil, failure)
	sr := &s.specs[len(s.specs)-1]
	sr.ContainerHierarchyTexts = []string{"Logins", "advisories", "webex"}
	sr.ContainerHierarchyLabels = [][]string{nil, {results.LabelAdvisory}, {"webex"}}
	if a != nil {
		sr.LeafNodeText = a.Title
		sr.ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: results.AdvisoryEntry, Value: types.WrapEntryValue(*a)})
		if a.API != "webex" {
			sr.ContainerHierarchyTexts[2], sr.ContainerHierarchyLabels[2] = a.API, []string{a.API}
		}
	} else {
		sr.LeafNodeText = "a wrong password and an unknown account get the same answer"
	}
}

// addSacrificial adds the sacrificial account's 423 spec of Webex: a
// contract verdict, passed, with what it could not judge as a note.
func (s *suite) addSacrificial(note string) {
	s.add(types.SpecStatePassed, []string{"status:423"}, "",
		results.Exchange{API: "webex", Target: "mock", Method: "POST", Path: "/v1/telephony/config/redSky/actions/login/invoke", Status: 423, Want: 423})
	sr := &s.specs[len(s.specs)-1]
	sr.ContainerHierarchyTexts = []string{"Logins", "sacrificial accounts", "webex"}
	sr.ContainerHierarchyLabels = [][]string{nil, {results.LabelSacrificial}, {"webex"}}
	sr.LeafNodeText = "the 423 of a locked account keeps the contract"
	sr.ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: results.NoteEntry, Value: types.WrapEntryValue(note)})
}

func advisoryFixture(name, api string, state results.AdvisoryState, gated bool) *results.Advisory {
	return &results.Advisory{Name: name, Title: "Advisory " + name, API: api, Target: results.TargetMock, TargetURL: "http://127.0.0.1:1",
		State: state, Message: name + " is " + string(state), References: []string{"RFC 9111 section 5.2.2.5"}, WrongPasswords: 1, Cap: 10, Gated: gated}
}

// advisoryView builds a run whose contract passes, with one advisory
// passed, one raised (with its timing samples, and a secret in its
// evidence), one not judged and one spec that ended before it judged,
// plus the sacrificial 423 spec with a note; gated makes the raised one
// fail its spec, as a run with --advisories-gate records it.
func advisoryView(t *testing.T, gated bool) *View {
	t.Helper()
	c := testkit.Contract(t)
	dir := t.TempDir()
	s := passing(c, "mock")
	s.addSacrificial("the 423 carries no Retry-After: when the account opens again is not judged")
	s.addAdvisory(types.SpecStatePassed, advisoryFixture("nothing-echoed", "webex", results.AdvisoryPassed, gated), "")
	raised := advisoryFixture("enumeration-by-timing", "commvault", results.AdvisoryRaised, gated)
	raised.Evidence = []string{"existing accounts take 30 ms longer; sent " + plantedSecret}
	raised.Timing = &results.Timing{ExistingMS: []float64{30, 31, 32}, UnknownMS: []float64{0.3, 0.4, 0.2}, U: 9, P: 0.05,
		CliffsDelta: 1, CommonLanguage: 1, MedianExistingMS: 31, MedianUnknownMS: 0.3, Alpha: 0.01, MinCliffsDelta: 0.474, MinDifferenceMS: 1}
	raisedState, failure := types.SpecStatePassed, ""
	if gated {
		raisedState, failure = types.SpecStateFailed, "advisory raised (HARNESS_ADVISORIES_GATE): "+raised.Title
	}
	s.addAdvisory(raisedState, raised, failure)
	s.addAdvisory(types.SpecStateSkipped, advisoryFixture("passwords-only-over-tls", "webex", results.AdvisoryNotJudged, gated), "no live URL to judge")
	s.addAdvisory(types.SpecStateSkipped, nil, "not judged: HARNESS_REDSKY_SACRIFICIAL_EMAIL is not set")
	s.write(t, dir, "ginkgo.json", t0)
	return build(t, Source{Dir: dir, Contract: c, Secrets: []string{plantedSecret}, Run: &results.RunInfo{Started: t0}})
}

// advisoryOutputs are the terminal summary, summary.md, the page and
// JUnit of a view.
func advisoryOutputs(t *testing.T, v *View) (term, md, page string, junit reporters.JUnitTestSuites, junitXML string) {
	t.Helper()
	var tb, mb bytes.Buffer
	if err := WriteTerminal(&tb, v); err != nil {
		t.Fatal(err)
	}
	Markdown(&mb, v)
	doc, data := writeJUnit(t, t.TempDir(), v)
	return tb.String(), mb.String(), render(t, v), doc, string(data)
}

// TestAdvisoriesAreKeptApartFromTheVerdict: advisories, raised or not
// judged, leave the contract verdict, its counts, its rider and its skips
// alone, and show in every output on their own: a line under the verdict
// with one line per raised advisory, a page section that draws the timing
// samples, a JUnit suite where the raised one passes with state=raised.
// The sacrificial 423 spec stays a contract verdict, passed in part.
func TestAdvisoriesAreKeptApartFromTheVerdict(t *testing.T) {
	v := advisoryView(t, false)
	if v.Verdict != Pass || v.Rider != "" || v.Skipped != 0 || len(v.Skips) != 0 || v.AnyFailed {
		t.Fatalf("verdict %q, rider %q, %d skipped in %+v: the advisories must leave the contract's verdict alone", v.Verdict, v.Rider, v.Skipped, v.Skips)
	}
	if got := v.Advisories.Counts; got.Passed != 1 || got.Raised != 1 || got.NotJudged != 2 || got.GatedRaised != 0 || v.Advisories.Gated {
		t.Errorf("advisory counts %+v, want 1 passed, 1 raised, 2 not judged, none gated", got)
	}
	for _, a := range v.APIs {
		for _, s := range v.Specs {
			if s.isAdvisory() {
				t.Errorf("advisory spec %q among the contract's specs", s.Text)
			}
		}
		if a.Specs.Skipped != 0 {
			t.Errorf("%s counts %d skipped specs: the advisories' skips are their own", a.API, a.Specs.Skipped)
		}
	}
	if cellOf(t, v, "webex", 423).State != Passed {
		t.Error("the sacrificial 423 spec does not cover its code in the matrix")
	}
	line := "advisories: 1 passed, 1 raised, 2 not judged (not gating: --advisories-gate)"
	term, md, page, doc, junitXML := advisoryOutputs(t, v)
	for name, text := range map[string]string{"terminal": term, "summary.md": md, "page": page} {
		raised := []string{"commvault: Advisory enumeration-by-timing: enumeration-by-timing is raised"}
		if name == "page" { // title and message apart, under the API's heading
			raised = []string{`<h3 id="advisories-commvault">commvault</h3>`, "Advisory enumeration-by-timing", "enumeration-by-timing is raised"}
		}
		for _, want := range append([]string{line, "passed in part", "the 423 carries no Retry-After"}, raised...) {
			if !strings.Contains(text, want) {
				t.Errorf("the %s does not say %q:\n%s", name, want, text)
			}
		}
	}
	if !strings.HasPrefix(term, "verdict: PASS\n"+line+"\n  ! commvault:") {
		t.Errorf("the advisories line is not under the verdict:\n%s", term)
	}
	mustContain(t, "the page", page,
		`id="advisories"`, `<svg class="timing-plot"`, "Cliff's delta 1.00", "raised when p &lt; 0.01", "cost: 1 wrong password of a cap of 10",
		"RFC 9111 section 5.2.2.5", `data-advisory="passwords-only-over-tls" data-api="webex" data-state="not-judged"`, "HARNESS_REDSKY_SACRIFICIAL_EMAIL is not set")
	if n := strings.Count(page, `<circle class="dot"`); n != 6 {
		t.Errorf("the timing plot draws %d sign-ins, want both samples' 6", n)
	}
	if len(doc.TestSuites) != 2 || doc.TestSuites[0].Skipped != 0 || doc.TestSuites[1].Name != AdvisorySuite {
		t.Fatalf("JUnit suites %d, main skipped %d: want the contract's with no skip and an advisories suite", len(doc.TestSuites), doc.TestSuites[0].Skipped)
	}
	adv := doc.TestSuites[1]
	if adv.Tests != 4 || adv.Failures != 0 || adv.Skipped != 2 {
		t.Errorf("advisories suite: %d tests, %d failures, %d skipped; want 4, 0, 2", adv.Tests, adv.Failures, adv.Skipped)
	}
	for _, c := range adv.TestCases {
		if strings.Contains(c.Name, "enumeration-by-timing") {
			if c.Failure != nil || c.Skipped != nil || !strings.Contains(c.SystemOut, "existing accounts take 30 ms longer") ||
				c.Properties == nil || c.Properties.Properties[0] != (reporters.JUnitProperty{Name: "state", Value: "raised"}) {
				t.Errorf("raised, not gated: want a pass with state=raised and its message in system-out: %+v", c)
			}
		}
	}
	for name, text := range map[string]string{"terminal": term, "summary.md": md, "page": page, "junit": junitXML} {
		if strings.Contains(text, plantedSecret) {
			t.Errorf("the %s leaks the secret", name)
		}
	}
}

// TestAGatedAdvisoryFailsAsAnAdvisory: with the gate, the raised advisory
// fails the run as "advisory raised (gated)", never as a conformance
// failure, and fails its JUnit case in the advisories suite only.
func TestAGatedAdvisoryFailsAsAnAdvisory(t *testing.T) {
	v := advisoryView(t, true)
	reasons := strings.Join(v.Reasons, "\n")
	if v.Verdict != Fail || !v.AnyFailed || reasons != "1 advisory raised (gated)" || len(v.Failures) != 0 || len(v.Checks) != 0 {
		t.Fatalf("verdict %s, reasons %q, %d failures: want FAIL for 1 advisory raised (gated) alone", v.Verdict, reasons, len(v.Failures))
	}
	term, _, page, doc, _ := advisoryOutputs(t, v)
	mustContain(t, "the terminal", term, "(gating: a raised advisory fails the run)", "! advisory raised (gated): commvault: Advisory enumeration-by-timing")
	if strings.Contains(term, "failed checks") || strings.Contains(term, "conformance spec") {
		t.Errorf("the gated advisory reads as a conformance failure:\n%s", term)
	}
	if !strings.Contains(page, `badge failed">raised (gated)</span>`) {
		t.Error("the page does not show the gated advisory as raised (gated)")
	}
	if doc.TestSuites[0].Failures != 0 || doc.TestSuites[1].Failures != 1 || doc.Failures != 1 {
		t.Errorf("JUnit failures: contract %d, advisories %d, all %d; want 0, 1, 1", doc.TestSuites[0].Failures, doc.TestSuites[1].Failures, doc.Failures)
	}
}

// TestAdvisoriesAloneAreJudged: a run of the advisories alone, every one
// of an API not judged, is neither NO RESULTS nor NOT JUDGED: the contract
// was not asked, and the advisories say what they judged.
func TestAdvisoriesAloneAreJudged(t *testing.T) {
	dir := t.TempDir()
	var s suite
	s.addAdvisory(types.SpecStatePassed, advisoryFixture("nothing-echoed", "commvault", results.AdvisoryPassed, false), "")
	s.addAdvisory(types.SpecStateSkipped, advisoryFixture("passwords-only-over-tls", "webex", results.AdvisoryNotJudged, false), "no live URL")
	s.write(t, dir, "ginkgo.json", t0)
	v := build(t, Source{Dir: dir, Run: &results.RunInfo{Started: t0, LabelFilter: results.LabelAdvisory}})
	if v.Verdict != Pass || v.Skipped != 0 {
		t.Errorf("verdict %s, %d skipped, reasons %q: want PASS", v.Verdict, v.Skipped, v.Reasons)
	}
	if term := summaryOf(t, v); !strings.Contains(term, "webex      embedded mock  no conformance spec in this run") {
		t.Errorf("the terminal does not say the run held no conformance spec:\n%s", term)
	}
}

// TestCompareNamesAdvisoriesRaisedAndCleared: since a baseline, an
// advisory raised now is named newly raised, one raised then and passed
// now cleared, apart from the contract's changes.
func TestCompareNamesAdvisoriesRaisedAndCleared(t *testing.T) {
	view := func(state results.AdvisoryState) *View {
		dir := t.TempDir()
		var s suite
		s.addAdvisory(types.SpecStatePassed, advisoryFixture("nothing-echoed", "webex", state, false), "")
		s.write(t, dir, "ginkgo.json", t0)
		return build(t, Source{Dir: dir, Run: &results.RunInfo{Started: t0}})
	}
	clean, raised := view(results.AdvisoryPassed), view(results.AdvisoryRaised)
	ch := Compare(clean, raised)
	if len(ch.AdvisoriesRaised) != 1 || ch.AdvisoriesRaised[0] != "webex: Advisory nothing-echoed" || ch.Empty || ch.Regressions.Count.Total() != 0 {
		t.Fatalf("newly raised %q, empty %v, regressions %d", ch.AdvisoriesRaised, ch.Empty, ch.Regressions.Count.Total())
	}
	raised.Changes = ch
	if term := summaryOf(t, raised); !strings.Contains(term, "1 advisory newly raised") || !strings.Contains(term, "! advisory newly raised: webex: Advisory nothing-echoed") {
		t.Errorf("the terminal does not name the newly raised advisory:\n%s", term)
	}
	if page := render(t, raised); !strings.Contains(page, `id="advisory-changes"`) {
		t.Error("the page does not name the newly raised advisory")
	}
	back := Compare(raised, clean)
	if len(back.AdvisoriesCleared) != 1 || len(back.AdvisoriesRaised) != 0 || !strings.Contains(back.Summary, "1 advisory cleared") {
		t.Errorf("cleared %q, raised %q, summary %q", back.AdvisoriesCleared, back.AdvisoriesRaised, back.Summary)
	}
	if same := Compare(raised, raised); !same.Empty {
		t.Errorf("a raised advisory still raised is a change: %+v", same)
	}
}

// TestAdvisoriesRenderInChromium: the advisories section, timing plot and
// all, loads in headless Chromium without a word on the console, its words
// linked to the glossary.
func TestAdvisoriesRenderInChromium(t *testing.T) {
	browser := chromium(t)
	page := filepath.Join(t.TempDir(), "index.html")
	if err := WriteHTML(page, advisoryView(t, false)); err != nil {
		t.Fatal(err)
	}
	dom, log := headless(t, browser, page, "--dump-dom")
	if lines := consoleLine.FindAllString(log, -1); len(lines) > 0 {
		t.Errorf("the page logged to the console:\n%s", strings.Join(lines, "\n"))
	}
	mustContain(t, "the DOM", dom,
		`id="advisories"`, `class="timing-plot"`, `data-advisory="enumeration-by-timing"`,
		`<a class="term" href="#term-advisory"`, `<a class="term" href="#term-raised"`, `<a class="term" href="#term-passed-in-part"`)
}

// TestAdvisoriesOfSeveralRunsStayApart: on a page of several runs each
// run's advisories are a group of their own, named by API and run, and
// counted together under the verdict.
func TestAdvisoriesOfSeveralRunsStayApart(t *testing.T) {
	c := testkit.Contract(t)
	var srcs []Source
	for _, run := range []struct {
		label string
		state results.AdvisoryState
	}{{"staging", results.AdvisoryPassed}, {"prod", results.AdvisoryRaised}} {
		dir := t.TempDir()
		var s suite
		s.addAdvisory(types.SpecStatePassed, advisoryFixture("nothing-echoed", "webex", run.state, false), "")
		path := s.write(t, dir, "ginkgo.json", t0)
		srcs = append(srcs, Source{Dir: dir, GinkgoFiles: []string{path}, Contract: c, Label: run.label, Run: &results.RunInfo{Started: t0}})
	}
	v, err := BuildRuns(srcs)
	if err != nil {
		t.Fatal(err)
	}
	g := v.Advisories.Groups
	if len(g) != 2 || g[0].Title != "webex (staging)" || g[1].Title != "webex (prod)" || g[0].Anchor == g[1].Anchor {
		t.Fatalf("groups %+v, want webex (staging) and webex (prod) apart", g)
	}
	if term := summaryOf(t, v); !strings.Contains(term, "advisories: 1 passed, 1 raised, 0 not judged") || !strings.Contains(term, "! webex (prod): Advisory nothing-echoed") {
		t.Errorf("the terminal does not count both runs' advisories or name the run of the raised one:\n%s", term)
	}
}
