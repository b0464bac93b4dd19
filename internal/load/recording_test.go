package load

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

func TestRequestTag(t *testing.T) {
	u := tagURL("http://127.0.0.1:1/v1/x?orgId=o", 42, true)
	if id, retry := parseRequestTag(u); id != 42 || !retry {
		t.Errorf("parseRequestTag(%q) = %d, %v", u, id, retry)
	}
	req, err := (&vegeta.Target{Method: "POST", URL: u}).Request()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(req.URL.RequestURI(), requestTag) {
		t.Errorf("the tag would go over the wire: %s", req.URL.RequestURI())
	}
	if _, retry := parseRequestTag("http://h/p#other"); retry {
		t.Error("an untagged URL read as a retry")
	}
}

func TestRedact(t *testing.T) {
	res := &vegeta.Result{
		Body:    []byte(`{"message":"bad","password":"pw-planted-1","echo":"tok-planted-2"}`),
		Headers: http.Header{"Set-Cookie": {"session=tok-planted-2"}, "Authorization": {"Bearer tok-planted-2"}},
		Error:   "refused tok-planted-2",
		URL:     "http://h/p",
	}
	(&memo{secrets: []string{"tok-planted-2", "pw-planted-1"}}).redact(res)
	all := string(res.Body) + res.Error + res.URL + strings.Join(res.Headers.Values("Set-Cookie"), "") + strings.Join(res.Headers.Values("Authorization"), "")
	for _, secret := range []string{"tok-planted-2", "pw-planted-1"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q survived redaction: %s", secret, all)
		}
	}
}

// TestResultsFileKeepsNoSecrets runs an attack with planted credentials and
// reads its Vegeta file back: readable by Vegeta's decoder, no secret in it.
func TestResultsFileKeepsNoSecrets(t *testing.T) {
	const token, password = "tok-PLANTED-7d1e", "pw-PLANTED-93ab"
	cfg := DefaultMockConfig()
	cfg.WebexTokens = []string{token}
	cfg.RedSkyAccounts[0].Password = password
	c := testkit.Contract(t)
	tgt, err := MockEndpoint(t.Context(), c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	out := t.TempDir()
	sc, _ := ScenarioNamed(ScenarioOverLimit)
	sum, err := NewRunner(c, WithOutDir(out), WithDuration(500*time.Millisecond)).Run(t.Context(), sc, tgt)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(results.LoadDir(out), sum.Files[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{token, password, "Bearer"} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the results file holds %q", secret)
		}
	}
	n := decodeAll(t, data)
	if n != sum.Requests || n == 0 {
		t.Errorf("decoded %d results, the summary counts %d", n, sum.Requests)
	}
}

func decodeAll(t *testing.T, data []byte) int {
	t.Helper()
	n, err := testkit.DecodeResults(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInterruptKeepsPartialResults cancels a long attack: it stops at once,
// and both files are written, the summary marked incomplete.
func TestInterruptKeepsPartialResults(t *testing.T) {
	c := testkit.Contract(t)
	tgt, err := MockEndpoint(t.Context(), c, DefaultMockConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
	defer cancel()
	out := t.TempDir()
	sc, _ := ScenarioNamed(ScenarioObeying)
	start := time.Now()
	sum, err := NewRunner(c, WithOutDir(out), WithDuration(time.Minute)).Run(ctx, sc, tgt)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's error", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the attack took %s to stop", took)
	}
	saved, err := results.ReadLoadSummaries(results.LoadDir(out))
	if err != nil || len(saved) != 1 {
		t.Fatalf("summaries: %v, %v", saved, err)
	}
	if !saved[0].Incomplete || !strings.Contains(saved[0].IncompleteReason, "interrupted") || saved[0].Passed() {
		t.Errorf("summary not marked incomplete: %+v", saved[0])
	}
	data, err := os.ReadFile(filepath.Join(results.LoadDir(out), sum.Files[0]))
	if err != nil {
		t.Fatal(err)
	}
	if n := decodeAll(t, data); n == 0 {
		t.Error("no partial results were kept")
	}
	entries, _ := os.ReadDir(results.LoadDir(out))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestMockSourceGivesScenariosTheirOwnLimit(t *testing.T) {
	c := testkit.Contract(t)
	sc, _ := ScenarioNamed(ScenarioHonesty)
	tgt, err := MockSource{Contract: c, Config: DefaultMockConfig(mock.DriftWrongType)}.Open(t.Context(), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	if tgt.Limit.Rate != sc.MockRate || tgt.Limit.Burst != sc.MockBurst || tgt.Info.Kind != "mock" {
		t.Errorf("got %+v", tgt.Limit)
	}
}

// TestSummaryCountsConformingResponsesByStatus: the summary counts, by
// status, the validated responses that kept the contract, for the coverage
// matrix: every one on the honest mock, no 429 on one that drops
// Retry-After.
func TestSummaryCountsConformingResponsesByStatus(t *testing.T) {
	c := testkit.Contract(t)
	sc, _ := ScenarioNamed(ScenarioOverLimit)
	for _, drifts := range [][]mock.Drift{nil, {mock.DriftMissingRetryAfter}} {
		e, err := MockEndpoint(t.Context(), c, DefaultMockConfig(drifts...))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := NewRunner(c, WithOutDir(t.TempDir()), WithDuration(300*time.Millisecond), WithWindows(1), WithMaxDuration(2*time.Second)).Run(t.Context(), sc, e)
		e.Close()
		if err != nil {
			t.Fatal(err)
		}
		if sum.StatusCodes["429"] == 0 || sum.StatusCodes["200"] == 0 {
			t.Fatalf("%v: no 200 and 429 to count: %v", drifts, sum.StatusCodes)
		}
		want429 := sum.StatusCodes["429"]
		if len(drifts) > 0 {
			want429 = 0
		}
		if sum.Conforming["200"] != sum.StatusCodes["200"] || sum.Conforming["429"] != want429 {
			t.Errorf("%v: conforming %v of %v, want every 200 and %d 429s", drifts, sum.Conforming, sum.StatusCodes, want429)
		}
	}
}
