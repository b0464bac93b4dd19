package bench

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WrkResult is what one wrk run printed (with --latency).
type WrkResult struct {
	Requests       int64         // "N requests in D"
	Duration       time.Duration // the D of that line
	RequestsPerSec float64       // "Requests/sec:"
	P50, P99       time.Duration // from the latency distribution
	Non2xx         int64         // "Non-2xx or 3xx responses:", 0 when absent
	SocketErrors   int64         // sum of "Socket errors:" connect, read, write, timeout
}

// ParseWrk reads wrk's text output. It needs the summary lines and, for the
// percentiles, the "Latency Distribution" block that --latency prints; a
// missing piece is an error naming it, so a changed wrk cannot go unnoticed.
func ParseWrk(out string) (WrkResult, error) {
	var r WrkResult
	var haveRate, haveRequests, have50, have99 bool
	inDist := false
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		fields := strings.Fields(line)
		switch {
		case line == "Latency Distribution":
			inDist = true
			continue
		case inDist && len(fields) == 2 && strings.HasSuffix(fields[0], "%"):
			d, err := ParseWrkDuration(fields[1])
			if err != nil {
				return r, fmt.Errorf("wrk latency %s: %w", fields[0], err)
			}
			switch fields[0] {
			case "50%", "50.000%":
				r.P50, have50 = d, true
			case "99%", "99.000%":
				r.P99, have99 = d, true
			}
			continue
		}
		inDist = false
		switch {
		case strings.HasPrefix(line, "Requests/sec:"):
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, "Requests/sec:")), 64)
			if err != nil {
				return r, fmt.Errorf("wrk Requests/sec: %w", err)
			}
			r.RequestsPerSec, haveRate = v, true
		case len(fields) >= 4 && fields[1] == "requests" && fields[2] == "in":
			n, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				return r, fmt.Errorf("wrk request count: %w", err)
			}
			d, err := ParseWrkDuration(strings.TrimSuffix(fields[3], ","))
			if err != nil {
				return r, fmt.Errorf("wrk run time: %w", err)
			}
			r.Requests, r.Duration, haveRequests = n, d, true
		case strings.HasPrefix(line, "Non-2xx or 3xx responses:"):
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "Non-2xx or 3xx responses:")), 10, 64)
			if err != nil {
				return r, fmt.Errorf("wrk non-2xx count: %w", err)
			}
			r.Non2xx = n
		case strings.HasPrefix(line, "Socket errors:"):
			n, err := parseSocketErrors(strings.TrimPrefix(line, "Socket errors:"))
			if err != nil {
				return r, err
			}
			r.SocketErrors = n
		}
	}
	var missing []string
	if !haveRequests {
		missing = append(missing, `"N requests in D"`)
	}
	if !haveRate {
		missing = append(missing, `"Requests/sec:"`)
	}
	if !have50 || !have99 {
		missing = append(missing, "the 50% and 99% lines of the latency distribution (run wrk with --latency)")
	}
	if len(missing) > 0 {
		return r, fmt.Errorf("wrk output lacks %s", strings.Join(missing, ", "))
	}
	return r, nil
}

// parseSocketErrors sums "connect 0, read 1, write 0, timeout 2".
func parseSocketErrors(s string) (int64, error) {
	var sum int64
	for part := range strings.SplitSeq(s, ",") {
		f := strings.Fields(part)
		if len(f) != 2 {
			return 0, fmt.Errorf("wrk socket errors: cannot read %q", strings.TrimSpace(part))
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("wrk socket errors: %w", err)
		}
		sum += n
	}
	return sum, nil
}

// ParseWrkDuration reads wrk's times: "812.00us", "1.52ms", "3.00s", "1.00m", "2.00h".
func ParseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		num, ok := strings.CutSuffix(s, u.suffix)
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(num, 64)
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("not a wrk time: %q", s)
		}
		return time.Duration(v * float64(u.unit)), nil
	}
	return 0, fmt.Errorf("not a wrk time: %q", s)
}

// WrkScript is a wrk Lua script that sends one fixed request.
func WrkScript(method string, header map[string]string, body string) string {
	var b strings.Builder
	b.WriteString("wrk.method = " + LuaQuote(method) + "\n")
	b.WriteString("wrk.body = " + LuaQuote(body) + "\n")
	for _, k := range slices.Sorted(maps.Keys(header)) {
		b.WriteString("wrk.headers[" + LuaQuote(k) + "] = " + LuaQuote(header[k]) + "\n")
	}
	return b.String()
}

// LuaQuote writes s as a Lua string literal that holds exactly its bytes.
func LuaQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			// Three digits, so a following digit cannot extend the escape.
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ErrWrkMissing says wrk is not installed.
var ErrWrkMissing = errors.New("wrk is not installed (Debian/Ubuntu: sudo apt-get install -y wrk)")
