package main

import (
	"bytes"
	"testing"
)

func TestBenchMainUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--only", "throughput,speed"},
		{"--workers", "8,0"},
		{"--workers", "many"},
		{"--wrk-connections", "0"},
		{"--keys", "-1"},
		{"--top-rate", "-5"},
		{"--top-rate", "NaN"},
		{"--top-rate", "Inf"},
		{"--no-such-flag"},
		{"-quick"}, // Go's single-dash long flags are not pflag's
		{"stray"},
	} {
		var out, errOut bytes.Buffer
		if code := benchMain(args, &out, &errOut); code != 2 {
			t.Errorf("benchMain(%q) = %d, want 2 (usage error); stderr: %s", args, code, errOut.String())
		}
		if errOut.Len() == 0 {
			t.Errorf("benchMain(%q) said nothing on stderr", args)
		}
	}
	var out, errOut bytes.Buffer
	if code := benchMain([]string{"--help"}, &out, &errOut); code != 0 || !bytes.Contains(errOut.Bytes(), []byte("--only")) {
		t.Errorf("--help: exit %d, stderr %s", code, errOut.String())
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0"},      // not loopback
		{"--addr", "example.com:80"}, // not loopback
		{"--kind", "nginx"},          // unknown kind
		{"--rate", "0"},              // the mock's own validation
		{"--key-by", "cookie"},       // the mock's own flag parsing
		{"--no-such-flag"},
	} {
		if code := serveMain(args); code != 2 {
			t.Errorf("serveMain(%q) = %d, want 2", args, code)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{"127.0.0.1": true, "::1": true, "localhost": true, "127.8.9.10": true, "0.0.0.0": false, "10.0.0.1": false, "": false} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
}
