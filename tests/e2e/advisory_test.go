package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// advisoryFilter runs the advisories and the sacrificial-account checks alone.
const advisoryFilter = "advisory || sacrificial"

// advisoriesOf reads the advisories a run recorded in its Ginkgo report,
// by "<name> <api>".
func advisoriesOf(t *testing.T, out string) map[string]results.Advisory {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "ginkgo.json"))
	if err != nil {
		t.Fatal(err)
	}
	var reports []types.Report
	if err := json.Unmarshal(data, &reports); err != nil {
		t.Fatal(err)
	}
	got := map[string]results.Advisory{}
	for _, r := range reports {
		for _, sr := range r.SpecReports {
			for _, e := range sr.ReportEntries {
				if e.Name != results.AdvisoryEntry {
					continue
				}
				var a results.Advisory
				if err := json.Unmarshal([]byte(e.Value.AsJSON), &a); err != nil {
					t.Fatalf("advisory entry of %q: %v", sr.FullText(), err)
				}
				got[a.Name+" "+a.API] = a
			}
		}
	}
	return got
}

// TestAdvisoriesBothWaysThroughTheBinary: every advisory passes on the
// faithful mock, and each leak drift raises its advisory on every API it
// applies to and no other, while the run stays green: advisories are not
// contract verdicts.
func TestAdvisoriesBothWaysThroughTheBinary(t *testing.T) {
	t.Parallel()
	every := []string{
		"passwords-only-over-tls webex", "passwords-only-over-tls commvault",
		"enumeration-by-answer webex", "enumeration-by-answer commvault",
		"enumeration-by-timing webex", "enumeration-by-timing commvault",
		"credential-answers-not-stored commvault",
		"nothing-echoed webex", "nothing-echoed commvault",
		"account-locks webex", "account-locks commvault",
	}
	raises := map[mock.Drift][]string{
		"":                             nil,
		mock.DriftUnknownAccountAnswer: {"enumeration-by-answer webex", "enumeration-by-answer commvault"},
		mock.DriftSlowExistingAccount:  {"enumeration-by-timing webex", "enumeration-by-timing commvault"},
		mock.DriftCacheableToken:       {"credential-answers-not-stored commvault"},
		mock.DriftEchoedPassword:       {"nothing-echoed webex", "nothing-echoed commvault"},
		mock.DriftNoLockout:            {"account-locks webex", "account-locks commvault"},
	}
	for drift, raised := range raises {
		name := string(drift)
		if name == "" {
			name = "faithful mock"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			args := []string{"run", "--skip-load", "--label-filter", advisoryFilter, "--out", out}
			if drift != "" {
				args = append(args, "--drift", string(drift))
			}
			o := harness(t, invocation{args: args})
			// Without a lockout the sacrificial 423 specs skip, and they are
			// all of Webex's contract this filter runs: NOT JUDGED (exit 3)
			// for that alone, as the verdict says; the advisories are no
			// part of it.
			wantCode, wantVerdict := 0, "verdict: PASS\n"
			if drift == mock.DriftNoLockout {
				wantCode, wantVerdict = 3, "verdict: NOT JUDGED, 2 specs skipped\n  - nothing of webex was judged: 2 specs skipped\n"
			}
			if o.code != wantCode || !strings.HasPrefix(o.stdout, wantVerdict) {
				t.Errorf("exit %d, want %d beginning %q: an advisory never turns a run red unless gated\n%s", o.code, wantCode, wantVerdict, tail(o.output()))
			}
			got := advisoriesOf(t, out)
			for _, key := range every {
				a, ok := got[key]
				want := results.AdvisoryPassed
				for _, r := range raised {
					if r == key {
						want = results.AdvisoryRaised
					}
				}
				if !ok || a.State != want {
					t.Errorf("%s: %s (%s %v), want %s", key, a.State, a.Message, a.Evidence, want)
				}
			}
			if len(got) != len(every) {
				t.Errorf("%d advisories recorded, want %d: %v", len(got), len(every), got)
			}
		})
	}
}

// TestAdvisoriesGateOnRequest: with the gate a raised advisory fails the
// run (exit 1) and says it was the gate; without it the same run passes.
func TestAdvisoriesGateOnRequest(t *testing.T) {
	t.Parallel()
	for _, gate := range []invocation{
		{env: map[string]string{"HARNESS_ADVISORIES_GATE": "1"}},
		{args: []string{"--advisories-gate"}},
	} {
		args := append([]string{"run", "--skip-load", "--label-filter", advisoryFilter, "--drift", string(mock.DriftCacheableToken), "--out", t.TempDir()}, gate.args...)
		o := harness(t, invocation{args: args, env: gate.env})
		if o.code != 1 || !strings.Contains(o.stdout, "advisory raised (gated)") || !strings.Contains(o.stdout, "no-store") {
			t.Errorf("gate %v %v: exit %d, want 1 naming the raised advisory\n%s", gate.args, gate.env, o.code, tail(o.output()))
		}
	}
}

// TestLockHonestyThroughTheBinary: a lock that outlasts its announced wait
// fails the sacrificial-account checks of both APIs (exit 1), each naming
// the field that lied; the faithful mock's lock passes them.
func TestLockHonestyThroughTheBinary(t *testing.T) {
	t.Parallel()
	o := harness(t, invocation{args: []string{"run", "--skip-load", "--label-filter", results.LabelSacrificial, "--drift", string(mock.DriftLockOutlastsRetryAfter), "--out", t.TempDir()}})
	if o.code != 1 {
		t.Errorf("exit %d, want 1\n%s", o.code, tail(o.output()))
	}
	for _, want := range []string{"lock_wait_honest /headers/Retry-After", "lockout_fields /remainingLockTime"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("the output does not name %q:\n%s", want, tail(o.stdout))
		}
	}
	faithful := harness(t, invocation{args: []string{"run", "--skip-load", "--label-filter", results.LabelSacrificial, "--out", t.TempDir()}})
	if faithful.code != 0 || !strings.HasPrefix(faithful.stdout, "verdict: PASS\n") {
		t.Errorf("faithful mock: exit %d\n%s", faithful.code, tail(faithful.output()))
	}
}

// TestPlainHTTPIsRefusedBeforeAnythingIsSent: a live URL with plain http://
// to a host that is not loopback stops the run with exit 2 naming the
// variable and the flag that allows it; allowed, the run goes on to the
// preflight (which finds no such host: exit 3).
func TestPlainHTTPIsRefusedBeforeAnythingIsSent(t *testing.T) {
	t.Parallel()
	env := webexLive("http://no-such-host.invalid/v1")
	o := harness(t, invocation{args: []string{"run", "--only", "webex", "--skip-load", "--out", t.TempDir()}, env: env})
	if o.code != 2 || !strings.Contains(o.stderr, "HARNESS_WEBEX_URL") || !strings.Contains(o.stderr, "HARNESS_ALLOW_PLAIN_HTTP") || !strings.Contains(o.stderr, "--allow-plain-http") {
		t.Errorf("exit %d, want 2 naming HARNESS_WEBEX_URL and HARNESS_ALLOW_PLAIN_HTTP\n%s", o.code, o.stderr)
	}
	allowed := harness(t, invocation{args: []string{"run", "--only", "webex", "--skip-load", "--allow-plain-http", "--out", t.TempDir()}, env: env})
	if allowed.code != 3 || strings.Contains(allowed.stderr, "HARNESS_ALLOW_PLAIN_HTTP") {
		t.Errorf("allowed: exit %d, want 3 (no such host)\n%s", allowed.code, allowed.stderr)
	}
}

// TestLiveSacrificialAccountsThroughTheBinary runs everything but load
// against live stand-ins that lock an account after 5 failures for 4 s: the
// timing samples the user allowed are taken without locking the
// sacrificial accounts, which then lock, open again once the announced
// wait has passed, and get no more wrong passwords than the cap, while the
// main accounts get at most one each.
func TestLiveSacrificialAccountsThroughTheBinary(t *testing.T) {
	t.Parallel()
	const victimPassword = "PlantedVictimPass4c2a"
	cfg := mock.DefaultConfig()
	cfg.WebexTokens, cfg.WebexTokensNoScope = []string{plantedWebexToken}, []string{plantedWebexTokenNoScope}
	cfg.RedSkyAccounts = []mock.RedSkyAccount{
		mock.NewRedSkyAccount("planted-admin@example.com", plantedRedSkyPassword), mock.NewRedSkyAccount("planted-victim@example.com", victimPassword),
	}
	cfg.CommvaultAccounts = []mock.CommvaultAccount{mock.NewCommvaultAccount("planted-admin", plantedCommvaultPassword), mock.NewCommvaultAccount("planted-victim", victimPassword)}
	// A lock long beside a busy machine's request times, and no 429 to wait
	// out between the failures that lock.
	cfg.LockDuration, cfg.Rate, cfg.Burst = 4*time.Second, 1000, 1000
	srv := testkit.NewLiveServer(t, mock.New(cfg), map[string]string{
		"planted-admin@example.com": plantedRedSkyPassword, "planted-victim@example.com": victimPassword,
		"planted-admin": plantedCommvaultPassword, "planted-victim": victimPassword,
	})
	env := with(liveEnv(srv.URL, srv.URL),
		"HARNESS_REDSKY_SACRIFICIAL_EMAIL", "planted-victim@example.com", "HARNESS_REDSKY_SACRIFICIAL_PASSWORD", victimPassword,
		"HARNESS_COMMVAULT_SACRIFICIAL_USERNAME", "planted-victim", "HARNESS_COMMVAULT_SACRIFICIAL_PASSWORD", victimPassword,
		"HARNESS_SACRIFICIAL_MAX_WRONG_PASSWORDS", "20", "HARNESS_TIMING_SAMPLES", "10")
	out := t.TempDir()
	o := harness(t, invocation{args: []string{"run", "--skip-load", "--out", out}, env: env, hangGuard: 3 * time.Minute})
	if o.code != 0 {
		t.Errorf("exit %d, want 0\n%s", o.code, tail(o.output()))
	}
	wrong := srv.WrongLogins()
	for _, victim := range []string{"webex planted-victim@example.com", "commvault planted-victim"} {
		// 1 for the enumeration check, 10 timed, then 6 to lock (the 6th is refused locked).
		if n := wrong[victim]; n != 17 {
			t.Errorf("%s got %d wrong passwords, want 17 (cap 20)", victim, n)
		}
	}
	for account, n := range wrong {
		if !strings.Contains(account, "planted-victim") && n > 1 {
			t.Errorf("%s got %d wrong passwords, want at most 1", account, n)
		}
	}
	got := advisoriesOf(t, out)
	for key, want := range map[string]results.AdvisoryState{
		"enumeration-by-answer webex": results.AdvisoryPassed, "enumeration-by-answer commvault": results.AdvisoryPassed,
		"enumeration-by-timing webex": results.AdvisoryPassed, "enumeration-by-timing commvault": results.AdvisoryPassed,
		"account-locks webex": results.AdvisoryPassed, "account-locks commvault": results.AdvisoryPassed,
	} {
		if got[key].State != want {
			t.Errorf("%s: %s (%s), want %s", key, got[key].State, got[key].Message, want)
		}
	}
	if a := got["enumeration-by-timing webex"]; a.Timing == nil || len(a.Timing.ExistingMS) != 10 || a.WrongPasswords != 10 || a.Cap != 20 {
		t.Errorf("live timing: %+v", a)
	}
	if a := got["nothing-echoed webex"]; a.State != results.AdvisoryPassed {
		t.Errorf("nothing-echoed webex: %s %v", a.Message, a.Evidence)
	}
	if srv.Prefers() != 0 {
		t.Errorf("%d requests carried Prefer", srv.Prefers())
	}
}

// TestLiveWithoutSacrificialAccountNamesTheSetting: without a sacrificial
// account the checks that need one are skipped, each naming its setting,
// and no wrong password goes beyond the rails' one per account. Those
// checks are all of the contract this filter runs, so the run is NOT
// JUDGED (exit 3), whatever the advisories found.
func TestLiveWithoutSacrificialAccountNamesTheSetting(t *testing.T) {
	t.Parallel()
	srv := newAccountServer(t)
	out := t.TempDir()
	o := harness(t, invocation{args: []string{"run", "--skip-load", "--label-filter", advisoryFilter, "--out", out}, env: liveEnv(srv.URL, srv.URL)})
	if o.code != 3 || !strings.Contains(o.stdout, "nothing of webex was judged") || !strings.Contains(o.stdout, "nothing of commvault was judged") {
		t.Errorf("exit %d, want 3: nothing of either contract judged\n%s", o.code, tail(o.output()))
	}
	for _, want := range []string{"HARNESS_REDSKY_SACRIFICIAL_EMAIL", "HARNESS_COMMVAULT_SACRIFICIAL_USERNAME"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("the skips do not name %s:\n%s", want, o.stdout)
		}
	}
	for account, n := range srv.WrongLogins() {
		if n > 1 {
			t.Errorf("%s got %d wrong passwords, want at most 1", account, n)
		}
	}
	if a := advisoriesOf(t, out)["nothing-echoed webex"]; a.State != results.AdvisoryRaised || !strings.Contains(strings.Join(a.Evidence, " "), "X-Debug-Password") {
		t.Errorf("the careless server echoes the password in X-Debug-Password: %s %v", a.State, a.Evidence)
	}
}
