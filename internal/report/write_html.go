// The HTML writer: the view through page.html.tmpl, assets inline.

package report

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tsenart/vegeta/v12/lib/plot"

	"loginharness/internal/contract"
	"loginharness/internal/results"
)

//go:embed page.html.tmpl assets/report.css assets/report.js
var files embed.FS

// pageAssets are inlined into every page, so it opens offline from a CI
// artifact. The chart library is the dygraphs build Vegeta ships for its
// own `vegeta plot` pages, reused rather than vendored a second time.
type pageAssets struct {
	CSS, ChartCSS template.CSS
	JS, ChartJS   template.JS
}

var loadAssets = sync.OnceValues(func() (pageAssets, error) {
	css, cssErr := files.ReadFile("assets/report.css")
	js, jsErr := files.ReadFile("assets/report.js")
	chartCSS, chartCSSErr := readAll(plot.Assets, "/dygraph.css")
	chartJS, chartJSErr := readAll(plot.Assets, "/dygraph.min.js")
	if err := errors.Join(cssErr, jsErr, chartCSSErr, chartJSErr); err != nil {
		return pageAssets{}, fmt.Errorf("report assets: %w", err)
	}
	return pageAssets{
		CSS: template.CSS(css), JS: template.JS(js),
		ChartCSS: template.CSS(chartCSS), ChartJS: template.JS(chartJS),
	}, nil
})

func readAll(fsys http.FileSystem, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

var pageTemplate = template.Must(template.New("page.html.tmpl").Funcs(template.FuncMap{
	"short":      func(s string) string { return contract.Truncate(s, 12) },
	"stamp":      stampText,
	"duration":   func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"stateCSS":   func(s any) string { return strings.ReplaceAll(fmt.Sprint(s), " ", "-") },
	"verdictCSS": func(v RunVerdict) string { return strings.ReplaceAll(string(v), " ", "-") },
	"symbol": func(s State) string {
		return map[State]string{Passed: "✓", Failed: "✗", Skipped: "–", Interrupted: "!", NotRun: "·"}[s]
	},
	"hasFindings": func(s Spec) bool {
		return slices.ContainsFunc(s.Exchanges, func(ex results.Exchange) bool { return len(ex.Findings) > 0 })
	},
	"client": func(name string, run results.ClientRun, naive bool) any {
		return struct {
			Name  string
			Run   results.ClientRun
			Naive bool
			Width string
		}{name, run, naive, fmt.Sprintf("%.1f%%", 100*min(max(run.GoodputOfLimit, 0), 1))}
	},
	"breakable":   breakable,
	"timingPlot":  timingPlot,
	"advisoryCSS": advisoryCSS,
	"mul":         func(a, b float64) float64 { return a * b },
	"percent":     func(n, total int) string { return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(max(total, 1))) },
}).ParseFS(files, "page.html.tmpl"))

// WriteHTML writes the view's page to path, atomically.
func WriteHTML(path string, v *View) error {
	var buf bytes.Buffer
	if err := RenderHTML(&buf, v); err != nil {
		return err
	}
	return results.WriteFileAtomic(path, buf.Bytes())
}

// RenderHTML writes the view's page to w: one file with its CSS, script
// and chart library inline, so it opens offline from a CI artifact.
func RenderHTML(w io.Writer, v *View) error {
	assets, err := loadAssets()
	if err != nil {
		return err
	}
	return pageTemplate.Execute(w, struct {
		*View
		Assets pageAssets
	}{v, assets})
}

// breakable lets a URL or a path wrap after its slashes, and nowhere
// else: never in a host name, a port or between the slashes of "://".
func breakable(s string) template.HTML {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest = "", s
	} else {
		scheme += "://"
	}
	return template.HTML(template.HTMLEscapeString(scheme) + strings.ReplaceAll(template.HTMLEscapeString(rest), "/", "/<wbr>"))
}
