package contract

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tape is a JSON text read once into a flat list of values, so compiled
// schemas can look at one value as often as oneOf, anyOf and not ask without
// decoding the body into maps. It takes exactly the texts encoding/json's
// Unmarshal into an any takes, which is how the kin-openapi path reads a
// body; a fuzz test holds the two together.
type tape struct {
	text string
	vals []jsonValue
	open []int32 // containers not yet closed, innermost last
}

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// jsonValue is one value of a tape. An object's members follow it as key,
// value, key, value; an array's items follow it.
type jsonValue struct {
	kind  jsonKind
	plain bool  // a string whose text between the quotes is its value: no escape, valid UTF-8
	start int32 // its first byte, the quote of a string
	end   int32 // past its last byte
	next  int32 // the index after it and everything in it
	count int32 // members of an object, items of an array
}

// read fills the tape from text. It is false where Unmarshal fails: bad
// syntax, nesting deeper than encoding/json allows, or a number beyond
// float64.
func (t *tape) read(text string) bool {
	t.text, t.vals, t.open = text, t.vals[:0], t.open[:0]
	if len(text) >= math.MaxInt32 {
		return false
	}
	i := 0
	for {
		i = skipSpace(text, i)
		if i == len(text) {
			return false
		}
		if n := len(t.open); n > 0 {
			t.vals[t.open[n-1]].count++
		}
		ok := true
		switch c := text[i]; c {
		case '{', '[':
			if len(t.open) == maxJSONDepth {
				return false
			}
			kind, closer := jsonArray, byte(']')
			if c == '{' {
				kind, closer = jsonObject, '}'
			}
			t.open = append(t.open, int32(len(t.vals)))
			t.vals = append(t.vals, jsonValue{kind: kind, start: int32(i)})
			if i = skipSpace(text, i+1); i < len(text) && text[i] == closer {
				break // empty: closed below
			}
			if kind == jsonObject {
				if i, ok = t.key(text, i); !ok {
					return false
				}
			}
			continue
		case '"':
			i, ok = t.readString(text, i)
		case 't':
			i, ok = t.literal(text, i, "true", jsonBool)
		case 'f':
			i, ok = t.literal(text, i, "false", jsonBool)
		case 'n':
			i, ok = t.literal(text, i, "null", jsonNull)
		default:
			i, ok = t.number(text, i)
		}
		if !ok {
			return false
		}
		// After a value, or at the end of an empty container: close
		// containers until a comma asks for the next value.
		for next := false; !next; {
			i = skipSpace(text, i)
			if len(t.open) == 0 {
				return i == len(text)
			}
			if i == len(text) {
				return false
			}
			top := &t.vals[t.open[len(t.open)-1]]
			switch c := text[i]; {
			case c == ',' && top.kind == jsonObject:
				if i, ok = t.key(text, skipSpace(text, i+1)); !ok {
					return false
				}
				next = true
			case c == ',':
				i++
				next = true
			case c == '}' && top.kind == jsonObject, c == ']' && top.kind == jsonArray:
				top.end, top.next = int32(i+1), int32(len(t.vals))
				t.open = t.open[:len(t.open)-1]
				i++
			default:
				return false
			}
		}
	}
}

func skipSpace(text string, i int) int {
	for i < len(text) {
		switch text[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// key reads an object member's name and its colon.
func (t *tape) key(text string, i int) (int, bool) {
	if i == len(text) || text[i] != '"' {
		return i, false
	}
	i, ok := t.readString(text, i)
	if i = skipSpace(text, i); !ok || i == len(text) || text[i] != ':' {
		return i, false
	}
	return i + 1, true
}

func (t *tape) add(kind jsonKind, start, end int, plain bool) {
	n := int32(len(t.vals))
	t.vals = append(t.vals, jsonValue{kind: kind, plain: plain, start: int32(start), end: int32(end), next: n + 1})
}

func (t *tape) literal(text string, i int, word string, kind jsonKind) (int, bool) {
	if !strings.HasPrefix(text[i:], word) {
		return i, false
	}
	t.add(kind, i, i+len(word), false)
	return i + len(word), true
}

func (t *tape) readString(text string, i int) (int, bool) {
	start, plain, ascii := i, true, true
	for i++; i < len(text); {
		if !stopsString[text[i]] {
			i++
			continue
		}
		switch c := text[i]; {
		case c == '"':
			if !ascii && plain {
				plain = utf8.ValidString(text[start+1 : i])
			}
			t.add(jsonString, start, i+1, plain)
			return i + 1, true
		case c == '\\':
			plain = false
			if i+1 == len(text) {
				return i, false
			}
			switch text[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(text) || !isHex(text[i+2:i+6]) {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20:
			return i, false
		default:
			ascii = false
			i++
		}
	}
	return i, false
}

// stopsString marks the bytes a string's scan looks at: the quote, the
// backslash, control characters and non-ASCII bytes.
var stopsString = func() (stops [256]bool) {
	for c := range stops {
		stops[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return stops
}()

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; !('0' <= s[i] && s[i] <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// number reads a number as RFC 8259 writes it. One that could overflow
// float64 (an exponent, or more digits than any float64 has) is parsed here,
// as Unmarshal fails on it.
func (t *tape) number(text string, i int) (int, bool) {
	start, long := i, false
	if i < len(text) && text[i] == '-' {
		i++
	}
	switch {
	case i < len(text) && text[i] == '0':
		i++
	case i < len(text) && '1' <= text[i] && text[i] <= '9':
		i = skipDigits(text, i)
	default:
		return i, false
	}
	if i < len(text) && text[i] == '.' {
		if i++; i == len(text) || !isDigit(text[i]) {
			return i, false
		}
		i = skipDigits(text, i)
	}
	if i < len(text) && (text[i] == 'e' || text[i] == 'E') {
		long = true
		if i++; i < len(text) && (text[i] == '+' || text[i] == '-') {
			i++
		}
		if i == len(text) || !isDigit(text[i]) {
			return i, false
		}
		i = skipDigits(text, i)
	}
	if long || i-start > 300 {
		if _, err := strconv.ParseFloat(text[start:i], 64); err != nil {
			return i, false
		}
	}
	t.add(jsonNumber, start, i, false)
	return i, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func skipDigits(text string, i int) int {
	for i < len(text) && isDigit(text[i]) {
		i++
	}
	return i
}

// raw is the text of value i.
func (t *tape) raw(i int32) string { return t.text[t.vals[i].start:t.vals[i].end] }

// str is the value of string i as Unmarshal decodes it.
func (t *tape) str(i int32) string {
	v := &t.vals[i]
	if v.plain {
		return t.text[v.start+1 : v.end-1]
	}
	var s string
	_ = json.Unmarshal([]byte(t.raw(i)), &s) // cannot fail: read checked it
	return s
}

// float is the value of number i as Unmarshal decodes it.
func (t *tape) float(i int32) float64 {
	f, _ := strconv.ParseFloat(t.raw(i), 64) // cannot fail: read checked it
	return f
}
