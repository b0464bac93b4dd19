package results

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRunInfoRoundTrips: run.json reads back as written; a folder without
// one (written by go tool ginkgo) reads as empty, and a damaged one is an
// error naming the file.
func TestRunInfoRoundTrips(t *testing.T) {
	dir := t.TempDir()
	if info, err := ReadRunInfo(dir); err != nil || !reflect.DeepEqual(info, RunInfo{}) {
		t.Fatalf("no run.json: %+v, %v; want empty and no error", info, err)
	}
	want := RunInfo{
		HarnessVersion: "v1.2.3", Started: time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC), LabelFilter: "webex",
		Targets: []Target{{API: "webex", URL: "https://api.example"}, {API: "commvault"}},
		Specs:   []SpecInfo{{API: "webex", File: "webex.yaml", Version: "1.0", SHA256: "abc"}},
		Shard:   &Shard{Index: 1, Count: 3, RunID: "nightly-7"},
	}
	if err := WriteRunInfo(dir, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRunInfo(dir)
	if err != nil || !reflect.DeepEqual(got.Targets, want.Targets) || !got.Started.Equal(want.Started) || got.Shard.RunID != "nightly-7" {
		t.Errorf("read back %+v, %v; want %+v", got, err, want)
	}
	if !got.Targets[0].Live() || got.Targets[1].Live() || got.Targets[1].Name() != "embedded mock" {
		t.Errorf("targets: %+v", got.Targets)
	}
	if err := os.WriteFile(filepath.Join(dir, RunInfoFile), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRunInfo(dir); err == nil || !strings.Contains(err.Error(), RunInfoFile) {
		t.Errorf("a damaged run.json: %v, want an error naming it", err)
	}
}
