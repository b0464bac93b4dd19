// Package testkit holds the helpers that the tests of several packages
// share: the contract loaded once, an environment without HARNESS_*
// settings, the harness binary built for subprocess tests, and a live
// server stand-in that watches the live safety rails. Only _test.go files
// import it. It imports nothing of the harness but the contract, so the
// mock's own tests can use it too.
package testkit

import (
	"sync"
	"testing"

	"loginharness/internal/contract"
)

var loadContract = sync.OnceValues(contract.Load)

// Contract is the embedded specs, loaded once per test binary.
func Contract(tb testing.TB) *contract.Contract {
	tb.Helper()
	c, err := loadContract()
	if err != nil {
		tb.Fatalf("loading the specs: %v", err)
	}
	return c
}
