package measure

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/bench"
	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

const (
	plainMode   = bench.ModePlain
	inlineMode  = bench.ModeInline
	harnessMode = bench.ModeHarness
)

// runFidelity: requested against achieved rate at fixed rates against the
// bare handler, with plain Vegeta and with every response validated.
func runFidelity(ctx context.Context, p *Plan, rep *bench.Report) []*bench.Table {
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
	t := &bench.Table{
		Title:  "Load fidelity against the bare handler, open loop (goal: internal/load runner >= 0.9 of plain)",
		Header: []string{"requested/s", "mode", "achieved/s", "sent/s", "p99 ms", "validated", "nonconforming", "vs plain"},
	}
	modes := []string{plainMode, inlineMode, harnessMode}
	for _, rate := range p.Rates {
		per := map[string][]bench.Fidelity{}
		ratios := map[string][]float64{}
		for r := range p.FidelityRounds {
			round := map[string]float64{}
			for k := range modes {
				mode := modes[(k+r)%len(modes)] // each mode leads in turn
				if ctx.Err() != nil {
					return []*bench.Table{t}
				}
				p.logf("   %s at %.0f/s, round %d", mode, rate, r+1)
				row, err := fidelityRun(ctx, c, srv.URL, req, u, mode, rate, p.Fidelity)
				if err != nil {
					rep.Notes = append(rep.Notes, fmt.Sprintf("fidelity: %s at %.0f/s: %v", mode, rate, err))
					continue
				}
				per[mode] = append(per[mode], row)
				round[mode] = row.AchievedRate
			}
			for _, mode := range modes[1:] {
				if v, ok := bench.Ratio(round[mode], round[plainMode]); ok {
					ratios[mode] = append(ratios[mode], v)
				}
			}
		}
		for _, row := range bench.FoldFidelity(rate, modes, per, ratios) {
			rep.Fidelity = append(rep.Fidelity, row)
			ratio := ""
			if row.RatioToPlain > 0 {
				ratio = bench.FormatFloat(row.RatioToPlain)
			}
			t.Add(bench.FormatFloat(rate), row.Mode, bench.FormatFloat(row.AchievedRate), bench.FormatFloat(row.SentRate), bench.FormatFloat(row.P99Ms), strconv.Itoa(row.Validated), strconv.Itoa(row.Nonconforming), ratio)
		}
	}
	t.Notes = append(t.Notes,
		"achieved = responses / (first request sent .. last response); sent = Vegeta's Rate; medians of "+strconv.Itoa(p.FidelityRounds)+" rounds, modes taking turns to lead",
		"vs plain: median of the rounds' ratios to plain Vegeta's achieved rate",
		"inline: contract.ValidateResponse on every result on Vegeta's collecting goroutine, serially",
		"internal/load runner: the load suite's path (validator goroutines, redaction, Vegeta result file), its under-limit scenario aimed at the bare handler")
	return []*bench.Table{t}
}

// loadRunner runs the load suite's under-limit scenario (half the limit,
// so a limit of twice the rate) against the bare server, in a throw-away
// output folder.
func loadRunner(ctx context.Context, c *contract.Contract, base string, rate float64, d time.Duration) (bench.Fidelity, error) {
	row := bench.Fidelity{Mode: harnessMode, RequestedRate: rate}
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
func fidelityRun(ctx context.Context, c *contract.Contract, base string, req bench.Request, u *url.URL, mode string, rate float64, d time.Duration) (bench.Fidelity, error) {
	if mode == harnessMode {
		return loadRunner(ctx, c, base, rate, d)
	}
	var validated, bad atomic.Int64
	o := bench.AttackOptions{Rate: vegeta.Rate{Freq: int(rate), Per: time.Second}, Workers: 32, Duration: d}
	if mode == inlineMode {
		o.Each = func(res *vegeta.Result) {
			if res.Code == 0 {
				return
			}
			ex := &contract.Exchange{
				Method: req.Method, Path: u.Path, RawQuery: u.RawQuery,
				RequestHeader: req.Header, RequestBody: req.Body,
				Status: int(res.Code), Header: res.Headers, Body: res.Body,
			}
			validated.Add(1)
			if !c.ValidateResponse(ctx, contract.Webex, ex).OK() {
				bad.Add(1)
			}
		}
	}
	run := bench.Attack(ctx, req, o)
	_, transport := non2xx(run.StatusCodes)
	return bench.Fidelity{
		Mode: mode, RequestedRate: rate, AchievedRate: run.RequestsPerSec, SentRate: run.Rate, Throughput: run.Throughput,
		Requests: run.Requests, P99Ms: results.Milliseconds(run.P99), Validated: int(validated.Load()), Nonconforming: int(bad.Load()),
		Errors: int(transport),
	}, nil
}
