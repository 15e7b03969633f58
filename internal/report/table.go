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

// WriteText writes the header and rows as columns two spaces apart, each
// as wide as its widest cell (counted in runes), without trailing spaces.
func (t *Table) WriteText(w io.Writer) error {
	rows := append([][]string{t.Head}, t.Rows...)
	var width []int
	for _, r := range rows {
		for c, cell := range r {
			if c >= len(width) {
				width = append(width, 0)
			}
			width[c] = max(width[c], utf8.RuneCountInString(cell))
		}
	}
	bw := bufio.NewWriter(w)
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for c, cell := range r {
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell))
			if c > 0 {
				b.WriteString("  ")
			}
			if t.right(c) {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
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

// mdEscape escapes text for a Markdown table cell or line.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "*", `\*`, "_", `\_`, "`", "'", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}
