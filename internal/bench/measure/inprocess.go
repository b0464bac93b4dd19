package measure

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"loginharness/internal/bench"
	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/target"
)

var initTesting sync.Once

// measured is a testing.Benchmark result with the process CPU time of its
// final run.
type measured struct {
	testing.BenchmarkResult
	cpu time.Duration // 0 when unknown
}

// benchmark runs fn under testing.Benchmark for about p.BenchTime, and
// measures the process CPU time of each run (the last one is the result's).
func benchmark(p *Plan, fn func(b *testing.B)) measured {
	initTesting.Do(func() {
		testing.Init()
		_ = flag.CommandLine.Set("test.benchtime", p.BenchTime.String())
	})
	var lastN int
	var lastCPU time.Duration
	r := testing.Benchmark(func(b *testing.B) {
		start, ok := bench.ProcessCPU()
		fn(b)
		if end, ok2 := bench.ProcessCPU(); ok && ok2 {
			lastN, lastCPU = b.N, end-start
		}
	})
	m := measured{BenchmarkResult: r}
	if lastN == r.N {
		m.cpu = lastCPU
	}
	return m
}

func cost(name string, r measured) bench.Cost {
	c := bench.Cost{Name: name, Iterations: r.N, AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp()}
	if r.N > 0 {
		c.NsPerOp = float64(r.T.Nanoseconds()) / float64(r.N)
		c.CPUNsPerOp = float64(r.cpu.Nanoseconds()) / float64(r.N)
	}
	return c
}

// serveLoop benchmarks h answering req again and again, in process.
func serveLoop(h http.Handler, req bench.Request) func(b *testing.B) {
	return func(b *testing.B) {
		r := httptest.NewRequest(req.Method, req.URL, nil)
		r.Header = req.Header.Clone()
		bench.ServeLoop(b, h, r, req.Body)
	}
}

// runHandler: the handler's own cost, mock against bare, without a network.
func runHandler(_ context.Context, p *Plan, rep *bench.Report) []*bench.Table {
	t := &bench.Table{Title: "Handler cost in process (valid Webex sign-in, no network)", Header: []string{"handler", "ns/op", "cpu ns/op", "allocs/op", "B/op"}}
	bare, err := Bare()
	if err != nil {
		rep.Notes = append(rep.Notes, "handler: "+err.Error())
		return nil
	}
	login, err := webexLogin("http://mock.test")
	if err != nil {
		rep.Notes = append(rep.Notes, "handler: "+err.Error())
		return nil
	}
	for _, h := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", bare},
		{"mock (rate 1e9/s, limiter consulted)", mock.New(mock.DefaultConfig(), mock.WithRate(1e9, 1<<20))},
	} {
		c := cost(h.name, benchmark(p, serveLoop(h.h, login)))
		rep.Handler = append(rep.Handler, c)
		t.Add(c.Name, bench.FormatFloat(c.NsPerOp), bench.FormatFloat(c.CPUNsPerOp), strconv.FormatInt(c.AllocsPerOp, 10), strconv.FormatInt(c.BytesPerOp, 10))
	}
	return []*bench.Table{t}
}

// sample is one real response of the mock, for the validator to judge.
type sample struct {
	name string
	api  contract.API
	ex   *contract.Exchange
}

// samples collects one response per documented status of every operation
// (forced with Prefer: code=NNN) and one per success variant (real sign-ins).
func samples(c *contract.Contract) ([]sample, error) {
	const base = "http://mock.test"
	var out []sample
	seen := map[string]bool{}
	record := func(api contract.API, req bench.Request, label string) {
		r := httptest.NewRequest(req.Method, req.URL, bytes.NewReader(req.Body))
		r.Header = req.Header.Clone()
		rec := httptest.NewRecorder()
		mock.New(mock.DefaultConfig()).ServeHTTP(rec, r)
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		ex := &contract.Exchange{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			RequestHeader: r.Header, RequestBody: req.Body,
			Status: res.StatusCode, Header: res.Header, Body: body,
		}
		v := c.ValidateResponse(context.Background(), api, ex)
		name := fmt.Sprintf("%s %d", api, ex.Status)
		switch {
		case v.Variant != "":
			name += " " + v.Variant
		case ex.Status >= 400:
			name += " error body"
		}
		if label != "" {
			name += " (" + label + ")"
		}
		key := fmt.Sprintf("%s %d %s", api, ex.Status, v.Variant)
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, sample{name: name, api: api, ex: ex})
	}
	saas, managed := demoAccount(contract.Commvault, target.SaaS), demoAccount(contract.Commvault, target.CustomerManaged)
	withDomain, wrong := managed, managed
	withDomain.Domain, wrong.Password = "corp", "wrong-password"
	signIns := []struct {
		api   contract.API
		a     target.Account
		label string
	}{
		{contract.Webex, demoAccount(contract.Webex, ""), ""},
		{contract.Commvault, saas, ""},
		{contract.Commvault, withDomain, ""},
		{contract.Commvault, wrong, "wrong password"},
	}
	for _, s := range signIns {
		req, err := signIn(s.api, s.a, base)
		if err != nil {
			return nil, err
		}
		record(s.api, req, s.label)
	}
	for _, api := range contract.APIs() {
		a := demoAccount(api, "")
		if api == contract.Commvault {
			a = managed
		}
		spec := c.Spec(api)
		if spec == nil {
			continue
		}
		for _, op := range spec.Operations() {
			for _, status := range op.Statuses {
				req, err := signIn(api, a, base)
				if err != nil {
					return nil, err
				}
				req.Method = op.Method
				req.Header.Set("Prefer", "code="+strconv.Itoa(status))
				record(api, req, "")
			}
		}
	}
	return out, nil
}

// runValidation: what contract.ValidateResponse costs per response.
func runValidation(_ context.Context, p *Plan, rep *bench.Report) []*bench.Table {
	c, err := specs()
	if err != nil {
		rep.Notes = append(rep.Notes, "validation: cannot load the specs: "+err.Error())
		return nil
	}
	recorded, err := samples(c)
	if err != nil {
		rep.Notes = append(rep.Notes, "validation: "+err.Error())
		return nil
	}
	t := &bench.Table{Title: fmt.Sprintf("Validation cost: contract.ValidateResponse per response (goal < %g µs)", bench.GoalValidationMicro), Header: []string{"response", "µs/op", "cpu µs/op", "allocs/op", "B/op", "findings"}}
	for _, s := range recorded {
		ctx := context.Background()
		findings := len(c.ValidateResponse(ctx, s.api, s.ex).Findings)
		r := benchmark(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.ValidateResponse(ctx, s.api, s.ex)
			}
		})
		cc := cost(s.name, r)
		cc.API, cc.Status, cc.Findings = string(s.api), s.ex.Status, findings
		if v := c.ValidateResponse(ctx, s.api, s.ex); v.Variant != "" {
			cc.Variant = v.Variant
		}
		rep.Validation = append(rep.Validation, cc)
		t.Add(cc.Name, bench.FormatFloat(cc.NsPerOp/1000), bench.FormatFloat(cc.CPUNsPerOp/1000), strconv.FormatInt(cc.AllocsPerOp, 10), strconv.FormatInt(cc.BytesPerOp, 10), strconv.Itoa(findings))
	}
	t.Notes = append(t.Notes, "µs/op is wall time, cpu µs/op the process's CPU time per call (GC included); the goal is judged on CPU time, which other work on the machine does not inflate")
	t.Notes = append(t.Notes, "responses recorded from the in-process mock: real sign-ins for the variants, Prefer: code=NNN for every documented status")
	return []*bench.Table{t}
}
