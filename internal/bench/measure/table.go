package measure

import (
	"strings"
	"unicode/utf8"
)

// table is a titled text table with aligned columns; numbers (cells that
// start with a digit, a sign or a dot) are right-aligned.
type table struct {
	Title  string
	Header []string
	Rows   [][]string
	Notes  []string // printed under the table
}

// Add appends a row; short rows are padded, long rows keep their extra cells.
func (t *table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Render writes the table as text.
func (t *table) Render() string {
	cols := len(t.Header)
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	width := make([]int, cols)
	for _, r := range append([][]string{t.Header}, t.Rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	if t.Title != "" {
		b.WriteString(t.Title + "\n")
	}
	line := func(cells []string, header bool) {
		var lb strings.Builder
		for i := range cols {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				lb.WriteString("  ")
			}
			if !header && isNumeric(c) {
				lb.WriteString(pad + c)
			} else {
				lb.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(lb.String(), " ") + "\n")
	}
	if len(t.Header) > 0 {
		line(t.Header, true)
		rule := make([]string, cols)
		for i := range rule {
			rule[i] = strings.Repeat("-", width[i])
		}
		line(rule, true)
	}
	for _, r := range t.Rows {
		line(r, false)
	}
	for _, n := range t.Notes {
		b.WriteString("  " + n + "\n")
	}
	return b.String()
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return c >= '0' && c <= '9' || c == '-' && len(s) > 1 || c == '+' || c == '.'
}
