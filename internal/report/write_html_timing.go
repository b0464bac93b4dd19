// The page's drawing of the timing advisory: both samples as dots on one
// time axis, with their medians.

package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"loginharness/internal/results"
)

// Geometry of the timing plot, in SVG units.
const (
	plotWidth  = 640.0
	plotLeft   = 170.0 // room for the row labels
	plotRight  = 20.0
	rowHeight  = 46.0
	plotTop    = 10.0
	axisHeight = 30.0
)

// timingPlot draws a timing comparison as an inline SVG strip plot: a row
// of dots per sample (existing account, wrong password; unknown account),
// each dot one sign-in, spread a little up and down so equal times stay
// visible, a bar at each median, and a time axis. Every value written is
// a number the harness computed, so the markup is safe.
func timingPlot(t *results.Timing) template.HTML {
	if t == nil || len(t.ExistingMS)+len(t.UnknownMS) == 0 {
		return ""
	}
	top := 0.0
	for _, sample := range [][]float64{t.ExistingMS, t.UnknownMS} {
		for _, ms := range sample {
			top = math.Max(top, ms)
		}
	}
	top = niceCeiling(top * 1.05)
	x := func(ms float64) float64 { return plotLeft + (plotWidth-plotLeft-plotRight)*ms/top }
	height := plotTop + 2*rowHeight + axisHeight
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timing-plot" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="system-ui, sans-serif">`, plotWidth, height, plotWidth, height)
	b.WriteString(`<title>sign-in times: existing account with a wrong password against unknown account</title>`)
	rows := []struct {
		label, colour string
		sample        []float64
		median        float64
	}{{"existing, wrong password", "#cf222e", t.ExistingMS, t.MedianExistingMS}, {"unknown account", "#0969da", t.UnknownMS, t.MedianUnknownMS}}
	for i, r := range rows {
		mid := plotTop + rowHeight*(float64(i)+0.5)
		fmt.Fprintf(&b, `<text x="4" y="%.1f" dominant-baseline="middle" fill="#1f2328">%s (%d)</text>`, mid, r.label, len(r.sample))
		for j, ms := range r.sample {
			jitter := (float64(j%7) - 3) * 4
			fmt.Fprintf(&b, `<circle class="dot" data-sample="%d" cx="%.1f" cy="%.1f" r="3.5" fill="%s" fill-opacity="0.55"><title>%.2f ms</title></circle>`, i, x(ms), mid+jitter, r.colour, ms)
		}
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="3"><title>median %.2f ms</title></line>`,
			x(r.median), x(r.median), mid-rowHeight/2+4, mid+rowHeight/2-4, r.colour, r.median)
	}
	axis := plotTop + 2*rowHeight
	fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#59636e"/>`, plotLeft, plotWidth-plotRight, axis, axis)
	for i := 0; i <= 4; i++ {
		ms := top * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#59636e"/><text x="%.1f" y="%.1f" text-anchor="middle" fill="#59636e">%s ms</text>`,
			x(ms), x(ms), axis, axis+4, x(ms), axis+18, trimFloat(ms))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeiling rounds v up to 1, 2 or 5 times a power of ten, for the
// axis's end; 1 for nothing to show.
func niceCeiling(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// trimFloat writes a tick's value without needless decimals: "2.5", "10".
func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// advisoryCSS is the badge class of an advisory's state.
func advisoryCSS(a Advisory) string {
	switch {
	case a.SpecState == Failed:
		return "failed"
	case a.State == results.AdvisoryRaised:
		return "raised"
	case a.State == results.AdvisoryPassed:
		return "passed"
	}
	return "not-judged"
}
