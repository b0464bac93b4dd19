package advisory

import (
	"context"
	"fmt"
	"sync"
	"time"

	"loginharness/internal/advisory"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// spent counts the wrong passwords sent to each sacrificial account in this
// process (one run), by target and account, so every check draws on one cap.
var spent = struct {
	sync.Mutex
	m map[string]int
}{m: map[string]int{}}

func (s *Session) spentKey() string {
	return string(s.API) + " " + s.Target.BaseURL + " " + s.Victim.User
}

// Spent is how many wrong passwords the run sent to the sacrificial account.
func (s *Session) Spent() int {
	spent.Lock()
	defer spent.Unlock()
	return spent.m[s.spentKey()]
}

// Remaining is what is left of the cap.
func (s *Session) Remaining() int { return max(s.Settings.MaxWrong-s.Spent(), 0) }

// wrongPassword sends one wrong password to the sacrificial account and
// counts it against the cap.
func (s *Session) wrongPassword(ctx context.Context) (Answer, error) {
	spent.Lock()
	spent.m[s.spentKey()]++
	spent.Unlock()
	return s.Wrong(ctx)
}

// opened signs the sacrificial account in, so its failures start from
// zero; a refusal means it is locked or misconfigured, and nothing that
// needs it can be judged.
func (s *Session) opened(ctx context.Context) (string, error) {
	s.Target.Reset()
	a, err := s.Valid(ctx, s.Victim)
	if err != nil {
		return "", err
	}
	if !SignedIn(a) {
		return fmt.Sprintf("the sacrificial %s account's valid sign-in was answered %d (%s): it is locked or its settings are wrong",
			s.API, a.Attempt.Exchange.Status, orNone(a.Result.Variant)), nil
	}
	return "", nil
}

// OverTLS judges where the run sends passwords; it sends nothing.
func (s *Session) OverTLS() results.Advisory {
	return s.finish(advisory.OverTLS(s.Target.BaseURL), 0)
}

// EnumerationByAnswer compares a wrong password of the sacrificial account
// with a sign-in of an unknown account. It costs one wrong password.
func (s *Session) EnumerationByAnswer(ctx context.Context) (results.Advisory, error) {
	notJudged := func(why string, wrong int) results.Advisory {
		return s.finish(advisory.NotJudged(advisory.NameEnumerationByAnswer, why), wrong)
	}
	if !s.HasVictim {
		return notJudged(s.NoVictim(), 0), nil
	}
	if s.Remaining() < 1 {
		return notJudged(fmt.Sprintf("the sacrificial account's %d wrong passwords (%s) are spent", s.Settings.MaxWrong, target.EnvSacrificialMaxWrong), 0), nil
	}
	if why, err := s.opened(ctx); why != "" || err != nil {
		return notJudged(why, 0), err
	}
	existing, err := s.wrongPassword(ctx)
	if err != nil {
		return notJudged("", 1), err
	}
	unknown, err := s.Unknown(ctx, s.Victim)
	if err != nil {
		return notJudged("", 1), err
	}
	return s.finish(advisory.EnumerationByAnswer(existing.Exchange(), unknown.Exchange()), 1), nil
}

// EnumerationByTiming times wrong passwords of the sacrificial account
// against sign-ins of unknown accounts, interleaved so a busy machine
// slows both alike. Each pair starts with the account's valid sign-in, so
// its failures never add up to a lock (and, on the mock, from fresh rate
// and lock state); live, the wrong passwords count against the cap, and a
// change of answer (a lock after all) ends the sampling.
func (s *Session) EnumerationByTiming(ctx context.Context) (results.Advisory, error) {
	n := s.Settings.TimingSamplesOn(s.Target.Live())
	notJudged := func(why string, wrong int) results.Advisory {
		return s.finish(advisory.NotJudged(advisory.NameEnumerationByTiming, why), wrong)
	}
	switch {
	case !s.HasVictim:
		return notJudged(s.NoVictim(), 0), nil
	case n == 0:
		return notJudged(fmt.Sprintf("a live target is timed only when %s allows a sample size (each existing-account sample is a wrong password of the sacrificial account, within its cap)", target.EnvTimingSamples), 0), nil
	case s.Target.Live():
		n = min(n, s.Remaining())
	}
	if why, err := s.opened(ctx); why != "" || err != nil {
		return notJudged(why, 0), err
	}
	var existing, unknown []time.Duration
	first := 0
	for range n {
		s.Target.Reset()
		if _, err := s.Valid(ctx, s.Victim); err != nil {
			return notJudged("", len(existing)), err
		}
		e, err := s.wrongPassword(ctx)
		if err != nil {
			return notJudged("", len(existing)+1), err
		}
		if first == 0 {
			first = e.Attempt.Exchange.Status
		}
		if e.Attempt.Exchange.Status != first {
			break
		}
		s.Target.Reset()
		u, err := s.Unknown(ctx, s.Victim)
		if err != nil {
			return notJudged("", len(existing)+1), err
		}
		existing, unknown = append(existing, e.Elapsed), append(unknown, u.Elapsed)
	}
	wrong := len(existing)
	if len(existing) < n {
		wrong++ // the answer that changed
	}
	a := s.finish(advisory.EnumerationByTiming(existing, unknown, advisory.DefaultTiming), wrong)
	if !s.Target.Live() {
		a.Cap = 0 // the mock's demo account: timing is not capped there
	}
	return a, nil
}

// NotStored signs every account of the target in (no wrong password) and
// holds each answer carrying a token, and every one recorded before, to
// Cache-Control: no-store.
func (s *Session) NotStored(ctx context.Context) (results.Advisory, error) {
	for _, a := range s.Target.Accounts {
		s.Target.Reset()
		if _, err := s.Valid(ctx, a); err != nil {
			return results.Advisory{}, err
		}
	}
	return s.finish(advisory.CredentialsNotStored(s.Recorded()), 0), nil
}

// NothingEchoed signs the main account in and an unknown account (no
// wrong password of a real account), then looks for every credential sent
// in every answer recorded, these and the earlier checks'.
func (s *Session) NothingEchoed(ctx context.Context) (results.Advisory, error) {
	s.Target.Reset()
	main := s.Target.Accounts[0]
	if _, err := s.Valid(ctx, main); err != nil {
		return results.Advisory{}, err
	}
	if _, err := s.Unknown(ctx, main); err != nil {
		return results.Advisory{}, err
	}
	return s.finish(advisory.NothingEchoed(s.Recorded()), 0), nil
}

func orNone(s string) string {
	if s == "" {
		return "no variant"
	}
	return s
}
