package conformance

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/target"
	"loginharness/internal/testkit"
)

// TestNoSecretReachesNamesFindingsOrRecords plants unique credentials in the
// mock, runs every case, faithful and drifting (so that findings quote
// bodies), and scans everything the suite shows or records for them and
// for the tokens the mock returned.
func TestNoSecretReachesNamesFindingsOrRecords(t *testing.T) {
	planted := []string{
		"planted-webex-token-d41d8", "planted-noscope-token-8f00b", "planted-redsky-pass-204e9", "planted-commvault-pass-9800",
	}
	plant := target.WithMockOptions(func(c *mock.Config) {
		c.WebexTokens, c.WebexTokensNoScope = []string{planted[0]}, []string{planted[1]}
		c.RedSkyAccounts = []mock.RedSkyAccount{mock.NewRedSkyAccount("planted@example.com", planted[2])}
		c.CommvaultAccounts = []mock.CommvaultAccount{
			mock.NewCommvaultAccount("planted@example.com", planted[3]),
			mock.NewCommvaultAccount("planted-admin", planted[3]),
		}
	})
	c := testkit.Contract(t)
	var shown strings.Builder
	var returned []string
	for _, drifts := range [][]mock.Drift{nil, {mock.DriftWrongType, mock.DriftTextPlain200, mock.DriftHTML5xx}} {
		for _, api := range contract.APIs() {
			tables, err := Tables(c, api)
			if err != nil {
				t.Fatal(err)
			}
			for _, table := range tables {
				shown.WriteString(table.Name + "\n")
				for _, cs := range table.Cases {
					o := runCase(t, c, cs, target.Config{MockDrifts: drifts}, plant)
					records, err := json.Marshal(Exchanges(o))
					if err != nil {
						t.Fatal(err)
					}
					shown.WriteString(strings.Join(append([]string{cs.Name, o.Skip, Explain(o), string(records)}, cs.Labels...), "\n"))
					for _, ch := range o.Checked {
						returned = append(returned, returnedTokens(ch.Exchange.Body)...)
					}
				}
			}
		}
	}
	if len(returned) == 0 {
		t.Fatal("no case got a token back, so the scan proves nothing about returned tokens")
	}
	text := shown.String()
	for _, secret := range append(planted, returned...) {
		for _, form := range []string{secret, base64.StdEncoding.EncodeToString([]byte(secret))} {
			if strings.Contains(text, form) {
				t.Errorf("a planted or returned secret appears in what the suite shows or records")
			}
		}
	}
}

// returnedTokens lists the tokens a Commvault answer hands out.
func returnedTokens(body []byte) []string {
	var v struct {
		Token string `json:"token"`
		Data  struct {
			AuthToken any `json:"authToken"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	if v.Token != "" {
		out = append(out, v.Token)
	}
	switch t := v.Data.AuthToken.(type) {
	case string:
		out = append(out, t)
	case []any: // the wrong-type drift
		for _, item := range t {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
