package plots

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// coincideNote is a plotter that notes, in the top right corner of the
// data area, when two plotted series (a scenario and its counterfactual)
// lie within width of each other at every point of the x range shown:
// the reader then sees one line and would wonder where the other went.
// The note gives the largest gap in data units, e.g. "Scenario and
// counterfactual coincide: largest gap 0.043 $/t". It draws nothing when
// the lines part anywhere on the chart.
type coincideNote struct {
	x, a, b []float64
	// width is the lines' visual width: closer than this, the thicker
	// line hides the other.
	width vg.Length
	// unit formats a gap in data units, e.g. func(v) "0.043 $/t".
	unit func(gap float64) string
	st   *Style
}

// newCoincideNote returns the note for scenario scen and counterfactual
// cf at x, drawn with st: width is the scenario line's (the thicker).
func newCoincideNote(x, scen, cf []float64, st *Style, unit func(float64) string) coincideNote {
	return coincideNote{x: x, a: scen, b: cf, width: st.thick, unit: unit, st: st}
}

// coincideGap returns the largest gap between a and b over the points
// whose x lies in [xmin, xmax], in data units, and in canvas units through
// ty with both ends clamped to [ylo, yhi] (a line off the scale is drawn
// at its edge); ok is false when no point with finite values is shown.
func coincideGap(x, a, b []float64, xmin, xmax float64, ty func(float64) vg.Length, ylo, yhi vg.Length) (gap float64, pix vg.Length, ok bool) {
	n := min(len(x), len(a), len(b))
	for i := 0; i < n; i++ {
		if x[i] < xmin || x[i] > xmax || !finite(a[i]) || !finite(b[i]) {
			continue
		}
		ok = true
		gap = math.Max(gap, math.Abs(a[i]-b[i]))
		ya := min(max(ty(a[i]), ylo), yhi)
		yb := min(max(ty(b[i]), ylo), yhi)
		pix = max(pix, vg.Length(math.Abs(float64(ya-yb))))
	}
	return gap, pix, ok
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// text is the note for a largest gap of gap.
func (o coincideNote) text(gap float64) string {
	if gap == 0 {
		return "Scenario and counterfactual are identical"
	}
	return "Scenario and counterfactual coincide: largest gap " + o.unit(gap)
}

// Plot implements plot.Plotter.
func (o coincideNote) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	gap, pix, ok := coincideGap(o.x, o.a, o.b, p.X.Min, p.X.Max, ty, c.Min.Y, c.Max.Y)
	if !ok || pix > o.width {
		return
	}
	pad := o.st.pad * 0.5
	sty, lines := o.st.fitLines(o.st.text(o.st.marker, false, colText), o.text(gap), c.Size().X-2*pad)
	fe := sty.FontExtents()
	y := c.Max.Y - pad
	for _, l := range lines {
		w := sty.Width(l)
		x := max(c.Max.X-pad-w, c.Min.X+pad)
		y -= fe.Height
		box := vg.Rectangle{Min: vg.Point{X: x - pad/2, Y: y - pad/4}, Max: vg.Point{X: x + w + pad/2, Y: y + fe.Height + pad/4}}
		c.FillPolygon(colWhiteA, []vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}})
		c.FillText(sty, vg.Point{X: x, Y: y + fe.Descent}, l)
	}
}

// gapNumber formats a positive gap with two significant digits and no
// exponent: 0.043, 0.52, 3.1, 140.
func gapNumber(v float64) string {
	if !(v > 0) || !finite(v) {
		return "0"
	}
	dec := max(0, 1-int(math.Floor(math.Log10(v))))
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if r, err := strconv.ParseFloat(s, 64); err == nil && r >= 100 {
		s = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return s
}

// coincidePanels is the legend note of a chart of one panel per market
// (names) with scenario and counterfactual series scen[r] and cf[r]
// shown from index w0 on a y scale spanning yspan data units, in panels
// whose data areas are at most panelH tall: the markets whose two lines
// lie within width of each other everywhere, with the largest gap among
// them in unit, e.g. "Scenario and counterfactual coincide in every
// market: largest gap 0.019 months"; "" when none does.
func coincidePanels(names []string, scen, cf [][]float64, w0 int, yspan float64, width, panelH vg.Length, unit string) string {
	if !(yspan > 0) || !(panelH > 0) {
		return ""
	}
	tol := yspan * float64(width/panelH) // the line's width in data units
	var in []string
	gap := 0.0
	for r := range names {
		if r >= len(scen) || r >= len(cf) {
			break
		}
		g := seriesGap(scen[r], cf[r], w0)
		if g > tol {
			continue
		}
		in = append(in, names[r])
		gap = math.Max(gap, g)
	}
	where := "in every market"
	switch {
	case len(in) == 0:
		return ""
	case len(in) < len(names):
		where = "in " + joinAnd(in)
	}
	if gap == 0 {
		return "Scenario and counterfactual are identical " + where
	}
	return "Scenario and counterfactual coincide " + where + ": largest gap " + gapNumber(gap) + " " + unit
}

// seriesGap is the largest |a−b| from index w0 over finite values.
func seriesGap(a, b []float64, w0 int) float64 {
	gap := 0.0
	for i := max(w0, 0); i < min(len(a), len(b)); i++ {
		if finite(a[i]) && finite(b[i]) {
			gap = math.Max(gap, math.Abs(a[i]-b[i]))
		}
	}
	return gap
}

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
