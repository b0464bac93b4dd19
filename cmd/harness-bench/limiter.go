package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/bench"
	"loginharness/internal/ratelimit"
)

// runLimiter: at each limit, offer twice the limit for a few seconds and
// count what is accepted; then probe Retry-After: after a 429, poll until
// served and compare the wait with what Retry-After announced.
func runLimiter(ctx context.Context, p *plan, rep *bench.Report) []*bench.Table {
	t := &bench.Table{
		Title:  "Limiter accuracy: Webex, one token, offered 2x the limit (burst " + strconv.Itoa(p.burst) + ")",
		Header: []string{"limit/s", "offered/s", "s", "accepted", "expected", "error", "429s", "Retry-After s", "actual wait ms", "RA error s", "honest"},
	}
	for _, limit := range p.limits {
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
		ra := f(row.RetryAfterMin)
		if row.RetryAfterMax != row.RetryAfterMin {
			ra += "-" + f(row.RetryAfterMax)
		}
		t.Add(f(row.Limit), f(row.OfferedRate), f(row.Seconds), strconv.Itoa(row.Accepted), f(row.Expected),
			fmt.Sprintf("%+.1f%%", 100*row.AcceptedError), strconv.Itoa(row.Responses429), ra,
			f(row.ActualWaitMeanMs), fmt.Sprintf("%+.3f", row.RetryAfterErrMean), strconv.FormatBool(row.Honest))
	}
	t.Notes = append(t.Notes,
		"expected = burst + limit x seconds; error = accepted/expected - 1",
		"RA error = announced Retry-After - actual wait until served (mean of probes); positive = conservative, negative = a lie",
		"Retry-After is whole seconds (RFC 9110 delay-seconds), so at 100/s and more it overstates the wait by up to 1 s by design")
	return []*bench.Table{t}
}

func limiterRun(ctx context.Context, p *plan, limit float64) (bench.Limiter, error) {
	row := bench.Limiter{Limit: limit, Burst: p.burst, OfferedRate: 2 * limit}
	srv, err := p.startServer(ctx, "mock", "--rate", strconv.FormatFloat(limit, 'f', -1, 64), "--burst", strconv.Itoa(p.burst), "--key-by", "token")
	if err != nil {
		return row, err
	}
	defer func() { _ = srv.Stop() }()
	req := webexLogin(srv.URL)
	row.RetryAfterMin = math.Inf(1)
	var raErrs int
	run := bench.Attack(ctx, req, bench.AttackOptions{
		Rate: vegeta.Rate{Freq: int(2 * limit), Per: time.Second}, Workers: 16, Duration: p.limiter,
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
	row.Expected = float64(p.burst) + limit*row.Seconds
	if row.Seconds > 0 {
		row.AcceptedRate = float64(row.Accepted) / row.Seconds
	}
	if row.Expected > 0 {
		row.AcceptedError = float64(row.Accepted)/row.Expected - 1
	}
	if raErrs > 0 {
		return row, fmt.Errorf("%d 429s without a readable Retry-After", raErrs)
	}
	return row, probeRetryAfter(ctx, p, req, limit, &row)
}

// probeRetryAfter: get a 429, then poll until served; the poll interval is
// a tenth of the limit's period, between 200 µs and 5 ms.
func probeRetryAfter(ctx context.Context, p *plan, req bench.Request, limit float64, row *bench.Limiter) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	defer client.CloseIdleConnections()
	poll := min(max(time.Duration(float64(time.Second)/limit/10), 200*time.Microsecond), 5*time.Millisecond)
	send := func() (int, string, error) {
		r, err := http.NewRequestWithContext(ctx, req.Method, req.URL, bytes.NewReader(req.Body))
		if err != nil {
			return 0, "", err
		}
		r.Header = req.Header.Clone()
		res, err := client.Do(r)
		if err != nil {
			return 0, "", err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("Retry-After"), nil
	}
	row.Honest = true
	row.RetryAfterErrMin = math.Inf(1)
	var sumErr, sumWait float64
	for range p.probes {
		var announced time.Duration
		var t0 time.Time
		for i := 0; ; i++ {
			if i > p.burst+1000 {
				return fmt.Errorf("no 429 after %d requests over the limit", i)
			}
			code, ra, err := send()
			if err != nil {
				return err
			}
			if code == http.StatusTooManyRequests {
				t0 = time.Now()
				if announced, err = ratelimit.ParseRetryAfter(ra, t0); err != nil {
					return fmt.Errorf("unreadable Retry-After %q: %w", ra, err)
				}
				break
			}
		}
		var waited time.Duration
		for {
			time.Sleep(poll)
			code, _, err := send()
			if err != nil {
				return err
			}
			waited = time.Since(t0)
			if code/100 == 2 {
				break
			}
			if waited > announced+2*time.Second {
				break // not served long after Retry-After: a lie
			}
		}
		if waited > announced {
			row.Honest = false
		}
		e := (announced - waited).Seconds()
		sumErr += e
		sumWait += ms(waited)
		row.RetryAfterErrMin = math.Min(row.RetryAfterErrMin, e)
		row.Probes++
	}
	if row.Probes > 0 {
		row.RetryAfterErrMean = sumErr / float64(row.Probes)
		row.ActualWaitMeanMs = sumWait / float64(row.Probes)
	} else {
		row.RetryAfterErrMin = 0
	}
	return nil
}
