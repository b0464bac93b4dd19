package conformance

import (
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
		API: string(o.Case.API), Target: results.TargetMock, TargetURL: o.Target.BaseURL,
		Case: o.Case.Name, Want: o.Case.Want,
	}
	if o.Target.Live() {
		base.Target = results.TargetLive
	}
	var out []results.Exchange
	for _, ch := range o.Checked {
		ex := base
		ex.Method, ex.Path, ex.Status = ch.Exchange.Method, ch.Exchange.Path, ch.Exchange.Status
		ex.Variant = ch.Result.Variant
		ex.Findings = ch.Result.Findings
		ex.Excerpt = excerpt(ch.Exchange.Body, secrets)
		ex.ElapsedMS = float64(ch.Elapsed.Microseconds()) / 1000
		out = append(out, ex.Redacted(secrets...))
	}
	if o.Err != nil {
		ex := base
		ex.Method, ex.Path = o.Case.Op.Method, o.Case.Op.Path
		ex.Findings = []contract.Finding{transportFinding(o.Err)}
		out = append(out, ex.Redacted(secrets...))
	}
	return out
}

// excerpt is the redacted start of a body, cut on a character boundary
// once every secret is out, so that no secret is cut in two.
func excerpt(body []byte, secrets []string) string {
	return contract.Truncate(contract.Redact(string(contract.RedactJSON(body)), secrets...), excerptBytes)
}
