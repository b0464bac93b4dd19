// Package report builds a plain view of one or more runs from their
// results files (Build, BuildRuns) and writes it out: the self-contained
// HTML page, summary.md, the terminal summary and JUnit, each a function of
// the view. It reads files only, never the suites, so CI artifacts can be
// rendered again anywhere.
package report

import (
	"slices"
	"time"

	"loginharness/internal/results"
)

// View is everything the outputs show of a run, or of several side by
// side: data only, decided once by the builder, so that the page, the
// terminal, summary.md and JUnit never tell it differently.
type View struct {
	Generated time.Time
	Run       results.RunInfo
	Verdict   RunVerdict
	// Rider counts what was left unjudged, beside the verdict:
	// "26 specs skipped, 3 load verdicts not judged (obeying-client)";
	// "" when nothing was.
	Rider    string
	Reasons  []string // why the verdict is not PASS
	Unjudged Unjudged
	// Skipped is every spec the run did not judge, each counted once:
	// JUnit's skipped count, Unjudged's total.
	Skipped   int
	Skips     []Skip // the specs not judged, grouped by where and why
	APIs      []APISummary
	Matrices  []Matrix
	Variants  []Variant
	Specs     []Spec
	Failures  []Spec
	Checks    []FailedCheck    // the failures grouped by finding
	Load      *Load            // nil when no load scenario wrote a summary
	Scenarios []ScenarioResult // every load scenario the run's specs judged or skipped
	// ScenarioCounts tallies Scenarios by state: "4 passed, 1 not judged".
	ScenarioCounts string
	Suites         []Suite  // the Ginkgo suite runs read, for JUnit
	Sources        []string // the Ginkgo reports read, relative to the output folder
	Changes        *Changes // since a baseline run; nil without one
	// Advisories are the login advisories, apart from the contract: no
	// count above holds them.
	Advisories Advisories
	// Runs lists the runs of a page of several, or the one merged run of a
	// sharded load; nil for a single run, which Run describes.
	Runs []RunEntry
	// Mixed names the APIs whose runs on this page were judged against
	// different specs (by SHA-256): set side by side, not mixed up.
	Mixed []string
	// AnyFailed tells whether anything judged failed, even on a view that
	// is INCOMPLETE: a broken promise stays broken when other results are
	// missing.
	AnyFailed bool
}

// VerdictLine is the verdict with its rider: "PASS, 26 specs skipped".
func (v *View) VerdictLine() string {
	if v.Rider == "" {
		return string(v.Verdict)
	}
	return string(v.Verdict) + ", " + v.Rider
}

// specInfos are the specs every run of the view was judged against.
func (v *View) specInfos() []results.SpecInfo {
	if len(v.Runs) == 0 {
		return v.Run.Specs
	}
	var out []results.SpecInfo
	for _, r := range v.Runs {
		out = append(out, r.Info.Specs...)
	}
	return out
}

// RunVerdict is the one-word answer on the run as a whole, at the top of
// every output; a load scenario's judgements of one promise each are load
// verdicts (results.Verdict).
type RunVerdict string

// The run verdicts. PASS holds when nothing failed and every API the run
// tested had something judged; what was not judged is counted beside it.
const (
	Pass       RunVerdict = "PASS"
	Fail       RunVerdict = "FAIL"
	Incomplete RunVerdict = "INCOMPLETE"
	NotJudged  RunVerdict = "NOT JUDGED" // an API had every spec skipped, or an outage left specs unjudged
	NoResults  RunVerdict = "NO RESULTS" // no spec ran at all
)

// Unjudged counts what the run did not judge, each thing in one kind only.
type Unjudged struct {
	Specs        int // conformance specs skipped, outages aside
	LoadVerdicts int // load verdicts not judged, outages aside
	// LoadScenarios are the titles of the scenarios those verdicts belong to.
	LoadScenarios []string
	Outage        int    // specs and load verdicts not judged because the target went away
	OutageReason  string // what happened, as the first of them says
}

// Total is every spec not judged.
func (u Unjudged) Total() int { return u.Specs + u.LoadVerdicts + u.Outage }

// State is the outcome of a spec or of a matrix cell.
type State string

// The states, in the order a cell takes the worst of its specs'.
const (
	Failed      State = "failed"
	Interrupted State = "interrupted"
	Passed      State = "passed"
	Skipped     State = "skipped"
	NotRun      State = "not run" // no spec of the run covered it (filtered out)
)

func (s State) rank() int {
	return slices.Index([]State{Failed, Interrupted, Passed, Skipped, NotRun}, s)
}

// judged tells whether a state is a judgement: passed or failed.
func (s State) judged() bool { return s == Passed || s == Failed }

// Spec is one Ginkgo spec as the outputs show it.
type Spec struct {
	ID       string // anchor of its failure, when it failed
	Run      string // the run's label on a page of several
	API      string // "" when it belongs to no single API
	Text     string
	Name     string // the spec's own text, without its containers': "status 429"
	Scenario string // a load spec's scenario: "over-limit"
	Labels   []string
	State    State
	Reason   string // skip reason or first line of the failure
	Outage   string // what went away, when it was not judged for an outage
	Duration time.Duration
	Load     bool
	Status   int // the documented code it covers, 0 for none
	Failure  string
	Location string // relative to the module root
	// FilteredOut marks a spec the run's label filter never selected:
	// not run, and no skip, so JUnit leaves it out.
	FilteredOut bool
	// Timeline is Ginkgo's account of a spec that failed or was
	// interrupted, redacted, for JUnit.
	Timeline  string
	Exchanges []results.Exchange
	// Advisory is the login advisory the spec judged, nil for a spec of
	// the contract.
	Advisory *results.Advisory
	// Notes say what a spec that ran did not judge: a pass with notes is
	// a partial judgement.
	Notes []string
}

// Suite is one Ginkgo suite run the view read.
type Suite struct {
	Description    string
	Started        time.Time
	Duration       time.Duration
	Succeeded      bool
	FailureReasons []string // Ginkgo's own, beyond the specs: a timeout, a failed set-up
	RandomSeed     int64
}

// RunTarget is where one API's requests went in one run of the view: a
// row of the coverage matrix.
type RunTarget struct {
	results.Target
	// Run is the label of the run that sent them, on a page of several
	// runs, where two runs on the mock are two targets.
	Run string
}

// Name is how the outputs label the target, with its run on a page of several.
func (t RunTarget) Name() string {
	if t.Run == "" {
		return t.Target.Name()
	}
	return t.Target.Name() + " (" + t.Run + ")"
}

// Cell is one API x status code x target outcome of the coverage matrix.
type Cell struct {
	State  State
	Reason string // why skipped, or which checks failed
	Spec   string // ID of the spec that decided the state, for a link to its failure
}

// MatrixRow is one documented status code of an API.
type MatrixRow struct {
	Status int
	Text   string // http.StatusText
	Cells  []Cell // one per target of the matrix
}

// Matrix is the coverage of one API: its documented codes against its targets.
type Matrix struct {
	API        string
	Operations []string // "POST /Login (login)"
	Targets    []RunTarget
	Rows       []MatrixRow
	Notes      []Note // the cells that did not pass, grouped by why
}

// Note groups the codes of one target that share a state and a reason, so
// ten codes skipped for one reason read as one line.
type Note struct {
	Target RunTarget
	State  State
	Reason string
	Codes  []int
}

// Variant is one documented oneOf variant and how often each target answered with it.
type Variant struct {
	API     string
	Status  int
	Name    string
	Seen    []int // per target of the API's matrix
	Matched bool  // seen at least once on some target
}

// APISummary is an API's card on the page and its line on the terminal:
// one per target of its matrix.
type APISummary struct {
	API    string
	Target RunTarget
	Spec   results.SpecInfo // the spec its run was judged against; zero when unrecorded
	Specs  Counts           // every conformance spec of the API on that target
	Codes  Counts           // the matrix cells of the API on that target
}

// RunEntry is one run of a page of several.
type RunEntry struct {
	Label  string // how the page names it, from its folder
	Info   results.RunInfo
	Inputs []string // the folders read: the shards' of a merged run
	Merged bool     // its load verdicts merge its shards' results
}

// Skip is a group of specs not judged in one place for one reason: the
// codes a live server cannot be made to answer, the verdicts of a load
// scenario the run could not judge, what an outage left. A skip is no
// pass, so every output says how many there were and why.
type Skip struct {
	Where  string // the API, or "load <scenario>"
	Reason string
	Outage bool     // not judged because the target went away
	Specs  []string // their names: "status 201", "accepted-within-limit"
}

// ScenarioResult is one load scenario as its load verdicts' specs tell it, with what
// its summary measured when it wrote one. A scenario can be skipped whole
// (live limits that leave it nothing to judge): then only its specs say so.
type ScenarioResult struct {
	Name  string
	Title string // the name, with its run on a page of several
	Run   string // the run's label on a page of several
	API   string // the API its specs drive
	State State  // failed, interrupted, passed, or skipped: nothing judged
	// StateText is State in words, "not judged" for skipped.
	StateText string
	Anchor    string // its section on the page
	// VerdictCounts are its load verdicts by state; Skipped are those
	// not judged.
	VerdictCounts Counts
	// Judged reads VerdictCounts: "3 passed, 1 not judged".
	Judged string
	Reason string // why a verdict was not judged, the first given: "no 429 to check"
	// MoreReasons counts the other, different reasons its verdicts were
	// not judged for, which the page and summary.md list.
	MoreReasons int
	Measured    string // what it measured, from its summary
}

// FailedCheck is one way the run's failed specs went wrong, with the specs
// that met it. The terminal and the job summary list these rather than
// every failed spec, so a drift that breaks every answer reads as a line.
type FailedCheck struct {
	Where   string   // the API, or "load <scenario>"
	Check   string   // "schema /trackingId"; "" for a failure without findings
	Detail  string   // "expected present, actual missing", or the failure's first line
	Message string   // what the first finding of the group says, when it says more than Detail
	Specs   []string // the names of the specs that met it
}
