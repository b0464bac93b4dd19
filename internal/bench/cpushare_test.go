package bench

import (
	"bytes"
	"io"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

const validate = "loginharness/internal/contract.(*Contract).ValidateResponse"

// cpuProfile builds a profile shaped like the runtime's: samples counted
// and CPU nanoseconds, stacks of functions, some inlined into others.
func cpuProfile(t *testing.T) []byte {
	t.Helper()
	fn := map[string]*profile.Function{}
	var fns []*profile.Function
	for i, name := range []string{validate, "loginharness/internal/load.(*Runner).check", "net/http.(*persistConn).readLoop", "runtime.gcBgMarkWorker", "loginharness/internal/contract.(*Contract).judgeFast"} {
		f := &profile.Function{ID: uint64(i + 1), Name: name}
		fn[name], fns = f, append(fns, f)
	}
	loc := func(id uint64, names ...string) *profile.Location {
		l := &profile.Location{ID: id}
		for _, n := range names { // innermost first, as inlined frames are
			l.Line = append(l.Line, profile.Line{Function: fn[n]})
		}
		return l
	}
	judge := loc(1, "loginharness/internal/contract.(*Contract).judgeFast", validate) // judgeFast inlined into ValidateResponse
	check := loc(2, "loginharness/internal/load.(*Runner).check")
	read := loc(3, "net/http.(*persistConn).readLoop")
	gc := loc(4, "runtime.gcBgMarkWorker")
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"}, Period: 10_000_000,
		Sample: []*profile.Sample{
			{Location: []*profile.Location{judge, check}, Value: []int64{3, 30_000_000}},
			{Location: []*profile.Location{check}, Value: []int64{2, 20_000_000}}, // the caller alone is not validating
			{Location: []*profile.Location{read}, Value: []int64{90, 900_000_000}},
			{Location: []*profile.Location{gc}, Value: []int64{5, 50_000_000}},
		},
		Location: []*profile.Location{judge, check, read, gc},
		Function: fns,
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestShareOfCountsStacksThroughTheFunction(t *testing.T) {
	s, err := ShareOf(cpuProfile(t), validate)
	if err != nil {
		t.Fatal(err)
	}
	if s.Samples != 100 || s.InFunc != 3 || s.Share != 0.03 || s.Func != validate {
		t.Errorf("ShareOf = %+v, want 3 of 100 samples", s)
	}
	if s, _ := ShareOf(cpuProfile(t), "loginharness/internal/load.(*Runner).check"); s.InFunc != 5 {
		t.Errorf("a caller counts the samples below it too: %+v, want 5", s)
	}
	if s, _ := ShareOf(cpuProfile(t), "loginharness/internal/contract.(*Contract).Validate"); s.InFunc != 0 {
		t.Errorf("a name that is only a prefix matched: %+v", s)
	}
	if _, err := ShareOf([]byte("not a profile"), validate); err == nil {
		t.Error("ShareOf read garbage")
	}
}

// TestProfileShareRunsTheWorkWhenTheProfilerIsBusy: a CPU profile of the
// process already running takes the profiler; the work must run anyway.
func TestProfileShareRunsTheWorkWhenTheProfilerIsBusy(t *testing.T) {
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		t.Skip("the profiler is in use already:", err)
	}
	defer pprof.StopCPUProfile()
	ran := false
	s, err := ProfileShare(validate, func() { ran = true })
	if !ran || err == nil || !strings.Contains(err.Error(), "already") || s.Samples != 0 {
		t.Errorf("ProfileShare = %+v, %v, ran %v; want the work run and the error", s, err, ran)
	}
}

func TestProfileShareReadsItsOwnProfile(t *testing.T) {
	s, err := ProfileShare(validate, func() {})
	if err != nil || s.Func != validate || s.InFunc != 0 || s.Share != 0 {
		t.Errorf("ProfileShare of nothing = %+v, %v", s, err)
	}
}
