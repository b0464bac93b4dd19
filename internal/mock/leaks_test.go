package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"loginharness/internal/advisory"
	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
	"loginharness/internal/results"
)

func webexSignIn(email, password string) req {
	return webexReq(`{"email":"` + email + `","password":"` + password + `"}`)
}

func commvaultSignIn(user, password string) req {
	return commvaultReq(`{"username":"` + user + `","password":"` + b64(password) + `"}`)
}

// recorded is an answer as the advisories take it, sent password noted.
func recorded(m http.Handler, q req, password string) advisory.Exchange {
	start := time.Now()
	ex := do(m, q)
	return advisory.Exchange{Status: ex.Status, Header: ex.Header, Body: ex.Body, Duration: time.Since(start),
		Sent: []advisory.Secret{{Kind: "password", Value: password}}}
}

// leakJudges runs, per leak, the advisory that must catch it against a
// fresh mock of the given drifts, on both APIs.
var leakJudges = map[Drift]func(t *testing.T, drifts ...Drift) []results.Advisory{
	DriftUnknownAccountAnswer: func(t *testing.T, drifts ...Drift) []results.Advisory {
		m := New(DefaultConfig(), WithClock(newFakeClock()), WithDrift(drifts...))
		return []results.Advisory{
			advisory.EnumerationByAnswer(recorded(m, webexSignIn(DemoRedSkyLockoutEmail, "wrong-one"), "wrong-one"), recorded(m, webexSignIn("nobody@example.com", "wrong-two"), "wrong-two")),
			advisory.EnumerationByAnswer(recorded(m, commvaultSignIn(DemoCommvaultLockoutUser, "wrong-one"), "wrong-one"), recorded(m, commvaultSignIn("nobody", "wrong-two"), "wrong-two")),
		}
	},
	DriftSlowExistingAccount: func(t *testing.T, drifts ...Drift) []results.Advisory {
		m := New(DefaultConfig(), WithClock(newFakeClock()), WithRate(1e6, 1000), WithLockout(0, 0, 0), WithDrift(drifts...))
		var out []results.Advisory
		for _, pair := range [][2]req{
			{webexSignIn(DemoRedSkyLockoutEmail, "wrong-one"), webexSignIn("nobody@example.com", "wrong-one")},
			{commvaultSignIn(DemoCommvaultLockoutUser, "wrong-one"), commvaultSignIn("nobody", "wrong-one")},
		} {
			var existing, unknown []time.Duration
			for range 12 {
				existing = append(existing, recorded(m, pair[0], "").Duration)
				unknown = append(unknown, recorded(m, pair[1], "").Duration)
			}
			out = append(out, advisory.EnumerationByTiming(existing, unknown, advisory.DefaultTiming))
		}
		return out
	},
	DriftCacheableToken: func(t *testing.T, drifts ...Drift) []results.Advisory {
		m := New(DefaultConfig(), WithDrift(drifts...))
		return []results.Advisory{advisory.CredentialsNotStored([]advisory.Exchange{
			recorded(m, commvaultReq(saasBody()), DemoCommvaultPassword), recorded(m, commvaultReq(managedBody()), DemoCommvaultPassword),
		})}
	},
	DriftEchoedPassword: func(t *testing.T, drifts ...Drift) []results.Advisory {
		m := New(DefaultConfig(), WithDrift(drifts...))
		return []results.Advisory{
			advisory.NothingEchoed([]advisory.Exchange{recorded(m, webexSignIn(DemoRedSkyLockoutEmail, "wrong-pass"), "wrong-pass"), recorded(m, webexSignIn("nobody@example.com", "other-pass"), "other-pass")}),
			advisory.NothingEchoed([]advisory.Exchange{recorded(m, commvaultSignIn(DemoCommvaultLockoutUser, "wrong-pass"), "wrong-pass")}),
		}
	},
	DriftNoLockout: func(t *testing.T, drifts ...Drift) []results.Advisory {
		m := New(DefaultConfig(), WithClock(newFakeClock()), WithDrift(drifts...))
		var out []results.Advisory
		for _, q := range []req{webexSignIn(DemoRedSkyLockoutEmail, "wrong-pass"), commvaultSignIn(DemoCommvaultLockoutUser, "wrong-pass")} {
			lockedAfter, sent := 0, 0
			for sent < 10 && lockedAfter == 0 {
				sent++
				if ex := do(m, q); ex.Status == http.StatusLocked || bytes.Contains(ex.Body, []byte(`"isAccountLocked":true`)) {
					lockedAfter = sent
				}
			}
			out = append(out, advisory.Locks(lockedAfter, sent, 10))
		}
		return out
	},
}

// TestEachLeakIsRaisedAndTheFaithfulMockLeaksNothing proves both ways the
// advisories the leak drifts exist for: each passes on the faithful mock
// and is raised under its drift, while every answer keeps the contract.
func TestEachLeakIsRaisedAndTheFaithfulMockLeaksNothing(t *testing.T) {
	for _, d := range Leaks() {
		if d == DriftLockOutlastsRetryAfter {
			continue // a lock's honesty is a contract check: TestLockOutlastsRetryAfter
		}
		t.Run(string(d), func(t *testing.T) {
			judge, ok := leakJudges[d]
			if !ok {
				t.Fatalf("no advisory judges drift %s", d)
			}
			for _, a := range judge(t) {
				if a.State != results.AdvisoryPassed {
					t.Errorf("faithful mock: %s %s: %s %v", a.Name, a.State, a.Message, a.Evidence)
				}
			}
			for _, a := range judge(t, d) {
				if a.State != results.AdvisoryRaised {
					t.Errorf("drift %s: %s %s: %s", d, a.Name, a.State, a.Message)
				}
			}
			m := New(DefaultConfig(), WithDrift(d))
			for _, q := range probes() {
				mustConform(t, do(m, q), q.api())
			}
		})
	}
}

// TestLockOutlastsRetryAfter: a client that waits out the 423's
// Retry-After, or Commvault's remainingLockTime, is served again by the
// faithful mock and still refused under the drift.
func TestLockOutlastsRetryAfter(t *testing.T) {
	for _, drift := range []bool{false, true} {
		clock := newFakeClock()
		opts := []Option{WithClock(clock)}
		if drift {
			opts = append(opts, WithDrift(DriftLockOutlastsRetryAfter))
		}
		m := New(DefaultConfig(), opts...)
		var wait, cvWait time.Duration
		for range 6 {
			ex := do(m, webexSignIn(DemoRedSkyLockoutEmail, "wrong-pass"))
			if ex.Status == http.StatusLocked {
				mustConform(t, ex, contract.Webex)
				var err error
				if wait, err = ratelimit.ParseRetryAfter(ex.Header.Get("Retry-After"), clock.Now()); err != nil {
					t.Fatal(err)
				}
			}
			var failure struct{ RemainingLockTime int }
			if err := json.Unmarshal(do(m, commvaultSignIn(DemoCommvaultLockoutUser, "wrong-pass")).Body, &failure); err != nil {
				t.Fatal(err)
			}
			cvWait = time.Duration(failure.RemainingLockTime) * time.Second
		}
		if wait == 0 || cvWait == 0 {
			t.Fatalf("drift %v: after 6 wrong passwords Retry-After %s, remainingLockTime %s", drift, wait, cvWait)
		}
		clock.Advance(max(wait, cvWait))
		webex := do(m, webexSignIn(DemoRedSkyLockoutEmail, DemoRedSkyPassword)).Status == http.StatusOK
		commvault := !bytes.Contains(do(m, commvaultSignIn(DemoCommvaultLockoutUser, DemoCommvaultPassword)).Body, []byte("errList\":[{"))
		if webex == drift || commvault == drift {
			t.Errorf("drift %v: after waiting as told (%s, %s), Webex served %v, Commvault served %v", drift, wait, cvWait, webex, commvault)
		}
	}
}
