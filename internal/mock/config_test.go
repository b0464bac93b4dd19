package mock

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"rate", func(c *Config) { c.Rate = 0 }, "--rate"},
		{"burst", func(c *Config) { c.Burst = 0 }, "--burst"},
		{"key-by", func(c *Config) { c.KeyBy = "ip" }, "--key-by"},
		{"max-keys", func(c *Config) { c.MaxKeys = 0 }, "--max-keys"},
		{"lock-threshold", func(c *Config) { c.LockThreshold = -1 }, "--lock-threshold"},
		{"lock-window", func(c *Config) { c.LockWindow = 0 }, "--lock-window"},
		{"latency", func(c *Config) { c.Jitter = -time.Second }, "--jitter"},
		{"error-ratio", func(c *Config) { c.ErrorRatio = 1.5 }, "--error-ratio"},
		{"drift", func(c *Config) { c.Drifts = []Drift{"bogus"} }, `"bogus"`},
		{"max-body-bytes", func(c *Config) { c.MaxBodyBytes = 0 }, "--max-body-bytes"},
		{"token", func(c *Config) { c.WebexTokens = []string{"a b"} }, "--webex-token"},
		{"org", func(c *Config) { c.WebexOrgIDs = []string{""} }, "--webex-org-id"},
		{"redsky", func(c *Config) { c.RedSkyAccounts = []RedSkyAccount{{Email: "x", Password: "p"}} }, "--redsky-account"},
		{"commvault", func(c *Config) { c.CommvaultAccounts = []CommvaultAccount{{Username: "u"}} }, "--commvault-account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want a message naming %s", err, tt.want)
			}
		})
	}
}

func TestNewRepairsAndLogs(t *testing.T) {
	var log bytes.Buffer
	c := DefaultConfig()
	c.Rate, c.ErrorRatio = -1, 7
	m := New(c, WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
	if !containsAll(log.String(), "--rate", "--error-ratio") {
		t.Fatalf("the repair was not logged: %s", log.String())
	}
	if ex := do(m, webexReq(validWebexBody())); ex.Status != 200 {
		t.Fatalf("a repaired mock answered %d", ex.Status)
	}
}

func TestBindFlags(t *testing.T) {
	c := DefaultConfig()
	fs := pflag.NewFlagSet("mock", pflag.ContinueOnError)
	c.BindFlags(fs)
	err := fs.Parse([]string{
		"--rate=100", "--burst=20", "--key-by=address", "--lock-threshold=3", "--lock-duration=1m",
		"--drift=wrong-type,html-5xx", "--drift=no-variant", "--error-ratio=0.01", "--latency=5ms",
		"--webex-token=t1,t2", "--redsky-account=a@example.com:pw", "--commvault-account=bob:pw2",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Rate != 100 || c.Burst != 20 || c.KeyBy != KeyByAddress || c.LockThreshold != 3 || c.LockDuration != time.Minute ||
		len(c.Drifts) != 3 || c.ErrorRatio != 0.01 || c.Latency != 5*time.Millisecond ||
		len(c.WebexTokens) != 2 || len(c.RedSkyAccounts) != 1 || c.RedSkyAccounts[0].Email != "a@example.com" ||
		len(c.CommvaultAccounts) != 1 || c.CommvaultAccounts[0].Password != "pw2" {
		t.Fatalf("flags not applied: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"--key-by=ip"}, {"--drift=bogus"}, {"--redsky-account=nopassword"}, {"--redsky-account=notanemail:pw"}} {
		fs := pflag.NewFlagSet("mock", pflag.ContinueOnError)
		fs.SetOutput(&bytes.Buffer{})
		c := DefaultConfig()
		c.BindFlags(fs)
		if err := fs.Parse(bad); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
}

func TestHelpShowsNoPassword(t *testing.T) {
	c := DefaultConfig()
	fs := pflag.NewFlagSet("mock", pflag.ContinueOnError)
	c.BindFlags(fs)
	help := fs.FlagUsages()
	if strings.Contains(help, DemoRedSkyPassword) || strings.Contains(help, DemoCommvaultPassword) {
		t.Fatalf("--help shows a password:\n%s", help)
	}
	if !containsAll(help, "--rate", "--drift", "missing-required-field", DemoRedSkyEmail) {
		t.Fatalf("--help lacks flags or defaults:\n%s", help)
	}
}
