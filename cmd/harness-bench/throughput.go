package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/bench"
)

// startServer starts `harness-bench serve --kind kind` on a free loopback port.
func (p *plan) startServer(ctx context.Context, kind string, extra ...string) (*bench.Server, error) {
	args := append([]string{"serve", "--kind", kind, "--addr", "127.0.0.1:0"}, extra...)
	return bench.StartServer(ctx, 20*time.Second, p.exe, args...)
}

// openMockArgs configure the throughput mock: the limiter is consulted on
// every request, keyed by token, at a rate it never reaches.
var openMockArgs = []string{"--rate", "1e9", "--burst", "1048576", "--key-by", "token"}

// stopServer stops s and records a failure to stop cleanly as a note.
func stopServer(rep *bench.Report, section string, s *bench.Server) {
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
func runThroughput(ctx context.Context, p *plan, rep *bench.Report) []*bench.Table {
	bare, err := p.startServer(ctx, "bare")
	if err != nil {
		rep.Notes = append(rep.Notes, "throughput: bare server: "+err.Error())
		return nil
	}
	defer stopServer(rep, "throughput", bare)
	mockArgs := openMockArgs
	if p.mockProfile != "" {
		mockArgs = append(append([]string{}, openMockArgs...), "--cpuprofile", p.mockProfile)
	}
	mk, err := p.startServer(ctx, "mock", mockArgs...)
	if err != nil {
		rep.Notes = append(rep.Notes, "throughput: mock server: "+err.Error())
		return nil
	}
	defer stopServer(rep, "throughput", mk)
	servers := map[string]*bench.Server{"bare": bare, "mock": mk}

	t := &bench.Table{
		Title:  "Throughput, closed loop over loopback: valid Webex sign-in (goal mock/bare >= 0.8)",
		Header: []string{"source", "conns", "server", "req/s", "p50 ms", "p99 ms", "non-2xx", "mock/bare"},
	}
	addPair := func(rows map[string]bench.Throughput) {
		for _, name := range []string{"bare", "mock"} {
			r, ok := rows[name]
			if !ok {
				continue
			}
			rep.Throughput = append(rep.Throughput, r)
			if r.Skipped != "" {
				t.Add(r.Source, strconv.Itoa(r.Connections), name, "skipped", "", "", "", "")
				continue
			}
			ratio := ""
			if name == "mock" && r.RatioToBare > 0 {
				ratio = f(r.RatioToBare)
			}
			t.Add(r.Source, strconv.Itoa(r.Connections), name, f(r.RequestsPerSec), f(r.P50Ms), f(r.P99Ms), strconv.FormatInt(r.Non2xx, 10), ratio)
		}
	}
	for _, w := range p.workers {
		if ctx.Err() != nil {
			return []*bench.Table{t}
		}
		p.logf("   vegeta %d workers, %d rounds", w, p.rounds)
		addPair(alternate(ctx, p, "vegeta", int(w), func(name string) (bench.Throughput, error) {
			req := webexLogin(servers[name].URL)
			bench.Attack(ctx, req, bench.AttackOptions{Workers: w, Duration: p.warm})
			run := bench.Attack(ctx, req, bench.AttackOptions{Workers: w, Duration: p.load})
			bad, transport := non2xx(run.StatusCodes)
			return bench.Throughput{
				Seconds: run.Elapsed.Seconds(), Requests: int64(run.Requests), RequestsPerSec: run.RequestsPerSec,
				P50Ms: ms(run.P50), P99Ms: ms(run.P99), Non2xx: bad, Errors: transport, StatusCodes: run.StatusCodes,
			}, nil
		}))
	}

	if _, err := bench.WrkVersion(); err != nil {
		rows := map[string]bench.Throughput{}
		for _, name := range []string{"bare", "mock"} {
			rows[name] = bench.Throughput{Source: "wrk", Connections: p.wrkConns, Server: name, Skipped: err.Error()}
		}
		rep.Notes = append(rep.Notes, "throughput: wrk rows skipped: "+err.Error())
		t.Notes = append(t.Notes, "wrk skipped: "+err.Error())
		addPair(rows)
		return []*bench.Table{t}
	}
	login := webexLogin("")
	header := map[string]string{}
	for k, v := range login.Header {
		header[k] = strings.Join(v, ", ")
	}
	script := bench.WrkScript(login.Method, header, string(login.Body))
	p.logf("   wrk %d connections, %d rounds", p.wrkConns, p.rounds)
	addPair(alternate(ctx, p, "wrk", p.wrkConns, func(name string) (bench.Throughput, error) {
		res, err := bench.RunWrk(ctx, servers[name].URL+login.URL, bench.WrkOptions{
			Threads: p.wrkThreads, Connections: p.wrkConns, Duration: p.wrkLoad, Script: script,
		})
		if err != nil {
			return bench.Throughput{}, err
		}
		return bench.Throughput{
			Seconds: res.Duration.Seconds(), Requests: res.Requests, RequestsPerSec: res.RequestsPerSec,
			P50Ms: ms(res.P50), P99Ms: ms(res.P99), Non2xx: res.Non2xx, Errors: res.SocketErrors,
		}, nil
	}))
	t.Notes = append(t.Notes,
		"each server runs in its own process (harness-bench serve); the load source shares the machine's "+strconv.Itoa(rep.Env.NumCPU)+" CPUs",
		"mock: "+strings.Join(openMockArgs, " ")+" (validation, auth and the keyed limiter on, never refusing)")
	t.Notes = append(t.Notes, "req/s, p50, p99: medians of "+strconv.Itoa(p.rounds)+" rounds; mock/bare: median of the rounds' ratios (bare and mock back to back, order alternating)")
	if errs := throughputProblems(rep.Throughput); errs != nil {
		rep.Notes = append(rep.Notes, "throughput: "+errs.Error())
	}
	return []*bench.Table{t}
}

// throughputProblems names runs whose figures are not all 200s.
func throughputProblems(rows []bench.Throughput) error {
	var errs []error
	for _, r := range rows {
		if r.Skipped == "" && (r.Non2xx > 0 || r.Errors > 0) {
			errs = append(errs, errors.New(r.Source+" "+strconv.Itoa(r.Connections)+" "+r.Server+": "+strconv.FormatInt(r.Non2xx, 10)+" non-2xx answers, "+strconv.FormatInt(r.Errors, 10)+" errors"))
		}
	}
	return errors.Join(errs...)
}

// alternate measures bare and mock in p.rounds back-to-back pairs, the
// order swapping each round so drifting load from other processes hits
// both alike, and folds the rounds into medians.
func alternate(ctx context.Context, p *plan, source string, conns int, measure func(server string) (bench.Throughput, error)) map[string]bench.Throughput {
	per := map[string][]bench.Throughput{}
	var ratios []float64
	failed := map[string]string{}
	for r := range p.rounds {
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
		if v, ok := bench.Ratio(round["mock"], round["bare"]); ok {
			ratios = append(ratios, v)
		}
	}
	return bench.FoldRounds(source, conns, per, ratios, failed)
}
