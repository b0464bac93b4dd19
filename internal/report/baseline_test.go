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
		var s suite
		s.passAll(c, "mock")
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
	for _, want := range []string{"Since the baseline", "Regressions: passed then, failed now", "webex 429 on embedded mock", "No longer judged", "long-run accepted rate"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
}
