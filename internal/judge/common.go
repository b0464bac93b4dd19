package judge

import (
	"fmt"
	"strings"

	"loginharness/internal/results"
)

// Conclude ends every case alike: the common verdicts, every verdict of
// the scenario given a state, and none judged on a server that went away.
func (c *Case) Conclude() {
	c.common()
	c.Settle()
	c.outage()
}

// common judges what holds for every scenario: every request answered, no
// server errors, every response within the contract.
func (c *Case) common() {
	sum := c.Sum
	answered := sum.Requests - sum.Errors
	share := func(n int) float64 { return float64(n) / float64(max(1, sum.Requests)) }
	switch {
	case share(sum.Dropped) > maxDropped:
		c.Verdict(VerdictAnswered, false, "%d of %d requests had their connection closed by the server without an answer%s: overload should be refused with 429, not dropped (at most %.0f%% may be: a network has blips)",
			sum.Dropped, sum.Requests, Examples(sum.ErrorExamples), maxDropped*100)
	case share(sum.Errors) > maxDropped:
		c.NotJudged(VerdictAnswered, "%d of %d requests got no answer in time%s: a slow server or a starved load generator, which the harness cannot tell apart",
			sum.Errors-sum.Dropped, sum.Requests, Examples(sum.ErrorExamples))
	default:
		c.Verdict(VerdictAnswered, true, "%d of %d requests got no answer (at most %.0f%% may: a network has blips)", sum.Errors, sum.Requests, maxDropped*100)
	}
	n5xx := 0
	for code, n := range sum.StatusCodes {
		if len(code) == 3 && code[0] == '5' {
			n5xx += n
		}
	}
	c.Verdict(VerdictNo5xx, n5xx == 0, "%d of %d responses were 5xx", n5xx, answered)
	bad := 0
	for _, n := range sum.Nonconforming {
		bad += n
	}
	c.Verdict(VerdictContract, bad == 0, "%d of %d responses checked broke the contract%s", bad, sum.Validated, byCheck(sum.Nonconforming))
}

// outage leaves the verdicts that need answers not judged, marked as an
// outage, when the target went away: nothing answered at all, or requests
// found nothing listening (connection refused, no route) beyond a blip.
// What the answers that did come show (5xx, the contract) stays judged: a
// server that failed them before it went away broke its promise.
func (c *Case) outage() {
	sum := c.Sum
	unreachable := 0
	for _, rc := range c.Own {
		if rc.Unreachable {
			unreachable++
		}
	}
	var why string
	switch {
	case sum.Requests > 0 && sum.Errors >= sum.Requests:
		why = fmt.Sprintf("none of %d requests got an answer%s: the server was down or unreachable, so nothing could be judged", sum.Requests, Examples(sum.ErrorExamples))
	case unreachable > 0 && float64(unreachable) > maxDropped*float64(sum.Requests):
		why = fmt.Sprintf("%d of %d requests found nothing listening at the target%s: it went away during the run, an outage, not a broken promise", unreachable, sum.Requests, Examples(sum.ErrorExamples))
	default:
		return
	}
	keep := sum.Requests > sum.Errors
	for i, v := range sum.Verdicts {
		if keep && (v.Name == VerdictNo5xx || v.Name == VerdictContract) {
			continue
		}
		sum.Verdicts[i] = results.Verdict{Name: v.Name, State: results.VerdictNotJudged, Message: why, Outage: true}
	}
}

// byCheck reads like "; by check: header 3, schema 1", empty when clean.
func byCheck(counts map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(counts) {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	if len(parts) == 0 {
		return ""
	}
	return "; by check: " + strings.Join(parts, ", ")
}

// Examples reads like `; seen: "a", "b"`, empty without examples.
func Examples(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	quoted := make([]string, len(xs))
	for i, x := range xs {
		quoted[i] = fmt.Sprintf("%q", x)
	}
	return "; seen: " + strings.Join(quoted, ", ")
}
