package contract

import (
	"time"

	"loginharness/internal/ratelimit"
)

const retryAfterForms = "delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime), RFC 9110 section 10.2.3"

// checkRetryAfter reads a Retry-After value as a client would. The spec's
// pattern only checks its shape, so "Fri, 31 Feb 1999 ..." or a date on the
// wrong weekday pass the pattern but not this. Whether the wait is plausible
// is the load suite's question; here only the value's validity is judged.
func checkRetryAfter(v string) error {
	_, err := ratelimit.ParseRetryAfter(v, time.Now())
	return err
}
