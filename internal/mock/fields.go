package mock

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
)

// The request checks below mirror the specs' schemas exactly (with the
// string formats of internal/contract), and the property test proves that
// the mock accepts precisely what the contract accepts. They run on the
// body's bytes without decoding it into maps, to keep the hot path cheap.

// fieldRule is one property of a request schema.
type fieldRule struct {
	name     string
	required bool
	integer  bool              // an integer instead of a string
	valid    func([]byte) bool // the string's format or pattern; nil: any string
	want     string            // what a valid value is, for messages
}

// fieldValue is what the body holds for one rule: the decoded string, or
// the raw number of an integer rule.
type fieldValue struct {
	present bool
	value   []byte
}

// fault says why a request body is refused.
type fault struct {
	code  errorCode
	field string
	want  string // what a valid value is, the JSON type sent (codeFieldType), or the size limit
}

// readFields reads a JSON object into vals, one per rule (the last of
// duplicate keys wins, as in encoding/json). It reports whether the object
// has keys no rule names, and the first fault found.
func readFields(body []byte, rules []fieldRule, vals []fieldValue) (extra bool, f fault) {
	if len(bytes.TrimSpace(body)) == 0 {
		return false, fault{code: codeBodyMissing}
	}
	if !json.Valid(body) {
		return false, fault{code: codeNotJSON}
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return false, fault{code: codeNotObject}
	}
	i = skipSpace(body, i+1)
	for body[i] != '}' {
		keyEnd := skipString(body, i)
		key := decodeString(body[i:keyEnd])
		i = skipSpace(body, keyEnd)
		i = skipSpace(body, i+1) // the colon
		end, ok := skipValue(body, i)
		if !ok {
			return false, fault{code: codeNotJSON}
		}
		known := false
		for r := range rules {
			if string(key) == rules[r].name {
				vals[r] = fieldValue{present: true, value: body[i:end]}
				known = true
			}
		}
		extra = extra || !known
		i = skipSpace(body, end)
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	for r, rule := range rules {
		v := &vals[r]
		switch {
		case !v.present:
			if rule.required {
				return extra, fault{code: codeFieldMissing, field: rule.name}
			}
		case rule.integer:
			if !isIntegerAtLeastOne(v.value) {
				return extra, fault{codeFieldValue, rule.name, rule.want}
			}
		case v.value[0] != '"':
			return extra, fault{codeFieldType, rule.name, jsonType(v.value[0])}
		default:
			v.value = decodeString(v.value)
			if rule.valid != nil && !rule.valid(v.value) {
				return extra, fault{codeFieldValue, rule.name, rule.want}
			}
		}
	}
	return extra, fault{}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the end of the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the end of the (valid) JSON value at b[i]. It fails on
// a number beyond float64, which encoding/json, and so the contract,
// refuses even though it is well-formed.
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; {
		case c == '"':
			i = skipString(b, i)
		case c == '{' || c == '[':
			depth++
			i++
		case c == '}' || c == ']':
			depth--
			i++
		case c == '-' || c >= '0' && c <= '9':
			end := i + 1
			for end < len(b) && bytes.IndexByte([]byte("+-.eE0123456789"), b[end]) >= 0 {
				end++
			}
			if !fitsFloat64(b[i:end]) {
				return end, false
			}
			i = end
		case c == 't' || c == 'n':
			i += 4
		case c == 'f':
			i += 5
		default: // white space, ',' and ':' inside containers
			i++
			continue
		}
		if depth == 0 {
			return i, true
		}
	}
	return i, true
}

// fitsFloat64 tells whether a JSON number parses as a float64. Only an
// exponent or more than 308 digits can overflow, so most numbers skip
// strconv.
func fitsFloat64(num []byte) bool {
	if len(num) <= 308 && !bytes.ContainsAny(num, "eE") {
		return true
	}
	_, err := strconv.ParseFloat(string(num), 64)
	return err == nil
}

// decodeString unquotes a JSON string. Plain ASCII is sliced in place;
// escapes and other bytes go through encoding/json, so invalid UTF-8 is
// replaced exactly as the contract sees it.
func decodeString(quoted []byte) []byte {
	inner := quoted[1 : len(quoted)-1]
	for _, c := range inner {
		if c == '\\' || c >= 0x80 {
			var s string
			if json.Unmarshal(quoted, &s) != nil {
				return nil
			}
			return []byte(s)
		}
	}
	return inner
}

// isIntegerAtLeastOne is the spec's `type: integer, minimum: 1`, with
// kin-openapi's reading of integer: a number without a fractional part.
func isIntegerAtLeastOne(num []byte) bool {
	if len(num) == 0 || num[0] != '-' && (num[0] < '0' || num[0] > '9') {
		return false
	}
	f, err := strconv.ParseFloat(string(num), 64)
	return err == nil && f == math.Trunc(f) && f >= 1
}

// isEmail is kin-openapi's email format, ^[^@]+@[^@<>",\s]+$.
func isEmail[T string | []byte](s T) bool {
	at := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '@':
			if at >= 0 {
				return false
			}
			at = i
		case '<', '>', '"', ',', ' ', '\t', '\n', '\f', '\r':
			if at >= 0 {
				return false
			}
		}
	}
	return at > 0 && at < len(s)-1
}

// isUUID is the contract's uuid format: 8-4-4-4-12 hex digits.
func isUUID[T string | []byte](s T) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// strictBase64 is what the contract's "byte" format accepts: padded
// standard Base64 with zero padding bits. Like the contract, it skips CR and LF.
var strictBase64 = base64.StdEncoding.Strict()

// decodeBase64 decodes into buf when it is large enough.
func decodeBase64(b, buf []byte) ([]byte, bool) {
	if n := strictBase64.DecodedLen(len(b)); n > len(buf) {
		buf = make([]byte, n)
	}
	n, err := strictBase64.Decode(buf, b)
	return buf[:n], err == nil
}

// isBase64 is the spec's `format: byte, minLength: 1`.
func isBase64(b []byte) bool {
	var buf [256]byte
	_, ok := decodeBase64(b, buf[:])
	return ok && len(b) > 0
}

func nonEmpty(b []byte) bool { return len(b) > 0 }

// isCommserver is the pattern ^[^*]+\*[^*]+$: two non-empty names around one '*'.
func isCommserver(b []byte) bool {
	star := bytes.IndexByte(b, '*')
	return star > 0 && star < len(b)-1 && bytes.IndexByte(b[star+1:], '*') < 0
}

func hasNoAt(b []byte) bool { return bytes.IndexByte(b, '@') < 0 }

// jsonType names the type of the JSON value starting with c.
func jsonType(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
