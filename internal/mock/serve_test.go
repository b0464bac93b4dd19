package mock

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeLiveConfiguration runs the mock as `harness mock` does and
// calls it the way the live configuration would: base URL plus the
// documented paths. Cancelling the context shuts it down cleanly.
func TestServeLiveConfiguration(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, New(DefaultConfig(), WithLogger(logger)), logger) }()

	base := "http://" + ln.Addr().String()
	for _, tt := range []struct{ url, auth, body string }{
		{base + "/v1" + "/telephony/config/redSky/actions/login/invoke", "Bearer " + DemoWebexToken, validWebexBody()},
		{base + "/commandcenter/api" + "/Login", "", saasBody()},
		{base + "/webconsole/api" + "/Login", "", managedBody()},
	} {
		r, _ := http.NewRequest(http.MethodPost, tt.url, strings.NewReader(tt.body))
		r.Header.Set("Content-Type", "application/json")
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || bytes.Contains(body, []byte("errLogMessage")) {
			t.Fatalf("%s: %d %s", tt.url, res.StatusCode, body)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop after cancel")
	}
	for _, secret := range []string{DemoWebexToken, DemoRedSkyPassword, b64(DemoCommvaultPassword), DemoCommvaultPassword} {
		if strings.Contains(log.String(), secret) {
			t.Fatalf("the log holds a secret:\n%s", log.String())
		}
	}
	if !strings.Contains(log.String(), "mock answer") {
		t.Fatalf("no debug log of answers:\n%s", log.String())
	}
}

func TestListenAndServeBadAddress(t *testing.T) {
	err := ListenAndServe(context.Background(), "256.0.0.1:bad", New(DefaultConfig()), nil)
	if err == nil {
		t.Fatal("a bad address was accepted")
	}
}

// TestShutdownWaitsForInFlight: a request already being served when the
// context ends still gets its answer.
func TestShutdownWaitsForInFlight(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, New(DefaultConfig(), WithLatency(300*time.Millisecond, 0)), nil) }()
	answered := make(chan error, 1)
	go func() {
		res, err := http.Post("http://"+ln.Addr().String()+CommvaultPath, "application/json", strings.NewReader(saasBody()))
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				err = errors.New(res.Status)
			}
		}
		answered <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-answered; err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
