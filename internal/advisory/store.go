package advisory

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"loginharness/internal/results"
)

// CredentialsNotStored holds every 200 that carries a token (a non-empty
// token or authToken member, at any depth) to Cache-Control: no-store:
// RFC 9111 forbids a cache to keep such an answer only then, and RFC 6749
// section 5.1 requires it of token answers.
func CredentialsNotStored(answers []Exchange) results.Advisory {
	var judged int
	var evidence []string
	for i, ex := range answers {
		if ex.Status != http.StatusOK || !carriesToken(ex.Body) {
			continue
		}
		judged++
		if !hasDirective(ex.Header.Values("Cache-Control"), "no-store") {
			got := strings.Join(ex.Header.Values("Cache-Control"), ", ")
			if got == "" {
				got = "no Cache-Control"
			}
			evidence = append(evidence, fmt.Sprintf("answer %d (200 with a token): %s", i+1, got))
		}
	}
	switch {
	case judged == 0:
		return verdict(NameNotStored, results.AdvisoryNotJudged, "no 200 answer carried a token, so no credential answer was seen")
	case len(evidence) > 0:
		return verdict(NameNotStored, results.AdvisoryRaised,
			fmt.Sprintf("%d of %d answers carrying a token lack Cache-Control: no-store: a shared or browser cache may keep the token", len(evidence), judged), evidence...)
	}
	return verdict(NameNotStored, results.AdvisoryPassed, fmt.Sprintf("%d answer(s) carrying a token, each with Cache-Control: no-store", judged))
}

// hasDirective tells whether Cache-Control field values hold a directive.
func hasDirective(values []string, directive string) bool {
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			name, _, _ := strings.Cut(item, "=")
			if strings.EqualFold(strings.TrimSpace(name), directive) {
				return true
			}
		}
	}
	return false
}

// carriesToken tells whether a JSON body holds a non-empty string member
// named token or authToken, at any depth.
func carriesToken(body []byte) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch t := v.(type) {
		case map[string]any:
			for k, member := range t {
				if s, ok := member.(string); ok && s != "" && (strings.EqualFold(k, "token") || strings.EqualFold(k, "authToken")) {
					return true
				}
				if walk(member) {
					return true
				}
			}
		case []any:
			for _, item := range t {
				if walk(item) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
