package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"loginharness/internal/contract"
	"loginharness/internal/target"
)

// The variables that allow and bound load against a live server.
const (
	EnvAllowLiveLoad = "HARNESS_ALLOW_LIVE_LOAD"
	EnvLiveMaxRate   = "HARNESS_LIVE_MAX_RATE"
	EnvExpectedLimit = "HARNESS_EXPECTED_LIMIT"
)

// The variables that set how long the attacks that judge a rate run, on
// the mock and live alike.
const (
	EnvLoadWindows     = "HARNESS_LOAD_WINDOWS"
	EnvLoadMaxDuration = "HARNESS_LOAD_MAX_DURATION"
	EnvLoadMaxWait     = "HARNESS_LOAD_MAX_WAIT"
	// EnvLoadWindow declares the limiter's window, so the plan is made
	// before any request; EnvLoadStopIfUnjudged stops a run whose plan
	// leaves a verdict not judged before it spends the quota.
	EnvLoadWindow         = "HARNESS_LOAD_WINDOW"
	EnvLoadStopIfUnjudged = "HARNESS_LOAD_STOP_IF_UNJUDGED"
)

// ErrLiveLoadRefused is why load against a live server did not run: nobody
// opted in. Real login endpoints lock accounts and page people, so live load
// needs an explicit yes and a rate cap.
var ErrLiveLoadRefused = errors.New("live load refused: the Webex target is live and " + EnvAllowLiveLoad +
	" is not 1; set " + EnvAllowLiveLoad + "=1, " + EnvLiveMaxRate + "=<req/s cap> and " + EnvExpectedLimit +
	"=<req/s the server should enforce, optional> to allow it, or skip the load scenarios (harness run --skip-load, ginkgo --label-filter='!load')")

// Variables lists the live-load variables in the form target.Variables
// uses, so the CLI binds one flag per variable for both lists.
func Variables() []target.Variable {
	return []target.Variable{
		{Env: EnvAllowLiveLoad, Flag: "allow-live-load", API: contract.Webex, Bool: true, Help: "allow load against a live Webex, never without a rate cap (variable: 1 or true)"},
		{Env: EnvLiveMaxRate, Flag: "live-max-rate", API: contract.Webex, Help: "requests/s no live load attack exceeds; required with " + EnvAllowLiveLoad + "=1"},
		{Env: EnvExpectedLimit, Flag: "expected-limit", API: contract.Webex, Help: "requests/s the live Webex should enforce, to judge against; unset, the ramp measures the limit and only the promises that need no number are judged"},
		{Env: EnvLoadWindows, Flag: "load-windows", API: contract.Webex, Help: "windows of the server's limiter (its longest Retry-After or policy window) the rate verdicts watch once the burst is spent (default: as few as their evidence needs)"},
		{Env: EnvLoadWindow, Flag: "load-window", API: contract.Webex, Help: "the window the server's limiter counts in, as a Go duration (e.g. 1m for a per-minute quota), when known: the load plan is then made before any request (default: a declared RateLimit-Policy window, else learned from the Retry-After values the ramp meets)"},
		{Env: EnvLoadMaxDuration, Flag: "load-max-duration", API: contract.Webex, Help: fmt.Sprintf("longest one load attack may run, as a Go duration (default %s)", DefaultMaxDuration)},
		{Env: EnvLoadMaxWait, Flag: "load-max-wait", API: contract.Webex, Help: fmt.Sprintf("longest Retry-After the load scenarios wait out, as a Go duration; a sharded run leaves this long between its shared scenarios for the limit to recover (default %s)", DefaultMaxWait)},
		{Env: EnvLoadStopIfUnjudged, Flag: "load-stop-if-unjudged", API: contract.Webex, Bool: true, Help: "print the load plan and stop, exit 2, when it leaves a verdict not judged (the window too long for the duration or wait caps), before spending the quota (variable: 1 or true)"},
		{Env: EnvShard, Flag: "shard", API: contract.Webex, Help: "run shard I of N (from 0: 0/3, 1/3, 2/3) of a load that N harness processes share against one live Webex; each offers 1/N, shard 0 alone runs conformance, harness report merges them"},
		{Env: EnvShardStart, Flag: "shard-start", API: contract.Webex, Help: "RFC 3339 time the shards' shared load begins (default: the next whole minute at least 15 s away, which shards started within seconds of each other agree on)"},
		{Env: EnvRunID, Flag: "run-id", API: contract.Webex, Help: "names the sharded run, the same in every shard, so a merge takes its shards only (default: from the start time and shard count)"},
	}
}

// LiveConfig is the opt-in and the bounds of load against a live server.
type LiveConfig struct {
	Allowed       bool    // HARNESS_ALLOW_LIVE_LOAD=1
	MaxRate       float64 // HARNESS_LIVE_MAX_RATE: no attack offers more, req/s
	ExpectedLimit float64 // HARNESS_EXPECTED_LIMIT: the limit to judge against, req/s; 0: measure it
}

// LiveConfigFromEnv reads the live-load variables through getenv. Without
// the opt-in the others are ignored; with it the rate cap is required, and
// the expected limit optional: without it the ramp measures the limit and
// only the promises that need no number are judged. Every problem is
// reported at once, naming the variable.
func LiveConfigFromEnv(getenv func(string) string) (LiveConfig, error) {
	var c LiveConfig
	switch v := strings.TrimSpace(getenv(EnvAllowLiveLoad)); v {
	case "", "0", "false":
		return c, nil
	case "1", "true":
		c.Allowed = true
	default:
		return c, fmt.Errorf("%s=%q: use 1 to allow load against live servers, or leave it unset", EnvAllowLiveLoad, v)
	}
	var errs []error
	var err error
	if c.MaxRate, err = positiveRate(EnvLiveMaxRate, getenv(EnvLiveMaxRate)); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(getenv(EnvExpectedLimit)) != "" {
		if c.ExpectedLimit, err = positiveRate(EnvExpectedLimit, getenv(EnvExpectedLimit)); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errors.Join(errs...)
}

// Permit says whether load may run when the Webex target is live: nil when it
// is the mock or the opt-in is given, else ErrLiveLoadRefused.
func (c LiveConfig) Permit(live bool) error {
	if live && !c.Allowed {
		return ErrLiveLoadRefused
	}
	return nil
}

func positiveRate(name, raw string) (float64, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, fmt.Errorf("%s is required with %s=1: requests per second, e.g. 20", name, EnvAllowLiveLoad)
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > 1e6 {
		return 0, fmt.Errorf("%s=%q: want requests per second, a number above 0 and at most 1e6", name, raw)
	}
	return v, nil
}

// MaxLoadDuration is the longest HARNESS_LOAD_MAX_DURATION taken.
const MaxLoadDuration = time.Hour

// RunnerOptionsFromEnv reads how long the rate-judging attacks run, for
// NewRunner; every bad value is reported at once, naming the variable.
func RunnerOptionsFromEnv(getenv func(string) string) ([]Option, error) {
	var opts []Option
	var errs []error
	if raw := strings.TrimSpace(getenv(EnvLoadWindows)); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number of windows from 1 to 1000, e.g. 3, or leave it unset for as few as the evidence needs", EnvLoadWindows, raw))
		} else {
			opts = append(opts, WithWindows(n))
		}
	}
	durations := []struct {
		name, example string
		opt           func(time.Duration) Option
	}{
		{EnvLoadMaxDuration, "5m", WithMaxDuration},
		{EnvLoadMaxWait, DefaultMaxWait.String(), WithMaxWait},
		{EnvLoadWindow, "1m", WithWindow},
	}
	for _, d := range durations {
		if raw := strings.TrimSpace(getenv(d.name)); raw != "" {
			v, err := time.ParseDuration(raw)
			if err != nil || v < time.Second || v > MaxLoadDuration {
				errs = append(errs, fmt.Errorf("%s=%q: want a duration from 1s to %s, e.g. %s", d.name, raw, MaxLoadDuration, d.example))
			} else {
				opts = append(opts, d.opt(v))
			}
		}
	}
	switch raw := strings.TrimSpace(getenv(EnvLoadStopIfUnjudged)); raw {
	case "", "0", "false":
	case "1", "true":
		opts = append(opts, WithStopIfUnjudged(true))
	default:
		errs = append(errs, fmt.Errorf("%s=%q: use 1 to stop before the load when its plan leaves a verdict not judged, or leave it unset", EnvLoadStopIfUnjudged, raw))
	}
	return opts, errors.Join(errs...)
}
