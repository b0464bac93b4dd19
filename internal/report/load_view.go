// The view of the load section: scenarios, figures, charts.

package report

import "loginharness/internal/results"

// Load is the page's load section: one entry per scenario summary.
type Load struct {
	Scenarios []Scenario
	Charts    []Chart // every chart of the section, for the page's script
}

// Scenario is one load scenario's summary as the page shows it.
type Scenario struct {
	results.LoadSummary
	Run    string // the run's label on a page of several
	Title  string // the scenario, with its run on a page of several
	Anchor string // its id on the page, unique across runs
	State  State
	// NotJudged counts the load verdicts the run could not judge: a
	// scenario that passed with some is no clean pass, and says so.
	NotJudged      int
	Measured       string   // one line of what it measured, for the terminal
	Figures        []Figure // the numbers to read first
	Charts         []Chart
	RetryAfterBars []Bar // the histogram of its Retry-After values
}

// Figure is one number with its label, e.g. "accepted" "100.3/s".
type Figure struct {
	Label, Value, Note string
	Bad                bool
}

// Bar is one bar of a small HTML histogram.
type Bar struct {
	Label string
	Count int
	Width string // CSS width, e.g. "42.0%"
}

// Chart is what assets/report.js hands to dygraphs: a table of rows whose
// first column is x, one series per further column.
type Chart struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	Labels []string `json:"labels"`
	Rows   [][]any  `json:"rows"`             // nil is a gap
	Colors []string `json:"colors,omitempty"` // one per series; the script's palette when empty
	Marks  []Mark   `json:"marks,omitempty"`  // vertical lines at x
	Levels []Level  `json:"levels,omitempty"` // horizontal lines at y
}

// Mark is a labelled vertical line, such as a ramp's knee.
type Mark struct {
	X     float64 `json:"x"`
	Label string  `json:"label"`
}

// Level is a labelled horizontal line, such as the rate limit.
type Level struct {
	Y     float64 `json:"y"`
	Label string  `json:"label"`
}
