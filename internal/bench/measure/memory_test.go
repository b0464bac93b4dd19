package measure

import (
	"strings"
	"testing"
)

// TestFloodSignInsAreSignInsWithATokenEach: the flood's raw requests are
// the demo sign-in, each with the token its number names.
func TestFloodSignInsAreSignInsWithATokenEach(t *testing.T) {
	build, err := floodSignIns("127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	raw := string(build("key-")(nil, 42))
	for _, want := range []string{"POST /v1/telephony/config/redSky/actions/login/invoke", "Host: 127.0.0.1:1\r\n", "Authorization: Bearer key-42\r\n", "Content-Type: application/json\r\n", `"password":`} {
		if !strings.Contains(raw, want) {
			t.Errorf("the request lacks %q:\n%s", want, raw)
		}
	}
	if strings.Contains(raw, "flood-token") {
		t.Errorf("the placeholder token was sent:\n%s", raw)
	}
}
