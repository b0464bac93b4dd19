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
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"loginharness/internal/bench"
	"loginharness/internal/bench/scorecard"
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

// benchmark runs fn under testing.Benchmark for about d, and measures the
// process CPU time of each run (the last one is the result's).
func benchmark(d time.Duration, fn func(b *testing.B)) measured {
	initTesting.Do(testing.Init)
	_ = flag.CommandLine.Set("test.benchtime", d.String())
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

func cost(name string, r measured) scorecard.Cost {
	c := scorecard.Cost{Name: name, Iterations: r.N, AllocsPerOp: r.AllocsPerOp(), BytesPerOp: r.AllocedBytesPerOp()}
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
func runHandler(_ context.Context, p *Plan, rep *scorecard.Card) []*table {
	t := &table{Title: "Handler cost in process (valid Webex sign-in, no network)", Header: []string{"handler", "ns/op", "cpu ns/op", "allocs/op", "B/op"}}
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
		c := cost(h.name, benchmark(p.BenchTime, serveLoop(h.h, login)))
		rep.Handler = append(rep.Handler, c)
		t.Add(c.Name, scorecard.FormatFloat(c.NsPerOp), scorecard.FormatFloat(c.CPUNsPerOp), strconv.FormatInt(c.AllocsPerOp, 10), strconv.FormatInt(c.BytesPerOp, 10))
	}
	return []*table{t}
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

// runValidation: what contract.ValidateResponse costs per response, and
// what plain kin-openapi costs on the same response, measured in rounds
// that take turns to go first.
func runValidation(ctx context.Context, p *Plan, rep *scorecard.Card) []*table {
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
	t := &table{
		Title:  fmt.Sprintf("Validation cost: contract.ValidateResponse per response, and plain kin-openapi on the same response (goals: < %g µs; <= %g× kin-openapi)", scorecard.GoalValidationMicro, scorecard.GoalValidationRatio),
		Header: []string{"response", "µs/op", "cpu µs/op", "allocs/op", "B/op", "kin cpu µs/op", "kin allocs/op", "× kin", "findings"},
	}
	for _, s := range recorded {
		if ctx.Err() != nil {
			break
		}
		cc, note := validationCost(p, c, s)
		rep.Validation = append(rep.Validation, cc)
		kinCPU, kinAllocs, ratio := "", "", ""
		if cc.Plain != nil {
			kinCPU, kinAllocs = scorecard.FormatFloat(cc.Plain.CPUNsPerOp/1000), strconv.FormatInt(cc.Plain.AllocsPerOp, 10)
		}
		if cc.RatioToPlain > 0 {
			ratio = scorecard.FormatFloat(cc.RatioToPlain)
		}
		t.Add(cc.Name, scorecard.FormatFloat(cc.NsPerOp/1000), scorecard.FormatFloat(cc.CPUNsPerOp/1000), strconv.FormatInt(cc.AllocsPerOp, 10), strconv.FormatInt(cc.BytesPerOp, 10),
			kinCPU, kinAllocs, ratio, strconv.Itoa(cc.Findings))
		if note != "" {
			t.Notes = append(t.Notes, cc.Name+": "+note)
		}
	}
	t.Notes = append(t.Notes,
		"µs/op is wall time, cpu µs/op the process's CPU time per call (GC included); the goals are judged on CPU time, which other work on the machine does not inflate",
		fmt.Sprintf("kin: openapi3filter.ValidateResponse alone on the same response (as internal/contract's BenchmarkPlainKinOpenAPI); × kin: median of %d rounds' CPU-time ratios, the two taking turns to go first, %v each", p.ValidationRounds, p.ValidationTime),
		"responses recorded from the in-process mock: real sign-ins for the variants, Prefer: code=NNN for every documented status")
	return []*table{t}
}

// validationCost measures one recorded response through the harness's
// validator and through plain kin-openapi, in p.ValidationRounds rounds;
// the note says why the kin-openapi figure is missing or what it made of
// the response.
func validationCost(p *Plan, c *contract.Contract, s sample) (scorecard.Cost, string) {
	ctx := context.Background()
	v := c.ValidateResponse(ctx, s.api, s.ex)
	harness := func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.ValidateResponse(ctx, s.api, s.ex)
		}
	}
	kin, note, err := plainKin(c, s)
	if err != nil {
		note = "no kin-openapi figure: " + err.Error()
	}
	var own, plain []scorecard.Cost
	var ratios []float64
	for r := range p.ValidationRounds {
		first := r%2 == 1 && kin != nil // each side leads in turn
		var k scorecard.Cost
		if first {
			k = cost("kin-openapi", benchmark(p.ValidationTime, kin))
		}
		h := cost(s.name, benchmark(p.ValidationTime, harness))
		if kin != nil && !first {
			k = cost("kin-openapi", benchmark(p.ValidationTime, kin))
		}
		own = append(own, h)
		if kin != nil {
			plain = append(plain, k)
			if v, ok := scorecard.CostRatio(h, k); ok {
				ratios = append(ratios, v)
			}
		}
	}
	cc := scorecard.FoldCosts(own)
	cc.API, cc.Status, cc.Findings, cc.Variant = string(s.api), s.ex.Status, len(v.Findings), v.Variant
	if len(plain) > 0 {
		k := scorecard.FoldCosts(plain)
		cc.Plain = &k
		cc.RatioToPlain, _ = scorecard.Median(ratios)
	}
	return cc, note
}

// plainKin is the yardstick of the validation ratio: kin-openapi's
// openapi3filter.ValidateResponse alone on the sample, with the route of
// its operation, as internal/contract's BenchmarkPlainKinOpenAPI runs it.
// The note says when kin-openapi rejects the response, which makes its
// figure that of its error path.
func plainKin(c *contract.Contract, s sample) (fn func(b *testing.B), note string, err error) {
	spec := c.Spec(s.api)
	if spec == nil {
		return nil, "", fmt.Errorf("no %s spec", s.api)
	}
	for _, op := range spec.Operations() {
		item := spec.Doc.Paths.Find(op.Path)
		if op.Method != s.ex.Method || !strings.HasSuffix(s.ex.Path, op.Path) || item == nil {
			continue
		}
		in := &openapi3filter.RequestValidationInput{
			Request: &http.Request{Method: op.Method},
			Route:   &routers.Route{Spec: spec.Doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: item.GetOperation(op.Method)},
		}
		options := &openapi3filter.Options{IncludeResponseStatus: true}
		validate := func() error {
			return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
				RequestValidationInput: in, Status: s.ex.Status, Header: s.ex.Header,
				Body: io.NopCloser(bytes.NewReader(s.ex.Body)), Options: options,
			})
		}
		if err := validate(); err != nil {
			note = "kin-openapi rejects it (" + firstLine(err.Error()) + "): its figure is its error path's"
		}
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = validate()
			}
		}, note, nil
	}
	return nil, "", fmt.Errorf("no operation of the %s spec answers %s %s", s.api, s.ex.Method, s.ex.Path)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
