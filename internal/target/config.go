// Package target says where the suites send their requests: for each API a
// base URL, the credentials to use and a bounded HTTP client, either a live
// server named by the HARNESS_* variables or the in-process mock. The live
// client carries the safety rails a real login endpoint needs (no Prefer,
// one wrong password per account, Retry-After obeyed), so no test can forget
// them.
//
// It is also the one client-side home of what a client knows about the two
// APIs, which the suites, the load runner and the benchmarks share: how each
// sign-in is built (SignIn, LoginBody, LoginRequest; Webex and both Commvault
// editions), which accounts the mock knows (MockAccounts), where it serves
// each API (MockBaseURL) and how to start it in process (StartMock).
package target

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

// Variable is one HARNESS_* setting. The CLI binds one flag per Variable,
// so the environment and `harness run` flags stay one list.
type Variable struct {
	Env    string // HARNESS_WEBEX_URL
	Flag   string // webex-url
	Help   string
	Secret bool         // never echo the value: not in --help defaults, logs or errors
	Bool   bool         // a yes or no: the flag takes no value, the variable 1/true or 0/false
	API    contract.API // the API it configures; "" for the run as a whole
}

// The variables FromEnv reads.
const (
	EnvWebexURL            = "HARNESS_WEBEX_URL"
	EnvWebexToken          = "HARNESS_WEBEX_TOKEN"
	EnvWebexTokenNoScope   = "HARNESS_WEBEX_TOKEN_NO_SCOPE"
	EnvWebexOrgID          = "HARNESS_WEBEX_ORG_ID"
	EnvRedSkyEmail         = "HARNESS_REDSKY_EMAIL"
	EnvRedSkyPassword      = "HARNESS_REDSKY_PASSWORD"
	EnvRedSkyOrgID         = "HARNESS_REDSKY_ORG_ID"
	EnvCommvaultURL        = "HARNESS_COMMVAULT_URL"
	EnvCommvaultUsername   = "HARNESS_COMMVAULT_USERNAME"
	EnvCommvaultPassword   = "HARNESS_COMMVAULT_PASSWORD"
	EnvCommvaultVariant    = "HARNESS_COMMVAULT_VARIANT"
	EnvCommvaultDomain     = "HARNESS_COMMVAULT_DOMAIN"
	EnvCommvaultCommserver = "HARNESS_COMMVAULT_COMMSERVER"
	EnvInsecureTLS         = "HARNESS_INSECURE_TLS"
	EnvMockDrift           = "HARNESS_MOCK_DRIFT"
	EnvAttemptTimeout      = "HARNESS_ATTEMPT_TIMEOUT"
)

// MaxAttemptTimeout is the longest HARNESS_ATTEMPT_TIMEOUT taken: one
// request that may hang for longer would leave a run hung for too long.
const MaxAttemptTimeout = 10 * time.Minute

var variables = []Variable{
	{Env: EnvWebexURL, Flag: "webex-url", API: contract.Webex, Help: "Webex base URL up to /v1, e.g. https://webexapis.com/v1; unset tests Webex on the in-process mock (set but empty is an error)"},
	{Env: EnvWebexToken, Flag: "webex-token", API: contract.Webex, Secret: true, Help: "Webex bearer token of a full admin with spark-admin:telephony_config_write"},
	{Env: EnvWebexTokenNoScope, Flag: "webex-token-no-scope", API: contract.Webex, Secret: true, Help: "Webex bearer token without the write scope; enables the live 403 check"},
	{Env: EnvWebexOrgID, Flag: "webex-org-id", API: contract.Webex, Help: "orgId query parameter of the Webex login"},
	{Env: EnvRedSkyEmail, Flag: "redsky-email", API: contract.Webex, Help: "RedSky admin email"},
	{Env: EnvRedSkyPassword, Flag: "redsky-password", API: contract.Webex, Secret: true, Help: "RedSky admin password"},
	{Env: EnvRedSkyOrgID, Flag: "redsky-org-id", API: contract.Webex, Help: "redSkyOrgId body field (a UUID)"},
	{Env: EnvCommvaultURL, Flag: "commvault-url", API: contract.Commvault, Help: "Commvault web-service base, e.g. https://host/commandcenter/api; unset tests Commvault on the in-process mock (set but empty is an error)"},
	{Env: EnvCommvaultUsername, Flag: "commvault-username", API: contract.Commvault, Help: "Commvault user name (an email for saas)"},
	{Env: EnvCommvaultPassword, Flag: "commvault-password", API: contract.Commvault, Secret: true, Help: "Commvault password, plain (the harness Base64-encodes it)"},
	{Env: EnvCommvaultVariant, Flag: "commvault-variant", API: contract.Commvault, Help: "saas or customer-managed"},
	{Env: EnvCommvaultDomain, Flag: "commvault-domain", API: contract.Commvault, Help: "Commvault domain of a domain user (customer-managed)"},
	{Env: EnvCommvaultCommserver, Flag: "commvault-commserver", API: contract.Commvault, Help: `remote CommServe as "<host name>*<CommServe name>" (customer-managed)`},
	{Env: EnvInsecureTLS, Flag: "insecure-tls", Bool: true, Help: "skip TLS certificate verification of live servers (variable: 1 or true)"},
	{Env: EnvMockDrift, Flag: "mock-drift", Help: "comma-separated drift modes of the in-process mock, to see the suites catch a broken contract"},
	{Env: EnvAttemptTimeout, Flag: "attempt-timeout", Help: "longest one request to a target may take, body included, as a Go duration (default 30s)"},
}

// Variables lists every variable FromEnv reads, in a stable order.
func Variables() []Variable { return slices.Clone(variables) }

// Edition is the edition of a Commvault server, which decides the shape of
// its sign-in request and answer. HARNESS_COMMVAULT_VARIANT names it, and
// the spec's request and response variants are per edition (see EditionOf).
type Edition string

// The Commvault editions, as HARNESS_COMMVAULT_VARIANT spells them.
const (
	SaaS            Edition = "saas"
	CustomerManaged Edition = "customer-managed"
)

// Editions lists the Commvault editions in a stable order.
func Editions() []Edition { return []Edition{SaaS, CustomerManaged} }

// ParseEdition reads a HARNESS_COMMVAULT_VARIANT value.
func ParseEdition(s string) (Edition, error) {
	for _, e := range Editions() {
		if string(e) == s {
			return e, nil
		}
	}
	return "", fmt.Errorf("unknown Commvault variant %q: valid variants are %s, %s", s, SaaS, CustomerManaged)
}

// Config is the whole target configuration of a run. An API whose URL is
// empty is tested on the in-process mock.
type Config struct {
	Webex       WebexConfig
	Commvault   CommvaultConfig
	InsecureTLS bool
	MockDrifts  []mock.Drift // applied to every in-process mock
	// AttemptTimeout bounds one attempt, body included; 0 is DefaultTimeout.
	AttemptTimeout time.Duration
}

// WebexConfig is how to reach and sign in to a live Webex.
type WebexConfig struct {
	URL                 string // base up to /v1, no trailing slash; "" for the mock
	Token, TokenNoScope string
	OrgID               string
	Email, Password     string // the RedSky admin account
	RedSkyOrgID         string
}

// CommvaultConfig is how to reach and sign in to a live Commvault.
type CommvaultConfig struct {
	URL                string // web-service base, no trailing slash; "" for the mock
	Username, Password string // Password is plain text
	Edition            Edition
	Domain, Commserver string
}

// Live tells whether api is tested against a live server.
func (c Config) Live(api contract.API) bool { return c.URL(api) != "" }

// URL is the live base URL of api, "" when it is tested on the mock.
func (c Config) URL(api contract.API) string {
	switch api {
	case contract.Webex:
		return c.Webex.URL
	case contract.Commvault:
		return c.Commvault.URL
	}
	return ""
}

// LiveAccount is the account the configuration signs in to api's live
// server with.
func (c Config) LiveAccount(api contract.API) Account {
	switch api {
	case contract.Webex:
		w := c.Webex
		return Account{User: w.Email, Password: w.Password, Token: w.Token, TokenNoScope: w.TokenNoScope, OrgID: w.OrgID, RedSkyOrgID: w.RedSkyOrgID}
	case contract.Commvault:
		cv := c.Commvault
		return Account{Edition: cv.Edition, User: cv.Username, Password: cv.Password, Domain: cv.Domain, Commserver: cv.Commserver}
	}
	return Account{}
}

// FromLookup reads the HARNESS_* variables through lookup (os.LookupEnv,
// or a map in tests). It reports every bad value at once, naming the
// variable and never echoing a secret. A URL variable that is set but
// empty is an error: a live job whose variable came out empty would
// otherwise test the mock and pass.
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	getenv := func(name string) string { v, _ := lookup(name); return v }
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var errs []error
	var c Config
	for _, name := range []string{EnvWebexURL, EnvCommvaultURL} {
		if v, set := lookup(name); set && strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("%s is set but empty: give the live server's base URL, or unset it to test on the in-process mock", name))
		}
	}

	c.Webex = WebexConfig{
		Token: get(EnvWebexToken), TokenNoScope: get(EnvWebexTokenNoScope), OrgID: get(EnvWebexOrgID),
		Email: get(EnvRedSkyEmail), Password: getenv(EnvRedSkyPassword), RedSkyOrgID: get(EnvRedSkyOrgID),
	}
	if raw := get(EnvWebexURL); raw != "" {
		u, err := baseURL(EnvWebexURL, raw)
		errs = append(errs, err)
		c.Webex.URL = u
		errs = append(errs, required(EnvWebexURL, map[string]string{
			EnvWebexToken: c.Webex.Token, EnvRedSkyEmail: c.Webex.Email, EnvRedSkyPassword: c.Webex.Password,
		}))
		if c.Webex.Email != "" && !looksLikeEmail(c.Webex.Email) {
			errs = append(errs, fmt.Errorf("%s %q is not an email address", EnvRedSkyEmail, c.Webex.Email))
		}
		if c.Webex.RedSkyOrgID != "" && !uuidPattern.MatchString(c.Webex.RedSkyOrgID) {
			errs = append(errs, fmt.Errorf("%s %q is not a UUID", EnvRedSkyOrgID, c.Webex.RedSkyOrgID))
		}
	}

	c.Commvault = CommvaultConfig{
		Username: get(EnvCommvaultUsername), Password: getenv(EnvCommvaultPassword),
		Domain: get(EnvCommvaultDomain), Commserver: get(EnvCommvaultCommserver),
	}
	variant := get(EnvCommvaultVariant)
	if raw := get(EnvCommvaultURL); raw != "" {
		u, err := baseURL(EnvCommvaultURL, raw)
		errs = append(errs, err)
		c.Commvault.URL = u
		errs = append(errs, required(EnvCommvaultURL, map[string]string{
			EnvCommvaultUsername: c.Commvault.Username, EnvCommvaultPassword: c.Commvault.Password,
			EnvCommvaultVariant: variant,
		}))
		errs = append(errs, c.Commvault.readEdition(variant))
	}

	switch v := get(EnvInsecureTLS); v {
	case "", "0", "false":
	case "1", "true":
		c.InsecureTLS = true
	default:
		errs = append(errs, fmt.Errorf("%s=%q: use 1 or true to skip TLS verification, 0 or false (or leave it unset) to verify", EnvInsecureTLS, v))
	}
	drifts, err := mock.ParseDrifts(get(EnvMockDrift))
	if err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", EnvMockDrift, err))
	}
	c.MockDrifts = drifts
	if v := get(EnvAttemptTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > MaxAttemptTimeout {
			errs = append(errs, fmt.Errorf("%s=%q: want a duration above 0 and at most %s, e.g. 10s", EnvAttemptTimeout, v, MaxAttemptTimeout))
		} else {
			c.AttemptTimeout = d
		}
	}
	return c, errors.Join(errs...)
}

// FromEnv is FromLookup through getenv, which cannot tell an empty
// variable from an unset one: an empty URL reads as unset, the mock.
// Prefer FromLookup wherever the environment is read first.
func FromEnv(getenv func(string) string) (Config, error) {
	return FromLookup(func(name string) (string, bool) {
		v := getenv(name)
		return v, v != ""
	})
}

// readEdition checks the edition and that the other values fit it, since
// the request's shape, not a flag, tells the server which edition it is.
func (c *CommvaultConfig) readEdition(raw string) error {
	if raw == "" {
		return nil // reported as missing
	}
	v, err := ParseEdition(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", EnvCommvaultVariant, err)
	}
	c.Edition = v
	var errs []error
	if v == SaaS && c.Username != "" && !looksLikeEmail(c.Username) {
		errs = append(errs, fmt.Errorf("%s=saas needs an email address in %s", EnvCommvaultVariant, EnvCommvaultUsername))
	}
	if v == SaaS && (c.Domain != "" || c.Commserver != "") {
		errs = append(errs, fmt.Errorf("%s and %s are customer-managed fields, but %s=saas", EnvCommvaultDomain, EnvCommvaultCommserver, EnvCommvaultVariant))
	}
	if c.Commserver != "" && !commserverPattern.MatchString(c.Commserver) {
		errs = append(errs, fmt.Errorf(`%s %q is not written "<host name>*<CommServe name>"`, EnvCommvaultCommserver, c.Commserver))
	}
	return errors.Join(errs...)
}

var (
	uuidPattern       = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	commserverPattern = regexp.MustCompile(`^[^*]+\*[^*]+$`)
)

func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t") && !strings.Contains(domain, "@")
}

// baseURL checks a live base URL: http or https, a host, no credentials, no
// query, and returns it without a trailing slash.
func baseURL(name, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole value, user:password@ included: show
		// only the reason, and the value when it names no credentials.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if strings.Contains(raw, "@") {
			return "", fmt.Errorf("%s is not a URL (the value is not shown: it seems to carry credentials, which belong in the token and password variables): %v", name, err)
		}
		return "", fmt.Errorf("%s %q is not a URL: %v", name, raw, err)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%s %q: port %s is not between 1 and 65535", name, u.Redacted(), p)
		}
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%s %q must be an http:// or https:// URL", name, u.Redacted())
	case u.Host == "":
		return "", fmt.Errorf("%s %q names no host", name, u.Redacted())
	case u.User != nil:
		return "", fmt.Errorf("%s must not carry credentials in the URL; use the token and password variables", name)
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%s %q must be a base URL without query or fragment", name, u.Redacted())
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// required names every empty value that a set URL makes necessary.
func required(because string, values map[string]string) error {
	var missing []string
	for name, v := range values {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return fmt.Errorf("%s is set, so %s must be set too", because, strings.Join(missing, ", "))
}
