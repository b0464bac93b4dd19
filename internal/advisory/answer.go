package advisory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// ignoredHeaders differ between any two answers, whatever the account:
// they are left out of the comparison.
var ignoredHeaders = map[string]bool{
	"Date": true, "Content-Length": true, "Age": true, "Expires": true, "Last-Modified": true,
	"Connection": true, "Keep-Alive": true,
}

// perRequestHeaders carry a value of their own on every answer (tracking
// ids, cookies, remaining quota): their presence is compared, not their value.
var perRequestHeaders = map[string]bool{
	"Trackingid": true, "X-Request-Id": true, "X-Correlation-Id": true, "X-Trace-Id": true,
	"X-B3-Traceid": true, "X-B3-Spanid": true, "Traceparent": true, "Tracestate": true, "Request-Id": true,
	"X-Amzn-Requestid": true, "X-Amzn-Trace-Id": true, "Cf-Ray": true,
	"Set-Cookie": true, "Etag": true, "Server-Timing": true, "X-Response-Time": true, "X-Runtime": true,
	"Ratelimit": true, "Ratelimit-Remaining": true, "Ratelimit-Reset": true,
	"X-Ratelimit-Remaining": true, "X-Ratelimit-Reset": true,
}

// volatileKey tells whether a JSON member carries a tracking id or a time:
// a value of its own on every answer.
func volatileKey(key string) bool {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	for _, part := range []string{"trackingid", "requestid", "correlationid", "traceid", "timestamp"} {
		if strings.Contains(k, part) {
			return true
		}
	}
	return k == "time" || k == "date" || k == "servertime" || k == "datetime"
}

// timePattern finds RFC 3339 times and HTTP-dates inside strings.
var timePattern = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT`)

// EnumerationByAnswer compares the answer to a wrong password of an
// existing account with the answer to a sign-in of an account that does not
// exist: the same status, the same body once tracking ids and times are set
// aside, the same headers but the per-request ones. Any difference tells an
// attacker which accounts exist.
func EnumerationByAnswer(existing, unknown Exchange) results.Advisory {
	secrets := secretsOf(existing, unknown)
	var diffs []string
	if existing.Status != unknown.Status {
		diffs = append(diffs, fmt.Sprintf("status: %d for a wrong password of an existing account, %d for an unknown account", existing.Status, unknown.Status))
	}
	diffs = append(diffs, headerDiffs(existing.Header, unknown.Header)...)
	if d := bodyDiff(existing, unknown); d != "" {
		diffs = append(diffs, d)
	}
	for i := range diffs {
		diffs[i] = contract.Redact(diffs[i], secrets...)
	}
	if len(diffs) > 0 {
		return verdict(NameEnumerationByAnswer, results.AdvisoryRaised,
			fmt.Sprintf("the answers differ in %d way(s): an attacker can tell an existing account from an unknown one", len(diffs)), diffs...)
	}
	return verdict(NameEnumerationByAnswer, results.AdvisoryPassed,
		fmt.Sprintf("both answered %d with the same body and headers (tracking ids and times aside)", existing.Status))
}

// headerDiffs names every header that tells the two answers apart.
func headerDiffs(a, b http.Header) []string {
	names := map[string]bool{}
	for name := range a {
		names[http.CanonicalHeaderKey(name)] = true
	}
	for name := range b {
		names[http.CanonicalHeaderKey(name)] = true
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(names)) {
		if ignoredHeaders[name] {
			continue
		}
		va, vb := a.Values(name), b.Values(name)
		switch {
		case len(va) == 0 || len(vb) == 0:
			out = append(out, fmt.Sprintf("header %s: only the %s answer has it", name, whichHas(len(va) > 0)))
		case perRequestHeaders[name]:
		case !slices.Equal(va, vb):
			out = append(out, fmt.Sprintf("header %s: %q for the existing account, %q for the unknown one",
				name, strings.Join(contract.RedactHeader(http.Header{name: va})[name], ", "), strings.Join(contract.RedactHeader(http.Header{name: vb})[name], ", ")))
		}
	}
	return out
}

func whichHas(existing bool) string {
	if existing {
		return "existing-account"
	}
	return "unknown-account"
}

// bodyDiff says where the bodies differ once per-answer values are set
// aside, "" when they do not.
func bodyDiff(a, b Exchange) string {
	na, okA := normalizedJSON(a)
	nb, okB := normalizedJSON(b)
	if okA && okB {
		if path, va, vb, differ := firstDifference("", na, nb); differ {
			return fmt.Sprintf("body at %s: %s for the existing account, %s for the unknown one", orRoot(path), show(va), show(vb))
		}
		return ""
	}
	ta, tb := normalizedText(a), normalizedText(b)
	if ta == tb {
		return ""
	}
	return fmt.Sprintf("body: %q for the existing account, %q for the unknown one",
		contract.Truncate(string(contract.RedactJSON([]byte(ta))), 160), contract.Truncate(string(contract.RedactJSON([]byte(tb))), 160))
}

// perAnswerValues are the values of an answer's per-request headers, which
// its body may repeat (Webex's trackingId).
func perAnswerValues(h http.Header) []string {
	var out []string
	for name, values := range h {
		if perRequestHeaders[http.CanonicalHeaderKey(name)] {
			for _, v := range values {
				if len(v) >= 4 {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// scrub sets aside what differs between any two answers: the answer's
// per-request ids, times, and the credentials it was sent (an echo is the
// nothing-echoed advisory's to judge, not a difference between accounts).
func scrub(s string, ids, sent []string) string {
	s = contract.Redact(s, sent...)
	for _, id := range ids {
		s = strings.ReplaceAll(s, id, "<per-request>")
	}
	return timePattern.ReplaceAllString(s, "<time>")
}

func normalizedText(ex Exchange) string {
	return scrub(string(bytes.TrimSpace(ex.Body)), perAnswerValues(ex.Header), secretsOf(ex))
}

func normalizedJSON(ex Exchange) (any, bool) {
	var v any
	if len(bytes.TrimSpace(ex.Body)) == 0 || json.Unmarshal(ex.Body, &v) != nil {
		return nil, false
	}
	ids, sent := perAnswerValues(ex.Header), secretsOf(ex)
	var walk func(any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			for k, member := range t {
				if volatileKey(k) {
					t[k] = "<per-request>"
					continue
				}
				t[k] = walk(member)
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case string:
			return scrub(t, ids, sent)
		}
		return v
	}
	return walk(v), true
}

// firstDifference walks two JSON values in a stable order and returns the
// JSON pointer of the first place they differ.
func firstDifference(path string, a, b any) (string, any, any, bool) {
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if okA && okB {
		keys := map[string]bool{}
		for k := range ma {
			keys[k] = true
		}
		for k := range mb {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			va, inA := ma[k]
			vb, inB := mb[k]
			if !inA || !inB {
				return path + "/" + k, present(inA, va), present(inB, vb), true
			}
			if p, x, y, d := firstDifference(path+"/"+k, va, vb); d {
				return p, x, y, true
			}
		}
		return "", nil, nil, false
	}
	sa, okA := a.([]any)
	sb, okB := b.([]any)
	if okA && okB && len(sa) == len(sb) {
		for i := range sa {
			if p, x, y, d := firstDifference(fmt.Sprintf("%s/%d", path, i), sa[i], sb[i]); d {
				return p, x, y, true
			}
		}
		return "", nil, nil, false
	}
	if reflect.DeepEqual(a, b) {
		return "", nil, nil, false
	}
	return path, a, b, true
}

// absent marks a member one body lacks.
type absent struct{}

func present(ok bool, v any) any {
	if !ok {
		return absent{}
	}
	return v
}

func show(v any) string {
	if _, missing := v.(absent); missing {
		return "absent"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return contract.Truncate(string(contract.RedactJSON(bytes.TrimSpace(b.Bytes()))), 120)
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
