package results

import (
	"encoding/json"
	"fmt"
	"path/filepath"
)

// LoadPlanFile is the name of the load plan in the load folder.
const LoadPlanFile = "plan.json"

// LoadPlan is what a live load run meant to do before it spent the quota:
// the window it planned with, each scenario's length and requests, and
// which verdicts its bounds leave not judged, with the settings that
// would judge them.
type LoadPlan struct {
	WindowSeconds float64 `json:"windowSeconds"`
	// WindowSource says where the window comes from; WindowKnown is false
	// while it is an assumption the ramp has yet to test.
	WindowSource string        `json:"windowSource"`
	WindowKnown  bool          `json:"windowKnown"`
	LimitRate    float64       `json:"limitRate"` // req/s planned against
	LimitSource  string        `json:"limitSource"`
	Scenarios    []PlannedLoad `json:"scenarios"`
	WaitSeconds  float64       `json:"waitSeconds"` // between scenarios, for the limiter to forget
	TotalSeconds float64       `json:"totalSeconds"`
	// Unjudged names "scenario verdict" pairs the plan cannot judge, and
	// Advice the settings that would judge them.
	Unjudged []string `json:"unjudged,omitempty"`
	Advice   []string `json:"advice,omitempty"`
}

// PlannedLoad is one scenario of a plan.
type PlannedLoad struct {
	Scenario string  `json:"scenario"`
	Seconds  float64 `json:"seconds"`
	Requests int     `json:"requests"`
	Load     string  `json:"load"`           // what it offers
	Note     string  `json:"note,omitempty"` // why it may not judge all
}

// Judges tells whether the plan judges every verdict of its scenarios.
func (p LoadPlan) Judges() bool { return len(p.Unjudged) == 0 }

// WriteLoadPlan writes p to dir/plan.json atomically.
func WriteLoadPlan(dir string, p LoadPlan) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode load plan: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, LoadPlanFile), append(data, '\n'))
}
