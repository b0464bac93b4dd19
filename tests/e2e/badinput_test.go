package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Credentials the bad-input runs send: no message may show them.
const (
	badInputToken    = "e2e-badinput-token-5d81c0"
	badInputPassword = "e2e-badinput-password-a93f7e"
)

func webexLive(url string) map[string]string {
	return map[string]string{
		"HARNESS_WEBEX_URL":       url,
		"HARNESS_WEBEX_TOKEN":     badInputToken,
		"HARNESS_REDSKY_EMAIL":    "admin@example.com",
		"HARNESS_REDSKY_PASSWORD": badInputPassword,
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestConfigurationErrorsExit2 gives the harness bad flags, arguments and
// HARNESS_* values: each exits 2 before any request, with a message naming
// the flag or variable and the bad value, and shows no secret.
func TestConfigurationErrorsExit2(t *testing.T) {
	t.Parallel()
	notAFolder := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notAFolder, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	live := webexLive("http://127.0.0.1:9/v1")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string // each in stderr
	}{
		{"unknown API", []string{"run", "--only", "foo"}, nil, []string{"--only", `"foo"`, "webex, commvault"}},
		{"unknown flag", []string{"run", "--bogus"}, nil, []string{"unknown flag: --bogus", "harness run --help"}},
		{"flag without value", []string{"run", "--only"}, nil, []string{"flag needs an argument", "--only"}},
		{"stray argument", []string{"run", "extra"}, nil, []string{"unknown command", "extra"}},
		{"unknown command", []string{"frobnicate"}, nil, []string{"unknown command", "frobnicate"}},
		{"bad label filter", []string{"run", "--label-filter", "(("}, nil, []string{"--label-filter", "(("}},
		{"URL not http", []string{"run"}, with(live, "HARNESS_WEBEX_URL", "ftp://127.0.0.1/v1"), []string{"HARNESS_WEBEX_URL", "http:// or https://"}},
		{"URL with a password", []string{"run"}, with(live, "HARNESS_WEBEX_URL", "http://u:"+badInputPassword+"@127.0.0.1/v1"), []string{"HARNESS_WEBEX_URL", "credentials"}},
		{"unparsable URL with a password", []string{"run"}, with(live, "HARNESS_WEBEX_URL", "http://u:"+badInputPassword+"@web ex.example/v1"), []string{"HARNESS_WEBEX_URL", "is not a URL", "not shown"}},
		{"port out of range", []string{"run"}, with(live, "HARNESS_WEBEX_URL", "http://127.0.0.1:99999/v1"), []string{"HARNESS_WEBEX_URL", "port 99999"}},
		{"URL without its token", []string{"run"}, with(live, "HARNESS_WEBEX_TOKEN", ""), []string{"HARNESS_WEBEX_URL is set", "HARNESS_WEBEX_TOKEN"}},
		{"bad email", []string{"run"}, with(live, "HARNESS_REDSKY_EMAIL", "admin"), []string{"HARNESS_REDSKY_EMAIL", `"admin"`}},
		{"unknown Commvault variant", []string{"run"}, map[string]string{
			"HARNESS_COMMVAULT_URL": "http://127.0.0.1:9/commandcenter/api", "HARNESS_COMMVAULT_USERNAME": "admin",
			"HARNESS_COMMVAULT_PASSWORD": badInputPassword, "HARNESS_COMMVAULT_VARIANT": "cloud",
		}, []string{"HARNESS_COMMVAULT_VARIANT", `"cloud"`, "saas, customer-managed"}},
		{"bad insecure TLS", []string{"run"}, map[string]string{"HARNESS_INSECURE_TLS": "yes"}, []string{"HARNESS_INSECURE_TLS", `"yes"`}},
		{"unknown drift", []string{"run"}, map[string]string{"HARNESS_MOCK_DRIFT": "nosuch"}, []string{"HARNESS_MOCK_DRIFT", "nosuch"}},
		{"unknown drift flag", []string{"run", "--drift", "nosuch"}, nil, []string{"--drift", "nosuch"}},
		{"bad attempt timeout", []string{"run"}, map[string]string{"HARNESS_ATTEMPT_TIMEOUT": "soon"}, []string{"HARNESS_ATTEMPT_TIMEOUT", `"soon"`}},
		{"bad live-load opt-in", []string{"run"}, map[string]string{"HARNESS_ALLOW_LIVE_LOAD": "maybe"}, []string{"HARNESS_ALLOW_LIVE_LOAD", `"maybe"`}},
		{"negative live max rate", []string{"run"}, with(live, "HARNESS_ALLOW_LIVE_LOAD", "1", "HARNESS_LIVE_MAX_RATE", "-5", "HARNESS_EXPECTED_LIMIT", "10"), []string{"HARNESS_LIVE_MAX_RATE", `"-5"`}},
		{"out is a file", []string{"run", "--out", notAFolder}, nil, []string{"--out", notAFolder}},
		{"HARNESS_OUT is a file", []string{"run", "--only", "webex"}, map[string]string{"HARNESS_OUT": notAFolder}, []string{notAFolder, "not a directory"}},
		{"report from nowhere", []string{"report", "--in", filepath.Join(t.TempDir(), "none")}, nil, []string{"--in", "not a folder"}},
		{"mock with a negative rate", []string{"mock", "--addr", "127.0.0.1:0", "--rate", "-1"}, nil, []string{"rate"}},
		{"mock with an unknown drift", []string{"mock", "--addr", "127.0.0.1:0", "--drift", "nosuch"}, nil, []string{"nosuch"}},
		{"mock with a bad address", []string{"mock", "--addr", "nonsense"}, nil, []string{"--addr", "nonsense"}},
		{"mock with a bad account", []string{"mock", "--addr", "127.0.0.1:0", "--redsky-account", "no-colon"}, nil, []string{"--redsky-account", "no-colon"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			args := tt.args
			if args[0] == "run" && !strings.Contains(strings.Join(args, " "), "--out") && tt.env["HARNESS_OUT"] == "" {
				args = append([]string{args[0], "--out", out}, args[1:]...)
			}
			o := harness(t, invocation{args: args, env: tt.env, hangGuard: time.Minute})
			if o.code != 2 {
				t.Errorf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", o.code, tail(o.stdout), tail(o.stderr))
			}
			for _, w := range tt.want {
				if !strings.Contains(o.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, o.stderr)
				}
			}
			for _, secret := range []string{badInputToken, badInputPassword} {
				if strings.Contains(o.output(), secret) {
					t.Errorf("the output shows a secret:\n%s", o.output())
				}
			}
			if strings.Contains(o.output(), "\x1b[") {
				t.Errorf("colour codes in the output, with NO_COLOR set and no terminal: %q", o.stderr)
			}
			t.Logf("exit %d: %s", o.code, firstLine(o.stderr, "harness: "))
			if entries, _ := os.ReadDir(out); len(entries) > 0 {
				t.Errorf("a configuration error still wrote %d files to --out", len(entries))
			}
		})
	}
}

// TestFailingTargetsExit1 points the harness at servers that are down or
// misbehave, as the live Webex and as the live Commvault, and, for a few,
// with live load allowed. A server that gives no answer at all is an
// outage: the preflight stops the run, exit 3, naming the URL's variable,
// and nothing is written. One that answers badly is judged: the run ends,
// exit 1, with a failure naming the URL and what went wrong, and writes a
// complete report. HARNESS_ATTEMPT_TIMEOUT keeps the hanging ones short.
func TestFailingTargetsExit1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want []string // each in stdout; for an outage, in stderr
	}{ // the hanging ones get a short attempt timeout, the others a generous one
		{"closed port", []string{"nothing listens at", "connection refused"}},
		{"refusing", []string{"closed the connection without an answer"}},
		{"no answer at all", []string{"no answer from", "within 500ms"}},
		{"non-JSON", []string{"schema", "not JSON: invalid character '<'"}},
		{"truncated JSON", []string{"body unreadable", "unexpected EOF"}},
		{"JSON null", []string{"schema"}},
		{"deeply nested JSON", []string{"verdict: FAIL"}},
		{"deeply nested object", []string{"verdict: FAIL"}},
		{"invalid UTF-8", []string{"verdict: FAIL"}},
		{"huge number", []string{"verdict: FAIL"}},
		{"no content type", []string{"content_type"}},
		{"garbage content type", []string{"no usable HTTP answer", "malformed MIME header"}},
		{"50 MB body", []string{"response body exceeds the limit of 1048576 bytes"}},
		{"endless body", []string{"response body exceeds the limit of 1048576 bytes"}},
		{"headers then hang", []string{"body unreadable", "Client.Timeout"}},
		{"slow trickle (1 byte/s)", []string{"body unreadable", "Client.Timeout"}},
	}
	for _, tt := range tests {
		for _, api := range []string{"webex", "commvault"} {
			t.Run(api+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var root string
				if tt.name == "closed port" {
					root = closedPort(t)
				} else {
					root = rawServer(t, badServers[tt.name])
				}
				env, url := webexLive(root+"/v1"), root+"/v1"
				if api == "commvault" {
					env, url = commvaultLive(root+"/commandcenter/api"), root+"/commandcenter/api"
				}
				env["HARNESS_ATTEMPT_TIMEOUT"] = attemptTimeout(tt.want)
				out := t.TempDir()
				o := harness(t, invocation{
					args:      []string{"run", "--skip-load", "--only", api, "--out", out},
					env:       env,
					hangGuard: 3 * time.Minute,
				})
				if outage(tt.name) {
					checkOutage(t, o, api, tt.want)
					return
				}
				if o.code != 1 {
					t.Errorf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", o.code, tail(o.stdout), tail(o.stderr))
				}
				for _, w := range append([]string{api + " target: POST " + url, "verdict: FAIL"}, tt.want...) {
					if answered(tt.name) && strings.HasPrefix(w, api+" target") {
						w = url // an answer came: the finding names the exchange, not a transport error
					}
					if !strings.Contains(o.stdout, w) {
						t.Errorf("stdout does not say %q:\n%s", w, tail(o.stdout))
					}
				}
				for _, secret := range []string{badInputToken, badInputPassword} {
					if strings.Contains(o.output(), secret) {
						t.Errorf("the output shows a secret")
					}
				}
				t.Logf("exit %d: %s", o.code, firstLine(o.stdout, "✗ "))
				checkOutDir(t, out, false)
			})
		}
	}
	// Live load (allowed and capped) against servers that never answer:
	// Vegeta's own timeout ends each request, and an attack that got no
	// answer at all ends early.
	for _, name := range []string{"headers then hang", "refusing"} {
		t.Run("load/"+name, func(t *testing.T) {
			t.Parallel()
			root := rawServer(t, badServers[name])
			env := with(webexLive(root+"/v1"), "HARNESS_ATTEMPT_TIMEOUT", "500ms",
				"HARNESS_ALLOW_LIVE_LOAD", "1", "HARNESS_LIVE_MAX_RATE", "20", "HARNESS_EXPECTED_LIMIT", "10")
			out := t.TempDir()
			o := harness(t, invocation{args: []string{"run", "--only", "webex", "--label-filter", "load", "--out", out}, env: env, hangGuard: 5 * time.Minute})
			if outage(name) {
				checkOutage(t, o, "webex", []string{"closed the connection without an answer"})
				return
			}
			// Answers that never finish: nothing is judged, and that is no pass.
			if o.code == 0 || strings.Contains(o.stdout, "verdict: PASS") {
				t.Errorf("exit %d, want a run that did not pass\nstdout:\n%s\nstderr:\n%s", o.code, tail(o.stdout), tail(o.stderr))
			}
			if !strings.Contains(o.stdout, root) {
				t.Errorf("the summary does not name %s:\n%s", root, tail(o.stdout))
			}
			checkOutDir(t, out, false)
		})
	}
}

// outage tells whether a bad server gives no HTTP answer at all, which
// the preflight finds before any spec runs.
func outage(name string) bool {
	switch name {
	case "closed port", "refusing", "no answer at all", "garbage content type":
		return true
	}
	return false
}

// checkOutage holds a run to what an outage gives: exit 3, one line on
// stderr naming api and its URL variable, nothing on stdout.
func checkOutage(t *testing.T, o outcome, api string, want []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
	prefix := "harness: " + api + ": HARNESS_" + strings.ToUpper(api) + "_URL"
	if o.code != 3 || len(lines) != 1 || !strings.HasPrefix(lines[0], prefix) || o.stdout != "" {
		t.Errorf("exit %d, want 3 and one line starting %q:\n%s", o.code, prefix, o.output())
	}
	for _, w := range want {
		if !strings.Contains(o.stderr, w) {
			t.Errorf("stderr does not say %q:\n%s", w, o.stderr)
		}
	}
	t.Logf("exit %d: %s", o.code, lines[0])
}

// answered tells whether a bad server answers at all, so that the
// failures name the exchange rather than a transport error.
func answered(name string) bool {
	switch name {
	case "non-JSON", "JSON null", "deeply nested JSON", "deeply nested object", "invalid UTF-8", "huge number", "no content type":
		return true
	}
	return false
}

// firstLine returns the first line of s holding subs[0], else subs[1]...,
// trimmed.
func firstLine(s string, subs ...string) string {
	for _, sub := range subs {
		for line := range strings.Lines(s) {
			if strings.Contains(line, sub) {
				return strings.TrimSpace(line)
			}
		}
	}
	return ""
}

func commvaultLive(url string) map[string]string {
	return map[string]string{
		"HARNESS_COMMVAULT_URL":      url,
		"HARNESS_COMMVAULT_USERNAME": "admin",
		"HARNESS_COMMVAULT_PASSWORD": badInputPassword,
		"HARNESS_COMMVAULT_VARIANT":  "customer-managed",
	}
}

// attemptTimeout is short for a case that ends in a timeout, each of whose
// 22 requests (or the preflight's one) waits it out, and generous for the
// others.
func attemptTimeout(want []string) string {
	for _, w := range want {
		if w == "Client.Timeout" || w == "within 500ms" {
			return "500ms"
		}
	}
	return "20s"
}

// checkOutDir holds a run's output folder to what a finished (or, with
// incomplete, an interrupted) run leaves: the report files, every JSON
// file parses, no temporary or partial file is left behind.
func checkOutDir(t *testing.T, out string, incomplete bool) {
	t.Helper()
	for _, name := range []string{"index.html", "run.json", "ginkgo.json", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("no %s: %v", name, err)
		}
	}
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if strings.Contains(name, ".tmp") || strings.HasSuffix(name, ".partial") || strings.HasPrefix(name, ".") {
			t.Errorf("a temporary file is left: %s", path)
		}
		if strings.HasSuffix(name, ".json") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if !json.Valid(data) {
				t.Errorf("%s is not valid JSON (%d bytes)", path, len(data))
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	var run struct {
		Incomplete bool `json:"incomplete"`
	}
	if data, err := os.ReadFile(filepath.Join(out, "run.json")); err == nil {
		if err := json.Unmarshal(data, &run); err != nil {
			t.Errorf("run.json: %v", err)
		} else if run.Incomplete != incomplete {
			t.Errorf("run.json says incomplete=%v, want %v: %s", run.Incomplete, incomplete, data)
		}
	}
}
