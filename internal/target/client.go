package target

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/ratelimit"
)

// Request is one request to an operation of the target, relative to its
// base URL.
type Request struct {
	Method string // "" is POST
	Path   string // the operation's path template, e.g. "/Login"
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Attempt is one exchange the client saw. A request the server asked to
// retry gives several, every one of them worth validating.
type Attempt struct {
	Exchange contract.Exchange
	Elapsed  time.Duration // from sending to the end of the body
	Waited   time.Duration // how long the client waited before sending it
}

// RetryPolicy bounds how the client obeys 429, and 503 with Retry-After, as
// the vendors' SDKs do. The zero policy never retries.
type RetryPolicy struct {
	MaxRetries int           // retries of one request
	MaxWait    time.Duration // the longest wait; a longer Retry-After ends the retries
	MaxTotal   time.Duration // cap of all waits of one request
	// MaxRunWait caps all waits of one client, over every request of the
	// run (0: no cap): a server that answers everything with 429 and a long
	// Retry-After would otherwise hold a run for MaxTotal per request.
	// Once it is spent, answers are returned as they are, 429s included.
	MaxRunWait time.Duration
	// DefaultWait and DefaultJitter make the wait of a 429 without a usable
	// Retry-After: DefaultWait plus up to DefaultJitter (the SDKs' 5 to 15 s).
	DefaultWait, DefaultJitter time.Duration
}

// LiveRetryPolicy is the live client's default.
var LiveRetryPolicy = RetryPolicy{
	MaxRetries:    3,
	MaxWait:       60 * time.Second,
	MaxTotal:      2 * time.Minute,
	MaxRunWait:    5 * time.Minute,
	DefaultWait:   5 * time.Second,
	DefaultJitter: 10 * time.Second,
}

// Limits of every client, so that a slow, silent or flooding server gives a
// clear failure instead of a hang or an exhausted memory.
const (
	DefaultTimeout      = 30 * time.Second // one attempt, body included
	DefaultMaxBodyBytes = 1 << 20          // of a response body
	dialTimeout         = 5 * time.Second
)

// Errors of Do that are the harness's choice rather than the server's.
var (
	// ErrLiveSafety refuses a request a live server must never get.
	ErrLiveSafety = errors.New("refused by the live safety rails")
	// ErrBodyTooLarge ends reading a response body past the limit.
	ErrBodyTooLarge = errors.New("response body exceeds the limit")
	// ErrNoAnswer is a request that got no status at all: the host did not
	// resolve, the connection or TLS failed, or no answer came in time.
	ErrNoAnswer = errors.New("no answer")
)

// Client sends requests to one target. It is safe for concurrent use.
type Client struct {
	api     contract.API
	base    *url.URL
	http    *http.Client
	maxBody int64
	retry   RetryPolicy
	rails   *rails // nil for the mock
	sleep   func(context.Context, time.Duration) error
	jitter  func() float64
	waited  atomic.Int64 // all waits so far, in nanoseconds, against MaxRunWait
}

type clientOptions struct {
	timeout     time.Duration
	maxBody     int64
	retry       *RetryPolicy
	sleep       func(context.Context, time.Duration) error
	insecureTLS bool
}

func newClient(api contract.API, base string, o clientOptions, r *rails) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("%s target: base URL: %w", api, err)
	}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout}).DialContext,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: o.timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	if o.insecureTLS {
		// The user opted in with HARNESS_INSECURE_TLS=1, e.g. for a lab CommServe.
		transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	c := &Client{
		api:  api,
		base: u,
		http: &http.Client{
			Transport: transport,
			Timeout:   o.timeout,
			// A login answered with a redirect is judged as it is: following
			// it would send credentials somewhere the user did not name.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		maxBody: o.maxBody,
		rails:   r,
		sleep:   o.sleep,
		jitter:  rand.Float64,
	}
	if o.retry != nil {
		c.retry = *o.retry
	}
	return c, nil
}

// Do sends req, retrying as the policy allows, and returns every attempt.
// An error means the last attempt got no usable answer (or the rails
// refused to send it): it names the URL and keeps secrets out.
func (c *Client) Do(ctx context.Context, req Request) ([]Attempt, error) {
	if req.Method == "" {
		req.Method = http.MethodPost
	}
	if c.rails != nil {
		if err := c.rails.admit(req); err != nil {
			return nil, err
		}
	}
	var attempts []Attempt
	var waited, total time.Duration
	for try := 0; ; try++ {
		a, err := c.once(ctx, req)
		if err != nil {
			return attempts, err
		}
		a.Waited = waited
		attempts = append(attempts, a)
		wait, retry := c.retryAfter(&a.Exchange, try, total)
		if !retry || !c.spend(wait) {
			return attempts, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return attempts, fmt.Errorf("%s target %s: waiting %s to retry: %w", c.api, c.base.Redacted(), wait, err)
		}
		waited, total = wait, total+wait
	}
}

// spend takes wait from the run's budget of waits, if it has that much left.
func (c *Client) spend(wait time.Duration) bool {
	if c.retry.MaxRunWait <= 0 {
		return true
	}
	for {
		old := c.waited.Load()
		if time.Duration(old)+wait > c.retry.MaxRunWait {
			return false
		}
		if c.waited.CompareAndSwap(old, old+int64(wait)) {
			return true
		}
	}
}

// retryAfter decides whether to retry an answer and after how long.
func (c *Client) retryAfter(ex *contract.Exchange, try int, total time.Duration) (time.Duration, bool) {
	p := c.retry
	if try >= p.MaxRetries {
		return 0, false
	}
	value := ex.Header.Get("Retry-After")
	wait, err := ratelimit.ParseRetryAfter(value, time.Now())
	told := value != "" && err == nil
	switch {
	case ex.Status == http.StatusServiceUnavailable && told:
	case ex.Status != http.StatusTooManyRequests:
		return 0, false
	case !told:
		wait = min(p.DefaultWait+time.Duration(c.jitter()*float64(p.DefaultJitter)), p.MaxWait)
	}
	// Coming back before the server said would be refused again: a wait
	// beyond the caps ends the retries instead.
	if wait > p.MaxWait || total+wait > p.MaxTotal {
		return 0, false
	}
	return wait, true
}

func (c *Client) once(ctx context.Context, req Request) (Attempt, error) {
	u := c.base.JoinPath(req.Path)
	u.RawQuery = req.Query.Encode()
	where := fmt.Sprintf("%s target: %s %s", c.api, req.Method, u.Redacted())
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), bytes.NewReader(req.Body))
	if err != nil {
		return Attempt{}, fmt.Errorf("%s: %w", where, err)
	}
	hr.Header = req.Header.Clone()
	if hr.Header == nil {
		hr.Header = http.Header{}
	}
	if req.Body == nil {
		hr.Body, hr.ContentLength = http.NoBody, 0
	}
	start := time.Now()
	resp, err := c.http.Do(hr)
	c.journal(ctx, start, resp, err)
	if err != nil {
		return Attempt{}, fmt.Errorf("%s: %w: %w", where, ErrNoAnswer, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return Attempt{}, fmt.Errorf("%s: status %d, body unreadable: %w", where, resp.StatusCode, unwrapURLError(err))
	}
	if int64(len(body)) > c.maxBody {
		return Attempt{}, fmt.Errorf("%s: status %d: %w of %d bytes", where, resp.StatusCode, ErrBodyTooLarge, c.maxBody)
	}
	return Attempt{
		Exchange: contract.Exchange{
			Method: req.Method, Path: u.Path, RawQuery: u.RawQuery,
			RequestHeader: hr.Header, RequestBody: req.Body,
			Status: resp.StatusCode, Header: resp.Header, Body: body,
		},
		Elapsed: time.Since(start),
	}, nil
}

// unwrapURLError drops *url.Error's prefix, which repeats method and URL
// (with the query) that the caller already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// sleepContext waits d, or less when ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
