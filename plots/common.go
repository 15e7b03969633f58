package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// timePlot returns a plot over [xmin, xmax] (monthX units) with calendar
// ticks, a light grid and dashed event lines at markers; under are drawn
// first, beneath the grid (shaded periods).
func timePlot(st *Style, xmin, xmax float64, ylabel string, yt plot.Ticker, markers []Marker, under ...plot.Plotter) (*plot.Plot, error) {
	return timePlotN(st, xmin, xmax, ylabel, yt, markers, 0, under...)
}

// timePlotN is timePlot with at most maxLabels year labels (0: no limit),
// for narrow panels.
func timePlotN(st *Style, xmin, xmax float64, ylabel string, yt plot.Ticker, markers []Marker, maxLabels int, under ...plot.Plotter) (*plot.Plot, error) {
	p := newPlot(st)
	for _, u := range under {
		if u != nil {
			p.Add(u)
		}
	}
	if xmax <= xmin {
		xmin, xmax = xmin-1.0/24, xmax+1.0/24
	}
	p.X.Min, p.X.Max = xmin, xmax
	p.X.Tick.Marker = CalendarTicks{MaxLabels: maxLabels}
	p.Y.Tick.Marker = yt
	p.Y.Label.Text = ylabel
	addGrid(p, st, true, true)
	if len(markers) > 0 {
		xs := make([]float64, len(markers))
		for k, m := range markers {
			xs[k] = monthX(m.Month)
		}
		ev, err := NewEventLines(xs, draw.LineStyle{Color: colMarker, Width: st.thin * 1.2, Dashes: []vg.Length{st.thin * 4, st.thin * 3}})
		if err != nil {
			return nil, err
		}
		p.Add(ev)
	}
	return p, nil
}

func addGrid(p *plot.Plot, st *Style, horizontal, vertical bool) {
	g := plotter.NewGrid()
	g.Horizontal = draw.LineStyle{Color: colGrid, Width: st.thin}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	if vertical {
		g.Vertical = draw.LineStyle{Color: colGrid, Width: st.thin}
	} else {
		g.Vertical.Color = nil
	}
	p.Add(g)
}

// addLine adds a polyline through (x[i], y[i]).
func addLine(p *plot.Plot, x, y []float64, c color.Color, w vg.Length, dashes []vg.Length) error {
	xy := make(plotter.XYs, len(x))
	for i := range x {
		xy[i].X, xy[i].Y = x[i], y[i]
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return errorf("line: %v", err)
	}
	l.LineStyle = draw.LineStyle{Color: c, Width: w, Dashes: dashes}
	p.Add(l)
	return nil
}

// setY sets the plot's y range to the data's range, padded.
func setY(p *plot.Plot, withZero bool, ys ...[]float64) {
	lo, hi := dataRange(ys...)
	p.Y.Min, p.Y.Max = padRange(lo, hi, 0.06, withZero)
}

func scale(xs []float64, k float64) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = v * k
	}
	return out
}

func sub(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func last(xs []float64) float64 { return xs[len(xs)-1] }

// lighten mixes c with white: f = 0 returns c, f = 1 white.
func lighten(c color.Color, f float64) color.RGBA {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8(math.Round(float64(v>>8)*(1-f) + 255*f)) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 255}
}

// nominalTicks labels integer positions 0..len(labels)−1.
type nominalTicks []string

func (n nominalTicks) Ticks(min, max float64) []plot.Tick {
	out := make([]plot.Tick, len(n))
	for i, l := range n {
		out[i] = plot.Tick{Value: float64(i), Label: l}
	}
	return out
}

// hideAxisLine hides an axis's line and tick marks, keeping its labels.
func hideAxisLine(a *plot.Axis) {
	a.LineStyle.Width = 0
	a.Tick.LineStyle.Width = 0
	a.Tick.Length = 0
}

// gridDims picks rows × cols for n panels on a wide canvas.
func gridDims(n int) (rows, cols int) {
	switch {
	case n <= 3:
		return 1, n
	case n == 4:
		return 2, 2
	case n <= 6:
		return 2, 3
	case n <= 8:
		return 2, 4
	case n <= 12:
		return 3, 4
	default:
		cols = int(math.Ceil(math.Sqrt(float64(n) * 16 / 9)))
		return (n + cols - 1) / cols, cols
	}
}

// windowText describes the report window of d: "Jan 2020 – Dec 2028".
func (d *runData) windowText() string {
	return monthLabel(d.months[d.from]) + " – " + monthLabel(d.months[len(d.months)-1])
}

type vgLength = vg.Length

func vgLen(n int) vg.Length { return vg.Length(n) }
