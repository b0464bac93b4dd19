package report

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/results"
)

// WriteJUnit writes the run's JUnit report, atomically, from the Ginkgo
// JSON report it ran with. Unlike Ginkgo's own it leaves out the specs the
// run's label filter never selected, which Ginkgo lists as skipped: a CI
// view would count them with the real skips. Each real skip keeps its
// reason, the suite is named by the module path rather than a folder of
// the machine that ran it, and the verdict and the skips are properties.
func (p *Page) WriteJUnit(ginkgoJSON, path string) error {
	f, err := readGinkgoFile(ginkgoJSON)
	if err != nil {
		return err
	}
	selected, err := types.ParseLabelFilter(p.Run.LabelFilter)
	if err != nil {
		return fmt.Errorf("junit: label filter %q: %w", p.Run.LabelFilter, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".junit-*.xml")
	if err != nil {
		return err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	r := f.Reports[0]
	r.SuitePath = modulePath
	r.SpecReports = nil
	for _, sr := range f.Reports[0].SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt || selected(sr.Labels()) {
			r.SpecReports = append(r.SpecReports, sr)
		}
	}
	config := reporters.JunitReportConfig{OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped, OmitLeafNodeType: true}
	if err := reporters.GenerateJUnitReportWithConfig(r, tmp.Name(), config); err != nil {
		return err
	}
	data, err := os.ReadFile(tmp.Name())
	if err != nil {
		return err
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(data, &suites); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	for i := range suites.TestSuites {
		props := &suites.TestSuites[i].Properties.Properties
		*props = append(*props,
			reporters.JUnitProperty{Name: "Verdict", Value: p.Headline()},
			reporters.JUnitProperty{Name: "Skipped", Value: p.skipProperty()})
	}
	out, err := xml.MarshalIndent(suites, "", "  ")
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return results.WriteFileAtomic(path, append([]byte(xml.Header), append(out, '\n')...))
}

// skipProperty lists the skip groups in one line each.
func (p *Page) skipProperty() string {
	out := ""
	for _, k := range p.Skips {
		out += fmt.Sprintf("%s, %d: %s\n", k.Where, len(k.Specs), k.Reason)
	}
	return out
}
