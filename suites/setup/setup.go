// Package setup is the one set-up both suites share, however they are run
// (`harness run`, `go tool ginkgo`, `go test`): it loads the contract, reads
// and checks every HARNESS_* setting the suites read, and preflights each
// live API, once per process, in a BeforeSuite that no label filter or
// focus can drop. A bad setting, a refused account or an unreachable
// target stops the suite there with one message naming the setting and the
// class; nothing is judged, and no spec fails for it.
//
// The spec tree is built from the contract alone (Contract), never from
// the settings, so a filter always selects the same specs; the specs read
// the settings from Current once the BeforeSuite has run.
package setup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/internal/timeline"
)

// Setup is what the suites run against: the contract, the targets, the
// advisories' settings, and the load runner with its endpoints.
type Setup struct {
	Contract   *contract.Contract
	Config     target.Config
	Advisories target.AdvisoryConfig
	Load       *load.Setup
}

// Contract is the embedded specs, loaded once: all the spec tree is built from.
var Contract = sync.OnceValues(contract.Load)

// Settings reads and checks the target and advisory settings once,
// without a request. A URL variable set but empty is an error, not the
// mock; plain http:// off loopback is a *target.PreflightError.
var Settings = sync.OnceValues(func() (target.Config, error) {
	cfg, err := target.FromLookup(os.LookupEnv)
	if err != nil {
		return cfg, err
	}
	_, err = target.AdvisoryFromEnv(os.Getenv, cfg)
	return cfg, err
})

// once holds the outcome of the first Run.
var once struct {
	sync.Mutex
	done  bool
	setup *Setup
	err   error
	// bySuite: the BeforeSuite made it, so Ginkgo alone runs the suites
	// and its verdict is the run's (see the ReportAfterSuite below).
	bySuite bool
}

// Run makes the set-up once per process and returns it; later calls return
// the first call's outcome whatever they ask. It loads the contract, checks
// every setting (the load suite's too), then preflights each live API of
// apis: `harness run` names those its filter selects, the BeforeSuite
// those of the planned specs the label filter selects (see Plan). The error
// is the settings' (a configuration error), a *target.PreflightError, or
// the contract's.
func Run(ctx context.Context, apis []contract.API) (*Setup, error) { return runOnce(ctx, apis, false) }

func runOnce(ctx context.Context, apis []contract.API, bySuite bool) (*Setup, error) {
	once.Lock()
	defer once.Unlock()
	if !once.done {
		once.setup, once.err = run(ctx, apis)
		once.done, once.bySuite = true, bySuite
	}
	return once.setup, once.err
}

func run(ctx context.Context, apis []contract.API) (*Setup, error) {
	c, err := Contract()
	if err != nil {
		return nil, err
	}
	cfg, err := Settings()
	if err != nil {
		return nil, err
	}
	adv, err := target.AdvisoryFromEnv(os.Getenv, cfg)
	if err != nil {
		return nil, err
	}
	var progress io.Writer
	if load.Interactive(os.Stderr) {
		progress = os.Stderr
	}
	ls, err := load.SetupFromEnv(c, os.Getenv, time.Now(), progress, os.Stderr)
	if err != nil {
		return nil, err
	}
	for _, api := range apis {
		if err := target.Preflight(timeline.WithPart(ctx, timeline.PartPreflight), c, cfg, api); err != nil {
			return nil, err
		}
	}
	return &Setup{Contract: c, Config: cfg, Advisories: adv, Load: ls}, nil
}

// Current is the set-up the BeforeSuite made, for the specs' own nodes;
// a node that finds none fails with the reason rather than judging.
func Current() *Setup {
	once.Lock()
	defer once.Unlock()
	switch {
	case !once.done:
		Fail("the suites' set-up has not run: the specs have no target")
	case once.err != nil:
		Fail(Explain(once.err))
	}
	return once.setup
}

// Explain is the one message that stops a suite: the class first, then
// what to check, naming the settings. It holds no secret: the settings'
// errors and the preflight's never echo one.
func Explain(err error) string {
	var pre *target.PreflightError
	switch {
	case errors.As(err, &pre) && pre.Class == target.Misconfigured:
		return "configuration error: " + pre.Error() + "; nothing was judged"
	case errors.As(err, &pre):
		return "outage, not drift: " + pre.Error() + "; nothing was judged"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "interrupted during the set-up (" + err.Error() + "); nothing was judged"
	}
	return "configuration error: " + strings.ReplaceAll(err.Error(), "\n", "; ") + "; nothing was judged"
}

// The set-up of every run of the suites: before any spec, whatever the
// filter. Ginkgo runs it only when some spec is selected.
var _ = BeforeSuite(func(ctx SpecContext) {
	if _, err := runOnce(ctx, planned(GinkgoLabelFilter()), true); err != nil {
		AbortSuite(Explain(err))
	}
})

// Run by Ginkgo alone (go test, the ginkgo CLI), the suite's verdict is
// Ginkgo's, and a run that met an outage must not end in SUCCESS: it fails
// here, saying so. `harness run` judges its report itself instead (NOT
// JUDGED, exit 3), so this node leaves its runs alone.
var _ = ReportAfterSuite("specs an outage left not judged", func(r Report) {
	once.Lock()
	bySuite := once.bySuite
	once.Unlock()
	if msg := outages(r); bySuite && msg != "" {
		Fail(msg)
	}
})

// outages says how many specs of r an outage left not judged, and why the
// first was, "" when none was.
func outages(r Report) string {
	n, first := 0, ""
	for _, sr := range r.SpecReports {
		for _, e := range sr.ReportEntries {
			if e.Name == results.OutageEntry {
				n++
				first = cmp.Or(first, e.StringRepresentation())
				break
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("NOT JUDGED: outage, not drift: %s not judged, the target went away mid-run (%s)", contract.Plural(n, "spec"), first)
}

var plan struct {
	sync.Mutex
	specs [][]string
}

// Plan records the labels of a spec as a suite builds its tree, so the
// BeforeSuite preflights only the live APIs that the label filter selects
// a spec of, as `harness run` does.
func Plan(labels ...string) {
	plan.Lock()
	defer plan.Unlock()
	plan.specs = append(plan.specs, labels)
}

// planned lists the APIs of the planned specs the filter selects; every
// API when the filter does not parse (Ginkgo refuses it before this).
func planned(filter string) []contract.API {
	match, err := types.ParseLabelFilter(filter)
	if err != nil {
		return contract.APIs()
	}
	plan.Lock()
	defer plan.Unlock()
	var out []contract.API
	for _, labels := range plan.specs {
		if !match(labels) {
			continue
		}
		for _, api := range contract.APIs() {
			if slices.Contains(labels, string(api)) && !slices.Contains(out, api) {
				out = append(out, api)
			}
		}
	}
	return out
}
