package load

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"loginharness/internal/judge"
	"loginharness/internal/results"
	"loginharness/internal/timeline"
)

// Plan is how long each scenario will run against e and how many requests
// it will send, planned from the window of e's limiter (declared by the
// user, by a RateLimit-Policy, or shown by a Retry-After; else assumed
// until the ramp meets a refusal) in one place: under-limit lasts two
// windows, the rate verdicts get the windows judge.Evidence needs. It names
// the verdicts the runner's bounds leave not judged and the settings that
// would judge them. It sends nothing.
func (r *Runner) Plan(e *Endpoint) results.LoadPlan {
	w, source, known := r.plannedWindow(e)
	lim, limSource := e.Limit.Rate, string(e.Limit.Source)
	if lim <= 0 {
		lim, limSource = e.MaxRate/3, "not expected: measured by the ramp, planned at a third of "+EnvLiveMaxRate
	}
	p := results.LoadPlan{WindowSeconds: w.Seconds(), WindowSource: source, WindowKnown: known, LimitRate: lim, LimitSource: limSource}
	if lim <= 0 {
		p.Unjudged = append(p.Unjudged, "every scenario: no limit to offer load against")
		p.Advice = append(p.Advice, fmt.Sprintf("%s=<req/s> or %s=<req/s>", EnvExpectedLimit, EnvLiveMaxRate))
		return p
	}
	over := e.capRate(3 * lim)
	quota := lim * w.Seconds()
	spend := time.Duration(0) // how long the overload takes to spend a window's quota
	if over > lim {
		spend = seconds(quota / (over - lim))
	}
	// Recoveries from the first Retry-After's end to judge.MinRateWindows
	// of the window the limiter shows, which may be a little longer than
	// its own (a Retry-After rounded up, a burst at its boundary): a fixed
	// window reaches that one window later.
	measure := spend + w + time.Duration(math.Ceil(judge.MinRateWindows)+1)*w
	climb := min(r.maxDuration, max(2*r.duration, w))
	add := func(sc string, d time.Duration, requests float64, load string) {
		p.Scenarios = append(p.Scenarios, results.PlannedLoad{Scenario: sc, Seconds: d.Seconds(), Requests: int(math.Ceil(requests)), Load: load})
		p.TotalSeconds += d.Seconds()
	}
	rampNeed := max(climb, rampRefused(e.capRate(0.25*lim), over, lim, quota, climb)+measure-spend)
	rampLen := min(r.maxDuration, rampNeed)
	add(ScenarioRamp, rampLen, (e.capRate(0.25*lim)+over)/2*climb.Seconds()+over*(rampLen-climb).Seconds(),
		fmt.Sprintf("%.4g/s to %.4g/s over %s, then %.4g/s until the rate is measured", e.capRate(0.25*lim), over, climb, over))
	under := min(r.maxDuration, max(r.duration, 2*w))
	add(ScenarioUnderLimit, under, e.capRate(0.5*lim)*under.Seconds(), fmt.Sprintf("%.4g/s", e.capRate(0.5*lim)))
	overLen := min(r.maxDuration, max(r.duration, measure))
	add(ScenarioOverLimit, overLen, over*overLen.Seconds(), fmt.Sprintf("%.4g/s until the rate is measured", over))
	honesty := spend + 2*min(w, r.maxWait) + 2*time.Second
	add(ScenarioHonesty, honesty, over*spend.Seconds()+4, fmt.Sprintf("%.4g/s until refused, then single requests at the Retry-After", over))
	short := min(r.maxDuration, max(r.duration, 2*w))
	add(ScenarioObeying, 2*short, (over+lim)*short.Seconds(), fmt.Sprintf("a naive client at %.4g/s for %s, then the obeying one", over, short))
	p.WaitSeconds = 4 * min(2*w, r.maxWait).Seconds()
	p.TotalSeconds += p.WaitSeconds
	r.planLimits(&p, e, lim, max(measure, rampNeed), w)
	return p
}

// rampRefused is when a ramp from from to top req/s over climb, then
// holding top, has offered a window's quota beyond what the limit frees
// meanwhile: when a limiter keeping lim with a burst of quota refuses.
func rampRefused(from, top, lim, quota float64, climb time.Duration) time.Duration {
	p := rampPacer{from: from, slope: (top - from) / climb.Seconds(), climb: climb}
	step := max(climb/100, 10*time.Millisecond)
	for t := step; t < 24*time.Hour; t += step {
		if p.hits(t) >= quota+lim*t.Seconds() {
			return t
		}
	}
	return 24 * time.Hour
}

// plannedWindow is the window to plan with and where it comes from.
func (r *Runner) plannedWindow(e *Endpoint) (time.Duration, string, bool) {
	tl := e.timeline()
	switch {
	case r.declaredWindow > 0:
		return max(r.declaredWindow, e.window()), EnvLoadWindow, true
	case timeline.Window(tl, 0, false) > 0:
		return e.window(), "the RateLimit-Policy the server declares", true
	case timeline.Window(tl, 0, true) > 0:
		return e.window(), "the longest Retry-After the run has seen", true
	}
	return timeline.MinWindow, fmt.Sprintf("not known yet: assumed %s until the ramp meets a refusal (%s declares it)", timeline.MinWindow, EnvLoadWindow), false
}

// planLimits notes what the runner's bounds leave not judged, and the
// settings that would judge it.
func (r *Runner) planLimits(p *results.LoadPlan, e *Endpoint, lim float64, measure, w time.Duration) {
	if e.capRate(3*lim) < 1.2*e.capRate(lim) {
		p.Unjudged = append(p.Unjudged, "ramp, over-limit, retry-after-honesty, obeying-client: no room above the limit to offer overload")
		p.Advice = append(p.Advice, fmt.Sprintf("%s=%.4g", EnvLiveMaxRate, 3*lim))
	}
	if need := max(r.duration, measure); need > r.maxDuration {
		p.Unjudged = append(p.Unjudged,
			fmt.Sprintf("%s and %s %s, %s %s and %s: measuring the rate may take up to %s of load, %s is %s",
				ScenarioRamp, ScenarioOverLimit, judge.VerdictWithinLimit, ScenarioOverLimit, judge.VerdictAtLimit, judge.VerdictDeclaredLimit, need.Round(time.Second), EnvLoadMaxDuration, r.maxDuration))
		p.Advice = append(p.Advice, fmt.Sprintf("%s=%s", EnvLoadMaxDuration, roundUp(need+w/2)))
	}
	if w > r.maxWait {
		p.Unjudged = append(p.Unjudged, fmt.Sprintf("%s %s: a Retry-After may be as long as the %s window, %s is %s",
			ScenarioHonesty, judge.VerdictServedAtRetryAfter, w, EnvLoadMaxWait, r.maxWait))
		p.Advice = append(p.Advice, fmt.Sprintf("%s=%s", EnvLoadMaxWait, roundUp(w)))
	}
}

// roundUp is d rounded up to whole 30 s past a minute, whole seconds below.
func roundUp(d time.Duration) time.Duration {
	if d > time.Minute {
		return (d + 30*time.Second - 1).Truncate(30 * time.Second)
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

// seconds is s seconds as a duration.
func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// PrintPlan writes p for a person to read before the quota is spent.
func PrintPlan(w io.Writer, p results.LoadPlan) {
	var b strings.Builder
	fmt.Fprintf(&b, "load plan: window %s (%s); limit %.4g req/s (%s)\n", seconds(p.WindowSeconds), p.WindowSource, p.LimitRate, p.LimitSource)
	for _, sc := range p.Scenarios {
		fmt.Fprintf(&b, "  %-20s %8s  ~%d requests  %s\n", sc.Scenario, seconds(sc.Seconds).Round(time.Second), sc.Requests, sc.Load)
	}
	fmt.Fprintf(&b, "  %-20s %8s  for the limiter to forget each scenario's traffic\n", "waits", seconds(p.WaitSeconds).Round(time.Second))
	fmt.Fprintf(&b, "  %-20s %8s at most\n", "total", seconds(p.TotalSeconds).Round(time.Second))
	for _, u := range p.Unjudged {
		fmt.Fprintf(&b, "  not judged: %s\n", u)
	}
	if len(p.Advice) > 0 {
		fmt.Fprintf(&b, "  to judge them: %s\n", strings.Join(p.Advice, " "))
	}
	if !p.WindowKnown {
		fmt.Fprintf(&b, "  the plan is made again once the ramp has found the window\n")
	}
	io.WriteString(w, b.String())
}

// PlanError stops a run whose plan leaves verdicts not judged, when the
// user asked for it (EnvLoadStopIfUnjudged): a configuration outcome.
type PlanError struct{ Plan results.LoadPlan }

func (e *PlanError) Error() string {
	return fmt.Sprintf("the load plan leaves %s not judged; set %s to judge them, or unset %s to run and report them not judged",
		strings.Join(e.Plan.Unjudged, "; "), strings.Join(e.Plan.Advice, " "), EnvLoadStopIfUnjudged)
}

// announce makes the plan of a live run against e, prints it, writes it
// into the results, and with the stop option refuses a plan that leaves a
// verdict not judged (*PlanError).
func (r *Runner) announce(e *Endpoint) error {
	p := r.Plan(e)
	if r.planOut != nil {
		if r.planned != nil {
			fmt.Fprintf(r.planOut, "load: the ramp found the window; the plan for the rest:\n")
		}
		PrintPlan(r.planOut, p)
	}
	r.planned = &p
	err := results.WriteLoadPlan(results.LoadDir(r.outDir), p)
	if r.stopIfUnjudged && !p.Judges() {
		return errors.Join(&PlanError{Plan: p}, err)
	}
	return err
}

// Announce prints the plan of a live load (to the set-up's plan output)
// and writes it into the results before any load is sent; with the stop
// option set it returns a *PlanError, before the quota is spent, when the
// plan leaves a verdict not judged. On the mock there is nothing to plan:
// each scenario has a mock of its own, and stops once it has shown enough.
func (s *Setup) Announce() error {
	live, ok := s.Source.(LiveSource)
	if !ok || s.Refusal != nil || s.Runner.planned != nil {
		return nil
	}
	return s.Runner.announce(live.Endpoint)
}

// replan makes the plan again once the ramp against e has shown the
// window the first plan could only assume; with the stop option, a plan
// that now leaves a verdict not judged skips the rest of the run.
func (r *Runner) replan(e *Endpoint) error {
	if r.planned == nil || (r.planned.WindowKnown && seconds(r.planned.WindowSeconds) >= e.window()) {
		return nil
	}
	err := r.announce(e)
	var pe *PlanError
	if errors.As(err, &pe) {
		return Skipped{Reason: "stopped before spending more of the quota: " + pe.Error()}
	}
	return err
}
