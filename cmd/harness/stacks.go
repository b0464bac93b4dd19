package main

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
)

// stackFilter passes Ginkgo's console output through, less the goroutine
// stacks of its progress reports. Ginkgo prints one on Ctrl-C (and, for
// the interrupted spec, once more with its failure): a wall of stack
// traces a user who pressed Ctrl-C did not ask for, and that reads like a
// crash. The stacks stay in the JSON report. Everything else, the live
// progress dots included, is written as it comes.
type stackFilter struct {
	mu       sync.Mutex
	w        io.Writer
	line     []byte // the start of the current line, held while it could be a section heading
	passing  bool   // the current line is known to be no heading: written as it comes
	skipping bool   // inside a goroutine section
	indent   int    // the section heading's indentation
	noted    bool   // the last thing written is the note: sections in a row get one
}

func newStackFilter(w io.Writer) *stackFilter { return &stackFilter{w: w} }

// The headings of the goroutine sections of a Ginkgo progress report.
var stackHeadings = []string{"Spec Goroutine", "Goroutines of Interest", "Other Goroutines"}

// stacksOmitted replaces a section; it must not itself read like a crash.
const stacksOmitted = "(stack traces left out: see the JSON report)\n"

var (
	ansi          = regexp.MustCompile(`\x1b\[[0-9;]*m`)
	goroutineLine = regexp.MustCompile(`^goroutine \d+ \[`)
)

func (f *stackFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		chunk := rest
		if i >= 0 {
			chunk = rest[:i+1]
		}
		rest = rest[len(chunk):]
		if err := f.take(chunk, i >= 0); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// take handles part of a line; complete says it ends the line.
func (f *stackFilter) take(chunk []byte, complete bool) error {
	if f.passing {
		f.passing = !complete
		return f.write(chunk)
	}
	f.line = append(f.line, chunk...)
	text, indent := plain(f.line)
	if f.skipping {
		if !complete {
			return nil
		}
		if text == "" || indent > f.indent || indent == f.indent && (goroutineLine.MatchString(text) || strings.HasPrefix(text, "> ")) {
			f.line = f.line[:0]
			return nil
		}
		f.skipping = false // the section ended: judge this line afresh
	}
	if isHeading(text) && complete {
		f.skipping, f.indent = true, indent
		f.line = f.line[:0]
		if f.noted {
			return nil
		}
		err := f.write([]byte(strings.Repeat(" ", indent) + stacksOmitted))
		f.noted = true
		return err
	}
	if complete || !couldBeHeading(text) {
		err := f.write(f.line)
		f.line, f.passing = f.line[:0], !complete
		return err
	}
	return nil // wait for more of the line
}

func (f *stackFilter) write(b []byte) error {
	f.noted = false
	_, err := f.w.Write(b)
	return err
}

// Flush writes a held partial line.
func (f *stackFilter) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.skipping || len(f.line) == 0 {
		f.line = f.line[:0]
		return nil
	}
	_, err := f.w.Write(f.line)
	f.line = f.line[:0]
	return err
}

// plain strips colours and the line end, and measures the indentation.
func plain(line []byte) (text string, indent int) {
	s := strings.TrimRight(ansi.ReplaceAllString(string(line), ""), "\r\n")
	trimmed := strings.TrimLeft(s, " \t")
	return strings.TrimRight(trimmed, " \t"), len(s) - len(trimmed)
}

func isHeading(text string) bool {
	for _, h := range stackHeadings {
		if text == h {
			return true
		}
	}
	return false
}

func couldBeHeading(text string) bool {
	for _, h := range stackHeadings {
		if strings.HasPrefix(h, text) {
			return true
		}
	}
	return false
}
