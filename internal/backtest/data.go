package backtest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// Reference files the back-test reads through scenarios.Reference
// (embedded in the binary; sources in scenarios/data/reference/README.md
// and docs/BACKTEST.md).
const (
	PinkSheetFile = "pinksheet-fertilizer-monthly.csv"
	FAOSTATFile   = "faostat-potash-k2o.csv"
)

// K2OShareOfKCl is the K2O content of standard muriate of potash (MOP,
// 60% K2O), t K2O per t KCl product. Pure KCl is 63.2% K2O; the Pink Sheet
// and most trade statistics quote standard 60% grade.
const K2OShareOfKCl = 0.60

// K2OToKCl converts tonnes of K2O nutrient to million tonnes of KCl
// product: Mt KCl = t K2O / 0.60 / 1e6.
func K2OToKCl(tK2O float64) float64 { return tK2O / K2OShareOfKCl / 1e6 }

// Series is a monthly series without gaps in its months: Values[k] is the
// value of month Start+k. A NaN value means "not published".
type Series struct {
	Start  model.Month
	Values []float64
}

// Len returns the number of months.
func (s Series) Len() int { return len(s.Values) }

// End returns the last month of s (Start−1 when s is empty).
func (s Series) End() model.Month { return s.Start + model.Month(len(s.Values)) - 1 }

// At returns the value in month t and whether it is published (inside the
// series and not NaN).
func (s Series) At(t model.Month) (float64, bool) {
	k := int(t - s.Start)
	if k < 0 || k >= len(s.Values) || math.IsNaN(s.Values[k]) {
		return math.NaN(), false
	}
	return s.Values[k], true
}

// Before returns a copy of s holding only the months before cut.
func (s Series) Before(cut model.Month) Series {
	n := int(cut - s.Start)
	if n < 0 {
		n = 0
	}
	if n > len(s.Values) {
		n = len(s.Values)
	}
	return Series{Start: s.Start, Values: append([]float64(nil), s.Values[:n]...)}
}

// clone returns a deep copy of s.
func (s Series) clone() Series {
	return Series{Start: s.Start, Values: append([]float64(nil), s.Values...)}
}

// Mean returns the mean of the published values in months from..to
// (inclusive) and how many there were.
func (s Series) Mean(from, to model.Month) (float64, int) {
	var sum float64
	n := 0
	for t := from; t <= to; t++ {
		if v, ok := s.At(t); ok {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN(), 0
	}
	return sum / float64(n), n
}

// Annual is a yearly series: Values[k] belongs to Years[k] (ascending).
type Annual struct {
	Years  []int
	Values []float64
}

// At returns the value of year y and whether it exists.
func (a Annual) At(y int) (float64, bool) {
	for k, yy := range a.Years {
		if yy == y {
			return a.Values[k], true
		}
	}
	return math.NaN(), false
}

func (a Annual) clone() Annual {
	return Annual{Years: append([]int(nil), a.Years...), Values: append([]float64(nil), a.Values...)}
}

// Record is what actually happened: the monthly prices the back-test
// compares with and drives the model with, and annual exports.
type Record struct {
	// Potash is the Pink Sheet potassium chloride price, $/t: Brazil CFR
	// granular from 2020-01 (f.o.b. Vancouver before: not comparable and
	// not used).
	Potash Series
	// Maize, Soybeans and Wheat are the Pink Sheet crop prices, $/t.
	Maize, Soybeans, Wheat Series
	// Gas is the Pink Sheet European natural gas price, $/mmBtu.
	Gas Series
	// Exports are annual export volumes by supplier name, Mt KCl
	// (FAOSTAT K2O converted by K2OToKCl).
	Exports map[string]Annual
	// CPI is the US consumer price index, annual averages
	// (scenarios.RecordedPriceLevel): the model works in constant
	// base-year dollars, the record in current ones. Nil: no deflation.
	CPI *scenarios.PriceLevel
}

// Clone returns a deep copy of r.
func (r *Record) Clone() *Record {
	c := &Record{
		Potash:   r.Potash.clone(),
		Maize:    r.Maize.clone(),
		Soybeans: r.Soybeans.clone(),
		Wheat:    r.Wheat.clone(),
		Gas:      r.Gas.clone(),
		Exports:  make(map[string]Annual, len(r.Exports)),
		CPI:      r.CPI.Clone(),
	}
	for k, v := range r.Exports {
		c.Exports[k] = v.clone()
	}
	return c
}

// InSample is the part of a Record strictly before a cut-off month. It is
// the only view of the data that Fit receives: it is built by
// Record.Before, which copies the data it keeps, so nothing reachable from
// an InSample depends on any observation from the cut-off month on.
type InSample struct {
	cut model.Month
	rec Record
}

// Before returns the data strictly before cut: monthly series end at
// cut−1, and annual exports and price-level averages keep only years whose
// December is before cut.
// The result shares no memory with r.
func (r *Record) Before(cut model.Month) *InSample {
	w := &InSample{cut: cut, rec: Record{
		Potash:   r.Potash.Before(cut),
		Maize:    r.Maize.Before(cut),
		Soybeans: r.Soybeans.Before(cut),
		Wheat:    r.Wheat.Before(cut),
		Gas:      r.Gas.Before(cut),
		Exports:  make(map[string]Annual, len(r.Exports)),
		CPI:      r.CPI.Before(cut),
	}}
	for name, a := range r.Exports {
		var b Annual
		for k, y := range a.Years {
			if model.NewMonth(y, 12) < cut {
				b.Years = append(b.Years, y)
				b.Values = append(b.Values, a.Values[k])
			}
		}
		w.rec.Exports[name] = b
	}
	return w
}

// Cut returns the cut-off: the first month the InSample does not hold.
func (w *InSample) Cut() model.Month { return w.cut }

// Record returns a deep copy of the in-sample data.
func (w *InSample) Record() *Record { return w.rec.Clone() }

// Pink Sheet column names used by ParseRecord.
const (
	colPotash = "potash_kcl_usd_per_t"
	colMaize  = "maize_usd_per_t"
	colSoy    = "soybeans_usd_per_t"
	colWheat  = "wheat_us_hrw_usd_per_t"
	colGas    = "natural_gas_europe_usd_per_mmbtu"
)

// ParseRecord parses a Pink Sheet monthly CSV (columns "month" as
// 2020M01 and the price columns named in data/SOURCES.md) and a FAOSTAT
// long CSV (country, year, measure, unit, value with measure "Export
// quantity" in t K2O). Errors name the file, line and column.
func ParseRecord(psName string, ps []byte, faName string, fa []byte) (*Record, error) {
	r := &Record{Exports: map[string]Annual{}}
	if err := parsePinkSheet(psName, ps, r); err != nil {
		return nil, err
	}
	if err := parseFAOSTAT(faName, fa, r); err != nil {
		return nil, err
	}
	return r, nil
}

func readCSV(name string, data []byte) ([]string, [][]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, rec)
	}
	return header, rows, nil
}

func colIndex(name string, header []string, col string) (int, error) {
	for k, h := range header {
		if strings.TrimSpace(h) == col {
			return k, nil
		}
	}
	return -1, fmt.Errorf("%s:1: missing column %q", name, col)
}

func parsePinkSheet(name string, data []byte, r *Record) error {
	header, rows, err := readCSV(name, data)
	if err != nil {
		return err
	}
	cols := []string{"month", colPotash, colMaize, colSoy, colWheat, colGas}
	idx := make([]int, len(cols))
	for k, c := range cols {
		if idx[k], err = colIndex(name, header, c); err != nil {
			return err
		}
	}
	series := []*Series{&r.Potash, &r.Maize, &r.Soybeans, &r.Wheat, &r.Gas}
	for n, row := range rows {
		line := n + 2
		t, err := scenarios.ParsePinkSheetMonth(row[idx[0]])
		if err != nil {
			return fmt.Errorf("%s:%d:%d: month: %w", name, line, idx[0]+1, err)
		}
		if n == 0 {
			for _, s := range series {
				s.Start = t
			}
		} else if want := series[0].End() + 1; t != want {
			return fmt.Errorf("%s:%d:%d: month: got %v, want %v (months must be consecutive)", name, line, idx[0]+1, t, want)
		}
		for k, s := range series {
			c := idx[k+1]
			txt := strings.TrimSpace(row[c])
			v := math.NaN()
			if txt != "" {
				v, err = strconv.ParseFloat(txt, 64)
				if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || v <= 0 {
					return fmt.Errorf("%s:%d:%d: %s: %q is not a positive number", name, line, c+1, cols[k+1], txt)
				}
			}
			s.Values = append(s.Values, v)
		}
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s: no rows", name)
	}
	return nil
}

func parseFAOSTAT(name string, data []byte, r *Record) error {
	header, rows, err := readCSV(name, data)
	if err != nil {
		return err
	}
	cols := []string{"country", "year", "measure", "unit", "value"}
	idx := make([]int, len(cols))
	for k, c := range cols {
		if idx[k], err = colIndex(name, header, c); err != nil {
			return err
		}
	}
	type yv struct {
		y int
		v float64
	}
	by := map[string][]yv{}
	for n, row := range rows {
		line := n + 2
		if strings.TrimSpace(row[idx[2]]) != "Export quantity" {
			continue
		}
		if u := strings.TrimSpace(row[idx[3]]); u != "t" {
			return fmt.Errorf("%s:%d:%d: unit: %q, want t (tonnes K2O)", name, line, idx[3]+1, u)
		}
		y, err := strconv.Atoi(strings.TrimSpace(row[idx[1]]))
		if err != nil || y < 1900 || y > 2200 {
			return fmt.Errorf("%s:%d:%d: year: %q is not a year", name, line, idx[1]+1, row[idx[1]])
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(row[idx[4]]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("%s:%d:%d: value: %q is not a non-negative number", name, line, idx[4]+1, row[idx[4]])
		}
		c := strings.TrimSpace(row[idx[0]])
		for _, p := range by[c] {
			if p.y == y {
				return fmt.Errorf("%s:%d: %s %d: duplicate export row", name, line, c, y)
			}
		}
		by[c] = append(by[c], yv{y, v})
	}
	for c, list := range by {
		sort.Slice(list, func(a, b int) bool { return list[a].y < list[b].y })
		var a Annual
		for _, p := range list {
			a.Years = append(a.Years, p.y)
			a.Values = append(a.Values, K2OToKCl(p.v))
		}
		r.Exports[c] = a
	}
	return nil
}
