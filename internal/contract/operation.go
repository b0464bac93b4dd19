package contract

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Operation describes one documented operation.
type Operation struct {
	API              API
	ID, Method, Path string           // Path is the template relative to the server, e.g. "/Login"
	Statuses         []int            // documented status codes, ascending
	RequestVariants  []string         // oneOf names of the request body, e.g. "Login-SaaS"
	ResponseVariants map[int][]string // oneOf names per documented status
}

func (o Operation) clone() Operation {
	o.Statuses = slices.Clone(o.Statuses)
	o.RequestVariants = slices.Clone(o.RequestVariants)
	variants := make(map[int][]string, len(o.ResponseVariants))
	for status, names := range o.ResponseVariants {
		variants[status] = slices.Clone(names)
	}
	o.ResponseVariants = variants
	return o
}

// operation is an Operation compiled at load time, so that validating an
// exchange only looks things up.
type operation struct {
	meta      Operation
	segments  []string       // of the path template, "{name}" matching any segment
	suffix    string         // the template when it has no parameter: the suffix a path must have
	route     *routers.Route // for openapi3filter's parameter checks
	request   content
	required  bool // whether the request must carry a body
	responses responses
}

// matches tells whether the operation's path template is a suffix of the
// URL path, whatever base URL the target sits under.
func (op *operation) matches(path string) bool {
	if op.suffix != "" {
		return strings.HasSuffix(path, op.suffix)
	}
	rest := path
	for i := len(op.segments) - 1; i >= 0; i-- {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return false
		}
		segment, want := rest[j+1:], op.segments[i]
		if isTemplateParam(want) {
			if segment == "" {
				return false
			}
		} else if segment != want {
			return false
		}
		rest = rest[:j]
	}
	return true
}

func isTemplateParam(segment string) bool {
	return strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}")
}

// responses finds the documented response of a status as OpenAPI ranks
// them: the exact code, then its class ("4XX"), then "default".
type responses struct {
	byCode     map[int]*response
	byClass    [6]*response
	fallback   *response
	documented string // the codes, for findings
}

func (r *responses) find(status int) *response {
	if resp, ok := r.byCode[status]; ok {
		return resp
	}
	if class := status / 100; status >= 100 && class < len(r.byClass) && r.byClass[class] != nil {
		return r.byClass[class]
	}
	return r.fallback
}

type response struct {
	headers []headerCheck
	body    content
}

// content is what a request or response may carry: its documented media
// types and a check per type. No media types means no body.
type content struct {
	types  openapi3.Content
	bodies map[*openapi3.MediaType]*bodyCheck
	names  string                // the media types, for findings
	json   map[string]*bodyCheck // for the fast path, see fastJSON
}

// bodyCheck validates a decoded body against the schema of one media type.
type bodyCheck struct {
	schema    *openapi3.Schema // nil: any body will do
	variants  []variant        // the members of a bare oneOf, validated one by one
	exclusive bool             // proven at load: no value matches two variants
	compiled  []*schemaNode    // the fast path's schema, or one per variant; nil: kin-openapi's alone

	fast, detail []openapi3.SchemaValidationOption
}

type variant struct {
	name   string
	schema *openapi3.Schema
}

// headerCheck validates one documented response header. openapi3filter stops
// at the first bad header and names it only in prose, so each header gets a
// route that documents just that header: every finding then knows its header.
type headerCheck struct {
	name       string // as the spec writes it
	input      *openapi3filter.RequestValidationInput
	key        string // as http.Header keys it
	required   bool
	retryAfter bool
	value      *schemaNode             // the fast path's schema; nil: kin-openapi's alone
	lastValid  *atomic.Pointer[string] // see headerCheck.valueAccepted
}

func compileOperations(api API, doc *openapi3.T) []*operation {
	var ops []*operation
	paths := doc.Paths.Map()
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item := paths[path]
		methods := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(methods)) {
			route := &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: methods[method]}
			ops = append(ops, compileOperation(api, route))
		}
	}
	return ops
}

func compileOperation(api API, route *routers.Route) *operation {
	o := route.Operation
	op := &operation{
		meta: Operation{
			API:              api,
			ID:               o.OperationID,
			Method:           route.Method,
			Path:             route.Path,
			ResponseVariants: map[int][]string{},
		},
		segments: strings.Split(strings.TrimPrefix(route.Path, "/"), "/"),
		route:    route,
	}
	if !slices.ContainsFunc(op.segments, isTemplateParam) {
		op.suffix = "/" + strings.Join(op.segments, "/")
	}
	if body := o.RequestBody; body != nil && body.Value != nil {
		op.request = compileContent(body.Value.Content, &requestSide)
		op.required = body.Value.Required
		op.meta.RequestVariants = op.request.variantNames()
	}
	op.responses = compileResponses(route, &op.meta)
	return op
}

func compileResponses(route *routers.Route, meta *Operation) responses {
	r := responses{byCode: map[int]*response{}}
	var keys []string
	for key, ref := range route.Operation.Responses.Map() {
		if ref == nil || ref.Value == nil {
			continue
		}
		resp := &response{headers: compileHeaders(route, ref.Value.Headers), body: compileContent(ref.Value.Content, &responseSide)}
		keys = append(keys, key)
		switch code, err := strconv.Atoi(key); {
		case err == nil:
			r.byCode[code] = resp
			meta.Statuses = append(meta.Statuses, code)
			if names := resp.body.variantNames(); len(names) > 0 {
				meta.ResponseVariants[code] = names
			}
		case key == "default":
			r.fallback = resp
		case len(key) == 3 && strings.EqualFold(key[1:], "XX") && key[0] >= '1' && key[0] <= '5':
			r.byClass[key[0]-'0'] = resp
		}
	}
	slices.Sort(meta.Statuses)
	slices.Sort(keys)
	r.documented = strings.Join(keys, ", ")
	return r
}

func compileHeaders(route *routers.Route, headers openapi3.Headers) []headerCheck {
	var checks []headerCheck
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		ref := headers[name]
		if ref == nil || ref.Value == nil || http.CanonicalHeaderKey(name) == "Content-Type" {
			continue // OpenAPI ignores a documented Content-Type header
		}
		only := &routers.Route{
			Spec:     route.Spec,
			Path:     route.Path,
			PathItem: route.PathItem,
			Method:   route.Method,
			Operation: &openapi3.Operation{Responses: openapi3.NewResponses(
				openapi3.WithName("default", &openapi3.Response{Headers: openapi3.Headers{name: ref}}))},
		}
		check := headerCheck{
			name:       name,
			input:      &openapi3filter.RequestValidationInput{Request: &http.Request{Method: route.Method}, Route: only},
			key:        http.CanonicalHeaderKey(name),
			required:   ref.Value.Required,
			retryAfter: strings.EqualFold(name, "Retry-After"),
			value:      compileHeader(route.Spec, ref.Value),
		}
		if check.value != nil && (check.value.pattern != nil || check.value.stringFormat != nil) {
			check.lastValid = new(atomic.Pointer[string])
		}
		checks = append(checks, check)
	}
	return checks
}

func compileContent(types openapi3.Content, sd *side) content {
	c := content{types: types, bodies: make(map[*openapi3.MediaType]*bodyCheck, len(types))}
	names := slices.Sorted(maps.Keys(types))
	for _, name := range names {
		mt := types[name]
		if mt == nil {
			continue
		}
		b := &bodyCheck{}
		if mt.Schema != nil {
			b.schema = mt.Schema.Value
			b.variants = variantsOf(b.schema)
			b.exclusive = exclusive(b.variants)
			directed := anySchema(mt.Schema, sd.enforces)
			b.fast, b.detail = sd.options(directed)
			if _, isJSON := mediaTypeOf(name); sd.compiles && (isJSON || strings.Contains(name, "*")) {
				b.compiled = compileBody(b, directed)
			}
		}
		c.bodies[mt] = b
	}
	c.names = strings.Join(names, ", ")
	if sd.compiles {
		c.json = fastJSON(c)
	}
	return c
}

// variantNames lists the oneOf variants of the first media type that has any.
func (c content) variantNames() []string {
	for _, name := range slices.Sorted(maps.Keys(c.types)) {
		if b := c.bodies[c.types[name]]; b != nil && len(b.variants) > 0 {
			return b.variantNames()
		}
	}
	return nil
}

// variantsOf names the members of a schema that is a bare oneOf, after their
// $ref ("#/components/schemas/Login-SaaS" is "Login-SaaS"). A oneOf with
// sibling keywords is validated whole instead, so nothing it says is skipped.
func variantsOf(s *openapi3.Schema) []variant {
	if s == nil || len(s.OneOf) == 0 || !saysOnlyOneOf(s) {
		return nil
	}
	variants := make([]variant, 0, len(s.OneOf))
	for i, ref := range s.OneOf {
		if ref == nil || ref.Value == nil {
			return nil
		}
		variants = append(variants, variant{name: memberName(ref, i), schema: ref.Value})
	}
	return variants
}

// memberName names the i-th member of a oneOf after its $ref, else its
// title, else its place.
func memberName(ref *openapi3.SchemaRef, i int) string {
	switch {
	case ref == nil:
	case ref.Ref != "":
		return unescapePointer(ref.Ref[strings.LastIndexByte(ref.Ref, '/')+1:])
	case ref.Value != nil && ref.Value.Title != "":
		return ref.Value.Title
	}
	return "oneOf[" + strconv.Itoa(i) + "]"
}

// saysOnlyOneOf tells whether s constrains a value through oneOf alone,
// annotations aside.
func saysOnlyOneOf(s *openapi3.Schema) bool { return saysOnly(s, "oneOf") }

// saysOnly tells whether s uses no keyword but the given ones, annotations
// aside.
func saysOnly(s *openapi3.Schema, keywords ...string) bool {
	raw, err := json.Marshal(s)
	if err != nil {
		return false
	}
	var used map[string]json.RawMessage
	if err := json.Unmarshal(raw, &used); err != nil {
		return false
	}
	for k := range used {
		switch {
		case slices.Contains(keywords, k), strings.HasPrefix(k, "x-"):
		case slices.Contains([]string{"title", "description", "example", "examples", "externalDocs", "deprecated"}, k):
		default:
			return false
		}
	}
	return true
}

// exclusive proves that no value can match two variants, the way the specs
// build them: of every pair, one is an object that requires a property the
// other's "not" forbids. With the proof, validation may stop at the first
// variant that matches; without it, every variant is tried.
func exclusive(vs []variant) bool {
	for i := range vs {
		for j := i + 1; j < len(vs); j++ {
			if !excludes(vs[i].schema, vs[j].schema) && !excludes(vs[j].schema, vs[i].schema) {
				return false
			}
		}
	}
	return len(vs) > 1
}

// excludes tells whether every value a accepts is one b rejects.
func excludes(a, b *openapi3.Schema) bool {
	if a.Type == nil || !a.Type.Is(openapi3.TypeObject) {
		return false
	}
	forbidden := forbiddenProperties(b)
	for _, name := range a.Required {
		prop := a.Properties[name]
		waivable := prop != nil && prop.Value != nil && (prop.Value.ReadOnly || prop.Value.WriteOnly)
		if !waivable && slices.Contains(forbidden, name) {
			return true
		}
	}
	return false
}

// forbiddenProperties lists the properties whose mere presence makes s fail:
// those of "not": {required: [p]} or "not": {anyOf: [{required: [p]}, ...]}.
func forbiddenProperties(s *openapi3.Schema) []string {
	if s.Not == nil || s.Not.Value == nil {
		return nil
	}
	var names []string
	members := openapi3.SchemaRefs{s.Not}
	if saysOnly(s.Not.Value, "anyOf") {
		members = s.Not.Value.AnyOf
	}
	for _, m := range members {
		if m.Value != nil && len(m.Value.Required) == 1 && saysOnly(m.Value, "required") {
			names = append(names, m.Value.Required[0])
		}
	}
	return names
}

func unescapePointer(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
}
