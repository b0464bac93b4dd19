package advisory

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"loginharness/internal/results"
)

// PlainHTTPOffLoopback tells whether a base URL would send passwords in
// clear text off the machine: plain http:// to a host that is not loopback.
func PlainHTTPOffLoopback(base string) bool {
	u, err := url.Parse(base)
	if err != nil || !strings.EqualFold(u.Scheme, "http") {
		return false
	}
	return !IsLoopback(u.Hostname())
}

// IsLoopback tells whether a host name stays on this machine: localhost
// (RFC 6761) or a loopback address.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// OverTLS judges where a run sends passwords: over https, or plain http to
// loopback, they do not travel in clear text over a network.
func OverTLS(base string) results.Advisory {
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return verdict(NameOverTLS, results.AdvisoryNotJudged, "the base URL does not parse")
	case strings.EqualFold(u.Scheme, "https"):
		return verdict(NameOverTLS, results.AdvisoryPassed, "the login is reached over https")
	case !PlainHTTPOffLoopback(base):
		return verdict(NameOverTLS, results.AdvisoryPassed, fmt.Sprintf("plain http to %s, a loopback host: the password does not leave the machine", u.Hostname()))
	}
	return verdict(NameOverTLS, results.AdvisoryRaised,
		fmt.Sprintf("passwords travel in clear text to %s over plain http; the run was allowed to send them", u.Hostname()))
}
