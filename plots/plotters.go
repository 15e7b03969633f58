package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
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

// Fan is a shaded band between two curves lo ≤ hi over the same x values:
// one polygon (lo forwards, hi backwards), the way a percentile band of a
// fan chart is drawn. Draw the widest band first.
type Fan struct {
	X, Lo, Hi []float64
	Color     color.Color
}

// NewFan returns a Fan, or an error if the slices are empty, of different
// lengths, or hold NaN or Inf.
func NewFan(x, lo, hi []float64, c color.Color) (*Fan, error) {
	if len(x) != len(lo) || len(x) != len(hi) {
		return nil, errorf("fan: %d x values, %d lower and %d upper", len(x), len(lo), len(hi))
	}
	for _, s := range []struct {
		n string
		v []float64
	}{{"fan x", x}, {"fan lower bound", lo}, {"fan upper bound", hi}} {
		if err := checkFinite(s.n, s.v); err != nil {
			return nil, err
		}
	}
	return &Fan{X: x, Lo: lo, Hi: hi, Color: c}, nil
}

// Plot implements plot.Plotter.
func (f *Fan) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	pts := make([]vg.Point, 0, 2*len(f.X))
	for i := range f.X {
		pts = append(pts, vg.Point{X: tx(f.X[i]), Y: ty(f.Lo[i])})
	}
	for i := len(f.X) - 1; i >= 0; i-- {
		pts = append(pts, vg.Point{X: tx(f.X[i]), Y: ty(f.Hi[i])})
	}
	c.FillPolygon(f.Color, c.ClipPolygonXY(pts))
}

// DataRange implements plot.DataRanger.
func (f *Fan) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = dataRange(f.X)
	ymin, ymax = dataRange(f.Lo, f.Hi)
	return
}

// StackedArea stacks non-negative layers over x: layer k fills the area
// between the sum of layers 0..k−1 and the sum of layers 0..k.
type StackedArea struct {
	X      []float64
	Layers [][]float64
	Colors []color.Color
}

// NewStackedArea returns a StackedArea, or an error if there are no layers,
// a layer's length differs from x, or a value is negative, NaN or Inf.
func NewStackedArea(x []float64, layers [][]float64, colors []color.Color) (*StackedArea, error) {
	if err := checkFinite("stacked area x", x); err != nil {
		return nil, err
	}
	if len(layers) == 0 || len(colors) != len(layers) {
		return nil, errorf("stacked area: %d layers and %d colours", len(layers), len(colors))
	}
	for k, l := range layers {
		if len(l) != len(x) {
			return nil, errorf("stacked area: layer %d has %d values for %d x values", k, len(l), len(x))
		}
		if err := checkFinite("stacked area layer", l); err != nil {
			return nil, err
		}
		for _, v := range l {
			if v < 0 {
				return nil, errorf("stacked area: layer %d has negative value %g", k, v)
			}
		}
	}
	return &StackedArea{X: x, Layers: layers, Colors: colors}, nil
}

// Plot implements plot.Plotter.
func (s *StackedArea) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	base := make([]float64, len(s.X))
	top := make([]float64, len(s.X))
	for k, l := range s.Layers {
		for i := range top {
			top[i] = base[i] + l[i]
		}
		pts := make([]vg.Point, 0, 2*len(s.X))
		for i := range s.X {
			pts = append(pts, vg.Point{X: tx(s.X[i]), Y: ty(base[i])})
		}
		for i := len(s.X) - 1; i >= 0; i-- {
			pts = append(pts, vg.Point{X: tx(s.X[i]), Y: ty(top[i])})
		}
		c.FillPolygon(s.Colors[k], c.ClipPolygonXY(pts))
		copy(base, top)
	}
}

// DataRange implements plot.DataRanger.
func (s *StackedArea) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = dataRange(s.X)
	for i := range s.X {
		t := 0.0
		for _, l := range s.Layers {
			t += l[i]
		}
		ymax = math.Max(ymax, t)
	}
	return xmin, xmax, 0, ymax
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

// HBar is one horizontal bar from X0 to X1 at row Y, with an optional
// error bar from ErrLo to ErrHi.
type HBar struct {
	Y, X0, X1    float64
	Color        color.Color
	HasErr       bool
	ErrLo, ErrHi float64
}

// HBars draws horizontal bars of height Height (in y units, rows 1 apart)
// with error whiskers.
type HBars struct {
	Bars   []HBar
	Height float64
	Err    draw.LineStyle
}

// NewHBars returns HBars, or an error if there are no bars or a value is
// NaN or Inf.
func NewHBars(bars []HBar, height float64, errSty draw.LineStyle) (*HBars, error) {
	if len(bars) == 0 {
		return nil, errorf("bars: no data")
	}
	for i, b := range bars {
		vals := []float64{b.Y, b.X0, b.X1}
		if b.HasErr {
			vals = append(vals, b.ErrLo, b.ErrHi)
		}
		if err := checkFinite("bar", vals); err != nil {
			return nil, errorf("bar %d: %v", i, err)
		}
	}
	return &HBars{Bars: bars, Height: height, Err: errSty}, nil
}

// Plot implements plot.Plotter.
func (h *HBars) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, b := range h.Bars {
		y0, y1 := ty(b.Y-h.Height/2), ty(b.Y+h.Height/2)
		x0, x1 := tx(math.Min(b.X0, b.X1)), tx(math.Max(b.X0, b.X1))
		if x1-x0 < 0.5 && b.X0 != b.X1 {
			x1 = x0 + 0.5
		}
		rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.Color, c.ClipPolygonXY(rect))
	}
	for _, b := range h.Bars {
		if !b.HasErr {
			continue
		}
		y := ty(b.Y)
		cap := (ty(b.Y+h.Height/2) - ty(b.Y-h.Height/2)) / 4
		lo, hi := tx(b.ErrLo), tx(b.ErrHi)
		c.StrokeLine2(h.Err, lo, y, hi, y)
		c.StrokeLine2(h.Err, lo, y-cap, lo, y+cap)
		c.StrokeLine2(h.Err, hi, y-cap, hi, y+cap)
	}
}

// DataRange implements plot.DataRanger.
func (h *HBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for _, b := range h.Bars {
		xmin = math.Min(xmin, math.Min(b.X0, b.X1))
		xmax = math.Max(xmax, math.Max(b.X0, b.X1))
		if b.HasErr {
			xmin = math.Min(xmin, math.Min(b.ErrLo, b.ErrHi))
			xmax = math.Max(xmax, math.Max(b.ErrLo, b.ErrHi))
		}
		ymin = math.Min(ymin, b.Y-h.Height/2)
		ymax = math.Max(ymax, b.Y+h.Height/2)
	}
	return
}

// Cells is a heat map of a rows × cols grid with the value printed in each
// cell. Cell (r, c) is centred on x = c, y = r. A cell whose Text is ""
// prints nothing; Missing[r][c] paints it colNoRoute.
type Cells struct {
	Values  [][]float64
	Text    [][]string
	Missing [][]bool
	Color   func(v float64) color.Color
	Font    draw.TextStyle
}

// NewCells returns Cells, or an error if the grid is empty or ragged or a
// value is NaN or Inf.
func NewCells(values [][]float64, text [][]string, missing [][]bool, col func(float64) color.Color, fnt draw.TextStyle) (*Cells, error) {
	if len(values) == 0 || len(values[0]) == 0 {
		return nil, errorf("heat map: no data")
	}
	for r, row := range values {
		if len(row) != len(values[0]) || len(text[r]) != len(row) || len(missing[r]) != len(row) {
			return nil, errorf("heat map: row %d has %d values, want %d", r, len(row), len(values[0]))
		}
		if err := checkFinite("heat map row", row); err != nil {
			return nil, errorf("heat map row %d: %v", r, err)
		}
	}
	if len(text) != len(values) || len(missing) != len(values) {
		return nil, errorf("heat map: %d rows of values, %d of text", len(values), len(text))
	}
	return &Cells{Values: values, Text: text, Missing: missing, Color: col, Font: fnt}, nil
}

// Plot implements plot.Plotter.
func (h *Cells) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	gap := vg.Length(1)
	for r, row := range h.Values {
		for k, v := range row {
			x0, x1 := tx(float64(k)-0.5)+gap, tx(float64(k)+0.5)-gap
			y0, y1 := ty(float64(r)-0.5)+gap, ty(float64(r)+0.5)-gap
			fill := h.Color(v)
			if h.Missing[r][k] {
				fill = colNoRoute
			}
			c.FillPolygon(fill, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
			if t := h.Text[r][k]; t != "" {
				sty := h.Font
				sty.Color = textOn(fill)
				sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
				c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, t)
			}
		}
	}
}

// DataRange implements plot.DataRanger.
func (h *Cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(h.Values[0])) - 0.5, -0.5, float64(len(h.Values)) - 0.5
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

// diverging maps v in [−lim, lim] to a blue–white–red scale (ColorBrewer
// RdBu, reversed: negative blue, positive red; readable with the common
// colour-vision deficiencies). lim ≤ 0 maps everything to white.
func diverging(lim float64) func(float64) color.Color {
	stops := []color.RGBA{
		rgb(0x2166AC), rgb(0x4393C3), rgb(0x92C5DE), rgb(0xD1E5F0), rgb(0xF7F7F7),
		rgb(0xFDDBC7), rgb(0xF4A582), rgb(0xD6604D), rgb(0xB2182B),
	}
	return func(v float64) color.Color {
		if !(lim > 0) {
			return stops[4]
		}
		t := (v/lim + 1) / 2
		return interp(stops, t)
	}
}

// sequential maps v in [lo, hi] to viridis (perceptually uniform,
// colour-blind safe).
func sequential(lo, hi float64) func(float64) color.Color {
	stops := []color.RGBA{
		rgb(0x440154), rgb(0x482878), rgb(0x3E4A89), rgb(0x31688E), rgb(0x26828E),
		rgb(0x1F9E89), rgb(0x35B779), rgb(0x6DCD59), rgb(0xB4DE2C), rgb(0xFDE725),
	}
	return func(v float64) color.Color {
		if !(hi > lo) {
			return stops[len(stops)/2]
		}
		return interp(stops, (v-lo)/(hi-lo))
	}
}

func interp(stops []color.RGBA, t float64) color.RGBA {
	if math.IsNaN(t) {
		t = 0.5
	}
	t = math.Max(0, math.Min(1, t))
	f := t * float64(len(stops)-1)
	i := int(f)
	if i >= len(stops)-1 {
		return stops[len(stops)-1]
	}
	w := f - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-w) + float64(y)*w)) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 255}
}
