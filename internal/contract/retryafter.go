package contract

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

const retryAfterForms = "delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime), RFC 9110 section 10.2.3"

var errRetryAfterSyntax = errors.New("is neither delay-seconds nor a valid HTTP-date")

// checkRetryAfter reads a Retry-After value as a client would. The spec's
// pattern only checks its shape, so "Fri, 31 Feb 1999 ..." or a date on the
// wrong weekday pass the pattern but not this.
func checkRetryAfter(v string) error {
	if v != "" && strings.Trim(v, "0123456789") == "" {
		return nil
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return errRetryAfterSyntax
	}
	if weekday := t.Weekday().String(); !strings.HasPrefix(v, weekday[:3]) {
		return fmt.Errorf("names the wrong weekday: that date is a %s", weekday)
	}
	return nil
}
