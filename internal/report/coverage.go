package report

import (
	"fmt"
	"strconv"
	"strings"
)

// fromLoad completes a coverage cell with what the load scenarios saw of
// the code on the same target: every response of the run they validated
// counts, as the conformance specs' do. A response that broke the contract
// fails the cell; one that kept it passes a cell the specs skipped or
// never reached.
func (p *Page) fromLoad(api string, code int, t Target, c Cell) Cell {
	saw := p.loadSaw(api, code, t)
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
func (p *Page) loadSaw(api string, code int, t Target) loadSight {
	var saw loadSight
	if p.Load == nil {
		return saw
	}
	status := strconv.Itoa(code)
	for _, s := range p.Load.Scenarios {
		if s.API != api || s.Conforming == nil || s.target() != t {
			continue
		}
		got, kept := s.StatusCodes[status], s.Conforming[status]
		if max(got, kept) == 0 {
			continue
		}
		saw.seen, saw.kept = saw.seen+max(got, kept), saw.kept+kept
		saw.scenarios = append(saw.scenarios, s.Scenario)
		if got > kept && saw.broke == "" {
			saw.broke = s.Anchor()
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
