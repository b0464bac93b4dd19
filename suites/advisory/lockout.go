package advisory

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"loginharness/internal/advisory"
	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// Checks the sacrificial-account specs add to the contract's own.
const (
	// CheckLockHonest: the account is still locked after the wait the
	// server announced (Retry-After, remainingLockTime).
	CheckLockHonest contract.Check = "lock_wait_honest"
	// CheckLockoutFields: loginAttempts or isAccountLocked says other than
	// what happened.
	CheckLockoutFields contract.Check = "lockout_fields"
)

// grace is added to an announced wait before trying again: network time
// and whole-second rounding, not a lock that outlasts its announcement.
const grace = time.Second

// Lockout is one run of wrong passwords against the sacrificial account,
// shared by the specs that judge it.
type Lockout struct {
	Skip        string   // why nothing could be driven
	Answers     []Answer // each wrong password's answer, in order
	LockedAfter int      // wrong passwords until an answer showed the lock; 0 if none did
	Cap         int      // the wrong passwords the drive could spend
}

// Locked is the answer that showed the lock.
func (l *Lockout) Locked() (Answer, bool) {
	if l.LockedAfter == 0 {
		return Answer{}, false
	}
	return l.Answers[l.LockedAfter-1], true
}

// DriveToLock signs the sacrificial account in, then sends wrong passwords
// until an answer shows a lock (Webex 423, Commvault isAccountLocked) or
// what is left of the cap is spent.
func (s *Session) DriveToLock(ctx context.Context) (*Lockout, error) {
	l := &Lockout{Cap: s.Remaining()}
	switch {
	case !s.HasVictim:
		l.Skip = s.NoVictim()
		return l, nil
	case l.Cap == 0:
		l.Skip = fmt.Sprintf("the sacrificial account's %d wrong passwords (%s) are spent", s.Settings.MaxWrong, target.EnvSacrificialMaxWrong)
		return l, nil
	}
	why, err := s.opened(ctx)
	if why != "" || err != nil {
		l.Skip = why
		return l, err
	}
	for len(l.Answers) < l.Cap {
		a, err := s.wrongPassword(ctx)
		if err != nil {
			return l, err
		}
		l.Answers = append(l.Answers, a)
		if showsLock(a) {
			l.LockedAfter = len(l.Answers)
			break
		}
	}
	return l, nil
}

// Advisory judges whether the account locked within the cap.
func (s *Session) LockAdvisory(l *Lockout) results.Advisory {
	if l.Skip != "" {
		return s.finish(advisory.NotJudged(advisory.NameLocks, l.Skip), 0)
	}
	return s.finish(advisory.Locks(l.LockedAfter, len(l.Answers), l.Cap), len(l.Answers))
}

// lockoutFields are Commvault's account fields of a sign-in answer.
type lockoutFields struct {
	LoginAttempts     *int  `json:"loginAttempts"`
	IsAccountLocked   *bool `json:"isAccountLocked"`
	RemainingLockTime *int  `json:"remainingLockTime"`
}

func fieldsOf(a Answer) lockoutFields {
	var f lockoutFields
	_ = json.Unmarshal(a.Attempt.Exchange.Body, &f)
	return f
}

func showsLock(a Answer) bool {
	if a.Attempt.Exchange.Status == http.StatusLocked {
		return true
	}
	f := fieldsOf(a)
	return f.IsAccountLocked != nil && *f.IsAccountLocked
}

// Verdict is what a sacrificial-account spec concluded: skipped, or judged
// with the findings (none: it passed) and notes on what was not judged.
type Verdict struct {
	Skip    string
	Answers []Answer // every answer judged, findings attached
	Notes   []string
}

// Findings lists every finding of the verdict.
func (v Verdict) Findings() []contract.Finding {
	var out []contract.Finding
	for _, a := range v.Answers {
		out = append(out, a.Result.Findings...)
	}
	return out
}

// WebexLocked holds the 423 that locked the account to the contract.
func (s *Session) WebexLocked(l *Lockout) Verdict {
	locked, ok := l.Locked()
	if l.Skip != "" || !ok {
		return Verdict{Skip: cmp.Or(l.Skip, fmt.Sprintf("no 423 within %d wrong passwords (the cap, %s): the account did not lock, so 423 was not seen", len(l.Answers), target.EnvSacrificialMaxWrong))}
	}
	return Verdict{Answers: []Answer{locked}}
}

// WebexOpensAfterRetryAfter waits out the 423's Retry-After (within the
// wait budget) and holds the account to it: a valid sign-in is served then.
// Without a Retry-After it says so and does not guess.
func (s *Session) WebexOpensAfterRetryAfter(ctx context.Context, l *Lockout) (Verdict, error) {
	locked, ok := l.Locked()
	if l.Skip != "" || !ok {
		return s.WebexLocked(l), nil
	}
	value := locked.Attempt.Exchange.Header.Get("Retry-After")
	wait, err := ratelimit.ParseRetryAfter(value, time.Now())
	switch {
	case value == "":
		return Verdict{Skip: "the 423 carries no Retry-After: the harness does not guess when the account opens again"}, nil
	case err != nil:
		return Verdict{Skip: fmt.Sprintf("the 423's Retry-After %q does not parse (the 423's own spec says so)", value)}, nil
	case wait > s.Settings.MaxWait:
		return Verdict{Skip: fmt.Sprintf("the 423's Retry-After asks for %s, beyond %s (%s)", wait, s.Settings.MaxWait, target.EnvSacrificialMaxWait)}, nil
	}
	again, err := s.afterWait(ctx, wait)
	if err != nil {
		return Verdict{}, err
	}
	if !SignedIn(again) {
		again.Result.Findings = append(again.Result.Findings, contract.Finding{
			Check: CheckLockHonest, Pointer: "/headers/Retry-After", Expected: "a valid sign-in served after waiting Retry-After",
			Actual:  fmt.Sprintf("%d after waiting %s (Retry-After: %s)", again.Attempt.Exchange.Status, wait+grace, value),
			Message: "the lock outlasts its Retry-After, so a client that obeys it is refused again",
		})
	}
	return Verdict{Answers: []Answer{again}}, nil
}

// afterWait lets wait and the grace pass as the server sees it, then signs
// the sacrificial account in with its right password.
func (s *Session) afterWait(ctx context.Context, wait time.Duration) (Answer, error) {
	if err := s.Target.Wait(ctx, wait+grace); err != nil {
		return Answer{}, err
	}
	return s.Valid(ctx, s.Victim)
}

// CommvaultLockoutFields holds Commvault's account fields to what happened:
// loginAttempts counts each wrong password until the lock, isAccountLocked
// is true exactly when the right password is refused, and the account
// accepts it again once remainingLockTime has passed.
func (s *Session) CommvaultLockoutFields(ctx context.Context, l *Lockout) (Verdict, error) {
	if l.Skip != "" {
		return Verdict{Skip: l.Skip}, nil
	}
	v := Verdict{Answers: l.Answers}
	counted := countsFailures(v.Answers[:len(v.Answers)-boolInt(l.LockedAfter > 0)])
	if !counted {
		v.Notes = append(v.Notes, "no failure carried loginAttempts: its count was not judged")
	}
	right, err := s.Valid(ctx, s.Victim)
	if err != nil {
		return v, err
	}
	claimed := l.LockedAfter > 0 || showsLock(right)
	refused := !SignedIn(right)
	switch {
	case claimed && !refused:
		addFinding(&right, "/isAccountLocked", "the right password refused while isAccountLocked is true", "the right password accepted",
			"isAccountLocked said the account was locked, yet it accepted the right password")
	case refused && !claimed:
		addFinding(&right, "/isAccountLocked", "isAccountLocked true once the right password is refused", "the right password refused, isAccountLocked never true",
			"the account stopped accepting the right password without saying it is locked")
	case !refused:
		v.Notes = append(v.Notes, fmt.Sprintf("the account did not lock within %d wrong passwords: isAccountLocked and remainingLockTime were not judged", len(l.Answers)))
	}
	v.Answers = append(v.Answers, right)
	if !(claimed && refused) {
		return v.orSkip(counted), nil
	}
	remaining := fieldsOf(right).RemainingLockTime
	switch {
	case remaining == nil || *remaining <= 0:
		v.Notes = append(v.Notes, "the locked answer gives no remainingLockTime: when the account opens was not judged")
		return v, nil
	case time.Duration(*remaining)*time.Second > s.Settings.MaxWait:
		v.Notes = append(v.Notes, fmt.Sprintf("remainingLockTime %d s is beyond %s (%s): when the account opens was not judged", *remaining, s.Settings.MaxWait, target.EnvSacrificialMaxWait))
		return v, nil
	}
	wait := time.Duration(*remaining) * time.Second
	again, err := s.afterWait(ctx, wait)
	if err != nil {
		return v, err
	}
	if !SignedIn(again) {
		addFinding(&again, "/remainingLockTime", "the right password accepted once remainingLockTime has passed",
			fmt.Sprintf("still refused after waiting %s (remainingLockTime: %d)", wait+grace, *remaining), "the lock outlasts its remainingLockTime")
	}
	v.Answers = append(v.Answers, again)
	return v, nil
}

// countsFailures adds a finding to each failure whose loginAttempts is not
// one more than the one before; it tells whether any carried the field.
func countsFailures(failures []Answer) bool {
	seen, last := false, 0
	for i := range failures {
		n := fieldsOf(failures[i]).LoginAttempts
		if n == nil {
			continue
		}
		if seen && *n != last+1 || !seen && *n < 1 {
			want := "at least 1"
			if seen {
				want = fmt.Sprint(last + 1)
			}
			addFinding(&failures[i], "/loginAttempts", want, fmt.Sprint(*n),
				fmt.Sprintf("loginAttempts does not count the failures: wrong password %d", i+1))
		}
		seen, last = true, *n
	}
	return seen
}

func addFinding(a *Answer, pointer, expected, actual, message string) {
	a.Result.Findings = append(a.Result.Findings, contract.Finding{Check: CheckLockoutFields, Pointer: pointer, Expected: expected, Actual: actual, Message: message})
}

// orSkip turns a verdict that judged nothing into a skip.
func (v Verdict) orSkip(judged bool) Verdict {
	if judged || len(v.Findings()) > 0 {
		return v
	}
	return Verdict{Skip: "the answers carry neither loginAttempts nor a lock: nothing of the lockout fields was judged", Answers: v.Answers}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
