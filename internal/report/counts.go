// Counts: specs, cells or load verdicts tallied by state.

package report

import (
	"fmt"
	"strings"
)

// Counts tallies specs, cells or load verdicts by state.
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

// Total is the number counted.
func (c Counts) Total() int { return c.Passed + c.Failed + c.Skipped + c.Interrupted + c.NotRun }

// String reads like "19 passed, 2 skipped".
func (c Counts) String() string {
	var parts []string
	for _, n := range []struct {
		count int
		state State
	}{{c.Passed, Passed}, {c.Failed, Failed}, {c.Interrupted, Interrupted}, {c.Skipped, Skipped}, {c.NotRun, NotRun}} {
		if n.count > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n.count, n.state))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// notJudgedText is String with a skip said as what it is for a load
// verdict or scenario: "3 passed, 1 not judged".
func (c Counts) notJudgedText() string {
	return strings.ReplaceAll(c.String(), string(Skipped), notJudged)
}

// notJudged is how a load verdict or scenario left unjudged is named.
const notJudged = "not judged"

// worst is the state a group takes: the worst that ran, a pass over skips
// (which the counts still show), skipped when none was judged.
func (c Counts) worst() State {
	switch {
	case c.Failed > 0:
		return Failed
	case c.Interrupted > 0:
		return Interrupted
	case c.Passed > 0:
		return Passed
	case c.Skipped > 0:
		return Skipped
	}
	return NotRun
}
