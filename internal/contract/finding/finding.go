// Package finding holds what a contract check reports and how secrets are
// scrubbed from text: the contract's vocabulary without its HTTP and
// OpenAPI machinery, so results and the pure judging that import it pull
// in no HTTP client. It stands apart from internal/contract, which
// re-exports each name, for that reason alone.
package finding

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// Check names the kind of contract a finding says was broken.
type Check string

// The checks a finding can report.
const (
	CheckOperation        Check = "operation"         // no documented operation for method+path
	CheckStatusDocumented Check = "status_documented" // undocumented status code
	CheckContentType      Check = "content_type"
	CheckHeader           Check = "header"  // missing required header / bad format (Retry-After etc.)
	CheckSchema           Check = "schema"  // body does not match (pointer says where)
	CheckVariant          Check = "variant" // oneOf body matched no variant or more than one
	CheckRequest          Check = "request" // request-side problems (ValidateRequest)
)

// Finding is one way an exchange breaks the contract. Pointer is a JSON
// pointer into the body ("/data/authToken"), or into the headers
// ("/headers/Retry-After") or query ("/query/orgId"). No field holds a secret.
type Finding struct {
	Check    Check  `json:"check"`
	Pointer  string `json:"pointer,omitempty"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Message  string `json:"message"`
}

// Redacted returns f with each known secret, and its Base64 forms, replaced
// in every field (see Redact).
func (f Finding) Redacted(secrets ...string) Finding {
	f.Pointer = Redact(f.Pointer, secrets...)
	f.Expected = Redact(f.Expected, secrets...)
	f.Actual = Redact(f.Actual, secrets...)
	f.Message = Redact(f.Message, secrets...)
	return f
}

// RedactedText is what replaces every secret value.
const RedactedText = "[REDACTED]"

// minSecretLen is the shortest secret Redact replaces: a shorter one would
// garble every word that contains it, and no real credential is that short.
const minSecretLen = 4

// Redact replaces in s each known secret, its Base64, its JSON-escaped form
// and, when the secret is itself Base64 (Commvault's passwords), the text it
// encodes. Secrets shorter than minSecretLen bytes are left alone.
func Redact(s string, secrets ...string) string {
	var forms []string
	for _, secret := range secrets {
		if len(secret) < minSecretLen {
			continue
		}
		forms = append(forms, secret, base64.StdEncoding.EncodeToString([]byte(secret)))
		if escaped, err := json.Marshal(secret); err == nil {
			forms = append(forms, string(escaped[1:len(escaped)-1]))
		}
		if plain, err := base64.StdEncoding.DecodeString(secret); err == nil && len(plain) >= minSecretLen && utf8.Valid(plain) {
			forms = append(forms, string(plain))
		}
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	for _, form := range slices.Compact(forms) {
		s = strings.ReplaceAll(s, form, RedactedText)
	}
	return s
}

// SpecID names the spec one API is checked against, as a run records it.
type SpecID struct {
	API, File, Version, SHA256 string
}
