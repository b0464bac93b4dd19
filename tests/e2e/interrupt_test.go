package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/mock"
	"loginharness/internal/testkit"
)

// TestInterruptKeepsPartialResults sends SIGINT to `harness run` in the
// middle of a conformance run and of a load run: the process exits, exit 1,
// with the results so far and a report marked incomplete, and leaves no
// half-written file: every JSON file parses, every Vegeta file decodes to
// its end, no temporary file is left.
func TestInterruptKeepsPartialResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// start returns the run's arguments and environment, and when to
		// send SIGINT, given the output folder.
		start func(t *testing.T, out string) ([]string, map[string]string, func() bool)
		check func(t *testing.T, out string)
	}{
		{
			name: "conformance",
			// A live Webex (the mock's handler) that answers five requests,
			// then holds the sixth: SIGINT arrives while the suite waits on
			// it, with the default 30 s attempt timeout.
			start: func(t *testing.T, out string) ([]string, map[string]string, func() bool) {
				h := mock.New(mock.DefaultConfig())
				var n atomic.Int64
				held := make(chan struct{})
				var holding atomic.Bool
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) > 5 {
						holding.Store(true)
						select {
						case <-held:
						case <-r.Context().Done():
						}
						return
					}
					h.ServeHTTP(w, r)
				}))
				t.Cleanup(srv.Close)
				t.Cleanup(func() { close(held) })
				env := map[string]string{
					"HARNESS_WEBEX_URL": srv.URL + "/v1", "HARNESS_WEBEX_TOKEN": mock.DemoWebexToken,
					"HARNESS_REDSKY_EMAIL": mock.DemoRedSkyEmail, "HARNESS_REDSKY_PASSWORD": mock.DemoRedSkyPassword,
				}
				return []string{"run", "--skip-load", "--only", "webex", "--out", out}, env, holding.Load
			},
			check: func(t *testing.T, out string) {
				ginkgo := readFile(t, filepath.Join(out, "ginkgo.json"))
				if !strings.Contains(ginkgo, `"State":"passed"`) && !strings.Contains(ginkgo, `"State": "passed"`) {
					t.Errorf("ginkgo.json keeps no passed spec: the results before the interrupt are lost")
				}
				if !strings.Contains(ginkgo, "interrupted") {
					t.Errorf("ginkgo.json does not show the interrupted spec")
				}
			},
		},
		{
			name: "load",
			// The load scenarios on the embedded mock: SIGINT once the first
			// scenario's summary is written, while the others run.
			start: func(t *testing.T, out string) ([]string, map[string]string, func() bool) {
				first := func() bool {
					matches, _ := filepath.Glob(filepath.Join(out, "load", "*.summary.json"))
					return len(matches) > 0
				}
				return []string{"run", "--only", "webex", "--label-filter", "load", "--out", out}, nil, first
			},
			check: func(t *testing.T, out string) {
				summaries, _ := filepath.Glob(filepath.Join(out, "load", "*.summary.json"))
				incomplete := 0
				for _, f := range summaries {
					if strings.Contains(readFile(t, f), `"incomplete": true`) {
						incomplete++
					}
				}
				// On the mock the scenarios run side by side: the short one
				// finishes, the others are cut short and say so.
				if len(summaries) < 2 || incomplete < 1 || incomplete == len(summaries) {
					t.Errorf("%d load summaries, %d incomplete: want finished and interrupted scenarios", len(summaries), incomplete)
				}
				bins, _ := filepath.Glob(filepath.Join(out, "load", "*.bin"))
				if len(bins) < 2 {
					t.Errorf("%d Vegeta result files, want the finished and the interrupted scenario's", len(bins))
				}
				for _, f := range bins {
					if n := decodeVegeta(t, f, nil); n == 0 {
						t.Errorf("%s holds no result", f)
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := t.TempDir()
			args, env, when := tt.start(t, out)
			o := harness(t, invocation{args: args, env: env, interruptWhen: when, hangGuard: 3 * time.Minute})
			if o.interruptedAt == 0 {
				t.Fatalf("the run ended before the interrupt (exit %d):\n%s", o.code, tail(o.output()))
			}
			t.Logf("exited %s after SIGINT", o.took-o.interruptedAt)
			// A hang guard, not a timing assertion: the default attempt
			// timeout is 30 s, a load scenario's time limit 2 min.
			if after := o.took - o.interruptedAt; after > 25*time.Second {
				t.Errorf("took %s to exit after SIGINT", after)
			}
			if o.code != 1 {
				t.Errorf("exit %d, want 1\n%s", o.code, tail(o.output()))
			}
			if !strings.Contains(o.stdout, "verdict: INCOMPLETE") {
				t.Errorf("the summary does not say the run is incomplete:\n%s", tail(o.stdout))
			}
			if page := readFile(t, filepath.Join(out, "index.html")); !strings.Contains(page, "INCOMPLETE") {
				t.Errorf("index.html is not marked incomplete")
			}
			checkOutDir(t, out, true)
			tt.check(t, out)
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
	}
	return string(data)
}

// decodeVegeta reads a Vegeta result file to its end with Vegeta's own
// decoder, failing the test on a truncated or corrupt file, and hands each
// result to each (when not nil). It returns the number of results.
func decodeVegeta(t *testing.T, path string, each func(*vegeta.Result)) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer f.Close()
	n, err := testkit.DecodeResults(f, each)
	if err != nil {
		t.Errorf("%s: %v", path, err)
	}
	return n
}
