package mock

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"
)

// Demo credentials: the defaults of Config, which the suites' mock target
// uses. They are public on purpose; never reuse them anywhere real.
const (
	DemoWebexToken        = "demo-webex-admin-token"    // carries spark-admin:telephony_config_write
	DemoWebexTokenNoScope = "demo-webex-readonly-token" // valid, but lacks the write scope: 403
	DemoOrgID             = "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9kZW1v"
	DemoRedSkyEmail       = "redsky-admin@example.com"
	DemoRedSkyPassword    = "Demo-RedSky-Pass1"
	DemoRedSkyCompanyID   = "5b3e6a0c-1f2d-4c8e-9a7b-3d2f1e0c9b8a"
	// DemoRedSkyOrgID is a redSkyOrgId for sign-ins that send the optional
	// field; the mock checks only that it is a UUID.
	DemoRedSkyOrgID = "610af8f4-a4ed-4be3-ae6f-efcdcd4895a8"
	// DemoRedSkyLockoutEmail is a second account with DemoRedSkyPassword,
	// for suites to lock without locking DemoRedSkyEmail.
	DemoRedSkyLockoutEmail = "redsky-lockout@example.com"
	DemoCommvaultSaaSUser  = "saas-user@example.com" // an email: a SaaS sign-in
	DemoCommvaultUser      = "admin"                 // not an email: a customer-managed sign-in
	DemoCommvaultPassword  = "Demo-Commvault-Pass1"  // plain; clients send it Base64-encoded
	// DemoCommvaultLockoutUser is a customer-managed user with
	// DemoCommvaultPassword, for suites to lock without locking the others.
	DemoCommvaultLockoutUser = "lockout-user"
)

// KeyBy says what the rate limiter counts requests by.
type KeyBy string

const (
	// KeyByToken counts Webex requests per bearer token (per client address
	// when there is none) and Commvault requests, which carry no token before
	// sign-in, per client address.
	KeyByToken KeyBy = "token"
	// KeyByAddress counts requests per client IP address.
	KeyByAddress KeyBy = "address"
)

// RedSkyAccount is a RedSky admin account the Webex operation can sign in to.
type RedSkyAccount struct {
	Email, Password       string
	CompanyID             string // a UUID, as the spec requires
	AccountMatch          bool
	ExternalTenantEnabled bool
}

// CommvaultAccount is a Commvault user. Password is plain text: clients send
// it Base64-encoded, as the API requires.
type CommvaultAccount struct {
	Username, Password string
	FullName, Email    string
	UserGUID           string
	Company            string
}

// Config is everything the mock can be told. DefaultConfig gives the demo
// values; BindFlags exposes the same fields as command-line flags.
type Config struct {
	WebexTokens        []string // bearer tokens with the write scope
	WebexTokensNoScope []string // valid tokens without it (403)
	WebexOrgIDs        []string // orgId values the mock knows; others are 404
	RedSkyAccounts     []RedSkyAccount
	CommvaultAccounts  []CommvaultAccount

	Rate    float64 // requests per second each key may send
	Burst   int     // requests a key may send at once
	KeyBy   KeyBy
	MaxKeys int // cap of keys tracked at once (at least 64); beyond it new keys share one bucket
	// CommvaultRateLimit also limits Commvault. Off by default because the
	// Commvault spec documents no 429: when on, over-limit answers are 429s
	// the contract does not allow, meant for load-testing clients only.
	CommvaultRateLimit bool

	LockThreshold int           // failed sign-ins within LockWindow that lock an account; 0 turns lockout off
	LockWindow    time.Duration // how long failures are remembered
	LockDuration  time.Duration // how long a lock lasts

	Latency      time.Duration // added to every answer
	Jitter       time.Duration // up to this much more, uniformly
	ErrorRatio   float64       // share of Webex requests answered 503 with Retry-After, 0 to 1
	Drifts       []Drift
	MaxBodyBytes int64 // larger request bodies are refused (Webex 400, Commvault failure body)

	Clock  Clock        // nil: SystemClock
	Rand   rand.Source  // for jitter and the error ratio; nil: the runtime's generator
	Logger *slog.Logger // nil: discard
}

// DefaultConfig returns the demo configuration: the Demo* credentials, 50
// requests/s with a burst of 10 per token, and a 5-minute lock after 5 failed
// sign-ins within 15 minutes.
func DefaultConfig() Config {
	return Config{
		WebexTokens:        []string{DemoWebexToken},
		WebexTokensNoScope: []string{DemoWebexTokenNoScope},
		WebexOrgIDs:        []string{DemoOrgID},
		RedSkyAccounts: []RedSkyAccount{
			{Email: DemoRedSkyEmail, Password: DemoRedSkyPassword, CompanyID: DemoRedSkyCompanyID, AccountMatch: true},
			NewRedSkyAccount(DemoRedSkyLockoutEmail, DemoRedSkyPassword),
		},
		CommvaultAccounts: []CommvaultAccount{
			NewCommvaultAccount(DemoCommvaultSaaSUser, DemoCommvaultPassword),
			NewCommvaultAccount(DemoCommvaultUser, DemoCommvaultPassword),
			NewCommvaultAccount(DemoCommvaultLockoutUser, DemoCommvaultPassword),
		},
		Rate:          50,
		Burst:         10,
		KeyBy:         KeyByToken,
		MaxKeys:       100_000,
		LockThreshold: 5,
		LockWindow:    15 * time.Minute,
		LockDuration:  5 * time.Minute,
		MaxBodyBytes:  1 << 20,
	}
}

// NewRedSkyAccount returns an account whose company ID is derived from the
// email, so flags need give only email and password.
func NewRedSkyAccount(email, password string) RedSkyAccount {
	return RedSkyAccount{Email: email, Password: password, CompanyID: derivedUUID("redsky:" + email), AccountMatch: true}
}

// NewCommvaultAccount fills a user's profile from its name.
func NewCommvaultAccount(username, password string) CommvaultAccount {
	email := username
	if !strings.Contains(email, "@") {
		email = username + "@example.com"
	}
	return CommvaultAccount{
		Username: username, Password: password,
		FullName: "Demo " + username, Email: email,
		UserGUID: strings.ToUpper(derivedUUID("commvault:" + username)),
		Company:  "Demo Company",
	}
}

// derivedUUID makes a stable UUID (version 8, RFC 9562) from a name.
func derivedUUID(name string) string {
	sum := sha256.Sum256([]byte(name))
	sum[6] = sum[6]&0x0f | 0x80
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// Option changes a Config, as vegeta's attacker options do.
type Option func(*Config)

// WithClock makes the mock read time from c.
func WithClock(c Clock) Option { return func(cfg *Config) { cfg.Clock = c } }

// WithRand makes jitter and the error ratio draw from src, for repeatable runs.
func WithRand(src rand.Source) Option { return func(cfg *Config) { cfg.Rand = src } }

// WithLogger sets the logger; requests are logged at debug level.
func WithLogger(l *slog.Logger) Option { return func(cfg *Config) { cfg.Logger = l } }

// WithRate sets the per-key rate (requests/s) and burst.
func WithRate(perSecond float64, burst int) Option {
	return func(cfg *Config) { cfg.Rate, cfg.Burst = perSecond, burst }
}

// WithKeyBy sets what the limiter counts by.
func WithKeyBy(k KeyBy) Option { return func(cfg *Config) { cfg.KeyBy = k } }

// WithMaxKeys caps the keys the limiter tracks.
func WithMaxKeys(n int) Option { return func(cfg *Config) { cfg.MaxKeys = n } }

// WithCommvaultRateLimit turns the limiter on for Commvault (see Config).
func WithCommvaultRateLimit(on bool) Option { return func(cfg *Config) { cfg.CommvaultRateLimit = on } }

// WithLockout sets the lockout policy; threshold 0 turns it off.
func WithLockout(threshold int, window, duration time.Duration) Option {
	return func(cfg *Config) { cfg.LockThreshold, cfg.LockWindow, cfg.LockDuration = threshold, window, duration }
}

// WithLatency delays every answer by fixed plus a uniform share of jitter.
func WithLatency(fixed, jitter time.Duration) Option {
	return func(cfg *Config) { cfg.Latency, cfg.Jitter = fixed, jitter }
}

// WithErrorRatio answers that share of Webex requests with 503.
func WithErrorRatio(ratio float64) Option { return func(cfg *Config) { cfg.ErrorRatio = ratio } }

// WithDrift adds drift modes.
func WithDrift(d ...Drift) Option { return func(cfg *Config) { cfg.Drifts = append(cfg.Drifts, d...) } }

// rule is one constraint on a Config: Validate reports it, and New puts the
// default back for a field that breaks it, so a Mock is always usable.
type rule struct {
	check func(c *Config) error
	reset func(c, def *Config)
}

// must turns a condition into a rule's error.
func must(ok bool, msg string) error {
	if ok {
		return nil
	}
	return errors.New(msg)
}

var rules = []rule{
	{func(c *Config) error {
		return must(c.Rate > 0 && c.Rate <= 1e9, "--rate must be above 0 and at most 1e9 requests per second")
	},
		func(c, d *Config) { c.Rate = d.Rate }},
	{func(c *Config) error { return must(c.Burst >= 1, "--burst must be at least 1") },
		func(c, d *Config) { c.Burst = d.Burst }},
	{func(c *Config) error {
		return must(c.KeyBy == KeyByToken || c.KeyBy == KeyByAddress, "--key-by must be token or address")
	}, func(c, d *Config) { c.KeyBy = d.KeyBy }},
	{func(c *Config) error { return must(c.MaxKeys >= 1, "--max-keys must be at least 1") },
		func(c, d *Config) { c.MaxKeys = d.MaxKeys }},
	{func(c *Config) error { return must(c.LockThreshold >= 0, "--lock-threshold must be 0 (off) or more") },
		func(c, d *Config) { c.LockThreshold = d.LockThreshold }},
	{func(c *Config) error {
		return must(c.LockThreshold == 0 || c.LockWindow > 0 && c.LockDuration > 0,
			"--lock-window and --lock-duration must be positive when lockout is on")
	}, func(c, d *Config) { c.LockWindow, c.LockDuration = d.LockWindow, d.LockDuration }},
	{func(c *Config) error {
		return must(c.Latency >= 0 && c.Jitter >= 0, "--latency and --jitter must not be negative")
	},
		func(c, _ *Config) { c.Latency, c.Jitter = 0, 0 }},
	{func(c *Config) error {
		return must(c.ErrorRatio >= 0 && c.ErrorRatio <= 1, "--error-ratio must be between 0 and 1")
	},
		func(c, _ *Config) { c.ErrorRatio = 0 }},
	{func(c *Config) error {
		if _, err := newDriftSet(c.Drifts); err != nil {
			return fmt.Errorf("--drift: %w", err)
		}
		return nil
	}, func(c, _ *Config) { c.Drifts = nil }},
	{func(c *Config) error { return must(c.MaxBodyBytes >= 1, "--max-body-bytes must be at least 1") },
		func(c, d *Config) { c.MaxBodyBytes = d.MaxBodyBytes }},
	{func(c *Config) error {
		return must(goodTokens(c.WebexTokens) && goodTokens(c.WebexTokensNoScope),
			"--webex-token and --webex-token-no-scope values must be non-empty and contain no white space")
	}, func(c, d *Config) { c.WebexTokens, c.WebexTokensNoScope = d.WebexTokens, d.WebexTokensNoScope }},
	{func(c *Config) error {
		return must(goodOrgIDs(c.WebexOrgIDs), "--webex-org-id values must be non-empty")
	}, func(c, d *Config) { c.WebexOrgIDs = d.WebexOrgIDs }},
	{func(c *Config) error {
		return must(goodRedSky(c.RedSkyAccounts), "--redsky-account needs email:password with a valid email and a non-empty password (and a UUID company ID)")
	}, func(c, d *Config) { c.RedSkyAccounts = d.RedSkyAccounts }},
	{func(c *Config) error {
		return must(goodCommvault(c.CommvaultAccounts), "--commvault-account needs username:password, both non-empty")
	}, func(c, d *Config) { c.CommvaultAccounts = d.CommvaultAccounts }},
}

// Validate reports every broken field at once, in flag terms.
func (c *Config) Validate() error {
	var errs []error
	for _, r := range rules {
		if err := r.check(c); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// repair puts back the default of every broken field and returns what was wrong.
func (c *Config) repair() error {
	def := DefaultConfig()
	var errs []error
	for _, r := range rules {
		if err := r.check(c); err != nil {
			r.reset(c, &def)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func goodTokens(tokens []string) bool {
	for _, t := range tokens {
		if t == "" || strings.ContainsAny(t, " \t\r\n") {
			return false
		}
	}
	return true
}

func goodOrgIDs(ids []string) bool {
	for _, id := range ids {
		if id == "" {
			return false
		}
	}
	return true
}

func goodRedSky(accounts []RedSkyAccount) bool {
	for _, a := range accounts {
		if !isEmail(a.Email) || a.Password == "" || !isUUID(a.CompanyID) {
			return false
		}
	}
	return true
}

func goodCommvault(accounts []CommvaultAccount) bool {
	for _, a := range accounts {
		if a.Username == "" || a.Password == "" {
			return false
		}
	}
	return true
}
