package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportFromDamagedFiles renders the page again (`harness report`)
// from a run's folder with one file damaged, as a CI artifact can be: each
// damage is named with its file, never silently read as "no results", and
// exits 2: an input that cannot be read is no failure of the server's.
func TestReportFromDamagedFiles(t *testing.T) {
	t.Parallel()
	run := t.TempDir()
	o := harness(t, invocation{args: []string{"run", "--skip-load", "--only", "webex", "--out", run}, hangGuard: 2 * time.Minute})
	if o.code != 0 {
		t.Fatalf("the run to damage failed, exit %d:\n%s", o.code, tail(o.output()))
	}
	summary := filepath.Join("load", "under-limit.summary.json")
	tests := []struct {
		name   string
		file   string
		damage func(data []byte) []byte
		code   int
		want   []string // in stdout and stderr
	}{
		{"truncated Ginkgo report", "ginkgo.json", func(b []byte) []byte { return b[:len(b)/2] }, 2, []string{"ginkgo.json", "JSON", "no readable run"}},
		{"empty Ginkgo report", "ginkgo.json", func([]byte) []byte { return nil }, 2, []string{"ginkgo.json", "no readable run"}},
		{"garbage run.json", "run.json", func([]byte) []byte { return []byte("garbage") }, 2, []string{"run.json", "invalid character", "no readable run"}},
		// The rest renders, INCOMPLETE: a file that cannot be read is no
		// broken promise of the server's.
		{"truncated load summary", summary, func([]byte) []byte { return []byte(`{"scenario": "under-limit", "rate`) }, 2, []string{"under-limit.summary.json", "unreadable load summaries", "verdict: INCOMPLETE", "codes: 19 passed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(run)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tt.file)
			data, _ := os.ReadFile(path)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tt.damage(data), 0o644); err != nil {
				t.Fatal(err)
			}
			o := harness(t, invocation{args: []string{"report", "--in", dir}, hangGuard: time.Minute})
			if o.code != tt.code {
				t.Errorf("exit %d, want %d\n%s", o.code, tt.code, tail(o.output()))
			}
			for _, w := range tt.want {
				if !strings.Contains(o.output(), w) {
					t.Errorf("the output does not say %q:\n%s", w, tail(o.output()))
				}
			}
		})
	}
}
