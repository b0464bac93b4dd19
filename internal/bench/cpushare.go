package bench

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/pprof"

	"github.com/google/pprof/profile"

	"loginharness/internal/bench/scorecard"
)

// ShareOf counts, in a CPU profile in pprof's format, all samples and those
// whose stack holds fn (a fully qualified name such as
// "loginharness/internal/contract.(*Contract).ValidateResponse").
func ShareOf(data []byte, fn string) (scorecard.CPUShare, error) {
	s := scorecard.CPUShare{Func: fn}
	p, err := profile.ParseData(data)
	if err != nil {
		return s, fmt.Errorf("cpu profile: %w", err)
	}
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "samples" {
			idx = i
		}
	}
	if idx < 0 {
		return s, errors.New("cpu profile: no samples count")
	}
	for _, sm := range p.Sample {
		n := sm.Value[idx]
		s.Samples += n
		if stackHolds(sm, fn) {
			s.InFunc += n
		}
	}
	if s.Samples > 0 {
		s.Share = float64(s.InFunc) / float64(s.Samples)
	}
	return s, nil
}

func stackHolds(sm *profile.Sample, fn string) bool {
	for _, loc := range sm.Location {
		for _, line := range loc.Line {
			if line.Function != nil && line.Function.Name == fn {
				return true
			}
		}
	}
	return false
}

// ProfileShare runs work under the CPU profiler and returns fn's share of
// the process's CPU time meanwhile, with the process's CPU time. When the
// profiler cannot start (another profile of this process is running), work
// still runs and only the share is missing, with the error saying why.
func ProfileShare(fn string, work func()) (scorecard.CPUShare, error) {
	var buf bytes.Buffer
	profErr := pprof.StartCPUProfile(&buf)
	start, known := ProcessCPU()
	work()
	end, known2 := ProcessCPU()
	s := scorecard.CPUShare{Func: fn}
	if profErr == nil {
		pprof.StopCPUProfile()
		s, profErr = ShareOf(buf.Bytes(), fn)
	}
	if known && known2 {
		s.ProcessCPUSeconds = (end - start).Seconds()
	}
	return s, profErr
}
