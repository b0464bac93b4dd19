package load

import (
	"os"
	"testing"
	"time"

	"loginharness/internal/results"
	"loginharness/internal/testkit"
)

// TestFigures prints the closing figures: a 100 req/s limit with the
// common burst of 10, 300 req/s offered for 5 s. It takes about 20 s, so it
// runs on request:
//
//	LOAD_FIGURES=1 go test -run Figures -v ./internal/load
func TestFigures(t *testing.T) {
	if os.Getenv("LOAD_FIGURES") == "" {
		t.Skip("set LOAD_FIGURES=1 to measure the closing figures")
	}
	c := testkit.Contract(t)
	r := NewRunner(c, WithOutDir(t.TempDir()), WithDuration(5*time.Second))
	cfg := DefaultMockConfig()
	cfg.Burst = 10
	run := func(name string) results.LoadSummary {
		sc, _ := ScenarioNamed(name)
		tgt, err := MockSource{Contract: c, Config: cfg}.Open(t.Context(), sc)
		if err != nil {
			t.Fatal(err)
		}
		defer tgt.Close()
		sum, err := r.Run(t.Context(), sc, tgt)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range sum.Failures() {
			t.Errorf("%s: %s", name, f)
		}
		return sum
	}
	over := run(ScenarioOverLimit)
	accepted := verdict(t, over, VerdictAcceptedAtLimit)
	t.Logf("limit %.0f req/s burst %d, offered %.0f req/s for %.0f s", over.Limit.Rate, over.Limit.Burst, over.OfferedRate, over.DurationSeconds)
	t.Logf("over-limit: %d requests, %d served, %d x 429 (ratio %.2f); %s",
		over.Requests, over.StatusCodes["200"], over.StatusCodes["429"], over.Ratio429, accepted.Message)
	clients := run(ScenarioObeying).Clients
	for _, cr := range []struct {
		name string
		run  results.ClientRun
	}{{"obeying", clients.Obeying}, {"naive", clients.Naive}} {
		t.Logf("%-8s offered %d, sent %d (%d deferred retries), served %d, 429 %d (repeated %d), pending %d; goodput %.1f req/s overall, %.1f req/s steady (%.0f%% of the limit), paced at %.0f req/s",
			cr.name, cr.run.Offered, cr.run.Sent, cr.run.Deferred, cr.run.Served, cr.run.Responses429, cr.run.Repeated429,
			cr.run.Pending, cr.run.Goodput, cr.run.SteadyGoodput, 100*cr.run.GoodputOfLimit, cr.run.PacedRate)
	}
}
