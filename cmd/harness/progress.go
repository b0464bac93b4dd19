package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/onsi/ginkgo/v2/types"
)

// specProgress keeps one line on a terminal up to date while the specs
// run, in place of Ginkgo's own output: how many of the selected specs
// ran, and how many failed.
type specProgress struct {
	w     io.Writer
	total int

	mu                      sync.Mutex
	passed, failed, skipped int
}

// add counts one spec; a spec the filter left out (skipped, no reason) is
// not one of the run's.
func (p *specProgress) add(r types.SpecReport) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case r.State.Is(types.SpecStatePassed):
		p.passed++
	case r.State.Is(types.SpecStateFailureStates):
		p.failed++
	case r.Failure.Message != "":
		p.skipped++
	default:
		return
	}
	// The cursor goes back to the line's start, so what the load scenarios
	// print of their own progress writes over this line, not after it.
	fmt.Fprintf(p.w, "\r\x1b[Kspecs %d/%d: %d passed, %d failed, %d skipped\r", p.passed+p.failed+p.skipped, p.total, p.passed, p.failed, p.skipped)
}

// done clears the line for the summary.
func (p *specProgress) done() { fmt.Fprint(p.w, "\r\x1b[K") }
