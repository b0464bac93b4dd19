package ratelimit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// dateForm is one of RFC 9110 §5.6.7's HTTP-date forms as a Go layout.
type dateForm struct{ name, layout string }

var (
	imfFixdate = dateForm{"IMF-fixdate", http.TimeFormat}
	rfc850Date = dateForm{"rfc850-date", "Monday, 02-Jan-06 15:04:05 GMT"}
	asctime    = dateForm{"asctime-date", time.ANSIC}
	// asctimeZero is asctime-date with a zero-padded day, which its 2DIGIT allows.
	asctimeZero = dateForm{"asctime-date", "Mon Jan 02 15:04:05 2006"}
)

// formOf picks the form s is written in by its fourth byte, as the grammar tells them
// apart: "Sun," IMF-fixdate, "Sun " asctime-date, "Sunday," rfc850-date.
func formOf(s string) dateForm {
	switch {
	case len(s) > 3 && s[3] == ',':
		return imfFixdate
	case len(s) > 3 && s[3] == ' ':
		return asctime
	}
	return rfc850Date
}

// parseHTTPDate parses an HTTP-date through net/http.ParseTime and then holds it to
// what RFC 9110 §5.6.7 requires and time.Parse does not check, so that a server
// sending a malformed date is caught:
//   - the grammar is case-sensitive and fixed-width, and the day name must be the
//     date's; time.Parse ignores case and the day name, takes a one-digit hour, a
//     fraction of a second and any zone in rfc850-date. So the value must read
//     exactly as the parsed instant formats in its form.
//   - a two-digit year is the one within 50 years of now, not time.Parse's 1969–2068.
//   - second 60 is a leap second, which time.Parse refuses; 23:59:60 reads as the
//     next midnight.
func parseHTTPDate(s string, off int, now time.Time) (time.Time, error) {
	if last := lastIMFFixdate.Load(); last != nil && last.text == s {
		return last.at, nil
	}
	v := strings.Replace(s, " 23:59:60", " 23:59:59", 1)
	form := formOf(v)
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, dateError(v, off, form)
	}
	t = t.UTC()
	if form == rfc850Date {
		if t, err = rfc850Century(t, now); err != nil {
			return time.Time{}, &SyntaxError{Field: fieldRetryAfter, Offset: off, Msg: err.Error()}
		}
	}
	if !(form == imfFixdate && isIMFFixdate(v, t)) && !readsAs(v, t, form) {
		return time.Time{}, mismatchError(v, t.Format(form.layout), off, form, t)
	}
	if v != s {
		t = t.Add(time.Second)
	}
	if form == imfFixdate {
		lastIMFFixdate.Store(&readDate{text: s, at: t})
	}
	return t, nil
}

// lastIMFFixdate is the last IMF-fixdate read, which does not depend on now: a
// server under load dates every answer of one second alike, and reading the date
// again would cost a third of validating the whole response.
var lastIMFFixdate atomic.Pointer[readDate]

type readDate struct {
	text string
	at   time.Time
}

// readsAs reports whether v reads exactly as t formats in form (asctime-date with
// either day padding).
func readsAs(v string, t time.Time, form dateForm) bool {
	var buf [40]byte // room for the longest form, so that checking allocates nothing
	return string(t.AppendFormat(buf[:0], form.layout)) == v ||
		form == asctime && string(t.AppendFormat(buf[:0], asctimeZero.layout)) == v
}

// imfShape is IMF-fixdate's fixed shape: 'D' a digit, 'N' a letter of a name that
// isIMFFixdate compares with the instant, anything else itself.
const imfShape = "NNN, DD NNN DDDD DD:DD:DD GMT"

// isIMFFixdate is readsAs for IMF-fixdate, the form senders generate, without
// formatting: once time.Parse has read v as t, v reads as t formats when it has the
// form's exact shape and t's day and month names, as they are written. It keeps
// checking a date at a fraction of the cost of parsing it.
func isIMFFixdate(v string, t time.Time) bool {
	if len(v) != len(imfShape) || v[:3] != t.Weekday().String()[:3] || v[8:11] != t.Month().String()[:3] {
		return false
	}
	for i := range len(v) {
		switch c := imfShape[i]; c {
		case 'D':
			if !isDigit(v[i]) {
				return false
			}
		case 'N':
		default:
			if v[i] != c {
				return false
			}
		}
	}
	return true
}

// dateError explains why v is not an HTTP-date in form: time.Parse with that form's
// layout says which element failed and where (net/http.ParseTime returns only the
// error of the last form it tried).
func dateError(v string, off int, form dateForm) error {
	msg, at := "not an HTTP-date", 0
	var pe *time.ParseError
	if _, err := time.Parse(form.layout, v); errors.As(err, &pe) {
		at = len(pe.Value) - len(pe.ValueElem)
		msg = strings.TrimPrefix(pe.Message, ": ")
		if msg == "" {
			msg = "expected " + layoutElems[pe.LayoutElem]
			if layoutElems[pe.LayoutElem] == "" {
				msg = fmt.Sprintf("expected %q", pe.LayoutElem)
			}
		}
	}
	return &SyntaxError{Field: fieldRetryAfter, Offset: off + at, Msg: fmt.Sprintf("%s: %s", form.name, msg)}
}

// layoutElems names the elements of the layouts above for error messages.
var layoutElems = map[string]string{
	"Mon": "a day name such as Sun (case-sensitive)", "Monday": "a day name such as Sunday (case-sensitive)",
	"Jan": "a month name such as Nov (case-sensitive)", "02": "a day of 2 digits", "_2": "a day of 2 digits or SP and 1 digit",
	"2006": "a year of 4 digits", "06": "a year of 2 digits", "15": "an hour of 2 digits",
	"04": "minutes of 2 digits", "05": "seconds of 2 digits",
}

// mismatchError reports a date time.Parse accepted but that does not read as RFC 9110
// writes the instant it names, pointing at the first byte that differs.
func mismatchError(v, want string, off int, form dateForm, t time.Time) error {
	at := 0
	for at < len(v) && at < len(want) && v[at] == want[at] {
		at++
	}
	msg := fmt.Sprintf("%s must read %q", form.name, want)
	switch {
	case strings.EqualFold(v, want):
		msg += ": day and month names and GMT are case-sensitive"
	case at < strings.IndexAny(want, ", "):
		msg = fmt.Sprintf("%s: day name does not match %s, a %s", form.name, t.Format("2006-01-02"), t.Weekday())
	}
	return &SyntaxError{Field: fieldRetryAfter, Offset: off + at, Msg: msg}
}

// rfc850Century moves t, read from a two-digit year, to the century RFC 9110 §5.6.7
// asks for: a date more than 50 years after now is the most recent past year with the
// same last two digits. Comparing whole timestamps, not just years, keeps the cut-off
// exact. A 29 February that the century does not have is refused.
func rfc850Century(t, now time.Time) (time.Time, error) {
	now = now.UTC()
	y := now.Year() - (now.Year()%100+100)%100 + t.Year()%100
	limit := now.AddDate(50, 0, 0)
	at := func(y int) time.Time {
		return time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	}
	switch {
	case at(y).After(limit):
		y -= 100
	case !at(y + 100).After(limit):
		y += 100
	}
	if at(y).Day() != t.Day() {
		return time.Time{}, fmt.Errorf("%s: day %d does not exist in %s %d", rfc850Date.name, t.Day(), t.Month(), y)
	}
	return at(y), nil
}
