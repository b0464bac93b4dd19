package contract_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"loginharness/internal/bench"
	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// BenchmarkValidateResponse measures one response per variant. Besides
// wall time it reports cpu-ns/op, the process CPU time per response, which
// stays honest when other work shares the machine, and what the fast path
// left to kin-openapi: fallbacks/op (not compiled) and rechecks/op (not
// accepted).
func BenchmarkValidateResponse(b *testing.B) {
	c := testkit.Contract(b)
	for _, tc := range benchCases() {
		b.Run(tc.name, func(b *testing.B) {
			if res := c.ValidateResponse(context.Background(), tc.api, tc.ex); !res.OK() || res.Variant != tc.variant {
				b.Fatalf("setup: %+v", res)
			}
			fallbacks, rechecks := c.FastPathCounts()
			measure(b, func() { c.ValidateResponse(context.Background(), tc.api, tc.ex) })
			fallbacksAfter, rechecksAfter := c.FastPathCounts()
			b.ReportMetric(float64(fallbacksAfter-fallbacks)/float64(b.N), "fallbacks/op")
			b.ReportMetric(float64(rechecksAfter-rechecks)/float64(b.N), "rechecks/op")
		})
	}
}

func measure(b *testing.B, op func()) {
	b.ReportAllocs()
	start, _ := bench.ProcessCPU()
	for b.Loop() {
		op()
	}
	if end, known := bench.ProcessCPU(); known && end-start > 0 {
		used := end - start
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

type benchCase struct {
	name    string
	api     contract.API
	variant string
	ex      *contract.Exchange
}

func benchCases() []benchCase {
	jsonHeader := func(extra ...string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		for i := 0; i+1 < len(extra); i += 2 {
			h.Set(extra[i], extra[i+1])
		}
		return h
	}
	return []benchCase{
		{"webex_200", contract.Webex, "", &contract.Exchange{Method: "POST", Path: webexPath, Status: 200,
			Header: jsonHeader("TrackingID", "ROUTER_1"), Body: []byte(webex200)}},
		{"webex_429", contract.Webex, "", &contract.Exchange{Method: "POST", Path: webexPath, Status: 429,
			Header: jsonHeader("TrackingID", "ROUTER_1", "Retry-After", "12", "RateLimit", `"burst";r=0;t=12`, "RateLimit-Policy", `"burst";q=100;w=60`),
			Body:   []byte(webexError)}},
		{"webex_400", contract.Webex, "", &contract.Exchange{Method: "POST", Path: webexPath, Status: 400,
			Header: jsonHeader("TrackingID", "ROUTER_1"), Body: []byte(webexError)}},
		{"webex_405", contract.Webex, "", &contract.Exchange{Method: "POST", Path: webexPath, Status: 405,
			Header: jsonHeader("TrackingID", "ROUTER_1", "Allow", "POST"), Body: []byte(webexError)}},
		{"webex_503", contract.Webex, "", &contract.Exchange{Method: "POST", Path: webexPath, Status: 503,
			Header: jsonHeader("TrackingID", "ROUTER_1", "Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT"), Body: []byte(webexError)}},
		{"commvault_saas", contract.Commvault, "LoginResponse-SaaS", &contract.Exchange{Method: "POST", Path: commvaultPath, Status: 200,
			Header: jsonHeader(), Body: []byte(commvaultSaaS)}},
		{"commvault_customer_managed", contract.Commvault, "LoginResponse-CustomerManaged", &contract.Exchange{Method: "POST", Path: commvaultPath, Status: 200,
			Header: jsonHeader(), Body: []byte(commvaultCustomerManaged)}},
		{"commvault_login_failure", contract.Commvault, "LoginFailure", &contract.Exchange{Method: "POST", Path: commvaultPath, Status: 200,
			Header: jsonHeader(), Body: []byte(commvaultFailure)}},
	}
}

// BenchmarkPlainKinOpenAPI runs openapi3filter.ValidateResponse alone on the
// same exchanges, as a yardstick for BenchmarkValidateResponse: it names no
// variant, reads oneOf failures as one "Or" message and skips the Retry-After
// and format checks.
func BenchmarkPlainKinOpenAPI(b *testing.B) {
	c := testkit.Contract(b)
	for _, tc := range benchCases() {
		b.Run(tc.name, func(b *testing.B) {
			op := c.Spec(tc.api).Operations()[0]
			doc := c.Spec(tc.api).Doc
			item := doc.Paths.Find(op.Path)
			route := &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: item.GetOperation(op.Method)}
			req := &openapi3filter.RequestValidationInput{Request: &http.Request{Method: op.Method}, Route: route}
			options := &openapi3filter.Options{IncludeResponseStatus: true}
			validate := func() error {
				return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
					RequestValidationInput: req, Status: tc.ex.Status, Header: tc.ex.Header,
					Body: io.NopCloser(bytes.NewReader(tc.ex.Body)), Options: options,
				})
			}
			if err := validate(); err != nil {
				b.Fatal(err)
			}
			measure(b, func() { _ = validate() })
		})
	}
}
