package ratelimit

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports where a field value stops being valid, so that a failing
// contract check can point at the offending byte instead of quoting the whole header.
type SyntaxError struct {
	Field  string // header field name, e.g. "RateLimit-Policy"
	Offset int    // byte offset into the value as given
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("ratelimit: %s: %s (at offset %d)", e.Field, e.Msg, e.Offset)
}

// The kinds of Structured Field bare items (RFC 9651 §3.3). All are parsed so that
// unknown parameters of any valid type can be skipped, as the draft requires.
type sfKind uint8

const (
	sfInteger sfKind = iota + 1
	sfDecimal
	sfString
	sfToken
	sfBytes
	sfBoolean
	sfDate
	sfDisplayString
)

var sfKindNames = [...]string{
	sfInteger:       "integer",
	sfDecimal:       "decimal",
	sfString:        "string",
	sfToken:         "token",
	sfBytes:         "byte sequence",
	sfBoolean:       "boolean",
	sfDate:          "date",
	sfDisplayString: "display string",
}

func (k sfKind) String() string { return sfKindNames[k] }

// sfBare is a parsed bare item. Only the fields its kind needs are set; decimals
// keep their text because nothing here uses their value.
type sfBare struct {
	kind sfKind
	pos  int
	i    int64  // integer, date, boolean (0 or 1)
	s    string // string, token, decoded byte sequence, decoded display string, decimal text
}

type sfParam struct {
	key string
	val sfBare
}

type sfItem struct {
	pos    int
	val    sfBare
	params []sfParam
}

// param returns the value of key. item has already merged repeated keys, the last
// value winning (RFC 9651 §4.2.3.2).
func (it *sfItem) param(key string) (sfBare, bool) {
	for _, p := range it.params {
		if p.key == key {
			return p.val, true
		}
	}
	return sfBare{}, false
}

type sfParser struct {
	field string
	s     string
	i     int
}

func (p *sfParser) errf(at int, format string, args ...any) error {
	return &SyntaxError{Field: p.field, Offset: at, Msg: fmt.Sprintf(format, args...)}
}

// describe names the byte at i for error messages.
func (p *sfParser) describe(i int) string {
	if i >= len(p.s) {
		return "end of input"
	}
	return fmt.Sprintf("%q", p.s[i])
}

func (p *sfParser) skipSP() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *sfParser) skipOWS() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// parseSFList parses a whole field value as a List of Items (RFC 9651 §4.2, §4.2.1).
// Inner lists are valid Structured Fields but meaningless in the RateLimit fields,
// so they are rejected outright.
func parseSFList(field, s string) ([]sfItem, error) {
	p := &sfParser{field: field, s: s}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return nil, p.errf(i, "non-ASCII byte %#02x", s[i])
		}
	}
	p.skipSP()
	if p.i == len(s) {
		return nil, p.errf(p.i, "empty value")
	}
	var items []sfItem
	for {
		if p.s[p.i] == '(' {
			return nil, p.errf(p.i, "inner lists are not allowed here")
		}
		it, err := p.item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		p.skipOWS()
		if p.i == len(s) {
			return items, nil
		}
		if s[p.i] != ',' {
			return nil, p.errf(p.i, "expected ',' or end of input after list member, got %s", p.describe(p.i))
		}
		p.i++
		p.skipOWS()
		if p.i == len(s) {
			return nil, p.errf(p.i, "trailing ',' in list")
		}
	}
}

// parseSFItem parses a whole field value as a single Item (RFC 9651 §4.2).
func parseSFItem(field, s string) (sfItem, error) {
	p := &sfParser{field: field, s: s}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return sfItem{}, p.errf(i, "non-ASCII byte %#02x", s[i])
		}
	}
	p.skipSP()
	if p.i == len(s) {
		return sfItem{}, p.errf(p.i, "empty value")
	}
	it, err := p.item()
	if err != nil {
		return sfItem{}, err
	}
	p.skipSP()
	if p.i != len(s) {
		return sfItem{}, p.errf(p.i, "unexpected %s after item", p.describe(p.i))
	}
	return it, nil
}

func (p *sfParser) item() (sfItem, error) {
	it := sfItem{pos: p.i}
	var err error
	if it.val, err = p.bare(); err != nil {
		return it, err
	}
	var index map[string]int // key -> position in params, once there are many
	for p.i < len(p.s) && p.s[p.i] == ';' {
		p.i++
		p.skipSP()
		at := p.i
		key, err := p.key()
		if err != nil {
			return it, err
		}
		val := sfBare{kind: sfBoolean, pos: at, i: 1}
		if p.i < len(p.s) && p.s[p.i] == '=' {
			p.i++
			if val, err = p.bare(); err != nil {
				return it, err
			}
		}
		if j := paramIndex(it.params, &index, key); j >= 0 {
			it.params[j].val = val
		} else {
			it.params = append(it.params, sfParam{key: key, val: val})
		}
	}
	return it, nil
}

// smallSet is how many entries are searched linearly before a map takes over, so that
// a hostile value with thousands of parameters or list members stays linear in time.
const smallSet = 8

// paramIndex returns where key is in params, or -1. Past smallSet entries it keeps
// *index up to date, so it must see every key appended.
func paramIndex(params []sfParam, index *map[string]int, key string) int {
	if len(params) < smallSet {
		for j := range params {
			if params[j].key == key {
				return j
			}
		}
		return -1
	}
	if *index == nil {
		*index = make(map[string]int, 2*len(params))
		for j := range params {
			(*index)[params[j].key] = j
		}
	}
	if j, ok := (*index)[key]; ok {
		return j
	}
	(*index)[key] = len(params) // the caller appends key next
	return -1
}

func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool   { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }

// isTChar reports RFC 9110 tchar.
func isTChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isBase64(c byte) bool { return isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=' }

func (p *sfParser) key() (string, error) {
	start := p.i
	if p.i >= len(p.s) || !isLCAlpha(p.s[p.i]) && p.s[p.i] != '*' {
		return "", p.errf(p.i, "expected parameter key (lowercase letter or '*'), got %s", p.describe(p.i))
	}
	p.i++
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		p.i++
	}
	return p.s[start:p.i], nil
}

func (p *sfParser) bare() (sfBare, error) {
	if p.i >= len(p.s) {
		return sfBare{}, p.errf(p.i, "expected item, got end of input")
	}
	switch c := p.s[p.i]; {
	case c == '-' || isDigit(c):
		return p.number()
	case c == '"':
		return p.str()
	case isAlpha(c) || c == '*':
		return p.token(), nil
	case c == ':':
		return p.bytes()
	case c == '?':
		return p.boolean()
	case c == '@':
		return p.date()
	case c == '%':
		return p.displayString()
	default:
		return sfBare{}, p.errf(p.i, "expected item, got %s", p.describe(p.i))
	}
}

// number implements RFC 9651 §4.2.4: at most 15 digits for an integer, 12 integer and
// 3 fractional digits for a decimal.
func (p *sfParser) number() (sfBare, error) {
	start := p.i
	neg := false
	if p.s[p.i] == '-' {
		neg = true
		p.i++
	}
	if p.i >= len(p.s) || !isDigit(p.s[p.i]) {
		return sfBare{}, p.errf(p.i, "expected digit, got %s", p.describe(p.i))
	}
	digitsStart := p.i
	var n int64
	dot := -1
digits:
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case isDigit(c):
			n = n*10 + int64(c-'0')
		case c == '.' && dot < 0:
			if p.i-digitsStart > 12 {
				return sfBare{}, p.errf(start, "decimal has more than 12 integer digits")
			}
			dot = p.i
		default:
			break digits
		}
		p.i++
		if dot < 0 && p.i-digitsStart > 15 {
			return sfBare{}, p.errf(start, "integer has more than 15 digits")
		}
		if dot >= 0 && p.i-digitsStart > 16 {
			return sfBare{}, p.errf(start, "decimal has more than 16 characters")
		}
	}
	if dot < 0 {
		if neg {
			n = -n
		}
		return sfBare{kind: sfInteger, pos: start, i: n}, nil
	}
	switch frac := p.i - dot - 1; {
	case frac == 0:
		return sfBare{}, p.errf(p.i, "decimal ends with '.'")
	case frac > 3:
		return sfBare{}, p.errf(start, "decimal has more than 3 fractional digits")
	}
	return sfBare{kind: sfDecimal, pos: start, s: p.s[start:p.i]}, nil
}

func (p *sfParser) str() (sfBare, error) {
	start := p.i
	p.i++        // opening DQUOTE
	var b []byte // unescaped text, only once an escape was seen
	plain := p.i // start of the current run without escapes
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[plain:p.i]
			if b != nil {
				s = string(append(b, s...))
			}
			p.i++
			return sfBare{kind: sfString, pos: start, s: s}, nil
		case c == '\\':
			if p.i+1 >= len(p.s) || p.s[p.i+1] != '"' && p.s[p.i+1] != '\\' {
				return sfBare{}, p.errf(p.i, "invalid escape in string: only \\\" and \\\\ are allowed")
			}
			b = append(b, p.s[plain:p.i]...)
			b = append(b, p.s[p.i+1])
			p.i += 2
			plain = p.i
		case c < 0x20 || c > 0x7e:
			return sfBare{}, p.errf(p.i, "invalid character %q in string", c)
		default:
			p.i++
		}
	}
	return sfBare{}, p.errf(start, "unterminated string")
}

func (p *sfParser) token() sfBare {
	start := p.i
	p.i++
	for p.i < len(p.s) && (isTChar(p.s[p.i]) || p.s[p.i] == ':' || p.s[p.i] == '/') {
		p.i++
	}
	return sfBare{kind: sfToken, pos: start, s: p.s[start:p.i]}
}

// bytes decodes a byte sequence. Missing '=' padding is accepted, as RFC 9651 §4.2.7
// asks of parsers; any other base64 error is not.
func (p *sfParser) bytes() (sfBare, error) {
	start := p.i
	p.i++
	for p.i < len(p.s) && p.s[p.i] != ':' {
		if !isBase64(p.s[p.i]) {
			return sfBare{}, p.errf(p.i, "invalid character %q in byte sequence", p.s[p.i])
		}
		p.i++
	}
	if p.i >= len(p.s) {
		return sfBare{}, p.errf(start, "unterminated byte sequence")
	}
	enc := strings.TrimRight(p.s[start+1:p.i], "=")
	p.i++
	dec, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil {
		return sfBare{}, p.errf(start, "invalid base64 in byte sequence")
	}
	return sfBare{kind: sfBytes, pos: start, s: string(dec)}, nil
}

func (p *sfParser) boolean() (sfBare, error) {
	start := p.i
	p.i++
	if p.i < len(p.s) && (p.s[p.i] == '0' || p.s[p.i] == '1') {
		v := int64(p.s[p.i] - '0')
		p.i++
		return sfBare{kind: sfBoolean, pos: start, i: v}, nil
	}
	return sfBare{}, p.errf(p.i, "expected '0' or '1' after '?', got %s", p.describe(p.i))
}

func (p *sfParser) date() (sfBare, error) {
	start := p.i
	p.i++
	if p.i >= len(p.s) || p.s[p.i] != '-' && !isDigit(p.s[p.i]) {
		return sfBare{}, p.errf(p.i, "expected integer after '@', got %s", p.describe(p.i))
	}
	n, err := p.number()
	if err != nil {
		return sfBare{}, err
	}
	if n.kind != sfInteger {
		return sfBare{}, p.errf(start, "date must be an integer")
	}
	return sfBare{kind: sfDate, pos: start, i: n.i}, nil
}

// displayString implements RFC 9651 §4.2.10: printable ASCII with lowercase
// %-escapes that must decode to valid UTF-8.
func (p *sfParser) displayString() (sfBare, error) {
	start := p.i
	p.i++
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return sfBare{}, p.errf(p.i, "expected '\"' after '%%', got %s", p.describe(p.i))
	}
	p.i++
	var b []byte
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c < 0x20 || c > 0x7e:
			return sfBare{}, p.errf(p.i, "invalid character %q in display string", c)
		case c == '"':
			p.i++
			if !utf8.Valid(b) {
				return sfBare{}, p.errf(start, "display string is not valid UTF-8")
			}
			return sfBare{kind: sfDisplayString, pos: start, s: string(b)}, nil
		case c == '%':
			hi, okHi := lcHex(p.s, p.i+1)
			lo, okLo := lcHex(p.s, p.i+2)
			if !okHi || !okLo {
				return sfBare{}, p.errf(p.i, "expected two lowercase hex digits after '%%' in display string")
			}
			b = append(b, hi<<4|lo)
			p.i += 3
		default:
			b = append(b, c)
			p.i++
		}
	}
	return sfBare{}, p.errf(start, "unterminated display string")
}

func lcHex(s string, i int) (byte, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch c := s[i]; {
	case isDigit(c):
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
