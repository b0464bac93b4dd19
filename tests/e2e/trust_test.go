package e2e

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loginharness/internal/mock"
	"loginharness/internal/testkit"
)

// ginkgoRun is one run of `go tool ginkgo` on a suite, as QA runs it.
type ginkgoRun struct {
	code   int
	output string
}

// ginkgoCLI lets one Ginkgo CLI run at a time: each compiles the suite
// to the same file in the suite's folder, and removes it when done.
var ginkgoCLI sync.Mutex

// ginkgo runs the Ginkgo CLI from the module root with a clean
// environment plus env, and fails the test on a hang.
func ginkgo(t *testing.T, env map[string]string, args ...string) ginkgoRun {
	t.Helper()
	ginkgoCLI.Lock()
	defer ginkgoCLI.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"tool", "ginkgo", "--no-color"}, args...)...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = testkit.CleanEnv()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("go tool ginkgo %s hung:\n%s", strings.Join(args, " "), tail(out.String()))
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("go tool ginkgo %s: %v", strings.Join(args, " "), err)
	}
	return ginkgoRun{code: cmd.ProcessState.ExitCode(), output: out.String()}
}

// wantStopped holds a Ginkgo run to the set-up's one message: the suite
// aborted in its BeforeSuite, no spec run, none failed, nothing passed.
func (g ginkgoRun) wantStopped(t *testing.T, message string) {
	t.Helper()
	if g.code == 0 || !strings.Contains(g.output, "[ABORTED] "+message) ||
		!regexp.MustCompile(`Ran 0 of \d+ Specs`).MatchString(g.output) || strings.Contains(g.output, "SUCCESS!") {
		t.Errorf("exit %d: want the suite stopped before any spec with %q:\n%s", g.code, message, tail(g.output))
	}
	if n := strings.Count(g.output, "[FAILED]"); n > 0 {
		t.Errorf("%d specs failed, though nothing was judged:\n%s", n, tail(g.output))
	}
	t.Logf("exit %d: %s", g.code, message)
}

// liveWebexOn points the harness at the mock's handler served as a live
// Webex at root, with its demo account.
func liveWebexOn(root string) map[string]string { return demoWebex(root + mock.WebexBasePath) }

// TestEveryEntryPointStopsOnABadSettingBeforeAnySpec: a missing password,
// an edition spelled wrong and a token the server refuses stop `harness
// run` (exit 2, one line) and `go tool ginkgo` (the BeforeSuite, one
// message naming the variable and the class) before any spec, whatever
// the label filter; none of them becomes a passed or failed spec.
func TestEveryEntryPointStopsOnABadSettingBeforeAnySpec(t *testing.T) {
	t.Parallel()
	root, _ := countingServer(t, mock.New(mock.DefaultConfig()))
	noPassword := with(liveWebexOn(root), "HARNESS_REDSKY_PASSWORD", "")
	delete(noPassword, "HARNESS_REDSKY_PASSWORD")
	saas := map[string]string{
		"HARNESS_COMMVAULT_URL": root + mock.CommvaultBasePath, "HARNESS_COMMVAULT_USERNAME": mock.DemoCommvaultSaaSUser,
		"HARNESS_COMMVAULT_PASSWORD": mock.DemoCommvaultPassword, "HARNESS_COMMVAULT_VARIANT": "SaaS",
	}
	wrongToken := with(liveWebexOn(root), "HARNESS_WEBEX_TOKEN", badInputToken)
	for _, tt := range []struct {
		name, filter string
		env          map[string]string
		binary       string // the first line of `harness run`
		ginkgo       string // the message of the aborted BeforeSuite
	}{
		{"password missing", "webex && status:429", noPassword,
			"harness: HARNESS_WEBEX_URL is set, so HARNESS_REDSKY_PASSWORD must be set too",
			"configuration error: HARNESS_WEBEX_URL is set, so HARNESS_REDSKY_PASSWORD must be set too; nothing was judged"},
		{"Commvault variant SaaS", "commvault && status:200", saas,
			`harness: HARNESS_COMMVAULT_VARIANT: unknown Commvault variant "SaaS"`,
			`configuration error: HARNESS_COMMVAULT_VARIANT: unknown Commvault variant "SaaS"`},
		{"token refused", "webex", wrongToken,
			"harness: webex: HARNESS_WEBEX_TOKEN: the server refuses the token (401 Unauthorized",
			"configuration error: webex: HARNESS_WEBEX_TOKEN: the server refuses the token (401 Unauthorized"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			o := harness(t, invocation{args: []string{"run", "--skip-load", "--label-filter", tt.filter, "--out", out}, env: tt.env})
			first := strings.SplitN(strings.TrimSpace(o.stderr), "\n", 2)[0]
			if o.code != 2 || !strings.HasPrefix(first, tt.binary) || o.stdout != "" {
				t.Errorf("harness run: exit %d, want 2 and a line starting %q:\n%s", o.code, tt.binary, o.output())
			}
			t.Logf("harness run: exit %d: %s", o.code, first)
			ginkgo(t, tt.env, "--label-filter="+tt.filter, "./suites/conformance").wantStopped(t, tt.ginkgo)
			if strings.Contains(o.output(), badInputToken) {
				t.Error("the output shows the token")
			}
		})
	}
}

// goesAway serves the mock's handler as a live server for its first n
// requests (the preflight's sign-in and a few specs), then answers every
// request with gone.
func goesAway(t *testing.T, n int64, gone http.Handler) string {
	t.Helper()
	m := mock.New(mock.DefaultConfig())
	var seen atomic.Int64
	root, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) > n {
			gone.ServeHTTP(w, r)
			return
		}
		m.ServeHTTP(w, r)
	}))
	return root
}

// hangUp closes the connection without an answer, as a server going down.
var hangUp = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
})

// TestAnOutageIsNotDrift: a target that answers 502, 503 or 504 at the
// preflight is an outage (exit 3) naming the code and its Retry-After;
// one that goes away mid-run (503 to everything, or connections closed)
// leaves the specs it meets not judged, and the run NOT JUDGED, exit 3,
// naming the outage; a 500 mid-run stays a broken contract (exit 1).
func TestAnOutageIsNotDrift(t *testing.T) {
	t.Parallel()
	errorRatio := mock.DefaultConfig()
	errorRatio.ErrorRatio = 1
	t.Run("preflight answered 503, 502, 504", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			handler http.Handler
			first   string
		}{
			{mock.New(errorRatio), "harness: webex: HARNESS_WEBEX_URL: the server cannot serve the sign-in now, an outage: it answers 503 Service Unavailable: The service is unavailable for now; retry after the time in Retry-After.; it asks to wait 1s (Retry-After: 1)"},
			{answer(http.StatusBadGateway, "X-Gateway", "e2e"), "harness: webex: HARNESS_WEBEX_URL: the server cannot serve the sign-in now, an outage: it answers 502 Bad Gateway: go away; run again"},
			{answer(http.StatusGatewayTimeout, "Retry-After", "30"), "harness: webex: HARNESS_WEBEX_URL: the server cannot serve the sign-in now, an outage: it answers 504 Gateway Timeout: go away; it asks to wait 30s (Retry-After: 30)"},
		} {
			root, _ := countingServer(t, tt.handler)
			o := harness(t, invocation{args: []string{"run", "--only", "webex", "--skip-load", "--out", t.TempDir()}, env: liveWebexOn(root)})
			lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
			if o.code != 3 || !strings.HasPrefix(lines[0], tt.first) || len(lines) > 1 {
				t.Errorf("exit %d, want 3 and one line starting %q:\n%s", o.code, tt.first, o.output())
			}
			t.Logf("exit %d: %s", o.code, lines[0])
		}
		root, _ := countingServer(t, mock.New(errorRatio))
		ginkgo(t, liveWebexOn(root), "--label-filter=webex", "./suites/conformance").
			wantStopped(t, "outage, not drift: webex: HARNESS_WEBEX_URL: the server cannot serve the sign-in now, an outage: it answers 503 Service Unavailable")
	})
	for name, gone := range map[string]http.Handler{
		"503 mid-run":                answer(http.StatusServiceUnavailable, "X-Outage", "e2e"),
		"connections closed mid-run": hangUp,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			o := harness(t, invocation{args: []string{"run", "--only", "webex", "--skip-load", "--out", out}, env: liveWebexOn(goesAway(t, 6, gone))})
			first := strings.SplitN(o.stdout, "\n", 2)[0]
			if o.code != 3 || !strings.HasPrefix(first, "verdict: NOT JUDGED") || !strings.Contains(first, "not judged: outage") ||
				!strings.Contains(o.stdout, "the target went away mid-run: ") {
				t.Errorf("exit %d, first line %q: want NOT JUDGED for the outage, exit 3\n%s", o.code, first, o.output())
			}
			t.Logf("exit %d: %s", o.code, first)
			page := readFile(t, filepath.Join(out, "index.html"))
			if !strings.Contains(page, `data-verdict="NOT JUDGED"`) || strings.Contains(page, `data-state="failed"`) {
				t.Error("the page does not show a NOT JUDGED run without failures")
			}
			junit := readJUnit(t, out)
			outages := 0
			for _, c := range junit.Cases {
				if c.Skipped != nil && strings.Contains(c.Skipped.Message, "not judged: outage: ") {
					outages++
				}
			}
			if outages == 0 {
				t.Error("JUnit names no spec not judged for the outage")
			}

			g := ginkgo(t, liveWebexOn(goesAway(t, 6, gone)), "-v", "--label-filter=webex", "./suites/conformance")
			if !strings.Contains(g.output, "not judged: outage: ") || !strings.Contains(g.output, " 0 Failed") || g.code == 0 ||
				!strings.Contains(g.output, "[FAILED] NOT JUDGED: outage, not drift: ") || strings.Contains(g.output, "SUCCESS!") {
				t.Errorf("go tool ginkgo: exit %d: want the outage's specs skipped as not judged, none failed, and the suite NOT JUDGED, no SUCCESS:\n%s", g.code, tail(g.output))
			}
			t.Logf("go tool ginkgo: exit %d: %s / %s", g.code, regexp.MustCompile(`NOT JUDGED: outage, not drift: [^(]*`).FindString(g.output),
				regexp.MustCompile(`(?m)^.*Passed \| \d+ Failed.*$`).FindString(g.output))
		})
	}
	t.Run("500 mid-run is a contract failure", func(t *testing.T) {
		t.Parallel()
		root := goesAway(t, 6, answer(http.StatusInternalServerError, "X-Broken", "e2e"))
		o := harness(t, invocation{args: []string{"run", "--only", "webex", "--skip-load", "--out", t.TempDir()}, env: liveWebexOn(root)})
		first := strings.SplitN(o.stdout, "\n", 2)[0]
		if o.code != 1 || !strings.HasPrefix(first, "verdict: FAIL") {
			t.Errorf("exit %d, first line %q: want FAIL, exit 1\n%s", o.code, first, o.output())
		}
		t.Logf("exit %d: %s", o.code, first)
	})
}

// TestAnEmptyURLVariableIsAConfigurationError: a URL variable set but
// empty, as a CI job leaves a missing repository variable, names itself
// (or the flag given) and exits 2 before anything runs, instead of testing
// the mock and passing.
func TestAnEmptyURLVariableIsAConfigurationError(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env   map[string]string
		args  []string
		first string
	}{
		{env: map[string]string{"HARNESS_WEBEX_URL": ""}, first: "harness: HARNESS_WEBEX_URL is set but empty"},
		{env: map[string]string{"HARNESS_COMMVAULT_URL": "  "}, first: "harness: HARNESS_COMMVAULT_URL is set but empty"},
		{args: []string{"--webex-url", ""}, first: "harness: --webex-url is set but empty"},
	} {
		out := t.TempDir()
		o := harness(t, invocation{args: append([]string{"run", "--skip-load", "--out", out}, tt.args...), env: tt.env})
		first := strings.SplitN(strings.TrimSpace(o.stderr), "\n", 2)[0]
		if o.code != 2 || !strings.HasPrefix(first, tt.first) || o.stdout != "" {
			t.Errorf("exit %d, want 2 and a line starting %q:\n%s", o.code, tt.first, o.output())
		}
		t.Logf("exit %d: %s", o.code, first)
	}
}
