package ratelimit

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
)

// SyntaxError reports a field value that is not valid, naming the field and what was
// wrong, so that a failing contract check points at the problem instead of quoting
// the whole header.
type SyntaxError struct {
	Field  string // header field name, e.g. "RateLimit-Policy"
	Offset int    // byte offset into the value as given; -1 when the fault is a member's meaning, not one byte
	Msg    string
}

func (e *SyntaxError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("ratelimit: %s: %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("ratelimit: %s: %s (at offset %d)", e.Field, e.Msg, e.Offset)
}

// memberError reports a list member that parsed as a Structured Field but breaks the
// RateLimit draft's rules for it.
func memberError(field, format string, args ...any) error {
	return &SyntaxError{Field: field, Offset: -1, Msg: fmt.Sprintf(format, args...)}
}

// parseList parses a whole field value as a List of Items (RFC 9651 §4.2). Inner
// lists are valid Structured Fields but meaningless in the RateLimit fields, so they
// are refused; so is an empty value, which httpsfv reads as an empty list.
func parseList(field, v string) ([]httpsfv.Item, error) {
	if strings.Trim(v, " ") == "" {
		return nil, &SyntaxError{Field: field, Offset: len(v), Msg: "empty value"}
	}
	padded, shifts := padByteSequences(v)
	list, err := httpsfv.UnmarshalList([]string{padded})
	if err != nil {
		return nil, sfError(field, v, err, shifts)
	}
	items := make([]httpsfv.Item, len(list))
	for k, m := range list {
		it, ok := m.(httpsfv.Item)
		if !ok {
			return nil, memberError(field, "list member %d is an inner list, which is not allowed here", k+1)
		}
		items[k] = it
	}
	return items, nil
}

// sfError turns an httpsfv error into a SyntaxError on the value as given. httpsfv
// keeps the offset unexported and prints it as "character N"; shifts undoes the
// padding padByteSequences inserted before that point.
func sfError(field, v string, err error, shifts []int) error {
	msg, off := err.Error(), -1
	if i := strings.LastIndex(msg, ": character "); i >= 0 {
		if n, convErr := strconv.Atoi(msg[i+len(": character "):]); convErr == nil {
			msg, off = msg[:i], n
		}
	}
	for _, e := range sfExplained {
		if errors.Is(err, e.err) {
			msg = e.msg
			break
		}
	}
	var b64 base64.CorruptInputError
	if errors.As(err, &b64) {
		msg = "invalid byte sequence: not base64"
	}
	if off >= 0 {
		inserted := 0
		for _, at := range shifts {
			if at < off {
				inserted++
			}
		}
		off = min(off-inserted, len(v))
		msg += " near " + strconv.Quote(v[off:min(off+12, len(v))])
	}
	return &SyntaxError{Field: field, Offset: off, Msg: msg}
}

// sfExplained says in RFC 9651's terms what each httpsfv error means.
var sfExplained = []struct {
	err error
	msg string
}{
	{httpsfv.ErrInvalidListFormat, "expected ',' between list members and a member after each ','"},
	{httpsfv.ErrUnrecognizedCharacter, "expected an item"},
	{httpsfv.ErrNotDigit, "expected a digit"},
	{httpsfv.ErrUnexpectedEndOfString, "expected an item, got end of input"},
	{httpsfv.ErrInvalidKeyFormat, "expected a parameter key (a lowercase letter or '*', then lowercase letters, digits, '_', '-', '.' or '*')"},
	{httpsfv.ErrInvalidStringFormat, "invalid string: unterminated, an escape other than \\\" or \\\\, or a character that is not printable ASCII"},
	{httpsfv.ErrNumberOutOfRange, "number too long: an integer has at most 15 digits, a decimal 12 before the point and 3 after"},
	{httpsfv.ErrInvalidDecimalFormat, "invalid decimal: 1 to 3 digits must follow the point"},
	{httpsfv.ErrInvalidBooleanFormat, "invalid boolean: expected ?0 or ?1"},
	{httpsfv.ErrInvalidBinaryFormat, "invalid byte sequence: unterminated, or a character that is not base64"},
	{httpsfv.ErrInvalidDateFormat, "invalid date: expected an integer after '@'"},
	{httpsfv.ErrInvalidDisplayString, "invalid display string: expected %\"...\" with lowercase %-escapes of valid UTF-8"},
}

// padByteSequences adds the "=" padding a byte sequence left out. RFC 9651 §4.2.7 asks
// parsers not to fail on missing padding unless they cannot be configured so, and
// httpsfv decodes with base64.StdEncoding, which fails. A ':' opens a byte sequence
// only where a bare item starts (first, or after '=', ',', SP, HTAB or '('); inside a
// token or a string it opens nothing. shifts holds, for each '=' inserted, its offset
// in the result, so that error offsets can be mapped back to v.
func padByteSequences(v string) (string, []int) {
	var out []byte // nil until a sequence needs padding
	var shifts []int
	quoted, escaped, open := false, false, -1
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted:
			escaped, quoted = !escaped && c == '\\', escaped || c != '"'
		case open >= 0 && c == ':':
			if n := (i - open - 1) % 4; n != 0 {
				if out == nil {
					out = append(make([]byte, 0, len(v)+3), v[:i]...)
				}
				for range 4 - n {
					shifts = append(shifts, len(out))
					out = append(out, '=')
				}
			}
			open = -1
		case open >= 0: // inside a byte sequence
		case c == '"':
			quoted = true
		case c == ':' && (i == 0 || strings.IndexByte("=, \t(", v[i-1]) >= 0):
			open = i
		}
		if out != nil {
			out = append(out, v[i])
		}
	}
	if out == nil {
		return v, nil
	}
	return string(out), shifts
}

// kindName names the Structured Field type of a bare item httpsfv returns.
func kindName(v any) string {
	switch v.(type) {
	case int64:
		return "integer"
	case float64:
		return "decimal"
	case string:
		return "string"
	case httpsfv.Token:
		return "token"
	case []byte:
		return "byte sequence"
	case bool:
		return "boolean"
	case time.Time:
		return "date"
	case httpsfv.DisplayString:
		return "display string"
	}
	return fmt.Sprintf("%T", v)
}
