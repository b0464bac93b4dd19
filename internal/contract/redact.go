package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"

	"loginharness/internal/contract/finding"
)

const redacted = finding.RedactedText

// isSecretName tells whether a JSON key or header name holds a credential:
// password, token, authToken, Authtoken, Authorization, cookies and the like.
func isSecretName(name string) bool {
	switch {
	case strings.EqualFold(name, "authorization"), strings.EqualFold(name, "proxy-authorization"),
		strings.EqualFold(name, "cookie"), strings.EqualFold(name, "set-cookie"):
		return true
	}
	return hasSuffixFold(name, "password") || hasSuffixFold(name, "token")
}

// hasSuffixFold is strings.HasSuffix under Unicode case folding, without
// the copy strings.ToLower makes: it runs on every header of every load
// result.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// RedactJSON replaces the value of every secret key (password, token,
// authToken, Authtoken, ...) with "[REDACTED]", keeping the layout of the
// rest. Broken or truncated JSON is redacted too, on a best-effort scan. It
// returns body itself when there is nothing to redact.
func RedactJSON(body []byte) []byte {
	spans := secretSpans(body)
	if len(spans) == 0 {
		return body
	}
	out := make([]byte, 0, len(body))
	last := 0
	for _, s := range spans {
		out = append(out, body[last:s.start]...)
		out = append(out, `"`+redacted+`"`...)
		last = s.end
	}
	return append(out, body[last:]...)
}

// RedactHeader returns a copy of h with the values of Authorization,
// Proxy-Authorization, Authtoken, Cookie, Set-Cookie and other secret
// headers replaced; an authorization scheme such as "Bearer" stays
// readable. It returns h itself when no header is secret, as most answers
// are: a copy would cost the load path more than validating them.
func RedactHeader(h http.Header) http.Header {
	secret := false
	for name := range h {
		if isSecretName(name) {
			secret = true
			break
		}
	}
	if !secret {
		return h
	}
	out := h.Clone()
	for name, values := range out {
		if !isSecretName(name) {
			continue
		}
		lower := strings.ToLower(name)
		for i, v := range values {
			scheme, _, ok := strings.Cut(strings.TrimSpace(v), " ")
			if ok && strings.HasSuffix(lower, "authorization") {
				values[i] = scheme + " " + redacted
			} else {
				values[i] = redacted
			}
		}
	}
	return out
}

// Redact replaces in s each known secret, its Base64, its JSON-escaped form
// and, when the secret is itself Base64, the text it encodes
// (finding.Redact).
func Redact(s string, secrets ...string) string { return finding.Redact(s, secrets...) }

// redactFindings sweeps every secret of the exchange out of the findings.
// Expected comes from the spec, never from the exchange, so it is left as is.
func redactFindings(findings []Finding, ex *Exchange) []Finding {
	if len(findings) == 0 {
		return nil
	}
	secrets := exchangeSecrets(ex)
	for i := range findings {
		findings[i].Actual = Redact(findings[i].Actual, secrets...)
		findings[i].Message = Redact(findings[i].Message, secrets...)
	}
	return findings
}

// exchangeSecrets collects the credentials an exchange carries: secret
// header values (and the token after "Bearer ") and secret JSON values.
func exchangeSecrets(ex *Exchange) []string {
	var secrets []string
	for _, h := range []http.Header{ex.RequestHeader, ex.Header} {
		for name, values := range h {
			if !isSecretName(name) {
				continue
			}
			for _, v := range values {
				secrets = append(secrets, v)
				if _, token, ok := strings.Cut(strings.TrimSpace(v), " "); ok {
					secrets = append(secrets, strings.TrimSpace(token))
				}
			}
		}
	}
	for _, body := range [][]byte{ex.RequestBody, ex.Body} {
		for _, s := range secretSpans(body) {
			raw := body[s.start:s.end]
			var text string
			if err := json.Unmarshal(raw, &text); err != nil {
				text = strings.Trim(string(raw), `"`)
			}
			secrets = append(secrets, text)
		}
	}
	return secrets
}

// span is where a secret value sits in a body, as byte offsets.
type span struct{ start, end int }

// secretSpans finds the values of secret keys in a JSON body, exactly when
// the body is JSON and by a lenient scan when it is not.
func secretSpans(body []byte) []span {
	if len(body) == 0 {
		return nil
	}
	if spans, err := jsonSecretSpans(body); err == nil {
		return spans
	}
	var spans []span
	for _, m := range looseSecret.FindAllSubmatchIndex(body, -1) {
		spans = append(spans, span{m[2], m[3]})
	}
	return spans
}

// looseSecret matches `"secret-key": value` in text that is not valid JSON,
// such as a truncated excerpt; the value may lack its closing quote.
var looseSecret = regexp.MustCompile(`(?i)"(?:[^"\\]*(?:password|token)|authorization|proxy-authorization|cookie|set-cookie)"\s*:\s*("(?:[^"\\]|\\.)*"?|[^\s,}\]]+)`)

var errTrailingData = errors.New("data after the JSON value")

func jsonSecretSpans(body []byte) ([]span, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var spans []span
	if err := walkJSON(dec, body, &spans, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errTrailingData
	}
	return spans, nil
}

// maxJSONDepth bounds the nesting walkJSON follows, as encoding/json bounds
// its own, so a hostile body cannot exhaust the stack.
const maxJSONDepth = 10000

var errTooDeep = errors.New("JSON nested too deep")

// walkJSON reads one value from dec and records the spans of secret values
// within it.
func walkJSON(dec *json.Decoder, body []byte, spans *[]span, depth int) error {
	if depth > maxJSONDepth {
		return errTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	for dec.More() {
		if delim == '{' {
			key, err := dec.Token()
			if err != nil {
				return err
			}
			if name, _ := key.(string); isSecretName(name) {
				start := valueStart(body, int(dec.InputOffset()))
				var inner []span
				if err := walkJSON(dec, body, &inner, depth+1); err != nil {
					return err
				}
				*spans = append(*spans, span{start, int(dec.InputOffset())})
				continue
			}
		}
		if err := walkJSON(dec, body, spans, depth+1); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// valueStart skips the colon and blanks between a key and its value.
func valueStart(body []byte, offset int) int {
	for offset < len(body) && strings.IndexByte(": \t\r\n", body[offset]) >= 0 {
		offset++
	}
	return offset
}
