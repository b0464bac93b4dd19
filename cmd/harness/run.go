package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/spf13/cobra"

	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/report"
	"loginharness/internal/results"
	"loginharness/internal/target"
	"loginharness/suites/setup"
)

// runOptions are the flags of `harness run`.
type runOptions struct {
	out         string
	only        string
	api         contract.API // --only, parsed
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
server for each API whose URL is set, then writes index.html, summary.md,
ginkgo.json, junit.xml and run.json to the output folder and prints a short
summary (-v for Ginkgo's full output).

Each HARNESS_* variable has a flag, named after it (HARNESS_WEBEX_URL is
--webex-url, HARNESS_MOCK_DRIFT is --drift); a flag beats its variable.
Before any spec runs, each live API gets one valid sign-in (the preflight):
an unreachable or unusable server stops the run (exit 3), and so do a
refused token or account, a URL that cannot be the documented base, or a
redirect (exit 2). Nothing is judged then.

Exit status: 0 everything judged conforms, 1 a conformance or load failure
(or an interrupted run), 2 a usage or configuration error (a URL variable set
but empty included), 3 not judged: a live target unreachable or unusable (a
502, 503 or 504 included), one that went away mid-run while nothing judged
failed, or every spec of an API skipped.`,
		Example: `  harness run
  harness run --only webex --skip-load
  harness run --drift missing-required-field   # see the suites catch a broken contract
  harness run --label-filter 'status:429'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.verbose = verbose(cmd)
			return o.run(cmd.Context(), cmd.OutOrStdout(), logger)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false // run's own flags first, then the variables in their table's order
	fs.StringVar(&o.out, "out", "", "output folder (default $"+results.OutDirEnv+", else reports/ at the module root)")
	fs.StringVar(&o.only, "only", "", "test one API only: webex or commvault")
	fs.BoolVar(&o.skipLoad, "skip-load", false, "skip the load scenarios")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label filter, ANDed with --only and --skip-load")
	o.vars = bindVariables(fs)
	return cmd
}

func (o *runOptions) run(ctx context.Context, stdout io.Writer, logger *slog.Logger) error {
	filter, err := o.filter()
	if err != nil {
		return err
	}
	if err := o.vars.export(o.api); err != nil {
		return err
	}
	cfg, err := o.targets(filter)
	if err != nil {
		return err
	}
	shard, filter, err := o.shard(filter, cfg)
	if err != nil {
		return err
	}
	out, err := o.outDir()
	if err != nil {
		return err
	}
	c, err := setup.Contract()
	if err != nil {
		return err
	}
	suites := suiteRun{labelFilter: filter, outDir: out, verbose: o.verbose}
	sel := suites.preview()
	if err := o.checkSelection(sel, cfg); err != nil {
		return err
	}
	if err := o.preflight(ctx, cfg, sel.apis, logger); err != nil {
		return err
	}
	if err := o.planLoad(ctx, filter, sel.apis); err != nil {
		return err
	}
	info := results.RunInfo{
		HarnessVersion: buildVersion(),
		Started:        time.Now().UTC(),
		LabelFilter:    filter,
		Targets:        configuredTargets(cfg),
		Specs:          results.SpecInfos(c),
		Shard:          shard,
	}
	for _, d := range cfg.MockDrifts {
		info.Drift = append(info.Drift, string(d))
	}
	if shard != nil {
		logger.Info("sharded run: the shared load starts at the same instant in every shard", "shard", fmt.Sprintf("%d/%d", shard.Index, shard.Count),
			"run", shard.RunID, "start", shard.Start.Format(time.RFC3339), "conformance", shard.Index == 0)
	}
	logger.Debug("running suites", "specs", sel.chosen, "out", out, "labelFilter", filter)
	suites.total = sel.chosen
	jsonPath, passed, err := suites.run()
	if err != nil {
		return err
	}
	info.Finished = time.Now().UTC()
	info.Incomplete = ctx.Err() != nil
	if err := results.WriteRunInfo(out, info); err != nil {
		return err
	}
	return o.conclude(stdout, out, jsonPath, &info, c, passed)
}

// conclude renders the run's page, says what it shows, and turns its
// verdict into the command's outcome.
func (o *runOptions) conclude(stdout io.Writer, out, jsonPath string, info *results.RunInfo, c *contract.Contract, passed bool) error {
	src := report.Source{Dir: out, Run: info, Contract: c, Secrets: secrets()}
	if jsonPath != "" {
		src.GinkgoFiles = []string{jsonPath}
	}
	view, err := report.Build(src)
	if err != nil {
		return err
	}
	if jsonPath != "" {
		if err := report.WriteJUnit(filepath.Join(out, ginkgoJUnit), view); err != nil {
			return err
		}
	}
	if err := publish(stdout, view, filepath.Join(out, pageFile)); err != nil {
		return err
	}
	switch {
	case !passed || view.Verdict == report.Fail || view.Verdict == report.Incomplete:
		return errFailed
	case view.Verdict != report.Pass:
		return errNotJudged
	}
	return nil
}

// checkSelection refuses a run that would judge nothing it was asked to:
// a filter that selects no spec, or drift modes for a mock no spec uses.
func (o *runOptions) checkSelection(sel selection, cfg target.Config) error {
	if sel.chosen == 0 {
		return usagef("%s selects none of the %d specs; their labels: %s", o.asked(), sel.specs, labelList(sel.labels))
	}
	onMock := slices.ContainsFunc(sel.apis, func(api contract.API) bool { return !cfg.Live(api) })
	if len(cfg.MockDrifts) > 0 && !onMock {
		return usagef("%s changes the embedded mock, but every API this run tests is live", o.vars.name(target.EnvMockDrift))
	}
	return nil
}

// asked says which options chose the specs, as the user typed them.
func (o *runOptions) asked() string {
	var parts []string
	if o.only != "" {
		parts = append(parts, "--only "+o.only)
	}
	if o.skipLoad {
		parts = append(parts, "--skip-load")
	}
	if o.labelFilter != "" {
		parts = append(parts, fmt.Sprintf("--label-filter %q", o.labelFilter))
	}
	if len(parts) == 0 {
		return "the run"
	}
	return strings.Join(parts, " ")
}

// labelList names the labels in use, the per-code ones in one item.
func labelList(labels []string) string {
	var out, codes []string
	for _, l := range labels {
		if code, ok := results.StatusOfLabel(l); ok {
			codes = append(codes, strconv.Itoa(code))
			continue
		}
		out = append(out, l)
	}
	if len(codes) > 0 {
		out = append(out, "status:NNN for "+strings.Join(codes, " "))
	}
	return strings.Join(out, ", ")
}

// preflight makes the suites' shared set-up before any spec runs, the
// very one their BeforeSuite then finds made: every setting checked, and
// each live API the run tests preflighted, so an outage or a wrong
// setting is named as such, not judged as a broken contract.
func (o *runOptions) preflight(ctx context.Context, cfg target.Config, apis []contract.API, logger *slog.Logger) error {
	if _, err := setup.Run(ctx, apis); err != nil {
		var pre *target.PreflightError
		if errors.As(err, &pre) || ctx.Err() != nil {
			return o.vars.named(err)
		}
		return usageError{o.vars.named(err)}
	}
	for _, api := range apis {
		if cfg.Live(api) {
			logger.Debug("live target answers", "api", api, "url", cfg.URL(api))
		}
	}
	return nil
}

// planLoad prints the plan of a live load before any of it is sent, and
// stops the run with a usage error when the plan leaves a verdict not
// judged and the user asked to stop then (HARNESS_LOAD_STOP_IF_UNJUDGED).
func (o *runOptions) planLoad(ctx context.Context, filter string, apis []contract.API) error {
	if !loadRuns(filter) {
		return nil
	}
	s, err := setup.Run(ctx, apis) // made by the preflight: the same set-up
	if err != nil {
		return err
	}
	if err := s.Load.Announce(); err != nil {
		return usageError{o.vars.named(err)}
	}
	return nil
}

// filter builds the Ginkgo label filter from --only, --skip-load and
// --label-filter, and checks it parses, so a typo is a usage error rather
// than Ginkgo exiting halfway.
func (o *runOptions) filter() (string, error) {
	var noLoad string
	if o.only != "" {
		api, err := contract.ParseAPI(o.only)
		if err != nil {
			return "", usagef("--only: %w", err)
		}
		o.api = api
	}
	if o.skipLoad {
		noLoad = "!" + results.LabelLoad
	}
	f := labelFilter(string(o.api), noLoad, o.labelFilter)
	if _, err := types.ParseLabelFilter(f); err != nil {
		// Ginkgo colours its parse errors: plain text for a plain message.
		return "", usagef("--label-filter %q: %s", o.labelFilter, strings.TrimSpace(ansi.ReplaceAllString(err.Error(), "")))
	}
	return f, nil
}

// targets reads the HARNESS_* variables the suites will read, so that a bad
// value, or live load without the opt-in, stops the run before any request.
func (o *runOptions) targets(filter string) (target.Config, error) {
	cfg, err := setup.Settings()
	if err != nil {
		return cfg, usageError{o.vars.named(err)} // a plain-http refusal stays a PreflightError
	}
	live, err := load.LiveConfigFromEnv(os.Getenv)
	if err != nil {
		return cfg, usageError{o.vars.named(err)}
	}
	if loadRuns(filter) {
		if err := live.Permit(cfg.Live(contract.Webex)); err != nil {
			return cfg, usageError{o.vars.named(err)}
		}
	}
	return cfg, nil
}

// shard reads the sharding settings once and fixes the start and run id
// in the environment, where the load suite reads the very same. A shard
// but the first runs the load scenarios only: conformance runs once.
func (o *runOptions) shard(filter string, cfg target.Config) (*results.Shard, string, error) {
	sh, err := load.ShardConfig(os.Getenv, time.Now())
	if err != nil || sh == nil {
		if err != nil {
			err = usageError{o.vars.named(err)}
		}
		return nil, filter, err
	}
	if !loadRuns(filter) {
		return nil, filter, usagef("%s shares a load among shards, but %s leaves the load scenarios out", o.vars.name(load.EnvShard), o.asked())
	}
	if !cfg.Live(contract.Webex) {
		return nil, filter, usagef("%s shares one server's limit among shards, but %s is unset: each shard would load its own embedded mock; start one with 'harness mock'",
			o.vars.name(load.EnvShard), o.vars.name(target.EnvWebexURL))
	}
	for env, val := range map[string]string{load.EnvShardStart: sh.Start.Format(time.RFC3339), load.EnvRunID: sh.RunID} {
		if err := os.Setenv(env, val); err != nil {
			return nil, filter, err
		}
	}
	if sh.Index > 0 {
		filter = labelFilter(filter, results.LabelLoad)
	}
	return sh, filter, nil
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
func configuredTargets(cfg target.Config) []results.Target {
	var ts []results.Target
	for _, api := range contract.APIs() {
		ts = append(ts, results.Target{API: string(api), URL: cfg.URL(api)})
	}
	return ts
}
