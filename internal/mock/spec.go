package mock

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/specs"
)

// operationDoc is what a spec says about the answers of one operation, read
// once, so `Prefer: code=` and the headers of every answer follow the spec
// rather than a list kept here.
type operationDoc struct {
	id         string
	statuses   []int // ascending
	documented string
	allow      string // the methods the path documents, for Allow
	responses  [600]*responseDoc
}

// responseDoc is one documented (or transport-level) answer.
type responseDoc struct {
	headers []string // canonical names, TrackingID aside: the mock always sets it where declared
	body    bool
}

// transportAnswers are the answers a server gives whatever its spec says:
// a wrong method and, when Commvault is limited on request, a 429.
var transportAnswers = map[int]*responseDoc{
	http.StatusMethodNotAllowed: {headers: []string{"Allow"}, body: true},
	http.StatusTooManyRequests:  {headers: []string{"Retry-After", "Ratelimit-Policy", "Ratelimit"}, body: true},
}

// answer returns how status is answered: as documented, else as transport
// convention, else with a body and no extra headers.
func (d *operationDoc) answer(status int) *responseDoc {
	if status >= 0 && status < len(d.responses) && d.responses[status] != nil {
		return d.responses[status]
	}
	if r, ok := transportAnswers[status]; ok {
		return r
	}
	return &plainAnswer
}

var plainAnswer = responseDoc{body: true}

func (d *operationDoc) isDocumented(status int) bool {
	return status >= 0 && status < len(d.responses) && d.responses[status] != nil
}

// loadDocs reads the embedded specs once for the whole process.
var loadDocs = sync.OnceValues(func() (map[string]*operationDoc, error) {
	docs := map[string]*operationDoc{}
	for api, file := range specs.Files {
		data, err := specs.FS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		loader := &openapi3.Loader{Context: context.Background()}
		doc, err := loader.LoadFromData(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		op, err := postOperation(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		docs[api] = op
	}
	return docs, nil
})

// postOperation describes the spec's only POST operation, which both login
// specs have.
func postOperation(doc *openapi3.T) (*operationDoc, error) {
	for _, item := range doc.Paths.Map() {
		op := item.Post
		if op == nil {
			continue
		}
		d := &operationDoc{id: op.OperationID, allow: strings.Join(slices.Sorted(maps.Keys(item.Operations())), ", ")}
		for key, ref := range op.Responses.Map() {
			status, err := strconv.Atoi(key)
			if err != nil || status < 100 || status >= len(d.responses) || ref.Value == nil {
				continue
			}
			r := &responseDoc{body: len(ref.Value.Content) > 0}
			for name := range ref.Value.Headers {
				if canonical := http.CanonicalHeaderKey(name); canonical != trackingIDHeader {
					r.headers = append(r.headers, canonical)
				}
			}
			slices.Sort(r.headers)
			d.responses[status] = r
			d.statuses = append(d.statuses, status)
		}
		slices.Sort(d.statuses)
		codes := make([]string, len(d.statuses))
		for i, s := range d.statuses {
			codes[i] = strconv.Itoa(s)
		}
		d.documented = strings.Join(codes, ", ")
		return d, nil
	}
	return nil, fmt.Errorf("no POST operation")
}

// preferredCode reads Prism's `Prefer: code=NNN` (RFC 7240 syntax: several
// preferences per field, optional quotes and parameters).
func preferredCode(h http.Header) (status int, found bool, err error) {
	for _, field := range h["Prefer"] {
		for pref := range strings.SplitSeq(field, ",") {
			pref, _, _ = strings.Cut(pref, ";")
			name, value, _ := strings.Cut(pref, "=")
			if !strings.EqualFold(strings.TrimSpace(name), "code") {
				continue
			}
			value = strings.Trim(strings.TrimSpace(value), `"`)
			status, err := strconv.Atoi(value)
			if err != nil || len(value) != 3 || status < 100 || status > 599 {
				return 0, true, fmt.Errorf("code=%q in the Prefer header is not a status code from 100 to 599", truncated(value, 16))
			}
			return status, true, nil
		}
	}
	return 0, false, nil
}

func truncated(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
