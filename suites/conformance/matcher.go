package conformance

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"loginharness/internal/contract"
)

// Conform succeeds when an *Outcome ran and every exchange in it keeps the
// contract and the case's expectations. Its failure message lists each
// finding as check, pointer, expected and actual, exchange by exchange.
func Conform() types.GomegaMatcher { return conformMatcher{} }

type conformMatcher struct{}

func (conformMatcher) Match(actual any) (bool, error) {
	o, ok := actual.(*Outcome)
	if !ok || o == nil {
		return false, fmt.Errorf("Conform expects a non-nil *Outcome, got %T", actual)
	}
	return o.Skip == "" && o.OK(), nil
}

func (conformMatcher) FailureMessage(actual any) string {
	o := actual.(*Outcome)
	if o.Skip != "" {
		return fmt.Sprintf("%s %q did not run: %s", o.Case.API, o.Case.Name, o.Skip)
	}
	return Explain(o)
}

func (conformMatcher) NegatedFailureMessage(actual any) string {
	o := actual.(*Outcome)
	return fmt.Sprintf("%s %q was expected to break the contract, but every exchange kept it", o.Case.API, o.Case.Name)
}

// Explain writes an outcome's findings for people: the API, case and
// target, then each exchange with its status and findings. It carries no
// secret: findings are redacted and bodies are not shown.
func Explain(o *Outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q", o.Case.API, o.Case.Name)
	if o.Case.Want != 0 {
		fmt.Fprintf(&b, " (wants %d)", o.Case.Want)
	}
	fmt.Fprintf(&b, " on %s %s breaks the contract:\n", o.Target.Mode, o.Target.BaseURL)
	secrets := o.Target.Secrets()
	for i, ch := range o.Checked {
		if ch.Result.OK() {
			continue
		}
		role := "exchange"
		if ch.Probe {
			role = "probe"
		}
		fmt.Fprintf(&b, "  %s %d of %d: %s %s -> %d", role, i+1, len(o.Checked), ch.Exchange.Method, ch.Exchange.Path, ch.Exchange.Status)
		if ch.Result.Variant != "" {
			fmt.Fprintf(&b, " (%s)", ch.Result.Variant)
		}
		b.WriteByte('\n')
		for _, f := range ch.Result.Findings {
			writeFinding(&b, f, secrets)
		}
	}
	if o.Err != nil {
		b.WriteString("  no usable answer:\n")
		writeFinding(&b, transportFinding(o.Err), secrets)
	}
	return b.String()
}

func writeFinding(b *strings.Builder, f contract.Finding, secrets []string) {
	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(b, "      %-9s %s\n", name, contract.Redact(value, secrets...))
		}
	}
	fmt.Fprintf(b, "    - check     %s\n", f.Check)
	field("pointer", f.Pointer)
	field("expected", f.Expected)
	field("actual", f.Actual)
	field("message", f.Message)
}
