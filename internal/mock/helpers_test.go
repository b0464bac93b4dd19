package mock

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// newFakeClock starts a ManualClock at a fixed instant, so test runs repeat.
func newFakeClock() *ManualClock {
	return NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// req describes one request in the tests' terms.
type req struct {
	method, path, query string
	header              http.Header
	body                string
	remote              string
}

func (q req) build() *http.Request {
	method := q.method
	if method == "" {
		method = http.MethodPost
	}
	header := q.header.Clone()
	if header == nil {
		header = http.Header{}
	}
	r := &http.Request{
		Method:     method,
		URL:        &url.URL{Path: q.path, RawQuery: q.query},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: 1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader([]byte(q.body))),
		ContentLength: int64(len(q.body)),
		Host:          "mock.test",
		RemoteAddr:    q.remote,
	}
	if r.RemoteAddr == "" {
		r.RemoteAddr = "192.0.2.1:1234"
	}
	return r.WithContext(context.Background())
}

func (q req) api() contract.API {
	if q.path == WebexPath {
		return contract.Webex
	}
	return contract.Commvault
}

// do serves q and returns the exchange as the contract sees it.
func do(h http.Handler, q req) *contract.Exchange {
	rec := httptest.NewRecorder()
	r := q.build()
	h.ServeHTTP(rec, r)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return &contract.Exchange{
		Method: r.Method, Path: q.path, RawQuery: q.query,
		RequestHeader: r.Header, RequestBody: []byte(q.body),
		Status: res.StatusCode, Header: res.Header, Body: body,
	}
}

func webexReq(body string, mutate ...func(*req)) req {
	q := req{path: WebexPath, header: http.Header{
		"Authorization": {"Bearer " + DemoWebexToken},
		"Content-Type":  {"application/json"},
	}, body: body}
	for _, f := range mutate {
		f(&q)
	}
	return q
}

func validWebexBody() string {
	return `{"email":"` + DemoRedSkyEmail + `","password":"` + DemoRedSkyPassword + `","redSkyOrgId":"610af8f4-a4ed-4be3-ae6f-efcdcd4895a8"}`
}

func commvaultReq(body string, mutate ...func(*req)) req {
	q := req{path: CommvaultPath, header: http.Header{"Content-Type": {"application/json"}}, body: body}
	for _, f := range mutate {
		f(&q)
	}
	return q
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func saasBody() string {
	return `{"username":"` + DemoCommvaultSaaSUser + `","password":"` + b64(DemoCommvaultPassword) + `"}`
}

func managedBody() string {
	return `{"username":"` + DemoCommvaultUser + `","password":"` + b64(DemoCommvaultPassword) + `","domain":"corp","timeout":30}`
}

// mustConform fails the test when the exchange breaks the contract.
func mustConform(t testing.TB, ex *contract.Exchange, api contract.API) contract.Result {
	t.Helper()
	res := testkit.Contract(t).ValidateResponse(context.Background(), api, ex)
	if !res.OK() {
		t.Fatalf("%s %s %d breaks the %s contract: %+v\nheaders %v\nbody %s", ex.Method, ex.Path, ex.Status, api, res.Findings, ex.Header, ex.Body)
	}
	return res
}

// errorCodeOf reads errors[0].errorCode (Webex) or errList[0].errorCode (Commvault).
func errorCodeOf(body []byte) errorCode {
	var v struct {
		Errors  []struct{ ErrorCode errorCode } `json:"errors"`
		ErrList []struct{ ErrorCode errorCode } `json:"errList"`
	}
	_ = json.Unmarshal(body, &v)
	switch {
	case len(v.Errors) > 0:
		return v.Errors[0].ErrorCode
	case len(v.ErrList) > 0:
		return v.ErrList[0].ErrorCode
	}
	return codeNone
}

func withHeader(k, v string) func(*req) { return func(q *req) { q.header.Set(k, v) } }
func withoutHeader(k string) func(*req) { return func(q *req) { q.header.Del(k) } }
func withMethod(m string) func(*req)    { return func(q *req) { q.method = m } }
func withQuery(s string) func(*req)     { return func(q *req) { q.query = s } }

func newSeededSource() rand.Source { return rand.NewPCG(1, 2) }

// malformed tells whether the code refuses a request that breaks the spec.
func (c errorCode) malformed() bool { return c > codeNone && c < 1100 }

// keys counts the tracked keys, for tests.
func (l *keyedLimiter) keys() int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		n += len(s.buckets)
		s.mu.Unlock()
	}
	return n
}
