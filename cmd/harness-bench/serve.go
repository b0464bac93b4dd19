package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/pflag"

	"loginharness/internal/bench"
	"loginharness/internal/bench/measure"
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
		bare, err := measure.Bare()
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
