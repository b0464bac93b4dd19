package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	"loginharness/internal/ratelimit"
)

// RetryAfterProbes is how the waits a server announced in Retry-After
// compare with the waits until it served again.
type RetryAfterProbes struct {
	Probes   int
	Honest   bool          // no probe was served later than its Retry-After said
	ErrMin   time.Duration // announced minus actual wait: the worst probe
	ErrMean  time.Duration // announced minus actual wait, mean of the probes
	WaitMean time.Duration // actual wait until served, mean of the probes
}

// ProbeOptions bound ProbeRetryAfter.
type ProbeOptions struct {
	Probes   int           // how many 429s to follow up
	Poll     time.Duration // between requests while waiting to be served
	MaxTries int           // requests to get a 429 before giving up
}

// ProbeRetryAfter measures Retry-After's honesty by timing, where the load
// suite's honesty scenario checks it by two requests: it sends req until a
// 429, then polls every o.Poll until served (or 2 s past the announced
// wait, a lie), o.Probes times. A positive error is a conservative server,
// a negative one a server that makes obeying clients wait longer than it
// said.
func ProbeRetryAfter(ctx context.Context, req Request, o ProbeOptions) (RetryAfterProbes, error) {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	defer client.CloseIdleConnections()
	send := func() (int, string, error) { return sendOnce(ctx, client, req) }
	out := RetryAfterProbes{Honest: true, ErrMin: math.MaxInt64}
	var sumErr, sumWait time.Duration
	for range o.Probes {
		announced, limitedAt, err := until429(send, o.MaxTries)
		if err != nil {
			return out, err
		}
		waited, err := untilServed(send, limitedAt, announced, o.Poll)
		if err != nil {
			return out, err
		}
		if waited > announced {
			out.Honest = false
		}
		e := announced - waited
		sumErr += e
		sumWait += waited
		out.ErrMin = min(out.ErrMin, e)
		out.Probes++
	}
	if out.Probes == 0 {
		out.ErrMin = 0
		return out, nil
	}
	out.ErrMean, out.WaitMean = sumErr/time.Duration(out.Probes), sumWait/time.Duration(out.Probes)
	return out, nil
}

// until429 sends until a 429 and returns its Retry-After and when it came.
func until429(send func() (int, string, error), maxTries int) (time.Duration, time.Time, error) {
	for i := 0; ; i++ {
		if i > maxTries {
			return 0, time.Time{}, fmt.Errorf("no 429 after %d requests over the limit", i)
		}
		code, ra, err := send()
		if err != nil {
			return 0, time.Time{}, err
		}
		if code != http.StatusTooManyRequests {
			continue
		}
		at := time.Now()
		announced, err := ratelimit.ParseRetryAfter(ra, at)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("unreadable Retry-After %q: %w", ra, err)
		}
		return announced, at, nil
	}
}

// untilServed polls until a 2xx, or until 2 s past the announced wait,
// and returns how long it waited since limitedAt.
func untilServed(send func() (int, string, error), limitedAt time.Time, announced, poll time.Duration) (time.Duration, error) {
	for {
		time.Sleep(poll)
		code, _, err := send()
		if err != nil {
			return 0, err
		}
		waited := time.Since(limitedAt)
		if code/100 == 2 || waited > announced+2*time.Second {
			return waited, nil
		}
	}
}

// sendOnce sends req and returns the status and Retry-After of the answer.
func sendOnce(ctx context.Context, client *http.Client, req Request) (int, string, error) {
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
