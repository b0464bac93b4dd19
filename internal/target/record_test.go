package target

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/timeline"
)

// TestEveryAttemptJoinsTheTimeline: each attempt of the target client,
// retries and unanswered ones included, is in the process's timeline of
// its server, as the part its context names, its fields read once.
func TestEveryAttemptJoinsTheTimeline(t *testing.T) {
	tries := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tries++
		if tries == 1 {
			w.Header().Set("Retry-After", "0")
			w.Header().Set("RateLimit-Policy", `"burst";q=10;w=2`)
			w.Header().Set("RateLimit", `"burst";r=0;t=1`)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	base := srv.URL + "/v1"
	c, err := newClient(contract.Webex, base, clientOptions{timeout: 5 * time.Second, maxBody: 1 << 10, retry: &RetryPolicy{MaxRetries: 1, MaxWait: time.Second, MaxTotal: time.Second},
		sleep: func(context.Context, time.Duration) error { return nil }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := timeline.WithPart(t.Context(), timeline.PartPreflight)
	if _, err := c.Do(ctx, Request{Path: "/login"}); err != nil {
		t.Fatal(err)
	}
	tl := timeline.Process().Timeline(base)
	if len(tl) != 2 || tl[0].Status != 429 || tl[1].Status != 200 || tl[0].Part != timeline.PartPreflight {
		t.Fatalf("timeline %+v: want the 429 and its retry, as the preflight's", tl)
	}
	rl := tl[0].RateLimit
	if !tl[0].Told() || len(rl.Policies) != 1 || rl.Policies[0] != (timeline.Policy{Quota: 10, Window: 2 * time.Second}) || !rl.ResetBeyondRetryAfter {
		t.Errorf("fields read: Retry-After %+v, RateLimit %+v", tl[0].RetryAfter, rl)
	}

	srv.Close()
	c.http.CloseIdleConnections() // nothing kept from before: the next attempt dials
	if _, err := c.Do(t.Context(), Request{Path: "/login"}); err == nil {
		t.Fatal("a closed server answered")
	}
	tl = timeline.Process().Timeline(base)
	if last := tl[len(tl)-1]; last.Status != 0 || !last.Unreachable || last.Part != timeline.PartTargetClient {
		t.Errorf("the unanswered attempt: %+v", last)
	}
}
