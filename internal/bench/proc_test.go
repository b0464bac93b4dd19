package bench

import (
	"os"
	"strings"
	"testing"
	"time"
)

const procStatus = `Name:	harness-bench
Umask:	0022
State:	S (sleeping)
VmPeak:	 2083848 kB
VmSize:	 2083848 kB
VmHWM:	   64616 kB
VmRSS:	   60808 kB
Threads:	9
`

func TestParseProcStatus(t *testing.T) {
	m, err := ParseProcStatus(procStatus)
	if err != nil {
		t.Fatal(err)
	}
	if m.VmHWM != 64616 || m.VmRSS != 60808 {
		t.Errorf("ParseProcStatus = %+v", m)
	}
}

func TestParseProcStatusFailures(t *testing.T) {
	for name, text := range map[string]string{
		"kernel thread, no memory lines": "Name:\tkdamond.0\nState:\tI (idle)\n",
		"bad number":                     strings.Replace(procStatus, "64616", "lots", 1),
		"unexpected unit":                strings.Replace(procStatus, "60808 kB", "60808 MB", 1),
	} {
		if m, err := ParseProcStatus(text); err == nil {
			t.Errorf("%s: ParseProcStatus = %+v, want an error", name, m)
		}
	}
}

func TestReadProcMemorySelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	m, err := ReadProcMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.VmRSS <= 0 || m.VmHWM < m.VmRSS {
		t.Errorf("ReadProcMemory(self) = %+v: want 0 < VmRSS <= VmHWM", m)
	}
}

func TestProcessCPUGrowsWithWork(t *testing.T) {
	before, ok := ProcessCPU()
	if !ok {
		t.Skip("process CPU time is unknown on this system")
	}
	for sum, start := 0, time.Now(); time.Since(start) < 20*time.Millisecond; sum++ {
		_ = sum
	}
	if after, _ := ProcessCPU(); after <= before {
		t.Errorf("CPU time did not grow with work: %v then %v", before, after)
	}
}
