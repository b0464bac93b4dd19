package load

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/results"
)

// bareLogin serves the mock's valid-login answer, byte for byte, from a bare
// handler: the fastest server the load path could face on this machine.
func bareLogin(b *testing.B) (*Target, func()) {
	b.Helper()
	c := testContract(b)
	m, err := StartMock(b.Context(), c, DefaultMockConfig())
	if err != nil {
		b.Fatal(err)
	}
	req, _ := m.login.Request()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("the mock answered %d", resp.StatusCode)
	}
	header := resp.Header.Clone()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range header {
			w.Header()[k] = v
		}
		_, _ = w.Write(body)
	}))
	base := srv.URL + "/v1"
	t, err := newTarget(c, results.TargetInfo{Kind: "bare", URL: base}, base, credentials{token: "bench-token", email: "a@example.com", password: "bench-password"})
	if err != nil {
		b.Fatal(err)
	}
	return t, srv.Close
}

// BenchmarkLoadPathFidelity compares the rate the harness's load path
// achieves (every response validated, redacted and encoded to a Vegeta file)
// with plain Vegeta reading the same results into its Metrics, at the same
// requested rate against the same bare handler. Goal: ratio >= 0.9.
func BenchmarkLoadPathFidelity(b *testing.B) {
	const attack = time.Second
	for _, rate := range []int{1000, 5000, 10000} {
		b.Run(fmt.Sprintf("rate=%d", rate), func(b *testing.B) {
			tgt, stop := bareLogin(b)
			defer stop()
			r := NewRunner(testContract(b), WithOutDir(b.TempDir()), WithDuration(attack))
			s := &session{Runner: r, target: tgt, scenario: Scenario{Name: "bench"}, sum: newSummary(Scenario{Name: "bench"}, tgt)}
			pacer := vegeta.ConstantPacer{Freq: rate, Per: time.Second}
			var plain, harness, validated, nonconforming float64
			for b.Loop() {
				var m vegeta.Metrics
				atk := vegeta.NewAttacker(tgt.attackerOptions(r.timeout, r.maxBody)...)
				for res := range atk.Attack(s.static(), pacer, attack, "plain") {
					m.Add(res)
				}
				m.Close()
				plain += m.Rate

				rec, err := s.record("")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := rec.attack(b.Context(), s, s.plan("harness", s.static(), pacer)); err != nil {
					b.Fatal(err)
				}
				checked, byCheck, err := rec.close()
				if err != nil {
					b.Fatal(err)
				}
				harness += rec.metrics.Rate
				validated += float64(checked) / float64(rec.metrics.Requests)
				for _, n := range byCheck {
					nonconforming += float64(n)
				}
			}
			n := float64(b.N)
			b.ReportMetric(plain/n, "plain-req/s")
			b.ReportMetric(harness/n, "harness-req/s")
			b.ReportMetric(harness/plain, "ratio")
			b.ReportMetric(validated/n, "validated-share")
			b.ReportMetric(nonconforming/n, "nonconforming")
		})
	}
}
