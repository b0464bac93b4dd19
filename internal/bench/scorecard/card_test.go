package scorecard

import "testing"

func TestCPUShareAddPools(t *testing.T) {
	var s CPUShare
	s.Add(CPUShare{Func: "f", Samples: 100, InFunc: 3, ProcessCPUSeconds: 1})
	s.Add(CPUShare{Func: "f", Samples: 300, InFunc: 1, ProcessCPUSeconds: 3})
	if s.Samples != 400 || s.InFunc != 4 || s.Share != 0.01 || s.ProcessCPUSeconds != 4 || s.Func != "f" {
		t.Errorf("pooled = %+v, want 4 of 400 (not the mean of the shares)", s)
	}
}
