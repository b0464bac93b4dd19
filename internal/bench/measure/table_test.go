package measure

import (
	"testing"
)

func TestTableRender(t *testing.T) {
	tb := &table{Title: "Throughput", Header: []string{"server", "req/s", "note"}}
	tb.Add("bare", "45454", "")
	tb.Add("mock", "0.853", "µs-wide")
	tb.Add("wrk", "skipped")
	tb.Notes = []string{"medians of 5 rounds"}
	want := `Throughput
server  req/s    note
------  -------  -------
bare      45454
mock      0.853  µs-wide
wrk     skipped
  medians of 5 rounds
`
	if got := tb.Render(); got != want {
		t.Errorf("Render =\n%s\nwant\n%s", got, want)
	}
}

func TestTableRenderRaggedRows(t *testing.T) {
	tb := &table{Header: []string{"a"}}
	tb.Add("1", "extra")
	tb.Add()
	// The rule spans every column; an empty row is an empty line.
	want := "a\n-  -----\n1  extra\n\n"
	if got := tb.Render(); got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

func TestIsNumeric(t *testing.T) {
	for s, want := range map[string]bool{"12": true, "-3": true, "+1.0%": true, ".5": true, "-": false, "": false, "mock": false, "skipped": false} {
		if got := isNumeric(s); got != want {
			t.Errorf("isNumeric(%q) = %v", s, got)
		}
	}
}
