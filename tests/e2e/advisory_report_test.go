package e2e

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"

	"loginharness/internal/mock"
	"loginharness/internal/report"
)

// advisoryCase is the JUnit case of the advisory named name, and the
// report's suites.
func advisoryCase(t *testing.T, out, name string) (reporters.JUnitTestCase, reporters.JUnitTestSuites) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc reporters.JUnitTestSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.TestSuites {
		if s.Name != report.AdvisorySuite {
			continue
		}
		for _, c := range s.TestCases {
			if strings.Contains(c.Name, "["+name+"]") {
				return c, doc
			}
		}
	}
	t.Fatalf("junit.xml has no %s case in an %s suite", name, report.AdvisorySuite)
	return reporters.JUnitTestCase{}, doc
}

// TestAdvisoriesShowInEveryOutput: a run on the cacheable-token drift
// passes (exit 0) and every output shows the raised advisory apart from
// the verdict: the line under it on the terminal, its own JUnit suite
// where the case passes with state=raised, the page's section. Gated, the
// run fails (exit 1) on the advisory alone and its JUnit case fails.
func TestAdvisoriesShowInEveryOutput(t *testing.T) {
	t.Parallel()
	const raised = "credential-answers-not-stored"
	out := t.TempDir()
	o := harness(t, invocation{args: []string{"run", "--skip-load", "--drift", string(mock.DriftCacheableToken), "--out", out}})
	wantHead := "verdict: PASS\nadvisories: 10 passed, 1 raised, 0 not judged (not gating: --advisories-gate)\n  ! commvault: Credential answers say Cache-Control: no-store: "
	if o.code != 0 || !strings.HasPrefix(o.stdout, wantHead) {
		t.Fatalf("exit %d, want 0 and the terminal to begin %q\n%s", o.code, wantHead, tail(o.output()))
	}
	c, doc := advisoryCase(t, out, raised)
	if c.Failure != nil || c.Skipped != nil || c.Status != "raised" || !strings.Contains(c.SystemOut, "no-store") ||
		c.Properties == nil || !strings.Contains(junitProperties(c), "state=raised") {
		t.Errorf("raised, not gated: want a passing case with state=raised and the message in system-out: %+v", c)
	}
	if doc.Failures != 0 {
		t.Errorf("junit.xml counts %d failures, want none", doc.Failures)
	}
	page, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `id="advisories"`) || !strings.Contains(string(page), `data-advisory="`+raised+`" data-api="commvault" data-state="raised"`) {
		t.Error("index.html has no advisories section with the raised advisory")
	}

	gated := t.TempDir()
	g := harness(t, invocation{args: []string{"run", "--skip-load", "--drift", string(mock.DriftCacheableToken), "--advisories-gate", "--out", gated}})
	if g.code != 1 || !strings.HasPrefix(g.stdout, "verdict: FAIL\n  - 1 advisory raised (gated)\n") {
		t.Errorf("gated: exit %d, want 1 failing for the advisory alone\n%s", g.code, tail(g.output()))
	}
	if c, doc := advisoryCase(t, gated, raised); c.Failure == nil || doc.TestSuites[0].Failures != 0 {
		t.Errorf("gated: the advisory's case %+v should fail, and the contract's suite count no failure (%d)", c, doc.TestSuites[0].Failures)
	}
}

// junitProperties reads a case's properties as "name=value" lines.
func junitProperties(c reporters.JUnitTestCase) string {
	var b strings.Builder
	for _, p := range c.Properties.Properties {
		b.WriteString(p.Name + "=" + p.Value + "\n")
	}
	return b.String()
}
