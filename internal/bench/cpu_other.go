//go:build !unix

package bench

import (
	"time"
)

// ProcessCPU is unknown here: measurements then report wall time only.
func ProcessCPU() (time.Duration, bool) { return 0, false }
