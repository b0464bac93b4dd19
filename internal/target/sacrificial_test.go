package target

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/mock"
)

func advisoryFromMap(t *testing.T, m map[string]string) (AdvisoryConfig, error) {
	t.Helper()
	get := func(k string) string { return m[k] }
	cfg, err := FromEnv(get)
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	return AdvisoryFromEnv(get, cfg)
}

func TestAdvisoryDefaultsOnTheMock(t *testing.T) {
	a, err := advisoryFromMap(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.MaxWrong != DefaultSacrificialMaxWrong || a.MaxWait != DefaultSacrificialMaxWait || a.Gate || a.AllowPlainHTTP || a.TimingSamplesOn(false) != DefaultMockTimingSamples {
		t.Errorf("defaults: %+v", a)
	}
	if a.TimingSamplesOn(true) != 0 {
		t.Error("a live target takes timing samples without the user allowing a size")
	}
	wx, _ := a.SacrificialOn(contract.Webex, Account{User: "main", Password: "p", Token: "tok"})
	cv, _ := a.SacrificialOn(contract.Commvault, Account{})
	if wx.User != mock.DemoRedSkyLockoutEmail || wx.Password != mock.DemoRedSkyPassword || wx.Token != "tok" {
		t.Errorf("Webex sacrificial account on the mock: %+v", wx)
	}
	if cv.User != mock.DemoCommvaultLockoutUser || cv.Edition != CustomerManaged {
		t.Errorf("Commvault sacrificial account on the mock: %+v", cv)
	}
}

func TestAdvisoryLiveSettings(t *testing.T) {
	vars := liveVars()
	vars[EnvCommvaultURL] = "https://cv.example.com/commandcenter/api"
	vars[EnvRedSkySacrificialEmail], vars[EnvRedSkySacrificialPassword] = "lockme@example.com", "sacrificial-9c1"
	vars[EnvSacrificialMaxWrong], vars[EnvSacrificialMaxWait], vars[EnvTimingSamples] = "7", "90s", "5"
	vars[EnvAdvisoriesGate] = "1"
	a, err := advisoryFromMap(t, vars)
	if err != nil {
		t.Fatal(err)
	}
	if a.MaxWrong != 7 || a.MaxWait != 90*time.Second || a.TimingSamplesOn(true) != 5 || !a.Gate {
		t.Errorf("settings: %+v", a)
	}
	if _, ok := a.SacrificialOn(contract.Commvault, Account{}); ok {
		t.Error("a live Commvault without a sacrificial account got one")
	}
	if wx, ok := a.SacrificialOn(contract.Webex, Account{}); !ok || wx.User != "lockme@example.com" {
		t.Errorf("Webex sacrificial account: %+v", wx)
	}
}

func TestAdvisoryBadValuesAreNamedAndSecretsKept(t *testing.T) {
	vars := liveVars()
	vars[EnvCommvaultURL] = "https://cv.example.com/commandcenter/api"
	vars[EnvRedSkySacrificialEmail], vars[EnvRedSkySacrificialPassword] = "admin@example.com", "sacrificial-9c1"
	vars[EnvCommvaultSacrificialUsername] = "lockme"
	vars[EnvSacrificialMaxWrong], vars[EnvSacrificialMaxWait], vars[EnvTimingSamples] = "0", "forever", "-1"
	vars[EnvAdvisoriesGate], vars[EnvAllowPlainHTTP] = "yes", "maybe"
	_, err := advisoryFromMap(t, vars)
	if err == nil {
		t.Fatal("bad values accepted")
	}
	for _, want := range []string{EnvSacrificialMaxWrong, EnvSacrificialMaxWait, EnvTimingSamples, EnvAdvisoriesGate, EnvAllowPlainHTTP,
		EnvRedSkySacrificialEmail + " names the main account", EnvCommvaultSacrificialUsername + " and " + EnvCommvaultSacrificialPassword + " go together"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "sacrificial-9c1") {
		t.Errorf("error echoes a password: %v", err)
	}
}

func TestPlainHTTPOffLoopbackIsRefusedUnlessAllowed(t *testing.T) {
	vars := liveVars() // Commvault on plain http://cv.example.com
	_, err := advisoryFromMap(t, vars)
	var pre *PreflightError
	if !errors.As(err, &pre) || pre.Class != Misconfigured || pre.API != contract.Commvault ||
		!strings.Contains(pre.Error(), EnvCommvaultURL) || !strings.Contains(pre.Error(), EnvAllowPlainHTTP) || !strings.Contains(pre.Error(), "--allow-plain-http") {
		t.Fatalf("want a misconfiguration naming %s and %s, got %v", EnvCommvaultURL, EnvAllowPlainHTTP, err)
	}
	vars[EnvAllowPlainHTTP] = "true"
	if _, err := advisoryFromMap(t, vars); err != nil {
		t.Errorf("allowed: %v", err)
	}
	loopback := liveVars()
	loopback[EnvCommvaultURL] = "http://127.0.0.1:9/commandcenter/api"
	if _, err := advisoryFromMap(t, loopback); err != nil {
		t.Errorf("plain http to loopback: %v", err)
	}
}

// TestAdvisoryVariablesAreOneListWithTheFlags keeps the advisory table the
// CLI binds in step with what AdvisoryFromEnv reads, as Variables is kept
// with FromEnv.
func TestAdvisoryVariablesAreOneListWithTheFlags(t *testing.T) {
	read := map[string]bool{}
	_, _ = AdvisoryFromEnv(func(k string) string { read[k] = true; return "" }, Config{})
	checkVariableTable(t, variableTable{
		name: "AdvisoryVariables", list: AdvisoryVariables(), known: Variables(),
		reader: "AdvisoryFromEnv", read: read,
		secret: func(env string) bool {
			return strings.Contains(env, "PASSWORD") && !strings.Contains(env, "WRONG")
		},
	})
}

func TestLiveRailsLetASacrificialAccountTakeItsCap(t *testing.T) {
	srv := &recorder{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	tg := openLiveAt(t, contract.Commvault, ts.URL, WithSacrificial(3, Account{User: "lockme", Password: "sacrificial-9c1"}, Account{User: "admin", Password: "x"}))
	ctx := t.Context()
	if _, err := tg.Do(ctx, login("lockme", "sacrificial-9c1")); err != nil {
		t.Fatalf("the sacrificial account's right password counted as wrong: %v", err)
	}
	for i := range 3 {
		if _, err := tg.Do(ctx, login("lockme", "wrong")); err != nil {
			t.Fatalf("wrong password %d of a cap of 3 refused: %v", i+1, err)
		}
	}
	if _, err := tg.Do(ctx, login("lockme", "wrong")); !errors.Is(err, ErrLiveSafety) || !strings.Contains(err.Error(), EnvSacrificialMaxWrong) {
		t.Errorf("a 4th wrong password of a cap of 3: %v", err)
	}
	// The main account named as sacrificial keeps its rail of one.
	if _, err := tg.Do(ctx, login("admin", "wrong")); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Do(ctx, login("admin", "wrong")); !errors.Is(err, ErrLiveSafety) {
		t.Errorf("a second wrong password of the main account: %v", err)
	}
	if n := srv.count(); n != 5 {
		t.Errorf("%d requests reached the server, want 5", n)
	}
}
