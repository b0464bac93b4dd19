package ratelimit

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/dunglas/httpsfv"
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
	items, names, err := parseMembers(fieldPolicy, v)
	if err != nil {
		return nil, err
	}
	out := make([]Policy, len(items))
	for k, it := range items {
		p := param{field: fieldPolicy, policy: names[k], params: it.Params}
		out[k] = Policy{Name: names[k], Quota: p.count("q", true), Window: p.seconds("w", false),
			QuotaUnit: p.str("qu"), PartitionKey: p.bytes("pk")}
		if p.err != nil {
			return nil, p.err
		}
	}
	return out, nil
}

// ParseLimit parses a RateLimit field value: a non-empty List whose items are strings
// or tokens with r (required), t and pk parameters. Other parameters are ignored; a
// name may appear only once.
func ParseLimit(v string) ([]Limit, error) {
	items, names, err := parseMembers(fieldLimit, v)
	if err != nil {
		return nil, err
	}
	out := make([]Limit, len(items))
	for k, it := range items {
		p := param{field: fieldLimit, policy: names[k], params: it.Params}
		out[k] = Limit{Name: names[k], Remaining: p.count("r", true), Reset: NoReset, PartitionKey: p.bytes("pk")}
		if _, ok := it.Params.Get("t"); ok {
			out[k].Reset = p.seconds("t", true)
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return out, nil
}

// parseMembers parses a RateLimit or RateLimit-Policy value into its members and the
// policy name of each, refusing a member that is no string or token and a name
// already seen: the draft allows one item per policy.
func parseMembers(field, v string) ([]httpsfv.Item, []string, error) {
	items, err := parseList(field, v)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(items))
	seen := make(map[string]bool, len(items))
	for k, it := range items {
		switch name := it.Value.(type) {
		case string:
			names[k] = name
		case httpsfv.Token:
			names[k] = string(name)
		default:
			return nil, nil, memberError(field, "list member %d must be a string or token naming the policy, got %s", k+1, kindName(name))
		}
		if seen[names[k]] {
			return nil, nil, memberError(field, "policy %q appears more than once", names[k])
		}
		seen[names[k]] = true
	}
	return items, names, nil
}

// param reads the parameters of one policy's item, keeping the first error so that a
// caller can read every parameter and check once.
type param struct {
	field, policy string
	params        *httpsfv.Params
	err           error
}

func (p *param) fail(format string, args ...any) {
	if p.err == nil {
		p.err = memberError(p.field, "policy %q: "+format, append([]any{p.policy}, args...)...)
	}
}

// count returns non-negative integer parameter key; 0 if it is absent and optional.
func (p *param) count(key string, required bool) int64 {
	v, ok := p.params.Get(key)
	n, isInt := v.(int64)
	switch {
	case !ok && required:
		p.fail("lacks required parameter %q", key)
	case !ok:
	case !isInt:
		p.fail("parameter %q must be an integer, got %s", key, kindName(v))
	case n < 0:
		p.fail("parameter %q must not be negative", key)
	default:
		return n
	}
	return 0
}

// seconds reads count key as whole seconds, refusing values a Duration cannot hold
// rather than wrapping around.
func (p *param) seconds(key string, required bool) time.Duration {
	n := p.count(key, required)
	if n > maxSeconds {
		p.fail("parameter %q overflows a time.Duration", key)
		return 0
	}
	return time.Duration(n) * time.Second
}

// str returns String parameter key, "" when absent.
func (p *param) str(key string) string {
	v, ok := p.params.Get(key)
	s, isString := v.(string)
	if ok && !isString {
		p.fail("parameter %q must be a string, got %s", key, kindName(v))
	}
	return s
}

// bytes returns Byte Sequence parameter key as raw bytes, "" when absent.
func (p *param) bytes(key string) string {
	v, ok := p.params.Get(key)
	b, isBytes := v.([]byte)
	if ok && !isBytes {
		p.fail("parameter %q must be a byte sequence, got %s", key, kindName(v))
	}
	return string(b)
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
