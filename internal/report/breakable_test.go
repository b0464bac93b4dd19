package report

import (
	"strings"
	"testing"
)

// A URL in a narrow cell wraps after a slash of its path, never in its
// host or port, and no style lets the browser break it elsewhere.
func TestURLsBreakOnlyAtPathSeparators(t *testing.T) {
	for in, want := range map[string]string{
		"https://webex.example.com:8443/v1":        "https://webex.example.com:8443/<wbr>v1",
		"http://127.0.0.1:39999/commandcenter/api": "http://127.0.0.1:39999/<wbr>commandcenter/<wbr>api",
		"embedded mock":       "embedded mock",
		"reports/shard-0 <x>": "reports/<wbr>shard-0 &lt;x&gt;",
	} {
		if got := string(breakable(in)); got != want {
			t.Errorf("breakable(%q) = %q, want %q", in, got, want)
		}
	}
	css, err := files.ReadFile("assets/report.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"break-all", "anywhere"} {
		if strings.Contains(string(css), rule) {
			t.Errorf("report.css breaks words anywhere (%s)", rule)
		}
	}
}
