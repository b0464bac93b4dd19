package target

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
)

// IsOutageStatus tells the statuses by which a server, or a gateway in
// front of it, says it cannot serve now: 502, 503 and 504. Asked for by
// nobody, they are an outage, not a broken contract; a 500 is a failure.
func IsOutageStatus(status int) bool {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// WentAway tells whether err, from Do, says the target went away rather
// than answered badly: the host stopped resolving, nothing listens, the
// connection was reset or closed without an answer, or no answer came in
// time. A reply that is no HTTP answer (a malformed header) is no outage:
// something answered, and answered wrong.
func WentAway(err error) bool {
	if !errors.Is(err, ErrNoAnswer) {
		return false
	}
	var (
		dns    *net.DNSError
		netErr net.Error
	)
	switch {
	case errors.As(err, &dns), errors.As(err, &netErr) && netErr.Timeout():
		return true
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), strings.Contains(err.Error(), serverClosedIdle):
		// net.ErrClosed: the peer hung up while the body was being sent,
		// and the transport closed its side.
		return true
	}
	return false
}
