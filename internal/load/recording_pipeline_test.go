package load

import (
	"bytes"
	"net/http"
	"reflect"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"loginharness/internal/bench"
	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// memoResults is a run's worth of results in the order a validator may see
// them: repeats, a body that changes and changes back, secrets planted in
// bodies, URLs and errors, transport errors, an unparsable URL.
func memoResults() []*vegeta.Result {
	const base = "http://127.0.0.1:1/v1/telephony/config/redSky/actions/login/invoke?orgId=o"
	ok := []byte(`{"accountMatch":true,"externalTenantEnabled":false,"companyId":"c1"}`)
	secret := []byte(`{"message":"bad","password":"pw-planted-1","echo":"tok-planted-2"}`)
	h := func() http.Header {
		return http.Header{"Content-Type": {"application/json"}, "Trackingid": {"T1"}, "Set-Cookie": {"s=tok-planted-2"}}
	}
	return []*vegeta.Result{
		{Code: 200, Method: "POST", URL: base, Body: ok, Headers: h()},
		{Code: 200, Method: "POST", URL: base, Body: bytes.Clone(ok), Headers: h()},
		{Code: 400, Method: "POST", URL: base, Body: secret, Headers: h()},
		{Code: 200, Method: "POST", URL: base, Body: bytes.Clone(ok), Headers: h()},
		{Code: 0, Method: "POST", URL: base, Error: "Post: refused tok-planted-2"},
		{Code: 0, Method: "POST", URL: base, Error: "Post: refused tok-planted-2"},
		{Code: 200, Method: "POST", URL: base + "&token=tok-planted-2#harness-request=3.retry", Body: bytes.Clone(ok), Headers: h()},
		{Code: 200, Method: "POST", URL: base + "&token=tok-planted-2#harness-request=3.retry", Body: bytes.Clone(secret), Headers: h()},
		{Code: 200, Method: "POST", URL: "http://[::1", Body: bytes.Clone(ok), Headers: h()},
		{Code: 200, Method: "POST", URL: base, Body: nil, Headers: h()},
		{Code: 200, Method: "POST", URL: base, Body: []byte{}, Headers: h()},
	}
}

func cloneResult(r *vegeta.Result) *vegeta.Result {
	c := *r
	c.Body, c.Headers = bytes.Clone(r.Body), r.Headers.Clone()
	return &c
}

// redactEach is redaction as it was before the memo: every part of every
// result through contract's functions.
func redactEach(res *vegeta.Result, secrets []string) {
	res.Body = contract.RedactJSON(res.Body)
	if len(secrets) > 0 {
		res.Body = []byte(contract.Redact(string(res.Body), secrets...))
		res.Error = contract.Redact(res.Error, secrets...)
		res.URL = contract.Redact(res.URL, secrets...)
	}
	res.Headers = contract.RedactHeader(res.Headers)
}

// TestMemoRedactsAsRedactDoes: one validator's memo, fed result after
// result, leaves each exactly as redacting each part of it would.
func TestMemoRedactsAsRedactDoes(t *testing.T) {
	secrets := []string{"tok-planted-2", "pw-planted-1"}
	for _, secrets := range [][]string{secrets, nil} {
		m := memo{secrets: secrets}
		for i, res := range memoResults() {
			want := cloneResult(res)
			redactEach(want, secrets)
			m.redact(res)
			if !bytes.Equal(res.Body, want.Body) || res.URL != want.URL || res.Error != want.Error || !reflect.DeepEqual(res.Headers, want.Headers) {
				t.Errorf("secrets %v, result %d: memo gave %q %q %q %v\nredact gave %q %q %q %v", secrets, i,
					res.Body, res.URL, res.Error, res.Headers, want.Body, want.URL, want.Error, want.Headers)
			}
		}
	}
}

// TestMemoChecksAsAFreshParseDoes: the tallies of one memo over the run
// are those of a fresh memo per result.
func TestMemoChecksAsAFreshParseDoes(t *testing.T) {
	r := NewRunner(testkit.Contract(t))
	shared, fresh := &checkCounts{byCheck: map[string]int{}}, &checkCounts{byCheck: map[string]int{}}
	m := memo{}
	for _, res := range memoResults() {
		r.check(res, shared, &m)
		r.check(cloneResult(res), fresh, &memo{})
	}
	if shared.validated != fresh.validated || !reflect.DeepEqual(shared.byCheck, fresh.byCheck) {
		t.Errorf("memo: %d validated %v; fresh: %d validated %v", shared.validated, shared.byCheck, fresh.validated, fresh.byCheck)
	}
	if fresh.validated != 8 || len(fresh.byCheck) == 0 {
		t.Errorf("fresh: %d validated %v; want 8 (not the transport errors nor the unparsable URL) and findings on the 400", fresh.validated, fresh.byCheck)
	}
}

// BenchmarkRecordingPerResult feeds copies of one real answer of the bare
// login through a recording (validator goroutines, redaction, the Vegeta
// file) and reports the process CPU time per result, the load path's cost
// beside what plain Vegeta does with a result.
func BenchmarkRecordingPerResult(b *testing.B) {
	tgt, stop := bareLogin(b)
	defer stop()
	r := NewRunner(testkit.Contract(b), WithOutDir(b.TempDir()))
	s := &session{Runner: r, endpoint: tgt, scenario: Scenario{Name: "bench"}, sum: r.newSummary(Scenario{Name: "bench"}, tgt.Info, tgt.Limit), transport: tgt.newTransport()}
	defer s.transport.CloseIdleConnections()
	var answer *vegeta.Result
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: s.transport}))
	for res := range atk.Attack(s.static(), vegeta.ConstantPacer{Freq: 1, Per: time.Second}, time.Millisecond, "one") {
		answer = res
	}
	if answer == nil || answer.Code != http.StatusOK {
		b.Fatalf("the bare login answered %+v", answer)
	}
	const n = 10000
	var cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batch := make([]*vegeta.Result, n)
		for i := range batch {
			batch[i] = cloneResult(answer)
		}
		rec, err := s.newRecording(s.fileName(""), tgt.Info.URL, tgt.secrets)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, _ := bench.ProcessCPU()
		for _, res := range batch {
			rec.pending <- res
		}
		if _, _, err := rec.close(); err != nil {
			b.Fatal(err)
		}
		end, _ := bench.ProcessCPU()
		cpu += end - start
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*n), "cpu-ns/result")
}
