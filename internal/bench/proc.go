package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ProcMemory is the memory lines of /proc/<pid>/status, in KiB.
type ProcMemory struct {
	VmRSS int64 // resident set size now
	VmHWM int64 // peak resident set size ("high water mark")
}

// ParseProcStatus reads VmRSS and VmHWM from the text of /proc/<pid>/status.
func ParseProcStatus(text string) (ProcMemory, error) {
	var m ProcMemory
	var haveRSS, haveHWM bool
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		var dst *int64
		switch name {
		case "VmRSS":
			dst, haveRSS = &m.VmRSS, true
		case "VmHWM":
			dst, haveHWM = &m.VmHWM, true
		default:
			continue
		}
		f := strings.Fields(value)
		if len(f) != 2 || f[1] != "kB" {
			return m, fmt.Errorf("/proc status: cannot read %s %q", name, strings.TrimSpace(value))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("/proc status: %s: %w", name, err)
		}
		*dst = n
	}
	if !haveRSS || !haveHWM {
		return m, fmt.Errorf("/proc status lacks VmRSS or VmHWM (not Linux, or the process has exited)")
	}
	return m, nil
}

// ReadProcMemory reads /proc/<pid>/status.
func ReadProcMemory(pid int) (ProcMemory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ProcMemory{}, err
	}
	return ParseProcStatus(string(data))
}
