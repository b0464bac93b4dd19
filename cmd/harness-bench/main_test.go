package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestBenchMainUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-only", "throughput,speed"},
		{"-workers", "8,0"},
		{"-workers", "many"},
		{"-wrk-connections", "0"},
		{"-keys", "-1"},
		{"-no-such-flag"},
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
}

func TestParseOnly(t *testing.T) {
	sel, err := parseOnly("")
	if err != nil || len(sel) != len(sections) {
		t.Errorf("parseOnly(\"\") = %v, %v; want every section", sel, err)
	}
	sel, err = parseOnly(" memory,limiter ")
	if err != nil || len(sel) != 2 || !sel["memory"] || !sel["limiter"] {
		t.Errorf("parseOnly = %v, %v", sel, err)
	}
	if _, err := parseOnly("memory,,limiter"); err == nil || !strings.Contains(err.Error(), "sections:") {
		t.Errorf("an empty name: %v, want an error listing the sections", err)
	}
}

func TestParseCounts(t *testing.T) {
	got, err := parseCounts("8, 32,128")
	if err != nil || len(got) != 3 || got[0] != 8 || got[1] != 32 || got[2] != 128 {
		t.Errorf("parseCounts = %v, %v", got, err)
	}
	for _, s := range []string{"", "0", "4097", "-1", "8,x"} {
		if _, err := parseCounts(s); err == nil {
			t.Errorf("parseCounts(%q): no error", s)
		}
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

func TestBareAnswersLikeTheMock(t *testing.T) {
	b, err := newBare()
	if err != nil {
		t.Fatal(err)
	}
	if b.header.Get("Content-Type") != "application/json" || !bytes.Contains(b.body, []byte(`"companyId"`)) {
		t.Errorf("bare header %v body %s", b.header, b.body)
	}
}
