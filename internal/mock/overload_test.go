package mock

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loginharness/internal/contract"
)

// TestOverload loads the mock for 2 s over loopback: a flood of 2500 req/s
// (25 times a key's limit) spread over 100 valid tokens and a fresh unknown
// token per request, and one key sending at 5 times its limit. No answer is
// a 5xx or breaks the contract, the limiter keeps to its key cap, and the
// measured key is served at its rate: burst plus rate times the time it
// sent for.
func TestOverload(t *testing.T) {
	if testing.Short() {
		t.Skip("2 s of load")
	}
	const perSecond, burst = 100, 10
	tokens := []string{DemoWebexToken}
	for i := range 100 {
		tokens = append(tokens, "flood-token-"+strconv.Itoa(i))
	}
	cfg := DefaultConfig()
	cfg.WebexTokens = tokens
	m := New(cfg, WithRate(perSecond, burst), WithMaxKeys(1000))
	srv := httptest.NewServer(m)
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		statuses    = map[int]int{}
		nonconform  atomic.Int64
		firstSent   time.Time
		lastSent    time.Time
		greedyServe int
	)
	send := func(token string) (int, error) {
		r, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+WebexPath, strings.NewReader(validWebexBody()))
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/json")
		res, err := client.Do(r)
		if err != nil {
			return 0, err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		ex := &contract.Exchange{Method: r.Method, Path: WebexPath, RequestHeader: r.Header, Status: res.StatusCode, Header: res.Header, Body: body}
		if !testContract(t).ValidateResponse(context.Background(), contract.Webex, ex).OK() {
			nonconform.Add(1)
		}
		mu.Lock()
		statuses[res.StatusCode]++
		mu.Unlock()
		return res.StatusCode, nil
	}
	pace := func(every time.Duration, token func(i int) string, onAnswer func(status int, sent time.Time)) {
		defer wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			sent := time.Now()
			status, err := send(token(i))
			if err != nil {
				return // the deadline cut the request
			}
			if onAnswer != nil {
				onAnswer(status, sent)
			}
		}
	}
	for w := range 10 { // 10 senders × 250 req/s, spread over 100 valid flood keys and fresh unknown ones
		wg.Add(1)
		go pace(4*time.Millisecond, func(i int) string {
			if i%2 == 0 {
				return tokens[1+(w*10+i/2)%100]
			}
			return "unknown-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
		}, nil)
	}
	wg.Add(1)
	go pace(2*time.Millisecond, func(int) string { return DemoWebexToken }, func(status int, sent time.Time) {
		if firstSent.IsZero() {
			firstSent = sent
		}
		lastSent = sent
		if status == http.StatusOK {
			greedyServe++
		}
	})
	wg.Wait()

	t.Logf("statuses %v, limiter keys %d", statuses, m.webex.limits.keys())
	for status := range statuses {
		if status >= 500 || (status != 200 && status != 401 && status != 429) {
			t.Errorf("%d answers with status %d", statuses[status], status)
		}
	}
	if n := nonconform.Load(); n > 0 {
		t.Errorf("%d answers broke the contract", n)
	}
	if m.webex.limits.keys() > 1000 {
		t.Errorf("%d keys tracked, cap 1000", m.webex.limits.keys())
	}
	want := burst + perSecond*lastSent.Sub(firstSent).Seconds()
	if got := float64(greedyServe); got < want*0.95-1 || got > want*1.05+1 {
		t.Errorf("greedy key served %d, want %.0f ± 5 %%", greedyServe, want)
	}
}
