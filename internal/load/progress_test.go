package load

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := startProgress(&buf, "over-limit/main", 3*time.Second)
	for _, code := range []int{200, 200, 429, 503, 0} {
		p.add(code)
	}
	p.stop()
	out := buf.String()
	for _, want := range []string{"\rover-limit/main", "2xx 2 ", "429 1 ", "5xx 1 ", "err 1 "} {
		if !strings.Contains(out, want) {
			t.Errorf("progress %q lacks %q", out, want)
		}
	}
	if !strings.HasSuffix(out, "\n") {
		t.Error("the last progress line is not ended")
	}
	var none *progress = startProgress(nil, "x", time.Second)
	none.add(200)
	none.stop()
}
