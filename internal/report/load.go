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

// Load is the page's load section: one entry per scenario summary.
type Load struct {
	Scenarios []Scenario
}

// Scenario is one load scenario as the page shows it.
type Scenario struct {
	results.LoadSummary
	Run   string // the run's label on a page of several
	State State
	// NotJudged counts the verdicts the run could not judge: a scenario
	// that passed with some is no clean pass, and says so.
	NotJudged int
	Headline  string   // one line for the console and the section's title
	Figures   []Figure // the numbers to read first
	Charts    []Chart
}

// Figure is one number with its label, e.g. "accepted" "100.3/s".
type Figure struct {
	Label, Value, Note string
	Bad                bool
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

	sc := Scenario{LoadSummary: s, State: Passed}
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
	sc.Headline = headline(s)
	sc.Figures = figures(s)
	sc.Charts = charts(s, sc.chartID())
	return sc
}

func redactAll(xs []string, redact func(string) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = redact(x)
	}
	return out
}

func headline(s results.LoadSummary) string {
	h := fmt.Sprintf("offered %s, accepted %s (limit %s), 429s %s", rate(s.OfferedRate), rate(s.AcceptedRate), limitText(s.Limit), pct(s.Ratio429))
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
		{Label: "accepted (2xx)", Value: rate(s.AcceptedRate), Note: "over the whole run"},
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

// Charts lists every chart of the section, for the page's script.
func (l *Load) Charts() []Chart {
	var out []Chart
	for _, s := range l.Scenarios {
		out = append(out, s.Charts...)
	}
	return out
}

// RetryAfterBars are the histogram of a scenario's Retry-After values,
// each bar's width relative to the largest.
func (s Scenario) RetryAfterBars() []Bar {
	most := 0
	for _, v := range s.RetryAfter.Histogram {
		most = max(most, v.Count)
	}
	var out []Bar
	for _, v := range s.RetryAfter.Histogram {
		out = append(out, Bar{Label: strconv.FormatFloat(v.Seconds, 'f', -1, 64) + " s", Count: v.Count, Width: pct(float64(v.Count) / float64(most))})
	}
	return out
}

// Bar is one bar of a small HTML histogram.
type Bar struct {
	Label string
	Count int
	Width string // CSS width, e.g. "42.0%"
}

// count is how many scenarios ended in state.
func (l *Load) count(state State) int {
	n := 0
	for _, s := range l.Scenarios {
		if s.State == state {
			n++
		}
	}
	return n
}

func secondsRange(lo, hi float64) string {
	if lo == hi {
		return fmt.Sprintf("%g s", lo)
	}
	return fmt.Sprintf("%g–%g s", lo, hi)
}

func rate(r float64) string   { return strconv.FormatFloat(r, 'f', 1, 64) + "/s" }
func pct(r float64) string    { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" }
func msText(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " ms" }

// chartID prefixes the ids of the scenario's charts, unique across runs.
func (s Scenario) chartID() string { return "chart-" + strings.TrimPrefix(s.Anchor(), "scenario-") }

// Anchor is the scenario's id on the page, unique across runs.
func (s Scenario) Anchor() string { return scenarioAnchor(s.Run, s.Scenario) }

func scenarioAnchor(run, scenario string) string {
	if run == "" {
		return "scenario-" + scenario
	}
	return "scenario-" + scenario + "-" + strings.Map(func(r rune) rune {
		if r <= ' ' || r == '"' || r == '#' {
			return '-'
		}
		return r
	}, run)
}

// Title names the scenario, with its run on a page of several.
func (s Scenario) Title() string {
	if s.Run == "" {
		return s.Scenario
	}
	return s.Scenario + " (" + s.Run + ")"
}

// target is the matrix target the scenario's requests went to.
func (s Scenario) target() Target {
	t := Target{API: s.API, Run: s.Run}
	if s.Target.Kind == results.TargetLive {
		t.URL = s.Target.URL
	}
	return t
}

// verdictSpecs are the scenario's verdicts as the load suite's specs
// would show them: one spec each, a verdict not judged a skip that says
// why, an incomplete scenario's verdicts all not judged. A merged run's
// page has no suite of its own to run them.
func (s Scenario) verdictSpecs() []Spec {
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
		}
		out = append(out, sp)
	}
	return out
}
