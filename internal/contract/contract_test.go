package contract_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

func TestLoadEmbeddedSpecs(t *testing.T) {
	c := testkit.Contract(t)
	for _, api := range contract.APIs() {
		s := c.Spec(api)
		if s == nil {
			t.Fatalf("Spec(%s) = nil", api)
		}
		if s.API != api || s.File == "" || s.Doc == nil || s.Version == "" {
			t.Errorf("Spec(%s) = %+v, want API, File, Doc and Version set", api, s)
		}
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(s.SHA256) {
			t.Errorf("Spec(%s).SHA256 = %q, want 64 hex digits", api, s.SHA256)
		}
	}
	if c.Spec("nope") != nil {
		t.Error(`Spec("nope") != nil`)
	}
}

func TestLoadFSNamesTheFileAndLine(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"missing file", "", `x\.yaml: file does not exist`},
		{"broken YAML", "openapi: 3.0.3\ninfo: [\n", `^x\.yaml: not a readable OpenAPI document: .*line 3`},
		{"invalid document", "openapi: 3.0.3\ninfo:\n  title: x\npaths: {}\n", `^x\.yaml:2: invalid OpenAPI document: .*version`},
		{"invalid schema", "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n" +
			"          description: ok\n          content:\n            application/json:\n              schema: {type: strng}\n", `^x\.yaml:1[01]: invalid OpenAPI document: .*strng`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tt.doc != "" {
				fsys["x.yaml"] = &fstest.MapFile{Data: []byte(tt.doc)}
			}
			_, err := contract.LoadFS(fsys, map[contract.API]string{contract.Webex: "x.yaml"})
			if err == nil || !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Errorf("LoadFS error = %v, want one matching %s", err, tt.want)
			}
		})
	}
}

func TestParseAPI(t *testing.T) {
	for _, api := range contract.APIs() {
		if got, err := contract.ParseAPI(string(api)); err != nil || got != api {
			t.Errorf("ParseAPI(%q) = %q, %v", api, got, err)
		}
	}
	_, err := contract.ParseAPI("Webex")
	if err == nil || !strings.Contains(err.Error(), "webex, commvault") {
		t.Errorf(`ParseAPI("Webex") error = %v, want one naming the valid APIs`, err)
	}
}

func TestOperationsMirrorTheSpec(t *testing.T) {
	c := testkit.Contract(t)
	for _, api := range contract.APIs() {
		spec := c.Spec(api)
		ops := spec.Operations()
		if len(ops) != 1 {
			t.Fatalf("%s: %d operations, want 1", api, len(ops))
		}
		op := ops[0]
		docOp := spec.Doc.Paths.Find(op.Path).GetOperation(op.Method)
		if docOp == nil || docOp.OperationID != op.ID || op.API != api {
			t.Fatalf("%s: operation %+v does not match the document", api, op)
		}
		var want []int
		for key := range docOp.Responses.Map() {
			code, err := strconv.Atoi(key)
			if err != nil {
				t.Fatalf("%s: response key %q is not a status code", api, key)
			}
			want = append(want, code)
		}
		slices.Sort(want)
		if !slices.Equal(op.Statuses, want) {
			t.Errorf("%s: Statuses = %v, want %v", api, op.Statuses, want)
		}
	}
	cv := c.Spec(contract.Commvault).Operations()[0]
	if want := []string{"Login-SaaS", "Login-CustomerManaged"}; !slices.Equal(cv.RequestVariants, want) {
		t.Errorf("commvault RequestVariants = %v, want %v", cv.RequestVariants, want)
	}
	want := map[int][]string{200: {"LoginResponse-SaaS", "LoginResponse-CustomerManaged", "LoginFailure"}}
	if !maps.EqualFunc(cv.ResponseVariants, want, slices.Equal) {
		t.Errorf("commvault ResponseVariants = %v, want %v", cv.ResponseVariants, want)
	}
	cv.Statuses[0], cv.RequestVariants[0], cv.ResponseVariants[200][0] = 999, "changed", "changed"
	again := c.Spec(contract.Commvault).Operations()[0]
	if again.Statuses[0] != 200 || again.RequestVariants[0] != "Login-SaaS" || again.ResponseVariants[200][0] != "LoginResponse-SaaS" {
		t.Error("changing what Operations returned changed the contract")
	}
}

// exampleVariants says which variant each example of the specs must match,
// keyed "api request|status name"; "" for bodies without variants.
var exampleVariants = map[string]string{
	"webex request example":             "",
	"webex 200 example":                 "",
	"commvault request saas":            "Login-SaaS",
	"commvault request customerManaged": "Login-CustomerManaged",
	"commvault 200 fromSchema":          "LoginResponse-SaaS",
	"commvault 200 example1":            "LoginResponse-CustomerManaged",
	"commvault 200 example2":            "LoginResponse-CustomerManaged",
}

// TestSpecExamplesKeepTheContract validates every example the specs carry,
// as a request or a response, and checks each matches its one variant.
func TestSpecExamplesKeepTheContract(t *testing.T) {
	c := testkit.Contract(t)
	seen := map[string]bool{}
	for _, api := range contract.APIs() {
		for _, op := range c.Spec(api).Operations() {
			docOp := c.Spec(api).Doc.Paths.Find(op.Path).GetOperation(op.Method)
			for name, body := range examplesOf(t, docOp.RequestBody.Value.Content) {
				key := string(api) + " request " + name
				seen[key] = true
				ex := &contract.Exchange{Method: op.Method, Path: "/base" + op.Path, RequestHeader: headers("Content-Type", "application/json"), RequestBody: body}
				checkExample(t, key, c.ValidateRequest(context.Background(), api, ex))
				checkOnlyVariant(t, c, key, api, ex, 0, body)
			}
			for _, status := range op.Statuses {
				resp := docOp.Responses.Status(status).Value
				for name, body := range examplesOf(t, resp.Content) {
					key := string(api) + " " + strconv.Itoa(status) + " " + name
					seen[key] = true
					ex := &contract.Exchange{Method: op.Method, Path: "/base" + op.Path, Status: status, Body: body,
						Header: headers("Content-Type", "application/json", "TrackingID", "t-1", "Retry-After", "120", "Allow", "POST")}
					checkExample(t, key, c.ValidateResponse(context.Background(), api, ex))
					checkOnlyVariant(t, c, key, api, ex, status, body)
				}
			}
		}
	}
	for key := range exampleVariants {
		if !seen[key] {
			t.Errorf("example %q is expected but the specs no longer carry it", key)
		}
	}
}

func checkExample(t *testing.T, key string, res contract.Result) {
	t.Helper()
	want, known := exampleVariants[key]
	switch {
	case !known:
		t.Errorf("example %q is not in exampleVariants: say which variant it must match", key)
	case !res.OK():
		t.Errorf("example %q: findings %+v", key, res.Findings)
	case res.Variant != want:
		t.Errorf("example %q matched variant %q, want %q", key, res.Variant, want)
	}
}

// checkOnlyVariant tries every variant on an example, without the early
// stop, so "exactly one" is shown rather than assumed.
func checkOnlyVariant(t *testing.T, c *contract.Contract, key string, api contract.API, ex *contract.Exchange, status int, body []byte) {
	t.Helper()
	want := exampleVariants[key]
	if want == "" {
		return
	}
	matches, _, ok := c.BodyVariants(api, ex.Method, ex.Path, status, body)
	if !ok || !slices.Equal(matches, []string{want}) {
		t.Errorf("example %q matches variants %v, want exactly [%s]", key, matches, want)
	}
}

func TestUnknownAPIOrOperation(t *testing.T) {
	c := testkit.Contract(t)
	tests := []struct {
		name string
		api  contract.API
		ex   *contract.Exchange
	}{
		{"unknown API", "nope", webexResponse(200, `{}`)},
		{"unknown path", contract.Webex, with(webexResponse(200, `{}`), func(ex *contract.Exchange) { ex.Path = "/v1/people/me" })},
		{"path suffix only in part", contract.Commvault, with(commvaultResponse(`{}`), func(ex *contract.Exchange) { ex.Path = "/api/xLogin" })},
		{"undocumented method", contract.Webex, with(webexResponse(200, `{}`), func(ex *contract.Exchange) { ex.Method = http.MethodGet })},
		{"nil exchange", contract.Webex, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, res := range []contract.Result{
				c.ValidateResponse(context.Background(), tt.api, tt.ex),
				c.ValidateRequest(context.Background(), tt.api, tt.ex),
			} {
				if len(res.Findings) != 1 || res.Findings[0].Check != contract.CheckOperation {
					t.Errorf("findings = %+v, want one %q finding", res.Findings, contract.CheckOperation)
				}
			}
		})
	}
}

func TestAnyBaseURLFindsTheOperation(t *testing.T) {
	c := testkit.Contract(t)
	for _, path := range []string{"/commandcenter/api/Login", "/webconsole/api/Login", "/Login", "/proxy/x/commandcenter/api/Login"} {
		res := c.ValidateResponse(context.Background(), contract.Commvault, with(commvaultResponse(commvaultSaaS), func(ex *contract.Exchange) { ex.Path = path }))
		if !res.OK() || res.Operation != "login" {
			t.Errorf("%s: %+v, want operation login without findings", path, res)
		}
	}
	res := c.ValidateResponse(context.Background(), contract.Webex, webexResponse(200, webex200))
	if !res.OK() || res.Operation != "loginRedSkyAdmin" || res.API != contract.Webex || res.Status != 200 {
		t.Errorf("webex: %+v, want loginRedSkyAdmin, status 200, no findings", res)
	}
}

// examplesOf collects the examples of each media type as JSON, named as in
// the spec ("example" for a lone example).
func examplesOf(t *testing.T, content openapi3.Content) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	add := func(name string, value any) {
		body, err := json.Marshal(value)
		if err != nil {
			t.Fatalf("example %s: %v", name, err)
		}
		out[name] = body
	}
	for _, mt := range content {
		if mt.Example != nil {
			add("example", mt.Example)
		}
		for name, ref := range mt.Examples {
			add(name, ref.Value.Value)
		}
	}
	return out
}
