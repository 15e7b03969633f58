package plots

import (
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/potash-sim/potash/model"
)

// The y range of a time chart.
//
// A chart's value axis spans what it draws, with two exceptions, both
// marked on the chart so that nothing is hidden silently:
//
//   - a few isolated months far outside the rest (a one-month price spike
//     of a solver or of the data) are left off the scale: a month is an
//     outlier when its value lies more than half the span of the other
//     months beyond them, and at most one month in 30 can be one. The
//     chart marks each such run of months with a triangle at the edge and
//     the value it reaches ("Scenario: $1,000, Feb 2022").
//   - the 90% band of the Monte Carlo draws may widen the axis by at most
//     half the span of the lines and the 50% band; beyond that it is cut
//     at the edge and marked the same way, so that the lines keep the
//     chart's height.

// rangeSeries is one series a time chart draws, for its y range and the
// marks of values off the scale.
type rangeSeries struct {
	name  string // in marks: "Scenario", "Belarus", "90% band"
	v     []float64
	band  bool // a band's edge (marked only when no line is off scale)
	outer bool // the 90% band: may be cut (see above)
}

// outlierMonths bounds the months that can be left off the scale: one in
// outlierMonths.
const outlierMonths = 30

// yRange returns the padded y range of series over months [from, to), 0
// included when withZero.
func yRange(series []rangeSeries, from, to int, withZero bool) (lo, hi float64) {
	envLo, envHi, outLo, outHi := envelopes(series, from, to)
	if len(envHi) == 0 {
		envLo, envHi = outLo, outHi
		outLo, outHi = nil, nil
	}
	if len(envHi) == 0 {
		return padRange(math.Inf(1), math.Inf(-1), 0.06, withZero)
	}
	lo, hi = robustRange(envLo, envHi, withZero)
	if len(outHi) > 0 {
		allow := 0.5 * (hi - lo)
		if allow == 0 {
			allow = math.Max(math.Abs(hi)*0.1, 1)
		}
		olo, ohi := robustRange(outLo, outHi, false)
		lo = math.Min(lo, math.Max(olo, lo-allow))
		hi = math.Max(hi, math.Min(ohi, hi+allow))
	}
	return padRange(lo, hi, 0.06, withZero)
}

// envelopes returns, for each month of [from, to), the lowest and highest
// value of the series that are not the 90% band, and of those that are.
func envelopes(series []rangeSeries, from, to int) (envLo, envHi, outLo, outHi []float64) {
	for t := from; t < to; t++ {
		el, eh, ol, oh := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, s := range series {
			if t >= len(s.v) || math.IsNaN(s.v[t]) || math.IsInf(s.v[t], 0) {
				continue
			}
			if s.outer {
				ol, oh = math.Min(ol, s.v[t]), math.Max(oh, s.v[t])
			} else {
				el, eh = math.Min(el, s.v[t]), math.Max(eh, s.v[t])
			}
		}
		if eh >= el {
			envLo, envHi = append(envLo, el), append(envHi, eh)
		}
		if oh >= ol {
			outLo, outHi = append(outLo, ol), append(outHi, oh)
		}
	}
	return envLo, envHi, outLo, outHi
}

// robustRange is the range of the monthly envelopes lo and hi without
// their outlier months (see above).
func robustRange(lo, hi []float64, withZero bool) (float64, float64) {
	k := len(hi) / outlierMonths
	if k == 0 {
		return minOf(lo), maxOf(hi)
	}
	sh := append([]float64(nil), hi...)
	sl := append([]float64(nil), lo...)
	sort.Sort(sort.Reverse(sort.Float64Slice(sh)))
	sort.Float64s(sl)
	rHi, rLo := sh[k], sl[k]
	if withZero {
		rHi, rLo = math.Max(rHi, 0), math.Min(rLo, 0)
	}
	span := math.Max(rHi-rLo, 0.02*math.Max(math.Abs(rHi), math.Abs(rLo)))
	if span == 0 {
		span = 1e-9
	}
	thrHi, thrLo := rHi+0.5*span, rLo-0.5*span
	outLo, outHi := math.Inf(1), math.Inf(-1)
	for _, v := range hi {
		if v <= thrHi {
			outHi = math.Max(outHi, v)
		}
	}
	for _, v := range lo {
		if v >= thrLo {
			outLo = math.Min(outLo, v)
		}
	}
	return outLo, outHi
}

// offMark is a run of months where a series leaves the axis's range.
type offMark struct {
	x     float64 // MonthX of the most extreme month
	above bool
	text  string
}

// offScale returns a mark for each run of consecutive months in [from,
// to) where a series leaves [lo, hi]: at the most extreme month, naming
// the line that goes farthest (a band only when no line leaves the
// range) and its value formatted by format. At most three marks each
// way, the farthest first.
func offScale(months []model.Month, series []rangeSeries, from, to int, lo, hi float64, format func(float64) string) []offMark {
	var marks []offMark
	for _, above := range []bool{true, false} {
		type run struct {
			t0, t1, at int
			name       string
			v          float64
			line       bool
		}
		var runs []run
		var cur *run
		for t := from; t < to; t++ {
			best, bestV, bestLine := "", 0.0, false
			for _, s := range series {
				if t >= len(s.v) {
					continue
				}
				v := s.v[t]
				if math.IsNaN(v) || math.IsInf(v, 0) || (above && v <= hi) || (!above && v >= lo) {
					continue
				}
				line := !s.band && !s.outer
				further := best == "" || (line && !bestLine) || (line == bestLine && ((above && v > bestV) || (!above && v < bestV)))
				if further {
					best, bestV, bestLine = s.name, v, line
				}
			}
			if best == "" {
				cur = nil
				continue
			}
			if cur == nil {
				runs = append(runs, run{t0: t, t1: t, at: t, name: best, v: bestV, line: bestLine})
				cur = &runs[len(runs)-1]
				continue
			}
			cur.t1 = t
			if (bestLine && !cur.line) || (bestLine == cur.line && ((above && bestV > cur.v) || (!above && bestV < cur.v))) {
				cur.at, cur.name, cur.v, cur.line = t, best, bestV, bestLine
			}
		}
		sort.SliceStable(runs, func(a, b int) bool { return math.Abs(runs[a].v) > math.Abs(runs[b].v) })
		if len(runs) > 3 {
			runs = runs[:3]
		}
		for _, r := range runs {
			when := monthLabel(months[r.t0])
			if r.t1 > r.t0 {
				when += " – " + monthLabel(months[r.t1])
			}
			verb := "peaks at "
			if !above {
				verb = "falls to "
			}
			if !r.line {
				verb = "to "
			}
			marks = append(marks, offMark{x: monthX(months[r.at]), above: above, text: r.name + " " + verb + format(r.v) + ", " + when + " (off scale)"})
		}
	}
	return marks
}

// offScaleMarks draws offMarks: a triangle at the top (or bottom) edge of
// the data area at the mark's month, and its text beside it.
type offScaleMarks struct {
	marks []offMark
	st    *Style
}

// Plot implements plot.Plotter.
func (o offScaleMarks) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	sty := o.st.text(o.st.marker, false, colText)
	r := o.st.line * 2.4
	for _, m := range o.marks {
		x := tx(m.x)
		if x < c.Min.X || x > c.Max.X {
			continue
		}
		g := draw.GlyphStyle{Color: colText, Radius: r, Shape: draw.TriangleGlyph{}}
		y := c.Max.Y - r
		ty := c.Max.Y - r*0.2 - sty.FontExtents().Ascent
		if !m.above {
			g.Shape = downTriangle{}
			y = c.Min.Y + r
			ty = c.Min.Y + r*0.2 + sty.FontExtents().Descent
		}
		c.DrawGlyph(g, vg.Point{X: x, Y: y})
		w := sty.Width(m.text)
		tx0 := x + r*1.6
		if tx0+w > c.Max.X {
			tx0 = x - r*1.6 - w
		}
		tx0 = max(tx0, c.Min.X)
		// A white box keeps the text readable over lines and grid.
		pad := r * 0.4
		box := vg.Rectangle{Min: vg.Point{X: tx0 - pad, Y: ty - sty.FontExtents().Descent - pad}, Max: vg.Point{X: tx0 + w + pad, Y: ty + sty.FontExtents().Ascent + pad}}
		c.FillPolygon(colWhiteA, []vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}})
		c.FillText(sty, vg.Point{X: tx0, Y: ty}, m.text)
	}
}

// downTriangle is a triangle glyph pointing down.
type downTriangle struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (downTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetColor(sty.Color)
	sin, cos := vg.Length(math.Sin(math.Pi/6)), vg.Length(math.Cos(math.Pi/6))
	r := sty.Radius + (sty.Radius-sty.Radius*sin)/2 // as draw.TriangleGlyph
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r*cos, Y: pt.Y + r*sin})
	p.Line(vg.Point{X: pt.X + r*cos, Y: pt.Y + r*sin})
	p.Close()
	c.Fill(p)
}
