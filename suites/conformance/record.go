package conformance

import (
	"unicode/utf8"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// excerptBytes is how much of a response body a report entry shows.
const excerptBytes = 512

// Exchanges turns an outcome into the report's records, one per exchange
// (and one for a failure to get an answer), every string redacted: the
// secret-named JSON fields and headers, and the target's own credentials
// wherever they appear, Base64 forms included.
func Exchanges(o *Outcome) []results.Exchange {
	secrets := o.Target.Secrets()
	base := results.Exchange{
		API: string(o.Case.API), Target: string(o.Target.Mode), TargetURL: o.Target.BaseURL,
		Case: o.Case.Name, Want: o.Case.Want,
	}
	var out []results.Exchange
	for _, ch := range o.Checked {
		ex := base
		ex.Method, ex.Path, ex.Status = ch.Exchange.Method, ch.Exchange.Path, ch.Exchange.Status
		ex.Variant = ch.Result.Variant
		ex.Findings = resultFindings(ch.Result.Findings, secrets)
		ex.Excerpt = excerpt(ch.Exchange.Body, secrets)
		ex.ElapsedMS = float64(ch.Elapsed.Microseconds()) / 1000
		out = append(out, ex)
	}
	if o.Err != nil {
		ex := base
		ex.Method, ex.Path = o.Case.Op.Method, o.Case.Op.Path
		ex.Findings = resultFindings([]contract.Finding{transportFinding(o.Err)}, secrets)
		out = append(out, ex)
	}
	return out
}

func resultFindings(findings []contract.Finding, secrets []string) []results.Finding {
	out := make([]results.Finding, 0, len(findings))
	for _, f := range findings {
		out = append(out, results.Finding{
			Check:    string(f.Check),
			Pointer:  contract.Redact(f.Pointer, secrets...),
			Expected: contract.Redact(f.Expected, secrets...),
			Actual:   contract.Redact(f.Actual, secrets...),
			Message:  contract.Redact(f.Message, secrets...),
		})
	}
	return out
}

// excerpt is the redacted start of a body, cut on a character boundary.
func excerpt(body []byte, secrets []string) string {
	s := contract.Redact(string(contract.RedactJSON(body)), secrets...)
	if len(s) <= excerptBytes {
		return s
	}
	cut := excerptBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
