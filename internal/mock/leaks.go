package mock

import (
	"context"
	"time"
)

// What a login owes its users beyond its contract, and the drifts that
// break it: the faithful mock answers an unknown account as it answers a
// wrong password, takes the same path for both, marks its credential
// answers no-store, echoes nothing and locks an account for as long as it
// says; the Leaks drifts each undo one of these.

// ExistingAccountDelay is the wall time DriftSlowExistingAccount adds to a
// sign-in of an existing account: tens of milliseconds, as a slow password
// hash costs, measurable on loopback even on a busy machine.
const ExistingAccountDelay = 30 * time.Millisecond

// codeUnknownAccount is the reason DriftUnknownAccountAnswer gives an
// unknown account, which the faithful mock answers as codeBadCredentials.
const codeUnknownAccount errorCode = 1203

var noStore = []string{"no-store"}

// markCredentialAnswer keeps an answer carrying a sign-in's outcome out of
// every cache (RFC 9111 section 5.2.2.5; RFC 6749 section 5.1 for tokens).
func (m *Mock) markCredentialAnswer(x *exchange) {
	if m.drift&cacheableToken == 0 {
		x.w.Header()["Cache-Control"] = noStore
	}
}

// refusal is the message of a refused sign-in: the one message for a wrong
// password and an unknown account, unless a drift tells them apart or
// echoes the password.
func (m *Mock) refusal(msg, unknownMsg string, unknown bool, password []byte) string {
	if unknown && m.drift&unknownAccountAnswer != 0 {
		msg = unknownMsg
	}
	if m.drift&echoedPassword != 0 {
		msg += " The password sent was " + string(password) + "."
	}
	return msg
}

// refusalCode is the reason of a refused sign-in, the same for a wrong
// password and an unknown account unless drifting.
func (m *Mock) refusalCode(unknown bool) errorCode {
	if unknown && m.drift&unknownAccountAnswer != 0 {
		return codeUnknownAccount
	}
	return codeBadCredentials
}

// checkDelay spends ExistingAccountDelay of wall time under
// DriftSlowExistingAccount, whatever the mock's clock: a manual clock
// would make the leak cost no time, and then no one could measure it.
func (m *Mock) checkDelay(ctx context.Context) {
	if m.drift&slowExistingAccount != 0 {
		SystemClock{}.Sleep(ctx, ExistingAccountDelay)
	}
}

// lockAttempt is lock.attempt with the lock drifts applied: under
// DriftLockOutlastsRetryAfter a locked account announces half its
// remaining wait (whole seconds, at least one).
func (m *Mock) lockAttempt(s *lockState, now time.Time, passwordOK bool) verdict {
	v := m.lock.attempt(s, now, passwordOK)
	if v.locked && m.drift&lockOutlastsRetryAfter != 0 {
		v.wait = max((v.wait / 2).Truncate(time.Second), time.Second)
	}
	return v
}
