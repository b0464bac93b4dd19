package bench

import (
	"context"
	"net/http"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Request is the one request a load run repeats.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

func (r Request) target() vegeta.Target {
	return vegeta.Target{Method: r.Method, URL: r.URL, Header: r.Header.Clone(), Body: r.Body}
}

// AttackStats is what one Vegeta attack measured.
type AttackStats struct {
	Requests       int            `json:"requests"`
	Duration       time.Duration  `json:"-"`              // first to last request sent
	Elapsed        time.Duration  `json:"-"`              // first request sent to last response
	Rate           float64        `json:"rate"`           // requests sent per second (Vegeta's Rate)
	RequestsPerSec float64        `json:"requestsPerSec"` // responses per second over Elapsed
	Throughput     float64        `json:"throughput"`     // successful responses per second (Vegeta's Throughput)
	Success        float64        `json:"success"`        // share of 2xx/3xx, 0..1
	P50            time.Duration  `json:"-"`
	P99            time.Duration  `json:"-"`
	StatusCodes    map[string]int `json:"statusCodes"`
	Errors         []string       `json:"errors,omitempty"` // distinct error texts, at most 5
}

// AttackOptions shapes an attack.
type AttackOptions struct {
	// Rate is the pacer; the zero Rate with Workers set is a closed loop:
	// Workers clients, each sending its next request when the last is answered.
	Rate     vegeta.Rate
	Workers  uint64 // initial workers; also the maximum when Rate is zero
	Duration time.Duration
	Timeout  time.Duration // per request; 0: 10 s
	// Each, when set, sees every result as it arrives, on the goroutine that
	// collects them (so its cost slows the attack down, as it would in a
	// harness that validates every response).
	Each func(*vegeta.Result)
	// Attacker, when set, replaces the kit's attacker options (Workers,
	// Timeout, keep-alive, max(Workers, 64) idle connections), so plain
	// Vegeta can be given exactly the options of another attacker, such as
	// the load runner's, and differ from it only in what it does with results.
	Attacker []func(*vegeta.Attacker)
}

// Attack runs one Vegeta attack against req and summarises it. It stops
// early when ctx is cancelled.
func Attack(ctx context.Context, req Request, o AttackOptions) AttackStats {
	workers := max(o.Workers, 1)
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	opts := []func(*vegeta.Attacker){
		vegeta.Workers(workers), vegeta.Timeout(timeout), vegeta.KeepAlive(true),
		vegeta.Connections(int(max(workers, 64))),
	}
	if o.Attacker != nil {
		opts = slices.Clone(o.Attacker)
	}
	if o.Rate.Freq == 0 {
		opts = append(opts, vegeta.MaxWorkers(workers))
	}
	atk := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	var m vegeta.Metrics
	for res := range atk.Attack(vegeta.NewStaticTargeter(req.target()), o.Rate, o.Duration, "bench") {
		if o.Each != nil {
			o.Each(res)
		}
		m.Add(res)
	}
	m.Close()
	run := AttackStats{
		Requests:    int(m.Requests),
		Duration:    m.Duration,
		Elapsed:     m.Duration + m.Wait,
		Rate:        m.Rate,
		Throughput:  m.Throughput,
		Success:     m.Success,
		P50:         m.Latencies.P50,
		P99:         m.Latencies.P99,
		StatusCodes: m.StatusCodes,
	}
	if run.Elapsed > 0 {
		run.RequestsPerSec = float64(m.Requests) / run.Elapsed.Seconds()
	}
	for i, e := range m.Errors {
		if i == 5 {
			break
		}
		run.Errors = append(run.Errors, e)
	}
	return run
}
