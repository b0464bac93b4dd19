package load

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestSummaryRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "load")
	a := Summary{Scenario: "b-second", StatusCodes: map[string]int{"200": 3}, Verdicts: []Verdict{{Name: "x", State: VerdictPassed, Message: "fine"}}}
	b := Summary{Scenario: "a-first", Incomplete: true, IncompleteReason: "interrupted", Knee: &Knee{Found: true, Rate: 120}}
	for _, s := range []Summary{a, b} {
		if err := WriteSummary(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadSummaries(dir)
	if err != nil {
		t.Fatal(err)
	}
	a.Version, b.Version = SummaryVersion, SummaryVersion
	if !reflect.DeepEqual(got, []Summary{b, a}) {
		t.Errorf("read back %+v", got)
	}
	if got[0].Passed() || !got[1].Passed() {
		t.Errorf("an incomplete run must not pass, a complete one with passing verdicts must")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("want only the two summaries (no temp files), got %v", entries)
	}
}

func TestSummaryErrors(t *testing.T) {
	if got, err := ReadSummaries(filepath.Join(t.TempDir(), "none")); err != nil || got != nil {
		t.Errorf("a missing folder: got %v, %v; want nothing, no error", got, err)
	}
	for _, name := range []string{"", "../up", "a b", ".hidden"} {
		if err := WriteSummary(t.TempDir(), Summary{Scenario: name}); err == nil {
			t.Errorf("scenario name %q was accepted", name)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken"+SummarySuffix), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSummaries(dir); err == nil {
		t.Error("a broken summary read without error")
	}
}
