package measure

import (
	"fmt"
	"regexp"
	"strconv"
)

var ginkgoRan = regexp.MustCompile(`Ran (\d+) of (\d+) Specs? in ([0-9.]+) seconds`)

// parseGinkgoRan reads Ginkgo's "Ran 36 of 67 Specs in 0.041 seconds" line
// (the last one, if a binary printed several; without colour codes, so
// run with -ginkgo.no-color).
func parseGinkgoRan(out string) (ran, total int, seconds float64, err error) {
	all := ginkgoRan.FindAllStringSubmatch(out, -1)
	if len(all) == 0 {
		return 0, 0, 0, fmt.Errorf("no %q line in the suite's output", "Ran N of M Specs in S seconds")
	}
	m := all[len(all)-1]
	ran, err1 := strconv.Atoi(m[1])
	total, err2 := strconv.Atoi(m[2])
	seconds, err3 := strconv.ParseFloat(m[3], 64)
	if err1 != nil || err2 != nil || err3 != nil || ran > total {
		return 0, 0, 0, fmt.Errorf("cannot read %q", m[0])
	}
	return ran, total, seconds, nil
}
