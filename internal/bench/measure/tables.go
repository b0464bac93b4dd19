package measure

import (
	"strings"

	"loginharness/internal/bench/scorecard"
)

func goalTable(gs []scorecard.Goal) *table {
	t := &table{Title: "Goals", Header: []string{"goal", "value", "target", "status"}}
	for _, g := range gs {
		if g.Note != "" && (g.Status != scorecard.Met || g.NoteAlways || strings.Contains(g.Note, "saturated")) {
			t.Notes = append(t.Notes, g.Name+": "+g.Note)
		}
	}
	for _, g := range gs {
		v := "-"
		if g.Status != scorecard.Skipped {
			v = scorecard.FormatFloat(g.Value) + g.Unit
		}
		t.Add(g.Name, v, string(g.Op)+" "+scorecard.FormatFloat(g.Target)+g.Unit, g.Status)
	}
	return t
}
