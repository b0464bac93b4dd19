// The builder's spec part: one Ginkgo spec report into a Spec, locations from the module root.

package report

import (
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

// stateOf folds Ginkgo's states into the report's: every way of failing is a
// failure, except an interruption, which says nothing about the target. A
// spec skipped without a reason was filtered out or never reached (the run
// was interrupted first): not run; one that called Skip says why.
func stateOf(sr types.SpecReport) State {
	switch s := sr.State; {
	case s.Is(types.SpecStatePassed):
		return Passed
	case s.Is(types.SpecStateInterrupted | types.SpecStateAborted):
		return Interrupted
	case s.Is(types.SpecStateFailureStates):
		return Failed
	case sr.Failure.Message == "":
		return NotRun
	default:
		return Skipped
	}
}

// newSpec reads one Ginkgo spec report, redacting every secret.
func newSpec(sr types.SpecReport, secrets []string) Spec {
	redact := func(s string) string { return contract.Redact(s, secrets...) }
	s := Spec{
		Text:     redact(sr.FullText()),
		Name:     redact(sr.LeafNodeText),
		Labels:   sr.Labels(),
		State:    stateOf(sr),
		Duration: sr.RunTime,
		Location: relativeLocation(sr.LeafNodeLocation),
	}
	if s.Text == "" {
		s.Text = sr.LeafNodeType.String()
	}
	for _, l := range s.Labels {
		code, isStatus := results.StatusOfLabel(l)
		switch {
		case l == results.LabelLoad:
			s.Load = true
		case isStatus:
			s.Status = code
		case slices.Contains(contract.APIs(), contract.API(l)):
			s.API = l
		}
	}
	if texts := sr.ContainerHierarchyTexts; s.Load && len(texts) > 1 {
		s.Scenario = texts[len(texts)-1]
	}
	if sr.State != types.SpecStatePassed {
		s.Failure = redact(sr.Failure.Message)
		s.Reason = firstLine(s.Failure)
	}
	if what := outage(sr); what != "" && sr.State.Is(types.SpecStateSkipped) {
		s.State, s.Outage = Skipped, redact(what)
		if s.Reason == "" {
			s.Reason = "outage: " + s.Outage
		}
	}
	if s.State == Failed || s.State == Interrupted {
		s.Timeline = redact(relativeText(reporters.RenderTimeline(sr, true)))
	}
	if sr.Failure.Location.FileName != "" {
		s.Location = relativeLocation(sr.Failure.Location)
	}
	for _, ex := range entryValues[results.Exchange](sr, results.ExchangeEntry) {
		s.Exchanges = append(s.Exchanges, ex.Redacted(secrets...))
	}
	if advisories := entryValues[results.Advisory](sr, results.AdvisoryEntry); len(advisories) > 0 {
		a := advisories[len(advisories)-1].Redacted(secrets...)
		a.Title = redact(a.Title)
		s.Advisory = &a
	}
	for _, note := range entryValues[string](sr, results.NoteEntry) {
		s.Notes = append(s.Notes, redact(note))
	}
	return s
}

// modulePath is this module's path ("loginharness"), and moduleRoot where
// its sources were when the binary was built: an absolute folder, or the
// module path for a -trimpath build, which Ginkgo's code locations begin
// with.
var modulePath, moduleRoot = func() (string, string) {
	pkg := reflect.TypeFor[View]().PkgPath()
	const here = "internal/report"
	_, file, _, _ := runtime.Caller(0)
	dir := file[:max(0, strings.LastIndex(file, "/")+1)]
	return strings.TrimSuffix(pkg, "/"+here), strings.TrimSuffix(dir, here+"/")
}()

// relativeLocation shows a code location relative to the module root: a
// report travels as a CI artifact, where the folders of the machine that
// ran the suite mean nothing. A location outside the module stays whole.
func relativeLocation(loc types.CodeLocation) string {
	file := loc.FileName
	for _, prefix := range []string{moduleRoot, modulePath + "/"} {
		if rest, ok := strings.CutPrefix(file, prefix); ok && prefix != "" && prefix != "/" {
			file = rest
			break
		}
	}
	if loc.LineNumber == 0 {
		return file
	}
	return file + ":" + strconv.Itoa(loc.LineNumber)
}

// relativeText shows the code locations in a text from the module root.
func relativeText(s string) string {
	if moduleRoot == "" || moduleRoot == "/" {
		return s
	}
	return strings.ReplaceAll(s, moduleRoot, "")
}
