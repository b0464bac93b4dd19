package target

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/advisory"
	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

// The variables of the login advisories and the sacrificial accounts:
// accounts the team agreed may be locked, on which the lockout, enumeration
// and timing checks spend wrong passwords, never on the main accounts.
const (
	EnvRedSkySacrificialEmail       = "HARNESS_REDSKY_SACRIFICIAL_EMAIL"
	EnvRedSkySacrificialPassword    = "HARNESS_REDSKY_SACRIFICIAL_PASSWORD"
	EnvCommvaultSacrificialUsername = "HARNESS_COMMVAULT_SACRIFICIAL_USERNAME"
	EnvCommvaultSacrificialPassword = "HARNESS_COMMVAULT_SACRIFICIAL_PASSWORD"
	EnvSacrificialMaxWrong          = "HARNESS_SACRIFICIAL_MAX_WRONG_PASSWORDS"
	EnvSacrificialMaxWait           = "HARNESS_SACRIFICIAL_MAX_WAIT"
	EnvTimingSamples                = "HARNESS_TIMING_SAMPLES"
	EnvAdvisoriesGate               = "HARNESS_ADVISORIES_GATE"
	EnvAllowPlainHTTP               = "HARNESS_ALLOW_PLAIN_HTTP"
)

// Defaults and bounds of the advisory settings.
const (
	DefaultSacrificialMaxWrong = 10 // wrong passwords per sacrificial account and run
	MaxSacrificialMaxWrong     = 50
	DefaultSacrificialMaxWait  = 10 * time.Minute // longest lock waited out
	MaxSacrificialMaxWait      = time.Hour
	DefaultMockTimingSamples   = 20 // per side, on the mock
	MaxTimingSamples           = 500
)

var advisoryVariables = []Variable{
	{Env: EnvRedSkySacrificialEmail, Flag: "redsky-sacrificial-email", API: contract.Webex, Help: "RedSky account that may be locked: the lockout, enumeration and timing checks spend wrong passwords on it; unset, a live Webex skips them"},
	{Env: EnvRedSkySacrificialPassword, Flag: "redsky-sacrificial-password", API: contract.Webex, Secret: true, Help: "password of the sacrificial RedSky account"},
	{Env: EnvCommvaultSacrificialUsername, Flag: "commvault-sacrificial-username", API: contract.Commvault, Help: "Commvault user that may be locked (same edition as the main one); unset, a live Commvault skips the checks that spend wrong passwords"},
	{Env: EnvCommvaultSacrificialPassword, Flag: "commvault-sacrificial-password", API: contract.Commvault, Secret: true, Help: "password of the sacrificial Commvault user, plain"},
	{Env: EnvSacrificialMaxWrong, Flag: "sacrificial-max-wrong-passwords", Help: fmt.Sprintf("most wrong passwords sent to each sacrificial account in a run (default %d, at most %d)", DefaultSacrificialMaxWrong, MaxSacrificialMaxWrong)},
	{Env: EnvSacrificialMaxWait, Flag: "sacrificial-max-wait", Help: fmt.Sprintf("longest lock (Retry-After, remainingLockTime) waited out to see a sacrificial account open again, as a Go duration (default %s)", DefaultSacrificialMaxWait)},
	{Env: EnvTimingSamples, Flag: "timing-samples", Help: fmt.Sprintf("sign-ins per side of the timing comparison (default %d on the mock; live, unset skips it, and the existing-account side counts against the sacrificial cap)", DefaultMockTimingSamples)},
	{Env: EnvAdvisoriesGate, Flag: "advisories-gate", Bool: true, Help: "a raised login advisory fails the run (variable: 1 or true); by default advisories are reported and never turn a run red"},
	{Env: EnvAllowPlainHTTP, Flag: "allow-plain-http", Bool: true, Help: "allow a live URL with plain http:// to a host other than loopback, which sends passwords in clear text (variable: 1 or true)"},
}

// AdvisoryVariables lists the variables AdvisoryFromEnv reads, in a stable
// order; the CLI binds them as flags beside Variables.
func AdvisoryVariables() []Variable { return append([]Variable(nil), advisoryVariables...) }

// AdvisoryConfig is how the login advisories and the sacrificial-account
// checks run.
type AdvisoryConfig struct {
	// Sacrificial holds per API the account that may be locked; on the mock
	// it defaults to the mock's lockout accounts.
	Sacrificial map[contract.API]Account
	MaxWrong    int           // wrong passwords per sacrificial account and run
	MaxWait     time.Duration // longest lock waited out
	// TimingSamples per side of the timing comparison: the setting, else
	// DefaultMockTimingSamples, which only the mock takes (TimingSamplesOn).
	TimingSamples  int
	timingSet      bool
	Gate           bool // a raised advisory fails its spec
	AllowPlainHTTP bool
}

// SacrificialVariable names the setting of api's sacrificial account, for
// the skip that says what to set.
func SacrificialVariable(api contract.API) string {
	if api == contract.Webex {
		return EnvRedSkySacrificialEmail
	}
	return EnvCommvaultSacrificialUsername
}

// AdvisoryFromEnv reads the advisory variables through getenv for the
// target configuration cfg (FromEnv's). It reports every bad value at once,
// naming the variable and never echoing a secret, and refuses a live URL
// that would send passwords in clear text (CheckPlainHTTP).
func AdvisoryFromEnv(getenv func(string) string, cfg Config) (AdvisoryConfig, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	a := AdvisoryConfig{Sacrificial: map[contract.API]Account{}, MaxWrong: DefaultSacrificialMaxWrong, MaxWait: DefaultSacrificialMaxWait}
	var errs []error
	if v := get(EnvSacrificialMaxWrong); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxSacrificialMaxWrong {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number from 1 to %d", EnvSacrificialMaxWrong, v, MaxSacrificialMaxWrong))
		} else {
			a.MaxWrong = n
		}
	}
	if v := get(EnvSacrificialMaxWait); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > MaxSacrificialMaxWait {
			errs = append(errs, fmt.Errorf("%s=%q: want a duration from 0 to %s, e.g. 10m", EnvSacrificialMaxWait, v, MaxSacrificialMaxWait))
		} else {
			a.MaxWait = d
		}
	}
	a.TimingSamples = DefaultMockTimingSamples
	if v := get(EnvTimingSamples); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxTimingSamples {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number from 0 to %d", EnvTimingSamples, v, MaxTimingSamples))
		} else {
			a.TimingSamples, a.timingSet = n, true
		}
	}
	var err error
	a.Gate, err = yesNo(EnvAdvisoriesGate, get(EnvAdvisoriesGate))
	errs = append(errs, err)
	a.AllowPlainHTTP, err = yesNo(EnvAllowPlainHTTP, get(EnvAllowPlainHTTP))
	errs = append(errs, err)
	errs = append(errs, a.readSacrificial(get, getenv, cfg))
	if err := errors.Join(errs...); err != nil {
		return a, err
	}
	for _, api := range contract.APIs() {
		if err := CheckPlainHTTP(cfg, api, a.AllowPlainHTTP); err != nil {
			return a, err
		}
	}
	return a, nil
}

// TimingSamplesOn is the size of each side of the timing comparison on a
// target: on the mock the setting or its default, live only what the user
// allowed (0 when unset).
func (a AdvisoryConfig) TimingSamplesOn(live bool) int {
	if live && !a.timingSet {
		return 0
	}
	return a.TimingSamples
}

func yesNo(name, v string) (bool, error) {
	switch v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, fmt.Errorf("%s=%q: use 1 or true, 0 or false, or leave it unset", name, v)
}

// readSacrificial reads each API's sacrificial account: the mock's lockout
// account on the mock unless set, and on a live API only what is set, in
// the main account's edition and never the main account itself.
func (a *AdvisoryConfig) readSacrificial(get, getenv func(string) string, cfg Config) error {
	var errs []error
	for _, s := range []struct {
		api                contract.API
		userEnv, passEnv   string
		mockUser, mockPass string
		mainEnv            string
	}{
		{contract.Webex, EnvRedSkySacrificialEmail, EnvRedSkySacrificialPassword, mock.DemoRedSkyLockoutEmail, mock.DemoRedSkyPassword, EnvRedSkyEmail},
		{contract.Commvault, EnvCommvaultSacrificialUsername, EnvCommvaultSacrificialPassword, mock.DemoCommvaultLockoutUser, mock.DemoCommvaultPassword, EnvCommvaultUsername},
	} {
		live, main := cfg.Live(s.api), cfg.LiveAccount(s.api)
		user, password := get(s.userEnv), getenv(s.passEnv)
		switch {
		case user == "" && password == "" && !live:
			user, password = s.mockUser, s.mockPass
		case user == "" && password == "":
			continue // a live API without one skips the checks that need it
		case user == "" || strings.TrimSpace(password) == "":
			errs = append(errs, fmt.Errorf("%s and %s go together: set both or neither", s.userEnv, s.passEnv))
			continue
		case live && user == main.User:
			errs = append(errs, fmt.Errorf("%s names the main account (%s): wrong passwords are never spent on it; name an account that may be locked", s.userEnv, s.mainEnv))
			continue
		case s.api == contract.Webex && !looksLikeEmail(user):
			errs = append(errs, fmt.Errorf("%s %q is not an email address", s.userEnv, user))
			continue
		case s.api == contract.Commvault && live && main.Edition == SaaS && !looksLikeEmail(user):
			errs = append(errs, fmt.Errorf("%s=saas needs an email address in %s", EnvCommvaultVariant, s.userEnv))
			continue
		}
		acct := Account{User: user, Password: password}
		if s.api == contract.Commvault {
			acct.Edition = main.Edition
			if !live {
				acct.Edition = CustomerManaged
				if looksLikeEmail(user) {
					acct.Edition = SaaS
				}
			}
		}
		a.Sacrificial[s.api] = acct
	}
	return errors.Join(errs...)
}

// SacrificialOn is api's sacrificial account completed from base, the
// target's account of the same edition (tokens, orgId, domain, CommServe):
// only the account name and password are its own.
func (a AdvisoryConfig) SacrificialOn(api contract.API, base Account) (Account, bool) {
	s, ok := a.Sacrificial[api]
	if !ok {
		return Account{}, false
	}
	base.User, base.Password, base.Edition = s.User, s.Password, s.Edition
	return base, true
}

// CheckPlainHTTP refuses a live URL of api that would send passwords in
// clear text, plain http:// to a host other than loopback, unless allowed
// (HARNESS_ALLOW_PLAIN_HTTP). Call it before anything is sent; the error
// is a misconfiguration naming the URL's variable and the setting to allow it.
func CheckPlainHTTP(cfg Config, api contract.API, allowed bool) error {
	if allowed || !cfg.Live(api) || !advisory.PlainHTTPOffLoopback(cfg.URL(api)) {
		return nil
	}
	urlVar := EnvWebexURL
	if api == contract.Commvault {
		urlVar = EnvCommvaultURL
	}
	return &PreflightError{API: api, Class: Misconfigured, Variables: []string{urlVar, EnvAllowPlainHTTP},
		Message: fmt.Sprintf("%s is plain http:// to a host that is not loopback, so passwords would travel in clear text; use https://, or set %s=1 (--allow-plain-http) if you mean it", urlVar, EnvAllowPlainHTTP)}
}

// WithSacrificial lets a live target's rails take up to maxWrong wrong
// passwords for each of accounts, accounts the team agreed may be locked;
// every other account keeps the rail of one. A main account given here
// keeps its rail: wrong passwords are never spent on it.
func WithSacrificial(maxWrong int, accounts ...Account) Option {
	return func(o *options) { o.sacrificial, o.maxWrong = append(o.sacrificial, accounts...), maxWrong }
}
