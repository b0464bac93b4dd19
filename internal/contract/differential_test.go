package contract_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// The fast path of ValidateResponse must accept exactly the responses the
// kin-openapi path accepts, naming the same variant, and whatever it does
// not accept must come back with the kin-openapi path's findings. These
// tests feed both a generated corpus: valid bodies of every documented
// response and variant, and mutations of them.

// jsonTree is a JSON value whose text the mutations control: members keep
// their order and may repeat, and scalars stay raw text, so a case can hold
// duplicate names, invalid UTF-8 or numbers beyond float64.
type jsonTree struct {
	raw    string // a scalar's text; "" for an array or object
	object bool
	keys   []string // members' names as JSON text, quotes included
	items  []*jsonTree
}

func parseTree(tb testing.TB, text string) *jsonTree {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	tree, err := readTree(dec)
	if err != nil {
		tb.Fatalf("seed %s: %v", text, err)
	}
	return tree
}

func readTree(dec *json.Decoder) (*jsonTree, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		tree := &jsonTree{object: tok == '{'}
		for dec.More() {
			if tree.object {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				tree.keys = append(tree.keys, quote(key.(string)))
			}
			item, err := readTree(dec)
			if err != nil {
				return nil, err
			}
			tree.items = append(tree.items, item)
		}
		_, err := dec.Token()
		return tree, err
	case string:
		return &jsonTree{raw: quote(tok)}, nil
	case nil:
		return &jsonTree{raw: "null"}, nil
	}
	return &jsonTree{raw: fmt.Sprint(tok)}, nil
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (j *jsonTree) String() string {
	if j.raw != "" {
		return j.raw
	}
	var b strings.Builder
	open, closing := "[", "]"
	if j.object {
		open, closing = "{", "}"
	}
	b.WriteString(open)
	for i, item := range j.items {
		if i > 0 {
			b.WriteString(", ")
		}
		if j.object {
			b.WriteString(j.keys[i] + ": ")
		}
		b.WriteString(item.String())
	}
	b.WriteString(closing)
	return b.String()
}

func (j *jsonTree) clone() *jsonTree {
	cp := *j
	cp.keys = slices.Clone(j.keys)
	cp.items = make([]*jsonTree, len(j.items))
	for i, item := range j.items {
		cp.items[i] = item.clone()
	}
	return &cp
}

// at is the value at path, a list of item indexes.
func (j *jsonTree) at(path []int) *jsonTree {
	for _, i := range path {
		j = j.items[i]
	}
	return j
}

// paths lists the path of every value in j, j's own (empty) first.
func (j *jsonTree) paths(prefix []int) [][]int {
	out := [][]int{slices.Clone(prefix)}
	for i, item := range j.items {
		out = append(out, item.paths(append(prefix, i))...)
	}
	return out
}

// replacements are the values put in place of each value of a seed: every
// JSON type, numbers at and beyond the edges of int64 and float64, strings
// that are and are not UUIDs, emails or "QSDK " tokens, escapes, surrogates
// and invalid UTF-8.
var replacements = []string{
	`null`, `true`, `false`, `0`, `-0`, `1`, `-7`, `1.5`, `1e2`, `1E+2`, `0.1e-1`,
	`12345678901234567890`, `9223372036854775807`, `9223372036854775808`, `-9223372036854775808`, `-9223372036854775809`,
	`4328650366975`, `1e308`, `1e309`, `-1e400`, `1e-400`, `1` + strings.Repeat("0", 310),
	`""`, `"x"`, `"QSDK x"`, `"\u0051SDK x"`, `"ddd1424c-5b48-433d-9bab-061cdfb84c90"`, `"DDD1424C-5B48-433D-9BAB-061CDFB84C9Z"`,
	`"ddd1424c5b48-433d-9bab-061cdfb84c90"`, `"a@b.c"`, `"a@b@c"`, `"\ud800"`, `"\ud83d\ude00"`, "\"x\xffy\"", "\"\xc3\xa9\"",
	`"` + strings.Repeat("é", 100) + `"`, `[]`, `[1]`, `[{}]`, `[{"errLogMessage": "m", "errorCode": 1}]`, `{}`, `{"authToken": "t"}`,
}

// bodyCase is one body to judge, named by the mutation that made it.
type bodyCase struct{ name, body string }

// mutations breaks seed every way the corpus knows, one way at a time.
// borrowed maps property names to values seeds give them, so a member a
// variant forbids can be added with a value another variant accepts.
func mutations(seed *jsonTree, borrowed map[string][]string) []bodyCase {
	var out []bodyCase
	edit := func(name string, path []int, change func(parent, node *jsonTree, i int)) {
		root := seed.clone()
		if len(path) == 0 {
			holder := &jsonTree{items: []*jsonTree{root}}
			change(holder, root, 0)
			root = holder.items[0]
		} else {
			parent := root.at(path[:len(path)-1])
			i := path[len(path)-1]
			change(parent, parent.items[i], i)
		}
		out = append(out, bodyCase{fmt.Sprintf("%s at %v", name, path), root.String()})
	}
	for _, path := range seed.paths(nil) {
		for _, r := range replacements {
			edit("replaced by "+r, path, func(parent, _ *jsonTree, i int) { parent.items[i] = &jsonTree{raw: r} })
		}
		node := seed.at(path)
		if len(path) > 0 {
			edit("removed", path, func(parent, _ *jsonTree, i int) {
				parent.items = slices.Delete(parent.items, i, i+1)
				if parent.object {
					parent.keys = slices.Delete(parent.keys, i, i+1)
				}
			})
			if parent := seed.at(path[:len(path)-1]); parent.object {
				key := parent.keys[path[len(path)-1]]
				for _, dup := range []string{`5`, `"x"`, `null`} {
					edit("a duplicate "+dup+" before", path, func(parent, _ *jsonTree, i int) {
						parent.keys = slices.Insert(parent.keys, i, key)
						parent.items = slices.Insert(parent.items, i, &jsonTree{raw: dup})
					})
					edit("a duplicate "+dup+" after", path, func(parent, _ *jsonTree, i int) {
						parent.keys = slices.Insert(parent.keys, i+1, key)
						parent.items = slices.Insert(parent.items, i+1, &jsonTree{raw: dup})
					})
				}
				escaped := `"\u00` + strconv.FormatInt(int64(key[1]), 16) + key[2:]
				edit("its name escaped", path, func(parent, _ *jsonTree, i int) { parent.keys[i] = escaped })
				edit("its name with invalid UTF-8", path, func(parent, _ *jsonTree, i int) { parent.keys[i] = key[:len(key)-1] + "\xff\"" })
			}
		}
		if node.object {
			for _, name := range slices.Sorted(maps.Keys(borrowed)) {
				for _, value := range borrowed[name] {
					edit("a member "+name+": "+value, path, func(_, node *jsonTree, _ int) {
						node.keys = append(node.keys, quote(name))
						node.items = append(node.items, &jsonTree{raw: value})
					})
				}
			}
		}
	}
	// Nesting as deep as Unmarshal takes, and one level deeper, from the root.
	if seed.object {
		for _, depth := range []int{9999, 10000} {
			edit(fmt.Sprintf("a member nested %d deep", depth), nil, func(_, node *jsonTree, _ int) {
				node.keys = append(node.keys, `"zzDeep"`)
				node.items = append(node.items, &jsonTree{raw: strings.Repeat("[", depth) + strings.Repeat("]", depth)})
			})
		}
	}
	text := seed.String()
	for name, body := range map[string]string{
		"spaces around": " \t\r\n" + text + "\n ", "a byte order mark": "\ufeff" + text, "trailing data": text + " {}",
		"trailing garbage": text + "x", "truncated": text[:len(text)-1], "empty": "", "blank": "  ", "null": "null",
		"an array": "[]", "an empty object": "{}", "a string": `"x"`, "a number": "1", "a comment": "/**/" + text,
	} {
		out = append(out, bodyCase{name, body})
	}
	return out
}

// borrowedValues collects, per property name, the values the seeds give it.
func borrowedValues(seeds []*jsonTree) map[string][]string {
	out := map[string][]string{"zzExtra": {`1`}}
	var walk func(j *jsonTree)
	walk = func(j *jsonTree) {
		for i, item := range j.items {
			if j.object {
				name, _ := strconv.Unquote(j.keys[i])
				if v := item.String(); !slices.Contains(out[name], v) && len(out[name]) < 2 {
					out[name] = append(out[name], v)
				}
			}
			walk(item)
		}
	}
	for _, s := range seeds {
		walk(s)
	}
	return out
}

// diffCase is one exchange to judge both ways.
type diffCase struct {
	name string
	api  contract.API
	ex   *contract.Exchange
}

// responseSeed is a valid response: its status, headers and bodies.
type responseSeed struct {
	api    contract.API
	path   string
	status int
	header http.Header
	bodies []string
}

// corpus builds the cases from seeds: each body mutated every way, and the
// first body of each seed under every header mutation.
func corpus(tb testing.TB, seeds []responseSeed, headerEdits map[string]func(http.Header)) []diffCase {
	tb.Helper()
	var trees []*jsonTree
	for _, s := range seeds {
		for _, body := range s.bodies {
			if body != "" {
				trees = append(trees, parseTree(tb, body))
			}
		}
	}
	borrowed := borrowedValues(trees)
	var out []diffCase
	add := func(name string, s responseSeed, header http.Header, body string) {
		out = append(out, diffCase{fmt.Sprintf("%s %d: %s", s.api, s.status, name), s.api,
			&contract.Exchange{Method: http.MethodPost, Path: s.path, Status: s.status, Header: header, Body: []byte(body)}})
	}
	for _, s := range seeds {
		for _, body := range s.bodies {
			add("seed "+body, s, s.header, body)
			if body == "" {
				add("a body where none is documented", s, headers("Content-Type", "application/json", "TrackingID", "t"), "{}")
				continue
			}
			for _, m := range mutations(parseTree(tb, body), borrowed) {
				add(m.name, s, s.header, m.body)
			}
		}
		for name, edit := range headerEdits {
			h := s.header.Clone()
			edit(h)
			add(name, s, h, s.bodies[0])
		}
		add("no body", s, s.header, "")
	}
	return out
}

func setHeader(name string, values ...string) func(http.Header) {
	return func(h http.Header) {
		if values == nil {
			h.Del(name)
			return
		}
		h[http.CanonicalHeaderKey(name)] = values
	}
}

// headerEdits change one header of a valid response: content types, the
// tracking header, and Retry-After in every form and misform.
var headerEdits = map[string]func(http.Header){
	"Content-Type with charset":      setHeader("Content-Type", "application/json; charset=utf-8"),
	"Content-Type in capitals":       setHeader("Content-Type", "APPLICATION/JSON"),
	"Content-Type padded":            setHeader("Content-Type", " application/json "),
	"Content-Type with a bare ;":     setHeader("Content-Type", "application/json;"),
	"Content-Type problem+json":      setHeader("Content-Type", "application/problem+json"),
	"Content-Type text/plain":        setHeader("Content-Type", "text/plain"),
	"Content-Type empty":             setHeader("Content-Type", ""),
	"no Content-Type":                setHeader("Content-Type"),
	"two Content-Types":              setHeader("Content-Type", "text/plain", "application/json"),
	"no TrackingID":                  setHeader("TrackingID"),
	"TrackingID empty":               setHeader("TrackingID", ""),
	"TrackingID twice, empty first":  setHeader("TrackingID", "", "t"),
	"TrackingID without values":      setHeader("TrackingID", []string{}...),
	"Retry-After 0":                  setHeader("Retry-After", "0"),
	"Retry-After huge":               setHeader("Retry-After", "99999999999999999999"),
	"Retry-After padded":             setHeader("Retry-After", " 12"),
	"Retry-After fraction":           setHeader("Retry-After", "1.5"),
	"Retry-After negative":           setHeader("Retry-After", "-1"),
	"Retry-After soon":               setHeader("Retry-After", "soon"),
	"Retry-After empty":              setHeader("Retry-After", ""),
	"Retry-After absent":             setHeader("Retry-After"),
	"Retry-After IMF-fixdate":        setHeader("Retry-After", "Fri, 31 Dec 1999 23:59:59 GMT"),
	"Retry-After on Feb 31":          setHeader("Retry-After", "Fri, 31 Feb 1999 23:59:59 GMT"),
	"Retry-After RFC 850":            setHeader("Retry-After", "Friday, 31-Dec-99 23:59:59 GMT"),
	"Retry-After asctime":            setHeader("Retry-After", "Sat Jan  1 00:00:00 2000"),
	"Retry-After twice, bad second":  setHeader("Retry-After", "12", "soon"),
	"Retry-After with invalid UTF-8": setHeader("Retry-After", "1\xff"),
	"Allow absent":                   setHeader("Allow"),
	"RateLimit empty":                setHeader("RateLimit", ""),
}

// embeddedSeeds are valid responses of every documented status and
// variant of the embedded specs, the mutations' starting points.
func embeddedSeeds(tb testing.TB, c *contract.Contract) []responseSeed {
	tb.Helper()
	var seeds []responseSeed
	for _, op := range c.Spec(contract.Webex).Operations() {
		for _, status := range op.Statuses {
			h := headers("Content-Type", "application/json", "TrackingID", "ROUTER_1", "Allow", "POST",
				"Retry-After", "12", "RateLimit", `"burst";r=0;t=12`, "RateLimit-Policy", `"burst";q=100;w=60`)
			bodies := []string{webexError, `{"message": "", "errors": [], "trackingId": "t"}`}
			switch {
			case status < 202:
				bodies = []string{webex200, `{"accountMatch": false, "externalTenantEnabled": false, "companyId": "DDD1424C-5B48-433D-9BAB-061CDFB84C90", "more": [1, {"a": null}]}`}
			case status < 300:
				bodies = []string{""}
			}
			if bodies[0] == "" {
				h.Del("Content-Type")
				seeds = append(seeds, responseSeed{contract.Webex, webexPath, status, h, []string{""}})
				continue
			}
			seeds = append(seeds, responseSeed{contract.Webex, webexPath, status, h, bodies})
		}
	}
	cm := c.Spec(contract.Commvault).Doc.Paths.Find("/Login").Post.Responses.Status(200).Value.Content.Get("application/json")
	var examples []string
	for _, name := range slices.Sorted(maps.Keys(cm.Examples)) {
		b, err := json.Marshal(cm.Examples[name].Value.Value)
		if err != nil {
			tb.Fatal(err)
		}
		examples = append(examples, string(b))
	}
	seeds = append(seeds, responseSeed{contract.Commvault, commvaultPath, 200, headers("Content-Type", "application/json"), append([]string{
		commvaultSaaS, commvaultCustomerManaged, commvaultFailure,
		`{"errList": [{"errLogMessage": "locked", "errorCode": 1}, {"errLogMessage": "m", "errorCode": 2}], "loginAttempts": 5, "remainingLockTime": 0, "isAccountLocked": true}`,
	}, examples...)})
	return seeds
}

// judgeBoth judges every case on both paths and counts the verdicts. The
// fast path may leave a case undecided only where allowUndecided says so.
func judgeBoth(t *testing.T, c *contract.Contract, cases []diffCase, allowUndecided bool) (accepted, rejected, undecided int) {
	t.Helper()
	for _, tc := range cases {
		kin := c.KinResponse(tc.api, tc.ex)
		fast, verdict := c.FastResponse(tc.api, tc.ex)
		switch {
		case verdict == "undecided" && !allowUndecided:
			t.Errorf("%s: the fast path could not decide; kin-openapi says %+v", tc.name, kin)
		case verdict == "accepted" && !reflect.DeepEqual(fast, kin):
			t.Errorf("%s: the fast path accepted it as %+v, kin-openapi judged %+v", tc.name, fast, kin)
		case verdict == "rejected" && kin.OK():
			t.Errorf("%s: the fast path rejected it, kin-openapi accepted it as %+v", tc.name, kin)
		}
		if got := c.ValidateResponse(t.Context(), tc.api, tc.ex); !reflect.DeepEqual(got, kin) {
			t.Errorf("%s: ValidateResponse gave %+v, kin-openapi alone %+v", tc.name, got, kin)
		}
		switch {
		case verdict == "undecided":
			undecided++
		case kin.OK():
			accepted++
		default:
			rejected++
		}
	}
	return accepted, rejected, undecided
}

func TestFastPathAgreesWithKinOpenAPI(t *testing.T) {
	c := testkit.Contract(t)
	if gaps := c.Uncompiled(); len(gaps) > 0 {
		t.Errorf("the fast path leaves parts of the embedded specs to kin-openapi: %v", gaps)
	}
	cases := corpus(t, embeddedSeeds(t, c), headerEdits)
	accepted, rejected, _ := judgeBoth(t, c, cases, false)
	t.Logf("%d cases: %d accepted, %d rejected by both paths", len(cases), accepted, rejected)
	if accepted < 1000 || rejected < 1000 {
		t.Errorf("the corpus is lopsided: %d accepted, %d rejected", accepted, rejected)
	}
}

// fallbacks documents what the fast path compiles next to what it leaves
// to kin-openapi: a header that is not a plain string, a non-JSON body,
// keywords it does not mirror (multipleOf, uniqueItems, a discriminator, a
// pattern with \u escapes), a writeOnly property in a response, a schema
// that applies itself to one value again, and a redirect, whose headers
// openapi3filter does not check.
const fallbacks = `
openapi: 3.0.3
info: {title: fallbacks, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: thing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: most keywords
          headers:
            X-Mode: {required: true, schema: {type: string, enum: [a, b], maxLength: 1}}
            X-Tags: {schema: {type: array, items: {type: string}}}
            X-Count: {schema: {type: integer, minimum: 1}}
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
            text/plain:
              schema: {type: string, minLength: 3}
        "201":
          description: a oneOf with a discriminator
          content:
            application/json:
              schema:
                oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
                discriminator: {propertyName: kind}
        "202":
          description: a writeOnly property
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}, secret: {type: string, writeOnly: true}}}
        "203":
          description: a schema that applies itself to the same value again
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Loop"}
        "301":
          description: a redirect
          headers:
            Location: {required: true, schema: {type: string, minLength: 1}}
components:
  schemas:
    Thing:
      type: object
      required: [id, ghost]
      minProperties: 2
      maxProperties: 14
      additionalProperties: {type: integer, format: int32}
      properties:
        id: {type: integer, format: int64, minimum: 1, exclusiveMinimum: true, maximum: 1000}
        name: {type: string, minLength: 2, maxLength: 5, pattern: '^\u0041'}
        tags: {type: array, items: {type: string}, uniqueItems: true, maxItems: 3}
        ratio: {type: number, multipleOf: 0.5}
        level: {type: integer, enum: [1, 2, 3]}
        flag: {type: boolean, enum: [true], nullable: true}
        note: {type: string, nullable: true, format: date}
        anything: {nullable: true}
        choice: {anyOf: [{type: string}, {type: integer}], nullable: true}
        either: {oneOf: [{type: string, maxLength: 3}, {type: string, minLength: 2}]}
        both: {allOf: [{type: object, required: [a]}, {type: object, properties: {a: {type: number, maximum: 5, exclusiveMaximum: true}}}]}
        never: {not: {}}
        closed: {type: object, additionalProperties: false, properties: {x: {type: string, enum: ["y", "z"]}}}
        bag: {type: object, additionalProperties: {type: string, maxLength: 2}}
    Cat: {type: object, required: [kind], properties: {kind: {type: string}, meows: {type: boolean}}}
    Dog: {type: object, required: [kind], properties: {kind: {type: string}, barks: {type: boolean}}}
    Loop: {type: object, allOf: [{$ref: "#/components/schemas/Loop2"}]}
    Loop2: {required: [n], anyOf: [{$ref: "#/components/schemas/Loop"}, {type: object}]}
`

func TestFallbacksKeepKinOpenAPIsVerdicts(t *testing.T) {
	c, err := contract.LoadFS(fstest.MapFS{"f.yaml": {Data: []byte(fallbacks)}}, map[contract.API]string{"f": "f.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"f 200 body application/json: 3 sub-schemas", "f 200 body text/plain", "f 200 header X-Count", "f 200 header X-Tags",
		"f 201 body application/json: 1 sub-schemas", "f 202 body application/json", "f 203 body application/json"}
	if got := c.Uncompiled(); !reflect.DeepEqual(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("left to kin-openapi: %q, want %q", got, want)
	}
	seed := func(status int, bodies ...string) responseSeed {
		return responseSeed{"f", "/api/things/7", status, headers("Content-Type", "application/json", "X-Mode", "a", "X-Count", "3", "X-Tags", "a,b", "Location", "/x"), bodies}
	}
	seeds := []responseSeed{
		seed(200, `{"id": 5, "ghost": null, "name": "AB", "tags": ["a", "b"], "ratio": 1.5, "level": 2, "flag": true, "note": "2020-02-29",
			"anything": {}, "choice": "x", "either": "abcd", "both": {"a": 1}, "closed": {"x": "y"}, "extra": 7}`,
			`{"id": 1000, "ghost": 1, "flag": null, "note": null, "anything": null, "choice": null, "either": "a", "never": null}`,
			`{"id": 2, "ghost": 1, "bag": {`+strings.Repeat(`"k": "a", `, 65)+`"k": "ab"}}`),
		seed(201, `{"kind": "Cat", "meows": true}`, `{"kind": "Dog", "barks": false}`),
		seed(202, `{"id": 1}`, `{"id": 1, "secret": null}`),
		seed(203, `{"n": 1}`),
		seed(301, `{}`),
	}
	edits := map[string]func(http.Header){
		"X-Mode c": setHeader("X-Mode", "c"), "X-Mode absent": setHeader("X-Mode"), "X-Count 0": setHeader("X-Count", "0"),
		"X-Tags empty": setHeader("X-Tags", ""), "text/plain": setHeader("Content-Type", "text/plain"), "no Location": setHeader("Location"),
	}
	before, _ := c.FastPathCounts()
	cases := corpus(t, seeds, edits)
	accepted, rejected, undecided := judgeBoth(t, c, cases, true)
	after, _ := c.FastPathCounts()
	t.Logf("%d cases: %d accepted, %d rejected by both paths, %d left to kin-openapi; %d fallbacks counted",
		len(cases), accepted, rejected, undecided, after-before)
	if undecided == 0 || after == before {
		t.Error("no case went to kin-openapi: the fallbacks are not exercised")
	}
}

// FuzzFastPath holds the fast path to kin-openapi on arbitrary bodies and
// headers, and its JSON reader to encoding/json.
func FuzzFastPath(f *testing.F) {
	c := testkit.Contract(f)
	for _, s := range embeddedSeeds(f, c) {
		for _, body := range s.bodies {
			f.Add(s.status, "application/json", "12", body)
		}
	}
	f.Add(429, "application/json; charset=utf-8", "Fri, 31 Dec 1999 23:59:59 GMT", `{"message": "m", "message": 1, "errors": [], "trackingId": "t"}`)
	f.Add(200, "application/json", "", "{\"data\": {\"authToken\": \"x\xff\"}}")
	f.Add(200, "application/json", "", `{"data": {"authToken": "\ud800"}, "data": 5}`)
	f.Add(200, "application/json", "", `[`+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+`]`)
	f.Fuzz(func(t *testing.T, status int, contentType, retryAfter, body string) {
		var v any
		if got, want := contract.ReadsAsJSON(body), json.Unmarshal([]byte(body), &v) == nil; got != want {
			t.Fatalf("the fast path reads %q as JSON: %v, encoding/json: %v", body, got, want)
		}
		for _, api := range contract.APIs() {
			for _, path := range []string{webexPath, commvaultPath} {
				h := http.Header{"Content-Type": {contentType}, "Retry-After": {retryAfter}, "Trackingid": {"t"}}
				judgeBoth(t, c, []diffCase{{"fuzz", api, &contract.Exchange{Method: http.MethodPost, Path: path, Status: status, Header: h, Body: []byte(body)}}}, false)
			}
		}
	})
}

// TestReadsAsJSON pins the JSON reader to encoding/json on the texts where
// readers tend to differ.
func TestReadsAsJSON(t *testing.T) {
	for _, text := range []string{
		``, ` `, `1`, `-`, `-0`, `01`, `1.`, `.5`, `1e`, `1e+`, `1E5`, `-1.5e-3`, `1e309`, `1e-400`, `0x10`, `+1`, `NaN`, `Infinity`,
		`"`, `"\`, `"\u12"`, `"\u12G4"`, `"\x"`, "\"\x00\"", "\"\x1f\"", "\"\x7f\"", "\"\xff\"", `"\ud800"`, `tru`, `true`, `truex`, `nul`,
		`[`, `]`, `[1,]`, `[,1]`, `[1 2]`, `{}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{1:2}`, `{"a":1 "b":2}`, `{"a":1}}`, `[]]`,
		"\ufeff{}", "{}\x00", " \t\r\n{} \t\r\n", "\v{}", "[" + strings.Repeat("[", 9999) + strings.Repeat("]", 10000),
		"[" + strings.Repeat("[", 10000) + strings.Repeat("]", 10001), `{"a":` + strings.Repeat(`{"a":`, 9999) + `1` + strings.Repeat(`}`, 10000),
	} {
		var v any
		err := json.Unmarshal([]byte(text), &v)
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &syntax) && !errors.As(err, &typ) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("%.40q: unexpected error %v", text, err)
		}
		if got := contract.ReadsAsJSON(text); got != (err == nil) {
			t.Errorf("%.40q: read %v, encoding/json error %v", text, got, err)
		}
	}
}
