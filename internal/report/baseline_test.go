package report

import (
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// TestCompareNamesWhatChanged: a clean baseline, then a run where one
// code breaks, one is no longer judged, one load verdict fails and the
// long-run rate moves; the reverse is the fix.
func TestCompareNamesWhatChanged(t *testing.T) {
	c := testkit.Contract(t)
	page := func(drift bool) *View {
		dir := t.TempDir()
		s := passing(c, "mock")
		if drift {
			s.set("webex", 429, types.SpecStateFailed, "header: Retry-After missing")
			s.set("webex", 401, types.SpecStateSkipped, "no token without the scope")
		}
		s.write(t, dir, "ginkgo.json", t0)
		writeLoadFixtures(t, results.LoadDir(dir), t0)
		if drift {
			sums, err := results.ReadLoadSummaries(results.LoadDir(dir))
			if err != nil {
				t.Fatal(err)
			}
			for _, sum := range sums {
				if sum.Scenario == "over-limit" {
					sum.Verdicts[0].State, sum.Verdicts[0].Message = results.VerdictFailed, "accepted 200/s"
					sum.Envelope.LongRunRate = 200
					if err := results.WriteLoadSummary(results.LoadDir(dir), sum); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		return build(t, Source{Dir: dir, Run: &results.RunInfo{Started: t0}})
	}
	clean, drifted := page(false), page(true)

	ch := Compare(clean, drifted)
	names := func(set ChangeSet) string {
		var out []string
		for _, g := range set.Groups {
			for _, c := range g.Changes {
				out = append(out, c.Kind+": "+c.Name)
			}
		}
		return strings.Join(out, "; ")
	}
	for _, want := range []string{"code: webex 429 on embedded mock", "spec: conformance webex status:429", "load: over-limit accepted rate"} {
		if !strings.Contains(names(ch.Regressions), want) {
			t.Errorf("regressions %q do not name %q", names(ch.Regressions), want)
		}
	}
	if !strings.Contains(names(ch.NewSkips), "webex 401") {
		t.Errorf("new skips %q do not name webex 401", names(ch.NewSkips))
	}
	if ch.Fixed.Count.Total() != 0 {
		t.Errorf("nothing was fixed, yet: %s", names(ch.Fixed))
	}
	if len(ch.Measures) != 1 || ch.Measures[0].Measure != "long-run accepted rate" || ch.Measures[0].After != "200.0/s ± 0.5" {
		t.Errorf("measures: %+v", ch.Measures)
	}
	back := Compare(drifted, clean)
	if !strings.Contains(names(back.Fixed), "webex 429 on embedded mock") || back.Regressions.Count.Total() != 0 {
		t.Errorf("the way back: fixed %q, regressions %q", names(back.Fixed), names(back.Regressions))
	}
	if same := Compare(clean, clean); !same.Empty {
		t.Errorf("a run against itself changed: %+v", same)
	}
	drifted.Changes = ch
	html := render(t, drifted)
	mustContain(t, "the page", html, "Since the baseline", "Regressions: passed then, failed now", "webex 429 on embedded mock", "No longer judged", "long-run accepted rate")
}

// TestCompareNamesWhatIsNoLongerRun: against a baseline with load and both
// APIs, a run without load and of webex alone names each scenario and
// commvault "no longer run", with counts of their own; specs and codes are
// counted apart, and the regressed specs are those the verdict says failed.
func TestCompareNamesWhatIsNoLongerRun(t *testing.T) {
	c := testkit.Contract(t)
	dir := passingRun(t, c)
	writeLoadFixtures(t, results.LoadDir(dir), t0)
	base := build(t, Source{Dir: dir, Contract: c, Run: &results.RunInfo{Started: t0}})

	dir = t.TempDir()
	s := passing(c, "mock")
	s.set("webex", 429, types.SpecStateFailed, "header: Retry-After missing")
	s.set("webex", 200, types.SpecStateFailed, "schema: trackingId missing")
	for i := range s.specs {
		if s.specs[i].LeafNodeLabels[0] == "commvault" {
			s.specs[i].State, s.specs[i].Failure.Message = types.SpecStateSkipped, "" // filtered out
		}
	}
	s.write(t, dir, "ginkgo.json", t0)
	cur := build(t, Source{Dir: dir, Contract: c, Run: &results.RunInfo{Started: t0, LabelFilter: "webex && !load"}})

	ch := Compare(base, cur)
	if got := ch.Regressions.Count; got.Specs != 2 || got.Codes != 2 || got.LoadVerdicts != 0 {
		t.Errorf("regressed %+v: want 2 specs and 2 codes apart", got)
	}
	if !strings.Contains(strings.Join(cur.Reasons, " "), "2 conformance specs failed") {
		t.Errorf("the verdict's reasons %q do not count the 2 specs the changes count", cur.Reasons)
	}
	gone := ch.NoLongerRun.Count
	if len(gone.LoadScenarios) != 3 || gone.LoadVerdicts == 0 || gone.Specs == 0 || gone.Codes == 0 {
		t.Errorf("no longer run %+v: want the 3 scenarios, commvault's specs and codes", gone)
	}
	if len(ch.APIsNoLongerRun) != 1 || ch.APIsNoLongerRun[0].API != "commvault" || ch.APIsNoLongerRun[0].Count.Specs == 0 {
		t.Errorf("APIs no longer run %+v, want commvault", ch.APIsNoLongerRun)
	}
	cur.Changes = ch
	term := summaryOf(t, cur)
	mustContain(t, "the terminal", term,
		"regressed: 2 specs, 2 codes;", "no longer run: ", "load verdicts of 3 scenarios",
		"– no longer run: commvault (", "– no longer run: load over-limit (", "– no longer run: load ramp (", "– no longer run: load obeying-client (")
	if html := render(t, cur); !strings.Contains(html, "No longer run: judged then, not run now") || !strings.Contains(html, ch.Summary) ||
		!strings.Contains(html, "APIs no longer run at all: <b>commvault</b>") {
		t.Error("the page does not name what is no longer run, with its counts")
	}
}
