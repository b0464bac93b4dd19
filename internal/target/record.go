package target

import (
	"context"
	"net/http"
	"strings"
	"time"

	"loginharness/internal/ratelimit"
	"loginharness/internal/timeline"
)

// Response fields a record keeps, canonical as net/http stores them.
var (
	retryAfterKey = http.CanonicalHeaderKey("Retry-After")
	dateKey       = http.CanonicalHeaderKey("Date")
	policyKey     = http.CanonicalHeaderKey("RateLimit-Policy")
	limitKey      = http.CanonicalHeaderKey("RateLimit")
)

// RecordReader turns answers into timeline records, parsing Retry-After
// and the RateLimit fields once per answer. A load run repeats one answer
// many times, so it keeps the last fields it parsed; one reader serves one
// goroutine.
type RecordReader struct {
	policyRaw string
	policies  []timeline.Policy
	policyErr error
	limitRaw  string
	limits    []ratelimit.Limit
	limitErr  error
}

// Read makes the record of a request sent at sent and answered (status
// above 0, with header h) or given up on after latency; cause says why it
// got no answer.
func (rr *RecordReader) Read(sent time.Time, latency time.Duration, status int, h http.Header, cause string) timeline.Record {
	rc := timeline.Record{Sent: sent, Latency: latency, Status: status}
	if status == 0 {
		rc.Cause = errorCause(cause)
		rc.Dropped = strings.Contains(cause, "EOF") || strings.Contains(cause, "connection reset by peer")
		rc.Unreachable = unreachable(cause)
		return rc
	}
	if vs := h[retryAfterKey]; len(vs) > 0 {
		rc.RetryAfter.Present, rc.RetryAfter.Raw = true, vs[0]
		rc.RetryAfter.Wait, rc.RetryAfter.Err = ratelimit.ParseRetryAfter(vs[0], serverNow(h, rc.Received()))
	}
	if raw := strings.Join(h[policyKey], ", "); raw != "" {
		rr.readPolicy(raw)
		rc.RateLimit.PolicyRaw, rc.RateLimit.Policies, rc.RateLimit.PolicyErr = raw, rr.policies, rr.policyErr
	}
	if raw := strings.Join(h[limitKey], ", "); raw != "" {
		rr.readLimit(raw)
		rc.RateLimit.LimitRaw, rc.RateLimit.LimitErr = raw, rr.limitErr
		for _, l := range rr.limits {
			rc.RateLimit.Limits = append(rc.RateLimit.Limits, timeline.Limit{Remaining: l.Remaining, Reset: l.Reset})
		}
		if rc.Told() && rr.limitErr == nil {
			rc.RateLimit.ResetBeyondRetryAfter = ratelimit.Agree(rc.RetryAfter.Wait, rr.limits) != nil
		}
	}
	return rc
}

func (rr *RecordReader) readPolicy(raw string) {
	if raw == rr.policyRaw {
		return
	}
	rr.policyRaw, rr.policies = raw, nil
	ps, err := ratelimit.ParsePolicy(raw)
	rr.policyErr = err
	for _, p := range ps {
		rr.policies = append(rr.policies, timeline.Policy{Quota: p.Quota, Window: p.Window})
	}
}

func (rr *RecordReader) readLimit(raw string) {
	if raw == rr.limitRaw {
		return
	}
	rr.limitRaw = raw
	rr.limits, rr.limitErr = ratelimit.ParseLimit(raw)
}

// unreachable tells a cause that says nothing listened at the target: an
// outage, not a server that dropped a request it had taken.
func unreachable(cause string) bool {
	for _, s := range []string{"connection refused", "no route to host", "network is unreachable", "host is down"} {
		if strings.Contains(cause, s) {
			return true
		}
	}
	return false
}

// errorCause drops the "Post "<url>": " prefix of a client error: the
// record names the URL nowhere, and the cause is what differs.
func errorCause(err string) string {
	if rest, ok := strings.CutPrefix(err, "Post \""); ok { // as net/http's url.Error spells the method
		if _, cause, ok := strings.Cut(rest, "\": "); ok {
			return cause
		}
	}
	return err
}

// serverNow is the server's clock when it answered, by its Date field,
// else the client's: an HTTP-date in Retry-After is read against the
// clock that wrote it, so a client whose clock is off still waits what
// the server meant. Date has whole seconds, like the HTTP-date, so the
// two round alike.
func serverNow(h http.Header, received time.Time) time.Time {
	if vs := h[dateKey]; len(vs) > 0 {
		if t, err := http.ParseTime(vs[0]); err == nil {
			return t
		}
	}
	return received
}

// journal adds one attempt of c to the process's timeline of c's server,
// as the part ctx names: the preflight's and the conformance specs'
// requests are evidence the load verdicts read.
func (c *Client) journal(ctx context.Context, start time.Time, resp *http.Response, err error) {
	var rr RecordReader
	var rc timeline.Record
	if err != nil {
		rc = rr.Read(start, time.Since(start), 0, nil, unwrapURLError(err).Error())
	} else {
		rc = rr.Read(start, time.Since(start), resp.StatusCode, resp.Header, "")
	}
	rc.Part = timeline.PartOf(ctx)
	timeline.Process().Add(c.base.String(), rc)
}
