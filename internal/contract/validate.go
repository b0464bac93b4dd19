package contract

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Exchange is what went over the wire. Path is the full URL path as sent
// (e.g. "/v1/telephony/.../invoke" or "/commandcenter/api/Login"); the
// operation is found by matching the operation's path template as a suffix,
// so any base URL works.
type Exchange struct {
	Method        string
	Path          string
	RawQuery      string
	RequestHeader http.Header
	RequestBody   []byte
	Status        int
	Header        http.Header
	Body          []byte
}

// Result is the verdict on one exchange.
type Result struct {
	API       API
	Operation string // operationId, "" when none was found
	Status    int
	Variant   string    // the oneOf variant that matched, "" when the schema has none or none matched
	Findings  []Finding // empty when the exchange keeps the contract
}

// OK tells whether the exchange keeps the contract.
func (r Result) OK() bool { return len(r.Findings) == 0 }

// ValidateResponse judges the response half of ex: documented status,
// content type, required headers and their values, and the body.
func (c *Contract) ValidateResponse(ctx context.Context, api API, ex *Exchange) Result {
	if ex == nil {
		return Result{API: api, Findings: []Finding{noExchange}}
	}
	if res, ok := c.acceptResponse(ctx, api, ex); ok {
		return res
	}
	return c.explainResponse(ctx, api, ex)
}

// explainResponse is ValidateResponse on kin-openapi alone: the verdict,
// with findings when the response breaks the contract.
func (c *Contract) explainResponse(ctx context.Context, api API, ex *Exchange) Result {
	res := Result{API: api, Status: ex.Status}
	var findings []Finding
	res.Operation, res.Variant, findings = c.judgeResponse(ctx, api, ex)
	res.Findings = redactFindings(findings, ex)
	return res
}

// ValidateRequest judges the request half of ex: required parameters and
// their values, content type and body. It never judges credentials: the
// mock and the live service do.
func (c *Contract) ValidateRequest(ctx context.Context, api API, ex *Exchange) Result {
	if ex == nil {
		return Result{API: api, Findings: []Finding{noExchange}}
	}
	res := Result{API: api}
	var findings []Finding
	res.Operation, res.Variant, findings = c.judgeRequest(ctx, api, ex)
	res.Findings = redactFindings(findings, ex)
	return res
}

var noExchange = Finding{Check: CheckOperation, Message: "no exchange to validate"}

func (c *Contract) judgeResponse(ctx context.Context, api API, ex *Exchange) (opID, variant string, findings []Finding) {
	op, finding := c.find(api, ex, true)
	if op == nil {
		return "", "", []Finding{finding}
	}
	resp := op.responses.find(ex.Status)
	if resp == nil {
		return op.meta.ID, "", []Finding{{
			Check:    CheckStatusDocumented,
			Expected: op.responses.documented,
			Actual:   strconv.Itoa(ex.Status),
			Message:  fmt.Sprintf("status %d is not documented for %s", ex.Status, op.meta.ID),
		}}
	}
	for _, h := range resp.headers {
		findings = h.check(ctx, ex.Status, ex.Header, findings)
	}
	variant, findings = resp.body.check(ex.Header, ex.Body, &responseSide, findings)
	return op.meta.ID, variant, findings
}

func (c *Contract) judgeRequest(ctx context.Context, api API, ex *Exchange) (opID, variant string, findings []Finding) {
	op, finding := c.find(api, ex, false)
	if op == nil {
		return "", "", []Finding{finding}
	}
	findings = op.checkParameters(ctx, ex)
	if len(ex.RequestBody) > 0 || op.required {
		variant, findings = op.request.check(ex.RequestHeader, ex.RequestBody, &requestSide, findings)
	}
	return op.meta.ID, variant, findings
}

// find returns the operation ex called. A 405 answers a method the path does
// not document, so when lenient405 is set it is judged by the 405 response
// of an operation on that path.
func (c *Contract) find(api API, ex *Exchange, lenient405 bool) (*operation, Finding) {
	s := c.Spec(api)
	if s == nil {
		return nil, Finding{Check: CheckOperation, Actual: string(api), Message: fmt.Sprintf("no spec is loaded for API %q", api)}
	}
	var best, samePath *operation
	for _, op := range s.ops {
		if !op.matches(ex.Path) {
			continue
		}
		if samePath == nil && op.responses.byCode[http.StatusMethodNotAllowed] != nil {
			samePath = op
		}
		if strings.EqualFold(op.meta.Method, ex.Method) && (best == nil || len(op.segments) > len(best.segments)) {
			best = op
		}
	}
	if best == nil && lenient405 && ex.Status == http.StatusMethodNotAllowed {
		best = samePath
	}
	if best != nil {
		return best, Finding{}
	}
	documented := make([]string, 0, len(s.ops))
	for _, op := range s.ops {
		documented = append(documented, op.meta.Method+" "+op.meta.Path)
	}
	return nil, Finding{
		Check:    CheckOperation,
		Expected: strings.Join(documented, ", "),
		Actual:   ex.Method + " " + ex.Path,
		Message:  fmt.Sprintf("%s documents no operation for %s %s", s.File, ex.Method, ex.Path),
	}
}

// checkParameters validates query, header, path and cookie parameters with
// openapi3filter; credentials are accepted as they come.
func (op *operation) checkParameters(ctx context.Context, ex *Exchange) []Finding {
	header := ex.RequestHeader
	if header == nil {
		header = http.Header{}
	}
	req := &http.Request{Method: op.meta.Method, URL: &url.URL{Path: ex.Path, RawQuery: ex.RawQuery}, Header: header}
	err := openapi3filter.ValidateRequest(ctx, &openapi3filter.RequestValidationInput{Request: req, Route: op.route, Options: parameterOptions})
	var findings []Finding
	for _, e := range flatten(err) {
		var re *openapi3filter.RequestError
		if !errors.As(e, &re) || re.Parameter == nil {
			findings = append(findings, Finding{Check: CheckRequest, Message: e.Error()})
			continue
		}
		p := re.Parameter
		pointer := "/" + parameterPlace(p.In) + "/" + escapePointer(p.Name)
		switch {
		case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
			findings = append(findings, Finding{Check: CheckRequest, Pointer: pointer, Expected: "present", Actual: "missing",
				Message: fmt.Sprintf("required %s parameter %s is missing", p.In, p.Name)})
		case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
			findings = append(findings, Finding{Check: CheckRequest, Pointer: pointer, Expected: "a value", Actual: "empty",
				Message: fmt.Sprintf("%s parameter %s is empty", p.In, p.Name)})
		case len(leafErrors(re.Err)) > 0:
			findings = appendSchemaFindings(findings, re.Err, CheckRequest, pointer)
		default:
			findings = append(findings, Finding{Check: CheckRequest, Pointer: pointer,
				Message: fmt.Sprintf("%s parameter %s cannot be decoded", p.In, p.Name)})
		}
	}
	return findings
}

var parameterOptions = &openapi3filter.Options{
	ExcludeRequestBody:  true,
	MultiError:          true,
	SkipSettingDefaults: true,
	AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{
		withFormats, openapi3.DisableSchemaErrorDetails(),
	},
}

var headerOptions = &openapi3filter.Options{
	ExcludeResponseBody:     true,
	MultiError:              true,
	SchemaValidationOptions: parameterOptions.SchemaValidationOptions,
}

func parameterPlace(in string) string {
	switch in {
	case openapi3.ParameterInHeader:
		return "headers"
	case openapi3.ParameterInCookie:
		return "cookies"
	}
	return in // "query", "path"
}

// check validates the header with openapi3filter, then reads Retry-After
// as a date or a delay, which its pattern alone cannot.
func (h headerCheck) check(ctx context.Context, status int, header http.Header, findings []Finding) []Finding {
	pointer := "/headers/" + escapePointer(h.name)
	err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: h.input, Status: status, Header: header, Options: headerOptions,
	})
	var re *openapi3filter.ResponseError
	switch {
	case err == nil:
	case errors.As(err, &re) && re.Err == nil:
		return append(findings, Finding{Check: CheckHeader, Pointer: pointer, Expected: "present", Actual: "missing",
			Message: fmt.Sprintf("required header %s is missing", h.name)})
	case len(leafErrors(err)) > 0:
		return appendSchemaFindings(findings, err, CheckHeader, pointer)
	default:
		return append(findings, Finding{Check: CheckHeader, Pointer: pointer, Message: fmt.Sprintf("header %s cannot be decoded", h.name)})
	}
	if v := header.Get(h.name); h.retryAfter && v != "" {
		if err := checkRetryAfter(v); err != nil {
			findings = append(findings, Finding{Check: CheckHeader, Pointer: pointer, Expected: retryAfterForms, Actual: describe(v, false),
				Message: err.Error()})
		}
	}
	return findings
}

// flatten lists the errors of a MultiError, itself nested or not.
func flatten(err error) []error {
	switch e := err.(type) {
	case nil:
		return nil
	case openapi3.MultiError:
		var out []error
		for _, inner := range e {
			out = append(out, flatten(inner)...)
		}
		return out
	}
	return []error{err}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
