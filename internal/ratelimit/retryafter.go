// Package ratelimit parses and formats the HTTP fields that tell a client when it may
// retry: Retry-After (RFC 9110 §10.2.3) and the RateLimit-Policy and RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers-10. Structured Fields are parsed by httpsfv and
// HTTP-dates by net/http, held to their RFCs where those are laxer, so that the
// contract suites catch a server that sends malformed values; formatters are
// allocation-light because the mock calls them on every response.
package ratelimit

import (
	"math"
	"strconv"
	"time"
)

const fieldRetryAfter = "Retry-After"

// maxSeconds is the largest whole number of seconds a time.Duration holds.
const maxSeconds = math.MaxInt64 / int64(time.Second)

// ParseRetryAfter returns how long Retry-After value v asks the client to wait, as
// seen at now. v is delay-seconds or an HTTP-date in any of the three forms RFC 9110
// §5.6.7 requires recipients to accept. A date in the past means no wait (0).
// Leading and trailing whitespace is ignored, as it is no part of a field value.
func ParseRetryAfter(v string, now time.Time) (time.Duration, error) {
	s, off := trimOWS(v)
	if s == "" {
		return 0, &SyntaxError{Field: fieldRetryAfter, Offset: off, Msg: "empty value"}
	}
	if isDigit(s[0]) {
		return parseDelaySeconds(s, off)
	}
	t, err := parseHTTPDate(s, off, now)
	if err != nil {
		return 0, err
	}
	if !t.After(now) {
		return 0, nil
	}
	if t.Sub(now) > time.Duration(maxSeconds)*time.Second {
		return 0, &SyntaxError{Field: fieldRetryAfter, Offset: off, Msg: "date too far in the future for a time.Duration"}
	}
	return t.Sub(now), nil
}

func trimOWS(v string) (string, int) {
	start, end := 0, len(v)
	for start < end && (v[start] == ' ' || v[start] == '\t') {
		start++
	}
	for end > start && (v[end-1] == ' ' || v[end-1] == '\t') {
		end--
	}
	return v[start:end], start
}

// parseDelaySeconds accepts 1*DIGIT only: no sign, fraction or exponent.
func parseDelaySeconds(s string, off int) (time.Duration, error) {
	var n int64
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, &SyntaxError{Field: fieldRetryAfter, Offset: off + i,
				Msg: "delay-seconds must be digits only, got " + strconv.QuoteRune(rune(s[i]))}
		}
		n = n*10 + int64(s[i]-'0')
		if n > maxSeconds {
			return 0, &SyntaxError{Field: fieldRetryAfter, Offset: off, Msg: "delay-seconds overflows a time.Duration"}
		}
	}
	return time.Duration(n) * time.Second, nil
}

// FormatRetryAfter formats d as delay-seconds, rounded up so that a client never
// retries early: "0" only for d <= 0, at least "1" otherwise. Durations past the
// largest whole second a time.Duration holds saturate there, so the result always
// parses back.
func FormatRetryAfter(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatInt(secondsUp(d), 10)
}

// CeilSeconds rounds d up to whole seconds, the unit of Retry-After and the
// RateLimit fields, so that a client waiting that long is never early: 0 for
// d <= 0, saturating at the largest whole second a time.Duration holds.
func CeilSeconds(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(secondsUp(d)) * time.Second
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// secondsUp rounds a positive d up to whole seconds, saturating at maxSeconds.
func secondsUp(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d%time.Second != 0 && s < maxSeconds {
		s++
	}
	return s
}
