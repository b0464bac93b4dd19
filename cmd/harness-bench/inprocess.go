package main

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
	"syscall"
	"testing"
	"time"

	"loginharness/internal/bench"
	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

var initTesting sync.Once

// measured is a testing.Benchmark result with the process CPU time of its
// final run.
type measured struct {
	testing.BenchmarkResult
	cpu time.Duration // 0 when unknown
}

// benchmark runs fn under testing.Benchmark for about p.benchTime, and
// measures the process CPU time of each run (the last one is the result's).
func benchmark(p *plan, fn func(b *testing.B)) measured {
	initTesting.Do(func() {
		testing.Init()
		_ = flag.CommandLine.Set("test.benchtime", p.benchTime.String())
	})
	var lastN int
	var lastCPU time.Duration
	r := testing.Benchmark(func(b *testing.B) {
		start, ok := processCPU()
		fn(b)
		if end, ok2 := processCPU(); ok && ok2 {
			lastN, lastCPU = b.N, end-start
		}
	})
	m := measured{BenchmarkResult: r}
	if lastN == r.N {
		m.cpu = lastCPU
	}
	return m
}

// processCPU is the user+system CPU time of this process so far.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

func cost(name string, r measured) bench.Cost {
	c := bench.Cost{Name: name, Iterations: r.N, AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp()}
	if r.N > 0 {
		c.NsPerOp = float64(r.T.Nanoseconds()) / float64(r.N)
		c.CPUNsPerOp = float64(r.cpu.Nanoseconds()) / float64(r.N)
	}
	return c
}

// discardWriter is the cheapest ResponseWriter: what remains is the handler.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }

// serveLoop benchmarks h answering req again and again.
func serveLoop(h http.Handler, req bench.Request) func(b *testing.B) {
	return func(b *testing.B) {
		reader := bytes.NewReader(req.Body)
		r := httptest.NewRequest(req.Method, req.URL, nil)
		r.Header = req.Header.Clone()
		r.Body = io.NopCloser(reader)
		r.ContentLength = int64(len(req.Body))
		w := &discardWriter{header: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			reader.Reset(req.Body)
			clear(w.header)
			w.status = 0
			h.ServeHTTP(w, r)
		}
	}
}

// runHandler: the handler's own cost, mock against bare, without a network.
func runHandler(_ context.Context, p *plan, rep *bench.Report) []*bench.Table {
	t := &bench.Table{Title: "Handler cost in process (valid Webex sign-in, no network)", Header: []string{"handler", "ns/op", "cpu ns/op", "allocs/op", "B/op"}}
	bare, err := newBare()
	if err != nil {
		rep.Notes = append(rep.Notes, "handler: "+err.Error())
		return nil
	}
	login := webexLogin("http://mock.test")
	for _, h := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", bare},
		{"mock (rate 1e9/s, limiter consulted)", mock.New(mock.DefaultConfig(), mock.WithRate(1e9, 1<<20))},
	} {
		c := cost(h.name, benchmark(p, serveLoop(h.h, login)))
		rep.Handler = append(rep.Handler, c)
		t.Add(c.Name, f(c.NsPerOp), f(c.CPUNsPerOp), strconv.FormatInt(c.AllocsPerOp, 10), strconv.FormatInt(c.BytesPerOp, 10))
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
func samples(c *contract.Contract) []sample {
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
	webex := webexLogin(base)
	record(contract.Webex, webex, "")
	record(contract.Commvault, commvaultLogin(base, mock.DemoCommvaultSaaSUser, mock.DemoCommvaultPassword, nil), "")
	record(contract.Commvault, commvaultLogin(base, mock.DemoCommvaultUser, mock.DemoCommvaultPassword, map[string]any{"domain": "corp"}), "")
	record(contract.Commvault, commvaultLogin(base, mock.DemoCommvaultUser, "wrong-password", nil), "wrong password")
	for _, api := range contract.APIs() {
		spec := c.Spec(api)
		if spec == nil {
			continue
		}
		for _, op := range spec.Operations() {
			for _, status := range op.Statuses {
				var req bench.Request
				if api == contract.Webex {
					req = webexLogin(base)
				} else {
					req = commvaultLogin(base, mock.DemoCommvaultUser, mock.DemoCommvaultPassword, nil)
				}
				req.Method = op.Method
				req.Header.Set("Prefer", "code="+strconv.Itoa(status))
				record(api, req, "")
			}
		}
	}
	return out
}

// runValidation: what contract.ValidateResponse costs per response.
func runValidation(_ context.Context, p *plan, rep *bench.Report) []*bench.Table {
	c, err := contract.Load()
	if err != nil {
		rep.Notes = append(rep.Notes, "validation: cannot load the specs: "+err.Error())
		return nil
	}
	t := &bench.Table{Title: "Validation cost: contract.ValidateResponse per response (goal < 20 µs)", Header: []string{"response", "µs/op", "cpu µs/op", "allocs/op", "B/op", "findings"}}
	for _, s := range samples(c) {
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
		t.Add(cc.Name, f(cc.NsPerOp/1000), f(cc.CPUNsPerOp/1000), strconv.FormatInt(cc.AllocsPerOp, 10), strconv.FormatInt(cc.BytesPerOp, 10), strconv.Itoa(findings))
	}
	t.Notes = append(t.Notes, "µs/op is wall time, cpu µs/op the process's CPU time per call (GC included); the goal is judged on CPU time, which other work on the machine does not inflate")
	t.Notes = append(t.Notes, "responses recorded from the in-process mock: real sign-ins for the variants, Prefer: code=NNN for every documented status")
	return []*bench.Table{t}
}
