package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// chromium finds a headless-capable Chromium, or skips the test with how to
// install one; HARNESS_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	const msg = "no Chromium found: install it with `apt-get install -y chromium` to run the browser test"
	if os.Getenv("HARNESS_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + " (HARNESS_REQUIRE_BROWSER=1)")
	}
	t.Skip(msg)
	return ""
}

// headless runs Chromium on page with extra flags and returns its stdout
// and its log (stderr), where the page's console messages appear as
// ":CONSOLE" lines.
func headless(t *testing.T, browser, page string, flags ...string) (stdout, log string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=5000",
	}, flags...)
	cmd := exec.CommandContext(ctx, browser, append(args, "file://"+page)...)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errs.String())
	}
	return out.String(), errs.String()
}

var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE[:(].*$`)

// TestPageRendersInChromium loads a page with failures and load charts in
// headless Chromium: the page must log nothing to the console, draw every
// chart and show the matrix. It leaves a screenshot in the reports folder.
func TestPageRendersInChromium(t *testing.T) {
	browser := chromium(t)
	c := testkit.Contract(t)
	dir := t.TempDir()
	var s suite
	s.passAll(c, "mock")
	s.set("webex", 429, types.SpecStateFailed, "webex 429: header /header/Retry-After: missing",
		results.Exchange{API: "webex", Target: "mock", Method: "POST", Path: "/v1/telephony/config/redSky/actions/login/invoke", Status: 429, Want: 429,
			Findings: []contract.Finding{{Check: contract.CheckHeader, Pointer: "/header/Retry-After", Expected: "delay-seconds or HTTP-date", Actual: "missing", Message: "429 lacks Retry-After"}},
			Excerpt:  `{"message":"Too many requests","trackingId":"ROUTER_1"}`})
	s.write(t, dir, "ginkgo.json", t0)
	writeLoadFixtures(t, filepath.Join(dir, "load"), t0)
	p := build(t, Source{Dir: dir, Contract: c, Run: &results.RunInfo{HarnessVersion: "v0.0.0-test", Started: t0, Finished: t0.Add(9 * time.Second), Targets: []results.Target{{API: "webex"}, {API: "commvault"}}, Specs: results.SpecInfos(c)}})
	if p.Load == nil {
		t.Fatal("fixture has no load section")
	}
	page := filepath.Join(dir, "index.html")
	if err := WriteHTML(page, p); err != nil {
		t.Fatal(err)
	}

	dom, log := headless(t, browser, page, "--dump-dom")

	if lines := consoleLine.FindAllString(log, -1); len(lines) > 0 {
		t.Errorf("the page logged to the console:\n%s", strings.Join(lines, "\n"))
	}
	want := strconv.Itoa(len(p.Load.Charts))
	if !strings.Contains(dom, `data-charts="`+want+`"`) {
		m := regexp.MustCompile(`data-charts="[^"]*"`).FindString(dom)
		t.Errorf("charts drawn: %q, want %s", m, want)
	}
	if n := strings.Count(dom, `class="dygraph-`); n == 0 {
		t.Error("no dygraphs elements in the DOM")
	}
	for _, api := range []string{"webex", "commvault"} {
		if !strings.Contains(dom, `class="matrix" data-api="`+api+`"`) {
			t.Errorf("no matrix for %s", api)
		}
	}
	if !strings.Contains(dom, `data-state="failed"`) {
		t.Error("the failure is not in the matrix")
	}

	shot := filepath.Join(results.OutDir(), "screenshot.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	headless(t, browser, page, "--screenshot="+shot, "--window-size=1280,2400", "--hide-scrollbars")
	if info, err := os.Stat(shot); err != nil || info.Size() == 0 {
		t.Fatalf("no screenshot at %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}
