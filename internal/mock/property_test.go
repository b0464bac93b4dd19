package mock

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// gen makes random requests, valid ones and every kind of mutation, from a
// seeded generator so a failure replays.
type gen struct{ rnd *rand.Rand }

func (g gen) pick(options ...string) string { return options[g.rnd.IntN(len(options))] }
func (g gen) chance(p float64) bool         { return g.rnd.Float64() < p }

var stringPool = []string{
	DemoRedSkyEmail, DemoCommvaultSaaSUser, "a@b", "a@b.c", "x@@y", "@x", "x@", "a b@c", "a@b c", "a<b@c", "é@ü.example", "a\t@b",
	"", "admin", DemoCommvaultUser, "ghost", "host*cs", "*x", "x*", "a*b*c",
	"610af8f4-a4ed-4be3-ae6f-efcdcd4895a8", "610AF8F4-A4ED-4BE3-AE6F-EFCDCD4895A8", "610af8f4a4ed4be3ae6fefcdcd4895a8", "610af8f4-a4ed-4be3-ae6f-efcdcd4895ag",
	b64(DemoCommvaultPassword), b64("wrong"), "Zm9v", "Zm9", "Zg=", "Zh==", "Zm9v\n", "\n", "Zg==Zg==", DemoRedSkyPassword, DemoCommvaultPassword, "p", "ü", "\x00",
}

func (g gen) value() any {
	switch g.rnd.IntN(10) {
	case 0:
		return []any{1, 0, 1.5, 30, -1, 1e2, 1 << 53}[g.rnd.IntN(7)]
	case 1:
		return []any{true, false, nil, map[string]any{}, []any{}, []any{"x"}}[g.rnd.IntN(6)]
	}
	return stringPool[g.rnd.IntN(len(stringPool))]
}

func (g gen) webexBody() map[string]any {
	body := map[string]any{"email": DemoRedSkyEmail, "password": DemoRedSkyPassword}
	if g.chance(0.5) {
		body["redSkyOrgId"] = "610af8f4-a4ed-4be3-ae6f-efcdcd4895a8"
	}
	return body
}

func (g gen) commvaultBody() map[string]any {
	body := map[string]any{"username": DemoCommvaultSaaSUser, "password": b64(DemoCommvaultPassword)}
	if g.chance(0.5) {
		body["username"] = DemoCommvaultUser
		for _, k := range []string{"commserver", "domain", "deviceId", "timeout"} {
			if g.chance(0.3) {
				body[k] = map[string]any{"commserver": "host*cs", "domain": "corp", "deviceId": "d-1", "timeout": 30}[k]
			}
		}
	}
	return body
}

// mutate changes 0 to 3 fields of a body.
func (g gen) mutate(body map[string]any, fields []string) {
	for range g.rnd.IntN(4) {
		field := fields[g.rnd.IntN(len(fields))]
		switch g.rnd.IntN(3) {
		case 0:
			delete(body, field)
		default:
			body[field] = g.value()
		}
	}
}

// raw applies byte-level mutations that maps cannot express.
func (g gen) raw(body []byte) []byte {
	s := string(body)
	switch g.rnd.IntN(30) {
	case 0:
		s = s[:g.rnd.IntN(len(s))]
	case 1:
		b := make([]byte, g.rnd.IntN(40))
		for i := range b {
			b[i] = byte(g.rnd.IntN(256))
		}
		s = string(b)
	case 2:
		s = g.pick(`[]`, `"s"`, `1`, `null`, ` `, `{}`, `{"a":{"b":[1,2,{"c":null}]}}`)
	case 3:
		s = `{"email":5,"username":[],` + s[1:]
	case 4:
		s = strings.TrimSuffix(s, "}") + `,"password":null}`
	case 5:
		s = strings.Replace(s, "a", `\u0061`, 1)
	case 6:
		s = " \n\t" + s + "\r\n "
	case 7:
		s = strings.TrimSuffix(s, "}") + `,"n":` + g.pick("1e400", "-1e400", "1e308", "1E-400", "123456789012345678901234567890") + "}"
	case 8:
		s = ""
	case 9:
		s = strings.Replace(s, `"`, `"\xff`, 3)
	}
	return []byte(s)
}

var contentTypes = []string{
	"application/json", "application/json", "application/json", "application/json; charset=utf-8", " APPLICATION/JSON ",
	"application/json;", "text/plain", "application/xml", "", "application/vnd.x+json", "application/jsonx", "application/*", "*/*",
}

var webexQueries = []string{
	"", "", "", "orgId=" + DemoOrgID, "orgId=", "orgId", "orgId=unknown", "orgId=&orgId=" + DemoOrgID, "orgId=%zz",
	"x=1", "orgId=a;b", "orgId=" + DemoOrgID + "&orgId=", "orgid=x", "orgId=Y2lz%59",
}

// request makes one request; clean says it carries good transport (method,
// credentials, no Prefer), so only the spec decides whether it is accepted.
func (g gen) request() (q req, clean bool) {
	fields := []string{"username", "password", "commserver", "domain", "deviceId", "timeout", "extra"}
	body := g.commvaultBody()
	q = commvaultReq("")
	if g.chance(0.5) {
		fields = []string{"email", "password", "redSkyOrgId", "extra"}
		body = g.webexBody()
		q = webexReq("", withQuery(g.pick(webexQueries...)))
	}
	g.mutate(body, fields)
	encoded, _ := json.Marshal(body)
	q.body = string(g.raw(encoded))
	q.header.Set("Content-Type", g.pick(contentTypes...))
	clean = true
	if g.chance(0.1) {
		q.method, clean = g.pick("GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "post"), false
	}
	if g.chance(0.1) {
		q.header.Set("Prefer", g.pick("code=200", "code=429", "code=503", "code=418", "code=abc", "return=minimal", "code="+strconv.Itoa(100+g.rnd.IntN(500))))
		clean = q.header.Get("Prefer") == "return=minimal" && clean
	}
	if q.path == WebexPath && g.chance(0.1) {
		q.header.Set("Authorization", g.pick("", "Bearer", "Bearer x", "Basic abc", "Bearer "+DemoWebexTokenNoScope, "bearer  "+DemoWebexToken))
		clean = false
	}
	return q, clean
}

// conforms checks an answer: against the contract, except a Commvault 405,
// which its spec cannot document (no operation takes that method); that
// one must carry Allow: POST and the failure body.
func conforms(t *testing.T, q req, ex *contract.Exchange) {
	t.Helper()
	if q.api() == contract.Commvault && ex.Status == http.StatusMethodNotAllowed {
		if ex.Header.Get("Allow") != http.MethodPost || errorCodeOf(ex.Body) != codeMethod {
			t.Fatalf("Commvault 405 without Allow or failure body: %v %s", ex.Header, ex.Body)
		}
		return
	}
	mustConform(t, ex, q.api())
}

// TestMockAgreesWithSpec sends thousands of generated requests. Every
// answer keeps the contract, and for requests with good transport the mock
// refuses as malformed (415, or a code below 1100) exactly those that
// internal/contract's ValidateRequest rejects.
func TestMockAgreesWithSpec(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(7, 11))}
	c := testkit.Contract(t)
	m := New(DefaultConfig(), WithClock(newFakeClock()), WithRate(1e9, 1<<20), WithLockout(0, 0, 0))
	var accepted, refused int
	for i := range 6000 {
		q, clean := g.request()
		ex := do(m, q)
		conforms(t, q, ex)
		if !clean {
			continue
		}
		specOK := c.ValidateRequest(t.Context(), q.api(), ex).OK()
		mockOK := ex.Status != http.StatusUnsupportedMediaType && !errorCodeOf(ex.Body).malformed()
		if specOK != mockOK {
			res := c.ValidateRequest(t.Context(), q.api(), ex)
			t.Fatalf("request %d: spec accepts=%v, mock accepts=%v (status %d)\nquery %q content-type %q body %q\nspec findings %+v\nanswer %s",
				i, specOK, mockOK, ex.Status, q.query, q.header.Get("Content-Type"), q.body, res.Findings, ex.Body)
		}
		if specOK {
			accepted++
		} else {
			refused++
		}
	}
	t.Logf("agreement on %d accepted and %d refused requests", accepted, refused)
	if accepted < 500 || refused < 500 {
		t.Fatalf("too few of one kind: %d accepted, %d refused", accepted, refused)
	}
}

// TestEveryAnswerConforms runs the generator against the demo limits and
// lockout, with the clock moving, so 429s, 423s and locked Commvault
// accounts are among the answers.
func TestEveryAnswerConforms(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(13, 17))}
	clock := newFakeClock()
	m := New(DefaultConfig(), WithClock(clock), WithRate(20, 5), WithLockout(1, time.Minute, 10*time.Second))
	statuses := map[int]int{}
	for range 5000 {
		q, _ := g.request()
		clock.Advance(time.Duration(g.rnd.IntN(int(40 * time.Millisecond))))
		ex := do(m, q)
		conforms(t, q, ex)
		statuses[ex.Status]++
	}
	t.Logf("statuses %v", statuses)
	for _, want := range []int{200, 400, 401, 403, 404, 405, 415, 423, 429} {
		if statuses[want] == 0 {
			t.Errorf("no %d among the answers: the generator misses a path", want)
		}
	}
}
