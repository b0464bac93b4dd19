package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/spf13/cobra"

	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/report"
	"loginharness/internal/results"
	"loginharness/internal/target"
)

// runOptions are the flags of `harness run`.
type runOptions struct {
	out         string
	only        string
	skipLoad    bool
	labelFilter string
	verbose     bool
	vars        variableFlags
}

func newRunCmd(logger *slog.Logger) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the conformance and load suites and write the HTML report",
		Long: `run runs the conformance suite and the load scenarios (the same Ginkgo specs
as 'go tool ginkgo ./suites/...') against the embedded mock, or against a live
server for each API whose URL is set, then writes index.html, ginkgo.json,
junit.xml and run.json to the output folder and prints a summary.

Each HARNESS_* variable has a flag, named after it (HARNESS_WEBEX_URL is
--webex-url, HARNESS_MOCK_DRIFT is --drift); a flag beats its variable.
Exit status: 0 everything conforms, 1 a conformance or load failure (or an
interrupted run), 2 a usage or configuration error.`,
		Example: `  harness run
  harness run --only webex --skip-load
  harness run --drift missing-required-field   # see the suites catch a broken contract
  harness run --label-filter 'status:429'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), cmd.OutOrStdout(), logger)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false // run's own flags first, then the variables in their table's order
	fs.StringVar(&o.out, "out", "", "output folder (default $"+results.OutDirEnv+", else reports/ at the module root)")
	fs.StringVar(&o.only, "only", "", "test one API only: webex or commvault")
	fs.BoolVar(&o.skipLoad, "skip-load", false, "skip the load scenarios")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label filter, ANDed with --only and --skip-load")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "show every spec as it runs")
	o.vars = bindVariables(fs)
	return cmd
}

func (o *runOptions) run(ctx context.Context, stdout io.Writer, logger *slog.Logger) error {
	filter, err := o.filter()
	if err != nil {
		return err
	}
	if err := o.vars.export(); err != nil {
		return err
	}
	targets, err := o.targets(filter)
	if err != nil {
		return err
	}
	out, err := o.outDir()
	if err != nil {
		return err
	}
	c, err := contract.Load()
	if err != nil {
		return err
	}

	info := report.RunInfo{
		HarnessVersion: buildVersion(),
		Started:        time.Now().UTC(),
		LabelFilter:    filter,
		Targets:        configuredTargets(targets),
		Specs:          report.SpecInfos(c),
	}
	for _, d := range targets.MockDrifts {
		info.Drift = append(info.Drift, string(d))
	}
	attrs := []any{"out", out, "labelFilter", filter}
	for _, t := range info.Targets {
		attrs = append(attrs, t.API, t.Name())
	}
	logger.Info("running suites", attrs...)
	jsonPath, passed, err := suiteRun{labelFilter: filter, outDir: out, verbose: o.verbose}.run()
	if err != nil {
		return err
	}
	info.Finished = time.Now().UTC()
	info.Incomplete = ctx.Err() != nil
	if err := report.WriteRunInfo(out, info); err != nil {
		return err
	}

	fmt.Fprintln(stdout) // Ginkgo's succinct line has no newline of its own
	src := report.Source{Dir: out, Run: &info, Contract: c, Secrets: secrets()}
	if jsonPath != "" {
		src.GinkgoFiles = []string{jsonPath}
	}
	page, err := report.Build(src)
	if err != nil {
		return err
	}
	if err := publish(stdout, page, filepath.Join(out, pageFile)); err != nil {
		return err
	}
	if !passed || page.Verdict != report.Pass {
		return errFailed
	}
	return nil
}

// filter builds the Ginkgo label filter from --only, --skip-load and
// --label-filter, and checks it parses, so a typo is a usage error rather
// than Ginkgo exiting halfway.
func (o *runOptions) filter() (string, error) {
	var only, noLoad string
	if o.only != "" {
		api, err := contract.ParseAPI(o.only)
		if err != nil {
			return "", usagef("--only: %w", err)
		}
		only = string(api)
	}
	if o.skipLoad {
		noLoad = "!" + results.LabelLoad
	}
	f := labelFilter(only, noLoad, o.labelFilter)
	if _, err := types.ParseLabelFilter(f); err != nil {
		// Ginkgo colours its parse errors: plain text for a plain message.
		return "", usagef("--label-filter %q: %s", o.labelFilter, strings.TrimSpace(ansi.ReplaceAllString(err.Error(), "")))
	}
	return f, nil
}

// targets reads the HARNESS_* variables the suites will read, so that a bad
// value, or live load without the opt-in, stops the run before any request.
func (o *runOptions) targets(filter string) (target.Config, error) {
	cfg, err := target.FromEnv(os.Getenv)
	if err != nil {
		return cfg, usageError{err}
	}
	live, err := load.LiveConfigFromEnv(os.Getenv)
	if err != nil {
		return cfg, usageError{err}
	}
	if loadRuns(filter) {
		if err := live.Permit(cfg.Live(contract.Webex)); err != nil {
			return cfg, usageError{err}
		}
	}
	if len(cfg.MockDrifts) > 0 && !slices.ContainsFunc(contract.APIs(), func(api contract.API) bool { return !cfg.Live(api) }) {
		return cfg, usagef("--drift changes the embedded mock, but every API is live")
	}
	return cfg, nil
}

// loadRuns tells whether the filter lets the load scenarios run, which
// are labelled load and webex.
func loadRuns(filter string) bool {
	matches, err := types.ParseLabelFilter(filter)
	return err == nil && matches([]string{results.LabelLoad, string(contract.Webex)})
}

// outDir makes the output folder and hands it to the suites through
// HARNESS_OUT, where they write their load results.
func (o *runOptions) outDir() (string, error) {
	out := o.out
	if out == "" {
		out = results.OutDir()
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", usagef("--out: %w", err)
	}
	return out, os.Setenv(results.OutDirEnv, out)
}

// configuredTargets says, per API, whether the run goes to a live URL or the
// embedded mock.
func configuredTargets(cfg target.Config) []report.Target {
	var ts []report.Target
	for _, api := range contract.APIs() {
		ts = append(ts, report.Target{API: string(api), URL: cfg.URL(api)})
	}
	return ts
}
