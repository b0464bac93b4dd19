package ratelimit

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, time.November, 25, 6, 0, 0, 0, time.UTC)

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		now  time.Time
		want time.Duration
	}{
		{"zero", "0", testNow, 0},
		{"seconds", "120", testNow, 120 * time.Second},
		{"leading zeros", "007", testNow, 7 * time.Second},
		{"surrounding OWS", " \t42\t ", testNow, 42 * time.Second},
		{"largest", "9223372036", testNow, 9223372036 * time.Second},
		{"IMF-fixdate", "Wed, 25 Nov 2026 06:01:00 GMT", testNow, time.Minute},
		{"IMF-fixdate RFC example", "Sun, 06 Nov 1994 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 0, 0, time.UTC), 37 * time.Second},
		{"RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 0, 0, time.UTC), 37 * time.Second},
		{"asctime", "Sun Nov  6 08:49:37 1994", time.Date(1994, 11, 6, 8, 49, 0, 0, time.UTC), 37 * time.Second},
		{"asctime two-digit day", "Wed Nov 25 06:00:10 2026", testNow, 10 * time.Second},
		{"asctime zero-padded day", "Fri Nov 06 08:49:37 2026", time.Date(2026, 11, 6, 8, 49, 0, 0, time.UTC), 37 * time.Second},
		{"date in the past", "Fri, 31 Dec 1999 23:59:59 GMT", testNow, 0},
		{"date equal to now", "Wed, 25 Nov 2026 06:00:00 GMT", testNow, 0},
		{"date with OWS", "  Wed, 25 Nov 2026 06:00:01 GMT ", testNow, time.Second},
		{"now not in UTC", "Wed, 25 Nov 2026 06:00:05 GMT", testNow.In(time.FixedZone("X", 3600)), 5 * time.Second},
		{"sub-second now", "Wed, 25 Nov 2026 06:00:05 GMT", testNow.Add(500 * time.Millisecond), 4500 * time.Millisecond},
		{"leap second", "Wed, 31 Dec 2036 23:59:60 GMT", time.Date(2036, 12, 31, 23, 59, 59, 0, time.UTC), time.Second},
		{"29 Feb leap year", "Tue, 29 Feb 2028 00:00:00 GMT", time.Date(2028, 2, 28, 0, 0, 0, 0, time.UTC), 24 * time.Hour},
		{"29 Feb 2000", "Tue, 29 Feb 2000 00:00:10 GMT", time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), 10 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRetryAfter(tt.in, tt.now)
			if err != nil {
				t.Fatalf("ParseRetryAfter(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRetryAfterInvalid(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty"},
		{"   ", "empty"},
		{"-1", "expected"},
		{"+1", "expected"},
		{"1.5", "digits only"},
		{"1e3", "digits only"},
		{"0x10", "digits only"},
		{"12 34", "digits only"},
		{"1,2", "digits only"},
		{"9223372037", "overflows"},
		{"99999999999999999999999999", "overflows"},
		{"१२", "expected"}, // non-ASCII digits
		{"ten", "expected"},
		{"Fri, 31 Feb 2025 12:00:00 GMT", "day out of range"},
		{"Tue, 29 Feb 2025 12:00:00 GMT", "day out of range"},
		{"Mon, 29 Feb 2100 12:00:00 GMT", "day out of range"},
		{"Sat, 00 Nov 2025 12:00:00 GMT", "day out of range"},
		{"Sun, 31 Nov 2026 12:00:00 GMT", "day out of range"},
		{"Wed, 25 Nov 2026 24:00:00 GMT", "out of range"},
		{"Wed, 25 Nov 2026 12:60:00 GMT", "out of range"},
		{"Wed, 25 Nov 2026 12:00:60 GMT", "out of range"},
		{"Wed, 25 Nov 2026 23:59:61 GMT", "out of range"},
		{"Thu, 25 Nov 2026 12:00:00 GMT", "day name does not match 2026-11-25, a Wednesday"},
		{"wed, 25 Nov 2026 12:00:00 GMT", "case-sensitive"},
		{"WED, 25 Nov 2026 12:00:00 GMT", "case-sensitive"},
		{"Wed, 25 nov 2026 12:00:00 GMT", "case-sensitive"},
		{"Wed, 25 NOV 2026 12:00:00 GMT", "case-sensitive"},
		{"Wed, 25 Nov 2026 12:00:00 gmt", `expected " GMT"`},
		{"Wed, 25 Nov 2026 12:00:00 UTC", `" GMT"`},
		{"Wed, 25 Nov 2026 12:00:00 +0000", `" GMT"`},
		{"Wed, 25 Nov 2026 12:00:00", `" GMT"`},
		{"Wed, 25 Nov 2026 12:00:00 GMT ", ""}, // trailing SP is OWS: valid, checked below
		{"Wed, 25 Nov 2026 12:00:00 GMTx", `extra text: "x"`},
		{"Wed,  25 Nov 2026 12:00:00 GMT", `must read "Wed, 25 Nov`},
		{"Wed, 5 Nov 2026 12:00:00 GMT", "digits"},
		{"Wed, 25 Nov 26 12:00:00 GMT", "digits"},
		{"Wed, 25 Nov 2026 1:00:00 GMT", `must read "Wed, 25 Nov 2026 01:00:00 GMT"`},
		{"Wed, 25 Nov 2026 12:00:00.5 GMT", "must read"},
		{"Wed,  25 Nov 2026 1:00:00 GMT", "must read"}, // IMF-fixdate's length, but time.Parse's spaces and hour are lax
		{"Wednesday, 25-Nov-26 12:00:00 PST", "must read"},
		{"Wed, 25-Nov-2026 12:00:00 GMT", `" "`},
		{"Wed,25 Nov 2026 12:00:00 GMT", `", "`},
		{"Wednesday, 25 Nov 2026 12:00:00 GMT", `"-"`},
		{"Wednesday, 25-Nov-2026 12:00:00 GMT", `" "`},
		{"Wednesday, 25-Nov-26 12:00:00", `" GMT"`},
		{"wednesday, 25-Nov-26 12:00:00 GMT", "case-sensitive"},
		{"Wed, 25-Nov-26 12:00:00 GMT", `" "`},
		{"Wed Nov 25 12:00:00 26", "4 digits"},
		{"Wed Nov 25 12:00:00 2026 GMT", "extra text"},
		{"Thu Nov 5 12:00:00 2026", `must read "Thu Nov  5 12:00:00 2026"`},
		{"Thu Nov   5 12:00:00 2026", "must read"},
		{"Wed\tNov 25 12:00:00 2026", "day name"},
		{"Wed, 25 Nov 2026 12:00:00\tGMT", `" GMT"`},
		{"Wed, 25 Nov 2026T12:00:00 GMT", `" "`},
		{"2026-11-25T12:00:00Z", "digits only"},
		{"Thu, 25 Nov 9999 12:00:00 GMT", "too far"},
		{"Wed", "expected"},
		{"W", "expected"},
	}
	for _, tt := range tests {
		_, err := ParseRetryAfter(tt.in, testNow)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("ParseRetryAfter(%q) error: %v", tt.in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("ParseRetryAfter(%q) = nil error, want one containing %q", tt.in, tt.wantErr)
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Field != "Retry-After" {
			t.Errorf("ParseRetryAfter(%q) error %v is not a Retry-After *SyntaxError", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("ParseRetryAfter(%q) error %q, want it to contain %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestParseRetryAfterErrorOffset(t *testing.T) {
	tests := []struct {
		in  string
		off int
	}{
		{"12a", 2},
		{"  12a", 4},
		{"Wed, 25 nov 2026 12:00:00 GMT", 8},
		{"Wed, 25 Nov 2026 12:00:00 GMT!", 29},
	}
	for _, tt := range tests {
		_, err := ParseRetryAfter(tt.in, testNow)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != tt.off {
			t.Errorf("ParseRetryAfter(%q) error %v, want offset %d", tt.in, err, tt.off)
		}
	}
}

// TestRFC850Century checks RFC 9110 §5.6.7: a two-digit year more than 50 years in
// the future is the most recent past year with those digits.
func TestRFC850Century(t *testing.T) {
	tests := []struct {
		in       string
		now      time.Time
		wantYear int
	}{
		{"Sunday, 06-Nov-94 08:49:37 GMT", testNow, 1994},
		{"Wednesday, 25-Nov-76 06:00:00 GMT", testNow, 2076},                                  // exactly 50 years ahead: not more
		{"Thursday, 25-Nov-76 06:00:01 GMT", testNow, 1976},                                   // one second past the cut-off
		{"Saturday, 31-Dec-33 00:00:00 GMT", testNow, 2033},                                   // near future
		{"Friday, 31-Dec-99 23:59:59 GMT", testNow, 1999},                                     // 73 years ahead otherwise
		{"Saturday, 01-Jan-00 00:00:00 GMT", testNow, 2000},                                   // current century
		{"Friday, 01-Jan-00 00:00:00 GMT", time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC), 2100}, // next century
		{"Saturday, 01-Jan-01 00:00:00 GMT", time.Date(2099, 6, 1, 0, 0, 0, 0, time.UTC), 2101},
		{"Friday, 31-Dec-49 23:59:59 GMT", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 2049},
		{"Saturday, 01-Jan-50 00:00:00 GMT", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 2050}, // exactly 50 years
		{"Monday, 02-Jan-50 00:00:00 GMT", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 1950},
		{"Thursday, 29-Feb-96 00:00:00 GMT", testNow, 1996},
	}
	for _, tt := range tests {
		got, err := parseHTTPDate(tt.in, 0, tt.now)
		if err != nil {
			t.Errorf("parseHTTPDate(%q) error: %v", tt.in, err)
			continue
		}
		if got.Year() != tt.wantYear {
			t.Errorf("parseHTTPDate(%q, now=%v) year = %d, want %d", tt.in, tt.now, got.Year(), tt.wantYear)
		}
	}
	// 29-Feb-00 read as 1900 (no leap day) must be rejected, not normalised to 1 March.
	if _, err := parseHTTPDate("Thursday, 29-Feb-00 00:00:00 GMT", 0, time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("29-Feb-00 in 1900 accepted")
	}
}

func TestFormatRetryAfter(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{-time.Hour, "0"},
		{0, "0"},
		{1, "1"},
		{time.Millisecond, "1"},
		{time.Second, "1"},
		{time.Second + 1, "2"},
		{120 * time.Second, "120"},
		{119*time.Second + 999*time.Millisecond, "120"},
		{time.Duration(1<<63 - 1), "9223372036"},
	}
	for _, tt := range tests {
		if got := FormatRetryAfter(tt.in); got != tt.want {
			t.Errorf("FormatRetryAfter(%v) = %q, want %q", tt.in, got, tt.want)
		}
		d, err := ParseRetryAfter(FormatRetryAfter(tt.in), testNow)
		if err != nil || d < tt.in && d != 9223372036*time.Second {
			t.Errorf("round trip of %v: %v, %v", tt.in, d, err)
		}
	}
}

func TestCeilSeconds(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{-time.Second, 0},
		{0, 0},
		{1, time.Second},
		{time.Second, time.Second},
		{time.Second + 1, 2 * time.Second},
		{4*time.Minute - time.Millisecond, 4 * time.Minute},
		{time.Duration(1<<63 - 1), 9223372036 * time.Second},
	}
	for _, tt := range tests {
		if got := CeilSeconds(tt.in); got != tt.want {
			t.Errorf("CeilSeconds(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestParseRetryAfterRemembersOnlyWhatItRead: the date read last is served again
// for the same text only, and a date that failed is never remembered.
func TestParseRetryAfterRemembersOnlyWhatItRead(t *testing.T) {
	const good = "Wed, 25 Nov 2026 06:01:00 GMT"
	for range 2 {
		if d, err := ParseRetryAfter(good, testNow); err != nil || d != time.Minute {
			t.Fatalf("ParseRetryAfter(%q) = %v, %v", good, d, err)
		}
		if _, err := ParseRetryAfter("Thu, 25 Nov 2026 06:01:00 GMT", testNow); err == nil {
			t.Fatal("a wrong day name accepted after a good date")
		}
		if d, err := ParseRetryAfter("Wed, 25 Nov 2026 06:02:00 GMT", testNow); err != nil || d != 2*time.Minute {
			t.Fatalf("the next date = %v, %v", d, err)
		}
	}
	if d, err := ParseRetryAfter(good, testNow.Add(30*time.Second)); err != nil || d != 30*time.Second {
		t.Errorf("the same date seen later = %v, %v; want the wait from the new now", d, err)
	}
}
