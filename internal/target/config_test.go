package target

import (
	"strings"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

// Planted secrets: no error message may contain them.
const (
	plantedToken    = "planted-token-6f1c"
	plantedPassword = "planted-password-9b2e"
)

func liveVars() map[string]string {
	return map[string]string{
		EnvWebexURL:          "https://webex.example.com/v1/",
		EnvWebexToken:        plantedToken,
		EnvRedSkyEmail:       "admin@example.com",
		EnvRedSkyPassword:    plantedPassword,
		EnvCommvaultURL:      "http://cv.example.com/commandcenter/api",
		EnvCommvaultUsername: "admin",
		EnvCommvaultPassword: plantedPassword,
		EnvCommvaultVariant:  "customer-managed",
	}
}

func fromMap(m map[string]string) (Config, error) {
	return FromEnv(func(k string) string { return m[k] })
}

func TestFromEnvDefaultsToTheMock(t *testing.T) {
	cfg, err := fromMap(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, api := range contract.APIs() {
		if cfg.Live(api) {
			t.Errorf("%s is live with no variable set", api)
		}
	}
}

// TestFromLookupRefusesAnEmptyURL: a URL variable set but empty, as a CI
// job's missing repository variable leaves it, names the variable instead
// of testing the mock; unset, it is the mock.
func TestFromLookupRefusesAnEmptyURL(t *testing.T) {
	for _, name := range []string{EnvWebexURL, EnvCommvaultURL} {
		for _, empty := range []string{"", "  "} {
			_, err := FromLookup(func(k string) (string, bool) {
				if k == name {
					return empty, true
				}
				return "", false
			})
			if err == nil || !strings.Contains(err.Error(), name+" is set but empty") {
				t.Errorf("%s=%q: %v", name, empty, err)
			}
		}
	}
	if _, err := FromLookup(func(string) (string, bool) { return "", false }); err != nil {
		t.Errorf("nothing set: %v", err)
	}
}

func TestFromEnvReadsALiveConfiguration(t *testing.T) {
	vars := liveVars()
	vars[EnvMockDrift] = "wrong-type"
	vars[EnvInsecureTLS] = "1"
	cfg, err := fromMap(vars)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Webex.URL != "https://webex.example.com/v1" {
		t.Errorf("Webex URL %q keeps its trailing slash", cfg.Webex.URL)
	}
	if !cfg.Live(contract.Webex) || !cfg.Live(contract.Commvault) || cfg.Commvault.Edition != CustomerManaged || !cfg.InsecureTLS {
		t.Errorf("config %+v does not reflect the variables", cfg)
	}
	if len(cfg.MockDrifts) != 1 || cfg.MockDrifts[0] != mock.DriftWrongType {
		t.Errorf("drifts %v", cfg.MockDrifts)
	}
}

func TestFromEnvRejectsBadValuesClearly(t *testing.T) {
	tests := map[string]struct {
		set  map[string]string
		want []string // in the error
	}{
		"not http":                       {map[string]string{EnvWebexURL: "ftp://webex.example.com/v1"}, []string{EnvWebexURL, "http:// or https://"}},
		"no host":                        {map[string]string{EnvCommvaultURL: "https:///api"}, []string{EnvCommvaultURL, "no host"}},
		"credentials in URL":             {map[string]string{EnvWebexURL: "https://u:" + plantedPassword + "@webex.example.com/v1"}, []string{EnvWebexURL, "credentials"}},
		"query in URL":                   {map[string]string{EnvWebexURL: "https://webex.example.com/v1?orgId=x"}, []string{"without query"}},
		"unparsable URL":                 {map[string]string{EnvWebexURL: "http://[::1/v1"}, []string{EnvWebexURL, `"http://[::1/v1"`, "is not a URL", "missing ']'"}},
		"unparsable URL with password":   {map[string]string{EnvWebexURL: "https://u:" + plantedPassword + "@web ex.example.com/v1"}, []string{EnvWebexURL, "is not a URL", "not shown"}},
		"bad escape in a password":       {map[string]string{EnvCommvaultURL: "https://u:" + plantedPassword + "%zz@cv.example.com/api"}, []string{EnvCommvaultURL, "is not a URL", "not shown"}},
		"port out of range":              {map[string]string{EnvWebexURL: "http://127.0.0.1:99999/v1"}, []string{EnvWebexURL, "port 99999", "between 1 and 65535"}},
		"port zero":                      {map[string]string{EnvCommvaultURL: "http://127.0.0.1:0/api"}, []string{EnvCommvaultURL, "port 0"}},
		"missing token":                  {map[string]string{EnvWebexToken: ""}, []string{EnvWebexURL + " is set", EnvWebexToken}},
		"unknown variant":                {map[string]string{EnvCommvaultVariant: "cloud"}, []string{EnvCommvaultVariant, `"cloud"`, "saas, customer-managed"}},
		"missing variant":                {map[string]string{EnvCommvaultVariant: ""}, []string{EnvCommvaultVariant}},
		"saas without email":             {map[string]string{EnvCommvaultVariant: "saas"}, []string{"email address", EnvCommvaultUsername}},
		"saas with domain":               {map[string]string{EnvCommvaultVariant: "saas", EnvCommvaultUsername: "a@example.com", EnvCommvaultDomain: "corp"}, []string{"customer-managed fields"}},
		"bad commserver":                 {map[string]string{EnvCommvaultCommserver: "host-only"}, []string{EnvCommvaultCommserver}},
		"bad email":                      {map[string]string{EnvRedSkyEmail: "admin"}, []string{EnvRedSkyEmail}},
		"bad RedSky org":                 {map[string]string{EnvRedSkyOrgID: "org-1"}, []string{EnvRedSkyOrgID, "UUID"}},
		"bad insecure TLS":               {map[string]string{EnvInsecureTLS: "yes"}, []string{EnvInsecureTLS}},
		"unknown drift":                  {map[string]string{EnvMockDrift: "nosuch"}, []string{EnvMockDrift, "nosuch"}},
		"attempt timeout not a duration": {map[string]string{EnvAttemptTimeout: "soon"}, []string{EnvAttemptTimeout, `"soon"`, "duration"}},
		"attempt timeout zero":           {map[string]string{EnvAttemptTimeout: "0s"}, []string{EnvAttemptTimeout, "above 0"}},
		"attempt timeout too long":       {map[string]string{EnvAttemptTimeout: "1h"}, []string{EnvAttemptTimeout, "at most 10m"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			vars := liveVars()
			for k, v := range tt.set {
				vars[k] = v
			}
			_, err := fromMap(vars)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			for _, secret := range []string{plantedToken, plantedPassword} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows a secret", err)
				}
			}
		})
	}
}

func TestFromEnvReadsTheAttemptTimeout(t *testing.T) {
	vars := liveVars()
	vars[EnvAttemptTimeout] = " 1500ms "
	cfg, err := fromMap(vars)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AttemptTimeout != 1500*time.Millisecond {
		t.Errorf("AttemptTimeout = %s, want 1.5s", cfg.AttemptTimeout)
	}
	if cfg, _ := fromMap(liveVars()); cfg.AttemptTimeout != 0 {
		t.Errorf("AttemptTimeout = %s without the variable, want 0 (DefaultTimeout)", cfg.AttemptTimeout)
	}
}

// TestVariablesAreOneListWithTheFlags keeps the table the CLI binds in step
// with what FromEnv reads.
func TestVariablesAreOneListWithTheFlags(t *testing.T) {
	read := map[string]bool{}
	_, _ = FromEnv(func(k string) string { read[k] = true; return "" })
	checkVariableTable(t, variableTable{
		name: "Variables", list: Variables(), reader: "FromEnv", read: read,
		secret: func(env string) bool {
			return strings.Contains(env, "TOKEN") || strings.Contains(env, "PASSWORD")
		},
	})
}

// variableTable is a list of variables the CLI binds as flags, and what the
// function that reads them asked for.
type variableTable struct {
	name   string     // the list's function, for messages
	list   []Variable // what it lists
	known  []Variable // listed by another table, never to be listed again
	reader string     // the function that reads the variables, for messages
	read   map[string]bool
	secret func(env string) bool // which variables must be marked Secret
}

// checkVariableTable checks that a table lists each variable once, with the
// flag, secrecy and API its name implies, and exactly what its reader reads.
func checkVariableTable(t *testing.T, tab variableTable) {
	t.Helper()
	seen := map[string]bool{}
	for _, v := range tab.known {
		seen[v.Env] = true
	}
	for _, v := range tab.list {
		if seen[v.Env] {
			t.Errorf("%s listed twice", v.Env)
		}
		seen[v.Env] = true
		if want := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(v.Env, "HARNESS_"), "_", "-")); v.Flag != want {
			t.Errorf("%s: flag %q, want %q", v.Env, v.Flag, want)
		}
		if tab.secret(v.Env) != v.Secret {
			t.Errorf("%s: Secret = %v", v.Env, v.Secret)
		}
		if !tab.read[v.Env] {
			t.Errorf("%s is listed but %s never reads it", v.Env, tab.reader)
		}
		if api := apiOfName(v.Env); v.API != api {
			t.Errorf("%s: API %q, want %q", v.Env, v.API, api)
		}
	}
	for k := range tab.read {
		if !seen[k] {
			t.Errorf("%s reads %s, which %s does not list", tab.reader, k, tab.name)
		}
	}
}

func apiOfName(env string) contract.API {
	switch {
	case strings.HasPrefix(env, "HARNESS_WEBEX_"), strings.HasPrefix(env, "HARNESS_REDSKY_"):
		return contract.Webex
	case strings.HasPrefix(env, "HARNESS_COMMVAULT_"):
		return contract.Commvault
	}
	return ""
}
