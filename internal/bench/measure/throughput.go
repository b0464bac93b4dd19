package measure

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/bench"
	"loginharness/internal/bench/scorecard"
	"loginharness/internal/results"
)

// startServer starts `harness-bench serve --kind kind` on a free loopback port.
func (p *Plan) startServer(ctx context.Context, kind string, extra ...string) (*bench.ServerProcess, error) {
	args := append([]string{"serve", "--kind", kind, "--addr", "127.0.0.1:0"}, extra...)
	return bench.StartServerProcess(ctx, 20*time.Second, p.Exe, args...)
}

// openMockArgs configure the throughput mock: the limiter is consulted on
// every request, keyed by token, at a rate it never reaches.
var openMockArgs = []string{"--rate", "1e9", "--burst", "1048576", "--key-by", "token"}

// stopServer stops s and records a failure to stop cleanly as a note.
func stopServer(rep *scorecard.Card, section string, s *bench.ServerProcess) {
	if err := s.Stop(); err != nil {
		rep.Notes = append(rep.Notes, section+": "+err.Error())
	}
}

func non2xx(codes map[string]int) (bad, transport int64) {
	for code, n := range codes {
		if code == "0" {
			transport += int64(n)
		}
		if !strings.HasPrefix(code, "2") {
			bad += int64(n)
		}
	}
	return bad, transport
}

// runThroughput: closed-loop requests/s of the mock and the bare handler,
// each in its own process, under Vegeta (several worker counts) and wrk.
func runThroughput(ctx context.Context, p *Plan, rep *scorecard.Card) []*table {
	servers, stop, err := startPair(ctx, p, rep)
	if err != nil {
		rep.Notes = append(rep.Notes, "throughput: "+err.Error())
		return nil
	}
	defer stop(rep)
	t := throughputTable{rep: rep, table: &table{
		Title:  "Throughput, closed loop over loopback: valid Webex sign-in (goal mock/bare >= 0.8)",
		Header: []string{"source", "conns", "server", "req/s", "p50 ms", "p99 ms", "non-2xx", "mock/bare"},
	}}
	for _, w := range p.Workers {
		if ctx.Err() != nil {
			return []*table{t.table}
		}
		p.logf("   vegeta %d workers, %d rounds", w, p.Rounds)
		rows, err := vegetaRounds(ctx, p, servers, w)
		if err != nil {
			rep.Notes = append(rep.Notes, "throughput: "+err.Error())
			return []*table{t.table}
		}
		t.add(rows)
	}
	if _, err := bench.WrkVersion(); err != nil {
		rows := map[string]scorecard.Throughput{}
		for _, name := range []string{"bare", "mock"} {
			rows[name] = scorecard.Throughput{Source: "wrk", Connections: p.WrkConns, Server: name, Skipped: err.Error()}
		}
		rep.Notes = append(rep.Notes, "throughput: wrk rows skipped: "+err.Error())
		t.Notes = append(t.Notes, "wrk skipped: "+err.Error())
		t.add(rows)
		return []*table{t.table}
	}
	p.logf("   wrk %d connections, %d rounds", p.WrkConns, p.Rounds)
	rows, err := wrkRounds(ctx, p, servers)
	if err != nil {
		rep.Notes = append(rep.Notes, "throughput: "+err.Error())
		return []*table{t.table}
	}
	t.add(rows)
	t.Notes = append(t.Notes,
		"each server runs in its own process (harness-bench serve); the load source shares the machine's "+strconv.Itoa(rep.Env.NumCPU)+" CPUs",
		"mock: "+strings.Join(openMockArgs, " ")+" (validation, auth and the keyed limiter on, never refusing)")
	t.Notes = append(t.Notes, "req/s, p50, p99: medians of "+strconv.Itoa(p.Rounds)+" rounds; mock/bare: median of the rounds' ratios (bare and mock back to back, order alternating)")
	if errs := throughputProblems(rep.Throughput); errs != nil {
		rep.Notes = append(rep.Notes, "throughput: "+errs.Error())
	}
	return []*table{t.table}
}

// startPair starts the bare and the mock server of the throughput runs;
// stop stops both, noting a failure to stop cleanly.
func startPair(ctx context.Context, p *Plan, rep *scorecard.Card) (servers map[string]*bench.ServerProcess, stop func(*scorecard.Card), err error) {
	bare, err := p.startServer(ctx, "bare")
	if err != nil {
		return nil, nil, errors.New("bare server: " + err.Error())
	}
	mockArgs := openMockArgs
	if p.MockProfile != "" {
		mockArgs = append(append([]string{}, openMockArgs...), "--cpuprofile", p.MockProfile)
	}
	mk, err := p.startServer(ctx, "mock", mockArgs...)
	if err != nil {
		stopServer(rep, "throughput", bare)
		return nil, nil, errors.New("mock server: " + err.Error())
	}
	stop = func(rep *scorecard.Card) {
		stopServer(rep, "throughput", mk)
		stopServer(rep, "throughput", bare)
	}
	return map[string]*bench.ServerProcess{"bare": bare, "mock": mk}, stop, nil
}

// throughputTable is the throughput table and the report it fills.
type throughputTable struct {
	*table
	rep *scorecard.Card
}

// add records a bare/mock pair of rows in the report and the table.
func (t throughputTable) add(rows map[string]scorecard.Throughput) {
	for _, name := range []string{"bare", "mock"} {
		r, ok := rows[name]
		if !ok {
			continue
		}
		t.rep.Throughput = append(t.rep.Throughput, r)
		if r.Skipped != "" {
			t.Add(r.Source, strconv.Itoa(r.Connections), name, "skipped", "", "", "", "")
			continue
		}
		ratio := ""
		if name == "mock" && r.RatioToBare > 0 {
			ratio = scorecard.FormatFloat(r.RatioToBare)
		}
		t.Add(r.Source, strconv.Itoa(r.Connections), name, scorecard.FormatFloat(r.RequestsPerSec), scorecard.FormatFloat(r.P50Ms), scorecard.FormatFloat(r.P99Ms), strconv.FormatInt(r.Non2xx, 10), ratio)
	}
}

// vegetaRounds measures both servers with w Vegeta workers, after a warm-up.
func vegetaRounds(ctx context.Context, p *Plan, servers map[string]*bench.ServerProcess, w uint64) (map[string]scorecard.Throughput, error) {
	logins := map[string]bench.Request{}
	for name, srv := range servers {
		req, err := webexLogin(srv.URL)
		if err != nil {
			return nil, err
		}
		logins[name] = req
	}
	return alternate(ctx, p, "vegeta", int(w), func(name string) (scorecard.Throughput, error) {
		req := logins[name]
		bench.Attack(ctx, req, bench.AttackOptions{Workers: w, Duration: p.Warm})
		run := bench.Attack(ctx, req, bench.AttackOptions{Workers: w, Duration: p.Load})
		bad, transport := non2xx(run.StatusCodes)
		return scorecard.Throughput{
			Seconds: run.Elapsed.Seconds(), Requests: int64(run.Requests), RequestsPerSec: run.RequestsPerSec,
			P50Ms: results.Milliseconds(run.P50), P99Ms: results.Milliseconds(run.P99), Non2xx: bad, Errors: transport, StatusCodes: run.StatusCodes,
		}, nil
	}), nil
}

// wrkRounds measures both servers with wrk, sending the same sign-in.
func wrkRounds(ctx context.Context, p *Plan, servers map[string]*bench.ServerProcess) (map[string]scorecard.Throughput, error) {
	login, err := webexLogin("")
	if err != nil {
		return nil, err
	}
	header := map[string]string{}
	for k, v := range login.Header {
		header[k] = strings.Join(v, ", ")
	}
	script := bench.WrkScript(login.Method, header, string(login.Body))
	return alternate(ctx, p, "wrk", p.WrkConns, func(name string) (scorecard.Throughput, error) {
		res, err := bench.RunWrk(ctx, servers[name].URL+login.URL, bench.WrkOptions{
			Threads: p.WrkThreads, Connections: p.WrkConns, Duration: p.WrkLoad, Script: script,
		})
		if err != nil {
			return scorecard.Throughput{}, err
		}
		return scorecard.Throughput{
			Seconds: res.Duration.Seconds(), Requests: res.Requests, RequestsPerSec: res.RequestsPerSec,
			P50Ms: results.Milliseconds(res.P50), P99Ms: results.Milliseconds(res.P99), Non2xx: res.Non2xx, Errors: res.SocketErrors,
		}, nil
	}), nil
}

// throughputProblems names runs whose figures are not all 200s.
func throughputProblems(rows []scorecard.Throughput) error {
	var errs []error
	for _, r := range rows {
		if r.Skipped == "" && (r.Non2xx > 0 || r.Errors > 0) {
			errs = append(errs, errors.New(r.Source+" "+strconv.Itoa(r.Connections)+" "+r.Server+": "+strconv.FormatInt(r.Non2xx, 10)+" non-2xx answers, "+strconv.FormatInt(r.Errors, 10)+" errors"))
		}
	}
	return errors.Join(errs...)
}

// alternate measures bare and mock in p.Rounds back-to-back pairs, the
// order swapping each round so drifting load from other processes hits
// both alike, and folds the rounds into medians.
func alternate(ctx context.Context, p *Plan, source string, conns int, measure func(server string) (scorecard.Throughput, error)) map[string]scorecard.Throughput {
	per := map[string][]scorecard.Throughput{}
	var ratios []float64
	failed := map[string]string{}
	for r := range p.Rounds {
		order := []string{"bare", "mock"}
		if r%2 == 1 {
			order = []string{"mock", "bare"}
		}
		round := map[string]float64{}
		for _, name := range order {
			if ctx.Err() != nil {
				break
			}
			m, err := measure(name)
			if err != nil {
				failed[name] = err.Error()
				continue
			}
			per[name] = append(per[name], m)
			round[name] = m.RequestsPerSec
		}
		if v, ok := scorecard.Ratio(round["mock"], round["bare"]); ok {
			ratios = append(ratios, v)
		}
	}
	return scorecard.FoldRounds(source, conns, per, ratios, failed)
}
