// The builder's load part: load summaries into the page's scenarios, figures and charts.

package report

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// readLoad reads the load summaries in dir written since the run began; an
// older summary belongs to an earlier run (this one skipped or filtered
// out its scenario) and is left out. It returns nil when none is left, and
// the readable summaries along with the error of any unreadable one.
func readLoad(dir string, since time.Time, redact func(string) string) (*Load, error) {
	summaries, err := results.ReadLoadSummaries(dir)
	var l Load
	for _, s := range summaries {
		started, err := time.Parse(time.RFC3339Nano, s.StartedAt)
		if err == nil && started.Before(since.Truncate(time.Second)) {
			continue
		}
		l.Scenarios = append(l.Scenarios, newScenario(s, redact))
	}
	if len(l.Scenarios) == 0 {
		return nil, err
	}
	return &l, err
}

func newScenario(s results.LoadSummary, redact func(string) string) Scenario {
	s.Target.URL = redact(s.Target.URL)
	s.IncompleteReason = redact(s.IncompleteReason)
	s.Verdicts = slices.Clone(s.Verdicts)
	for i := range s.Verdicts {
		s.Verdicts[i].Message = redact(s.Verdicts[i].Message)
	}
	s.Observations = slices.Clone(s.Observations)
	for i := range s.Observations {
		s.Observations[i].Message = redact(s.Observations[i].Message)
	}
	s.RetryAfter.Examples = redactAll(s.RetryAfter.Examples, redact)
	s.RateLimit.Policies = redactAll(s.RateLimit.Policies, redact)
	s.RateLimit.LimitSamples = redactAll(s.RateLimit.LimitSamples, redact)

	sc := Scenario{LoadSummary: s, State: Passed, Title: s.Scenario, Anchor: scenarioAnchor("", s.Scenario)}
	for _, v := range s.Verdicts {
		if v.State == results.VerdictNotJudged {
			sc.NotJudged++
		}
	}
	switch {
	case s.Incomplete:
		sc.State = Interrupted
	case !s.Passed():
		sc.State = Failed
	}
	sc.Measured = measuredLine(s)
	sc.Figures = figures(s)
	sc.Charts = charts(s, chartID(sc.Anchor))
	sc.RetryAfterBars = retryAfterBars(s.RetryAfter)
	return sc
}

func redactAll(xs []string, redact func(string) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = redact(x)
	}
	return out
}

// measuredLine is one line of what a scenario measured, and why it failed
// or stopped.
func measuredLine(s results.LoadSummary) string {
	h := fmt.Sprintf("offered %s, accepted %s (limit %s), 429s %s", rate(s.OfferedRate), acceptedText(s), limitText(s.Limit), pct(s.Ratio429))
	if env := s.Envelope; env != nil && env.LongRunRate > 0 {
		h = fmt.Sprintf("offered %s, long-run %s ± %.1f (limit %s, burst %.0f), 429s %s", rate(s.OfferedRate), rate(env.LongRunRate), env.Uncertainty, limitText(s.Limit), env.Burst, pct(s.Ratio429))
	}
	if f := s.Failures(); len(f) > 0 {
		h += "; " + contract.Truncate(f[0], 100)
	}
	if s.Incomplete {
		h += "; incomplete: " + s.IncompleteReason
	}
	return h
}

func figures(s results.LoadSummary) []Figure {
	fs := []Figure{
		{Label: "offered", Value: rate(s.OfferedRate), Note: s.Pacer},
		{Label: "accepted (2xx)", Value: acceptedText(s), Note: "over the whole run"},
		limitFigure(s.Limit),
		{Label: "429 ratio", Value: pct(s.Ratio429), Note: strconv.Itoa(s.StatusCodes["429"]) + " of " + strconv.Itoa(s.Requests)},
		{Label: "latency p50 / p99", Value: msText(s.Latency.P50) + " / " + msText(s.Latency.P99), Note: "max " + msText(s.Latency.Max)},
	}
	if ra := s.RetryAfter; ra.Responses429 > 0 {
		fs = append(fs, Figure{
			Label: "Retry-After", Value: secondsRange(ra.MinSeconds, ra.MaxSeconds),
			Note: fmt.Sprintf("%d missing, %d unparsable, %d implausible", ra.Missing, ra.Unparsable, ra.Implausible),
			Bad:  ra.Missing+ra.Unparsable+ra.Implausible > 0,
		})
	}
	bad := 0
	for _, n := range s.Nonconforming {
		bad += n
	}
	fs = append(fs, Figure{Label: "nonconforming", Value: strconv.Itoa(bad), Note: "of " + strconv.Itoa(s.Validated) + " validated", Bad: bad > 0})
	if s.Errors > 0 {
		fs = append(fs, Figure{Label: "transport errors", Value: strconv.Itoa(s.Errors), Bad: true})
	}
	if env := s.Envelope; env != nil {
		fs = append(fs, envelopeFigures(env)...)
	}
	if k := s.Knee; k != nil && k.Found {
		fs = append(fs, Figure{Label: "knee", Value: rate(k.Rate), Note: fmt.Sprintf("429s began at %.1f s into the ramp", k.AtSeconds)})
	}
	return fs
}

// limitText is the limit with where it came from, e.g. "100.0/s, mock"
// or "measured 49.8 ± 0.4/s".
func limitText(l results.Limit) string {
	if !l.Expected() {
		if l.Rate <= 0 {
			return "unknown"
		}
		return fmt.Sprintf("measured %s ± %.1f", rate(l.Rate), l.Uncertainty)
	}
	return rate(l.Rate) + ", " + l.Source
}

func limitFigure(l results.Limit) Figure {
	if !l.Expected() {
		return Figure{Label: "limit", Value: "not given", Note: "nothing to judge the rate against; measured by the ramp"}
	}
	f := Figure{Label: "limit (expected)", Value: rate(l.Rate), Note: "from " + l.Source}
	if l.Burst > 0 {
		f.Note += fmt.Sprintf(", burst %d", l.Burst)
	}
	return f
}

// envelopeFigures are what the arrival curve says: the long-run rate the
// server kept and its burst, beside the expected limit.
func envelopeFigures(env *results.Envelope) []Figure {
	var fs []Figure
	if env.LongRunRate > 0 {
		fs = append(fs, Figure{Label: "long-run accepted (measured)", Value: fmt.Sprintf("%s ± %.1f", rate(env.LongRunRate), env.Uncertainty),
			Note: fmt.Sprintf("from %.1f s to %.1f s, between recoveries from refusal", env.FromSeconds, env.ToSeconds)})
	}
	if env.Rate > 0 {
		fs = append(fs, Figure{Label: "burst (measured)", Value: fmt.Sprintf("%.0f", env.Burst),
			Note: fmt.Sprintf("at %s: every interval of the %.1f s run accepted at most %s × length + %.0f", rate(env.Rate), env.SpanSeconds, rate(env.Rate), env.Burst)})
	}
	return fs
}

// charts draws the timeline: the rate sent and the rate answered with each
// status against the limit, and latency percentiles, over time.
func charts(s results.LoadSummary, id string) []Chart {
	codes := statusCodes(s)
	status := Chart{
		ID: id + "-status", Title: "Requests sent and answers by status code, per second", X: "seconds", Y: "per second",
		Labels: append([]string{"seconds", "sent"}, codes...), Colors: []string{"#8c959f"},
		Levels: []Level{{Y: s.Limit.Rate, Label: "limit " + limitText(s.Limit)}},
	}
	for _, c := range codes {
		status.Colors = append(status.Colors, statusColor(c))
	}
	latency := Chart{ID: id + "-latency", Title: "Latency percentiles", X: "seconds", Y: "ms", Labels: []string{"seconds", "p50", "p90", "p99"},
		Colors: []string{"#54aeff", "#0969da", "#0a3069"}}
	for _, b := range s.Timeline {
		width := max(b.WidthSeconds, 1e-9)
		row := []any{b.StartSeconds, float64(b.Requests) / width}
		for _, c := range codes {
			row = append(row, float64(b.StatusCodes[c])/width)
		}
		status.Rows = append(status.Rows, row)
		if b.Requests == 0 {
			latency.Rows = append(latency.Rows, []any{b.StartSeconds, nil, nil, nil})
			continue
		}
		latency.Rows = append(latency.Rows, []any{b.StartSeconds, b.Latency.P50, b.Latency.P90, b.Latency.P99})
	}
	if k := s.Knee; k != nil && k.Found {
		status.Marks = []Mark{{X: k.AtSeconds, Label: "knee: 429s from " + rate(k.Rate)}}
	}
	out := []Chart{status, latency}
	if env := s.Envelope; env != nil && len(env.Points) > 0 {
		out = append(out, envelopeChart(id, env))
	}
	return out
}

// envelopeChart draws the arrival curve: requests accepted since the start
// against the bound Rate × t + Burst that no interval of the run exceeded.
func envelopeChart(id string, env *results.Envelope) Chart {
	c := Chart{
		ID: id + "-envelope", Title: fmt.Sprintf("Accepted so far against %s × t + %.0f (the envelope)", rate(env.Rate), env.Burst), X: "seconds", Y: "requests",
		Labels: []string{"seconds", "accepted", "bound"}, Colors: []string{"#1a7f37", "#8c959f"},
	}
	for _, p := range env.Points {
		c.Rows = append(c.Rows, []any{p.Seconds, p.Accepted, p.Bound})
	}
	if env.LongRunRate > 0 {
		c.Marks = []Mark{{X: env.FromSeconds, Label: "long-run rate measured from here"}, {X: env.ToSeconds, Label: "to here"}}
	}
	return c
}

// statusColor keeps a code's colour the same on every chart: served green,
// rate-limited amber, other refusals orange, server errors red.
func statusColor(code string) string {
	switch n, _ := strconv.Atoi(code); {
	case n == 429:
		return "#d4a72c"
	case n >= 200 && n < 300:
		return "#1a7f37"
	case n >= 400 && n < 500:
		return "#bc4c00"
	case n >= 500:
		return "#cf222e"
	default: // 0: no response
		return "#8c959f"
	}
}

// statusCodes are the codes of the timeline, in numeric order.
func statusCodes(s results.LoadSummary) []string {
	seen := map[string]bool{}
	for _, b := range s.Timeline {
		for c := range b.StatusCodes {
			seen[c] = true
		}
	}
	codes := slices.Collect(maps.Keys(seen))
	slices.SortFunc(codes, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	return codes
}

// retryAfterBars are the histogram of a scenario's Retry-After values,
// each bar's width relative to the largest.
func retryAfterBars(ra results.RetryAfter) []Bar {
	most := 0
	for _, v := range ra.Histogram {
		most = max(most, v.Count)
	}
	var out []Bar
	for _, v := range ra.Histogram {
		out = append(out, Bar{Label: strconv.FormatFloat(v.Seconds, 'f', -1, 64) + " s", Count: v.Count, Width: pct(float64(v.Count) / float64(most))})
	}
	return out
}

// chartID prefixes the ids of a scenario's charts, unique across runs.
func chartID(anchor string) string { return "chart-" + strings.TrimPrefix(anchor, "scenario-") }

// scenarioAnchor is a scenario's id on the page, unique across runs.
func scenarioAnchor(run, scenario string) string {
	if run == "" {
		return "scenario-" + scenario
	}
	return "scenario-" + scenario + "-" + anchorText(run)
}

// anchorText makes text fit an id on the page: no space, quote or hash.
func anchorText(text string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == '"' || r == '#' {
			return '-'
		}
		return r
	}, text)
}

// scenarioTitle names a scenario, with its run on a page of several.
func scenarioTitle(run, scenario string) string {
	if run == "" {
		return scenario
	}
	return scenario + " (" + run + ")"
}

// loadVerdictSpecs are a scenario's load verdicts as the load suite's
// specs would show them: one spec each, a verdict not judged a skip that
// says why, an incomplete scenario's verdicts all not judged. A merged
// run's view has no suite of its own to run them.
func loadVerdictSpecs(s Scenario) []Spec {
	var out []Spec
	for _, v := range s.Verdicts {
		sp := Spec{
			Run: s.Run, API: s.API, Name: v.Name, Scenario: s.Scenario, Load: true,
			Text:   fmt.Sprintf("Load %s %s", s.Scenario, v.Name),
			Labels: []string{results.LabelLoad, s.API},
		}
		switch {
		case s.Incomplete:
			sp.State, sp.Reason = Skipped, notJudgedPrefix+s.IncompleteReason
		case v.State == results.VerdictPassed:
			sp.State = Passed
		case v.State == results.VerdictFailed:
			sp.State, sp.Failure = Failed, fmt.Sprintf("%s broke its promise (%s, merged from its shards): %s", s.Scenario, v.Name, v.Message)
			sp.Reason = firstLine(sp.Failure)
		default:
			sp.State, sp.Reason = Skipped, notJudgedPrefix+v.Message
			if v.Outage {
				sp.Outage = v.Message
			}
		}
		out = append(out, sp)
	}
	return out
}

// notJudgedPrefix begins the skip message of a load verdict not judged.
const notJudgedPrefix = notJudged + ": "

// markLoadOutages marks the load specs skipped whose verdict the load
// summary says an outage left unjudged.
func (b *builder) markLoadOutages() {
	if b.Load == nil {
		return
	}
	for i := range b.Specs {
		s := &b.Specs[i]
		if !s.Load || s.State != Skipped || s.Outage != "" {
			continue
		}
		for _, sc := range b.Load.Scenarios {
			if sc.Scenario != s.Scenario || sc.Run != s.Run {
				continue
			}
			for _, v := range sc.Verdicts {
				if v.Name == s.Name && v.Outage {
					s.Outage = v.Message
				}
			}
		}
	}
}

// acceptedText is the accepted rate, or, when the run was too short to
// hold one, how many were served in how long.
func acceptedText(s results.LoadSummary) string {
	if s.AcceptedRate > 0 {
		return rate(s.AcceptedRate)
	}
	served := 0
	for code, n := range s.StatusCodes {
		if strings.HasPrefix(code, "2") {
			served += n
		}
	}
	return fmt.Sprintf("%d in %.3g s (too short for a rate)", served, s.ElapsedSeconds)
}
