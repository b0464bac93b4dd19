package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// side holds what differs between judging a request and a response.
type side struct {
	bodyCheck Check                           // for a body that is missing, unexpected or unreadable
	direction openapi3.SchemaValidationOption // VisitAsRequest or VisitAsResponse
	enforces  func(*openapi3.Schema) bool     // the property flag the direction enforces
	compiles  bool                            // bodies get a fast path: responses, which load runs judge by the thousand
}

var (
	requestSide = side{CheckRequest, openapi3.VisitAsRequest(),
		func(s *openapi3.Schema) bool { return s.ReadOnly }, false}
	responseSide = side{CheckSchema, openapi3.VisitAsResponse(),
		func(s *openapi3.Schema) bool { return s.WriteOnly }, true}
)

// options builds a body's schema options once: fast ones only say yes or
// no, detailed ones run when the answer was no and findings are due. The
// direction option only matters for readOnly/writeOnly properties but makes
// kin-openapi deep-copy the body for every oneOf and anyOf member, so a
// schema that declares none (directed is false) goes without it.
func (sd *side) options(directed bool) (fast, detail []openapi3.SchemaValidationOption) {
	fast = []openapi3.SchemaValidationOption{openapi3.FailFast(), withFormats}
	detail = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), withFormats, openapi3.DisableSchemaErrorDetails()}
	if directed {
		fast = append(fast, sd.direction)
		detail = append(detail, sd.direction)
	}
	return fast, detail
}

var errFound = errors.New("found")

// anySchema tells whether pred holds for ref or any schema below it.
func anySchema(ref *openapi3.SchemaRef, pred func(*openapi3.Schema) bool) bool {
	err := ref.WalkSubtree(func(_ string, s *openapi3.SchemaRef) error {
		if pred(s.Value) {
			return errFound
		}
		return nil
	})
	return errors.Is(err, errFound)
}

// check judges a body against the documented content: media type, then
// schema. It returns the matched oneOf variant, if any.
func (c content) check(header http.Header, body []byte, sd *side, findings []Finding) (string, []Finding) {
	if len(c.types) == 0 {
		if len(body) > 0 {
			findings = append(findings, Finding{Check: sd.bodyCheck, Expected: "no body", Actual: plural(len(body), "byte"),
				Message: "a body was sent where none is documented"})
		}
		return "", findings
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return "", append(findings, Finding{Check: sd.bodyCheck, Expected: "a body of " + c.names, Actual: "empty body",
			Message: "the documented body is missing"})
	}
	contentType := header.Get("Content-Type")
	mt := c.types.Get(contentType)
	if mt == nil {
		if contentType == "" {
			contentType = "none"
		}
		return "", append(findings, Finding{Check: CheckContentType, Expected: c.names, Actual: contentType,
			Message: "the Content-Type is not a documented media type"})
	}
	b := c.bodies[mt]
	if b == nil || b.schema == nil {
		return "", findings
	}
	value, err := b.decode(contentType, body)
	if err != nil {
		return "", append(findings, Finding{Check: sd.bodyCheck, Expected: "a well-formed " + contentType + " body", Actual: "unreadable body",
			Message: err.Error()})
	}
	return b.validate(value, findings)
}

// decode reads a body as the media type it was sent as: JSON with
// encoding/json, anything else with the decoder openapi3filter registered.
func (b *bodyCheck) decode(contentType string, body []byte) (any, error) {
	mediaType, isJSON := mediaTypeOf(contentType)
	if isJSON {
		var value any
		if err := json.Unmarshal(body, &value); err != nil {
			var syntax *json.SyntaxError
			if errors.As(err, &syntax) {
				return nil, fmt.Errorf("not JSON: %s at byte %d", syntax.Error(), syntax.Offset)
			}
			return nil, fmt.Errorf("not JSON: %w", err)
		}
		return value, nil
	}
	decoder := openapi3filter.RegisteredBodyDecoder(mediaType)
	if decoder == nil {
		return nil, fmt.Errorf("no decoder for %s", mediaType)
	}
	return decoder(bytes.NewReader(body), http.Header{"Content-Type": {contentType}}, openapi3.NewSchemaRef("", b.schema), nil)
}

// mediaTypeOf is a Content-Type's media type, lowercased, and whether it is
// JSON.
func mediaTypeOf(contentType string) (mediaType string, isJSON bool) {
	mediaType, _, _ = strings.Cut(contentType, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	return mediaType, mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

// validate runs the schema on a decoded body. A bare oneOf is validated one
// variant at a time, so the result names the variant, and a body matching
// none is explained by the closest variant's errors alone.
func (b *bodyCheck) validate(value any, findings []Finding) (string, []Finding) {
	if len(b.variants) == 0 {
		err := b.schema.VisitJSON(value, b.detail...)
		return "", appendSchemaFindings(findings, err, CheckSchema, "")
	}
	switch matched, first := b.match(value); matched {
	case 1:
		return b.variants[first].name, findings
	case 0:
		return "", b.closestMiss(value, findings)
	}
	return "", append(findings, Finding{Check: CheckVariant, Expected: "exactly one of " + b.variantList(), Actual: strings.Join(b.matchingVariants(value), ", "),
		Message: "the body matches more than one variant, so the variants do not exclude each other"})
}

// match counts the variants value matches and names the first. Variants
// whose required properties are all present go first: when the variants are
// exclusive the first match ends the search, and it is most likely there.
// The order only saves time; each verdict is kin-openapi's.
func (b *bodyCheck) match(value any) (matched, first int) {
	object, _ := value.(map[string]any)
	for _, likely := range [...]bool{true, false} {
		for i, v := range b.variants {
			if hasAll(object, v.schema.Required) != likely || v.schema.VisitJSON(value, b.fast...) != nil {
				continue
			}
			if matched == 0 {
				first = i
			}
			matched++
			if b.exclusive {
				return matched, first
			}
		}
	}
	return matched, first
}

func hasAll(object map[string]any, keys []string) bool {
	for _, k := range keys {
		if _, ok := object[k]; !ok {
			return false
		}
	}
	return true
}

// closestMiss explains a body that matched no variant by the errors of the
// variant it came closest to: the fewest errors, then one whose required
// properties are all there, then the deepest errors.
func (b *bodyCheck) closestMiss(value any, findings []Finding) []Finding {
	object, _ := value.(map[string]any)
	type miss struct {
		name   string
		errs   []*openapi3.SchemaError
		shaped bool
		depth  int
	}
	closer := func(a, b miss) bool {
		if len(a.errs) != len(b.errs) {
			return len(a.errs) < len(b.errs)
		}
		if a.shaped != b.shaped {
			return a.shaped
		}
		return a.depth > b.depth
	}
	var best miss
	for i, v := range b.variants {
		errs := leafErrors(v.schema.VisitJSON(value, b.detail...))
		m := miss{v.name, errs, hasAll(object, v.schema.Required), maxDepth(errs)}
		if i == 0 || closer(m, best) {
			best = m
		}
	}
	findings = append(findings, Finding{Check: CheckVariant, Expected: "exactly one of " + b.variantList(), Actual: "none; closest is " + best.name,
		Message: fmt.Sprintf("the body matches no variant; the findings that follow are those of the closest one, %s", best.name)})
	for _, e := range best.errs {
		findings = append(findings, schemaFinding(e, CheckSchema, ""))
	}
	return findings
}

// matchingVariants names every variant value matches, proof or no proof.
func (b *bodyCheck) matchingVariants(value any) []string {
	var names []string
	for _, v := range b.variants {
		if v.schema.VisitJSON(value, b.fast...) == nil {
			names = append(names, v.name)
		}
	}
	return names
}

func (b *bodyCheck) variantList() string { return strings.Join(b.variantNames(), ", ") }

func (b *bodyCheck) variantNames() []string {
	names := make([]string, len(b.variants))
	for i, v := range b.variants {
		names[i] = v.name
	}
	return names
}
