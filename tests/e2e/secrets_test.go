package e2e

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/mock"
	"loginharness/internal/testkit"
)

// Planted credentials: unique, non-demo values that must never appear in
// anything the harness writes. Letters and digits only, so no escaping
// (JSON, HTML, URL) could hide them from a plain search.
const (
	plantedWebexToken        = "PlantedWebexToken7c41e2f9"
	plantedWebexTokenNoScope = "PlantedNoScopeToken3b8d50a6"
	plantedRedSkyPassword    = "PlantedRedSkyPass5e27c1d8"
	plantedCommvaultPassword = "PlantedCommvaultPass9a6f03b4"
	plantedSaaSPassword      = "PlantedSaaSPass2d94e7a1"
	// Returned by the test server of the live run as the Commvault token
	// and a session cookie: what a server hands back is secret too.
	plantedReturnedToken = "QSDK 0123456789abcdef0123456789abcdef0123456789abcdef"
	plantedCookie        = "PlantedSessionCookie6e1f9c3a"
)

// mockToken is the shape of the tokens the mock returns (a fresh one per
// sign-in): none may be written either.
var mockToken = regexp.MustCompile(`QSDK [0-9a-fA-F]{32,}`)

// secretForms returns s and every encoding a writer could hide it in:
// Base64 (standard and URL alphabets, padded or not) at each of the three
// byte alignments it can take inside a longer encoded string.
func secretForms(s string) []string {
	forms := []string{s}
	for shift := range 3 {
		prefix := strings.Repeat("\x00", shift)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			full := enc.EncodeToString([]byte(prefix + s))
			if shift == 0 {
				forms = append(forms, full, strings.TrimRight(full, "="))
			}
			// Drop the characters that mix the prefix or the next bytes in.
			start := (shift*8 + 5) / 6
			end := ((shift + len(s)) * 8) / 6
			if end > start+8 {
				forms = append(forms, full[start:end])
			}
		}
	}
	return forms
}

// scanner looks for planted secrets in what the harness wrote.
type scanner struct {
	t       *testing.T
	secrets []string
	forms   map[string]string // form -> the secret it encodes
	checked int               // bytes scanned
	found   []string          // what it found, where
}

func newScanner(t *testing.T, secrets ...string) *scanner {
	s := &scanner{t: t, secrets: secrets, forms: map[string]string{}}
	for _, sec := range secrets {
		for _, f := range secretForms(sec) {
			s.forms[f] = sec
		}
	}
	return s
}

func (s *scanner) scan(where string, data []byte) {
	s.t.Helper()
	s.checked += len(data)
	for form, secret := range s.forms {
		if i := bytes.Index(data, []byte(form)); i >= 0 {
			s.found = append(s.found, fmt.Sprintf("%s holds secret %q (as %q) at byte %d: ...%s...", where, secret, form, i, excerpt(data, i)))
		}
	}
	if loc := mockToken.FindIndex(data); loc != nil {
		s.found = append(s.found, fmt.Sprintf("%s holds a returned session token at byte %d: ...%s...", where, loc[0], excerpt(data, loc[0])))
	}
}

// report fails the test with everything the scan found.
func (s *scanner) report() {
	s.t.Helper()
	for _, f := range s.found {
		s.t.Error(f)
	}
}

func excerpt(data []byte, i int) string {
	return string(data[max(0, i-60):min(len(data), i+80)])
}

// scanDir scans every file under dir, and every result of each Vegeta file
// decoded, body and headers included.
func (s *scanner) scanDir(dir string) (files, bins int) {
	s.t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		s.scan(path, data)
		if strings.HasSuffix(path, ".bin") {
			bins++
			decodeVegeta(s.t, path, func(r *vegeta.Result) {
				s.scan(path+" (decoded body)", r.Body)
				s.scan(path+" (decoded URL, error, attack)", []byte(r.URL+" "+r.Error+" "+r.Attack+" "+r.Method))
				for k, vs := range r.Headers {
					s.scan(path+" (decoded header "+k+")", []byte(k+": "+strings.Join(vs, ", ")))
				}
			})
		}
		return nil
	})
	if err != nil {
		s.t.Error(err)
	}
	return files, bins
}

// startHarnessMock runs `harness mock` with planted accounts on a free
// loopback port and returns its root URL and a function that stops it and
// returns everything it printed.
func startHarnessMock(t *testing.T, args ...string) (root string, stop func() []byte) {
	t.Helper()
	cmdArgs := append([]string{"mock", "--addr", "127.0.0.1:0"}, args...)
	cmd := execHarness(cmdArgs...)
	var out bytes.Buffer
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := regexp.MustCompile(`"mock listening" addr=(127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	var logged bytes.Buffer
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			logged.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case a := <-found:
		root = "http://" + a
	case <-time.After(30 * time.Second): // a hang guard
		_ = cmd.Process.Kill()
		t.Fatal("harness mock did not say where it listens")
	}
	stopped := false
	stop = func() []byte {
		if !stopped {
			stopped = true
			_ = cmd.Process.Signal(os.Interrupt)
			<-done
			_ = cmd.Wait()
		}
		mu.Lock()
		defer mu.Unlock()
		return append(out.Bytes(), logged.Bytes()...)
	}
	t.Cleanup(func() { stop() })
	return root, stop
}

// TestNoSecretInAnyOutput runs the harness with planted credentials and
// scans every byte it writes (the output folder, Vegeta files decoded,
// stdout, stderr, the mock's log) for them and their Base64 forms, and for
// the session tokens the servers returned.
//
//   - "full run": `harness run` with load, live, against `harness mock`
//     serving planted accounts (live load allowed, capped).
//   - "live conformance": `harness run --skip-load` against a test server
//     (the mock's handler behind a wrapper) that returns a planted token
//     and cookie.
func TestNoSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	secrets := []string{plantedWebexToken, plantedWebexTokenNoScope, plantedRedSkyPassword, plantedCommvaultPassword, plantedSaaSPassword, plantedReturnedToken, plantedCookie}

	t.Run("full run", func(t *testing.T) {
		t.Parallel()
		root, stopMock := startHarnessMock(t,
			"--webex-token", plantedWebexToken, "--webex-token-no-scope", plantedWebexTokenNoScope,
			"--redsky-account", "planted-admin@example.com:"+plantedRedSkyPassword,
			"--commvault-account", "planted-admin:"+plantedCommvaultPassword,
			"--commvault-account", "planted-saas@example.com:"+plantedSaaSPassword,
			"--rate", "20", "--burst", "5")
		out := t.TempDir()
		env := liveEnv(root, root)
		env["HARNESS_ALLOW_LIVE_LOAD"], env["HARNESS_LIVE_MAX_RATE"], env["HARNESS_EXPECTED_LIMIT"] = "1", "100", "20"
		o := harness(t, invocation{args: []string{"run", "--out", out}, env: env, hangGuard: 5 * time.Minute})
		// The scan is the point: a load verdict missed on a busy machine
		// (exit 1) does not void it, but the run must have finished.
		if (o.code != 0 && o.code != 1) || !strings.Contains(o.stdout, "verdict: ") {
			t.Errorf("exit %d: the run did not finish\n%s", o.code, tail(o.output()))
		}
		s := newScanner(t, secrets...)
		files, bins := s.scanDir(out)
		s.scan("stdout", []byte(o.stdout))
		s.scan("stderr", []byte(o.stderr))
		s.scan("harness mock's output", stopMock())
		s.report()
		t.Logf("scanned %d files (%d Vegeta files, decoded too), %d bytes in all", files, bins, s.checked)
		if bins < 5 || files < 15 {
			t.Errorf("only %d files, %d Vegeta files: the run did not write what a full run writes", files, bins)
		}
	})

	t.Run("live conformance", func(t *testing.T) {
		t.Parallel()
		srv := newAccountServer(t)
		out := t.TempDir()
		o := harness(t, invocation{args: []string{"run", "--skip-load", "--out", out}, env: liveEnv(srv.URL, srv.URL), hangGuard: 3 * time.Minute})
		if o.code != 0 {
			t.Errorf("exit %d, want 0\n%s", o.code, tail(o.output()))
		}
		s := newScanner(t, secrets...)
		files, _ := s.scanDir(out)
		s.scan("stdout", []byte(o.stdout))
		s.scan("stderr", []byte(o.stderr))
		s.report()
		t.Logf("scanned %d files, %d bytes in all", files, s.checked)
		if srv.returned() == 0 {
			t.Error("the server never returned its planted token: the scan proves nothing")
		}
	})
}

// liveEnv points both APIs at live servers with the planted credentials.
func liveEnv(webexRoot, commvaultRoot string) map[string]string {
	return map[string]string{
		"HARNESS_WEBEX_URL":            webexRoot + "/v1",
		"HARNESS_WEBEX_TOKEN":          plantedWebexToken,
		"HARNESS_WEBEX_TOKEN_NO_SCOPE": plantedWebexTokenNoScope,
		"HARNESS_REDSKY_EMAIL":         "planted-admin@example.com",
		"HARNESS_REDSKY_PASSWORD":      plantedRedSkyPassword,
		"HARNESS_COMMVAULT_URL":        commvaultRoot + "/commandcenter/api",
		"HARNESS_COMMVAULT_USERNAME":   "planted-admin",
		"HARNESS_COMMVAULT_PASSWORD":   plantedCommvaultPassword,
		"HARNESS_COMMVAULT_VARIANT":    "customer-managed",
	}
}

// accountServer is a live server stand-in (testkit.LiveServer, which
// counts the wrong-password sign-ins per account and the Prefer headers):
// the mock's handler with the planted accounts, behind a wrapper that
// returns the planted token and cookie and echoes the Authorization header
// and the password it got in X-Debug-* headers.
type accountServer struct {
	*testkit.LiveServer
	mu     sync.Mutex
	tokens int // answers carrying the planted token
}

func newAccountServer(t *testing.T) *accountServer {
	cfg := mock.DefaultConfig()
	cfg.WebexTokens, cfg.WebexTokensNoScope = []string{plantedWebexToken}, []string{plantedWebexTokenNoScope}
	cfg.RedSkyAccounts[0].Email, cfg.RedSkyAccounts[0].Password = "planted-admin@example.com", plantedRedSkyPassword
	cfg.RedSkyAccounts = cfg.RedSkyAccounts[:1]
	cfg.CommvaultAccounts = []mock.CommvaultAccount{{Username: "planted-admin", Password: plantedCommvaultPassword}}
	h := mock.New(cfg)
	s := &accountServer{}
	careless := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		answer := mockToken.ReplaceAll(rec.Body.Bytes(), []byte(plantedReturnedToken))
		if !bytes.Equal(answer, rec.Body.Bytes()) {
			s.mu.Lock()
			s.tokens++
			s.mu.Unlock()
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Set-Cookie", "session="+plantedCookie+"; HttpOnly")
		// A careless server echoes what it got: the harness must not keep it.
		w.Header().Set("X-Debug-Authorization", r.Header.Get("Authorization"))
		var login struct{ Password any }
		if json.Unmarshal(body, &login) == nil {
			if p, ok := login.Password.(string); ok {
				w.Header().Set("X-Debug-Password", p)
			}
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(answer)
	})
	passwords := map[string]string{"planted-admin@example.com": plantedRedSkyPassword, "planted-admin": plantedCommvaultPassword}
	s.LiveServer = testkit.NewLiveServer(t, careless, passwords)
	return s
}

func (s *accountServer) returned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// TestScannerFindsPlantedSecrets shows the scan can fail: a secret written
// plainly, Base64-encoded at any alignment inside a longer value (as in an
// encoded header or a gob), or in a Vegeta result body is found.
func TestScannerFindsPlantedSecrets(t *testing.T) {
	const secret = plantedCommvaultPassword
	dir := t.TempDir()
	vegetaFile := filepath.Join(dir, "x.bin")
	f, err := os.Create(vegetaFile)
	if err != nil {
		t.Fatal(err)
	}
	enc := vegeta.NewEncoder(f)
	if err := enc.Encode(&vegeta.Result{Code: 200, Body: []byte(`{"token":"` + plantedReturnedToken + `"}`), Headers: http.Header{"X-Echo": {"Bearer " + plantedWebexToken}}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := map[string][]byte{
		"plain":      []byte("user admin password " + secret + " in a log line"),
		"Base64":     []byte(`{"password":"` + base64.StdEncoding.EncodeToString([]byte(secret)) + `"}`),
		"Base64 +1":  []byte(base64.StdEncoding.EncodeToString([]byte("x" + secret + "yz"))),
		"Base64 +2":  []byte(base64.URLEncoding.EncodeToString([]byte("xy" + secret))),
		"Basic auth": []byte("Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+secret))),
		"mock token": []byte(`{"token":"QSDK 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988"}`),
	}
	for name, data := range tests {
		s := newScanner(t, secret)
		s.scan(name, data)
		if len(s.found) == 0 {
			t.Errorf("%s: not found in %q", name, data)
		}
	}
	s := newScanner(t, plantedWebexToken)
	s.scanDir(dir)
	if len(s.found) < 2 {
		t.Errorf("the Vegeta file's token and header were not both found: %q", s.found)
	}
	s = newScanner(t, secret)
	s.scan("clean", []byte("nothing here but "+plantedWebexToken[:10]))
	if len(s.found) != 0 {
		t.Errorf("false alarm: %q", s.found)
	}
}
