package main

import (
	"bytes"
	_ "embed"
	"strings"
	"testing"
)

// interruptOutput is Ginkgo's console output of `harness run` interrupted
// during a load scenario: two progress reports with goroutine stacks.
//
//go:embed testdata/interrupt.txt
var interruptOutput string

func TestStackFilterDropsGoroutineStacks(t *testing.T) {
	for name, chunk := range map[string]int{"whole": len(interruptOutput), "byte by byte": 1, "in 7-byte writes": 7} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			f := newStackFilter(&out)
			for rest := interruptOutput; len(rest) > 0; {
				n := min(chunk, len(rest))
				if _, err := f.Write([]byte(rest[:n])); err != nil {
					t.Fatal(err)
				}
				rest = rest[n:]
			}
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			for _, gone := range []string{"goroutine ", "Goroutine", "internal/load.(*recording).attack", "record.go:234", "> sum, err"} {
				if strings.Contains(got, gone) {
					t.Errorf("the output still has %q", gone)
				}
			}
			for _, kept := range []string{
				"5/72 specs SSSS", "ok   no-429", "First interrupt received", "Begin Captured GinkgoWriter Output",
				"  ------------------------------\n• [INTERRUPTED]", "This is the Progress Report generated when the interrupt was received:",
				"  [FAILED] An interrupt occurred", "Summarizing 1 Failure:", "report: reports/index.html\n",
			} {
				if !strings.Contains(got, kept) {
					t.Errorf("the output lost %q", kept)
				}
			}
			if n := strings.Count(got, stacksOmitted); n != 3 {
				t.Errorf("%d notes of left-out stacks, want 3 (one per run of sections)", n)
			}
			if lost := strings.Count(interruptOutput, "\n") - strings.Count(got, "\n"); lost < 100 {
				t.Errorf("only %d lines left out", lost)
			}
		})
	}
}

func TestStackFilterPassesProgressAtOnce(t *testing.T) {
	var out bytes.Buffer
	f := newStackFilter(&out)
	for i, w := range []string{"•", "S", "•", "\x1b[38;5;10m•\x1b[0m", "Spec", " Goroutine is a name, mid-line\n", "  Spec Goroutine is not a heading\n", "Oth"} {
		_, _ = f.Write([]byte(w))
		want := strings.Join([]string{"•", "S", "•", "\x1b[38;5;10m•\x1b[0m", "Spec", " Goroutine is a name, mid-line\n", "  Spec Goroutine is not a heading\n", ""}[:i+1], "")
		if out.String() != want {
			t.Fatalf("after writing %q the output is %q, want %q", w, out.String(), want)
		}
	}
	_ = f.Flush()
	if !strings.HasSuffix(out.String(), "Oth") {
		t.Errorf("Flush lost the held partial line: %q", out.String())
	}
}
