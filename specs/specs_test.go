package specs_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
	"loginharness/specs"
)

// docFacts mirrors testdata/doc-facts.json: what the vendors' doc pages say.
type docFacts struct {
	About string              `json:"about"`
	APIs  map[string]apiFacts `json:"apis"`
}

type apiFacts struct {
	Seed      string                          `json:"seed"`
	Method    string                          `json:"method"`
	Path      string                          `json:"path"`
	Statuses  []int                           `json:"statuses"`
	Query     []string                        `json:"query"`
	Request   map[string]bodyFacts            `json:"request"`   // by variant, "body" when there are none
	Responses map[string]map[string]bodyFacts `json:"responses"` // by status, then as Request
	Examples  []exampleFacts                  `json:"examples"`
}

type bodyFacts struct {
	Fields           []string          `json:"fields"`
	Required         []string          `json:"required"`
	BeyondDoc        map[string]string `json:"beyondDoc"`        // fields the spec adds, with their source
	VariantBeyondDoc string            `json:"variantBeyondDoc"` // set when the whole variant is the spec's addition
}

type exampleFacts struct {
	Name    string          `json:"name"`
	Status  int             `json:"status"` // 0 for a request
	Variant string          `json:"variant"`
	Body    json.RawMessage `json:"body"`
}

// plainBody names the one body of a schema without oneOf variants.
const plainBody = "body"

func loadFacts(t *testing.T) docFacts {
	t.Helper()
	data, err := os.ReadFile("testdata/doc-facts.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var facts docFacts
	if err := dec.Decode(&facts); err != nil {
		t.Fatalf("testdata/doc-facts.json: %v", err)
	}
	return facts
}

func TestEmbeddedFilesExist(t *testing.T) {
	for name, file := range specs.Files {
		if _, err := specs.FS.ReadFile(file); err != nil {
			t.Errorf("specs.Files[%q] = %q: %v", name, file, err)
		}
	}
}

// TestSpecsMatchTheDocs is the traceability check: status codes, query
// parameters and body fields of each spec must be those of the doc page,
// plus only the additions the fixture names with their source.
func TestSpecsMatchTheDocs(t *testing.T) {
	facts := loadFacts(t)
	c := testkit.Contract(t)
	if got, want := slices.Sorted(maps.Keys(facts.APIs)), slices.Sorted(maps.Keys(specs.Files)); !slices.Equal(got, want) {
		t.Fatalf("doc-facts covers %v, the specs are %v", got, want)
	}
	for name, f := range facts.APIs {
		t.Run(name, func(t *testing.T) {
			api, err := contract.ParseAPI(name)
			if err != nil {
				t.Fatal(err)
			}
			spec := c.Spec(api)
			ops := spec.Operations()
			if len(ops) != 1 || ops[0].Method != f.Method || ops[0].Path != f.Path {
				t.Fatalf("operations %+v, want just %s %s", ops, f.Method, f.Path)
			}
			if d := diff(ops[0].Statuses, f.Statuses); d != "" {
				t.Errorf("status codes: %s", d)
			}
			docOp := spec.Doc.Paths.Find(f.Path).GetOperation(f.Method)
			if d := diff(queryParameters(docOp), f.Query); d != "" {
				t.Errorf("query parameters: %s", d)
			}
			compareBodies(t, "request", bodiesOf(docOp.RequestBody.Value.Content), f.Request)
			for status, want := range f.Responses {
				code, err := strconv.Atoi(status)
				if err != nil {
					t.Fatalf("responses key %q is not a status code", status)
				}
				resp := docOp.Responses.Status(code)
				if resp == nil {
					t.Errorf("the spec documents no %d response", code)
					continue
				}
				compareBodies(t, status, bodiesOf(resp.Value.Content), want)
			}
		})
	}
}

func compareBodies(t *testing.T, where string, spec map[string]*openapi3.Schema, doc map[string]bodyFacts) {
	t.Helper()
	if d := diff(slices.Collect(maps.Keys(spec)), slices.Collect(maps.Keys(doc))); d != "" {
		t.Errorf("%s variants: %s", where, d)
	}
	for variant, facts := range doc {
		schema := spec[variant]
		if schema == nil {
			continue
		}
		want := append(slices.Clone(facts.Fields), slices.Collect(maps.Keys(facts.BeyondDoc))...)
		if d := diff(fieldsOf(schema), want); d != "" {
			t.Errorf("%s %s fields: %s", where, variant, d)
		}
		if d := diff(schema.Required, facts.Required); facts.Required != nil && d != "" {
			t.Errorf("%s %s required fields: %s", where, variant, d)
		}
		if len(facts.Fields) == 0 && facts.VariantBeyondDoc == "" {
			t.Errorf("%s %s: the doc lists no field of it, so doc-facts must say where it came from (variantBeyondDoc)", where, variant)
		}
	}
}

// bodiesOf names the JSON body schemas: each oneOf variant by its
// component name, or the one schema as "body".
func bodiesOf(content openapi3.Content) map[string]*openapi3.Schema {
	mt := content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	s := mt.Schema.Value
	if len(s.OneOf) == 0 {
		return map[string]*openapi3.Schema{plainBody: s}
	}
	out := map[string]*openapi3.Schema{}
	for _, ref := range s.OneOf {
		out[ref.Ref[strings.LastIndexByte(ref.Ref, '/')+1:]] = ref.Value
	}
	return out
}

// fieldsOf lists the property paths a schema declares, "a.b" for a nested
// object and "a[].b" for the objects of an array, through allOf.
func fieldsOf(s *openapi3.Schema) []string {
	seen := map[string]bool{}
	var walk func(s *openapi3.Schema, prefix string)
	walk = func(s *openapi3.Schema, prefix string) {
		for _, part := range s.AllOf {
			walk(part.Value, prefix)
		}
		for name, prop := range s.Properties {
			seen[prefix+name] = true
			walk(prop.Value, prefix+name+".")
			if items := prop.Value.Items; items != nil {
				walk(items.Value, prefix+name+"[].")
			}
		}
	}
	walk(s, "")
	return slices.Sorted(maps.Keys(seen))
}

func queryParameters(op *openapi3.Operation) []string {
	var names []string
	for _, p := range op.Parameters {
		if p.Value.In == openapi3.ParameterInQuery {
			names = append(names, p.Value.Name)
		}
	}
	return names
}

// diff says how the spec's set differs from the doc's, "" when they agree.
func diff[E cmp.Ordered](spec, doc []E) string {
	var adds, lacks []E
	for _, e := range spec {
		if !slices.Contains(doc, e) {
			adds = append(adds, e)
		}
	}
	for _, e := range doc {
		if !slices.Contains(spec, e) {
			lacks = append(lacks, e)
		}
	}
	if len(adds) == 0 && len(lacks) == 0 {
		return ""
	}
	slices.Sort(adds)
	slices.Sort(lacks)
	return fmt.Sprintf("the spec adds %v and lacks %v, compared with the doc", adds, lacks)
}

// TestDocExamplesKeepTheContract validates the examples printed on the doc
// pages: each must keep the contract and match exactly its variant.
func TestDocExamplesKeepTheContract(t *testing.T) {
	facts := loadFacts(t)
	c := testkit.Contract(t)
	for name, f := range facts.APIs {
		api, err := contract.ParseAPI(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range f.Examples {
			t.Run(name+" "+e.Name, func(t *testing.T) {
				ex := &contract.Exchange{Method: f.Method, Path: "/base" + f.Path, Status: e.Status}
				var res contract.Result
				if e.Status == 0 {
					ex.RequestHeader = http.Header{"Content-Type": {"application/json"}}
					ex.RequestBody = e.Body
					res = c.ValidateRequest(context.Background(), api, ex)
				} else {
					ex.Header = http.Header{"Content-Type": {"application/json"}, "Trackingid": {"t-1"}}
					ex.Body = e.Body
					res = c.ValidateResponse(context.Background(), api, ex)
				}
				if !res.OK() || res.Variant != e.Variant {
					t.Errorf("variant %q, findings %+v; want variant %q and no findings", res.Variant, res.Findings, e.Variant)
				}
			})
		}
	}
}
