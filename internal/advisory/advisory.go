// Package advisory judges what a login owes its users beyond its contract
// (no account enumeration by answer or by timing, credential answers never
// stored, nothing echoed, passwords only over TLS, a lock after repeated
// failures): recorded exchanges in, results.Advisory out, with no I/O.
package advisory

import (
	"fmt"
	"net/http"
	"time"

	"loginharness/internal/results"
)

// Exchange is one recorded answer to a sign-in, as the suite saw it, before
// any redaction: judging needs the secrets it was sent.
type Exchange struct {
	Status   int
	Header   http.Header
	Body     []byte
	Duration time.Duration // from sending to the end of the body
	Sent     []Secret      // the credentials the request carried
}

// Secret is a credential a request carried, and what it is ("password",
// "token"), so an advisory can say what leaked without saying its value.
type Secret struct {
	Kind, Value string
}

// The advisories, by name.
const (
	NameEnumerationByAnswer = "enumeration-by-answer"
	NameEnumerationByTiming = "enumeration-by-timing"
	NameNotStored           = "credential-answers-not-stored"
	NameNothingEchoed       = "nothing-echoed"
	NameOverTLS             = "passwords-only-over-tls"
	NameLocks               = "account-locks"
)

// Titles says in one line what each advisory holds a login to.
var Titles = map[string]string{
	NameEnumerationByAnswer: "A wrong password and an unknown account get the same answer",
	NameEnumerationByTiming: "A wrong password and an unknown account take the same time",
	NameNotStored:           "Credential answers say Cache-Control: no-store",
	NameNothingEchoed:       "No answer carries the password or token it was sent",
	NameOverTLS:             "Passwords travel only over TLS",
	NameLocks:               "An account locks after repeated wrong passwords",
}

var references = map[string][]string{
	NameEnumerationByAnswer: {"OWASP ASVS 4.0 V2.2.1", "OWASP Authentication Cheat Sheet: authentication and error messages"},
	NameEnumerationByTiming: {"OWASP ASVS 4.0 V2.2.1", "OWASP Authentication Cheat Sheet: authentication and error messages"},
	NameNotStored:           {"RFC 9111 section 5.2.2.5", "RFC 6749 section 5.1"},
	NameNothingEchoed:       {"OWASP ASVS 4.0 V8.3"},
	NameOverTLS:             {"RFC 9110 section 4.2.2", "OWASP ASVS 4.0 V9.1.1"},
	NameLocks:               {"OWASP ASVS 4.0 V2.2.1", "NIST SP 800-63B section 5.2.2"},
}

// maxEvidence is how many pieces of evidence an advisory keeps: the
// message counts them all, the first few show where.
const maxEvidence = 6

// verdict starts an advisory of the given name.
func verdict(name string, state results.AdvisoryState, message string, evidence ...string) results.Advisory {
	if len(evidence) > maxEvidence {
		evidence = append(evidence[:maxEvidence:maxEvidence], fmt.Sprintf("... and %d more", len(evidence)-maxEvidence))
	}
	return results.Advisory{Name: name, Title: Titles[name], State: state, Message: message, Evidence: evidence, References: references[name]}
}

// secretsOf lists every value the exchanges were sent, for redaction.
func secretsOf(exchanges ...Exchange) []string {
	var out []string
	for _, ex := range exchanges {
		for _, s := range ex.Sent {
			out = append(out, s.Value)
		}
	}
	return out
}

// NotJudged is the named advisory, not judged for the reason given.
func NotJudged(name, why string) results.Advisory {
	return verdict(name, results.AdvisoryNotJudged, why)
}
