package mock

import (
	"net/http"
	"testing"
)

// FuzzHandler throws arbitrary methods, paths, headers and bodies at the
// mock: it must never panic, and every answer on an API path must keep
// that API's contract (a Commvault 405 as conforms allows).
func FuzzHandler(f *testing.F) {
	f.Add("POST", uint8(0), "application/json", "Bearer "+DemoWebexToken, "", "", []byte(validWebexBody()))
	f.Add("POST", uint8(1), "application/json", "", "", "", []byte(saasBody()))
	f.Add("POST", uint8(2), "application/json", "", "code=200", "", []byte(managedBody()))
	f.Add("GET", uint8(0), "", "", "", "orgId=", []byte(nil))
	f.Add("POST", uint8(0), "text/plain", "Bearer x", "code=429", "orgId=%zz", []byte(`{"email":1e400}`))
	f.Add("PUT", uint8(3), "application/xml", "Basic x", "code=999", "", []byte(`<Login/>`))
	f.Fuzz(func(t *testing.T, method string, api uint8, contentType, auth, prefer, query string, body []byte) {
		paths := []string{WebexPath, CommvaultPath, CommvaultLegacyPath}
		q := req{method: method, path: "/elsewhere", query: query, body: string(body), header: http.Header{}}
		if int(api) < len(paths) {
			q.path = paths[api]
		}
		for k, v := range map[string]string{"Content-Type": contentType, "Authorization": auth, "Prefer": prefer} {
			if v != "" {
				q.header.Set(k, v)
			}
		}
		if q.method == "" {
			q.method = "POST"
		}
		ex := do(New(DefaultConfig(), WithClock(newFakeClock())), q)
		if q.path == "/elsewhere" {
			if ex.Status != http.StatusNotFound {
				t.Fatalf("unknown path answered %d", ex.Status)
			}
			return
		}
		conforms(t, q, ex)
	})
}
