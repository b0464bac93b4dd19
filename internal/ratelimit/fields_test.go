package ratelimit

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Policy
	}{
		{"draft example", `"burst";q=100;w=60`, []Policy{{Name: "burst", Quota: 100, Window: time.Minute}}},
		{"token name", `burst;q=100;w=60`, []Policy{{Name: "burst", Quota: 100, Window: time.Minute}}},
		{"two policies", `"burst";q=100;w=60,"daily";q=1000;w=86400`, []Policy{
			{Name: "burst", Quota: 100, Window: time.Minute},
			{Name: "daily", Quota: 1000, Window: 24 * time.Hour}}},
		{"OWS around comma", "\"a\";q=1 \t,\t \"b\";q=2", []Policy{{Name: "a", Quota: 1}, {Name: "b", Quota: 2}}},
		{"leading and trailing SP", `  "a";q=1  `, []Policy{{Name: "a", Quota: 1}}},
		{"SP after semicolon", `"a"; q=1;  w=2`, []Policy{{Name: "a", Quota: 1, Window: 2 * time.Second}}},
		{"all parameters", `"p";q=5;qu="content-bytes";w=10;pk=:cHJvamVjdC0x:`, []Policy{
			{Name: "p", Quota: 5, QuotaUnit: "content-bytes", Window: 10 * time.Second, PartitionKey: "project-1"}}},
		{"pk without padding", `"p";q=1;pk=:YQ:`, []Policy{{Name: "p", Quota: 1, PartitionKey: "a"}}},
		{"unpadded bytes, colon in token and string", `"a:b";q=1;x=:YQ:;y=:YWI:;t=*t:/;pk=:YWJj:, c:d;q=2`, []Policy{
			{Name: "a:b", Quota: 1, PartitionKey: "abc"}, {Name: "c:d", Quota: 2}}},
		{"empty pk", `"p";q=1;pk=::`, []Policy{{Name: "p", Quota: 1}}},
		{"zero quota and window", `"p";q=0;w=0`, []Policy{{Name: "p"}}},
		{"largest integer", `"p";q=999999999999999`, []Policy{{Name: "p", Quota: 999999999999999}}},
		{"largest window", `"p";q=1;w=9223372036`, []Policy{{Name: "p", Quota: 1, Window: 9223372036 * time.Second}}},
		{"leading zeros", `"p";q=007`, []Policy{{Name: "p", Quota: 7}}},
		{"escaped string", `"a\"b\\c";q=1`, []Policy{{Name: `a"b\c`, Quota: 1}}},
		{"empty name", `"";q=1`, []Policy{{Name: "", Quota: 1}}},
		{"token with colon and slash", `*ns:a/b!#$%&'*+-.^_|~;q=1`, []Policy{{Name: "*ns:a/b!#$%&'*+-.^_|~", Quota: 1}}},
		{"duplicate parameter last wins", `"p";q=1;q=2`, []Policy{{Name: "p", Quota: 2}}},
		{"unknown parameters ignored", `"p";q=1;acme-burst=5;x;y=?0;z=1.5;d=@1700000000;s=%"f%c3%bc";t=tok;b=:AA==:;*k="s"`, []Policy{{Name: "p", Quota: 1}}},
		{"unknown negative decimal", `"p";q=1;x=-123456789012.123`, []Policy{{Name: "p", Quota: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicy(tt.in)
			if err != nil {
				t.Fatalf("ParsePolicy(%q) error: %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParsePolicy(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// invalidLists are rejected by both ParsePolicy and ParseLimit at the Structured
// Field level, with an error containing want at offset off (-1: a member's meaning,
// not one byte, is wrong).
var invalidLists = []struct {
	in   string
	want string
	off  int
}{
	{"", "empty", 0},
	{"   ", "empty", 3},
	{`"a";q=1,`, "a member after each ','", 8},
	{`"a";q=1, `, "a member after each ','", 9},
	{`,"a";q=1`, "expected an item", 0},
	{`"a";q=1,,"b";q=1`, "expected an item", 8},
	{`"a";q=1 "b";q=1`, "expected ','", 8},
	{`"a" ;q=1`, "expected ','", 4},
	{"\t\"a\";q=1", "expected an item", 0},
	{`"a";q=1;`, "parameter key", 8},
	{`"a";Q=1`, "parameter key", 4},
	{`"a";1=1`, "parameter key", 4},
	{`"a";q =1`, "expected ','", 6},
	{`"a";q= 1`, "expected an item", 6},
	{`"a";q=`, "got end of input", 6},
	{`"a`, "unterminated", 2},
	{`"a\n";q=1`, "escape", 3},
	{`"a\`, "escape", 3},
	{"\"a\tb\";q=1", "not printable ASCII", 3},
	{"\"é\";q=1", "not printable ASCII", 2},
	{`(a b);q=1`, "list member 1 is an inner list", -1},
	{`"a";q=1,(b)`, "list member 2 is an inner list", -1},
	{`"a";q=-`, "got end of input", 7},
	{`"a";q=-x`, "expected a digit", 7},
	{`"a";q=1234567890123456`, "at most 15 digits", 22},
	{`"a";q=1;x=1234567890123.1`, "12 before the point", 23},
	{`"a";q=1;x=1.1234`, "3 after", 16},
	{`"a";q=1;x=1.`, "1 to 3 digits must follow the point", 12},
	{`"a";q=1;x=1.2.3`, "expected ','", 13},
	{`"a";q=1;x=?2`, "expected ?0 or ?1", 11},
	{`"a";q=1;x=?`, "expected ?0 or ?1", 11},
	{`"a";q=1;x=:AB*:`, "not base64", 13},
	{`"a";q=1;x=:AB`, "unterminated", 13},
	{`"a";q=1;x=:A:`, "not base64", 12}, // the closing colon, padding aside
	{`"a";q=1;x=:A=B=:`, "not base64", 15},
	{`"a";q=1;x=:YQ:;y=?2`, "expected ?0 or ?1", 18}, // offset on the value as given, not the padded one
	{`"a";q=1;x=@1.5`, "invalid date", 14},
	{`"a";q=1;x=@`, "invalid date", 11},
	{`"a";q=1;x=%"%C3%BC"`, "lowercase %-escapes", 13},
	{`"a";q=1;x=%"%ff"`, "valid UTF-8", -1},
	{`"a";q=1;x=%"ab`, "invalid display string", 14},
	{`"a";q=1;x=%a`, "invalid display string", 10},
	{`"a";q=1;x=#`, "expected an item", 10},
	{`"a";q=1;x=1e5`, "expected ','", 11},
	{`a=1`, "expected ','", 1},
}

func TestParseInvalidLists(t *testing.T) {
	for _, tt := range invalidLists {
		for name, parse := range map[string]func(string) error{
			"RateLimit-Policy": func(s string) error { _, err := ParsePolicy(s); return err },
			"RateLimit":        func(s string) error { _, err := ParseLimit(strings.ReplaceAll(s, "q=", "r=")); return err },
		} {
			err := parse(tt.in)
			var se *SyntaxError
			switch {
			case !errors.As(err, &se):
				t.Errorf("%s %q: error %v, want a *SyntaxError", name, tt.in, err)
			case se.Field != name || se.Offset != tt.off || !strings.Contains(se.Msg, tt.want):
				t.Errorf("%s %q: error %q (field %s, offset %d), want %q at offset %d", name, tt.in, err, se.Field, se.Offset, tt.want, tt.off)
			}
		}
	}
}

func TestParsePolicyInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"a"`, `lacks required parameter "q"`},
		{`"a";w=60`, `lacks required parameter "q"`},
		{`"a";q`, `"q" must be an integer, got boolean`},
		{`"a";q=1.0`, `"q" must be an integer, got decimal`},
		{`"a";q="1"`, `"q" must be an integer, got string`},
		{`"a";q=-1`, `"q" must not be negative`},
		{`"a";q=1;w=-1`, `"w" must not be negative`},
		{`"a";q=1;w=1.5`, `"w" must be an integer`},
		{`"a";q=1;w=9223372037`, `"w" overflows`},
		{`"a";q=1;qu=requests`, `"qu" must be a string, got token`},
		{`"a";q=1;pk="x"`, `"pk" must be a byte sequence, got string`},
		{`1;q=1`, "must be a string or token naming the policy, got integer"},
		{`?1;q=1`, "got boolean"},
		{`:YQ==:;q=1`, "got byte sequence"},
		{`"a";q=1,"b";q=2,"a";q=3`, `policy "a" appears more than once`},
		{`"a";q=1,a;q=3`, `policy "a" appears more than once`},
	}
	for _, tt := range tests {
		_, err := ParsePolicy(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParsePolicy(%q) error %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestParseLimit(t *testing.T) {
	tests := []struct {
		in   string
		want []Limit
	}{
		{`"burst";r=0;t=12`, []Limit{{Name: "burst", Remaining: 0, Reset: 12 * time.Second}}},
		{`burst;r=5`, []Limit{{Name: "burst", Remaining: 5, Reset: NoReset}}},
		{`"a";r=1;t=0;pk=:AQID:, "b";t=3;r=2`, []Limit{
			{Name: "a", Remaining: 1, Reset: 0, PartitionKey: "\x01\x02\x03"},
			{Name: "b", Remaining: 2, Reset: 3 * time.Second}}},
		{`"a";r=1;w=60;foo="bar"`, []Limit{{Name: "a", Remaining: 1, Reset: NoReset}}},
	}
	for _, tt := range tests {
		got, err := ParseLimit(tt.in)
		if err != nil {
			t.Errorf("ParseLimit(%q) error: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseLimit(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseLimitInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"a"`, `lacks required parameter "r"`},
		{`"a";t=1`, `lacks required parameter "r"`},
		{`"a";r=-1`, `"r" must not be negative`},
		{`"a";r=1;t=-1`, `"t" must not be negative`},
		{`"a";r=1;t`, `"t" must be an integer, got boolean`},
		{`"a";r=1;t=1.0`, `"t" must be an integer, got decimal`},
		{`"a";r=1;t=999999999999999`, `"t" overflows`},
		{`"a";r=1;pk=abc`, `"pk" must be a byte sequence, got token`},
		{`"a";r=1,"a";r=2`, "appears more than once"},
		{`1.5;r=1`, "got decimal"},
	}
	for _, tt := range tests {
		_, err := ParseLimit(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLimit(%q) error %v, want one containing %q", tt.in, err, tt.want)
		}
	}
}

func TestFormatPolicy(t *testing.T) {
	tests := []struct {
		in   []Policy
		want string
	}{
		{nil, ""},
		{[]Policy{{Name: "burst", Quota: 100, Window: time.Minute}}, `"burst";q=100;w=60`},
		{[]Policy{{Name: "a", Quota: 0}, {Name: "b", Quota: 7, Window: 1500 * time.Millisecond, QuotaUnit: "requests", PartitionKey: "k"}},
			`"a";q=0, "b";q=7;w=2;qu="requests";pk=:aw==:`},
		{[]Policy{{Name: "a\"\\\x00é", Quota: -5, Window: -time.Second}}, `"a\"\\???";q=0`},
		{[]Policy{{Name: "x", Quota: 1 << 62}}, `"x";q=999999999999999`},
		{[]Policy{{Name: "x", Quota: 1, Window: time.Duration(1<<63 - 1)}}, `"x";q=1;w=9223372036`},
	}
	for _, tt := range tests {
		got := FormatPolicy(tt.in...)
		if got != tt.want {
			t.Errorf("FormatPolicy(%+v) = %q, want %q", tt.in, got, tt.want)
		}
		if len(tt.in) > 0 {
			if _, err := ParsePolicy(got); err != nil {
				t.Errorf("ParsePolicy(FormatPolicy(%+v)) error: %v", tt.in, err)
			}
		}
	}
}

func TestFormatLimit(t *testing.T) {
	tests := []struct {
		in   []Limit
		want string
	}{
		{[]Limit{{Name: "burst", Remaining: 0, Reset: 12 * time.Second}}, `"burst";r=0;t=12`},
		{[]Limit{{Name: "a", Remaining: 3, Reset: NoReset}, {Name: "b", Remaining: -1, Reset: 1}}, `"a";r=3, "b";r=0;t=1`},
		{[]Limit{{Name: "a", Remaining: 1, Reset: 0, PartitionKey: "\xff\xfe"}}, `"a";r=1;t=0;pk=://4=:`},
	}
	for _, tt := range tests {
		got := FormatLimit(tt.in...)
		if got != tt.want {
			t.Errorf("FormatLimit(%+v) = %q, want %q", tt.in, got, tt.want)
		}
		if _, err := ParseLimit(got); err != nil {
			t.Errorf("ParseLimit(FormatLimit(%+v)) error: %v", tt.in, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	policies := []Policy{
		{Name: "burst", Quota: 100, Window: time.Minute},
		{Name: `we"ird\ name`, Quota: 999999999999999, Window: 9223372036 * time.Second, QuotaUnit: "content-bytes", PartitionKey: "\x00\xffbin"},
		{Name: "", Quota: 0},
	}
	gotP, err := ParsePolicy(FormatPolicy(policies...))
	if err != nil || !reflect.DeepEqual(gotP, policies) {
		t.Errorf("policy round trip = %+v, %v; want %+v", gotP, err, policies)
	}
	limits := []Limit{
		{Name: "burst", Remaining: 0, Reset: 12 * time.Second},
		{Name: "daily", Remaining: 999, Reset: NoReset, PartitionKey: "user-1"},
		{Name: "x", Remaining: 1, Reset: 0},
	}
	gotL, err := ParseLimit(FormatLimit(limits...))
	if err != nil || !reflect.DeepEqual(gotL, limits) {
		t.Errorf("limit round trip = %+v, %v; want %+v", gotL, err, limits)
	}
}

func TestAgree(t *testing.T) {
	limits := []Limit{
		{Name: "burst", Remaining: 0, Reset: 12 * time.Second},
		{Name: "daily", Remaining: 10, Reset: time.Hour}, // quota left: no constraint
		{Name: "other", Remaining: 0, Reset: NoReset},    // no t: no constraint
	}
	tests := []struct {
		ra      time.Duration
		limits  []Limit
		wantErr string
	}{
		{12 * time.Second, limits, ""},
		{13 * time.Second, limits, ""},
		{11*time.Second + 1, limits, ""}, // rounds up to 12
		{11 * time.Second, limits, `points earlier than t=12 of exhausted policy "burst"`},
		{0, limits, "Retry-After of 0s"},
		{-time.Second, limits, "Retry-After of 0s"},
		{0, nil, ""},
		{0, []Limit{{Name: "z", Remaining: 0, Reset: 0}}, ""},
	}
	for _, tt := range tests {
		err := Agree(tt.ra, tt.limits)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Agree(%v) error: %v", tt.ra, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Agree(%v) error %v, want one containing %q", tt.ra, err, tt.wantErr)
		}
	}
}

// TestLargeValues guards against quadratic work on hostile values: many members and
// many parameters must parse in linear time, with duplicates still caught.
func TestLargeValues(t *testing.T) {
	const n = 50_000
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "p%d;q=%d", i, i)
	}
	start := time.Now()
	p, err := ParsePolicy(b.String())
	if err != nil || len(p) != n || p[n-1].Quota != n-1 {
		t.Fatalf("ParsePolicy of %d members: %d parsed, %v", n, len(p), err)
	}
	if _, err := ParsePolicy(b.String() + ", p7;q=1"); err == nil || !strings.Contains(err.Error(), `"p7" appears more than once`) {
		t.Errorf("duplicate among %d members: %v", n, err)
	}

	b.Reset()
	b.WriteString(`"a";r=1`)
	for i := range n {
		fmt.Fprintf(&b, ";x%d", i)
	}
	b.WriteString(";r=2;t=5;x3=7")
	l, err := ParseLimit(b.String())
	if err != nil || len(l) != 1 || l[0].Remaining != 2 || l[0].Reset != 5*time.Second {
		t.Fatalf("ParseLimit with %d parameters = %+v, %v", n, l, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("large values took %v", d)
	}
}
