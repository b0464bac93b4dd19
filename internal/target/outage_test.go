package target

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// TestWentAwayTellsAnOutageFromABadAnswer: no connection, a reset, an
// early close or no answer in time is the target gone; a malformed reply
// is something that answered wrong, and an error with a status is judged.
func TestWentAwayTellsAnOutageFromABadAnswer(t *testing.T) {
	noAnswer := func(cause error) error {
		return fmt.Errorf("webex target: POST http://x/v1: %w: %w", ErrNoAnswer, cause)
	}
	for _, cause := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EPIPE, io.EOF, io.ErrUnexpectedEOF,
		&net.OpError{Op: "write", Net: "tcp", Err: net.ErrClosed},
		errors.New(serverClosedIdle), timeoutError{}, &net.DNSError{Err: "no such host", Name: "x"}} {
		if !WentAway(noAnswer(cause)) {
			t.Errorf("%v: not an outage", cause)
		}
	}
	for _, err := range []error{noAnswer(errors.New("malformed MIME header")), fmt.Errorf("status 200: %w", ErrBodyTooLarge), syscall.ECONNREFUSED} {
		if WentAway(err) {
			t.Errorf("%v: an outage", err)
		}
	}
	for status, want := range map[int]bool{500: false, 501: false, 502: true, 503: true, 504: true, 429: false} {
		if IsOutageStatus(status) != want {
			t.Errorf("IsOutageStatus(%d) = %v", status, !want)
		}
	}
}
