package results

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSummaryRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "load")
	a := LoadSummary{Scenario: "b-second", StatusCodes: map[string]int{"200": 3}, Verdicts: []Verdict{{Name: "x", State: VerdictPassed, Message: "fine"}}}
	b := LoadSummary{Scenario: "a-first", Incomplete: true, IncompleteReason: "interrupted", Knee: &Knee{Found: true, Rate: 120}}
	for _, s := range []LoadSummary{a, b} {
		if err := WriteLoadSummary(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadLoadSummaries(dir)
	if err != nil {
		t.Fatal(err)
	}
	a.Version, b.Version = LoadSummaryVersion, LoadSummaryVersion
	if !reflect.DeepEqual(got, []LoadSummary{b, a}) {
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
	if got, err := ReadLoadSummaries(filepath.Join(t.TempDir(), "none")); err != nil || got != nil {
		t.Errorf("a missing folder: got %v, %v; want nothing, no error", got, err)
	}
	for _, name := range []string{"", "../up", "a b", ".hidden"} {
		if err := WriteLoadSummary(t.TempDir(), LoadSummary{Scenario: name}); err == nil {
			t.Errorf("scenario name %q was accepted", name)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "broken"+LoadSummarySuffix), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLoadSummaries(dir); err == nil {
		t.Error("a broken summary read without error")
	}
}

// TestVerdictJSON: a verdict is written with its state, and a summary
// written before states (a passed flag) reads back the same.
func TestVerdictJSON(t *testing.T) {
	for _, v := range []Verdict{{Name: "a", State: VerdictPassed, Message: "m"}, {Name: "b", State: VerdictFailed}, {Name: "c", State: VerdictNotJudged, Message: "why"}} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back Verdict
		if err := json.Unmarshal(data, &back); err != nil || back != v {
			t.Errorf("round trip of %+v: %+v, %v", v, back, err)
		}
	}
	for data, want := range map[string]VerdictState{
		`{"name":"x","passed":true,"message":"m"}`:         VerdictPassed,
		`{"name":"x","passed":false,"message":"m"}`:        VerdictFailed,
		`{"name":"x","state":"not judged","passed":false}`: VerdictNotJudged,
	} {
		var v Verdict
		if err := json.Unmarshal([]byte(data), &v); err != nil || v.State != want {
			t.Errorf("%s: state %q, %v; want %q", data, v.State, err, want)
		}
	}
	s := LoadSummary{Verdicts: []Verdict{{Name: "a", State: VerdictPassed}, {Name: "b", State: VerdictNotJudged}}}
	if !s.Passed() || len(s.Failures()) != 0 {
		t.Error("a verdict not judged failed the scenario")
	}
	s.Verdicts = append(s.Verdicts, Verdict{Name: "c", State: VerdictFailed, Message: "broke"})
	if s.Passed() || len(s.Failures()) != 1 || s.Failures()[0] != "c: broke" {
		t.Errorf("failures: %q", s.Failures())
	}
}

func TestLabels(t *testing.T) {
	if got := StatusLabel(429); got != "status:429" {
		t.Errorf("StatusLabel = %q", got)
	}
	for label, want := range map[string]int{"status:429": 429, "status:": 0, "status:x": 0, "load": 0} {
		code, ok := StatusOfLabel(label)
		if code != want || ok != (want != 0) {
			t.Errorf("StatusOfLabel(%q) = %d, %v", label, code, ok)
		}
	}
	if got := EditionLabel("saas"); !strings.HasPrefix(got, "variant:") {
		t.Errorf("EditionLabel = %q", got)
	}
}
