package advisory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/getkin/kin-openapi/openapi3"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/suites/setup"
)

// specTimeout bounds one spec: the longest lock waited out, plus the
// requests around it.
const specTimeout = target.MaxSacrificialMaxWait + 5*time.Minute

// One top-level container, so the advisories (whose enumeration and timing
// checks need the sacrificial account open) run before the lockout drive.
// The tree comes from the specs alone; the settings, checked by the
// suites' shared set-up before any spec, are read once it has run.
var _ = Describe("Logins", func() {
	c, err := setup.Contract()
	if err != nil {
		It("loads the specs", func() { Fail(err.Error()) })
		return
	}
	Describe("advisories", Label(results.LabelAdvisory), func() {
		for _, api := range contract.APIs() {
			setup.Plan(results.LabelAdvisory, string(api))
			describeAdvisories(c, api)
		}
	})
	Describe("sacrificial accounts", Label(results.LabelSacrificial), func() {
		for _, api := range contract.APIs() {
			setup.Plan(results.LabelSacrificial, string(api), results.LabelAdvisory, results.StatusLabel(423))
			setup.Plan(results.LabelSacrificial, string(api))
			describeSacrificial(api)
		}
	})
})

// session opens api's session before the container's specs and closes it
// after them.
func session(api contract.API) func() *Session {
	var sess *Session
	BeforeAll(func() {
		s := setup.Current()
		var err error
		sess, err = Open(s.Contract, s.Config, s.Advisories, api)
		Expect(err).NotTo(HaveOccurred(), "opening the %s target", api)
		DeferCleanup(sess.Close)
	})
	return func() *Session { return sess }
}

func describeAdvisories(c *contract.Contract, api contract.API) {
	Describe(string(api), Label(string(api)), Ordered, ContinueOnFailure, func() {
		sess := session(api)
		It("passwords travel only over TLS", SpecTimeout(specTimeout), func(ctx SpecContext) {
			report(sess().OverTLS(), nil)
		})
		It("a wrong password and an unknown account get the same answer", SpecTimeout(specTimeout), func(ctx SpecContext) {
			report(sess().EnumerationByAnswer(ctx))
		})
		It("a wrong password and an unknown account take the same time", SpecTimeout(specTimeout), func(ctx SpecContext) {
			report(sess().EnumerationByTiming(ctx))
		})
		if documentsToken(c.Spec(api)) {
			It("credential answers say Cache-Control: no-store", SpecTimeout(specTimeout), func(ctx SpecContext) {
				report(sess().NotStored(ctx))
			})
		}
		It("no answer carries the password or token it was sent", SpecTimeout(specTimeout), func(ctx SpecContext) {
			report(sess().NothingEchoed(ctx))
		})
	})
}

func describeSacrificial(api contract.API) {
	Describe(string(api), Label(string(api)), Ordered, ContinueOnFailure, func() {
		sess := session(api)
		// The drive runs once, in the first spec that needs it, under that
		// spec's context; the others judge what it saw.
		var once sync.Once
		var lockout *Lockout
		var driveErr error
		drive := func(ctx context.Context) (*Lockout, error) {
			once.Do(func() { lockout, driveErr = sess().DriveToLock(ctx) })
			return lockout, driveErr
		}
		It("the account locks after repeated wrong passwords", Label(results.LabelAdvisory), SpecTimeout(specTimeout), func(ctx SpecContext) {
			l, err := drive(ctx)
			printCost(sess(), l)
			settle(err)
			report(sess().LockAdvisory(l), nil)
		})
		switch api {
		case contract.Webex:
			It("the 423 of a locked account keeps the contract", Label(results.StatusLabel(423)), SpecTimeout(specTimeout), func(ctx SpecContext) {
				l, err := drive(ctx)
				settle(err)
				judge(sess(), "sacrificial: locked", sess().WebexLocked(l))
			})
			It("a valid sign-in is served once the 423's Retry-After has passed", SpecTimeout(specTimeout), func(ctx SpecContext) {
				l, err := drive(ctx)
				settle(err)
				v, err := sess().WebexOpensAfterRetryAfter(ctx, l)
				settle(err)
				judge(sess(), "sacrificial: after Retry-After", v)
			})
		case contract.Commvault:
			It("loginAttempts, isAccountLocked and remainingLockTime tell what happened", SpecTimeout(specTimeout), func(ctx SpecContext) {
				l, err := drive(ctx)
				settle(err)
				v, err := sess().CommvaultLockoutFields(ctx, l)
				settle(err)
				judge(sess(), "sacrificial: lockout fields", v)
			})
		}
	})
}

// report records an advisory and marks the spec by it: a raised advisory
// fails the spec only when the run gates on advisories, a not-judged one
// skips it with the reason, so the contract verdict is never touched.
func report(a results.Advisory, err error) {
	settle(err)
	AddReportEntry(results.AdvisoryEntry, a, ReportEntryVisibilityAlways)
	switch a.State {
	case results.AdvisoryNotJudged:
		Skip(a.Message)
	case results.AdvisoryRaised:
		if a.Gated {
			Fail(fmt.Sprintf("advisory raised (%s): %s: %s", target.EnvAdvisoriesGate, a.Title, a.Message))
		}
	}
}

// settle ends a spec on an error of the target: an outage (no answer) is
// not judged, marked as such; a request the live rails refused (the cap
// spent) is not judged, with the reason; anything else fails the spec.
func settle(err error) {
	switch {
	case err == nil:
		return
	case errors.Is(err, target.ErrNoAnswer):
		AddReportEntry(results.OutageEntry, err.Error())
		Skip("not judged: the target gave no answer: " + err.Error())
	case errors.Is(err, target.ErrLiveSafety):
		Skip("not judged: " + err.Error())
	}
	Fail(err.Error())
}

// judge records a sacrificial-account verdict's exchanges for the report
// and fails the spec with its findings, or skips it with the reason.
func judge(s *Session, name string, v Verdict) {
	for _, a := range v.Answers {
		AddReportEntry(results.ExchangeEntry, s.exchange(name, a), ReportEntryVisibilityNever)
	}
	for _, n := range v.Notes {
		AddReportEntry(results.NoteEntry, n)
	}
	if v.Skip != "" {
		Skip(v.Skip)
	}
	if f := v.Findings(); len(f) > 0 {
		lines := make([]string, len(f))
		for i, x := range f {
			lines[i] = fmt.Sprintf("%s %s: expected %s, got %s: %s", x.Check, x.Pointer, x.Expected, x.Actual, x.Message)
		}
		Fail(contract.Redact(strings.Join(lines, "\n"), s.Secrets()...))
	}
}

// printCost says what the drive spent of the sacrificial account's cap.
func printCost(s *Session, l *Lockout) {
	if l == nil || l.Skip != "" {
		return
	}
	By(fmt.Sprintf("spent %d wrong password(s) on the sacrificial %s account (%d so far in this run, cap %d, %s)",
		len(l.Answers), s.API, s.Spent(), s.Settings.MaxWrong, target.EnvSacrificialMaxWrong))
}

// documentsToken tells whether a spec's successful answers may carry a
// token (a token or authToken property, at any depth): only then is there
// a credential answer to keep out of caches. Webex's answer carries none.
func documentsToken(spec *contract.Spec) bool {
	if spec == nil {
		return false
	}
	seen := map[*openapi3.Schema]bool{}
	var names func(*openapi3.SchemaRef) bool
	names = func(ref *openapi3.SchemaRef) bool {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return false
		}
		s := ref.Value
		seen[s] = true
		for name, p := range s.Properties {
			if strings.EqualFold(name, "token") || strings.EqualFold(name, "authToken") || names(p) {
				return true
			}
		}
		for _, group := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
			if slices.ContainsFunc(group, names) {
				return true
			}
		}
		return names(s.Items)
	}
	for _, item := range spec.Doc.Paths.Map() {
		for _, op := range item.Operations() {
			for code, resp := range op.Responses.Map() {
				if !strings.HasPrefix(code, "2") || resp.Value == nil {
					continue
				}
				for _, media := range resp.Value.Content {
					if names(media.Schema) {
						return true
					}
				}
			}
		}
	}
	return false
}
