package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// writeJUnit writes v's JUnit report into dir and reads it back.
func writeJUnit(t *testing.T, dir string, v *View) (reporters.JUnitTestSuites, []byte) {
	t.Helper()
	path := filepath.Join(dir, "junit.xml")
	if err := WriteJUnit(path, v); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc reporters.JUnitTestSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, data
}

// TestAnOutageIsNotJudgedAndCountedOnce: specs the target's going away
// left unjudged (the results.OutageEntry on a spec, Outage on a load
// verdict) make a run whose judged specs passed NOT JUDGED, counted once
// as an outage with what happened, alike in the verdict line, the page,
// summary.md and JUnit; beside a failure, the run fails.
func TestAnOutageIsNotJudgedAndCountedOnce(t *testing.T) {
	c := testkit.Contract(t)
	const what = "503 Service Unavailable to a request that did not ask for it"
	view := func(fail bool) *View {
		dir := t.TempDir()
		s := passing(c, "live")
		for _, code := range []int{200, 201} {
			s.set("webex", code, types.SpecStateSkipped, "not judged: outage: "+what)
			for i := range s.specs {
				if s.specs[i].LeafNodeText == "webex status:"+strconv.Itoa(code) {
					s.specs[i].ReportEntries = append(s.specs[i].ReportEntries, types.ReportEntry{Name: results.OutageEntry, Value: types.WrapEntryValue(what)})
				}
			}
		}
		s.set("webex", 202, types.SpecStateSkipped, "no request provokes this code on purpose")
		if fail {
			s.set("webex", 429, types.SpecStateFailed, "header: Retry-After missing")
		}
		s.addLoad(types.SpecStateSkipped, "over-limit", "accepted-within-limit", "not judged: the target stopped answering")
		s.write(t, dir, "ginkgo.json", t0)
		sum := summary("over-limit", t0, results.Limit{Rate: 100, Source: "mock"}, 300, func(float64) (int, int) { return 100, 200 })
		sum.Verdicts = []results.Verdict{{Name: "accepted-within-limit", State: results.VerdictNotJudged, Message: "the target stopped answering", Outage: true}}
		if err := results.WriteLoadSummary(results.LoadDir(dir), sum); err != nil {
			t.Fatal(err)
		}
		return build(t, Source{Dir: dir, Contract: c, Run: &results.RunInfo{Started: t0}})
	}

	v := view(false)
	if v.Verdict != NotJudged || v.Unjudged.Outage != 3 || v.Unjudged.Specs != 1 || v.Unjudged.LoadVerdicts != 0 || v.Skipped != 4 {
		t.Fatalf("verdict %s, unjudged %+v, %d skipped: want NOT JUDGED, 3 outage, 1 spec skipped, 4 in all", v.Verdict, v.Unjudged, v.Skipped)
	}
	if want := "NOT JUDGED, 1 spec skipped, 3 not judged: outage"; v.VerdictLine() != want {
		t.Errorf("verdict line %q, want %q", v.VerdictLine(), want)
	}
	if !strings.Contains(strings.Join(v.Reasons, "\n"), "the target went away mid-run: 3 specs not judged: "+what) {
		t.Errorf("the reasons do not say what went away: %q", v.Reasons)
	}
	var term, md bytes.Buffer
	if err := WriteTerminal(&term, v); err != nil {
		t.Fatal(err)
	}
	Markdown(&md, v)
	for name, text := range map[string]string{"terminal": term.String(), "summary.md": md.String(), "page": render(t, v)} {
		if !strings.Contains(text, "3 not judged: outage") || !strings.Contains(text, what) {
			t.Errorf("the %s does not count the outage once with what happened:\n%s", name, text)
		}
	}
	if doc, _ := writeJUnit(t, t.TempDir(), v); doc.TestSuites[0].Skipped != v.Skipped {
		t.Errorf("JUnit counts %d skipped, the verdict line %d", doc.TestSuites[0].Skipped, v.Skipped)
	}

	if v := view(true); v.Verdict != Fail || !v.AnyFailed {
		t.Errorf("an outage beside a failure: verdict %s, want FAIL", v.Verdict)
	}
}
