package plots

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/potash-sim/potash/internal/numfmt"

	"github.com/potash-sim/potash/model"
)

func errorf(format string, args ...any) error {
	return fmt.Errorf("plots: "+format, args...)
}

const minus = numfmt.Minus // U+2212, the typographic minus sign

// MonthX is the x coordinate of the start of month t on every time axis:
// its calendar year plus (month−1)/12, so 2022-02 is 2022.0833. Ticks at
// whole numbers fall on 1 January (CalendarTicks).
func MonthX(t model.Month) float64 { return float64(t) / 12 }

func monthX(t model.Month) float64 { return MonthX(t) }

var monthAbbr = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// MonthLabel formats t as "Feb 2022".
func MonthLabel(t model.Month) string { return monthLabel(t) }

func monthLabel(t model.Month) string {
	if t < 0 {
		return t.String()
	}
	return monthAbbr[t.MonthOfYear()-1] + " " + strconv.Itoa(t.Year())
}

// CalendarTicks is a plot.Ticker for time axes whose values are monthX
// coordinates. Every tick falls on the first day of a month. Horizons up
// to 9 months get monthly ticks ("Jan 2021", "Feb", …); up to 3 years,
// quarterly ticks ("2021", "Q2", "Q3", "Q4") with monthly minor ticks;
// longer horizons, yearly ticks labelled with the year (every 2, 4, 5 or
// 10 years when more than MaxLabels labels would show, or MinStep asks
// for it) with quarterly minor ticks.
type CalendarTicks struct {
	// MaxLabels bounds the number of year labels on long horizons (narrow
	// panels); 0 means 15.
	MaxLabels int
	// MinStep is the smallest step between year labels on long horizons,
	// in years (0: 1). A figure sets it from its narrowest time panel's
	// width, so that every panel labels the same years.
	MinStep int
	// Ends labels only the first and the last whole year on the axis (a
	// long horizon on a panel too narrow for two labels of any regular
	// step: "2020" and "2028" rather than "2020" alone). A figure sets it
	// for all its panels, as it does MinStep.
	Ends bool
}

// yearSteps are the steps between year labels CalendarTicks chooses
// from, in years.
var yearSteps = []int{1, 2, 4, 5, 10}

// Ticks implements plot.Ticker.
func (ct CalendarTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	if min < 0 || max > 10000 {
		// Not calendar years (model months start at year 0).
		return NumberTicks{Plain: true}.Ticks(min, max)
	}
	first := model.Month(math.Ceil(min*12 - 1e-9))
	last := model.Month(math.Floor(max*12 + 1e-9))
	span := float64(last - first)
	var ticks []plot.Tick
	add := func(t model.Month, label string) {
		ticks = append(ticks, plot.Tick{Value: monthX(t), Label: label})
	}
	switch {
	case span <= 9:
		every := 1
		if ct.MaxLabels > 0 && int(span)+1 > ct.MaxLabels {
			every = (int(span) + ct.MaxLabels) / ct.MaxLabels
		}
		for t := first; t <= last; t++ {
			l := monthAbbr[t.MonthOfYear()-1]
			if t == first || t.MonthOfYear() == 1 {
				l = monthLabel(t)
			}
			if int(t-first)%every != 0 {
				l = ""
			}
			add(t, l)
		}
	case span <= 36 && (ct.MaxLabels == 0 || ct.MaxLabels >= 12):
		for t := first; t <= last; t++ {
			switch m := t.MonthOfYear(); {
			case m == 1:
				add(t, strconv.Itoa(t.Year()))
			case (m-1)%3 == 0:
				add(t, "Q"+strconv.Itoa((m-1)/3+1))
			default:
				add(t, "")
			}
		}
	default:
		maxl := ct.MaxLabels
		if maxl <= 0 {
			maxl = 15
		}
		years := int(last.Year() - first.Year() + 1)
		step := 10
		for _, s := range yearSteps {
			if s >= ct.MinStep && (years+s-1)/s <= maxl {
				step = s
				break
			}
		}
		firstJan, lastJan := model.NewMonth(first.Year(), 1), model.NewMonth(last.Year(), 1)
		if firstJan < first {
			firstJan = model.NewMonth(first.Year()+1, 1)
		}
		for t := first; t <= last; t++ {
			m := t.MonthOfYear()
			switch {
			case ct.Ends && (t == firstJan || t == lastJan):
				add(t, strconv.Itoa(t.Year()))
			case ct.Ends:
				if m == 1 {
					add(t, "")
				}
			case m == 1 && t.Year()%step == 0:
				add(t, strconv.Itoa(t.Year()))
			case (m-1)%3 == 0 && step == 1, m == 1:
				add(t, "")
			}
		}
	}
	return ticks
}

// NumberTicks is a plot.Ticker for value axes: 4–8 ticks at round values
// (1, 2, 2.5 or 5 times a power of ten), labelled with thousands
// separators, a typographic minus and the same number of decimals on
// every tick, never in exponent notation. Prefix and Suffix are added to
// every label (e.g. "$", "%").
type NumberTicks struct {
	Prefix, Suffix string
	// Plain leaves out the thousands separators (for years).
	Plain bool
	// N is the number of intervals aimed at; 0 means 5 (small panels use
	// fewer).
	N int
	// Signed puts a "+" before a positive label (numfmt.Signed), as
	// cells of changes carry it: "+0.5" beside "−0.5" and "0.0".
	Signed bool
}

// Ticks implements plot.Ticker.
func (nt NumberTicks) Ticks(min, max float64) []plot.Tick {
	if math.IsNaN(min) || math.IsNaN(max) || math.IsInf(min, 0) || math.IsInf(max, 0) {
		return nil
	}
	if max < min {
		min, max = max, min
	}
	if max == min {
		d := math.Max(math.Abs(min)*0.1, 1)
		min, max = min-d, max+d
	}
	n := nt.N
	if n <= 0 {
		n = 5
	}
	step, dec := niceStep((max - min) / float64(n))
	var ticks []plot.Tick
	start := math.Ceil(min/step-1e-9) * step
	for i := 0; ; i++ {
		v := start + float64(i)*step
		if v > max+step*1e-9 || i > 1000 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: nt.label(v, dec)})
		// minor tick half-way
		if h := v + step/2; h <= max {
			ticks = append(ticks, plot.Tick{Value: h})
		}
	}
	if h := start - step/2; h >= min {
		ticks = append(ticks, plot.Tick{Value: h})
	}
	return ticks
}

// label formats v with dec decimals, the sign before the prefix: "−$1.5",
// "+$1.5" when Signed.
func (nt NumberTicks) label(v float64, dec int) string {
	s := formatNumber(v, dec)
	if nt.Signed {
		s = signed(v, dec)
	}
	if nt.Plain {
		s = strings.ReplaceAll(s, ",", "")
	}
	for _, sign := range []string{minus, "+"} {
		if rest, ok := strings.CutPrefix(s, sign); ok {
			return sign + nt.Prefix + rest + nt.Suffix
		}
	}
	return nt.Prefix + s + nt.Suffix
}

// niceStep returns the round step nearest raw (1, 2, 2.5 or 5 × 10^k) and the
// number of decimals needed to print its multiples.
func niceStep(raw float64) (float64, int) {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1, 0
	}
	e := math.Floor(math.Log10(raw))
	base := math.Pow(10, e)
	f := raw / base
	var m float64
	switch {
	case f <= 1.5:
		m = 1
	case f <= 2.25:
		m = 2
	case f <= 3.5:
		m = 2.5
	case f <= 7.5:
		m = 5
	default:
		m = 10
	}
	step := m * base
	if m == 10 {
		e++
	}
	dec := 0
	if e < 0 {
		dec = int(-e)
	}
	if m == 2.5 && e <= 0 {
		dec++
	}
	return step, dec
}

// formatNumber formats v with dec decimals, a comma every three digits and
// a typographic minus: 1234567.891, 2 → "1,234,567.89"; −0.5, 1 → "−0.5";
// a value that prints as zero has no sign (numfmt, the one number format
// of the tables and the charts).
func formatNumber(v float64, dec int) string { return numfmt.Number(v, dec) }

// signed formats v with an explicit sign: "+1.2", "−0.35", "0.0"
// (numfmt.Signed).
func signed(v float64, dec int) string { return numfmt.Signed(v, dec) }

// moneyScale is one unit for a set of amounts given in $M, chosen from
// their largest magnitude (moneyScaleFor), so that every label of a chart
// and its axis say the same unit.
type moneyScale struct {
	Unit string  // "bn" or "M"
	Div  float64 // $M per unit
	Dec  int     // decimals of a label
}

// moneyScaleFor returns the scale for amounts whose largest magnitude is
// maxAbs $M: billions from $1 bn, else millions, with the decimals that
// give the largest 2–3 significant digits: 12345 → bn, 1 decimal
// ("$12.3 bn"); 1234 → bn, 2 ("$1.23 bn"); 350 → M, 0 ("$350 M"); 4.2 →
// M, 1 ("$4.2 M").
func moneyScaleFor(maxAbs float64) moneyScale {
	a := math.Abs(maxAbs)
	switch {
	case !(a < math.Inf(1)): // NaN, Inf: labels say n/a
		return moneyScale{Unit: "bn", Div: 1000, Dec: 0}
	case a >= 99999.5:
		return moneyScale{Unit: "bn", Div: 1000, Dec: 0}
	case a >= 9999.5:
		return moneyScale{Unit: "bn", Div: 1000, Dec: 1}
	case a >= 999.5:
		return moneyScale{Unit: "bn", Div: 1000, Dec: 2}
	case a >= 9.5:
		return moneyScale{Unit: "M", Div: 1, Dec: 0}
	default:
		return moneyScale{Unit: "M", Div: 1, Dec: 1}
	}
}

// AxisUnit is the unit for an axis label: "US$ bn" or "US$ M".
func (ms moneyScale) AxisUnit() string { return "US$ " + ms.Unit }

// Label formats an amount given in $M in the scale, with a sign:
// "+$1.23 bn", "−$350 M"; an amount that rounds to zero has no sign and
// keeps the scale's decimals and unit, as a table's zero does ("$0.00
// bn", "$0 M").
func (ms moneyScale) Label(millions float64) string {
	s := formatNumber(math.Abs(millions)/ms.Div, ms.Dec)
	switch {
	case s == "n/a":
		return s
	case numfmt.IsZero(s):
		return "$" + s + " " + ms.Unit
	case millions < 0:
		return minus + "$" + s + " " + ms.Unit
	}
	return "+$" + s + " " + ms.Unit
}

// dataRange returns the min and max of the finite values of xs.
func dataRange(xss ...[]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, xs := range xss {
		for _, v := range xs {
			if v < lo {
				lo = v
			}
			if v > hi {
				hi = v
			}
		}
	}
	return lo, hi
}

// padRange widens [lo, hi] by frac of its span on each side (and around a
// single value), optionally keeping 0 in view.
func padRange(lo, hi, frac float64, withZero bool) (float64, float64) {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return 0, 1
	}
	if withZero {
		lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	}
	d := hi - lo
	if d == 0 {
		d = math.Max(math.Abs(hi), 1)
	}
	nlo, nhi := lo-frac*d, hi+frac*d
	if withZero && lo >= 0 {
		nlo = 0
	}
	if withZero && hi <= 0 {
		nhi = 0
	}
	return nlo, nhi
}
