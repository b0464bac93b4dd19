package ratelimit

import (
	"fmt"
	"time"
)

var (
	shortDays = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDays  = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	months    = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// dateScanner walks an HTTP-date. Matching is exact and case-sensitive, as the
// RFC 9110 grammar is (its names are %s"..." strings); time.Parse is not.
type dateScanner struct {
	s   string
	i   int
	off int // offset of s within the original value, for errors
	err error
}

func (d *dateScanner) fail(at int, format string, args ...any) {
	if d.err == nil {
		d.err = &SyntaxError{Field: fieldRetryAfter, Offset: d.off + at, Msg: fmt.Sprintf(format, args...)}
	}
}

func (d *dateScanner) lit(want string) {
	if d.err != nil {
		return
	}
	if len(d.s)-d.i < len(want) || d.s[d.i:d.i+len(want)] != want {
		d.fail(d.i, "expected %q", want)
		return
	}
	d.i += len(want)
}

// num reads exactly n digits.
func (d *dateScanner) num(n int) int {
	if d.err != nil {
		return 0
	}
	v := 0
	for k := 0; k < n; k++ {
		if d.i >= len(d.s) || !isDigit(d.s[d.i]) {
			d.fail(d.i, "expected %d digits", n)
			return 0
		}
		v = v*10 + int(d.s[d.i]-'0')
		d.i++
	}
	return v
}

// name reads one of names and returns its index.
func (d *dateScanner) name(names []string, what string) int {
	if d.err != nil {
		return 0
	}
	for k, n := range names {
		if len(d.s)-d.i >= len(n) && d.s[d.i:d.i+len(n)] == n {
			d.i += len(n)
			return k
		}
	}
	d.fail(d.i, "expected %s name (case-sensitive)", what)
	return 0
}

// clock reads hour ":" minute ":" second.
func (d *dateScanner) clock() (h, m, s int) {
	h = d.num(2)
	d.lit(":")
	m = d.num(2)
	d.lit(":")
	s = d.num(2)
	return
}

// parseHTTPDate parses IMF-fixdate, rfc850-date or asctime-date (RFC 9110 §5.6.7).
// The day name must match the date, and the date must exist: a value that
// contradicts itself is garbage, not a point in time. A leap second is accepted only
// as 23:59:60 and read as the next midnight.
func parseHTTPDate(s string, off int, now time.Time) (time.Time, error) {
	d := &dateScanner{s: s, off: off}
	var wday, year, month, day, hh, mm, ss int
	start := 0
	switch {
	case len(s) > 3 && s[3] == ',': // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
		wday = d.name(shortDays, "day")
		d.lit(", ")
		start = d.i
		day = d.num(2)
		d.lit(" ")
		month = d.name(months, "month")
		d.lit(" ")
		year = d.num(4)
		d.lit(" ")
		hh, mm, ss = d.clock()
		d.lit(" GMT")
	case len(s) > 3 && s[3] == ' ': // asctime-date: Sun Nov  6 08:49:37 1994
		wday = d.name(shortDays, "day")
		d.lit(" ")
		start = d.i
		month = d.name(months, "month")
		d.lit(" ")
		if d.err == nil && d.i < len(s) && s[d.i] == ' ' {
			d.i++
			day = d.num(1)
		} else {
			day = d.num(2)
		}
		d.lit(" ")
		hh, mm, ss = d.clock()
		d.lit(" ")
		year = d.num(4)
	default: // rfc850-date: Sunday, 06-Nov-94 08:49:37 GMT
		wday = d.name(longDays, "day")
		d.lit(", ")
		start = d.i
		day = d.num(2)
		d.lit("-")
		month = d.name(months, "month")
		d.lit("-")
		year = d.num(2)
		d.lit(" ")
		hh, mm, ss = d.clock()
		d.lit(" GMT")
	}
	if d.err == nil && d.i != len(s) {
		d.fail(d.i, "unexpected %q after date", s[d.i:])
	}
	if d.err != nil {
		return time.Time{}, d.err
	}
	mon := time.Month(month + 1)
	rfc850 := s[3] != ',' && s[3] != ' '
	if rfc850 {
		year = rfc850Year(year, mon, day, hh, mm, ss, now)
	}
	if day < 1 || day > daysIn(mon, year) {
		return time.Time{}, &SyntaxError{Field: fieldRetryAfter, Offset: off + start, Msg: fmt.Sprintf("day %d does not exist in %s", day, mon)}
	}
	leap := ss == 60 && hh == 23 && mm == 59
	if hh > 23 || mm > 59 || ss > 59 && !leap {
		return time.Time{}, &SyntaxError{Field: fieldRetryAfter, Offset: off, Msg: fmt.Sprintf("time of day %02d:%02d:%02d out of range", hh, mm, ss)}
	}
	t := time.Date(year, mon, day, hh, mm, ss, 0, time.UTC)
	if got := time.Date(year, mon, day, 0, 0, 0, 0, time.UTC).Weekday(); int(got) != wday {
		return time.Time{}, &SyntaxError{Field: fieldRetryAfter, Offset: off, Msg: fmt.Sprintf("day name %s does not match %04d-%02d-%02d, a %s", longDays[wday], year, month+1, day, got)}
	}
	return t, nil
}

// daysIn returns the number of days in month m of year y (proleptic Gregorian).
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// rfc850Year expands a two-digit year per RFC 9110 §5.6.7: a date that would be more
// than 50 years after now is the most recent past year with the same last two digits.
// Comparing whole timestamps, not just years, keeps the cut-off exact.
func rfc850Year(yy int, m time.Month, day, hh, mm, ss int, now time.Time) int {
	now = now.UTC()
	y := now.Year() - mod(now.Year(), 100) + yy
	limit := now.AddDate(50, 0, 0)
	at := func(y int) time.Time { return time.Date(y, m, day, hh, mm, ss, 0, time.UTC) }
	switch {
	case at(y).After(limit):
		y -= 100
	case !at(y + 100).After(limit):
		y += 100
	}
	return y
}

func mod(a, b int) int { return (a%b + b) % b }
