package bench

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestAppendPost(t *testing.T) {
	buf := AppendPost(nil, "127.0.0.1:1", "/login", [][2]string{{"Authorization", "Bearer k1"}, {"Content-Type", "application/json"}}, []byte(`{"a":1}`))
	buf = AppendPost(buf, "127.0.0.1:1", "/login", nil, nil)
	br := bufio.NewReader(bytes.NewReader(buf))
	r, err := http.ReadRequest(br)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	if r.Method != "POST" || r.URL.Path != "/login" || r.Host != "127.0.0.1:1" || r.Header.Get("Authorization") != "Bearer k1" || string(body) != `{"a":1}` {
		t.Errorf("request = %s %s %v %q", r.Method, r.URL, r.Header, body)
	}
	r2, err := http.ReadRequest(br)
	if err != nil || r2.ContentLength != 0 {
		t.Errorf("second pipelined request: %v, %+v", err, r2)
	}
}

func TestFlood(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("Authorization")] = true
		mu.Unlock()
		if strings.HasSuffix(r.Header.Get("Authorization"), "7") {
			w.WriteHeader(http.StatusUnauthorized)
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer srv.Close()
	const n = 1000
	res, err := Flood(context.Background(), FloodOptions{
		Addr: strings.TrimPrefix(srv.URL, "http://"), Requests: n, Connections: 3, Batch: 16,
		Build: func(buf []byte, i int) []byte {
			return AppendPost(buf, "x", "/", [][2]string{{"Authorization", "Bearer k" + strconv.Itoa(i)}}, nil)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != n || res.StatusCodes[200] != 900 || res.StatusCodes[401] != 100 || len(seen) != n {
		t.Errorf("sent %d, codes %v, distinct keys %d; want %d, 900x200 100x401, %d", res.Sent, res.StatusCodes, len(seen), n, n)
	}
}

func TestFloodFailures(t *testing.T) {
	if _, err := Flood(context.Background(), FloodOptions{Addr: "127.0.0.1:1", Requests: 1}); err == nil || !strings.Contains(err.Error(), "builder") {
		t.Errorf("no builder: %v", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	_, err := Flood(context.Background(), FloodOptions{Addr: addr, Requests: 1, Build: func(b []byte, _ int) []byte { return AppendPost(b, "x", "/", nil, nil) }})
	if err == nil {
		t.Error("no error from a closed port")
	}
	// A server that closes the connection after each answer cannot be flooded.
	closing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Connection", "close") }))
	defer closing.Close()
	_, err = Flood(context.Background(), FloodOptions{Addr: strings.TrimPrefix(closing.URL, "http://"), Requests: 10, Connections: 1,
		Build: func(b []byte, i int) []byte { return AppendPost(b, "x", "/", nil, nil) }})
	if err == nil || !strings.Contains(err.Error(), "closed the connection") {
		t.Errorf("closing server: %v", err)
	}
}

func TestAttackClosedLoop(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t" {
			w.WriteHeader(http.StatusUnauthorized)
		}
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	seen := 0
	run := Attack(context.Background(), Request{Method: "POST", URL: srv.URL, Header: http.Header{"Authorization": {"Bearer t"}}, Body: []byte("{}")},
		AttackOptions{Workers: 2, Duration: 100 * time.Millisecond, Each: func(*vegeta.Result) { seen++ }})
	if run.Requests == 0 || run.StatusCodes["200"] != run.Requests || seen != run.Requests {
		t.Errorf("run = %+v, Each saw %d", run, seen)
	}
	if run.RequestsPerSec <= 0 || run.P99 < run.P50 {
		t.Errorf("run figures = %+v", run)
	}
}

func TestAttackStopsOnCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan AttackStats, 1)
	go func() {
		done <- Attack(ctx, Request{Method: "GET", URL: srv.URL}, AttackOptions{Rate: vegeta.Rate{Freq: 10, Per: time.Second}, Duration: time.Hour})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Attack ignored a cancelled context")
	}
}

func TestAttackTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close()
	run := Attack(context.Background(), Request{Method: "GET", URL: url}, AttackOptions{Workers: 1, Duration: 50 * time.Millisecond})
	if run.Requests == 0 || run.StatusCodes["0"] != run.Requests || len(run.Errors) == 0 {
		t.Errorf("run against a closed port = %+v", run)
	}
}
