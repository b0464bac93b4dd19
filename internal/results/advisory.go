package results

import (
	"fmt"
	"strings"

	"loginharness/internal/contract/finding"
)

// AdvisoryEntry is the name of the Ginkgo report entry that carries an
// Advisory. A spec that carries one judged what a login owes its users
// beyond its contract; its own state (passed, or skipped when not judged)
// stays green when the advisory is raised, unless the run gates on
// advisories (Advisory.Gated), so the contract verdict is never touched.
const AdvisoryEntry = "harness.advisory"

// LabelAdvisory labels the advisory specs; LabelSacrificial the specs that
// spend wrong passwords on an account the team agreed may be locked.
const (
	LabelAdvisory    = "advisory"
	LabelSacrificial = "sacrificial"
)

// NoteEntry is the name of a Ginkgo report entry whose value is one
// sentence on what a spec that ran did not judge, e.g. a lockout field the
// server does not send: a pass with notes is a partial judgement.
const NoteEntry = "harness.note"

// AdvisoryState is the outcome of one advisory.
type AdvisoryState string

// The states of an advisory.
const (
	AdvisoryPassed    AdvisoryState = "passed"     // judged, and the login keeps the practice
	AdvisoryRaised    AdvisoryState = "raised"     // judged, and the login breaks it
	AdvisoryNotJudged AdvisoryState = "not-judged" // not judged here; Message says why and what would let it be
)

// Advisory is one judged practice of a login, kept apart from the contract
// verdicts. Every string in it is redacted.
type Advisory struct {
	Name      string        `json:"name"`  // stable identifier, e.g. "enumeration-by-answer"
	Title     string        `json:"title"` // what the advisory holds the login to, one line
	API       string        `json:"api"`
	Target    string        `json:"target"`    // TargetMock or TargetLive
	TargetURL string        `json:"targetUrl"` // base URL
	State     AdvisoryState `json:"state"`
	Message   string        `json:"message"`            // why this state, one or two sentences
	Evidence  []string      `json:"evidence,omitempty"` // what differed, leaked or was missing
	// References are the documents the practice comes from, e.g. "RFC 9111 section 5.2.2.5".
	References []string `json:"references,omitempty"`
	// WrongPasswords counts the wrong-password sign-ins the check spent on
	// the sacrificial account; Cap is the run's limit for that account, 0
	// where none applies (the timing check on the mock's demo account).
	WrongPasswords int `json:"wrongPasswords"`
	Cap            int `json:"cap,omitempty"`
	// Gated is set when the run was asked to fail on a raised advisory
	// (HARNESS_ADVISORIES_GATE): then a raised one failed its spec.
	Gated  bool    `json:"gated,omitempty"`
	Timing *Timing `json:"timing,omitempty"`
}

// Timing is the two-sample comparison behind the timing advisory, both
// samples kept for drawing.
type Timing struct {
	ExistingMS []float64 `json:"existingMs"` // wrong password of an existing account, in sending order
	UnknownMS  []float64 `json:"unknownMs"`  // any password of an unknown account
	// U is the Mann-Whitney U of the existing-account sample; P its
	// two-sided p-value (normal approximation with tie and continuity
	// correction).
	U float64 `json:"u"`
	P float64 `json:"p"`
	// CliffsDelta is P(existing > unknown) - P(existing < unknown), -1 to 1;
	// CommonLanguage is P(existing > unknown) + half the ties, 0 to 1.
	CliffsDelta    float64 `json:"cliffsDelta"`
	CommonLanguage float64 `json:"commonLanguage"`
	// MedianExistingMS and MedianUnknownMS are the samples' medians.
	MedianExistingMS float64 `json:"medianExistingMs"`
	MedianUnknownMS  float64 `json:"medianUnknownMs"`
	// The thresholds a raise needs to meet, all three.
	Alpha           float64 `json:"alpha"`
	MinCliffsDelta  float64 `json:"minCliffsDelta"`
	MinDifferenceMS float64 `json:"minDifferenceMs"`
}

// String is the advisory as Ginkgo's console shows its report entry:
// "raised: <title> (<api>, <target>): <message>", then the evidence.
func (a Advisory) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (%s, %s): %s", a.State, a.Title, a.API, a.Target, a.Message)
	switch {
	case a.WrongPasswords > 0 && a.Cap > 0:
		fmt.Fprintf(&b, " [%d wrong password(s) of a cap of %d]", a.WrongPasswords, a.Cap)
	case a.WrongPasswords > 0:
		fmt.Fprintf(&b, " [%d wrong password(s), uncapped on the mock]", a.WrongPasswords)
	}
	for _, e := range a.Evidence {
		b.WriteString("\n  - " + e)
	}
	return b.String()
}

// Redacted returns a with each known secret, and its Base64 forms,
// replaced in every string it holds.
func (a Advisory) Redacted(secrets ...string) Advisory {
	a.TargetURL = finding.Redact(a.TargetURL, secrets...)
	a.Message = finding.Redact(a.Message, secrets...)
	if a.Evidence != nil {
		evidence := make([]string, len(a.Evidence))
		for i, e := range a.Evidence {
			evidence[i] = finding.Redact(e, secrets...)
		}
		a.Evidence = evidence
	}
	return a
}
