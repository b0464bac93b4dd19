package contract_test

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"loginharness/internal/contract"
	"loginharness/internal/testkit"
)

// TestConcurrentValidation validates a mix of good and bad exchanges from
// many goroutines at once; run with -race. Each result must equal the one
// a lone goroutine got.
func TestConcurrentValidation(t *testing.T) {
	c := testkit.Contract(t)
	type job struct {
		api      contract.API
		ex       *contract.Exchange
		response bool
	}
	var jobs []job
	for _, bc := range benchCases() {
		jobs = append(jobs, job{bc.api, bc.ex, true})
	}
	jobs = append(jobs,
		job{contract.Webex, webexResponse(429, webexError, "Retry-After", "soon"), true},
		job{contract.Commvault, commvaultResponse(`{"data": {"authToken": 5}}`), true},
		job{contract.Webex, webexRequest(webexLogin), false},
		job{contract.Webex, webexRequest(`{"email": "x"}`), false},
		job{contract.Commvault, commvaultRequest(`{"username": "admin", "password": "UGFzc3dvcmQx"}`), false},
		job{contract.Commvault, commvaultRequest(`{"username": "a@b@c", "password": "nope"}`), false},
	)
	validate := func(j job) contract.Result {
		if j.response {
			return c.ValidateResponse(context.Background(), j.api, j.ex)
		}
		return c.ValidateRequest(context.Background(), j.api, j.ex)
	}
	want := make([]contract.Result, len(jobs))
	for i, j := range jobs {
		want[i] = validate(j)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for round := range 50 {
				i := (g + round) % len(jobs)
				if got := validate(jobs[i]); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("job %d: concurrent result %+v differs from %+v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
