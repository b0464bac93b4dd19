package measure

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/bench"
	"loginharness/internal/bench/scorecard"
	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

const (
	plainMode   = scorecard.ModePlain
	inlineMode  = scorecard.ModeInline
	harnessMode = scorecard.ModeHarness
)

// fidelityModes are the modes of each fidelity round, plain Vegeta first;
// the top rate's rounds leave out the inline mode, which no goal judges,
// for more rounds of the two the goal compares.
var (
	fidelityModes = []string{plainMode, inlineMode, harnessMode}
	topModes      = []string{plainMode, harnessMode}
)

// fidelityPlan is the rounds at one requested rate.
type fidelityPlan struct {
	rate   float64
	d      time.Duration // each run
	rounds int
	modes  []string // plain Vegeta first
	top    bool
}

// validateFunc is the validator's name in a CPU profile, taken from the
// method itself so that a rename cannot leave the share counting nothing.
var validateFunc = runtime.FuncForPC(reflect.ValueOf((*contract.Contract).ValidateResponse).Pointer()).Name()

// fidelityTarget is the bare server the fidelity runs aim at.
type fidelityTarget struct {
	c    *contract.Contract
	base string // the server's base URL
	req  bench.Request
	u    *url.URL
}

// runFidelity: requested against achieved rate against the bare handler,
// with plain Vegeta, Vegeta validating inline and the harness's load path,
// at fixed rates, then at the top rate, or plain Vegeta's ceiling when the
// top rate is beyond it, measured just before.
func runFidelity(ctx context.Context, p *Plan, rep *scorecard.Card) []*table {
	c, err := specs()
	if err != nil {
		rep.Notes = append(rep.Notes, "fidelity: cannot load the specs: "+err.Error())
		return nil
	}
	srv, err := p.startServer(ctx, "bare")
	if err != nil {
		rep.Notes = append(rep.Notes, "fidelity: bare server: "+err.Error())
		return nil
	}
	defer stopServer(rep, "fidelity", srv)
	req, err := webexLogin(srv.URL)
	if err != nil {
		rep.Notes = append(rep.Notes, "fidelity: "+err.Error())
		return nil
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		rep.Notes = append(rep.Notes, "fidelity: "+err.Error())
		return nil
	}
	tg := fidelityTarget{c: c, base: srv.URL, req: req, u: u}
	t := &table{
		Title:  fmt.Sprintf("Load fidelity against the bare handler, open loop (goals: internal/load runner >= %g of plain; >= %g at the top rate)", scorecard.GoalFidelityRatio, scorecard.GoalTopFidelity),
		Header: []string{"requested/s", "mode", "achieved/s", "sent/s", "p99 ms", "validated", "nonconforming", "cpu µs/req", "validating % cpu", "vs plain"},
	}
	for _, rate := range p.Rates {
		addFidelityRows(t, rep, fidelityRounds(ctx, p, rep, tg, fidelityPlan{rate: rate, d: p.Fidelity, rounds: p.FidelityRounds, modes: fidelityModes}))
	}
	tables := []*table{t}
	loadNote := ""
	if ctx.Err() == nil && p.TopRate > 0 {
		p.logf("   plain Vegeta's ceiling, up to %.0f/s", p.TopRate)
		before := loadAvg()
		ceiling, ct := measureCeiling(ctx, p, rep, tg)
		tables = []*table{ct, t}
		if ceiling.Rate > 0 {
			addFidelityRows(t, rep, fidelityRounds(ctx, p, rep, tg, fidelityPlan{rate: ceiling.Rate, d: p.TopFidelity, rounds: p.TopRounds, modes: topModes, top: true}))
		}
		loadNote = fmt.Sprintf("1-minute load average from the ceiling search to the end of the top rows: %s to %s, on %d CPUs: near the ceiling, other work on the machine tips a run into queueing", before, loadAvg(), runtime.NumCPU())
	}
	t.Notes = append(t.Notes,
		"achieved = responses / (first request sent .. last response); sent = Vegeta's Rate; medians of "+strconv.Itoa(p.FidelityRounds)+" rounds, modes taking turns to lead",
		"vs plain: median of the rounds' ratios to plain Vegeta's achieved rate",
		"every mode uses the attacker of internal/load (Vegeta's default workers, its idle pool of "+strconv.Itoa(vegeta.DefaultConnections)+" connections, 5 s timeout, 64 KiB bodies, no redirects), so they differ only in what each does with a result",
		"inline: contract.ValidateResponse on every result on Vegeta's collecting goroutine, serially",
		"internal/load runner: the load suite's path (validator goroutines, redaction, Vegeta result file), its under-limit scenario aimed at the bare handler",
		"cpu µs/req: the load process's CPU time (user and system, getrusage) per request sent; the server runs in its own process",
		"validating % cpu: samples with contract.ValidateResponse on the stack over all samples of the Go CPU profiler (100 per CPU-second, every thread) of the load process during the runs, so it counts the validators' time wherever it runs and nothing else",
		fmt.Sprintf("top: %.0f/s, or plain Vegeta's ceiling when it falls short there; %d rounds of %v runs, plain Vegeta and the runner only", p.TopRate, p.TopRounds, p.TopFidelity))
	if loadNote != "" {
		t.Notes = append(t.Notes, loadNote)
	}
	return tables
}

// addFidelityRows records folded rows in the report and the table.
func addFidelityRows(t *table, rep *scorecard.Card, rows []scorecard.Fidelity) {
	for _, row := range rows {
		rep.Fidelity = append(rep.Fidelity, row)
		ratio, share := "", ""
		if row.RatioToPlain > 0 {
			ratio = scorecard.FormatFloat(row.RatioToPlain)
		}
		if v := row.Validators; v != nil && v.Samples > 0 {
			share = fmt.Sprintf("%.1f (%d/%d)", 100*v.Share, v.InFunc, v.Samples)
		}
		requested := scorecard.FormatFloat(row.RequestedRate)
		if row.Top {
			requested += " (top)"
		}
		t.Add(requested, row.Mode, scorecard.FormatFloat(row.AchievedRate), scorecard.FormatFloat(row.SentRate), scorecard.FormatFloat(row.P99Ms),
			strconv.Itoa(row.Validated), strconv.Itoa(row.Nonconforming), scorecard.FormatFloat(row.CPUMicrosPerRequest), share, ratio)
	}
}

// fidelityRounds runs the plan's rounds of its modes, the modes taking
// turns to lead, and folds them per mode.
func fidelityRounds(ctx context.Context, p *Plan, rep *scorecard.Card, tg fidelityTarget, fp fidelityPlan) []scorecard.Fidelity {
	per := map[string][]scorecard.Fidelity{}
	ratios := map[string][]float64{}
	for r := range fp.rounds {
		round := map[string]float64{}
		for k := range fp.modes {
			mode := fp.modes[(k+r)%len(fp.modes)] // each mode leads in turn
			if ctx.Err() != nil {
				return nil
			}
			p.logf("   %s at %.0f/s, round %d", mode, fp.rate, r+1)
			row, err := profiledRun(ctx, tg, mode, fp.rate, fp.d)
			if err != nil {
				rep.Notes = append(rep.Notes, fmt.Sprintf("fidelity: %s at %.0f/s: %v", mode, fp.rate, err))
				continue
			}
			per[mode] = append(per[mode], row)
			round[mode] = row.AchievedRate
		}
		for _, mode := range fp.modes[1:] {
			if v, ok := scorecard.Ratio(round[mode], round[plainMode]); ok {
				ratios[mode] = append(ratios[mode], v)
			}
		}
	}
	rows := scorecard.FoldFidelity(fp.rate, fp.modes, per, ratios)
	for i := range rows {
		rows[i].Top = fp.top
	}
	return rows
}

// profiledRun is fidelityRun under the CPU profiler, every mode alike so
// the profiler's small cost weighs on each: it adds the load process's CPU
// time and, for the modes that validate, the validator's share of it.
func profiledRun(ctx context.Context, tg fidelityTarget, mode string, rate float64, d time.Duration) (scorecard.Fidelity, error) {
	var row scorecard.Fidelity
	var err error
	share, profErr := bench.ProfileShare(validateFunc, func() { row, err = fidelityRun(ctx, tg, mode, rate, d) })
	row.CPUSeconds = share.ProcessCPUSeconds
	if profErr == nil && mode != plainMode {
		row.Validators = &share
	}
	return row, err
}

// measureCeiling finds plain Vegeta's ceiling up to p.TopRate with runs as
// long as the top row's, and tabulates the probes.
func measureCeiling(ctx context.Context, p *Plan, rep *scorecard.Card, tg fidelityTarget) (scorecard.Ceiling, *table) {
	ceiling, err := findCeiling(p.TopRate, p.CeilingResolution, p.CeilingSteps, func(rate float64) (float64, error) {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		p.logf("   ceiling probe: plain Vegeta at %.0f/s", rate)
		row, err := fidelityRun(ctx, tg, plainMode, rate, p.TopFidelity)
		return row.AchievedRate, err
	})
	rep.Ceiling = &ceiling
	t := &table{
		Title:  fmt.Sprintf("Plain Vegeta's ceiling up to %.0f/s: open loop, the load runner's attacker, bare handler in its own process", p.TopRate),
		Header: []string{"requested/s", "achieved/s", "achieved/requested", "kept up"},
	}
	for _, pr := range ceiling.Probes {
		kept := strconv.FormatBool(pr.KeptUp)
		if pr.Error != "" {
			kept = "failed: " + pr.Error
		}
		t.Add(scorecard.FormatFloat(pr.Requested), scorecard.FormatFloat(pr.Achieved), scorecard.FormatFloat(pr.Achieved/pr.Requested), kept)
	}
	verdict := fmt.Sprintf("plain Vegeta keeps up with %.0f/s: the top row runs there", p.TopRate)
	switch {
	case err != nil:
		verdict = "no top row: " + err.Error()
		rep.Notes = append(rep.Notes, "fidelity: "+verdict)
	case ceiling.BelowTop:
		verdict = fmt.Sprintf("ceiling %.0f/s: %.0f/s is above what plain Vegeta sustains here, so the top row runs at the ceiling", ceiling.Rate, p.TopRate)
	}
	t.Notes = append(t.Notes,
		fmt.Sprintf("kept up: achieved >= %g of requested, in one %v run; below the top rate, the first probe is the rate achieved there, then bisection to %.0f/s", scorecard.CeilingKeepUp, p.TopFidelity, p.CeilingResolution),
		verdict)
	return ceiling, t
}

// loadRunner runs the load suite's under-limit scenario (half the limit,
// so a limit of twice the rate) against the bare server, in a throw-away
// output folder.
func loadRunner(ctx context.Context, c *contract.Contract, base string, rate float64, d time.Duration) (scorecard.Fidelity, error) {
	row := scorecard.Fidelity{Mode: harnessMode, RequestedRate: rate}
	tmp, err := os.MkdirTemp("", "harness-bench-load-")
	if err != nil {
		return row, err
	}
	defer os.RemoveAll(tmp)
	e, err := load.NewEndpoint(c, results.TargetInfo{Kind: "bare", URL: target.MockBaseURL(contract.Webex, base)}, demoAccount(contract.Webex, ""))
	if err != nil {
		return row, err
	}
	defer e.Close()
	e.Limit, e.MaxRate = results.Limit{Rate: 2 * rate, Source: "the bench"}, rate
	sc, ok := load.ScenarioNamed(load.ScenarioUnderLimit)
	if !ok {
		return row, fmt.Errorf("no %q scenario", load.ScenarioUnderLimit)
	}
	r := load.NewRunner(c, load.WithOutDir(tmp), load.WithDuration(d), load.WithMaxRequests(uint64(2*rate*d.Seconds())+1000))
	sum, err := r.Run(ctx, sc, e)
	if err != nil {
		return row, err
	}
	row.Requests = sum.Requests
	row.SentRate = sum.AchievedRate
	row.Throughput = sum.AcceptedRate
	if sum.ElapsedSeconds > 0 {
		row.AchievedRate = float64(sum.Requests) / sum.ElapsedSeconds
	}
	row.P99Ms = sum.Latency.P99
	row.Validated = sum.Validated
	for _, n := range sum.Nonconforming {
		row.Nonconforming += n
	}
	row.Errors = sum.Errors
	return row, nil
}

// fidelityRun is one open-loop run of one mode at rate against the bare server.
func fidelityRun(ctx context.Context, tg fidelityTarget, mode string, rate float64, d time.Duration) (scorecard.Fidelity, error) {
	if mode == harnessMode {
		return loadRunner(ctx, tg.c, tg.base, rate, d)
	}
	var validated, bad atomic.Int64
	opts, closeIdle := loadAttacker()
	defer closeIdle()
	o := bench.AttackOptions{Rate: vegeta.Rate{Freq: int(rate), Per: time.Second}, Duration: d, Attacker: opts}
	if mode == inlineMode {
		o.Each = func(res *vegeta.Result) {
			if res.Code == 0 {
				return
			}
			ex := &contract.Exchange{
				Method: tg.req.Method, Path: tg.u.Path, RawQuery: tg.u.RawQuery,
				RequestHeader: tg.req.Header, RequestBody: tg.req.Body,
				Status: int(res.Code), Header: res.Headers, Body: res.Body,
			}
			validated.Add(1)
			if !tg.c.ValidateResponse(ctx, contract.Webex, ex).OK() {
				bad.Add(1)
			}
		}
	}
	run := bench.Attack(ctx, tg.req, o)
	_, transport := non2xx(run.StatusCodes)
	return scorecard.Fidelity{
		Mode: mode, RequestedRate: rate, AchievedRate: run.RequestsPerSec, SentRate: run.Rate, Throughput: run.Throughput,
		Requests: run.Requests, P99Ms: results.Milliseconds(run.P99), Validated: int(validated.Load()), Nonconforming: int(bad.Load()),
		Errors: int(transport),
	}, nil
}

// loadAttacker is the attacker internal/load runs (its record.go attack on
// the transport of Endpoint.newTransport): Vegeta's default workers, an idle
// pool of vegeta.DefaultConnections, no HTTP/2, the runner's default
// timeout and body cap, no redirects. Plain Vegeta gets the same, so the
// two differ only in what the harness does with each result; close drops
// the run's connections, as the runner does after each scenario.
func loadAttacker() (opts []func(*vegeta.Attacker), close func()) {
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: vegeta.DefaultConnections,
		IdleConnTimeout:     30 * time.Second,
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
	return []func(*vegeta.Attacker){
		vegeta.Client(&http.Client{Transport: tr}), vegeta.Timeout(load.DefaultTimeout),
		vegeta.MaxBody(load.DefaultMaxBody), vegeta.Redirects(vegeta.NoFollow),
	}, tr.CloseIdleConnections
}
