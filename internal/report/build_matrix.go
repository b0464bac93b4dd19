// The builder's coverage part: specs and load responses into matrices, variants and API cards.

package report

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// mixedSpecs notes the APIs whose runs used different specs.
func (b *builder) mixedSpecs() {
	for _, api := range contract.APIs() {
		var shas []string
		for _, r := range b.Runs {
			for _, s := range r.Info.Specs {
				if s.API == string(api) && !slices.Contains(shas, s.SHA256) {
					shas = append(shas, s.SHA256)
				}
			}
		}
		if len(shas) > 1 {
			b.Mixed = append(b.Mixed, string(api))
		}
	}
}

// conformance builds the spec list, matrices and variants from the spec
// reports, using the contract for what is documented.
func (b *builder) conformance(c *contract.Contract) {
	apis := contract.APIs()
	for i := range b.Specs {
		s := &b.Specs[i]
		s.ID = fmt.Sprintf("spec-%d", i+1)
		if s.State == Failed || (s.State == Interrupted && s.Failure != "") {
			b.Failures = append(b.Failures, *s)
		}
	}
	// Conformance failures first: they say which code broke, load failures
	// repeat what the load section shows.
	slices.SortStableFunc(b.Failures, func(x, y Spec) int { return boolRank(x.Load) - boolRank(y.Load) })
	for _, api := range apis {
		spec := c.Spec(api)
		if spec == nil {
			continue
		}
		m := b.matrix(string(api), spec.Operations())
		b.Matrices = append(b.Matrices, m)
		b.Variants = append(b.Variants, b.variants(m, spec.Operations())...)
		b.APIs = append(b.APIs, b.apiSummaries(m)...)
	}
}

// targets returns where an API's requests went, run by run: the live
// URLs and the mock seen in its exchanges, else the run's configured
// target, else the mock.
func (b *builder) targets(api string) []RunTarget {
	var ts []RunTarget
	for _, run := range b.runLabels() {
		var seen []RunTarget
		for _, s := range b.Specs {
			if s.Run != run {
				continue
			}
			for _, ex := range s.Exchanges {
				if ex.API != api {
					continue
				}
				t := RunTarget{Target: results.Target{API: api}, Run: run}
				if ex.Target == results.TargetLive {
					t.URL = ex.TargetURL
				}
				if !slices.Contains(seen, t) {
					seen = append(seen, t)
				}
			}
		}
		if len(seen) == 0 {
			seen = []RunTarget{b.configuredTarget(api, run)}
		}
		ts = append(ts, seen...)
	}
	return ts
}

// runLabels lists the page's runs by label, "" for a single run.
func (b *builder) runLabels() []string {
	if len(b.Runs) <= 1 { // a merged run alone is not told apart either
		return []string{""}
	}
	var out []string
	for _, r := range b.Runs {
		out = append(out, r.Label)
	}
	return out
}

// configuredTarget is where the run named run was set to send api's
// requests, the mock when it says nothing.
func (b *builder) configuredTarget(api, run string) RunTarget {
	info := b.Run
	for _, r := range b.Runs {
		if r.Label == run {
			info = r.Info
		}
	}
	for _, t := range info.Targets {
		if t.API == api {
			return RunTarget{Target: t, Run: run}
		}
	}
	if b.Load != nil { // a folder without run.json: where its load went
		for _, sc := range b.Load.Scenarios {
			if sc.API == api && sc.Run == run {
				return scenarioTarget(sc)
			}
		}
	}
	return RunTarget{Target: results.Target{API: api}, Run: run}
}

// targetOf is the target a spec ran against: that of its exchanges, or its
// run's only target of the API when it sent nothing (skipped before any
// request).
func targetOf(s Spec, ts []RunTarget) (RunTarget, bool) {
	for _, ex := range s.Exchanges {
		if ex.API == s.API {
			if ex.Target == results.TargetLive {
				return RunTarget{Target: results.Target{API: s.API, URL: ex.TargetURL}, Run: s.Run}, true
			}
			return RunTarget{Target: results.Target{API: s.API}, Run: s.Run}, true
		}
	}
	var mine []RunTarget
	for _, t := range ts {
		if t.Run == s.Run {
			mine = append(mine, t)
		}
	}
	if len(mine) == 1 {
		return mine[0], true
	}
	return RunTarget{}, false
}

func (b *builder) matrix(api string, ops []contract.Operation) Matrix {
	m := Matrix{API: api, Targets: b.targets(api)}
	var codes []int
	for _, op := range ops {
		m.Operations = append(m.Operations, fmt.Sprintf("%s %s (%s)", op.Method, op.Path, op.ID))
		codes = append(codes, op.Statuses...)
	}
	slices.Sort(codes)
	for _, code := range slices.Compact(codes) {
		row := MatrixRow{Status: code, Text: http.StatusText(code)}
		for _, t := range m.Targets {
			row.Cells = append(row.Cells, b.cell(api, code, t, m.Targets))
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
func (b *builder) cell(api string, code int, t RunTarget, ts []RunTarget) Cell {
	c := Cell{State: NotRun, Reason: "no spec of this run covered it"}
	for _, s := range b.Specs {
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
	return b.fromLoad(api, code, t, c)
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
func (b *builder) variants(m Matrix, ops []contract.Operation) []Variant {
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
				for _, s := range b.Specs {
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
func (b *builder) apiSummaries(m Matrix) []APISummary {
	var out []APISummary
	for i, t := range m.Targets {
		sum := APISummary{API: m.API, Target: t, Spec: b.specOf(m.API, t.Run)}
		for _, s := range b.Specs {
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

// fromLoad completes a coverage cell with what the load scenarios saw of
// the code on the same target: every response of the run they validated
// counts, as the conformance specs' do. A response that broke the contract
// fails the cell; one that kept it passes a cell the specs skipped or
// never reached.
func (b *builder) fromLoad(api string, code int, t RunTarget, c Cell) Cell {
	saw := b.loadSaw(api, code, t)
	if saw.seen == 0 {
		return c
	}
	status, where := strconv.Itoa(code), strings.Join(saw.scenarios, ", ")
	switch {
	case saw.seen > saw.kept:
		if c.State != Failed {
			c.State, c.Spec, c.Reason = Failed, saw.broke, ""
		}
		c.Reason = joinReasons(c.Reason, fmt.Sprintf("under load, at least %d of %d %s responses broke the contract (%s)", saw.seen-saw.kept, saw.seen, status, where))
	case c.State == Passed || c.State == Failed:
		c.Reason = joinReasons(c.Reason, fmt.Sprintf("under load, %d more %s responses kept the contract (%s)", saw.kept, status, where))
	default:
		c.State, c.Spec = Passed, ""
		c.Reason = fmt.Sprintf("seen under load: %d %s responses, every one kept the contract (%s)", saw.kept, status, where)
	}
	return c
}

// loadSight is what the load scenarios saw of one code on one target.
type loadSight struct {
	seen, kept int      // responses, and those that kept the contract
	scenarios  []string // the scenarios that saw any
	broke      string   // the anchor of the first scenario where one broke the contract
}

// loadSaw counts the responses with code the load scenarios got from
// target t. A summary counts the codes of the obeying client only, and the
// conforming responses of both clients, so a code it holds more of than
// conformed surely saw a break. Summaries written before conforming
// responses were counted say nothing here.
func (b *builder) loadSaw(api string, code int, t RunTarget) loadSight {
	var saw loadSight
	if b.Load == nil {
		return saw
	}
	status := strconv.Itoa(code)
	for _, s := range b.Load.Scenarios {
		if s.API != api || s.Conforming == nil || scenarioTarget(s) != t {
			continue
		}
		got, kept := s.StatusCodes[status], s.Conforming[status]
		if max(got, kept) == 0 {
			continue
		}
		saw.seen, saw.kept = saw.seen+max(got, kept), saw.kept+kept
		saw.scenarios = append(saw.scenarios, s.Scenario)
		if got > kept && saw.broke == "" {
			saw.broke = s.Anchor
		}
	}
	return saw
}

func joinReasons(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// scenarioTarget is the matrix target a scenario's requests went to.
func scenarioTarget(s Scenario) RunTarget {
	t := RunTarget{Target: results.Target{API: s.API}, Run: s.Run}
	if s.Target.Kind == results.TargetLive {
		t.URL = s.Target.URL
	}
	return t
}

// specOf is the spec of api that the run labelled run was judged
// against; zero when the run recorded none.
func (b *builder) specOf(api, run string) results.SpecInfo {
	for _, r := range b.Runs {
		if r.Label != run {
			continue
		}
		for _, s := range r.Info.Specs {
			if s.API == api {
				return s
			}
		}
	}
	for _, s := range b.Run.Specs {
		if s.API == api {
			return s
		}
	}
	return results.SpecInfo{}
}
