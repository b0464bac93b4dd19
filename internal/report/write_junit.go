// The JUnit writer.

package report

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"

	"loginharness/internal/results"
)

// WriteJUnit writes the view's JUnit report to path, atomically: one test
// suite, one test case per spec, and the login advisories in a suite of
// their own (AdvisorySuite). Unlike Ginkgo's own it leaves out the
// specs the run's label filter never selected, which Ginkgo lists as
// skipped: a CI view would count them with the real skips. Each spec not
// judged is a skip that keeps its reason, so JUnit's skipped count is the
// view's; the suite is named by the module path rather than a folder of the
// machine that ran it, and the verdict line and the skips are properties.
func WriteJUnit(path string, v *View) error {
	suite := reporters.JUnitTestSuite{Name: modulePath, Package: modulePath}
	var failureReasons []string
	succeeded := true
	for i, s := range v.Suites {
		if i == 0 {
			suite.Name = s.Description
			suite.Timestamp = s.Started.Format("2006-01-02T15:04:05")
		}
		suite.Time += s.Duration.Seconds()
		succeeded = succeeded && s.Succeeded
		failureReasons = append(failureReasons, s.FailureReasons...)
	}
	for _, s := range v.Specs {
		if s.FilteredOut {
			continue
		}
		suite.TestCases = append(suite.TestCases, junitCase(s, suite.Name))
		suite.Tests++
		switch s.State {
		case Skipped, NotRun:
			suite.Skipped++
		case Failed:
			suite.Failures++
		case Interrupted:
			suite.Errors++
		}
	}
	suite.Properties.Properties = []reporters.JUnitProperty{
		{Name: "SuiteSucceeded", Value: fmt.Sprint(succeeded && len(v.Suites) > 0)},
		{Name: "SpecialSuiteFailureReason", Value: strings.Join(failureReasons, ",")},
		{Name: "LabelFilter", Value: v.Run.LabelFilter},
		{Name: "Verdict", Value: v.VerdictLine()},
		{Name: "Skipped", Value: skipProperty(v)},
	}
	doc := reporters.JUnitTestSuites{TestSuites: []reporters.JUnitTestSuite{suite}}
	if adv, ok := advisorySuite(v, suite.Timestamp); ok {
		doc.TestSuites = append(doc.TestSuites, adv)
	}
	for _, s := range doc.TestSuites {
		doc.Tests += s.Tests
		doc.Disabled += s.Skipped
		doc.Errors += s.Errors
		doc.Failures += s.Failures
		doc.Time += s.Time
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return results.WriteFileAtomic(path, append([]byte(xml.Header), append(out, '\n')...))
}

// junitCase is one spec as Ginkgo's JUnit reporter names it: its text and
// labels; a skip's message "skipped - <reason>" as Ginkgo writes it.
func junitCase(s Spec, class string) reporters.JUnitTestCase {
	name := s.Text
	if len(s.Labels) > 0 {
		name += " [" + strings.Join(s.Labels, ", ") + "]"
	}
	c := reporters.JUnitTestCase{Name: name, Classname: class, Status: string(s.State), Time: s.Duration.Seconds()}
	description := s.Failure
	if s.Location != "" {
		description += "\nIn " + s.Location
	}
	switch s.State {
	case Skipped:
		c.Skipped = &reporters.JUnitSkipped{Message: "skipped - " + s.Failure}
	case NotRun:
		c.Status, c.Skipped = string(Skipped), &reporters.JUnitSkipped{Message: "skipped"}
	case Failed:
		c.Failure = &reporters.JUnitFailure{Message: s.Failure, Type: "failed", Description: description}
		c.SystemErr = s.Timeline
	case Interrupted:
		c.Error = &reporters.JUnitError{Message: s.Failure, Type: "interrupted", Description: description}
		c.SystemErr = s.Timeline
	}
	return c
}

// skipProperty lists the skip groups, one line each.
func skipProperty(v *View) string {
	var b strings.Builder
	for _, k := range v.Skips {
		fmt.Fprintf(&b, "%s, %d: %s\n", k.Where, len(k.Specs), k.Reason)
	}
	return b.String()
}

// AdvisorySuite names the JUnit suite of the login advisories, apart from
// the contract's specs.
const AdvisorySuite = "advisories"

// advisorySuite is the advisories' JUnit suite, one case per advisory: a
// raised one it gated on fails, a raised one it did not passes with its
// message in system-out and a state=raised property, one not judged is
// skipped with the reason, a check that broke before judging fails. False
// when the view holds no advisory.
func advisorySuite(v *View, timestamp string) (reporters.JUnitTestSuite, bool) {
	suite := reporters.JUnitTestSuite{Name: AdvisorySuite, Package: modulePath, Timestamp: timestamp}
	for _, g := range v.Advisories.Groups {
		for _, a := range g.List {
			c := reporters.JUnitTestCase{Name: g.Title + ": " + a.Title + " [" + a.Name + "]", Classname: AdvisorySuite, Status: a.StateText(), Time: a.Duration.Seconds()}
			props := []reporters.JUnitProperty{{Name: "state", Value: string(a.State)}, {Name: "target", Value: a.Target}}
			if a.Cost != "" {
				props = append(props, reporters.JUnitProperty{Name: "cost", Value: a.Cost})
			}
			c.Properties = &reporters.JUnitProperties{Properties: props}
			switch {
			case a.SpecState == Failed:
				c.Failure = &reporters.JUnitFailure{Message: a.Line(), Type: "failed", Description: advisoryDetail(a)}
				suite.Failures++
			case a.State == results.AdvisoryNotJudged:
				c.Skipped = &reporters.JUnitSkipped{Message: "skipped - " + a.Message}
				suite.Skipped++
			case a.State == results.AdvisoryRaised:
				c.SystemOut = advisoryDetail(a)
			}
			suite.TestCases = append(suite.TestCases, c)
			suite.Tests++
			suite.Time += c.Time
		}
	}
	suite.Properties.Properties = []reporters.JUnitProperty{{Name: "Advisories", Value: v.Advisories.Line()}}
	return suite, suite.Tests > 0
}

// advisoryDetail is an advisory's message, evidence and references, a
// line each.
func advisoryDetail(a Advisory) string {
	lines := []string{a.Message}
	for _, e := range a.Evidence {
		lines = append(lines, "- "+e)
	}
	if len(a.References) > 0 {
		lines = append(lines, "references: "+strings.Join(a.References, "; "))
	}
	if a.Cost != "" {
		lines = append(lines, "cost: "+a.Cost)
	}
	return strings.Join(lines, "\n")
}
