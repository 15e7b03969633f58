package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FormatFloat formats v with '.' decimals and the shortest representation
// that reads back to exactly v (strconv 'g', precision −1). It returns an
// error for NaN and ±Inf, which potash never writes.
func FormatFloat(v float64) (string, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "", fmt.Errorf("not a finite number: %v", v)
	}
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.FormatFloat(v, 'g', -1, 64), nil
}

// SafeCell makes a text cell safe to open in a spreadsheet: a cell whose
// first character would make Excel, LibreOffice or Google Sheets read it as
// a formula (= + - @, or a tab or carriage return that some of them strip
// first) is prefixed with a single quote, which the spreadsheet shows as
// text. Numbers are not text cells: write them with FormatFloat, never
// through SafeCell.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVWriter writes CSV rows whose cells are either text (made safe with
// SafeCell) or finite numbers (written with FormatFloat).
type CSVWriter struct {
	w    *csv.Writer
	line int
	rec  []string // reused between rows
}

// NewCSVWriter returns a CSVWriter on w with the given header.
func NewCSVWriter(w io.Writer, header ...string) (*CSVWriter, error) {
	cw := &CSVWriter{w: csv.NewWriter(w)}
	return cw, cw.Row(toCells(header)...)
}

// Cell is a CSV cell: text, or a number when IsNum.
type Cell struct {
	Text  string
	Num   float64
	IsNum bool
}

// Text returns a text cell; Num a number cell.
func Text(s string) Cell { return Cell{Text: s} }
func Num(v float64) Cell { return Cell{Num: v, IsNum: true} }
func toCells(s []string) []Cell {
	out := make([]Cell, len(s))
	for i, v := range s {
		out[i] = Text(v)
	}
	return out
}

// Row writes one row. A non-finite number is an error naming the row and
// column.
func (cw *CSVWriter) Row(cells ...Cell) error {
	if cap(cw.rec) < len(cells) {
		cw.rec = make([]string, len(cells))
	}
	rec := cw.rec[:len(cells)]
	for i, c := range cells {
		if c.IsNum {
			s, err := FormatFloat(c.Num)
			if err != nil {
				return fmt.Errorf("CSV row %d column %d: %w", cw.line+1, i+1, err)
			}
			rec[i] = s
			continue
		}
		t := c.Text
		if !utf8.ValidString(t) {
			t = strings.ToValidUTF8(t, "\uFFFD")
		}
		rec[i] = SafeCell(t)
	}
	cw.line++
	return cw.w.Write(rec)
}

// Flush flushes and returns any write error.
func (cw *CSVWriter) Flush() error {
	cw.w.Flush()
	return cw.w.Error()
}

// OptNum is a number cell for *p, or an empty text cell when p is nil.
func OptNum(p *float64) Cell {
	if p == nil {
		return Text("")
	}
	return Num(*p)
}
