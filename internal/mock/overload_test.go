package mock

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// soakDurationEnv sets how long TestOverload loads the mock: 2 s in
// `make test`; HARNESS_SOAK_DURATION=30s for a longer soak.
const soakDurationEnv = "HARNESS_SOAK_DURATION"

func soakDuration(t *testing.T) time.Duration {
	v := os.Getenv(soakDurationEnv)
	if v == "" {
		return 2 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > 10*time.Minute {
		t.Fatalf("%s=%q: want a duration above 0 and at most 10m", soakDurationEnv, v)
	}
	return d
}

// TestOverload loads the mock over loopback with five times the limit from
// many keys (HARNESS_SOAK_DURATION, 2 s by default):
//
//   - 20 valid flood tokens, each sending at 5x its limit, each of their
//     requests followed by one with a fresh unknown token, which the
//     limiter must track (or throttle together) in bounded memory;
//   - one greedy valid token at 5x, measured: it is served exactly its
//     burst plus its rate times the time it sent for (±5 %);
//   - 5 polite tokens at half the limit: never refused.
//
// No answer is a 5xx or breaks the contract, the limiter keeps to its key
// cap, and the heap and RSS, sampled throughout, stay bounded and stop
// growing after the first half.
func TestOverload(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of load")
	}
	duration := soakDuration(t)
	const (
		perSecond, burst = 10, 5
		floodKeys        = 20
		floodEvery       = time.Second / (10 * perSecond) // every other request a valid token's: 5x the limit
		politeEvery      = 2 * time.Second / perSecond    // half the limit
		politeKeys       = 5
		maxKeys          = 1000
		heapCap          = 256 << 20 // bytes: the whole test process, client included
	)
	tokens := []string{DemoWebexToken}
	for i := range floodKeys {
		tokens = append(tokens, "flood-token-"+strconv.Itoa(i))
	}
	var polite []string
	for i := range politeKeys {
		polite = append(polite, "polite-token-"+strconv.Itoa(i))
	}
	cfg := DefaultConfig()
	cfg.WebexTokens = append(tokens, polite...)
	m := New(cfg, WithRate(perSecond, burst), WithMaxKeys(maxKeys))
	srv := httptest.NewServer(m)
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	c := testkit.Contract(t)

	ctx, cancel := context.WithTimeout(t.Context(), duration)
	defer cancel()
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		statuses      = map[int]int{}
		nonconform    atomic.Int64
		sent          atomic.Int64
		floodRefused  atomic.Int64
		politeRefused atomic.Int64
		politeSent    atomic.Int64
		firstSent     time.Time
		lastSent      time.Time
		greedyServe   int
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
		sent.Add(1)
		ex := &contract.Exchange{Method: r.Method, Path: WebexPath, RequestHeader: r.Header, Status: res.StatusCode, Header: res.Header, Body: body}
		if !c.ValidateResponse(context.Background(), contract.Webex, ex).OK() {
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
			at := time.Now()
			status, err := send(token(i))
			if err != nil {
				if ctx.Err() != nil {
					return // the deadline cut the request
				}
				t.Errorf("request failed under load: %v", err)
				return
			}
			if onAnswer != nil {
				onAnswer(status, at)
			}
		}
	}

	// Memory: sampled every 100 ms; the first half's peak is the baseline
	// the second half must not outgrow by much (no leak per request).
	var heapFirst, heapSecond, rssPeak atomic.Uint64
	half := time.Now().Add(duration / 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak := &heapFirst
			if time.Now().After(half) {
				peak = &heapSecond
			}
			storeMax(peak, ms.HeapAlloc)
			storeMax(&rssPeak, rss())
		}
	}()

	for k := range floodKeys {
		wg.Add(1)
		go pace(floodEvery, func(i int) string {
			if i%2 == 1 {
				return "unknown-" + strconv.Itoa(k) + "-" + strconv.Itoa(i)
			}
			return tokens[1+k]
		}, func(status int, _ time.Time) {
			if status == http.StatusTooManyRequests {
				floodRefused.Add(1)
			}
		})
	}
	for _, p := range polite {
		wg.Add(1)
		go pace(politeEvery, func(int) string { return p }, func(status int, _ time.Time) {
			politeSent.Add(1)
			if status != http.StatusOK {
				politeRefused.Add(1)
			}
		})
	}
	wg.Add(1)
	go pace(2*floodEvery, func(int) string { return DemoWebexToken }, func(status int, at time.Time) {
		if firstSent.IsZero() {
			firstSent = at
		}
		lastSent = at
		if status == http.StatusOK {
			greedyServe++
		}
	})
	wg.Wait()

	want := burst + perSecond*lastSent.Sub(firstSent).Seconds()
	total := sent.Load()
	t.Logf("%s: %d requests (%.0f/s: %d valid keys at %.0f/s each, 5x the limit, and as many fresh unknown keys), statuses %v, flood 429s %d, limiter keys %d",
		duration, total, float64(total)/duration.Seconds(), floodKeys+1, float64(time.Second/(2*floodEvery)), statuses, floodRefused.Load(), m.webex.limits.keys())
	t.Logf("greedy key served %d, want %.1f ± 5 %%; polite keys refused %d of %d; heap peak %s (first half) / %s (second half), RSS peak %s",
		greedyServe, want, politeRefused.Load(), politeSent.Load(), mib(heapFirst.Load()), mib(heapSecond.Load()), mib(rssPeak.Load()))

	for status := range statuses {
		if status >= 500 || (status != 200 && status != 401 && status != 429) {
			t.Errorf("%d answers with status %d", statuses[status], status)
		}
	}
	if n := nonconform.Load(); n > 0 {
		t.Errorf("%d answers broke the contract", n)
	}
	if floodRefused.Load() == 0 {
		t.Error("no flood request was refused: the test did not overload the limiter")
	}
	if m.webex.limits.keys() > maxKeys {
		t.Errorf("%d keys tracked, cap %d", m.webex.limits.keys(), maxKeys)
	}
	if got := float64(greedyServe); got < want*0.95-1 || got > want*1.05+1 {
		t.Errorf("greedy key served %d, want %.0f ± 5 %%", greedyServe, want)
	}
	if n := politeRefused.Load(); n > 0 || politeSent.Load() == 0 {
		t.Errorf("polite keys (half the limit) refused %d of %d requests", n, politeSent.Load())
	}
	if h := max(heapFirst.Load(), heapSecond.Load()); h > heapCap {
		t.Errorf("heap peaked at %s, cap %s", mib(h), mib(heapCap))
	}
	if first, second := heapFirst.Load(), heapSecond.Load(); duration >= 10*time.Second && second > first+64<<20 {
		t.Errorf("heap kept growing: peak %s in the first half, %s in the second", mib(first), mib(second))
	}
}

func storeMax(v *atomic.Uint64, n uint64) {
	for {
		old := v.Load()
		if n <= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}

// rss reads the process's resident set size from /proc, 0 where there is none.
func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
