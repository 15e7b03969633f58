package report

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// Table is a table of text cells, printed the same way by every command:
// as aligned plain text (WriteText) or as a Markdown table
// (WriteMarkdown). Numbers are formatted by the caller (FormatQuantity).
type Table struct {
	Head []string
	Rows [][]string
	// Right says which columns align right (numbers); the others align
	// left. A nil Right aligns every column but the first right.
	Right []bool
}

func (t *Table) right(c int) bool {
	if t.Right == nil {
		return c > 0
	}
	return c < len(t.Right) && t.Right[c]
}

// Write writes t as Markdown when markdown is true, else as text.
func (t *Table) Write(w io.Writer, markdown bool) error {
	if markdown {
		return t.WriteMarkdown(w)
	}
	return t.WriteText(w)
}

// Mark is the footnote mark of a cell ("0.0108*": an end a joint rule
// cut, a point that did not converge, an estimate at a bound). In a
// right-aligned column of WriteText it hangs right of the column's
// numbers, so that a marked number lines up with the unmarked ones.
const Mark = "*"

// splitMark splits a right-aligned cell into its text and its trailing
// footnote mark ("" when it has none); a cell of marks only is text.
func splitMark(cell string) (text, mark string) {
	if t, ok := strings.CutSuffix(cell, Mark); ok && t != "" {
		return t, Mark
	}
	return cell, ""
}

// WriteText writes the header and rows as columns two spaces apart, each
// as wide as its widest cell (counted in runes), without trailing spaces.
// In a right-aligned column the cells' texts align right and their
// footnote marks (Mark) hang in a space of their own after it.
func (t *Table) WriteText(w io.Writer) error {
	rows := append([][]string{t.Head}, t.Rows...)
	// width[c] is the width of column c's texts, markWidth[c] that of the
	// marks after them (right-aligned columns only).
	var width, markWidth []int
	for _, r := range rows {
		for c, cell := range r {
			if c >= len(width) {
				width = append(width, 0)
				markWidth = append(markWidth, 0)
			}
			mark := ""
			if t.right(c) {
				cell, mark = splitMark(cell)
			}
			width[c] = max(width[c], utf8.RuneCountInString(cell))
			markWidth[c] = max(markWidth[c], utf8.RuneCountInString(mark))
		}
	}
	bw := bufio.NewWriter(w)
	var b strings.Builder
	pad := func(s string, n int) string { return strings.Repeat(" ", n-utf8.RuneCountInString(s)) }
	for _, r := range rows {
		b.Reset()
		for c, cell := range r {
			if c > 0 {
				b.WriteString("  ")
			}
			if t.right(c) {
				text, mark := splitMark(cell)
				b.WriteString(pad(text, width[c]) + text + mark + pad(mark, markWidth[c]))
			} else {
				b.WriteString(cell + pad(cell, width[c]))
			}
		}
		bw.WriteString(strings.TrimRight(b.String(), " "))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteMarkdown writes t as a Markdown (GitHub) table: numbers aligned
// right, cells escaped for Markdown.
func (t *Table) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	line := func(r []string) {
		bw.WriteString("|")
		for _, c := range r {
			bw.WriteString(" " + mdEscape(c) + " |")
		}
		bw.WriteByte('\n')
	}
	line(t.Head)
	bw.WriteString("|")
	for c := range t.Head {
		if t.right(c) {
			bw.WriteString("---:|")
		} else {
			bw.WriteString("---|")
		}
	}
	bw.WriteByte('\n')
	for _, r := range t.Rows {
		line(r)
	}
	return bw.Flush()
}

// mdEscape escapes text for a Markdown table cell or line. A "<" before
// a digit is left as it is ("<0.01%": no HTML tag begins so, and the
// file reads as it renders).
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "*", `\*`, "_", `\_`, "`", "'", ">", "&gt;")
	s = r.Replace(s)
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '<' && (i+1 == len(s) || s[i+1] < '0' || s[i+1] > '9') {
			b.WriteString("&lt;")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
