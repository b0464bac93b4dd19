// Package load drives rate-limited load at the Webex login with Vegeta and
// records it into the run's timeline, for internal/judge to judge how the
// server signals its limit: scenarios under and over the limit,
// Retry-After honesty, a client that obeys Retry-After against a naive
// one, and a ramp that finds where 429s begin. An Endpoint is what a
// scenario aims at: the sign-in internal/target builds, on the in-process
// mock target starts or on a live server, with the limit to judge against.
//
// A caller (the Ginkgo suite suites/loadtest, run by `go tool ginkgo` or
// `harness run`) picks a Source and runs each scenario through a Runner:
//
//	c, _ := contract.Load()
//	lc, err := load.LiveConfigFromEnv(os.Getenv) // bad values: a usage error
//	if err := lc.Permit(targets.Live(contract.Webex)); err != nil { ... } // ErrLiveLoadRefused: a usage error
//	src := load.MockSource{Contract: c, Config: load.DefaultMockConfig(drifts...)}
//	// or, live: e, err := load.LiveEndpoint(c, targets, lc); src := load.LiveSource{Endpoint: e}
//	r := load.NewRunner(c, load.WithOutDir(out), load.WithProgress(stderrIfInteractive))
//	for _, sc := range load.Scenarios() {
//		e, _ := src.Open(ctx, sc)
//		sum, err := r.Run(ctx, sc, e) // Skipped, ctx's error, or an output error
//		e.Close()
//		// sum.Passed(), sum.Failures()
//	}
//
// Each scenario writes <out>/load/<scenario>.bin (Vegeta's gob encoding,
// for `vegeta report` and `vegeta plot`; several files for the client
// comparison, listed in LoadSummary.Files) and <scenario>.summary.json (a
// results.LoadSummary, read back with results.ReadLoadSummaries). Both are
// written to a temporary name and renamed; response bodies and headers are
// redacted first, and Vegeta keeps no request headers or bodies, so no
// credential is stored.
// When ctx ends, the attack stops and the partial results are written with
// the summary marked Incomplete.
package load
