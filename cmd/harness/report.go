package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"loginharness/internal/contract"
	"loginharness/internal/load"
	"loginharness/internal/report"
	"loginharness/internal/results"
)

// pageFile is the report page's name in an output folder.
const pageFile = "index.html"

// reportOptions are the flags of `harness report`.
type reportOptions struct {
	in, inEach, baseline []string
	out                  string
}

func newReportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render one HTML report from one run's outputs, several runs', or a sharded run's shards",
		Long: `report renders index.html, and summary.md beside it, from output folders:
the Ginkgo JSON reports in each (written by 'harness run' or by 'go tool ginkgo
--json-report'), the load summaries under load/, and run.json when present.
Use it on CI artifacts. Where several Ginkgo reports of one folder hold the
same spec, the newest result wins.

Several --in folders make one page. The shards of a sharded run (harness run
--shard I/N) are merged into one judgement: the Vegeta results of every shard
taken together, as the server saw them; their merged load summaries are
written under OUT/load/<run id>/. Other runs are set side by side, each run's targets a
row of the coverage matrix. Runs judged against different specs are named.
--baseline compares the page with an earlier run, such as last night's:
regressions, fixes, what is no longer judged, what is no longer run at all
(an API, a load scenario, a spec), and load measures that moved beyond noise.

What it writes: OUT/index.html and OUT/summary.md, and OUT/load/<run id>/ for
merged shards. Without --out, one --in folder is rendered again in place: its
index.html and summary.md are rewritten, nothing else in it. Several --in
folders and every --baseline folder are only read: --out is then a folder of
their own.

Exit status, as for 'harness run': 0 everything judged conforms, 1 a failure,
2 a usage error or an input that cannot be read (named; the page holds the
rest), 3 nothing judged.`,
		Example: `  harness report --in reports
  harness report --in shard-0 --in shard-1 --in shard-2 --out merged
  harness report --in-each shards --out merged
  harness report --in staging --in production --out both
  harness report --in tonight --baseline last-night --out tonight`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.OutOrStdout(), cmd.ErrOrStderr()) },
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&o.in, "in", nil, "output folder of a run; repeat for several runs or for the shards of one (default $"+results.OutDirEnv+", else reports/ at the module root)")
	fs.StringArrayVar(&o.inEach, "in-each", nil, "folder whose every subfolder is an --in folder, such as the shards of a sharded run side by side; repeatable")
	fs.StringVar(&o.out, "out", "", "folder to write index.html and summary.md to (default: the one --in folder, rendered again in place; required with several --in, and none of them nor a --baseline)")
	fs.StringArrayVar(&o.baseline, "baseline", nil, "output folder of an earlier run to compare with; repeat for its shards")
	return cmd
}

func (o reportOptions) run(stdout, stderr io.Writer) error {
	each, err := subfolders(o.inEach)
	if err != nil {
		return err
	}
	o.in = append(o.in, each...)
	if len(o.in) == 0 {
		o.in = []string{results.OutDir()}
	}
	out, err := o.outDir()
	if err != nil {
		return err
	}
	c, err := contract.Load()
	if err != nil {
		return err
	}
	view, problems, err := buildView(c, o.in, filepath.Join(out, "load"))
	if err != nil {
		for _, p := range problems {
			fmt.Fprintf(stderr, "harness: %s\n", p)
		}
		return err
	}
	if len(o.baseline) > 0 {
		scratch, err := os.MkdirTemp("", "harness-baseline-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(scratch)
		base, baseProblems, err := buildView(c, o.baseline, scratch)
		for _, p := range baseProblems {
			problems = append(problems, "baseline "+p)
		}
		if err != nil {
			problems = append(problems, "baseline: "+err.Error())
		} else {
			view.Changes = report.Compare(base, view)
		}
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "harness: %s\n", p)
	}
	if err := publish(stdout, view, filepath.Join(out, pageFile)); err != nil {
		return err
	}
	switch {
	case view.AnyFailed:
		return errFailed
	case len(problems) > 0:
		return inputError{fmt.Errorf("%s: the page holds the rest", contract.Plural(len(problems), "input problem"))}
	case view.Verdict == report.Incomplete:
		return errFailed
	case view.Verdict != report.Pass:
		return errNotJudged
	}
	return nil
}

// outDir is where the page goes: the one input's folder by default, never
// one of several inputs, which are only read.
func (o reportOptions) outDir() (string, error) {
	if o.out == "" {
		if len(o.in) > 1 {
			return "", usagef("--out is required with several --in folders: the page goes to a folder of its own")
		}
		o.out = o.in[0]
	}
	out, err := filepath.Abs(o.out)
	if err != nil {
		return "", usagef("--out: %w", err)
	}
	// One run's folder holds its own page; several runs' pages, whose
	// merged summaries go under --out, need a folder of their own, and a
	// baseline is never written to.
	guarded := o.baseline
	if len(o.in) > 1 {
		guarded = append(slices.Clone(o.in), o.baseline...)
	}
	for _, d := range guarded {
		if abs, err := filepath.Abs(d); err == nil && abs == out {
			return "", usagef("--out %s is one of the inputs, which report only reads: give a folder of its own", o.out)
		}
	}
	if info, err := os.Stat(out); err == nil && !info.IsDir() {
		return "", usagef("--out %s: not a folder", o.out)
	}
	return out, nil
}

// buildView builds one view from output folders: the shards of a sharded
// run merged (their summaries written under mergeDir), the other runs side
// by side. An input that cannot be read is named in problems and left
// out; err is set when nothing is left to render.
func buildView(c *contract.Contract, dirs []string, mergeDir string) (view *report.View, problems []string, err error) {
	if len(dirs) == 1 {
		if info, err := os.Stat(dirs[0]); err != nil || !info.IsDir() {
			return nil, nil, usagef("--in %s: not a folder", dirs[0])
		}
	}
	inputs, problems := readInputs(dirs)
	var srcs []report.Source
	for _, run := range groupRuns(inputs) {
		src, runProblems, err := run.source(c, mergeDir)
		problems = append(problems, runProblems...)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		srcs = append(srcs, src)
	}
	if len(srcs) == 0 {
		return nil, problems, inputError{fmt.Errorf("no readable run in %s", strings.Join(dirs, ", "))}
	}
	view, err = report.BuildRuns(srcs)
	if err != nil {
		problems = append(problems, err.Error())
	}
	if view == nil {
		return nil, problems, inputError{fmt.Errorf("no readable run in %s", strings.Join(dirs, ", "))}
	}
	return view, problems, nil
}

// input is one output folder as report reads it.
type input struct {
	dir     string
	info    results.RunInfo
	ginkgo  []string
	shard   *results.Shard // set for a shard of a sharded run
	summary []results.LoadSummary
}

// readInputs reads each folder's run.json, Ginkgo reports and load
// summaries; a folder that is missing or holds nothing of a run is named.
func readInputs(dirs []string) ([]input, []string) {
	var ins []input
	var problems []string
	for _, dir := range dirs {
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			problems = append(problems, fmt.Sprintf("--in %s: not a folder", dir))
			continue
		}
		in := input{dir: dir}
		var errs []error
		var err error
		if in.info, err = results.ReadRunInfo(dir); err != nil {
			errs = append(errs, err)
		}
		if in.ginkgo, err = report.FindGinkgoReports(dir); err != nil {
			errs = append(errs, err)
		}
		in.summary, err = results.ReadLoadSummaries(results.LoadDir(dir))
		if err != nil {
			errs = append(errs, err)
		}
		in.shard = in.info.Shard
		for _, s := range in.summary {
			if in.shard == nil && s.Shard != nil && s.Shard.Index >= 0 {
				in.shard = s.Shard
			}
		}
		if len(errs) > 0 {
			problems = append(problems, fmt.Sprintf("%s: %v", dir, errors.Join(errs...)))
		}
		if len(in.ginkgo) == 0 && len(in.summary) == 0 {
			if len(errs) == 0 {
				problems = append(problems, fmt.Sprintf("%s: no Ginkgo report and no load summary: not the output folder of a run", dir))
			}
			continue
		}
		ins = append(ins, in)
	}
	return ins, problems
}

// runGroup is one run of the page: one folder, or the shards of a
// sharded run.
type runGroup struct {
	label string
	ins   []input
}

// groupRuns puts the shards of one run together, in the order first
// given, and labels each run after its folder (a sharded run after its
// run id), telling apart runs whose folders share a name.
func groupRuns(ins []input) []runGroup {
	var groups []runGroup
	for _, in := range ins {
		if in.shard != nil {
			i := slices.IndexFunc(groups, func(g runGroup) bool { return g.ins[0].shard != nil && g.ins[0].shard.RunID == in.shard.RunID })
			if i >= 0 {
				groups[i].ins = append(groups[i].ins, in)
				continue
			}
		}
		groups = append(groups, runGroup{label: filepath.Base(filepath.Clean(in.dir)), ins: []input{in}})
	}
	used := map[string]int{}
	for i := range groups {
		g := &groups[i]
		if g.merged() {
			g.label = g.ins[0].shard.RunID
		}
		used[g.label]++
		if n := used[g.label]; n > 1 {
			g.label = fmt.Sprintf("%s #%d", g.label, n)
		}
	}
	return groups
}

// merged tells whether the run is shards to merge: two or more of one
// sharded run. A single shard's folder renders as that shard's own page.
func (g runGroup) merged() bool { return len(g.ins) > 1 }

// source is the run as the report reads it; a sharded run's shards are
// merged first, into mergeDir.
func (g runGroup) source(c *contract.Contract, mergeDir string) (report.Source, []string, error) {
	lead := g.ins[0]
	if !g.merged() {
		return report.Source{Dir: lead.dir, GinkgoFiles: lead.ginkgo, Contract: c, Secrets: secrets(), Label: g.label, Inputs: []string{lead.dir}}, nil, nil
	}
	var shards []load.ShardInput
	var problems []string
	for _, in := range g.ins {
		if in.shard.Index == 0 {
			lead = in // shard 0 ran conformance: its specs and run.json stand
		}
		s, err := load.ReadShard(in.dir)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		shards = append(shards, s)
	}
	if len(shards) == 0 {
		return report.Source{}, problems, fmt.Errorf("run %s: no shard's load results could be read", g.label)
	}
	if n := lead.shard.Count; len(g.ins) < n {
		problems = append(problems, fmt.Sprintf("run %s: %d of its %d shards given: the merge cannot see the load the others sent", g.label, len(g.ins), n))
	}
	merged, err := load.Merge(c, shards)
	if err != nil {
		problems = append(problems, fmt.Sprintf("run %s: %v", g.label, err))
	}
	dir := filepath.Join(mergeDir, fileSafe(g.label))
	for _, s := range merged {
		if err := results.WriteLoadSummary(dir, s); err != nil {
			return report.Source{}, problems, err
		}
	}
	info := lead.info
	if sh := shards[0].Summaries[0].Shard; sh != nil {
		whole := *sh
		whole.Index = -1
		info.Shard = &whole
	}
	src := report.Source{Dir: lead.dir, Run: &info, Contract: c, Secrets: secrets(), Label: g.label, LoadDir: dir, Merged: true}
	if lead.shard.Index == 0 {
		src.GinkgoFiles = lead.ginkgo
	}
	for _, in := range g.ins {
		src.Inputs = append(src.Inputs, in.dir)
	}
	return src, problems, nil
}

// fileSafe turns a run label into a folder name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' || r < ' ' {
			return '-'
		}
		return r
	}, s)
}

// publish writes the page with its Markdown summary beside it, and tells
// the user what it says and where it is.
func publish(w io.Writer, view *report.View, path string) error {
	if err := report.WriteHTML(path, view); err != nil {
		return err
	}
	if err := report.WriteMarkdown(filepath.Join(filepath.Dir(path), report.SummaryFile), view); err != nil {
		return err
	}
	if err := report.WriteTerminal(w, view); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "report: %s\n", path)
	return err
}
