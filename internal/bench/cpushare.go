package bench

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/pprof"

	"github.com/google/pprof/profile"
)

// CPUShare is how much of a process's CPU time went to one function,
// measured with the Go CPU profiler: it samples every thread of the
// process 100 times per CPU-second, recording the stack, so the samples
// whose stack passes through the function (inlined or not, whatever calls
// it, on whichever goroutine) over all samples is its share of the
// process's CPU time. The profiler's own cost falls on every function alike.
type CPUShare struct {
	Func    string  `json:"func"`    // the function counted, fully qualified
	Samples int64   `json:"samples"` // all samples of the process
	InFunc  int64   `json:"inFunc"`  // samples with Func on the stack
	Share   float64 `json:"share"`   // InFunc / Samples, 0..1
	// ProcessCPUSeconds is the process's CPU time (user and system) over
	// the same span, from getrusage; the samples add up to about as much.
	ProcessCPUSeconds float64 `json:"processCPUSeconds"`
}

// Add pools another measurement of the same function into s.
func (s *CPUShare) Add(o CPUShare) {
	s.Func = o.Func
	s.Samples += o.Samples
	s.InFunc += o.InFunc
	s.ProcessCPUSeconds += o.ProcessCPUSeconds
	s.Share = 0
	if s.Samples > 0 {
		s.Share = float64(s.InFunc) / float64(s.Samples)
	}
}

// ShareOf counts, in a CPU profile in pprof's format, all samples and those
// whose stack holds fn (a fully qualified name such as
// "loginharness/internal/contract.(*Contract).ValidateResponse").
func ShareOf(data []byte, fn string) (CPUShare, error) {
	s := CPUShare{Func: fn}
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
func ProfileShare(fn string, work func()) (CPUShare, error) {
	var buf bytes.Buffer
	profErr := pprof.StartCPUProfile(&buf)
	start, known := ProcessCPU()
	work()
	end, known2 := ProcessCPU()
	s := CPUShare{Func: fn}
	if profErr == nil {
		pprof.StopCPUProfile()
		s, profErr = ShareOf(buf.Bytes(), fn)
	}
	if known && known2 {
		s.ProcessCPUSeconds = (end - start).Seconds()
	}
	return s, profErr
}
