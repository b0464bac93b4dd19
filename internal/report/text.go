// The ways every output writes a number, a time or a list.

package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/contract"
)

func rate(r float64) string   { return strconv.FormatFloat(r, 'f', 1, 64) + "/s" }
func pct(r float64) string    { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" }
func msText(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " ms" }

func secondsRange(lo, hi float64) string {
	if lo == hi {
		return fmt.Sprintf("%g s", lo)
	}
	return fmt.Sprintf("%g–%g s", lo, hi)
}

// stampText is how the outputs write a time.
func stampText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return contract.Truncate(s, 160)
}

// nameList names up to n names, and how many more there are.
func nameList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %d more", strings.Join(names[:n], ", "), len(names)-n)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
