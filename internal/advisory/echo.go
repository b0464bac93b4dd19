package advisory

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// minEchoLen is the shortest credential looked for: a shorter one would be
// found in any text by chance (the redaction's own floor).
const minEchoLen = 4

// NothingEchoed holds every answer to carry none of the credentials its
// request was sent (plain, Base64, JSON-escaped or URL-encoded), in its
// body or its headers. It judges the values before any redaction and says
// where a leak is, never what leaked.
func NothingEchoed(answers []Exchange) results.Advisory {
	secrets := secretsOf(answers...)
	var looked int
	var evidence []string
	for i, ex := range answers {
		for _, s := range ex.Sent {
			if len(s.Value) < minEchoLen {
				continue
			}
			looked++
			if where := echoed(ex, s.Value); where != "" {
				evidence = append(evidence, contract.Redact(fmt.Sprintf("answer %d (%d): the %s it was sent is in %s", i+1, ex.Status, s.Kind, where), secrets...))
			}
		}
	}
	switch {
	case looked == 0:
		return verdict(NameNothingEchoed, results.AdvisoryNotJudged, "no answer to a request carrying a credential was recorded")
	case len(evidence) > 0:
		return verdict(NameNothingEchoed, results.AdvisoryRaised,
			fmt.Sprintf("%d answer(s) repeat a credential they were sent: it ends up in logs, caches and error pages", len(evidence)), evidence...)
	}
	return verdict(NameNothingEchoed, results.AdvisoryPassed,
		fmt.Sprintf("%d answer(s) checked for %d credential(s) sent: none repeats one", len(answers), looked))
}

// echoed says where an answer carries the secret, "" when nowhere.
func echoed(ex Exchange, secret string) string {
	forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret)), url.QueryEscape(secret)}
	if escaped, err := json.Marshal(secret); err == nil {
		forms = append(forms, string(escaped[1:len(escaped)-1]))
	}
	for _, f := range forms {
		if strings.Contains(string(ex.Body), f) {
			return "the body"
		}
		for name, values := range ex.Header {
			for _, v := range values {
				if strings.Contains(v, f) {
					return "the " + name + " header"
				}
			}
		}
	}
	return ""
}
