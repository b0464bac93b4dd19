package measure

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/bench"
	"loginharness/internal/bench/scorecard"
	"loginharness/internal/ratelimit"
	"loginharness/internal/results"
)

// runLimiter: at each limit, offer twice the limit for a few seconds and
// count what is accepted; then probe Retry-After: after a 429, poll until
// served and compare the wait with what Retry-After announced.
func runLimiter(ctx context.Context, p *Plan, rep *scorecard.Card) []*table {
	t := &table{
		Title:  "Limiter accuracy: Webex, one token, offered 2x the limit (burst " + strconv.Itoa(p.Burst) + ")",
		Header: []string{"limit/s", "offered/s", "s", "accepted", "expected", "error", "429s", "Retry-After s", "actual wait ms", "RA error s", "honest"},
	}
	for _, limit := range p.Limits {
		if ctx.Err() != nil {
			break
		}
		p.logf("   limit %.0f/s", limit)
		row, err := limiterRun(ctx, p, limit)
		if err != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("limiter %.0f/s: %v", limit, err))
			continue
		}
		rep.Limiter = append(rep.Limiter, row)
		ra := scorecard.FormatFloat(row.RetryAfterMin)
		if row.RetryAfterMax != row.RetryAfterMin {
			ra += "-" + scorecard.FormatFloat(row.RetryAfterMax)
		}
		t.Add(scorecard.FormatFloat(row.Limit), scorecard.FormatFloat(row.OfferedRate), scorecard.FormatFloat(row.Seconds), strconv.Itoa(row.Accepted), scorecard.FormatFloat(row.Expected),
			fmt.Sprintf("%+.1f%%", 100*row.AcceptedError), strconv.Itoa(row.Responses429), ra,
			scorecard.FormatFloat(row.ActualWaitMeanMs), fmt.Sprintf("%+.3f", row.RetryAfterErrMean), strconv.FormatBool(row.Honest))
	}
	t.Notes = append(t.Notes,
		"expected = burst + limit x seconds; error = accepted/expected - 1",
		"RA error = announced Retry-After - actual wait until served (mean of probes); positive = conservative, negative = a lie",
		"Retry-After is whole seconds (RFC 9110 delay-seconds), so at 100/s and more it overstates the wait by up to 1 s by design")
	return []*table{t}
}

func limiterRun(ctx context.Context, p *Plan, limit float64) (scorecard.LimiterAccuracy, error) {
	row := scorecard.LimiterAccuracy{Limit: limit, Burst: p.Burst, OfferedRate: 2 * limit}
	srv, err := p.startServer(ctx, "mock", "--rate", strconv.FormatFloat(limit, 'f', -1, 64), "--burst", strconv.Itoa(p.Burst), "--key-by", "token")
	if err != nil {
		return row, err
	}
	defer func() { _ = srv.Stop() }()
	req, err := webexLogin(srv.URL)
	if err != nil {
		return row, err
	}
	row.RetryAfterMin = math.Inf(1)
	var raErrs int
	run := bench.Attack(ctx, req, bench.AttackOptions{
		Rate: vegeta.Rate{Freq: int(2 * limit), Per: time.Second}, Workers: 16, Duration: p.Limiter,
		Each: func(res *vegeta.Result) {
			if res.Code != http.StatusTooManyRequests {
				return
			}
			d, err := ratelimit.ParseRetryAfter(res.Headers.Get("Retry-After"), res.Timestamp.Add(res.Latency))
			if err != nil {
				raErrs++
				return
			}
			row.RetryAfterMin = math.Min(row.RetryAfterMin, d.Seconds())
			row.RetryAfterMax = math.Max(row.RetryAfterMax, d.Seconds())
		},
	})
	if math.IsInf(row.RetryAfterMin, 1) {
		row.RetryAfterMin = 0
	}
	for code, n := range run.StatusCodes {
		switch {
		case len(code) == 3 && code[0] == '2':
			row.Accepted += n
		case code == "429":
			row.Responses429 += n
		default:
			row.Other += n
		}
	}
	row.Seconds = run.Duration.Seconds()
	row.Expected = float64(p.Burst) + limit*row.Seconds
	if row.Seconds > 0 {
		row.AcceptedRate = float64(row.Accepted) / row.Seconds
	}
	if row.Expected > 0 {
		row.AcceptedError = float64(row.Accepted)/row.Expected - 1
	}
	if raErrs > 0 {
		return row, fmt.Errorf("%d 429s without a readable Retry-After", raErrs)
	}
	// Poll a tenth of the limit's period, between 200 µs and 5 ms.
	poll := min(max(time.Duration(float64(time.Second)/limit/10), 200*time.Microsecond), 5*time.Millisecond)
	probes, err := bench.ProbeRetryAfter(ctx, req, bench.ProbeOptions{Probes: p.Probes, Poll: poll, MaxTries: p.Burst + 1000})
	row.Probes, row.Honest = probes.Probes, probes.Honest
	row.RetryAfterErrMin, row.RetryAfterErrMean = probes.ErrMin.Seconds(), probes.ErrMean.Seconds()
	row.ActualWaitMeanMs = results.Milliseconds(probes.WaitMean)
	return row, err
}
