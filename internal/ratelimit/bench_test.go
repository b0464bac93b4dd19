package ratelimit

import (
	"testing"
	"time"
)

var sink string

func BenchmarkFormatRetryAfter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink = FormatRetryAfter(12*time.Second + 300*time.Millisecond)
	}
}

func BenchmarkFormatPolicy(b *testing.B) {
	p := []Policy{{Name: "burst", Quota: 100, Window: time.Minute}, {Name: "daily", Quota: 1000, Window: 24 * time.Hour}}
	b.ReportAllocs()
	for b.Loop() {
		sink = FormatPolicy(p...)
	}
}

func BenchmarkFormatLimit(b *testing.B) {
	l := []Limit{{Name: "burst", Remaining: 0, Reset: 12 * time.Second}, {Name: "daily", Remaining: 917, Reset: 80000 * time.Second}}
	b.ReportAllocs()
	for b.Loop() {
		sink = FormatLimit(l...)
	}
}

func BenchmarkParsePolicy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePolicy(`"burst";q=100;w=60, "daily";q=1000;w=86400`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRetryAfterDate(b *testing.B) {
	now := testNow
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRetryAfter("Wed, 25 Nov 2026 06:01:00 GMT", now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRetryAfterNewDate reads a date other than the last each time, as
// when the second changes: the cost of reading, not of remembering.
func BenchmarkParseRetryAfterNewDate(b *testing.B) {
	dates := [2]string{"Wed, 25 Nov 2026 06:01:00 GMT", "Wed, 25 Nov 2026 06:01:01 GMT"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i ^= 1
		if _, err := ParseRetryAfter(dates[i], testNow); err != nil {
			b.Fatal(err)
		}
	}
}
