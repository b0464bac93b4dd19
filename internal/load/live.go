package load

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"loginharness/internal/target"
)

// The variables that allow and bound load against a live server.
const (
	EnvAllowLiveLoad = "HARNESS_ALLOW_LIVE_LOAD"
	EnvLiveMaxRate   = "HARNESS_LIVE_MAX_RATE"
	EnvExpectedLimit = "HARNESS_EXPECTED_LIMIT"
)

// ErrLiveLoadRefused is why load against a live server did not run: nobody
// opted in. Real login endpoints lock accounts and page people, so live load
// needs an explicit yes and a rate cap.
var ErrLiveLoadRefused = errors.New("live load refused: the Webex target is live and " + EnvAllowLiveLoad +
	" is not 1; set " + EnvAllowLiveLoad + "=1, " + EnvLiveMaxRate + "=<req/s cap> and " + EnvExpectedLimit +
	"=<req/s the server should enforce> to allow it, or skip the load scenarios (harness run --skip-load, ginkgo --label-filter='!load')")

// Variables lists the live-load variables in the form target.Variables
// uses, so the CLI binds one flag per variable for both lists.
func Variables() []target.Variable {
	return []target.Variable{
		{Env: EnvAllowLiveLoad, Flag: "allow-live-load", Help: "1 allows load against a live Webex (never without a rate cap)"},
		{Env: EnvLiveMaxRate, Flag: "live-max-rate", Help: "requests/s no live load attack exceeds; required with " + EnvAllowLiveLoad + "=1"},
		{Env: EnvExpectedLimit, Flag: "expected-limit", Help: "requests/s the live Webex should enforce, to judge against; required with " + EnvAllowLiveLoad + "=1"},
	}
}

// LiveConfig is the opt-in and the bounds of load against a live server.
type LiveConfig struct {
	Allowed       bool    // HARNESS_ALLOW_LIVE_LOAD=1
	MaxRate       float64 // HARNESS_LIVE_MAX_RATE: no attack offers more, req/s
	ExpectedLimit float64 // HARNESS_EXPECTED_LIMIT: the limit to judge against, req/s
}

// LiveConfigFromEnv reads the live-load variables through getenv. Without
// the opt-in the other two are ignored; with it both are required. Every
// problem is reported at once, naming the variable.
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
	if c.ExpectedLimit, err = positiveRate(EnvExpectedLimit, getenv(EnvExpectedLimit)); err != nil {
		errs = append(errs, err)
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
