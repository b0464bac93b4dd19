package ratelimit

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

// Bounds of a usable "now" for fuzzing Retry-After: years 1 to 9999.
const (
	minUnix = -62135596800
	maxUnix = 253402300799
)

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{
		"0", "120", "007", "9223372036", "9223372037", "-1", "1.5", " 42 ",
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Wed, 31 Dec 2036 23:59:60 GMT", "Fri, 31 Feb 2025 12:00:00 GMT", "wed, 25 Nov 2026 12:00:00 gmt",
		"Friday, 01-Jan-00 00:00:00 GMT", "",
	} {
		f.Add(s, testNow.Unix())
	}
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		now := time.Unix(minUnix+int64(uint64(nowUnix)%uint64(maxUnix-minUnix)), 0).UTC()
		d, err := ParseRetryAfter(v, now)
		if err != nil {
			return
		}
		if d < 0 || d%time.Second != 0 {
			t.Fatalf("ParseRetryAfter(%q, %v) = %v: negative or not whole seconds", v, now, d)
		}
		s := FormatRetryAfter(d)
		d2, err := ParseRetryAfter(s, now)
		if err != nil || d2 != d {
			t.Fatalf("ParseRetryAfter(%q) = %v, formatted %q, parsed back %v, %v", v, d, s, d2, err)
		}
		// Whatever IMF-fixdate this parser accepts, net/http's laxer parser accepts too,
		// at the same instant (leap seconds aside, which time.Parse refuses).
		trimmed, _ := trimOWS(v)
		if len(trimmed) == 29 && trimmed[3] == ',' && trimmed[23:25] != "60" {
			mine, err := parseHTTPDate(trimmed, 0, now)
			if err != nil {
				t.Fatalf("ParseRetryAfter accepted %q but parseHTTPDate: %v", v, err)
			}
			std, err := http.ParseTime(trimmed)
			if err != nil || !std.Equal(mine) {
				t.Fatalf("%q: mine %v, net/http %v, %v", trimmed, mine, std, err)
			}
			if !readsAs(trimmed, mine, imfFixdate) {
				t.Fatalf("%q accepted, but %v formats as %q", trimmed, mine, mine.Format(http.TimeFormat))
			}
		}
	})
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		`"burst";q=100;w=60`, `burst;q=100;w=60, daily;q=1000;w=86400`,
		`"p";q=5;qu="content-bytes";w=10;pk=:cHJvamVjdC0x:`, `"a\"b";q=1;x=1.5;y=?0;d=@1;s=%"%c3%bc"`,
		`"a";q=1,`, `(a);q=1`, `"a";q=1234567890123456`, `"a";q=1;w=9223372037`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		p, err := ParsePolicy(v)
		if err != nil {
			return
		}
		s := FormatPolicy(p...)
		p2, err := ParsePolicy(s)
		if err != nil || !reflect.DeepEqual(p, p2) {
			t.Fatalf("ParsePolicy(%q) = %+v, formatted %q, parsed back %+v, %v", v, p, s, p2, err)
		}
	})
}

func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{
		`"burst";r=0;t=12`, `burst;r=5`, `"a";r=1;t=0;pk=:AQID:, "b";t=3;r=2`, `"a";r=1;pk=::`,
		`"a";r=1,"a";r=2`, `"a";r=-1`, `"a";r=1;t=1.0`, `"a"  ;r=1`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		l, err := ParseLimit(v)
		if err != nil {
			return
		}
		s := FormatLimit(l...)
		l2, err := ParseLimit(s)
		if err != nil || !reflect.DeepEqual(l, l2) {
			t.Fatalf("ParseLimit(%q) = %+v, formatted %q, parsed back %+v, %v", v, l, s, l2, err)
		}
		if err := Agree(0, l); err != nil && !hasExhausted(l) {
			t.Fatalf("Agree(0, %+v) = %v without an exhausted limit", l, err)
		}
	})
}

func hasExhausted(l []Limit) bool {
	for _, x := range l {
		if x.Remaining == 0 && x.Reset > 0 {
			return true
		}
	}
	return false
}

func TestHTTPDateMatchesNetHTTP(t *testing.T) {
	for _, s := range []string{
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Tue, 29 Feb 2000 23:59:59 GMT", "Sat, 01 Jan 0000 00:00:00 GMT",
	} {
		mine, err := parseHTTPDate(s, 0, testNow)
		if err != nil {
			t.Fatalf("parseHTTPDate(%q): %v", s, err)
		}
		std, err := http.ParseTime(s)
		if err != nil || !std.Equal(mine) {
			t.Errorf("%q: mine %v, net/http %v, %v", s, mine, std, err)
		}
	}
}
