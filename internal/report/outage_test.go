package report

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// outageReason is what a conformance spec records when the target went
// away under it.
const outageReason = "http://127.0.0.1:1/v1 answered 503 Service Unavailable, which the case did not set out to provoke"

// TestAnOutageMetMidRunIsNotJudged: a spec not judged for an outage, or a
// load verdict left open by one, makes a run whose judged specs all passed
// NOT JUDGED, naming the outage; a failure judged beside it still fails
// the run.
func TestAnOutageMetMidRunIsNotJudged(t *testing.T) {
	dir := t.TempDir()
	var s suite
	s.passAll(testkit.Contract(t), "live")
	s.set("webex", 400, types.SpecStateSkipped, "not judged: outage: "+outageReason)
	for i, sr := range s.specs {
		if sr.LeafNodeText == "webex status:400" {
			s.specs[i].ReportEntries = append(s.specs[i].ReportEntries, types.ReportEntry{Name: results.OutageEntry, Value: types.WrapEntryValue(outageReason)})
		}
	}
	s.write(t, dir, "ginkgo.json", t0)
	p := build(t, Source{Dir: dir})
	want := "outage, not drift: 1 spec not judged, the target went away mid-run (" + outageReason + ")"
	if p.Verdict != NotJudged || !slices.Contains(p.Reasons, want) {
		t.Fatalf("verdict %s %q, want NOT JUDGED with %q", p.Verdict, p.Reasons, want)
	}

	s.set("commvault", 200, types.SpecStateFailed, "commvault \"status 200\" breaks the contract")
	s.write(t, dir, "ginkgo.json", t0)
	if p := build(t, Source{Dir: dir}); p.Verdict != Fail {
		t.Errorf("verdict %s %q: a judged failure beside an outage fails the run", p.Verdict, p.Reasons)
	}
}

func TestALoadVerdictLeftOpenByAnOutageIsNotJudged(t *testing.T) {
	dir := t.TempDir()
	var s suite
	s.passAll(testkit.Contract(t), "live")
	s.write(t, dir, "ginkgo.json", t0)
	sum := summary("ramp", t0, results.Limit{Rate: 100, Source: "mock"}, 200, func(float64) (int, int) { return 100, 0 })
	sum.Verdicts = append(sum.Verdicts, results.Verdict{Name: "no-429-under-limit", State: results.VerdictNotJudged, Outage: true, Message: "the target stopped answering 12s in"})
	if err := results.WriteLoadSummary(filepath.Join(dir, "load"), sum); err != nil {
		t.Fatal(err)
	}
	p := build(t, Source{Dir: dir})
	if p.Verdict != NotJudged || !slices.ContainsFunc(p.Reasons, func(r string) bool {
		return strings.HasPrefix(r, "outage, not drift: load ramp no-429-under-limit not judged (the target stopped answering")
	}) {
		t.Fatalf("verdict %s %q, want NOT JUDGED naming the load verdict the outage left open", p.Verdict, p.Reasons)
	}
}
