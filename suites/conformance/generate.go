package conformance

import (
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// Table is one DescribeTable's worth of cases.
type Table struct {
	Name  string
	Cases []*Case
}

// Tables derives every case of api from its spec: one per documented status
// code, positive inputs per request variant, and negative inputs from the
// request schema. A code or property added to the spec becomes a case here
// with no new code.
func Tables(c *contract.Contract, api contract.API) ([]Table, error) {
	spec := c.Spec(api)
	if spec == nil {
		return nil, fmt.Errorf("no spec is loaded for %s", api)
	}
	var tables []Table
	for _, op := range spec.Operations() {
		variants, err := requestVariants(spec, op)
		if err != nil {
			return nil, err
		}
		tables = append(tables,
			Table{op.ID + ": every documented status code", statusCases(op)},
			Table{op.ID + ": positive inputs", positiveCases(op, variants)},
			Table{op.ID + ": negative inputs", negativeCases(op, variants)},
		)
	}
	return tables, nil
}

// requestVariant is one shape of the request body (contract.RequestVariant)
// and the Commvault edition it signs in as, "" for none.
type requestVariant struct {
	contract.RequestVariant
	Edition target.Edition
}

func requestVariants(spec *contract.Spec, op contract.Operation) ([]requestVariant, error) {
	shapes, err := spec.RequestVariants(op)
	if err != nil {
		return nil, err
	}
	out := make([]requestVariant, 0, len(shapes))
	for _, v := range shapes {
		out = append(out, requestVariant{RequestVariant: v, Edition: target.EditionOf(v.Name)})
	}
	return out, nil
}

// provocationSpec is how a real client gets a status.
type provocationSpec struct {
	provoke  provocation
	liveSafe bool
}

// provocations lists the statuses a real client's request gets on purpose;
// every other documented status is asked of the mock with Prefer.
var provocations = map[contract.API]map[int]provocationSpec{
	contract.Webex: {
		http.StatusOK:                   {validLogin, true},
		http.StatusBadRequest:           {emptyObject, true},
		http.StatusUnauthorized:         {badTokens, true},
		http.StatusForbidden:            {noScopeToken, true},
		http.StatusNotFound:             {unknownOrg, true},
		http.StatusMethodNotAllowed:     {wrongMethod, true},
		http.StatusUnsupportedMediaType: {wrongContentType, true},
		http.StatusLocked:               {lockOut, false},
		http.StatusTooManyRequests:      {burst, false},
	},
	contract.Commvault: {
		http.StatusOK: {validLogin, true},
	},
}

func statusCases(op contract.Operation) []*Case {
	var cases []*Case
	for _, code := range op.Statuses {
		cs := &Case{API: op.API, Op: op, Name: fmt.Sprintf("status %d", code), Want: code, Observable: true, Labels: []string{results.StatusLabel(code)}}
		if p, ok := provocations[op.API][code]; ok {
			cs.provoke, cs.LiveSafe = p.provoke, p.liveSafe
		} else {
			cs.provoke = preferred(code)
		}
		cases = append(cases, withLiveSafe(cs))
	}
	return cases
}

func positiveCases(op contract.Operation, variants []requestVariant) []*Case {
	var cases []*Case
	for _, v := range variants {
		prefix, labels := variantPrefix(v)
		base := Case{
			API: op.API, Op: op, Want: http.StatusOK, RequestVariant: v.Name,
			WantVariant: successVariant(op, v.Edition), Labels: append(labels, results.StatusLabel(http.StatusOK)),
		}
		minimal := base
		minimal.Name, minimal.LiveSafe, minimal.provoke = prefix+"valid sign-in", true, signIn(v, nil)
		cases = append(cases, withLiveSafe(&minimal))
		if optional := optionalFillers(v.Schema); len(optional) > 0 {
			full := base
			full.Name, full.provoke = prefix+"valid sign-in with every optional field", signIn(v, optional)
			full.liveSkip = "the optional fields get made-up values, which a real account would refuse"
			full.Labels = slices.Clone(base.Labels)
			cases = append(cases, &full)
		}
	}
	return cases
}

func negativeCases(op contract.Operation, variants []requestVariant) []*Case {
	refusal := func(name string, labels []string, want int, p provocation) *Case {
		cs := &Case{API: op.API, Op: op, Name: name, Negative: true, LiveSafe: true, provoke: p,
			Labels: append([]string{results.LabelNegative}, labels...)}
		switch {
		case want != 0 && slices.Contains(op.Statuses, want):
			cs.Want = want
		case want == http.StatusMethodNotAllowed:
			cs.Want = want // HTTP's own answer, documented or not
		default:
			cs.Rejection = true
		}
		if cs.Want != 0 {
			cs.Labels = append(cs.Labels, results.StatusLabel(cs.Want))
		}
		return withLiveSafe(cs)
	}
	var cases []*Case
	for _, v := range variants {
		prefix, labels := variantPrefix(v)
		for _, m := range mutations(v.Schema) {
			cases = append(cases, refusal(prefix+m.name, labels, http.StatusBadRequest, mutated(v, m)))
		}
	}
	cases = append(cases,
		refusal("empty body", nil, http.StatusBadRequest, rawBody(func([]byte) []byte { return nil })),
		refusal("malformed JSON", nil, http.StatusBadRequest, rawBody(func(b []byte) []byte { return b[:max(len(b)-1, 0)] })),
		refusal("a JSON array instead of an object", nil, http.StatusBadRequest, rawBody(func(b []byte) []byte { return []byte("[" + string(b) + "]") })),
		refusal("wrong content type (text/plain)", nil, http.StatusUnsupportedMediaType, wrongContentType),
		refusal("wrong method (GET)", nil, http.StatusMethodNotAllowed, wrongMethod),
	)
	oversized := refusal("a body over 1 MiB", nil, 0, oversize)
	oversized.Rejection, oversized.Negative = false, false // the spec sets no size limit: any documented answer but a 5xx will do
	wrong := refusal("wrong password", nil, 0, wrongPasswordLogin)
	wrong.Negative = false // well-formed: only the server knows the password is wrong
	return append(cases, oversized, wrong)
}

func variantPrefix(v requestVariant) (string, []string) {
	if v.Name == "" {
		return "", nil
	}
	var labels []string
	if v.Edition != "" {
		labels = []string{results.EditionLabel(string(v.Edition))}
	}
	return v.Name + ": ", labels
}

func withLiveSafe(cs *Case) *Case {
	if cs.LiveSafe {
		cs.Labels = append(cs.Labels, results.LabelLiveSafe)
	}
	return cs
}

// mutation breaks one property of a valid body.
type mutation struct {
	name   string
	prop   string
	drop   bool  // remove the property
	values []any // candidates: the first the spec rejects is sent
}

// mutations derives the negative inputs of a request schema: a missing
// required property, a wrong type, and a value breaking each format,
// pattern, length or minimum the schema sets.
func mutations(s *openapi3.Schema) []mutation {
	var out []mutation
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		ref := s.Properties[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		p := ref.Value
		if slices.Contains(s.Required, name) {
			out = append(out, mutation{name: "missing " + name, prop: name, drop: true})
		}
		if p.Type != nil && len(p.Type.Slice()) > 0 {
			out = append(out, mutation{name: "wrong type " + name, prop: name, values: wrongTypes(p.Type.Slice()[0])})
		}
		if bad, ok := badFormats[p.Format]; ok {
			out = append(out, mutation{name: bad.name + " " + name, prop: name, values: bad.values})
		}
		if p.Pattern != "" {
			out = append(out, mutation{name: name + " breaking its pattern", prop: name, values: []any{"loginharness", "a*b*c", ""}})
		}
		if p.MinLength > 0 {
			out = append(out, mutation{name: "empty " + name, prop: name, values: []any{""}})
		}
		if p.Min != nil {
			out = append(out, mutation{name: name + " below its minimum", prop: name, values: []any{*p.Min - 1}})
		}
	}
	return out
}

// badFormats are values breaking each string format the specs use.
var badFormats = map[string]struct {
	name   string
	values []any
}{
	"email": {"bad email", []any{"not-an-email", "user@", "@example.com"}},
	"byte":  {"non-Base64", []any{"not base64!", "Zm9v=", "abc"}},
	"uuid":  {"bad UUID", []any{"not-a-uuid", "610af8f4a4ed4be3ae6fefcdcd4895a8"}},
}

func wrongTypes(typ string) []any {
	switch typ {
	case openapi3.TypeString:
		return []any{12345, true}
	case openapi3.TypeInteger:
		return []any{"thirty", 1.5}
	case openapi3.TypeNumber:
		return []any{"one"}
	case openapi3.TypeBoolean:
		return []any{"yes"}
	}
	return []any{"a string"}
}

// fillers are valid values of the optional properties the specs name; a
// property without one gets a value of its type, and the case checks that
// the request is still valid.
var fillers = map[string]any{
	"redSkyOrgId": mock.DemoRedSkyOrgID,
	"commserver":  "commserve.example.com*CommServe",
	"domain":      "corp",
	"deviceId":    "loginharness-device",
	"timeout":     30,
}

func optionalFillers(s *openapi3.Schema) body {
	out := body{}
	for name, ref := range s.Properties {
		if slices.Contains(s.Required, name) || ref == nil || ref.Value == nil {
			continue
		}
		if v, ok := fillers[name]; ok {
			out[name] = v
			continue
		}
		switch p := ref.Value; {
		case p.Type == nil:
		case p.Type.Is(openapi3.TypeInteger), p.Type.Is(openapi3.TypeNumber):
			out[name] = 1
			if p.Min != nil {
				out[name] = max(*p.Min, 1)
			}
		case p.Type.Is(openapi3.TypeBoolean):
			out[name] = true
		case p.Type.Is(openapi3.TypeString):
			out[name] = "loginharness"
		}
	}
	return out
}
