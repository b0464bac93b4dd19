package report

import (
	"strings"
	"testing"
)

// A scenario whose verdicts were not judged for two reasons says the first
// on its terminal line and that there is another, so a reader never takes
// one reason for the whole story.
func TestScenarioLineCountsItsOtherReasons(t *testing.T) {
	b := &builder{View: &View{Specs: []Spec{
		{Load: true, Scenario: "obeying-client", State: Passed},
		{Load: true, Scenario: "obeying-client", State: Skipped, Reason: notJudgedPrefix + "no 429 to check"},
		{Load: true, Scenario: "obeying-client", State: Skipped, Reason: notJudgedPrefix + "no 429 to check"},
		{Load: true, Scenario: "obeying-client", State: Skipped, Reason: notJudgedPrefix + "the client never waited out a Retry-After"},
	}}}
	b.scenarios()
	if len(b.Scenarios) != 1 {
		t.Fatalf("got %d scenarios, want 1", len(b.Scenarios))
	}
	s := b.Scenarios[0]
	if s.Reason != "no 429 to check" || s.MoreReasons != 1 {
		t.Fatalf("reason %q and %d more, want the first and 1 more", s.Reason, s.MoreReasons)
	}
	if line := scenarioNote(s); !strings.Contains(line, "no 429 to check") || !strings.Contains(line, "1 more reason") {
		t.Fatalf("the terminal line %q should name the first reason and count the other", line)
	}
	s.MoreReasons = 0
	if line := scenarioNote(s); strings.Contains(line, "more reason") {
		t.Fatalf("one reason alone reads %q", line)
	}
}
