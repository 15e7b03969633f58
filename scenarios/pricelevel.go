package scenarios

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/potash-sim/potash/model"
)

// This file holds the general price level the market's money is measured
// against. The model works in constant base-year dollars (its costs,
// freight and the demand curve's reference price are base-year numbers);
// the Pink Sheet's crop prices are current dollars. The crop-price driver
// therefore deflates them (CropPrices.Deflated) before it builds its
// index: demand answers the real crop price and the real potash price,
// so that general inflation alone moves no quantity (homogeneity of
// degree zero; docs/MODEL.md, section 7, "Real crop prices").

// PriceLevelFile is the embedded US consumer price index (BLS CPI-U),
// annual averages.
const PriceLevelFile = "bls-cpi-u-annual.csv"

// PriceLevel is an annual price index: Values[k] is the average of year
// First+k (consecutive years).
type PriceLevel struct {
	First  int
	Values []float64
}

// Last returns the last year of l.
func (l *PriceLevel) Last() int { return l.First + len(l.Values) - 1 }

// Annual returns the average of year y and whether l has it.
func (l *PriceLevel) Annual(y int) (float64, bool) {
	if l == nil || y < l.First || y > l.Last() {
		return math.NaN(), false
	}
	return l.Values[y-l.First], true
}

// Before returns a copy of l holding only the years whose December is
// before cut (the annual averages known at cut).
func (l *PriceLevel) Before(cut model.Month) *PriceLevel {
	if l == nil {
		return nil
	}
	n := 0
	for n < len(l.Values) && model.NewMonth(l.First+n, 12) < cut {
		n++
	}
	return &PriceLevel{First: l.First, Values: append([]float64(nil), l.Values[:n]...)}
}

// Clone returns a deep copy of l (nil for nil).
func (l *PriceLevel) Clone() *PriceLevel {
	if l == nil {
		return nil
	}
	return &PriceLevel{First: l.First, Values: append([]float64(nil), l.Values...)}
}

// Monthly returns the price level in month t relative to baseYear's
// average (1 on average over baseYear when baseYear's neighbours are
// known), interpolating linearly between the annual averages placed at
// the middle of their years (between June and July):
//
//	x = y + (m − ½)/12   (the middle of month m of year y, in years)
//	a = the year whose middle is the last at or before x (first..last−1)
//	π_t = (A_a + (x − a − ½)·(A_{a+1} − A_a)) / A_base
//
// In the first and last year's outer halves the nearest segment is
// extended; before January of the first year and after December of the
// last year the level is held. With one year only, the level is that
// year's. It is an error if baseYear is not in l, or if the level is not
// positive and finite (an index falling by more than two thirds in a
// year, extended, turns negative).
func (l *PriceLevel) Monthly(t model.Month, baseYear int) (float64, error) {
	base, ok := l.Annual(baseYear)
	if !ok {
		return 0, fmt.Errorf("price level: no average for the base year %d (have %d..%d)", baseYear, l.First, l.Last())
	}
	if len(l.Values) == 1 {
		return 1, nil
	}
	x := float64(t.Year()) + (float64(t.MonthOfYear())-0.5)/12
	x = math.Min(math.Max(x, float64(l.First)+1.0/24), float64(l.Last())+23.0/24)
	a := int(math.Floor(x - 0.5))
	a = min(max(a, l.First), l.Last()-1)
	lo, hi := l.Values[a-l.First], l.Values[a+1-l.First]
	v := (lo + (x-float64(a)-0.5)*(hi-lo)) / base
	if !(v > 0) || math.IsInf(v, 0) {
		// An index that falls by more than two thirds in a year turns
		// negative where it is extended; one spanning 300 orders of
		// magnitude overflows.
		return 0, fmt.Errorf("price level: %v against %d is %g, not a positive finite level (the annual averages %d: %g, %d: %g)",
			t, baseYear, v, a, lo, a+1, hi)
	}
	return v, nil
}

// ParsePriceLevel reads an annual price index CSV: columns "year" and
// "cpi_u_annual_average" (others, such as the source, are ignored),
// consecutive years, positive values. Errors name the file, line and
// column.
func ParsePriceLevel(file string, data []byte) (*PriceLevel, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	records, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("%s: no header", file)
	}
	header, rows := records[0], records[1:]
	iy, iv := -1, -1
	for j, h := range header {
		switch strings.TrimSpace(h) {
		case "year":
			iy = j
		case "cpi_u_annual_average":
			iv = j
		}
	}
	if iy < 0 || iv < 0 {
		return nil, fmt.Errorf("%s:1: want columns \"year\" and \"cpi_u_annual_average\"", file)
	}
	l := &PriceLevel{}
	for n, row := range rows {
		line := n + 2
		y, err := strconv.Atoi(strings.TrimSpace(row[iy]))
		if err != nil || y < 1900 || y > 2200 {
			return nil, fmt.Errorf("%s:%d:%d: year: %q is not a year", file, line, iy+1, row[iy])
		}
		if n == 0 {
			l.First = y
		} else if y != l.Last()+1 {
			return nil, fmt.Errorf("%s:%d:%d: year: got %d, want %d (years must be consecutive)", file, line, iy+1, y, l.Last()+1)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(row[iv]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return nil, fmt.Errorf("%s:%d:%d: cpi_u_annual_average: %q is not a positive number", file, line, iv+1, row[iv])
		}
		l.Values = append(l.Values, v)
	}
	if len(l.Values) == 0 {
		return nil, fmt.Errorf("%s: no rows", file)
	}
	return l, nil
}

var (
	levelOnce sync.Once
	level     *PriceLevel
	levelErr  error
)

// RecordedPriceLevel returns the embedded US CPI-U annual averages
// (2019–2025, 2025 estimated; scenarios/data/reference/README.md), parsed
// once. Each call returns a fresh copy.
func RecordedPriceLevel() (*PriceLevel, error) {
	levelOnce.Do(func() {
		data, err := Reference(PriceLevelFile)
		if err != nil {
			levelErr = err
			return
		}
		level, levelErr = ParsePriceLevel(PriceLevelFile, data)
	})
	if levelErr != nil {
		return nil, levelErr
	}
	return level.Clone(), nil
}

// Deflated returns a copy of p in constant baseYear dollars: every price
// divided by l.Monthly(t, baseYear). A nil l returns a copy of p.
func (p *CropPrices) Deflated(l *PriceLevel, baseYear int) (*CropPrices, error) {
	out := p.Before(p.End() + 1)
	if l == nil {
		return out, nil
	}
	for k := range out.Maize {
		pi, err := l.Monthly(p.Start+model.Month(k), baseYear)
		if err != nil {
			return nil, err
		}
		out.Maize[k] /= pi
		out.Soybeans[k] /= pi
		out.Wheat[k] /= pi
	}
	return out, nil
}

// recordedRealCropPrices returns the embedded crop prices in constant
// baseYear dollars (RecordedCropPrices deflated by RecordedPriceLevel):
// the prices the market's crop-price driver is built from.
func recordedRealCropPrices(baseYear int) (*CropPrices, error) {
	p, err := RecordedCropPrices()
	if err != nil {
		return nil, err
	}
	l, err := RecordedPriceLevel()
	if err != nil {
		return nil, err
	}
	return p.Deflated(l, baseYear)
}
