package report

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

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

// stateOf folds Ginkgo's states into the report's: every way of failing is a
// failure, except an interruption, which says nothing about the target. A
// spec skipped without a reason was filtered out or never reached (the run
// was interrupted first): not run; one that called Skip says why.
func stateOf(sr types.SpecReport) State {
	switch s := sr.State; {
	case s.Is(types.SpecStatePassed):
		return Passed
	case s.Is(types.SpecStateInterrupted | types.SpecStateAborted):
		return Interrupted
	case s.Is(types.SpecStateFailureStates):
		return Failed
	case sr.Failure.Message == "":
		return NotRun
	default:
		return Skipped
	}
}

// RunVerdict is the one-word answer at the top of the report, on the run as
// a whole (a load scenario's own judgements are results.Verdicts).
type RunVerdict string

// The run verdicts. PASS holds when nothing failed and every API the run
// tested had something judged; the specs skipped are counted beside it.
const (
	Pass       RunVerdict = "PASS"
	Fail       RunVerdict = "FAIL"
	Incomplete RunVerdict = "INCOMPLETE"
	NotJudged  RunVerdict = "NOT JUDGED" // an API the run tested had every spec skipped, or an outage met and nothing failed
	NoResults  RunVerdict = "NO RESULTS" // no spec ran at all
)

// Spec is one Ginkgo spec as the report shows it.
type Spec struct {
	ID        string // anchor of its failure, when it failed
	Run       string // the run's label on a page of several
	API       string // "" when it belongs to no single API
	Text      string
	Name      string // the spec's own text, without its containers': "status 429"
	Scenario  string // a load spec's scenario: "over-limit"
	Labels    []string
	State     State
	Reason    string // skip reason or first line of the failure
	Duration  time.Duration
	Load      bool
	Status    int // the documented code it covers, 0 for none
	Failure   string
	Location  string // relative to the module root
	Exchanges []results.Exchange
	Outage    string // why it was not judged when the target went away (results.OutageEntry)
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
	Targets    []Target
	Rows       []MatrixRow
	Notes      []Note // the cells that did not pass, grouped by why
}

// Note groups the codes of one target that share a state and a reason, so
// ten codes skipped for one reason read as one line.
type Note struct {
	Target Target
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

// Counts tallies specs by state.
type Counts struct {
	Passed, Failed, Skipped, Interrupted, NotRun int
}

func (c *Counts) add(s State) {
	switch s {
	case Passed:
		c.Passed++
	case Failed:
		c.Failed++
	case Skipped:
		c.Skipped++
	case Interrupted:
		c.Interrupted++
	case NotRun:
		c.NotRun++
	}
}

// Total is the number of specs counted.
func (c Counts) Total() int { return c.Passed + c.Failed + c.Skipped + c.Interrupted + c.NotRun }

// APISummary is the per-API line of the console summary and the report's header.
type APISummary struct {
	API    string
	Target Target
	Specs  Counts // every spec of the API
	Codes  Counts // the matrix cells of the API
}

// Page is everything the report shows, built from a run's output folder.
type Page struct {
	Generated time.Time
	Run       RunInfo
	Verdict   RunVerdict
	Reasons   []string // why the verdict is not PASS
	Skipped   int      // specs skipped, load verdicts not judged included
	Skips     []Skip   // the skipped specs, grouped by where and why
	APIs      []APISummary
	Matrices  []Matrix
	Variants  []Variant
	Specs     []Spec
	Failures  []Spec
	Load      *Load         // nil when no load scenario wrote a summary
	Scenarios []ScenarioRun // every load scenario the run's specs judged or skipped
	Sources   []string      // the Ginkgo reports read, relative to the output folder
	Changes   *Changes      // since a baseline run; nil without one
	// Runs lists the runs of a page of several, or the one merged run of a
	// sharded load; nil for a single run, which Run describes.
	Runs []RunEntry
	// Mixed names the APIs whose runs on this page were judged against
	// different specs (by SHA-256): set side by side, not mixed up.
	Mixed []string

	failed bool // something failed, whether or not the page is complete
}

// Failed tells whether anything judged failed, even on a page that is
// INCOMPLETE: a broken promise stays broken when other results are missing.
func (p *Page) Failed() bool { return p.failed }

// RunEntry is one run of a page of several.
type RunEntry struct {
	Label  string // how the page names it, from its folder
	Info   RunInfo
	Inputs []string // the folders read: the shards' of a merged run
	Merged bool     // its load verdicts merge its shards' results
}

// Spec returns the run's spec of api, if it recorded one.
func (r RunEntry) Spec(api string) (SpecInfo, bool) {
	for _, s := range r.Info.Specs {
		if s.API == api {
			return s, true
		}
	}
	return SpecInfo{}, false
}

// specInfos are the specs every run of the page was judged against.
func (p *Page) specInfos() []SpecInfo {
	if len(p.Runs) == 0 {
		return p.Run.Specs
	}
	var out []SpecInfo
	for _, r := range p.Runs {
		out = append(out, r.Info.Specs...)
	}
	return out
}

// SpecOf is the spec of api that the run labelled run was judged
// against; zero when the run recorded none.
func (p *Page) SpecOf(api, run string) SpecInfo {
	for _, r := range p.Runs {
		if s, ok := r.Spec(api); ok && r.Label == run {
			return s
		}
	}
	for _, s := range p.Run.Specs {
		if s.API == api {
			return s
		}
	}
	return SpecInfo{}
}

// mixedSpecs notes the APIs whose runs used different specs.
func (p *Page) mixedSpecs() {
	for _, api := range contract.APIs() {
		var shas []string
		for _, r := range p.Runs {
			if s, ok := r.Spec(string(api)); ok && !slices.Contains(shas, s.SHA256) {
				shas = append(shas, s.SHA256)
			}
		}
		if len(shas) > 1 {
			p.Mixed = append(p.Mixed, string(api))
		}
	}
}

// conformance builds the spec list, matrices and variants from the spec
// reports, using the contract for what is documented.
func (p *Page) conformance(c *contract.Contract) {
	apis := contract.APIs()
	for i := range p.Specs {
		s := &p.Specs[i]
		s.ID = fmt.Sprintf("spec-%d", i+1)
		if s.State == Failed || (s.State == Interrupted && s.Failure != "") {
			p.Failures = append(p.Failures, *s)
		}
	}
	// Conformance failures first: they say which code broke, load failures
	// repeat what the load section shows.
	slices.SortStableFunc(p.Failures, func(a, b Spec) int { return boolRank(a.Load) - boolRank(b.Load) })
	for _, api := range apis {
		spec := c.Spec(api)
		if spec == nil {
			continue
		}
		m := p.matrix(string(api), spec.Operations())
		p.Matrices = append(p.Matrices, m)
		p.Variants = append(p.Variants, p.variants(m, spec.Operations())...)
		p.APIs = append(p.APIs, p.apiSummaries(m)...)
	}
}

func newSpec(sr types.SpecReport, apis []contract.API, secrets []string) Spec {
	redact := func(s string) string { return contract.Redact(s, secrets...) }
	s := Spec{
		Text:     redact(sr.FullText()),
		Name:     redact(sr.LeafNodeText),
		Labels:   sr.Labels(),
		State:    stateOf(sr),
		Duration: sr.RunTime,
		Location: relativeLocation(sr.LeafNodeLocation),
	}
	if s.Text == "" {
		s.Text = sr.LeafNodeType.String()
	}
	for _, l := range s.Labels {
		code, isStatus := results.StatusOfLabel(l)
		switch {
		case l == results.LabelLoad:
			s.Load = true
		case isStatus:
			s.Status = code
		case slices.Contains(apis, contract.API(l)):
			s.API = l
		}
	}
	if texts := sr.ContainerHierarchyTexts; s.Load && len(texts) > 1 {
		s.Scenario = texts[len(texts)-1]
	}
	if sr.State != types.SpecStatePassed {
		s.Failure = redact(sr.Failure.Message)
		s.Reason = firstLine(s.Failure)
	}
	if sr.Failure.Location.FileName != "" {
		s.Location = relativeLocation(sr.Failure.Location)
	}
	for _, ex := range exchanges(sr) {
		s.Exchanges = append(s.Exchanges, ex.Redacted(secrets...))
	}
	s.Outage = redact(outageOf(sr))
	return s
}

// targets returns where an API's requests went, run by run: the live
// URLs and the mock seen in its exchanges, else the run's configured
// target, else the mock.
func (p *Page) targets(api string) []Target {
	var ts []Target
	for _, run := range p.runLabels() {
		var seen []Target
		for _, s := range p.Specs {
			if s.Run != run {
				continue
			}
			for _, ex := range s.Exchanges {
				if ex.API != api {
					continue
				}
				t := Target{API: api, Run: run}
				if ex.Target == results.TargetLive {
					t.URL = ex.TargetURL
				}
				if !slices.Contains(seen, t) {
					seen = append(seen, t)
				}
			}
		}
		if len(seen) == 0 {
			seen = []Target{p.configuredTarget(api, run)}
		}
		ts = append(ts, seen...)
	}
	return ts
}

// runLabels lists the page's runs by label, "" for a single run.
func (p *Page) runLabels() []string {
	if len(p.Runs) <= 1 { // a merged run alone is not told apart either
		return []string{""}
	}
	var out []string
	for _, r := range p.Runs {
		out = append(out, r.Label)
	}
	return out
}

// configuredTarget is where the run named run was set to send api's
// requests, the mock when it says nothing.
func (p *Page) configuredTarget(api, run string) Target {
	info := p.Run
	for _, r := range p.Runs {
		if r.Label == run {
			info = r.Info
		}
	}
	for _, t := range info.Targets {
		if t.API == api {
			t.Run = run
			return t
		}
	}
	if p.Load != nil { // a folder without run.json: where its load went
		for _, sc := range p.Load.Scenarios {
			if sc.API == api && sc.Run == run {
				return sc.target()
			}
		}
	}
	return Target{API: api, Run: run}
}

// targetOf is the target a spec ran against: that of its exchanges, or its
// run's only target of the API when it sent nothing (skipped before any
// request).
func targetOf(s Spec, ts []Target) (Target, bool) {
	for _, ex := range s.Exchanges {
		if ex.API == s.API {
			if ex.Target == results.TargetLive {
				return Target{API: s.API, URL: ex.TargetURL, Run: s.Run}, true
			}
			return Target{API: s.API, Run: s.Run}, true
		}
	}
	var mine []Target
	for _, t := range ts {
		if t.Run == s.Run {
			mine = append(mine, t)
		}
	}
	if len(mine) == 1 {
		return mine[0], true
	}
	return Target{}, false
}

func (p *Page) matrix(api string, ops []contract.Operation) Matrix {
	m := Matrix{API: api, Targets: p.targets(api)}
	var codes []int
	for _, op := range ops {
		m.Operations = append(m.Operations, fmt.Sprintf("%s %s (%s)", op.Method, op.Path, op.ID))
		codes = append(codes, op.Statuses...)
	}
	slices.Sort(codes)
	for _, code := range slices.Compact(codes) {
		row := MatrixRow{Status: code, Text: http.StatusText(code)}
		for _, t := range m.Targets {
			row.Cells = append(row.Cells, p.cell(api, code, t, m.Targets))
		}
		m.Rows = append(m.Rows, row)
	}
	m.Notes = notes(m)
	return m
}

func notes(m Matrix) []Note {
	var out []Note
	for i, t := range m.Targets {
		for _, r := range m.Rows {
			c := r.Cells[i]
			if c.State == Passed {
				continue
			}
			j := slices.IndexFunc(out, func(n Note) bool { return n.Target == t && n.State == c.State && n.Reason == c.Reason })
			if j < 0 {
				out = append(out, Note{Target: t, State: c.State, Reason: c.Reason})
				j = len(out) - 1
			}
			out[j].Codes = append(out[j].Codes, r.Status)
		}
	}
	slices.SortStableFunc(out, func(a, b Note) int { return a.State.rank() - b.State.rank() })
	return out
}

// cell takes the worst state of the specs that cover api, code and target.
func (p *Page) cell(api string, code int, t Target, ts []Target) Cell {
	c := Cell{State: NotRun, Reason: "no spec of this run covered it"}
	for _, s := range p.Specs {
		if s.API != api || s.Status != code || s.Load {
			continue
		}
		if st, ok := targetOf(s, ts); !ok || st != t {
			continue
		}
		switch {
		case s.State.rank() < c.State.rank():
			c.State, c.Reason, c.Spec = s.State, cellReason(s), s.ID
		case s.State == c.State && c.Reason == "":
			c.Reason = cellReason(s)
		}
	}
	return p.fromLoad(api, code, t, c)
}

// cellReason says briefly why a cell is what it is: the failed checks, or
// the skip reason.
func cellReason(s Spec) string {
	switch s.State {
	case Failed:
		var checks []string
		for _, ex := range s.Exchanges {
			for _, f := range ex.Findings {
				if !slices.Contains(checks, string(f.Check)) {
					checks = append(checks, string(f.Check))
				}
			}
		}
		if len(checks) > 0 {
			return strings.Join(checks, ", ")
		}
		return s.Reason
	case Passed:
		return ""
	default:
		return s.Reason
	}
}

// variants lists every documented response variant of an API's operations
// and how often each target answered with it.
func (p *Page) variants(m Matrix, ops []contract.Operation) []Variant {
	var out []Variant
	for _, op := range ops {
		statuses := make([]int, 0, len(op.ResponseVariants))
		for code := range op.ResponseVariants {
			statuses = append(statuses, code)
		}
		slices.Sort(statuses)
		for _, code := range statuses {
			for _, name := range op.ResponseVariants[code] {
				v := Variant{API: m.API, Status: code, Name: name, Seen: make([]int, len(m.Targets))}
				for _, s := range p.Specs {
					for _, ex := range s.Exchanges {
						if ex.API != m.API || ex.Status != code || ex.Variant != name {
							continue
						}
						if t, ok := targetOf(Spec{API: m.API, Exchanges: []results.Exchange{ex}}, m.Targets); ok {
							if i := slices.Index(m.Targets, t); i >= 0 {
								v.Seen[i]++
								v.Matched = true
							}
						}
					}
				}
				out = append(out, v)
			}
		}
	}
	return out
}

// apiSummaries are an API's cards: one per target of its matrix, so runs
// set side by side each get theirs.
func (p *Page) apiSummaries(m Matrix) []APISummary {
	var out []APISummary
	for i, t := range m.Targets {
		sum := APISummary{API: m.API, Target: t}
		for _, s := range p.Specs {
			if s.API != m.API || s.Load {
				continue
			}
			if st, ok := targetOf(s, m.Targets); len(m.Targets) == 1 || (ok && st == t) {
				sum.Specs.add(s.State)
			}
		}
		for _, r := range m.Rows {
			sum.Codes.add(r.Cells[i].State)
		}
		out = append(out, sum)
	}
	return out
}

// verdict decides the headline from the specs, the load scenarios and how
// the run ended, and says why when it is not PASS. Partial are the parts
// of the run that could not be read: the page is incomplete, not failed.
func (p *Page) verdict(suiteFailures, partial []string) {
	var all, conformance, loadSpecs Counts
	for _, s := range p.Specs {
		all.add(s.State)
		if s.Load {
			loadSpecs.add(s.State)
		} else {
			conformance.add(s.State)
		}
	}
	failures := slices.Clone(suiteFailures)
	if conformance.Failed > 0 {
		failures = append(failures, contract.Plural(conformance.Failed, "conformance spec")+" failed")
	}
	interrupted := p.Run.Incomplete || all.Interrupted > 0
	switch {
	case p.Load != nil && p.Load.count(Failed) > 0:
		failures = append(failures, contract.Plural(p.Load.count(Failed), "load scenario")+" failed")
	case loadSpecs.Failed > 0: // failed before writing a summary
		failures = append(failures, contract.Plural(loadSpecs.Failed, "load spec")+" failed")
	}
	p.Reasons = failures
	p.failed = len(failures) > 0
	if interrupted {
		p.Reasons = append(p.Reasons, "the run was interrupted: results are partial")
	} else if p.Load != nil {
		// A scenario cut short on its own says why: a merge missing a
		// shard is no interrupted run.
		for _, sc := range p.Load.Scenarios {
			if sc.State == Interrupted {
				interrupted = true
				p.Reasons = append(p.Reasons, fmt.Sprintf("load %s is partial: %s", sc.Title(), sc.IncompleteReason))
			}
		}
	}
	if len(partial) > 0 {
		interrupted = true
		p.Reasons = append(p.Reasons, partial...)
	}
	unjudged := p.unjudged()
	switch {
	case interrupted:
		p.Verdict = Incomplete
	case len(failures) > 0:
		p.Verdict = Fail
	case all.Total() == all.NotRun:
		p.Verdict = NoResults
		p.Reasons = append(p.Reasons, "no spec ran: the filter selected none, or the run stopped first")
	case len(unjudged) > 0:
		p.Verdict = NotJudged
		p.Reasons = append(p.Reasons, unjudged...)
	default:
		p.Verdict = Pass
	}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return contract.Truncate(s, 160)
}
