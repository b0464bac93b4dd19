package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
)

// Replay is a yardstick server: it answers every request with the headers
// and body that h gave req, and does nothing else, so what a handler costs
// beyond writing its answer shows against it.
type Replay struct {
	header http.Header
	body   []byte
}

// NewReplay records h's answer to req in process. The answer must be a
// 200: a yardstick that answers errors measures nothing.
func NewReplay(h http.Handler, req Request) (*Replay, error) {
	r := httptest.NewRequest(req.Method, req.URL, bytes.NewReader(req.Body))
	r.Header = req.Header.Clone()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("replay: %s %s was answered %d, want 200", req.Method, req.URL, rec.Code)
	}
	header := rec.Header().Clone()
	header.Del("Content-Length")
	header.Del("Date")
	return &Replay{header: header, body: rec.Body.Bytes()}, nil
}

// Header is the recorded answer's header, less Content-Length and Date.
func (p *Replay) Header() http.Header { return p.header.Clone() }

// Body is the recorded answer's body.
func (p *Replay) Body() []byte { return bytes.Clone(p.body) }

// ServeHTTP reads the request body and writes the recorded answer.
func (p *Replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	_, _ = w.Write(p.body)
}
