package advisory

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"loginharness/internal/results"
)

const password = "Sacrificial-Pass-42"

func webexRefusal(trackingID, message string) Exchange {
	return Exchange{
		Status: http.StatusBadRequest,
		Header: http.Header{"Content-Type": {"application/json"}, "Trackingid": {trackingID}, "Date": {time.Now().Format(http.TimeFormat)}},
		Body:   []byte(`{"message":"` + message + `","errors":[{"description":"` + message + `","errorCode":7}],"trackingId":"` + trackingID + `"}`),
		Sent:   []Secret{{"password", password}},
	}
}

func TestEnumerationByAnswerSetsTrackingIDsAndTimesAside(t *testing.T) {
	a := EnumerationByAnswer(webexRefusal("MOCK_a_9", "wrong"), webexRefusal("MOCK_a_10", "wrong"))
	if a.State != results.AdvisoryPassed || a.Name != NameEnumerationByAnswer || a.Title == "" {
		t.Fatalf("same answers but their tracking ids: %+v", a)
	}
	existing, unknown := webexRefusal("T1", "wrong"), webexRefusal("T2", "wrong")
	existing.Body = []byte(`{"message":"wrong","at":"2026-01-02T03:04:05Z","timestamp":1}`)
	unknown.Body = []byte(`{"message":"wrong","at":"2027-01-02T03:04:05.123+01:00","timestamp":2}`)
	if a := EnumerationByAnswer(existing, unknown); a.State != results.AdvisoryPassed {
		t.Errorf("bodies differing only in times raised: %+v", a)
	}
	// Each echoes the password it was sent: nothing-echoed's to judge.
	existing, unknown = webexRefusal("T1", "wrong: "+password), webexRefusal("T2", "wrong: other-pass-1")
	unknown.Sent = []Secret{{"password", "other-pass-1"}}
	if a := EnumerationByAnswer(existing, unknown); a.State != results.AdvisoryPassed {
		t.Errorf("bodies differing only in the password each echoes raised: %+v", a)
	}
}

func TestEnumerationByAnswerNamesEachDifference(t *testing.T) {
	tests := []struct {
		name string
		edit func(unknown *Exchange)
		want string
	}{
		{"status", func(u *Exchange) { u.Status = http.StatusNotFound }, "status: 400 for a wrong password of an existing account, 404"},
		{"message", func(u *Exchange) {
			*u = webexRefusal("T2", "no such account "+password)
		}, "body at /errors/0/description"},
		{"header only on one", func(u *Exchange) { u.Header.Set("X-Account-State", "unknown") }, "header X-Account-State: only the unknown-account answer has it"},
		{"header value", func(u *Exchange) { u.Header.Set("Content-Type", "text/plain") }, `header Content-Type: "application/json" for the existing account, "text/plain"`},
		{"text body", func(u *Exchange) { u.Body = []byte("nope") }, `for the existing account, "nope" for the unknown one`},
		{"a member one lacks", func(u *Exchange) {
			u.Body = []byte(`{"message":"wrong","errors":[{"description":"wrong","errorCode":7}]}`)
		}, "body at /trackingId: \"<per-request>\" for the existing account, absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unknown := webexRefusal("T2", "wrong")
			tt.edit(&unknown)
			a := EnumerationByAnswer(webexRefusal("T1", "wrong"), unknown)
			joined := strings.Join(a.Evidence, "\n")
			if a.State != results.AdvisoryRaised || !strings.Contains(joined, tt.want) {
				t.Errorf("state %s, evidence:\n%s\nwant it to say %q", a.State, joined, tt.want)
			}
			if strings.Contains(joined+a.Message, password) {
				t.Errorf("evidence carries the password:\n%s", joined)
			}
		})
	}
}

func TestMannWhitneyMatchesTheTextbook(t *testing.T) {
	// scipy.stats.mannwhitneyu([1,2,3],[4,5,6], method="asymptotic"): U=0, p=0.0808556
	u, p := MannWhitney([]float64{1, 2, 3}, []float64{4, 5, 6})
	if u != 0 || math.Abs(p-0.0808556) > 1e-6 {
		t.Errorf("U=%v p=%v, want 0 and 0.0808556", u, p)
	}
	// With ties, by hand: ranks of x 1, 3, 3, 5.5, so U=12.5-10=2.5; tie
	// term 3³-3 + 2³-2 = 30; variance 16/12·(9-30/56) = 11.2857; z =
	// (|2.5-8|-0.5)/3.3594 = 1.4884; p = erfc(z/√2) = 0.13666.
	u, p = MannWhitney([]float64{1, 2, 2, 3}, []float64{2, 3, 4, 5})
	if u != 2.5 || math.Abs(p-0.13666) > 1e-4 {
		t.Errorf("with ties U=%v p=%v, want 2.5 and 0.13666", u, p)
	}
	if _, p := MannWhitney([]float64{1, 1}, []float64{1, 1}); p != 1 {
		t.Errorf("all equal: p=%v, want 1", p)
	}
}

func durations(rnd *rand.Rand, n int, base, noise time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = base + time.Duration(rnd.Float64()*float64(noise))
	}
	return out
}

func TestEnumerationByTiming(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	fast := durations(rnd, 20, 300*time.Microsecond, 400*time.Microsecond)
	slow := durations(rnd, 20, 30*time.Millisecond, 2*time.Millisecond)
	a := EnumerationByTiming(slow, fast, DefaultTiming)
	if a.State != results.AdvisoryRaised || a.Timing == nil || a.Timing.CliffsDelta != 1 || a.Timing.P >= 0.001 || len(a.Timing.ExistingMS) != 20 {
		t.Fatalf("a 30 ms leak: %+v %+v", a, a.Timing)
	}
	if !strings.Contains(a.Message, "existing accounts take") {
		t.Errorf("message does not say which side is slower: %s", a.Message)
	}
	same := EnumerationByTiming(durations(rnd, 20, time.Millisecond, time.Millisecond), durations(rnd, 20, time.Millisecond, time.Millisecond), DefaultTiming)
	if same.State != results.AdvisoryPassed {
		t.Errorf("one distribution raised: %+v %+v", same, same.Timing)
	}
	// Significant and large, but 50 µs: no network shows it.
	tiny := EnumerationByTiming(durations(rnd, 20, 350*time.Microsecond, 10*time.Microsecond), durations(rnd, 20, 300*time.Microsecond, 10*time.Microsecond), DefaultTiming)
	if tiny.State != results.AdvisoryPassed || tiny.Timing.P >= 0.01 {
		t.Errorf("a 50 µs difference: %+v %+v", tiny, tiny.Timing)
	}
	few := EnumerationByTiming(slow[:3], fast, DefaultTiming)
	if few.State != results.AdvisoryNotJudged || !strings.Contains(few.Message, "at least 8") {
		t.Errorf("3 samples: %+v", few)
	}
}

func commvaultSession(cacheControl ...string) Exchange {
	h := http.Header{"Content-Type": {"application/json"}}
	for _, v := range cacheControl {
		h.Add("Cache-Control", v)
	}
	return Exchange{Status: http.StatusOK, Header: h, Body: []byte(`{"data":{"authToken":"QSDK 0123"}}`)}
}

func TestCredentialsNotStored(t *testing.T) {
	refusal := Exchange{Status: http.StatusOK, Header: http.Header{}, Body: []byte(`{"errList":[{"errLogMessage":"no","errorCode":1}]}`)}
	tests := []struct {
		name    string
		answers []Exchange
		want    results.AdvisoryState
	}{
		{"no-store", []Exchange{refusal, commvaultSession("no-store")}, results.AdvisoryPassed},
		{"no-store among others, any case", []Exchange{commvaultSession("private", "No-Store, max-age=0")}, results.AdvisoryPassed},
		{"no header", []Exchange{commvaultSession()}, results.AdvisoryRaised},
		{"no-cache is not no-store", []Exchange{commvaultSession("no-cache, private")}, results.AdvisoryRaised},
		{"customer-managed token", []Exchange{{Status: http.StatusOK, Header: http.Header{}, Body: []byte(`{"token":"QSDK 1","userName":"u"}`)}}, results.AdvisoryRaised},
		{"no token seen", []Exchange{refusal}, results.AdvisoryNotJudged},
	}
	for _, tt := range tests {
		if a := CredentialsNotStored(tt.answers); a.State != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, a.State, a.Message, tt.want)
		}
	}
}

func TestNothingEchoed(t *testing.T) {
	clean := webexRefusal("T1", "wrong")
	if a := NothingEchoed([]Exchange{clean}); a.State != results.AdvisoryPassed {
		t.Errorf("clean: %+v", a)
	}
	inBody := webexRefusal("T1", "wrong password "+password)
	inHeader := webexRefusal("T2", "wrong")
	inHeader.Header.Set("X-Debug", "pw="+"U2FjcmlmaWNpYWwtUGFzcy00Mg==") // Base64 of the password
	token := Exchange{Status: 401, Header: http.Header{}, Body: []byte(`{"message":"token secret-token-123 is bad"}`), Sent: []Secret{{"token", "secret-token-123"}}}
	a := NothingEchoed([]Exchange{clean, inBody, inHeader, token})
	joined := strings.Join(a.Evidence, "\n")
	if a.State != results.AdvisoryRaised || len(a.Evidence) != 3 {
		t.Fatalf("want 3 echoes: %s\n%s", a.Message, joined)
	}
	for _, want := range []string{"answer 2 (400): the password it was sent is in the body", "answer 3 (400): the password it was sent is in the X-Debug header", "answer 4 (401): the token"} {
		if !strings.Contains(joined, want) {
			t.Errorf("evidence does not say %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, password) || strings.Contains(joined, "secret-token-123") {
		t.Errorf("evidence carries a secret:\n%s", joined)
	}
	many := make([]Exchange, 10)
	for i := range many {
		many[i] = inBody
	}
	if a := NothingEchoed(many); len(a.Evidence) != maxEvidence+1 || a.Evidence[maxEvidence] != "... and 4 more" || !strings.HasPrefix(a.Message, "10 answer(s)") {
		t.Errorf("10 echoes: %s %q", a.Message, a.Evidence)
	}
	if a := NothingEchoed([]Exchange{{Status: 200, Sent: []Secret{{"password", "abc"}}}}); a.State != results.AdvisoryNotJudged {
		t.Errorf("only a 3-character password: %+v", a)
	}
}

func TestOverTLS(t *testing.T) {
	tests := []struct {
		url  string
		want results.AdvisoryState
		off  bool
	}{
		{"https://webexapis.com/v1", results.AdvisoryPassed, false},
		{"http://127.0.0.1:8080/v1", results.AdvisoryPassed, false},
		{"http://[::1]:8080/v1", results.AdvisoryPassed, false},
		{"http://localhost/v1", results.AdvisoryPassed, false},
		{"http://api.localhost./v1", results.AdvisoryPassed, false},
		{"http://10.0.0.5/commandcenter/api", results.AdvisoryRaised, true},
		{"HTTP://cv.example.com/commandcenter/api", results.AdvisoryRaised, true},
		{"http://127.0.0.1.example.com/v1", results.AdvisoryRaised, true},
	}
	for _, tt := range tests {
		if a := OverTLS(tt.url); a.State != tt.want || PlainHTTPOffLoopback(tt.url) != tt.off {
			t.Errorf("%s: %s (%s), off loopback %v; want %s, %v", tt.url, a.State, a.Message, PlainHTTPOffLoopback(tt.url), tt.want, tt.off)
		}
	}
}

func TestLocks(t *testing.T) {
	if a := Locks(6, 6, 10); a.State != results.AdvisoryPassed || !strings.Contains(a.Message, "after 6") {
		t.Errorf("locked: %+v", a)
	}
	if a := Locks(0, 10, 10); a.State != results.AdvisoryRaised || !strings.Contains(a.Message, "10 wrong passwords") {
		t.Errorf("never locked: %+v", a)
	}
	if a := Locks(0, 3, 10); a.State != results.AdvisoryNotJudged {
		t.Errorf("cut short: %+v", a)
	}
}
