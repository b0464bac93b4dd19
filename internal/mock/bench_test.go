package mock

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loginharness/internal/bench"
)

// bare answers with the same bytes and headers as a Webex 200, doing
// nothing else: the yardstick for the mock's cost, as `make bench` uses it.
func bare(tb testing.TB) http.Handler {
	tb.Helper()
	q := webexReq(validWebexBody())
	h, err := bench.NewReplay(New(DefaultConfig()), bench.Request{Method: http.MethodPost, URL: "http://mock.test" + q.path, Header: q.header, Body: []byte(q.body)})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func benchServe(b *testing.B, h http.Handler, q req, want int) {
	if status := bench.ServeLoop(b, h, q.build(), []byte(q.body)); status != want {
		b.Fatalf("status %d, want %d", status, want)
	}
}

func BenchmarkHandler(b *testing.B) {
	fast := New(DefaultConfig(), WithRate(1e9, 1<<20))
	b.Run("webex-200", func(b *testing.B) {
		benchServe(b, fast, webexReq(validWebexBody(), withQuery("orgId="+DemoOrgID)), 200)
	})
	b.Run("commvault-saas-200", func(b *testing.B) { benchServe(b, fast, commvaultReq(saasBody()), 200) })
	b.Run("commvault-managed-200", func(b *testing.B) { benchServe(b, fast, commvaultReq(managedBody()), 200) })
	limited := New(DefaultConfig(), WithRate(1e-3, 1))
	do(limited, webexReq(validWebexBody()))
	b.Run("webex-429", func(b *testing.B) { benchServe(b, limited, webexReq(validWebexBody()), 429) })
}

func BenchmarkBare(b *testing.B) {
	benchServe(b, bare(b), webexReq(validWebexBody()), 200)
}

// BenchmarkLoopback is the closed-loop throughput over loopback: as many
// clients as RunParallel starts, each sending its next request when the
// last is answered. The mock runs with validation, auth and a limiter that
// is consulted on every request (at a rate it never reaches).
func BenchmarkLoopback(b *testing.B) {
	for _, tt := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", bare(b)},
		{"mock", New(DefaultConfig(), WithRate(1e9, 1<<20))},
	} {
		b.Run(tt.name, func(b *testing.B) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
			url, body := srv.URL+WebexPath, validWebexBody()
			b.SetParallelism(4)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
					r.Header.Set("Authorization", "Bearer "+DemoWebexToken)
					r.Header.Set("Content-Type", "application/json")
					res, err := client.Do(r)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// TestThroughputRatio compares closed-loop throughput over loopback, bare
// handler against mock, in alternating rounds so that load from other
// processes hits both alike. It takes a few seconds, so it runs only with
// MOCK_THROUGHPUT=1.
func TestThroughputRatio(t *testing.T) {
	if os.Getenv("MOCK_THROUGHPUT") == "" {
		t.Skip("set MOCK_THROUGHPUT=1 to measure")
	}
	const rounds, round, clients = 8, 500 * time.Millisecond, 16
	servers := []*httptest.Server{httptest.NewServer(bare(t)), httptest.NewServer(New(DefaultConfig(), WithRate(1e9, 1<<20)))}
	var rates [2][]float64
	for range rounds {
		for i, srv := range servers {
			rates[i] = append(rates[i], closedLoop(t, srv.URL+WebexPath, round, clients))
		}
	}
	for _, srv := range servers {
		srv.Close()
	}
	bareRate, mockRate := median(rates[0]), median(rates[1])
	t.Logf("bare %.0f req/s, mock %.0f req/s: %.0f %% (medians of %d rounds of %v, %d clients)", bareRate, mockRate, 100*mockRate/bareRate, rounds, round, clients)
	if mockRate < 0.8*bareRate {
		t.Errorf("the mock reaches %.0f %% of the bare handler's throughput, want at least 80 %%", 100*mockRate/bareRate)
	}
}

// closedLoop runs clients that each send the next request when the last is
// answered, and returns the requests per second.
func closedLoop(t *testing.T, url string, d time.Duration, clients int) float64 {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer client.CloseIdleConnections()
	var served atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(validWebexBody()))
				r.Header.Set("Authorization", "Bearer "+DemoWebexToken)
				r.Header.Set("Content-Type", "application/json")
				res, err := client.Do(r)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					served.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(served.Load()) / d.Seconds()
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
