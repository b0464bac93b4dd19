package mock

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// BindFlags registers the Config fields as flags on fs, with the current
// values as defaults, so `harness mock --help` documents the demo set-up.
// Account flags replace the demo accounts once given.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.WebexTokens, "webex-token", c.WebexTokens, "Webex bearer tokens with the spark-admin:telephony_config_write scope")
	fs.StringSliceVar(&c.WebexTokensNoScope, "webex-token-no-scope", c.WebexTokensNoScope, "valid Webex tokens without the write scope (answered 403)")
	fs.StringSliceVar(&c.WebexOrgIDs, "webex-org-id", c.WebexOrgIDs, "Webex orgId values the mock knows; any other orgId is answered 404")
	fs.Var(&listFlag[RedSkyAccount]{list: &c.RedSkyAccounts, parse: parseRedSky, name: func(a RedSkyAccount) string { return a.Email }},
		"redsky-account", "RedSky admin accounts as email:password (repeatable)")
	fs.Var(&listFlag[CommvaultAccount]{list: &c.CommvaultAccounts, parse: parseCommvault, name: func(a CommvaultAccount) string { return a.Username }},
		"commvault-account", "Commvault users as username:password, plain password; an email user name signs in as SaaS (repeatable)")

	fs.Float64Var(&c.Rate, "rate", c.Rate, "requests per second each key may send")
	fs.IntVar(&c.Burst, "burst", c.Burst, "requests a key may send at once")
	fs.Var((*keyByFlag)(&c.KeyBy), "key-by", "what the rate limit counts by: token (Webex bearer token) or address (client IP)")
	fs.IntVar(&c.MaxKeys, "max-keys", c.MaxKeys, "most keys tracked at once; beyond it new keys share one bucket")
	fs.BoolVar(&c.CommvaultRateLimit, "commvault-rate-limit", c.CommvaultRateLimit, "rate-limit Commvault too, with 429s its spec does not document")

	fs.IntVar(&c.LockThreshold, "lock-threshold", c.LockThreshold, "failed sign-ins within --lock-window that lock an account (0: never lock)")
	fs.DurationVar(&c.LockWindow, "lock-window", c.LockWindow, "how long failed sign-ins are counted")
	fs.DurationVar(&c.LockDuration, "lock-duration", c.LockDuration, "how long a locked account stays locked")

	fs.DurationVar(&c.Latency, "latency", c.Latency, "delay added to every answer")
	fs.DurationVar(&c.Jitter, "jitter", c.Jitter, "up to this much more delay, uniformly drawn")
	fs.Float64Var(&c.ErrorRatio, "error-ratio", c.ErrorRatio, "share of Webex requests answered 503 with Retry-After (0 to 1)")
	fs.Var((*driftFlag)(&c.Drifts), "drift", "contract breaks and leaks to make on purpose, comma-separated: "+driftNames())
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest request body accepted")
}

func driftNames() string {
	all := known()
	names := make([]string, len(all))
	for i, d := range all {
		names[i] = string(d)
	}
	return strings.Join(names, ", ")
}

// listFlag is a repeatable flag whose first use replaces the defaults.
// String shows names only: the defaults appear in --help, passwords must not.
type listFlag[T any] struct {
	list    *[]T
	parse   func(string) (T, error)
	name    func(T) string
	changed bool
}

func (f *listFlag[T]) Set(s string) error {
	var items []T
	for part := range strings.SplitSeq(s, ",") {
		item, err := f.parse(strings.TrimSpace(part))
		if err != nil {
			return err
		}
		items = append(items, item)
	}
	if !f.changed {
		*f.list = nil
		f.changed = true
	}
	*f.list = append(*f.list, items...)
	return nil
}

func (f *listFlag[T]) String() string {
	if f.list == nil {
		return ""
	}
	names := make([]string, len(*f.list))
	for i, item := range *f.list {
		names[i] = f.name(item)
	}
	return "[" + strings.Join(names, ",") + "]"
}

func (f *listFlag[T]) Type() string { return "user:password" }

func splitCredential(s string) (user, password string, err error) {
	user, password, ok := strings.Cut(s, ":")
	if !ok || user == "" || password == "" {
		return "", "", fmt.Errorf("want user:password with both parts non-empty")
	}
	return user, password, nil
}

func parseRedSky(s string) (RedSkyAccount, error) {
	email, password, err := splitCredential(s)
	if err == nil && !isEmail(email) {
		err = fmt.Errorf("%q is not an email address", email)
	}
	return NewRedSkyAccount(email, password), err
}

func parseCommvault(s string) (CommvaultAccount, error) {
	user, password, err := splitCredential(s)
	return NewCommvaultAccount(user, password), err
}

type keyByFlag KeyBy

func (f *keyByFlag) Set(s string) error {
	if k := KeyBy(s); k == KeyByToken || k == KeyByAddress {
		*f = keyByFlag(k)
		return nil
	}
	return fmt.Errorf("want token or address")
}

func (f *keyByFlag) String() string { return string(*f) }
func (f *keyByFlag) Type() string   { return "token|address" }

type driftFlag []Drift

func (f *driftFlag) Set(s string) error {
	drifts, err := ParseDrifts(s)
	if err != nil {
		return err
	}
	*f = append(*f, drifts...)
	return nil
}

func (f *driftFlag) String() string {
	names := make([]string, len(*f))
	for i, d := range *f {
		names[i] = string(d)
	}
	return strings.Join(names, ",")
}

func (f *driftFlag) Type() string { return "drifts" }
