package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"loginharness/internal/contract"
	"loginharness/internal/report"
	"loginharness/internal/results"
)

// pageFile is the report page's name in an output folder.
const pageFile = "index.html"

// reportOptions are the flags of `harness report`.
type reportOptions struct {
	in, out string
}

func newReportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render the HTML report again from a run's JSON outputs",
		Long: `report renders index.html, and summary.md beside it, from an output folder:
the Ginkgo JSON reports in it (written by 'harness run' or by 'go tool ginkgo
--json-report'), the load summaries under load/, and run.json when present.
Use it on CI artifacts.
Where several Ginkgo reports hold the same spec, the newest result wins.
It exits 0 once the page is written, whatever the verdict.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.OutOrStdout()) },
	}
	cmd.Flags().StringVar(&o.in, "in", "", "output folder of a run (default $"+results.OutDirEnv+", else reports/ at the module root)")
	cmd.Flags().StringVar(&o.out, "out", "", "page to write (default IN/index.html)")
	return cmd
}

func (o reportOptions) run(stdout io.Writer) error {
	if o.in == "" {
		o.in = results.OutDir()
	}
	if info, err := os.Stat(o.in); err != nil || !info.IsDir() {
		return usagef("--in %s: not a folder", o.in)
	}
	if o.out == "" {
		o.out = filepath.Join(o.in, pageFile)
	}
	c, err := contract.Load()
	if err != nil {
		return err
	}
	files, err := report.FindGinkgoReports(o.in)
	if err != nil {
		return err
	}
	page, err := report.Build(report.Source{Dir: o.in, GinkgoFiles: files, Contract: c, Secrets: secrets()})
	if err != nil {
		return err
	}
	return publish(stdout, page, o.out)
}

// publish writes the page with its Markdown summary beside it, and tells
// the user what it says and where it is.
func publish(w io.Writer, page *report.Page, path string) error {
	if err := page.WriteHTML(path); err != nil {
		return err
	}
	if err := page.WriteMarkdown(filepath.Join(filepath.Dir(path), report.SummaryFile)); err != nil {
		return err
	}
	if err := page.WriteSummary(w); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "report: %s\n", path)
	return err
}
