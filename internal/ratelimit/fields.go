package ratelimit

import (
	"encoding/base64"
	"fmt"
	"time"
)

const (
	fieldPolicy = "RateLimit-Policy"
	fieldLimit  = "RateLimit"
)

// maxSFInteger is the largest Structured Field Integer (RFC 9651 §3.3.1).
const maxSFInteger = 999_999_999_999_999

// NoReset in Limit.Reset means the RateLimit item carried no "t" parameter, which
// the draft makes optional.
const NoReset time.Duration = -1

// Policy is one quota policy of a RateLimit-Policy field.
type Policy struct {
	Name         string        // the item: policy name
	Quota        int64         // q, required
	Window       time.Duration // w, whole seconds; 0 when absent
	QuotaUnit    string        // qu, e.g. "requests"; "" when absent
	PartitionKey string        // pk, raw bytes of the byte sequence; "" when absent
}

// Limit is one item of a RateLimit field.
type Limit struct {
	Name         string        // the item: name of the policy it reports on
	Remaining    int64         // r, required
	Reset        time.Duration // t, whole seconds; NoReset when absent
	PartitionKey string        // pk, raw bytes of the byte sequence; "" when absent
}

// ParsePolicy parses a RateLimit-Policy field value: a non-empty List whose items are
// strings (draft -10) or tokens (earlier drafts) with q (required), qu, w and pk
// parameters. Other parameters are ignored, as the draft requires. A policy name may
// appear only once.
func ParsePolicy(v string) ([]Policy, error) {
	items, err := parseSFList(fieldPolicy, v)
	if err != nil {
		return nil, err
	}
	out := make([]Policy, 0, len(items))
	var seen map[string]int
	for k := range items {
		it := &items[k]
		name, err := itemName(fieldPolicy, items, k, &seen)
		if err != nil {
			return nil, err
		}
		p := Policy{Name: name}
		if p.Quota, err = intParam(fieldPolicy, it, "q", true); err != nil {
			return nil, err
		}
		w, err := intParam(fieldPolicy, it, "w", false)
		if err != nil {
			return nil, err
		}
		if p.Window, err = seconds(fieldPolicy, it, "w", w); err != nil {
			return nil, err
		}
		if p.QuotaUnit, err = stringParam(fieldPolicy, it, "qu", sfString); err != nil {
			return nil, err
		}
		if p.PartitionKey, err = stringParam(fieldPolicy, it, "pk", sfBytes); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseLimit parses a RateLimit field value: a non-empty List whose items are strings
// or tokens with r (required), t and pk parameters. Other parameters are ignored; a
// name may appear only once.
func ParseLimit(v string) ([]Limit, error) {
	items, err := parseSFList(fieldLimit, v)
	if err != nil {
		return nil, err
	}
	out := make([]Limit, 0, len(items))
	var seen map[string]int
	for k := range items {
		it := &items[k]
		name, err := itemName(fieldLimit, items, k, &seen)
		if err != nil {
			return nil, err
		}
		l := Limit{Name: name, Reset: NoReset}
		if l.Remaining, err = intParam(fieldLimit, it, "r", true); err != nil {
			return nil, err
		}
		if _, ok := it.param("t"); ok {
			t, err := intParam(fieldLimit, it, "t", true)
			if err != nil {
				return nil, err
			}
			if l.Reset, err = seconds(fieldLimit, it, "t", t); err != nil {
				return nil, err
			}
		}
		if l.PartitionKey, err = stringParam(fieldLimit, it, "pk", sfBytes); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// itemName returns the policy name of list member k, refusing a name already seen:
// the draft allows one item per policy.
func itemName(field string, items []sfItem, k int, seen *map[string]int) (string, error) {
	it := &items[k]
	if it.val.kind != sfString && it.val.kind != sfToken {
		return "", &SyntaxError{Field: field, Offset: it.pos, Msg: fmt.Sprintf("list member %d must be a string or token naming the policy, got %s", k+1, it.val.kind)}
	}
	if len(items) > smallSet {
		if *seen == nil {
			*seen = make(map[string]int, len(items))
		}
		if _, dup := (*seen)[it.val.s]; dup {
			return "", &SyntaxError{Field: field, Offset: it.pos, Msg: fmt.Sprintf("policy %q appears more than once", it.val.s)}
		}
		(*seen)[it.val.s] = k
		return it.val.s, nil
	}
	for j := range k {
		if items[j].val.s == it.val.s {
			return "", &SyntaxError{Field: field, Offset: it.pos, Msg: fmt.Sprintf("policy %q appears more than once", it.val.s)}
		}
	}
	return it.val.s, nil
}

// intParam returns non-negative integer parameter key; 0 if it is absent and optional.
func intParam(field string, it *sfItem, key string, required bool) (int64, error) {
	v, ok := it.param(key)
	switch {
	case !ok && required:
		return 0, &SyntaxError{Field: field, Offset: it.pos, Msg: fmt.Sprintf("policy %q lacks required parameter %q", it.val.s, key)}
	case !ok:
		return 0, nil
	case v.kind != sfInteger:
		return 0, &SyntaxError{Field: field, Offset: v.pos, Msg: fmt.Sprintf("parameter %q must be an integer, got %s", key, v.kind)}
	case v.i < 0:
		return 0, &SyntaxError{Field: field, Offset: v.pos, Msg: fmt.Sprintf("parameter %q must not be negative", key)}
	}
	return v.i, nil
}

// seconds converts a parameter in seconds to a Duration, refusing values a Duration
// cannot hold rather than wrapping around.
func seconds(field string, it *sfItem, key string, n int64) (time.Duration, error) {
	if n > maxSeconds {
		v, _ := it.param(key)
		return 0, &SyntaxError{Field: field, Offset: v.pos, Msg: fmt.Sprintf("parameter %q overflows a time.Duration", key)}
	}
	return time.Duration(n) * time.Second, nil
}

func stringParam(field string, it *sfItem, key string, kind sfKind) (string, error) {
	v, ok := it.param(key)
	if !ok {
		return "", nil
	}
	if v.kind != kind {
		return "", &SyntaxError{Field: field, Offset: v.pos, Msg: fmt.Sprintf("parameter %q must be a %s, got %s", key, kind, v.kind)}
	}
	return v.s, nil
}

// FormatPolicy formats policies as a RateLimit-Policy value, names as strings (draft
// -10). Values the field cannot carry are clamped so that the output always parses:
// negative numbers become 0, numbers past the Structured Field range its maximum,
// windows are rounded up to whole seconds, and bytes a string cannot hold become '?'.
// Empty QuotaUnit and PartitionKey are left out.
func FormatPolicy(p ...Policy) string {
	var stack [128]byte
	b := stack[:0]
	for k := range p {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = appendString(b, p[k].Name)
		b = append(b, ";q="...)
		b = appendInt(b, p[k].Quota)
		if p[k].Window > 0 {
			b = append(b, ";w="...)
			b = appendInt(b, secondsUp(p[k].Window))
		}
		if p[k].QuotaUnit != "" {
			b = append(b, ";qu="...)
			b = appendString(b, p[k].QuotaUnit)
		}
		if p[k].PartitionKey != "" {
			b = append(b, ";pk="...)
			b = appendBytes(b, p[k].PartitionKey)
		}
	}
	return string(b)
}

// FormatLimit formats limits as a RateLimit value, clamping like FormatPolicy. A
// negative Reset (NoReset) leaves t out; a positive one is rounded up to whole
// seconds, so that a client never comes back early.
func FormatLimit(l ...Limit) string {
	var stack [128]byte
	b := stack[:0]
	for k := range l {
		if k > 0 {
			b = append(b, ", "...)
		}
		b = appendString(b, l[k].Name)
		b = append(b, ";r="...)
		b = appendInt(b, l[k].Remaining)
		if l[k].Reset >= 0 {
			b = append(b, ";t="...)
			b = appendInt(b, secondsUp(l[k].Reset))
		}
		if l[k].PartitionKey != "" {
			b = append(b, ";pk="...)
			b = appendBytes(b, l[k].PartitionKey)
		}
	}
	return string(b)
}

func appendInt(b []byte, n int64) []byte {
	n = min(max(n, 0), maxSFInteger)
	if n < 10 {
		return append(b, byte('0'+n))
	}
	var d [20]byte
	i := len(d)
	for n > 0 {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[i:]...)
}

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20 || c > 0x7e:
			b = append(b, '?')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func appendBytes(b []byte, s string) []byte {
	b = append(b, ':')
	b = base64.StdEncoding.AppendEncode(b, []byte(s))
	return append(b, ':')
}

// Agree checks the draft's rule that, when a response carries both fields,
// Retry-After does not point earlier than the reset time t of an exhausted limit
// (r=0): a client that obeys Retry-After would otherwise retry into a closed window.
// Limits with quota left or without t constrain nothing. retryAfter is compared after
// rounding up to whole seconds, since an HTTP-date converted with ParseRetryAfter
// carries the sub-second delay between sending and parsing.
func Agree(retryAfter time.Duration, limits []Limit) error {
	ra := int64(0)
	if retryAfter > 0 {
		ra = secondsUp(retryAfter)
	}
	for _, l := range limits {
		if l.Remaining != 0 || l.Reset < 0 {
			continue
		}
		if t := secondsUp(l.Reset); ra < t {
			return fmt.Errorf("ratelimit: Retry-After of %ds points earlier than t=%d of exhausted policy %q", ra, t, l.Name)
		}
	}
	return nil
}

// Legacy holds the single-valued fields of drafts up to -06.
type Legacy struct {
	Limit     int64         // RateLimit-Limit
	Remaining int64         // RateLimit-Remaining
	Reset     time.Duration // RateLimit-Reset, whole seconds
}

// ParseLegacy parses the RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
// values of drafts up to -06: each a non-negative Integer item. Parameters are
// ignored, since only the numbers are comparable across those drafts.
func ParseLegacy(limit, remaining, reset string) (Legacy, error) {
	var l Legacy
	var err error
	if l.Limit, err = legacyInt("RateLimit-Limit", limit); err != nil {
		return Legacy{}, err
	}
	if l.Remaining, err = legacyInt("RateLimit-Remaining", remaining); err != nil {
		return Legacy{}, err
	}
	n, err := legacyInt("RateLimit-Reset", reset)
	if err != nil {
		return Legacy{}, err
	}
	if n > maxSeconds {
		return Legacy{}, &SyntaxError{Field: "RateLimit-Reset", Msg: "value overflows a time.Duration"}
	}
	l.Reset = time.Duration(n) * time.Second
	return l, nil
}

func legacyInt(field, v string) (int64, error) {
	it, err := parseSFItem(field, v)
	if err != nil {
		return 0, err
	}
	if it.val.kind != sfInteger || it.val.i < 0 {
		return 0, &SyntaxError{Field: field, Offset: it.pos, Msg: "value must be a non-negative integer"}
	}
	return it.val.i, nil
}
