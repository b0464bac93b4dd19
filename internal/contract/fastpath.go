package contract

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"unsafe"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fast path of ValidateResponse decides only that a response keeps the
// contract, from the schemas compiled at load. Whatever it does not accept
// goes down the kin-openapi path, which decides again and says why, so the
// findings are kin-openapi's own; a differential test holds the two paths
// to the same verdicts.

// verdict is the fast path's answer on a response.
type verdict uint8

const (
	accepted  verdict = iota
	rejected          // the kin-openapi path will say why
	undecided         // something on the way was not compiled: kin-openapi decides
)

var validations = sync.Pool{New: func() any { return new(validation) }}

// maxPooledValues bounds the tape a pooled validation keeps, so one huge
// body does not pin its tape's memory.
const maxPooledValues = 1 << 14

// acceptResponse is ValidateResponse's fast path: the result, true, when
// the response keeps the contract.
func (c *Contract) acceptResponse(ctx context.Context, api API, ex *Exchange) (Result, bool) {
	res, verdict := c.fastResponse(ctx, api, ex)
	switch verdict {
	case accepted:
		return res, true
	case rejected:
		c.rechecks.Add(1)
	case undecided:
		c.fallbacks.Add(1)
	}
	return Result{}, false
}

// fastResponse judges a response on the fast path alone.
func (c *Contract) fastResponse(ctx context.Context, api API, ex *Exchange) (Result, verdict) {
	v := validations.Get().(*validation)
	op, variant, verdict := c.judgeFast(ctx, api, ex, v)
	if v.fallbacks > 0 {
		c.fallbacks.Add(uint64(v.fallbacks))
	}
	v.text, v.fallbacks, v.options = "", 0, nil
	if cap(v.vals) <= maxPooledValues {
		validations.Put(v)
	}
	if verdict != accepted {
		return Result{}, verdict
	}
	return Result{API: api, Operation: op.meta.ID, Status: ex.Status, Variant: variant}, accepted
}

func (c *Contract) judgeFast(ctx context.Context, api API, ex *Exchange, v *validation) (*operation, string, verdict) {
	op, _ := c.find(api, ex, true)
	if op == nil {
		return nil, "", rejected
	}
	resp := op.responses.find(ex.Status)
	if resp == nil {
		return nil, "", rejected
	}
	if skipsHeaders(op.meta.Method, ex.Status) {
		return nil, "", undecided
	}
	for _, h := range resp.headers {
		if !h.accepts(ctx, ex.Status, ex.Header, v) {
			return nil, "", rejected
		}
	}
	variant, verdict := resp.body.accepts(ex.Header, ex.Body, v)
	return op, variant, verdict
}

// skipsHeaders tells whether openapi3filter leaves a response's headers
// unchecked, as it does for HEAD and some redirects; the fast path does not
// mirror that.
func skipsHeaders(method string, status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusNotModified, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return method == http.MethodHead
}

// compileHeader compiles the schema of a header that openapi3filter reads
// as a plain string, the only kind of header the fast path judges itself;
// nil leaves the header to kin-openapi.
func compileHeader(doc *openapi3.T, h *openapi3.Header) *schemaNode {
	if doc.IsOpenAPI31OrLater() || h.Content != nil || h.Schema == nil || h.Schema.Value == nil {
		return nil // 3.1 headers go through JSON Schema 2020, content headers through a body decoder
	}
	s := h.Schema.Value
	sm, err := h.SerializationMethod()
	if err != nil || sm.Style != openapi3.SerializationSimple || !s.Type.Is(openapi3.TypeString) || len(sameValueSchemas(s)) > 0 {
		return nil
	}
	if n := (&compiler{nodes: map[*openapi3.Schema]*schemaNode{}}).compile(s); !n.fallback {
		return n
	}
	return nil
}

// accepts is check's fast path: true only when check finds nothing.
func (h headerCheck) accepts(ctx context.Context, status int, header http.Header, v *validation) bool {
	if h.value == nil {
		v.fallbacks++
		return len(h.check(ctx, status, header, nil)) == 0
	}
	values, found := header[h.key]
	if !found {
		return !h.required
	}
	if len(values) == 0 { // present without a value: rare, left to kin-openapi
		return false
	}
	value := values[0] // openapi3filter reads the first
	return h.valueAccepted(value) && (!h.retryAfter || value == "" || checkRetryAfter(value) == nil)
}

// valueAccepted judges a header value by the header's schema. That verdict
// depends on the value alone, and under load one value (a Retry-After, a
// date) comes back response after response, so a header whose schema runs
// a pattern or a format validator remembers the last value it accepted.
func (h headerCheck) valueAccepted(value string) bool {
	if h.lastValid != nil {
		if last := h.lastValid.Load(); last != nil && *last == value {
			return true
		}
	}
	if len(h.value.enum) > 0 && !h.value.inStringEnum(value) || !h.value.acceptsString(value) {
		return false
	}
	if h.lastValid != nil {
		valid := value
		h.lastValid.Store(&valid)
	}
	return true
}

// compileBody compiles a body's schema, or each variant of a bare oneOf.
// Nil leaves the body to kin-openapi: when a readOnly/writeOnly direction is
// enforced (its rules reach across the schemas visiting one value), or when
// a schema cycles on one value.
func compileBody(b *bodyCheck, directed bool) []*schemaNode {
	if directed || sameValueCycle(b.schema) {
		return nil
	}
	c := &compiler{nodes: map[*openapi3.Schema]*schemaNode{}}
	if len(b.variants) == 0 {
		return []*schemaNode{c.compile(b.schema)}
	}
	nodes := make([]*schemaNode, len(b.variants))
	for i, vr := range b.variants {
		nodes[i] = c.compile(vr.schema)
	}
	return nodes
}

// fastJSON lists the JSON media types of c written as a client sends them:
// lowercase, without parameters or wildcards. Content-Type values equal to
// one need none of the parsing that Content.Get and mediaTypeOf do, which
// would find the same body.
func fastJSON(c content) map[string]*bodyCheck {
	out := map[string]*bodyCheck{}
	for name, mt := range c.types {
		if _, isJSON := mediaTypeOf(name); isJSON && name == strings.ToLower(strings.TrimSpace(name)) && !strings.ContainsAny(name, ";,*") {
			out[name] = c.bodies[mt]
		}
	}
	return out
}

// accepts is check's fast path: the variant, and accepted, only when check
// finds nothing.
func (c content) accepts(header http.Header, body []byte, v *validation) (string, verdict) {
	if len(c.types) == 0 {
		if len(body) > 0 {
			return "", rejected
		}
		return "", accepted
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return "", rejected
	}
	var contentType string
	if values := header["Content-Type"]; len(values) > 0 { // header.Get without canonicalizing a canonical name
		contentType = values[0]
	}
	b, isJSON := c.json[contentType]
	if !isJSON {
		mt := c.types.Get(contentType)
		if mt == nil {
			return "", rejected
		}
		b = c.bodies[mt]
		_, isJSON = mediaTypeOf(contentType)
	}
	if b == nil || b.schema == nil {
		return "", accepted
	}
	if !isJSON || b.compiled == nil {
		return "", undecided
	}
	// The tape reads the body in place: its text is dropped before
	// acceptResponse returns, and nothing it hands out is kept.
	if !v.read(unsafe.String(unsafe.SliceData(body), len(body))) {
		return "", rejected
	}
	v.options = b.fast
	if len(b.variants) == 0 {
		if v.accepts(b.compiled[0], 0) {
			return "", accepted
		}
		return "", rejected
	}
	matched, first := 0, 0
	for i, n := range b.compiled {
		if !v.accepts(n, 0) {
			continue
		}
		if matched++; matched == 1 {
			first = i
		}
		if b.exclusive || matched > 1 {
			break
		}
	}
	if matched != 1 {
		return "", rejected
	}
	return b.variants[first].name, accepted
}
