package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html"
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
	s := passing(c, "mock")
	s.set("webex", 429, types.SpecStateFailed, "webex 429: header /header/Retry-After: missing",
		results.Exchange{API: "webex", Target: "mock", Method: "POST", Path: "/v1/telephony/config/redSky/actions/login/invoke", Status: 429, Want: 429,
			Findings: []contract.Finding{{Check: contract.CheckHeader, Pointer: "/header/Retry-After", Expected: "delay-seconds or HTTP-date", Actual: "missing", Message: "429 lacks Retry-After"}},
			Excerpt:  `{"message":"Too many requests","trackingId":"ROUTER_1"}`})
	s.write(t, dir, "ginkgo.json", t0)
	writeLoadFixtures(t, filepath.Join(dir, "load"), t0)
	writeChartEdgeFixtures(t, filepath.Join(dir, "load"))
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

	checkCaptions(t, dom)
	checkCounts(t, dom)
	checkGlossary(t, dom)

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

// writeChartEdgeFixtures adds to the load fixtures what charts get wrong
// at their edges: two marks close together (where a measure starts and
// stops), a level at the very top of the data (the obeying client served
// at the limit), and a scenario of a handful of requests, whose
// per-second rates would read as spikes; with a verdict not judged and an
// observation, so the page uses the words its glossary explains.
func writeChartEdgeFixtures(t *testing.T, dir string) {
	t.Helper()
	sums, err := results.ReadLoadSummaries(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Scenario == "over-limit" {
			s.Envelope.FromSeconds, s.Envelope.ToSeconds = 4.6, 4.9
			if err := results.WriteLoadSummary(dir, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	sparse := summary("retry-after-honesty", t0, results.Limit{Rate: 0.5, Burst: 1, Source: "mock"}, 1.5, func(sec float64) (ok, limited int) {
		switch sec {
		case 0, 3:
			return 2, 0 // one request served in the half-second bin
		case 1, 4:
			return 0, 2 // one refused
		}
		return 0, 0
	})
	sparse.Verdicts = append(sparse.Verdicts, results.Verdict{Name: "served-after-retry-after", State: results.VerdictNotJudged, Message: "no client waited out a Retry-After"})
	sparse.Observations = []results.Observation{{Name: "refused-before-retry-after", Message: "a request 0.5 s into a Retry-After of 1 s got 429"}}
	if err := results.WriteLoadSummary(dir, sparse); err != nil {
		t.Fatal(err)
	}
}

// box is a rectangle of a chart's canvas, in CSS pixels.
type box struct {
	X, Y, W, H float64
	Text       string
}

func (a box) overlaps(b box) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

func (a box) inside(b box) bool {
	return a.X >= b.X && a.Y >= b.Y && a.X+a.W <= b.X+b.W && a.Y+a.H <= b.Y+b.H
}

var chartDiv = regexp.MustCompile(`<div class="chart" id="([^"]+)"([^>]*)>`)

// chartAttrs are the data attributes the page's script left on each chart.
func chartAttrs(dom string) map[string]map[string]string {
	charts := map[string]map[string]string{}
	for _, m := range chartDiv.FindAllStringSubmatch(dom, -1) {
		attrs := map[string]string{}
		for _, a := range regexp.MustCompile(`data-([a-z]+)="([^"]*)"`).FindAllStringSubmatch(m[2], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		charts[m[1]] = attrs
	}
	return charts
}

// checkCaptions wants every caption of a chart's lines drawn, inside the
// plotting area (so nothing clips it) and clear of the others, by the
// boxes the script drew them in.
func checkCaptions(t *testing.T, dom string) {
	t.Helper()
	captioned := 0
	for id, attrs := range chartAttrs(dom) {
		if attrs["captions"] == "" {
			continue
		}
		var area box
		var caps []box
		if err := errors.Join(json.Unmarshal([]byte(attrs["area"]), &area), json.Unmarshal([]byte(attrs["captions"]), &caps)); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if attrs["missing"] != "0" {
			t.Errorf("%s: %s captions found no room", id, attrs["missing"])
		}
		for i, c := range caps {
			if c.W <= 0 || !c.inside(area) {
				t.Errorf("%s: caption %q at %+v leaves the plotting area %+v", id, c.Text, c, area)
			}
			for _, d := range caps[:i] {
				if c.overlaps(d) {
					t.Errorf("%s: caption %q overlaps %q", id, c.Text, d.Text)
				}
			}
		}
		captioned += len(caps)
	}
	// The over-limit envelope's two marks, the knee, and a limit on every
	// status chart but the one drawn as counts.
	if want := 3 + 3; captioned < want {
		t.Errorf("%d captions drawn, want at least %d", captioned, want)
	}
}

// checkCounts wants the chart of a handful of requests drawn as counts,
// and the others as rates.
func checkCounts(t *testing.T, dom string) {
	t.Helper()
	for id, attrs := range chartAttrs(dom) {
		sparse := id == "chart-retry-after-honesty-status"
		if counts := attrs["counts"] == "true"; counts != sparse {
			t.Errorf("%s: drawn as counts %v, want %v", id, counts, sparse)
		}
	}
	if !strings.Contains(dom, "counted per 0.5 s</h4>") {
		t.Error("the chart drawn as counts does not say so in its title")
	}
}

// checkGlossary wants each word the report uses unexplained linked to
// its entry in the glossary.
func checkGlossary(t *testing.T, dom string) {
	t.Helper()
	for _, term := range []string{"envelope", "recovery", "not-judged", "seen", "pending", "burst", "long-run", "goodput", "deferred", "repeated-429"} {
		if !strings.Contains(dom, `id="term-`+term+`"`) {
			t.Errorf("the glossary has no entry term-%s", term)
		}
		if !strings.Contains(dom, `<a class="term" href="#term-`+term+`"`) {
			t.Errorf("no word of the page links to term-%s", term)
		}
	}
}
