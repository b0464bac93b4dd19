package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/internal/contract/finding"
)

// Check names the kind of contract a finding says was broken.
type Check = finding.Check

// The checks a finding can report.
const (
	CheckOperation        = finding.CheckOperation
	CheckStatusDocumented = finding.CheckStatusDocumented
	CheckContentType      = finding.CheckContentType
	CheckHeader           = finding.CheckHeader
	CheckSchema           = finding.CheckSchema
	CheckVariant          = finding.CheckVariant
	CheckRequest          = finding.CheckRequest
)

// Finding is one way an exchange breaks the contract (finding.Finding).
type Finding = finding.Finding

// appendSchemaFindings turns kin-openapi's schema errors into one finding
// each, below pointer prefix.
func appendSchemaFindings(findings []Finding, err error, check Check, prefix string) []Finding {
	for _, e := range leafErrors(err) {
		findings = append(findings, schemaFinding(e, check, prefix))
	}
	return findings
}

// leafErrors lists the schema errors within err, opening MultiErrors, the
// wrappers of openapi3filter and allOf groups; a oneOf stays one error, as
// its members' errors only make sense per variant.
func leafErrors(err error) []*openapi3.SchemaError {
	switch e := err.(type) {
	case nil:
		return nil
	case openapi3.MultiError:
		var out []*openapi3.SchemaError
		for _, inner := range e {
			out = append(out, leafErrors(inner)...)
		}
		return out
	case *openapi3.SchemaError:
		var inner openapi3.MultiError
		if e.SchemaField == "allOf" && errors.As(e.Origin, &inner) {
			return leafErrors(inner)
		}
		return []*openapi3.SchemaError{e}
	}
	return leafErrors(errors.Unwrap(err))
}

func maxDepth(errs []*openapi3.SchemaError) int {
	depth := 0
	for _, e := range errs {
		depth = max(depth, len(e.JSONPointer()))
	}
	return depth
}

// schemaFinding describes one schema error in words of the schema, never
// with kin-openapi's full message, which dumps schema and value.
func schemaFinding(e *openapi3.SchemaError, check Check, prefix string) Finding {
	path := e.JSONPointer()
	f := Finding{Check: check, Pointer: prefix + pointerOf(path), Message: e.Reason}
	if f.Message == "" {
		f.Message = fmt.Sprintf("breaks the %q keyword", e.SchemaField)
	}
	if e.SchemaField == "not" {
		f.Message = "matches the schema under \"not\", which it must not"
	}
	secret := isSecretPath(prefix, path)
	switch e.SchemaField {
	case "required":
		f.Expected, f.Actual = "present", "missing"
	case "properties":
		if key, ok := unsupportedProperty(e.Reason); ok {
			f.Pointer += "/" + escapePointer(key)
		}
		f.Expected, f.Actual = "only the declared properties", "undeclared property"
	case "type":
		f.Expected, f.Actual = "type "+typeNames(e.Schema), describe(e.Value, secret)
	case "oneOf":
		if check == CheckSchema {
			f.Check = CheckVariant
		}
		var names []string
		if e.Schema != nil {
			for i, ref := range e.Schema.OneOf {
				names = append(names, memberName(ref, i))
			}
		}
		f.Expected, f.Actual = "exactly one of "+strings.Join(names, ", "), describe(e.Value, secret)
	default:
		f.Expected, f.Actual = keyword(e.Schema, e.SchemaField), describe(e.Value, secret)
	}
	return f
}

// unsupportedProperty reads the key from kin-openapi's reason for an
// undeclared property, `property "x" is unsupported`.
func unsupportedProperty(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	quoted, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return "", false
	}
	key, err := strconv.Unquote(quoted)
	return key, err == nil
}

func typeNames(s *openapi3.Schema) string {
	if s == nil || s.Type == nil {
		return "any"
	}
	names := slices.Clone(s.Type.Slice())
	if s.Nullable {
		names = append(names, "null")
	}
	return strings.Join(names, " or ")
}

// keyword renders the schema keyword that failed with its value, as the
// spec writes it: "pattern ^QSDK ", "minLength 1", `not {"anyOf":...}`.
func keyword(s *openapi3.Schema, name string) string {
	raw, err := json.Marshal(s)
	if err != nil {
		return name
	}
	var keywords map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keywords); err != nil || keywords[name] == nil {
		return name
	}
	var text string
	if err := json.Unmarshal(keywords[name], &text); err == nil {
		return name + " " + text
	}
	return name + " " + string(keywords[name])
}

// describe names a JSON value's type and, for scalars, the value itself.
func describe(v any, secret bool) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean " + strconv.FormatBool(v)
	case []any:
		return "array of " + plural(len(v), "item")
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		if len(keys) > 8 {
			keys = append(keys[:8], "…")
		}
		return "object with keys " + strings.Join(keys, ", ")
	case float64:
		if secret {
			return "number " + redacted
		}
		return "number " + strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		if secret {
			return "string " + redacted
		}
		return "string " + strconv.Quote(truncate(v, 80))
	}
	if secret {
		return redacted
	}
	return truncate(fmt.Sprint(v), 80)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if i > n {
			break
		}
		cut = i
	}
	return s[:cut] + "…"
}

// pointerOf writes a JSON pointer (RFC 6901) from its reference tokens.
func pointerOf(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}

func escapePointer(token string) string {
	return strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
}

// isSecretPath tells whether a value lies under a name that holds secrets,
// in the prefix ("/headers/Authorization") or in the body path.
func isSecretPath(prefix string, path []string) bool {
	for token := range strings.SplitSeq(prefix, "/") {
		if isSecretName(token) {
			return true
		}
	}
	return slices.ContainsFunc(path, isSecretName)
}
