package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/pflag"

	"loginharness/internal/bench"
	"loginharness/internal/mock"
)

// serveMain is `harness-bench serve`: one server in its own process, so
// that the load source and the server do not share a Go runtime. It prints
// "listening http://ADDR" on stdout once it accepts connections and stops
// gracefully on SIGINT/SIGTERM.
func serveMain(args []string) int {
	fs := pflag.NewFlagSet("harness-bench serve", pflag.ContinueOnError)
	kind := fs.String("kind", "mock", "what to serve: mock (the login mock) or bare (a net/http handler returning the bytes of the mock's Webex 200)")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (loopback only)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the server to this file until it stops")
	cfg := mock.DefaultConfig()
	cfg.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "harness-bench serve:", err)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "harness-bench serve:", err)
		return 2
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil || !isLoopback(host) {
		fmt.Fprintf(os.Stderr, "harness-bench serve: --addr %q: the benchmark servers listen on loopback only (e.g. 127.0.0.1:0)\n", *addr)
		return 2
	}
	var h http.Handler
	switch *kind {
	case "mock":
		h = mock.New(cfg)
	case "bare":
		bare, err := newBare()
		if err != nil {
			fmt.Fprintln(os.Stderr, "harness-bench serve:", err)
			return 1
		}
		h = bare
	default:
		fmt.Fprintf(os.Stderr, "harness-bench serve: --kind %q: want mock or bare\n", *kind)
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "harness-bench serve:", err)
			return 1
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "harness-bench serve:", err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness-bench serve:", err)
		return 1
	}
	fmt.Printf("%shttp://%s\n", bench.ListeningPrefix, ln.Addr())
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := mock.Serve(ctx, ln, h, logger); err != nil {
		fmt.Fprintln(os.Stderr, "harness-bench serve:", err)
		return 1
	}
	return 0
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// bareHandler answers every request with the bytes and headers the mock
// gives a valid Webex sign-in, and does nothing else: the yardstick.
type bareHandler struct {
	header http.Header
	body   []byte
}

// newBare records the mock's answer to a valid Webex sign-in, in process,
// so the bare handler returns the very same bytes.
func newBare() (*bareHandler, error) {
	login := webexLogin("http://mock.test")
	r := httptest.NewRequest(login.Method, login.URL, bytesReader(login.Body))
	r.Header = login.Header.Clone()
	rec := httptest.NewRecorder()
	mock.New(mock.DefaultConfig()).ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("bare: the mock answered the demo Webex sign-in with %d, want 200", rec.Code)
	}
	header := rec.Header().Clone()
	header.Del("Content-Length")
	header.Del("Date")
	return &bareHandler{header: header, body: rec.Body.Bytes()}, nil
}

func (b *bareHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := w.Header()
	for k, v := range b.header {
		h[k] = v
	}
	_, _ = w.Write(b.body)
}
