package load

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/bench"
	"loginharness/internal/contract"
	"loginharness/internal/mock"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/testkit"
)

// bareLogin serves the mock's valid-login answer, byte for byte, from a bare
// handler: the fastest server the load path could face on this machine.
func bareLogin(b *testing.B) (*Endpoint, func()) {
	b.Helper()
	c := testkit.Contract(b)
	op, err := c.LoginOperation(contract.Webex)
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultMockConfig()
	account := target.MockAccounts(contract.Webex, cfg)[0]
	req := target.SignIn(op, account)
	bare, err := bench.NewReplay(mock.New(cfg), bench.Request{
		Method: req.Method, URL: req.URL(target.MockBaseURL(contract.Webex, "http://mock.test")), Header: req.Header, Body: req.Body,
	})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(bare)
	e, err := NewEndpoint(c, results.TargetInfo{Kind: "bare", URL: target.MockBaseURL(contract.Webex, srv.URL)}, account)
	if err != nil {
		b.Fatal(err)
	}
	return e, srv.Close
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
			r := NewRunner(testkit.Contract(b), WithOutDir(b.TempDir()), WithDuration(attack))
			s := &session{Runner: r, endpoint: tgt, scenario: Scenario{Name: "bench"}, sum: r.newSummary(Scenario{Name: "bench"}, tgt.Info, tgt.Limit), transport: tgt.newTransport()}
			defer s.transport.CloseIdleConnections()
			pacer := vegeta.ConstantPacer{Freq: rate, Per: time.Second}
			var plain, harness, validated, nonconforming float64
			for b.Loop() {
				var m vegeta.Metrics
				atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: s.transport}), vegeta.Timeout(r.timeout), vegeta.MaxBody(r.maxBody))
				for res := range atk.Attack(s.static(), pacer, attack, "plain") {
					m.Add(res)
				}
				m.Close()
				plain += m.Rate

				rec, err := s.newRecording(s.fileName(""), tgt.Info.URL, tgt.secrets)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := rec.attack(b.Context(), s, s.plan("harness", s.static(), pacer, attack)); err != nil {
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
