package bench

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProbeRetryAfter(t *testing.T) {
	// A server that answers 429 once per probe, then serves after served
	// has passed, whatever Retry-After said.
	serve := func(retryAfter string, served time.Duration) *httptest.Server {
		var mu sync.Mutex
		var limitedAt time.Time
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case limitedAt.IsZero():
				limitedAt = time.Now()
				w.Header().Set("Retry-After", retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
			case time.Since(limitedAt) < served:
				w.WriteHeader(http.StatusTooManyRequests)
			default:
				limitedAt = time.Time{}
			}
		}))
	}
	o := ProbeOptions{Probes: 2, Poll: 5 * time.Millisecond, MaxTries: 10}
	honest := serve("1", 100*time.Millisecond)
	defer honest.Close()
	got, err := ProbeRetryAfter(t.Context(), Request{Method: http.MethodPost, URL: honest.URL}, o)
	if err != nil || got.Probes != 2 || !got.Honest || got.ErrMin <= 0 || got.ErrMean <= 0 || got.WaitMean < 100*time.Millisecond {
		t.Errorf("a conservative server: %+v, %v", got, err)
	}
	liar := serve("0", 100*time.Millisecond)
	defer liar.Close()
	got, err = ProbeRetryAfter(t.Context(), Request{Method: http.MethodPost, URL: liar.URL}, o)
	if err != nil || got.Honest || got.ErrMin >= 0 {
		t.Errorf("a server that announces less than it makes clients wait: %+v, %v", got, err)
	}
	never := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer never.Close()
	if _, err := ProbeRetryAfter(t.Context(), Request{Method: http.MethodPost, URL: never.URL}, o); err == nil || !strings.Contains(err.Error(), "no 429") {
		t.Errorf("a server that never limits: %v", err)
	}
}
