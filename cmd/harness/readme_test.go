package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestREADMESampleOutputHasTheRealFormat keeps the sample output under
// README's "Start" in step with what `harness run` prints: each sample
// line must have the shape of the real line of the same API or scenario
// (numbers may differ, the words and their order may not), in the real
// order, from the verdict line to the report's path. A line whose states
// differ in this run (a scenario judged here that the sample shows not
// judged, on a busy machine) cannot be compared and is logged.
func TestREADMESampleOutputHasTheRealFormat(t *testing.T) {
	sample := readmeSample(t)
	out := filepath.Join(t.TempDir(), "reports")
	r := harness(t, t.Context(), "run", "--out", out)
	if r.code != exitOK {
		t.Fatalf("run on the mock:\n%s", r)
	}
	real := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if shape(sample[0]) != shape(real[0]) && sameStates(sample[0], real[0]) {
		t.Errorf("the verdict line has another format:\nREADME: %s\nreal:   %s", sample[0], real[0])
	}
	if last := sample[len(sample)-1]; shape(last) != shape(real[len(real)-1]) {
		t.Errorf("the last line has another format:\nREADME: %s\nreal:   %s", last, real[len(real)-1])
	}
	at := 0
	for _, line := range sample[1 : len(sample)-1] {
		if strings.TrimSpace(line) == "..." {
			continue
		}
		i := slices.IndexFunc(real[at:], func(l string) bool { return key(l) == key(line) })
		if i < 0 {
			t.Errorf("README shows a line the run does not print, or not in this order:\n%s\nreal output:\n%s", line, r.stdout)
			continue
		}
		got := real[at+i]
		at += i + 1
		switch {
		case shape(line) == shape(got):
		case !sameStates(line, got):
			t.Logf("this run's %q has other states than README's; not compared:\nREADME: %s\nreal:   %s", key(line), line, got)
		default:
			t.Errorf("README's line has another format than the real one:\nREADME: %s\nreal:   %s", line, got)
		}
	}
}

// readmeSample is the indented block under "## Start" that begins with the
// verdict line.
func readmeSample(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, start, ok := strings.Cut(string(data), "\n## Start\n")
	if !ok {
		t.Fatal("README.md has no Start section")
	}
	start, _, _ = strings.Cut(start, "\n## ")
	var lines []string
	for _, line := range strings.Split(start, "\n") {
		switch {
		case strings.HasPrefix(line, "    verdict: "):
			lines = []string{strings.TrimPrefix(line, "    ")}
		case lines != nil && strings.HasPrefix(line, "    "):
			lines = append(lines, strings.TrimPrefix(line, "    "))
		case lines != nil:
			if len(lines) < 3 {
				t.Fatalf("README's sample output is %d lines", len(lines))
			}
			return lines
		}
	}
	t.Fatal("README's Start section shows no sample output beginning with a verdict line")
	return nil
}

var (
	number     = regexp.MustCompile(`\d+(\.\d+)?`)
	pagePath   = regexp.MustCompile(`^report: \S*/reports/index\.html$`)
	stateWords = regexp.MustCompile(`\b(PASS|FAIL|INCOMPLETE|NOT JUDGED|NO RESULTS|passed|failed|not judged|not fully judged|skipped|interrupted)\b`)
)

// shape is a line with its numbers and the report's folder left out, and
// its columns' padding, which follows the numbers' widths, made one space.
func shape(line string) string {
	if pagePath.MatchString(line) {
		return "report: PATH/reports/index.html"
	}
	return strings.Join(strings.Fields(number.ReplaceAllString(line, "N")), " ")
}

// key names what a line is about: "verdict:", "webex", "load ramp".
func key(line string) string {
	f := strings.Fields(line)
	if len(f) > 1 && f[0] == "load" {
		return f[0] + " " + f[1]
	}
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// sameStates tells whether two lines report the same kinds of outcome, in
// the same order, whatever their counts.
func sameStates(a, b string) bool {
	return slices.Equal(stateWords.FindAllString(a, -1), stateWords.FindAllString(b, -1))
}
