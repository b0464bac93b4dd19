package bench

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// ServeLoop benchmarks h answering r again and again in process: r's body
// is body, rewound before each call, and the ResponseWriter costs nothing,
// so what b measures is the handler. It returns the status of the last
// answer, 200 when h wrote none.
func ServeLoop(b *testing.B, h http.Handler, r *http.Request, body []byte) int {
	reader := bytes.NewReader(body)
	r.Body = io.NopCloser(reader)
	r.ContentLength = int64(len(body))
	w := &discardWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		reader.Reset(body)
		clear(w.header)
		w.status = 0
		h.ServeHTTP(w, r)
	}
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// discardWriter is the cheapest ResponseWriter: what remains is the handler.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
