package report

import (
	"fmt"
	"math"
	"slices"

	"github.com/potash-sim/potash/internal/numfmt"
)

// DisplayUnit returns the factor that converts a value in the model's unit
// to the unit tables show, and that unit: money in $M is shown in $ bn
// ("$M" → "$ bn", "$M/yr" → "$ bn/yr"); every other unit as it is.
func DisplayUnit(unit string) (factor float64, display string) {
	switch unit {
	case "$M":
		return 1e-3, "$ bn"
	case "$M/yr":
		return 1e-3, "$ bn/yr"
	}
	return 1, unit
}

// Decimals is the number of decimals tables show for a value in display
// unit u (see DisplayUnit): 2 for $ bn and Mt, 1 for $/t and percent, 3
// for fractions, 2 otherwise.
func Decimals(u string) int {
	switch u {
	case "$/t", "%":
		return 1
	case "fraction":
		return 3
	}
	return 2
}

// FormatQuantity formats v, in the model's unit, the way every table of
// potash shows it: in the display unit (DisplayUnit), with that unit's
// decimals (Decimals) and thousands separators; signed adds a '+' to
// positive values (changes). It returns the text and the display unit.
func FormatQuantity(v float64, unit string, signed bool) (text, display string) {
	f, u := DisplayUnit(unit)
	return FormatNumber(v*f, Decimals(u), signed), u
}

// ColumnDecimals is the number of decimals a table column of values vs,
// in the model's unit, shows: the display unit's (Decimals), and up to
// three more while two values that differ would print the same — so that
// a sweep or tornado whose values differ only in the third decimal does
// not read as a column of equal numbers ("+0.05" six times).
func ColumnDecimals(unit string, vs ...float64) int {
	f, u := DisplayUnit(unit)
	base := Decimals(u)
	xs := make([]float64, 0, len(vs))
	for _, v := range vs {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			xs = append(xs, v*f)
		}
	}
	slices.Sort(xs)
	for dec := base; dec < base+3; dec++ {
		clash := false
		for k := 1; k < len(xs) && !clash; k++ {
			a, b := xs[k-1], xs[k]
			// Values within float noise of each other are equal.
			if b-a > 1e-9*max(1, math.Abs(a), math.Abs(b)) && FormatNumber(a, dec, true) == FormatNumber(b, dec, true) {
				clash = true
			}
		}
		if !clash {
			return dec
		}
	}
	return base + 3
}

// FormatNumber formats v with thousands separators and dec decimals;
// signed adds a '+' to positive values. A value that prints as zero has
// no sign, and negative values use the minus sign U+2212 (numfmt, the
// one number format of every output). NaN and ±Inf print as Go prints
// them.
func FormatNumber(v float64, dec int, signed bool) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Sprint(v)
	case signed:
		return numfmt.Signed(v, dec)
	}
	return numfmt.Number(v, dec)
}

// FormatPercent formats a percentage p with dec decimals and a sign (see
// FormatNumber), adding decimals, up to two, when a non-zero p would
// round to zero, so that a change never reads as 0%: 0.3 with dec 0 is
// "+0.3", 0.04 is "+0.04", and a smaller one is "<0.01". Only a p within
// float noise of zero (below 1e-9) prints as zero (numfmt.Percent).
func FormatPercent(p float64, dec int) string { return numfmt.Percent(p, dec) }

// Display returns h's value, band and unit as display strings (see
// FormatQuantity): the change with its percentage of the counterfactual's
// level, and the 5–95% band ("" without draws). A level (a metric that
// IsChange says is not a change, as the web page's list of every result
// holds) prints without a sign; a line without a metric name is a change.
func (h Headline) Display() (value, band, unit string) {
	f, unit := DisplayUnit(h.Unit)
	change := h.Metric == "" || IsChange(h.Metric)
	if change {
		value = numfmt.Change(h.Value*f, Decimals(unit), h.Percent)
	} else {
		value = FormatNumber(h.Value*f, Decimals(unit), false)
	}
	if h.Band != nil {
		lo, _ := FormatQuantity(h.Band.P5, h.Unit, change)
		hi, _ := FormatQuantity(h.Band.P95, h.Unit, change)
		band = lo + " to " + hi
	}
	return value, band, unit
}
