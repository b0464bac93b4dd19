package bench

import (
	"strings"
	"testing"
	"time"
)

// wrkOutput is real output of Debian's wrk 4.1.0 with --latency.
const wrkOutput = `Running 1s test @ http://127.0.0.1:33483/v1/telephony/config/redSky/actions/login/invoke
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   604.10us    0.98ms  10.25ms   89.00%
    Req/Sec    26.66k     6.98k   44.39k    76.19%
  Latency Distribution
     50%  231.00us
     75%  538.00us
     90%    1.76ms
     99%    4.57ms
  55679 requests in 1.10s, 12.69MB read
Requests/sec:  50622.10
Transfer/sec:     11.54MB
`

// wrkErrors has the optional lines wrk prints when things go wrong.
const wrkErrors = `Running 3s test @ http://127.0.0.1:8080/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.52ms    1.01ms  20.16ms   85.32%
    Req/Sec    21.30k     2.01k   25.11k    70.00%
  Latency Distribution
     50%    1.28ms
     75%    1.83ms
     90%    2.57ms
     99%    1.02s
  127210 requests in 1.00m, 24.75MB read
  Socket errors: connect 1, read 2, write 0, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:  42360.88
Transfer/sec:      8.24MB
`

func TestParseWrk(t *testing.T) {
	r, err := ParseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := WrkResult{Requests: 55679, Duration: 1100 * time.Millisecond, RequestsPerSec: 50622.10, P50: 231 * time.Microsecond, P99: 4570 * time.Microsecond}
	if r != want {
		t.Errorf("ParseWrk = %+v, want %+v", r, want)
	}
}

func TestParseWrkErrorsAndLongUnits(t *testing.T) {
	r, err := ParseWrk(wrkErrors)
	if err != nil {
		t.Fatal(err)
	}
	if r.Non2xx != 5 || r.SocketErrors != 7 || r.Duration != time.Minute || r.P99 != 1020*time.Millisecond || r.Requests != 127210 {
		t.Errorf("ParseWrk = %+v", r)
	}
}

func TestParseWrkFailures(t *testing.T) {
	noDist := strings.Replace(wrkOutput, "  Latency Distribution\n", "", 1)
	for _, tc := range []struct {
		name, out, wantErr string
	}{
		{"empty", "", "lacks"},
		{"usage text of a wrong binary", "Usage: wrk <options> <url>\n", `"Requests/sec:"`},
		{"no --latency", noDist, "--latency"},
		{"no rate", strings.Replace(wrkOutput, "Requests/sec:  50622.10\n", "", 1), `"Requests/sec:"`},
		{"bad rate", strings.Replace(wrkOutput, "50622.10", "fast", 1), "Requests/sec"},
		{"bad unit", strings.Replace(wrkOutput, "4.57ms", "4.57parsecs", 1), "99%"},
		{"bad count", strings.Replace(wrkOutput, "55679 requests", "many requests", 1), "request count"},
		{"bad run time", strings.Replace(wrkOutput, "in 1.10s", "in soon", 1), "run time"},
		{"bad socket errors", strings.Replace(wrkErrors, "connect 1", "connect one", 1), "socket errors"},
		{"bad non-2xx", strings.Replace(wrkErrors, "responses: 5", "responses: five", 1), "non-2xx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseWrk(tc.out)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseWrk error = %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseWrkDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"812.00us": 812 * time.Microsecond, "1.52ms": 1520 * time.Microsecond, "3.00s": 3 * time.Second,
		"1.50m": 90 * time.Second, "2.00h": 2 * time.Hour, "0us": 0,
	} {
		if got, err := ParseWrkDuration(in); err != nil || got != want {
			t.Errorf("ParseWrkDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ms", "1.5", "-1ms", "1.5 ms", "1.5d", "NaNs", "Infms", "+Infs"} {
		if got, err := ParseWrkDuration(in); err == nil {
			t.Errorf("ParseWrkDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestLuaQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":              `"plain"`,
		`{"a":"b\c"}`:        `"{\"a\":\"b\\c\"}"`,
		"line\nbreak":        `"line\010break"`,
		"\x001":              `"\0001"`, // three digits, so the 1 stays a 1
		"caf\xc3\xa9":        `"caf\195\169"`,
		"Bearer demo-token ": `"Bearer demo-token "`,
	} {
		if got := LuaQuote(in); got != want {
			t.Errorf("LuaQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestWrkScript(t *testing.T) {
	got := WrkScript("POST", map[string]string{"Content-Type": "application/json", "Authorization": "Bearer x"}, `{"a":1}`)
	want := `wrk.method = "POST"
wrk.body = "{\"a\":1}"
wrk.headers["Authorization"] = "Bearer x"
wrk.headers["Content-Type"] = "application/json"
`
	if got != want {
		t.Errorf("WrkScript =\n%s\nwant\n%s", got, want)
	}
}
