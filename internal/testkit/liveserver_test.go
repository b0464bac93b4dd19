package testkit

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestLiveServerCountsWrongSignInsAndPrefer(t *testing.T) {
	srv := NewLiveServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Limit") != "" {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}), map[string]string{"a@example.com": "right", "admin": "cv-right"})
	send := func(body string, header ...string) {
		req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	send(`{"email":"a@example.com","password":"right"}`)
	send(`{"email":"a@example.com","password":"wrong"}`)
	send(`{"email":"a@example.com","password":"wrong"}`, "X-Limit", "1") // refused before judged
	send(`{"username":"admin","password":"` + b64("cv-right") + `"}`)
	send(`{"username":"admin","password":"cv-right"}`) // not Base64: wrong
	send(`{"email":"decoy@example.invalid","password":"x"}`, "Prefer", "code=500")
	send(`not json`)
	got := srv.WrongLogins()
	want := map[string]int{"webex a@example.com": 1, "commvault admin": 1, "webex decoy@example.invalid": 1}
	if len(got) != len(want) {
		t.Fatalf("wrong sign-ins %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d wrong sign-ins, want %d", k, got[k], n)
		}
	}
	if srv.Requests() != 7 || srv.Prefers() != 1 || len(srv.WrongSent("commvault admin")) != 1 {
		t.Errorf("requests %d, prefers %d, sent %q", srv.Requests(), srv.Prefers(), srv.WrongSent("commvault admin"))
	}
}
