package measure

import (
	"slices"
	"strings"

	"loginharness/internal/bench"
)

func sortedCodes(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func goalTable(gs []bench.Goal) *bench.Table {
	t := &bench.Table{Title: "Goals", Header: []string{"goal", "value", "target", "status"}}
	for _, g := range gs {
		if g.Note != "" && (g.Status != bench.Met || g.NoteAlways || strings.Contains(g.Note, "saturated")) {
			t.Notes = append(t.Notes, g.Name+": "+g.Note)
		}
	}
	for _, g := range gs {
		v := "-"
		if g.Status != bench.Skipped {
			v = bench.FormatFloat(g.Value) + g.Unit
		}
		t.Add(g.Name, v, string(g.Op)+" "+bench.FormatFloat(g.Target)+g.Unit, g.Status)
	}
	return t
}
