package load

import (
	"errors"
	"strings"
	"testing"
	"time"

	"loginharness/internal/target"
	"loginharness/internal/testkit"
)

func TestLiveConfigFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    LiveConfig
		wantErr []string // each must appear in the error
	}{
		{name: "unset", env: nil, want: LiveConfig{}},
		{name: "off ignores the rest", env: map[string]string{EnvAllowLiveLoad: "0", EnvLiveMaxRate: "oops"}, want: LiveConfig{}},
		{name: "allowed", env: map[string]string{EnvAllowLiveLoad: "1", EnvLiveMaxRate: "20", EnvExpectedLimit: " 7.5 "},
			want: LiveConfig{Allowed: true, MaxRate: 20, ExpectedLimit: 7.5}},
		{name: "bad opt-in", env: map[string]string{EnvAllowLiveLoad: "yes"}, wantErr: []string{EnvAllowLiveLoad, `"yes"`}},
		{name: "cap required", env: map[string]string{EnvAllowLiveLoad: "1"},
			wantErr: []string{EnvLiveMaxRate + " is required"}},
		{name: "expected limit optional", env: map[string]string{EnvAllowLiveLoad: "1", EnvLiveMaxRate: "20"},
			want: LiveConfig{Allowed: true, MaxRate: 20}},
		{name: "not numbers", env: map[string]string{EnvAllowLiveLoad: "1", EnvLiveMaxRate: "fast", EnvExpectedLimit: "NaN"},
			wantErr: []string{EnvLiveMaxRate + `="fast"`, EnvExpectedLimit + `="NaN"`}},
		{name: "not positive", env: map[string]string{EnvAllowLiveLoad: "1", EnvLiveMaxRate: "0", EnvExpectedLimit: "-3"},
			wantErr: []string{EnvLiveMaxRate + `="0"`, EnvExpectedLimit + `="-3"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LiveConfigFromEnv(func(k string) string { return tc.env[k] })
			if len(tc.wantErr) == 0 {
				if err != nil || got != tc.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %+v, want an error", got)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLiveLoadIsRefusedWithoutOptIn(t *testing.T) {
	if err := (LiveConfig{}).Permit(false); err != nil {
		t.Errorf("the mock needs no opt-in, got %v", err)
	}
	err := (LiveConfig{}).Permit(true)
	if !errors.Is(err, ErrLiveLoadRefused) || !strings.Contains(err.Error(), EnvAllowLiveLoad+"=1") {
		t.Errorf("got %v, want ErrLiveLoadRefused naming the opt-in", err)
	}
	tc := target.Config{Webex: target.WebexConfig{URL: "https://127.0.0.1:1/v1", Token: "t0ken-secret", Email: "a@example.com", Password: "pw-secret"}}
	if _, err := LiveEndpoint(testkit.Contract(t), tc, LiveConfig{}); !errors.Is(err, ErrLiveLoadRefused) {
		t.Errorf("LiveEndpoint without opt-in: got %v, want ErrLiveLoadRefused", err)
	}
	got, err := LiveEndpoint(testkit.Contract(t), tc, LiveConfig{Allowed: true, MaxRate: 5, ExpectedLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got.MaxRate != 5 || got.Limit.Rate != 2 || got.Limit.Source != EnvExpectedLimit || got.capRate(100) != 5 {
		t.Errorf("live target bounds: %+v", got)
	}
}

// TestRunnerOptionsFromEnv: each load knob is read, and every bad value
// is named at once.
func TestRunnerOptionsFromEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	opts, err := RunnerOptionsFromEnv(env(map[string]string{EnvLoadWindows: "4", EnvLoadMaxDuration: "10s", EnvLoadMaxWait: "3s"}))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(nil, opts...)
	if r.windows != 4 || r.maxDuration != 10*time.Second || r.maxWait != 3*time.Second {
		t.Errorf("windows %d, max duration %s, max wait %s; want 4, 10s, 3s", r.windows, r.maxDuration, r.maxWait)
	}
	_, err = RunnerOptionsFromEnv(env(map[string]string{EnvLoadWindows: "0", EnvLoadMaxDuration: "forever", EnvLoadMaxWait: "10ms"}))
	for _, name := range []string{EnvLoadWindows, EnvLoadMaxDuration, EnvLoadMaxWait} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("bad values: %v, want %s named", err, name)
		}
	}
}
