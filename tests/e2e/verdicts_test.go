package e2e

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"loginharness/internal/mock"
	"loginharness/internal/report"
)

// countingServer serves h on 127.0.0.1 until the test ends and counts the
// requests that reach it.
func countingServer(t *testing.T, h http.Handler) (root string, requests *atomic.Int64) {
	t.Helper()
	requests = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, requests
}

// answer serves every request with status, a header and a JSON body.
func answer(status int, header, value string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(header, value)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"message":"go away"}`))
	})
}

// demoWebex points the harness at a live Webex with the mock's demo account.
func demoWebex(url string) map[string]string {
	return map[string]string{
		"HARNESS_WEBEX_URL": url, "HARNESS_WEBEX_TOKEN": mock.DemoWebexToken,
		"HARNESS_REDSKY_EMAIL": mock.DemoRedSkyEmail, "HARNESS_REDSKY_PASSWORD": mock.DemoRedSkyPassword,
	}
}

// TestPreflightNamesOutagesAndMisconfigurationBeforeAnySpec: a live target
// that is down, misconfigured or asks to be left alone for a day is named
// as such before any spec runs: exit 3 for an outage, 2 for settings to
// fix, one line that names the variable (or the flag given), nothing
// written, nothing judged, and at most the one valid sign-in sent.
func TestPreflightNamesOutagesAndMisconfigurationBeforeAnySpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.Handler // nil: nothing listens
		url     func(root string) string
		env     map[string]string
		args    []string
		code    int
		first   string // the line the user sees
	}{
		{name: "nothing listening", url: withV1, code: 3, first: "harness: webex: HARNESS_WEBEX_URL: nothing listens at 127.0.0.1:"},
		{name: "nothing listening, the URL as a flag", url: withV1, args: []string{"--webex-url"}, code: 3, first: "harness: webex: --webex-url: nothing listens at 127.0.0.1:"},
		{name: "https on a plain HTTP server", handler: mock.New(mock.DefaultConfig()), url: func(r string) string { return strings.Replace(r, "http://", "https://", 1) + "/v1" }, code: 3, first: "harness: webex: HARNESS_WEBEX_URL: 127.0.0.1:"},
		{name: "no answer in time", handler: silent, url: withV1, env: map[string]string{"HARNESS_ATTEMPT_TIMEOUT": "300ms"}, code: 3, first: "harness: webex: HARNESS_WEBEX_URL, HARNESS_ATTEMPT_TIMEOUT: no answer from http://127.0.0.1:"},
		{name: "Retry-After a day", handler: answer(http.StatusTooManyRequests, "Retry-After", "86400"), url: withV1, code: 3, first: "harness: webex: HARNESS_WEBEX_URL: the server asks to wait 24h0m0s (429 Too Many Requests: go away, Retry-After: 86400)"},
		{name: "URL without /v1", handler: mock.New(mock.DefaultConfig()), url: func(r string) string { return r }, code: 2, first: "harness: webex: HARNESS_WEBEX_URL: http://127.0.0.1:"},
		{name: "token refused", handler: mock.New(mock.DefaultConfig()), url: withV1, env: map[string]string{"HARNESS_WEBEX_TOKEN": badInputToken}, code: 2, first: "harness: webex: HARNESS_WEBEX_TOKEN: the server refuses the token (401 Unauthorized"},
		{name: "Commvault account refused", handler: mock.New(mock.DefaultConfig()), url: func(r string) string { return r + mock.CommvaultBasePath }, code: 2, first: "harness: commvault: HARNESS_COMMVAULT_USERNAME, HARNESS_COMMVAULT_PASSWORD: the server refuses the sign-in of admin"},
		{name: "redirect", handler: answer(http.StatusFound, "Location", "https://login.example.net/v1/sso"), url: withV1, code: 2, first: "harness: webex: HARNESS_WEBEX_URL: the server answers the login with 302, a redirect to https://login.example.net/v1/sso"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root, requests := closedPort(t), &atomic.Int64{}
			if tt.handler != nil {
				root, requests = countingServer(t, tt.handler)
			}
			url := tt.url(root)
			env := with(demoWebex(url), flatten(tt.env)...)
			api := "webex"
			if strings.Contains(tt.name, "Commvault") {
				api, env = "commvault", commvaultLive(url)
			}
			args := []string{"run", "--only", api, "--skip-load"}
			if len(tt.args) > 0 {
				delete(env, "HARNESS_WEBEX_URL")
				args = append(args, tt.args[0], url)
			}
			out := t.TempDir()
			o := harness(t, invocation{args: append(args, "--out", out), env: env, hangGuard: time.Minute})
			lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
			if o.code != tt.code || !strings.HasPrefix(lines[0], tt.first) || len(lines) > 1 || o.stdout != "" {
				t.Errorf("exit %d, want %d, and one line starting %q:\n%s", o.code, tt.code, tt.first, o.output())
			}
			t.Logf("exit %d: %s", o.code, lines[0])
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("%d files written though nothing was judged", len(entries))
			}
			if n := requests.Load(); n > 1 || (strings.Contains(tt.name, "without /v1") && n > 0) {
				t.Errorf("%d requests reached the server", n)
			}
			if strings.Contains(o.output(), badInputPassword) || strings.Contains(o.output(), badInputToken) {
				t.Error("the output shows a secret")
			}
		})
	}
}

func withV1(root string) string { return root + mock.WebexBasePath }

// silent reads a request and answers nothing until the client gives up
// (its body read, so the server notices the client going) or, as a hang
// guard, a few seconds pass.
var silent = http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
})

func flatten(m map[string]string) []string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
}

// junitSuite is what the tests read of junit.xml.
type junitSuite struct {
	Name    string `xml:"name,attr"`
	Tests   int    `xml:"tests,attr"`
	Skipped int    `xml:"skipped,attr"`
	Package string `xml:"package,attr"`
	Cases   []struct {
		Name    string `xml:"name,attr"`
		Skipped *struct {
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
	} `xml:"testcase"`
}

func readJUnit(t *testing.T, dir string) junitSuite {
	t.Helper()
	var doc struct {
		Suites []junitSuite `xml:"testsuite"`
	}
	// The contract's suite, and the login advisories' when any ran.
	if err := xml.Unmarshal([]byte(readFile(t, filepath.Join(dir, "junit.xml"))), &doc); err != nil || len(doc.Suites) == 0 || len(doc.Suites) > 2 ||
		len(doc.Suites) == 2 && doc.Suites[1].Name != report.AdvisorySuite {
		t.Fatalf("junit.xml: %v, %d suites", err, len(doc.Suites))
	}
	return doc.Suites[0]
}

// liveLoadRun runs conformance and load against the mock's handler as a
// live Webex whose limit is the expected 50 req/s, load capped at maxRate;
// it returns the outcome, the output folder and the server's root.
func liveLoadRun(t *testing.T, maxRate string) (o outcome, out, root string) {
	t.Helper()
	root, _ = countingServer(t, mock.New(mock.DefaultConfig()))
	env := with(demoWebex(root+"/v1"), "HARNESS_ALLOW_LIVE_LOAD", "1", "HARNESS_LIVE_MAX_RATE", maxRate, "HARNESS_EXPECTED_LIMIT", "50")
	out = t.TempDir()
	o = harness(t, invocation{args: []string{"run", "--only", "webex", "--out", out}, env: env, hangGuard: 4 * time.Minute})
	return o, out, root
}

// TestSkipsAreNeverABarePass: live load capped below the limit leaves four
// of five scenarios with nothing to judge. The run passes what it judged,
// and the verdict line, the Load card and JUnit all count the skips and say
// why; a run that judged nothing of its API is NOT JUDGED, exit 3.
func TestSkipsAreNeverABarePass(t *testing.T) {
	t.Parallel()
	o, out, root := liveLoadRun(t, "40")
	first := strings.SplitN(o.stdout, "\n", 2)[0]
	// Each thing not judged is counted once: a conformance skip as a spec
	// skipped, a load verdict as a load verdict not judged.
	skipped := regexp.MustCompile(`^verdict: PASS, ((\d+) specs skipped, (\d+) load verdicts not judged \((in \d scenarios|[a-z, -]+)\))$`).FindStringSubmatch(first)
	if o.code != 0 || skipped == nil {
		t.Fatalf("exit %d, first line %q: want a PASS that counts its skips\n%s", o.code, first, o.output())
	}
	specs, _ := strconv.Atoi(skipped[2])
	verdicts, _ := strconv.Atoi(skipped[3])
	t.Logf("exit %d: %s", o.code, first)
	if !regexp.MustCompile(`(?m)^load +over-limit +\d+ not judged +not judged: HARNESS_LIVE_MAX_RATE=40 leaves no room`).MatchString(o.stdout) {
		t.Errorf("the over-limit row does not say it judged nothing, and why:\n%s", o.stdout)
	}
	page := readFile(t, filepath.Join(out, "index.html"))
	if !strings.Contains(page, `data-scenario="over-limit" data-state="skipped"`) || !strings.Contains(page, `<small class="rider">`+skipped[1]+`</small>`) {
		t.Error("the page's top and Load card do not show the skips")
	}
	junit := readJUnit(t, out)
	if junit.Skipped != specs+verdicts || junit.Package != "loginharness" {
		t.Errorf("JUnit: %d skipped, package %q; want %d, loginharness", junit.Skipped, junit.Package, specs+verdicts)
	}
	for _, c := range junit.Cases {
		if c.Skipped != nil && !strings.HasPrefix(c.Skipped.Message, "skipped - ") {
			t.Errorf("JUnit lists %q as skipped without a reason: a spec the filter left out?", c.Name)
		}
	}

	// Every spec the filter selects skipped: nothing of webex is judged.
	out = t.TempDir()
	o = harness(t, invocation{args: []string{"run", "--only", "webex", "--label-filter", "status:201", "--out", out}, env: demoWebex(root + "/v1"), hangGuard: time.Minute})
	first = strings.SplitN(o.stdout, "\n", 2)[0]
	if o.code != 3 || first != "verdict: NOT JUDGED, 1 spec skipped" || !strings.Contains(o.stdout, "nothing of webex was judged") {
		t.Errorf("exit %d: want 3 and NOT JUDGED\n%s", o.code, o.output())
	}
	t.Logf("exit %d: %s", o.code, first)
}

// TestSelectionsThatJudgeNothingAreUsageErrors: a label filter that
// selects no spec, --only of an API with nothing to run, and --drift with
// every API the run tests live, each exit 2 before any request.
func TestSelectionsThatJudgeNothingAreUsageErrors(t *testing.T) {
	t.Parallel()
	live := demoWebex(closedPort(t) + "/v1")
	for name, tt := range map[string]struct {
		args  []string
		env   map[string]string
		first string
	}{
		"filter typo":       {[]string{"--label-filter=negativ"}, nil, `harness: --label-filter "negativ" selects none of the NN specs; their labels: advisory, commvault, conformance, live-safe, load, negative, sacrificial,`},
		"only, no spec":     {[]string{"--only", "commvault", "--label-filter", "load"}, nil, `harness: --only commvault --label-filter "load" selects none of the NN specs`},
		"drift, all live":   {[]string{"--only", "webex", "--skip-load", "--drift", "missing-required-field"}, live, "harness: --drift changes the embedded mock, but every API this run tests is live"},
		"drift as variable": {[]string{"--only", "webex", "--skip-load"}, with(live, "HARNESS_MOCK_DRIFT", "wrong-type"), "harness: HARNESS_MOCK_DRIFT changes the embedded mock"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			o := harness(t, invocation{args: append([]string{"run", "--out", out}, tt.args...), env: tt.env, hangGuard: time.Minute})
			first := strings.SplitN(o.stderr, "\n", 2)[0]
			// NN stands for the number of specs linked in.
			want := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(tt.first), "NN", `\d+`))
			if o.code != 2 || !want.MatchString(first) {
				t.Errorf("exit %d, want 2 and a first line starting %q:\n%s", o.code, tt.first, o.output())
			}
			t.Logf("exit %d: %s", o.code, first)
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("%d files written for a run that ran nothing", len(entries))
			}
		})
	}
}

// TestAFailingRunIsShortAndNamesNoFolderOfThisMachine: a drift that breaks
// every answer (conformance and load) prints a short summary with the
// failed checks grouped; -v gives Ginkgo's full output. No output names
// the folder the module sits in: code locations start at the module.
func TestAFailingRunIsShortAndNamesNoFolderOfThisMachine(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	o := harness(t, invocation{args: []string{"run", "--drift", "missing-required-field,missing-retry-after", "--out", out}, hangGuard: 3 * time.Minute})
	lines := strings.Count(o.stdout, "\n")
	if o.code != 1 || lines >= 150 || !strings.HasPrefix(o.stdout, "verdict: FAIL") || !strings.Contains(o.stdout, "failed checks (") {
		t.Errorf("exit %d, %d lines: want 1 and a short summary\n%s", o.code, lines, tail(o.stdout))
	}
	t.Logf("exit %d, %d lines: %s", o.code, lines, strings.SplitN(o.stdout, "\n", 2)[0])
	verbose := harness(t, invocation{args: []string{"run", "-v", "--skip-load", "--drift", "missing-required-field", "--out", t.TempDir()}, hangGuard: 2 * time.Minute})
	if verbose.code != 1 || !strings.Contains(verbose.stdout, "[FAILED]") || !strings.Contains(verbose.stdout, "loginharness/suites/conformance/conformance.go:") {
		t.Errorf("-v: exit %d, want Ginkgo's full output with module-relative locations\n%s", verbose.code, tail(verbose.stdout))
	}
	location := regexp.MustCompile(regexp.QuoteMeta(root) + `/\S+\.go:\d+`)
	for name, text := range map[string]string{
		"stdout": o.stdout, "-v stdout": verbose.stdout, "index.html": readFile(t, filepath.Join(out, "index.html")),
		"junit.xml": readFile(t, filepath.Join(out, "junit.xml")), "summary.md": readFile(t, filepath.Join(out, "summary.md")),
	} {
		if loc := location.FindString(text); loc != "" {
			t.Errorf("%s names a code location in the module's folder on this machine: %s", name, loc)
		}
	}
	checkReportsREADME(t, out)
}

// checkReportsREADME holds reports/README.md to list every file a run
// wrote, by name or as load/<scenario> with the same ending.
func checkReportsREADME(t *testing.T, out string) {
	t.Helper()
	readme := readFile(t, "../../reports/README.md")
	scenario := regexp.MustCompile(`^(ramp|under-limit|over-limit|retry-after-honesty|obeying-client)\.`)
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, path)
		rel = filepath.ToSlash(rel)
		generic := filepath.ToSlash(filepath.Join(filepath.Dir(rel), scenario.ReplaceAllString(filepath.Base(rel), "<scenario>.")))
		if !strings.Contains(readme, "`"+rel+"`") && !strings.Contains(readme, "`"+generic+"`") {
			t.Errorf("reports/README.md does not list %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// TestCLIConventions: --version; boolean flags that take no value; errors
// named after the flag typed; the other API's settings not demanded under
// --only; the demo accounts with their passwords in mock --help and the
// README.
func TestCLIConventions(t *testing.T) {
	t.Parallel()
	if o := harness(t, invocation{args: []string{"--version"}}); o.code != 0 || !strings.HasPrefix(o.stdout, "harness ") {
		t.Errorf("--version: exit %d\n%s", o.code, o.output())
	}
	o := harness(t, invocation{args: []string{"run", "--insecure-tls", "--skip-load", "--only", "commvault", "--out", t.TempDir()}})
	if o.code != 0 || !strings.HasPrefix(o.stdout, "verdict: PASS") {
		t.Errorf("--insecure-tls --skip-load: exit %d\n%s", o.code, o.output())
	}
	o = harness(t, invocation{args: []string{"run", "--drift", "x", "--out", t.TempDir()}})
	if o.code != 2 || !strings.HasPrefix(o.stderr, `harness: --drift: unknown drift "x"`) || strings.Contains(o.stderr, "HARNESS_MOCK_DRIFT") {
		t.Errorf("--drift x: exit %d\n%s", o.code, o.output())
	}
	o = harness(t, invocation{args: []string{"run", "--allow-live-load", "--only", "webex", "--out", t.TempDir()}, env: demoWebex(closedPort(t) + "/v1")})
	if o.code != 2 || !strings.Contains(o.stderr, "HARNESS_LIVE_MAX_RATE is required") {
		t.Errorf("--allow-live-load without a cap: exit %d\n%s", o.code, o.output())
	}
	o = harness(t, invocation{args: []string{"run", "--only", "commvault", "--skip-load", "--out", t.TempDir()}, env: map[string]string{"HARNESS_WEBEX_URL": "https://webexapis.com/v1"}})
	if o.code != 0 {
		t.Errorf("--only commvault with a Webex URL and no Webex token: exit %d\n%s", o.code, o.output())
	}
	help := harness(t, invocation{args: []string{"mock", "--help"}})
	readme := readFile(t, "../../README.md")
	for _, demo := range []string{mock.DemoWebexToken, mock.DemoWebexTokenNoScope, mock.DemoRedSkyEmail, mock.DemoRedSkyPassword, mock.DemoCommvaultUser, mock.DemoCommvaultSaaSUser, mock.DemoCommvaultPassword} {
		if !strings.Contains(help.stdout, demo) || !strings.Contains(readme, demo) {
			t.Errorf("mock --help or README.md does not show the demo value %q", demo)
		}
	}
	if !strings.Contains(help.stdout, mock.DemoRedSkyEmail+":"+mock.DemoRedSkyPassword) {
		t.Errorf("mock --help does not pair the RedSky account with its password:\n%s", help.stdout)
	}
}

// TestLoad429sCoverTheMatrix: against a live Webex the conformance suite
// does not flood the server for a 429, but the load scenarios do: the 429s
// they validated count toward the 429 cell, which passes, and its reason
// says what load saw (the suite may have met a 429 of its own as well).
func TestLoad429sCoverTheMatrix(t *testing.T) {
	t.Parallel()
	o, out, _ := liveLoadRun(t, "200")
	if o.code == 2 || o.code == 3 {
		t.Fatalf("exit %d: the run judged nothing\n%s", o.code, o.output())
	}
	html := readFile(t, filepath.Join(out, "index.html"))
	cell := regexp.MustCompile(`data-code="429" data-state="(\w+)" title="([^"]*)"`).FindStringSubmatch(html)
	seen := regexp.MustCompile(`under load[^"]*?(\d+) (?:more )?429 responses(?:, every one)? kept the contract \(([^)]*)\)`)
	if cell == nil || cell[1] != "passed" || !seen.MatchString(cell[2]) {
		t.Fatalf("the 429 cell does not count the load scenarios' 429s: %q\n%s", cell, o.stdout)
	}
	t.Logf("exit %d: 429 %s: %s", o.code, cell[1], cell[2])
}
