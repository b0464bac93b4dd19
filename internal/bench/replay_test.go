package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReplayAnswersWhatItRecorded(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer ok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("TrackingID", "T1")
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	req := Request{Method: http.MethodPost, URL: "http://x.test/login", Header: http.Header{"Authorization": {"Bearer ok"}}, Body: []byte("{}")}
	p, err := NewReplay(h, req)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/anything", strings.NewReader("ignored")))
	if rec.Code != http.StatusOK || rec.Body.String() != `{"ok":true}` || rec.Header().Get("TrackingID") != "T1" || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("replayed %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	req.Header.Set("Authorization", "Bearer wrong")
	if _, err := NewReplay(h, req); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a refused request was recorded: %v", err)
	}
}
