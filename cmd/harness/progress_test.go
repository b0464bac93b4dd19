package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func TestSpecProgressCountsTheRunsSpecsOnOneLine(t *testing.T) {
	var out bytes.Buffer
	p := &specProgress{w: &out, total: 3}
	for _, r := range []types.SpecReport{
		{State: types.SpecStatePassed},
		{State: types.SpecStateSkipped}, // left out by the filter: not one of the run's
		{State: types.SpecStateFailed, Failure: types.Failure{Message: "broke"}},
		{State: types.SpecStateSkipped, Failure: types.Failure{Message: "not judged: why"}},
	} {
		p.add(r)
	}
	p.done()
	got := out.String()
	if !strings.Contains(got, "\r\x1b[Kspecs 3/3: 1 passed, 1 failed, 1 skipped\r") || strings.Count(got, "\r\x1b[K") != 4 || strings.Contains(got, "\n") {
		t.Errorf("progress line: %q", got)
	}
}
