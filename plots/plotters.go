package plots

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// checkFinite returns an error naming what if xs is empty or holds NaN or
// ±Inf.
func checkFinite(what string, xs []float64) error {
	if len(xs) == 0 {
		return errorf("%s: no data", what)
	}
	for i, v := range xs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errorf("%s: value %d is %v", what, i, v)
		}
	}
	return nil
}

// band returns a filled polygon between the curves lo and hi over x (lo
// forwards, hi backwards): a percentile band of a fan chart, or the area
// under a curve (lo all zero). It is an error if the slices are empty, of
// different lengths, or hold NaN or Inf.
func band(x, lo, hi []float64, c color.Color) (*plotter.Polygon, error) {
	if len(x) != len(lo) || len(x) != len(hi) {
		return nil, errorf("band: %d x values, %d lower and %d upper", len(x), len(lo), len(hi))
	}
	for _, s := range []struct {
		n string
		v []float64
	}{{"band x", x}, {"band lower bound", lo}, {"band upper bound", hi}} {
		if err := checkFinite(s.n, s.v); err != nil {
			return nil, err
		}
	}
	ring := make(plotter.XYs, 0, 2*len(x))
	for i := range x {
		ring = append(ring, plotter.XY{X: x[i], Y: lo[i]})
	}
	for i := len(x) - 1; i >= 0; i-- {
		ring = append(ring, plotter.XY{X: x[i], Y: hi[i]})
	}
	pg, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, errorf("band: %v", err)
	}
	pg.Color = c
	pg.LineStyle = draw.LineStyle{}
	return pg, nil
}

// stackedAreas returns one polygon per layer, stacked over x: layer k
// fills the area between the sum of layers 0..k−1 and the sum of layers
// 0..k. It is an error if there are no layers, a layer's length differs
// from x, or a value is negative, NaN or Inf.
func stackedAreas(x []float64, layers [][]float64, colors []color.Color) ([]plot.Plotter, error) {
	if err := checkFinite("stacked area x", x); err != nil {
		return nil, err
	}
	if len(layers) == 0 || len(colors) != len(layers) {
		return nil, errorf("stacked area: %d layers and %d colours", len(layers), len(colors))
	}
	base := make([]float64, len(x))
	var out []plot.Plotter
	for k, l := range layers {
		if len(l) != len(x) {
			return nil, errorf("stacked area: layer %d has %d values for %d x values", k, len(l), len(x))
		}
		if err := checkFinite("stacked area layer", l); err != nil {
			return nil, err
		}
		top := make([]float64, len(x))
		for i, v := range l {
			if v < 0 {
				return nil, errorf("stacked area: layer %d has negative value %g", k, v)
			}
			top[i] = base[i] + v
		}
		pg, err := band(x, base, top, colors[k])
		if err != nil {
			return nil, err
		}
		out = append(out, pg)
		base = top
	}
	return out, nil
}

// Span shades the data area between X0 and X1 over its full height: a
// period such as a back-test's out-of-sample months or the report window
// of a run. It has no data range, so it never widens an axis.
type Span struct {
	X0, X1 float64
	Color  color.Color
}

// NewSpan returns a Span, or an error for NaN or Inf or x1 < x0.
func NewSpan(x0, x1 float64, c color.Color) (*Span, error) {
	if err := checkFinite("span", []float64{x0, x1}); err != nil {
		return nil, err
	}
	if x1 < x0 {
		return nil, errorf("span from %v to %v", x0, x1)
	}
	return &Span{X0: x0, X1: x1, Color: c}, nil
}

// Plot implements plot.Plotter.
func (s *Span) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	x0, x1 := max(c.Min.X, tx(s.X0)), min(c.Max.X, tx(s.X1))
	if x1 <= x0 {
		return
	}
	c.FillPolygon(s.Color, []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}})
}

// EventLines draws a thin dashed vertical line across the data area at
// each x (event markers; their labels are drawn by the figure, above the
// data area).
type EventLines struct {
	X     []float64
	Style draw.LineStyle
}

// NewEventLines returns EventLines, or an error for NaN or Inf. No x is
// allowed (a scenario without events).
func NewEventLines(x []float64, sty draw.LineStyle) (*EventLines, error) {
	if len(x) > 0 {
		if err := checkFinite("event markers", x); err != nil {
			return nil, err
		}
	}
	return &EventLines{X: x, Style: sty}, nil
}

// Plot implements plot.Plotter.
func (e *EventLines) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	for _, x := range e.X {
		if x < p.X.Min || x > p.X.Max {
			continue
		}
		X := tx(x)
		c.StrokeLine2(e.Style, X, c.Min.Y, X, c.Max.Y)
	}
}

// rowBars is gonum/plot's horizontal BarChart with bars one row apart
// (row k at y = XMin + k) and as thick as frac of the distance between
// rows: BarChart.Width is a length, so it is set when the bars are drawn.
type rowBars struct {
	*plotter.BarChart
	frac float64
}

// newRowBars returns horizontal bars from 0 to each of values, row k at
// y = row0 + k, in colour c.
func newRowBars(values []float64, row0, frac float64, c color.Color) (*rowBars, error) {
	if err := checkFinite("bars", values); err != nil {
		return nil, err
	}
	b, err := plotter.NewBarChart(plotter.Values(values), 1)
	if err != nil {
		return nil, errorf("bars: %v", err)
	}
	b.Horizontal = true
	b.XMin = row0
	b.Color = c
	b.LineStyle = draw.LineStyle{}
	return &rowBars{BarChart: b, frac: frac}, nil
}

// Plot implements plot.Plotter.
func (b *rowBars) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	b.Width = vg.Length(math.Abs(float64(ty(1)-ty(0))) * b.frac)
	b.BarChart.Plot(c, p)
}

// GlyphBoxes implements plot.GlyphBoxer: none (the figure sets the axis
// ranges; the bars' width is only known when drawn).
func (b *rowBars) GlyphBoxes(*plot.Plot) []plot.GlyphBox { return nil }

// rangeBars are horizontal error bars (gonum/plot's XErrorBars) from lo[k]
// to hi[k] in row k.
func rangeBars(lo, hi []float64, sty draw.LineStyle, capW vg.Length) (*plotter.XErrorBars, error) {
	if len(lo) != len(hi) {
		return nil, errorf("error bars: %d lower and %d upper bounds", len(lo), len(hi))
	}
	if err := checkFinite("error bars", append(append([]float64{}, lo...), hi...)); err != nil {
		return nil, err
	}
	e := errBars{xys: make(plotter.XYs, len(lo)), errs: make(plotter.XErrors, len(lo))}
	for k := range lo {
		e.xys[k] = plotter.XY{X: lo[k], Y: float64(k)}
		e.errs[k].High = hi[k] - lo[k]
	}
	eb, err := plotter.NewXErrorBars(e)
	if err != nil {
		return nil, errorf("error bars: %v", err)
	}
	eb.LineStyle = sty
	eb.CapWidth = capW
	return eb, nil
}

type errBars struct {
	xys  plotter.XYs
	errs plotter.XErrors
}

func (e errBars) Len() int                        { return len(e.xys) }
func (e errBars) XY(i int) (float64, float64)     { return e.xys.XY(i) }
func (e errBars) XError(i int) (float64, float64) { return e.errs.XError(i) }

// heatCells returns a heat map of a rows × cols grid (gonum/plot's
// HeatMap on colour map cm) with text[r][c] printed in cell (r, c), in
// black or white, whichever reads better on the cell. Cell (r, c) is
// centred on x = c, y = r; a missing cell is painted colNoRoute. It is an
// error if the grid is empty or ragged or a value is NaN or Inf.
func heatCells(values [][]float64, text [][]string, missing [][]bool, cm palette.ColorMap, fnt draw.TextStyle) ([]plot.Plotter, error) {
	if len(values) == 0 || len(values[0]) == 0 {
		return nil, errorf("heat map: no data")
	}
	if len(text) != len(values) || len(missing) != len(values) {
		return nil, errorf("heat map: %d rows of values, %d of text", len(values), len(text))
	}
	g := cellGrid{z: make([][]float64, len(values))}
	var labels plotter.XYLabels
	var styles []draw.TextStyle
	for r, row := range values {
		if len(row) != len(values[0]) || len(text[r]) != len(row) || len(missing[r]) != len(row) {
			return nil, errorf("heat map: row %d has %d values, want %d", r, len(row), len(values[0]))
		}
		if err := checkFinite("heat map row", row); err != nil {
			return nil, errorf("heat map row %d: %v", r, err)
		}
		g.z[r] = make([]float64, len(row))
		for c, v := range row {
			fill := color.Color(colNoRoute)
			if missing[r][c] {
				g.z[r][c] = math.NaN()
			} else {
				g.z[r][c] = v
				fill = colorAt(cm, v)
			}
			if text[r][c] != "" {
				labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
				labels.Labels = append(labels.Labels, text[r][c])
				sty := fnt
				sty.Color = textOn(fill)
				sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
				styles = append(styles, sty)
			}
		}
	}
	hm := plotter.NewHeatMap(g, cm.Palette(255))
	hm.Min, hm.Max = cm.Min(), cm.Max()
	hm.NaN = colNoRoute
	hm.Underflow, hm.Overflow = colorAt(cm, cm.Min()), colorAt(cm, cm.Max())
	out := []plot.Plotter{hm, cellGaps{rows: len(values), cols: len(values[0])}}
	if len(labels.Labels) > 0 {
		lb, err := plotter.NewLabels(labels)
		if err != nil {
			return nil, errorf("heat map labels: %v", err)
		}
		lb.TextStyle = styles
		out = append(out, lb)
	}
	return out, nil
}

// heatPanel is a panel holding the heat map of heatCells, its axes
// spanning the cells exactly.
func heatPanel(st *Style, values [][]float64, text [][]string, missing [][]bool, cm palette.ColorMap) (*plot.Plot, error) {
	cells, err := heatCells(values, text, missing, cm, st.text(st.cell, false, colText))
	if err != nil {
		return nil, err
	}
	p := newPlot(st)
	p.Add(cells...)
	p.X.Min, p.X.Max = -0.5, float64(len(values[0]))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(values))-0.5
	return p, nil
}

// cellGrid is a plotter.GridXYZ of rows z[r], cell (r, c) at (c, r).
type cellGrid struct{ z [][]float64 }

func (g cellGrid) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g cellGrid) Z(c, r int) float64 { return g.z[r][c] }
func (g cellGrid) X(c int) float64    { return float64(c) }
func (g cellGrid) Y(r int) float64    { return float64(r) }

// cellGaps draws white lines between the cells of a rows × cols heat map,
// so that neighbouring cells of similar colour read as separate.
type cellGaps struct{ rows, cols int }

// Plot implements plot.Plotter.
func (g cellGaps) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	ls := draw.LineStyle{Color: color.White, Width: 2}
	for k := 1; k < g.cols; k++ {
		x := tx(float64(k) - 0.5)
		c.StrokeLine2(ls, x, c.Min.Y, x, c.Max.Y)
	}
	for k := 1; k < g.rows; k++ {
		y := ty(float64(k) - 0.5)
		c.StrokeLine2(ls, c.Min.X, y, c.Max.X, y)
	}
}

// colorAt is cm's colour at v, v clamped to cm's range.
func colorAt(cm palette.ColorMap, v float64) color.Color {
	v = math.Max(cm.Min(), math.Min(cm.Max(), v))
	c, err := cm.At(v)
	if err != nil {
		return colNoRoute
	}
	return c
}

// textOn returns black or white, whichever reads better on bg.
func textOn(bg color.Color) color.Color {
	r, g, b, _ := bg.RGBA()
	lum := 0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)
	if lum/65535 < 0.45 {
		return color.White
	}
	return colText
}

// divergingMap is a blue–white–red colour map over [−lim, lim]: Kenneth
// Moreland's smooth diverging map (gonum/plot's palette/moreland) between
// the ends of ColorBrewer's RdBu scheme, negative blue and positive red,
// readable with the common colour-vision deficiencies. Its midpoint has
// magnitude 96 in Moreland's Msh space, a near white (#F4F4F4; his
// default 88 is a light grey), so that zero reads as "no change". lim ≤ 0
// gives [−1, 1].
func divergingMap(lim float64) palette.ColorMap {
	if !(lim > 0) || math.IsInf(lim, 0) {
		lim = 1
	}
	rdbu := brewerColors(brewer.TypeDiverging, "RdBu", 9)
	m := moreland.NewSmoothDiverging(rdbu[8], rdbu[0], 96)
	m.SetMin(-lim)
	m.SetMax(lim)
	return m
}

// sequentialMap is a dark-blue-to-light-yellow colour map over [lo, hi]:
// ColorBrewer's YlGnBu scheme, interpolated with a linear luminance ramp
// (moreland.NewLuminance). A flat range is widened by one either side.
func sequentialMap(lo, hi float64) palette.ColorMap {
	if !(hi > lo) {
		lo, hi = lo-1, hi+1
	}
	ylgnbu := brewerColors(brewer.TypeSequential, "YlGnBu", 9) // light to dark
	slices.Reverse(ylgnbu)
	m, err := moreland.NewLuminance(ylgnbu)
	if err != nil {
		panic(err) // a fixed scheme whose luminance rises: a programming error
	}
	m.SetMin(lo)
	m.SetMax(hi)
	return m
}

func brewerColors(typ brewer.PaletteType, name string, n int) []color.Color {
	p, err := brewer.GetPalette(typ, name, n)
	if err != nil {
		panic(err) // a fixed scheme: a programming error
	}
	return slices.Clone(p.Colors()) // a copy: Colors returns the package's table
}

// endCaps marks bar ends (a tornado's ends cut by a joint rule): a line
// across row ys[k] at xs[k], frac of a row's height long, in style sty.
type endCaps struct {
	xs, ys []float64
	frac   float64
	sty    draw.LineStyle
}

// Plot implements plot.Plotter.
func (e endCaps) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	half := vg.Length(math.Abs(float64(ty(1)-ty(0))) * e.frac / 2)
	for k := range e.xs {
		x, y := tx(e.xs[k]), ty(e.ys[k])
		c.StrokeLine2(e.sty, x, y-half, x, y+half)
	}
}

// tornadoBars are the tornado chart's bars: in row k (at y = k), a bar
// from 0 to lows[k] in colour low and one from 0 to highs[k] in colour
// high, frac of a row thick. When both ends move the metric the same way
// (both bars on one side of 0) the longer would hide the shorter, or the
// pair would read as one stacked bar: such a row is split, the low bar in
// its upper half and the high bar in its lower half, so that each bar is
// seen whole and neither covers the other.
type tornadoBars struct {
	lows, highs []float64
	frac        float64
	low, high   color.Color
}

// barRect is a bar of tornadoBars in data units: x from x0 to x1, y from
// y0 to y1.
type barRect struct {
	x0, x1, y0, y1 float64
	c              color.Color
}

// sameSide reports whether both ends of row k lie on one side of 0.
func (t tornadoBars) sameSide(k int) bool { return t.lows[k]*t.highs[k] > 0 }

// rects returns the bars of every row: a split row's low bar above its
// high bar, each half as thick.
func (t tornadoBars) rects() []barRect {
	var out []barRect
	h := t.frac / 2
	for k := range t.lows {
		y := float64(k)
		lo := barRect{x0: 0, x1: t.lows[k], y0: y - h, y1: y + h, c: t.low}
		hi := barRect{x0: 0, x1: t.highs[k], y0: y - h, y1: y + h, c: t.high}
		if t.sameSide(k) {
			lo.y0, hi.y1 = y, y
		}
		out = append(out, lo, hi)
	}
	return out
}

// Plot implements plot.Plotter.
func (t tornadoBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, r := range t.rects() {
		if r.x0 == r.x1 {
			continue
		}
		x0, x1 := tx(r.x0), tx(r.x1)
		y0, y1 := ty(r.y0), ty(r.y1)
		pts := c.ClipPolygonXY([]vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		c.FillPolygon(r.c, pts)
	}
}
