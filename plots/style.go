package plots

import (
	"image/color"
	"sync"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sansFont is the typeface of every chart: Liberation Sans from gonum/plot's
// font cache (metric-compatible with Arial/Helvetica, so slides look the
// same everywhere).
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

var fontOnce sync.Once

// initFonts makes Liberation Sans the default font of gonum/plot. It must
// run before any plot.New (plot.New copies plot.DefaultFont into the
// axes' and legend's styles).
func initFonts() {
	fontOnce.Do(func() {
		plot.DefaultFont = sansFont
	})
}

// newPlot returns a plot.Plot with the package's sans-serif font and the
// sizes of st.
func newPlot(st *style) *plot.Plot {
	initFonts()
	p := plot.New()
	p.BackgroundColor = nil // the figure paints the background
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = st.font(st.axisLabel, false)
		ax.Tick.Label.Font = st.font(st.tick, false)
		ax.Label.TextStyle.Color = colText
		ax.Tick.Label.Color = colText
		ax.LineStyle.Color = colAxis
		ax.Tick.LineStyle.Color = colAxis
		ax.LineStyle.Width = st.thin
		ax.Tick.LineStyle.Width = st.thin
		ax.Tick.Length = st.tickLen
		ax.Padding = 0
	}
	p.X.Label.Padding = st.pad / 2
	p.Y.Label.Padding = st.pad / 2
	return p
}

// style holds the lengths of one size preset.
type style struct {
	width, height vg.Length

	title, subtitle, axisLabel, tick, legend, footer, panel, cell, marker vg.Length

	pad     vg.Length // general padding
	thin    vg.Length // axis and grid lines
	line    vg.Length // data lines
	thick   vg.Length // emphasised data lines
	tickLen vg.Length
	swatch  vg.Length // legend swatch width
}

func (s *style) font(size vg.Length, bold bool) font.Font {
	f := sansFont
	if bold {
		f.Weight = stdfont.WeightBold
	}
	f.Size = size
	return f
}

func (s *style) text(size vg.Length, bold bool, c color.Color) draw.TextStyle {
	initFonts()
	return draw.TextStyle{
		Color:   c,
		Font:    font.From(s.font(size, bold), size),
		Handler: plot.DefaultTextHandler,
	}
}

// Sizes: a 16:9 slide is 13.33 × 7.5 in (PowerPoint's default); the fonts
// are sized so that the chart pasted full-slide reads from the back of a
// room. A half page is 6.5 × 4 in, a figure across a portrait page.
var (
	styleSlide = style{
		width: 13.333 * vg.Inch, height: 7.5 * vg.Inch,
		title: 24, subtitle: 15, axisLabel: 15, tick: 13, legend: 13,
		footer: 10, panel: 14, cell: 12, marker: 11,
		pad: 12, thin: 0.8, line: 2.2, thick: 3.2, tickLen: 5, swatch: 22,
	}
	styleHalf = style{
		width: 6.5 * vg.Inch, height: 4 * vg.Inch,
		title: 12, subtitle: 8.5, axisLabel: 8.5, tick: 7.5, legend: 7.5,
		footer: 6, panel: 8, cell: 6.5, marker: 6.5,
		pad: 6, thin: 0.5, line: 1.2, thick: 1.8, tickLen: 3, swatch: 13,
	}
)

func styleFor(s Size) (*style, error) {
	switch s {
	case SizeSlide:
		st := styleSlide
		return &st, nil
	case SizeHalfPage:
		st := styleHalf
		return &st, nil
	}
	return nil, errorf("unknown size preset %d", int(s))
}

func rgb(hex uint32) color.RGBA {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 255}
}

var (
	colText    = rgb(0x222222)
	colSubtle  = rgb(0x555555)
	colFooter  = rgb(0x777777)
	colAxis    = rgb(0x444444)
	colGrid    = rgb(0xE3E3E3)
	colMarker  = rgb(0x8C8C8C)
	colScen    = rgb(0x1A1A1A) // scenario line where no supplier colour applies
	colCf      = rgb(0x7A7A7A) // counterfactual line
	colBand90  = rgb(0xD6E2EE) // outer fan band (5–95%)
	colBand50  = rgb(0xA9C1D9) // inner fan band (25–75%)
	colBarLow  = rgb(0x004488) // tornado: parameter at its low value (Tol high-contrast blue)
	colBarHigh = rgb(0xDDAA33) // tornado: parameter at its high value (Tol high-contrast yellow)
	colNoRoute = rgb(0xF2F2F2) // heat-map cell of a route that carries nothing
)

// SupplierColors is the fixed colour of each supplier, the same in every
// chart. It is the Okabe–Ito palette (Okabe & Ito 2008, safe for the common
// colour-vision deficiencies) extended with colours of Paul Tol's
// colour-blind-safe schemes:
//
//	Canada        #0072B2 blue            Okabe–Ito
//	Russia        #D55E00 vermillion      Okabe–Ito
//	Belarus       #009E73 bluish green    Okabe–Ito
//	China         #E69F00 orange          Okabe–Ito
//	Israel        #56B4E9 sky blue        Okabe–Ito
//	Jordan        #CC79A7 reddish purple  Okabe–Ito
//	Germany       #882255 wine            Tol muted
//	Laos          #999933 olive           Tol muted
//	Chile         #332288 indigo          Tol muted
//	United States #661100 brown           Tol extension
//	Other         #999999 grey
//
// A supplier not listed gets the first unused colour of extraColors in
// the order the market lists it.
var SupplierColors = map[string]color.RGBA{
	"Canada":        rgb(0x0072B2),
	"Russia":        rgb(0xD55E00),
	"Belarus":       rgb(0x009E73),
	"China":         rgb(0xE69F00),
	"Israel":        rgb(0x56B4E9),
	"Jordan":        rgb(0xCC79A7),
	"Germany":       rgb(0x882255),
	"Laos":          rgb(0x999933),
	"Chile":         rgb(0x332288),
	"United States": rgb(0x661100),
	"Other":         rgb(0x999999),
}

// extraColors colour suppliers missing from SupplierColors and series
// that are not suppliers (scenarios in a comparison, corridors).
var extraColors = []color.RGBA{
	rgb(0x44AA99), rgb(0xAA4499), rgb(0x88CCEE), rgb(0x117733),
	rgb(0xDDCC77), rgb(0xF0E442), rgb(0x6699CC), rgb(0xEE8866),
}

// seriesColors colours series that are not suppliers (scenarios in a
// comparison, sweep lines): black and colours of Paul Tol's schemes that no
// listed supplier uses, so a scenario is never mistaken for a supplier.
var seriesColors = []color.RGBA{
	rgb(0x1A1A1A), rgb(0xAA4499), rgb(0x44AA99), rgb(0xDDAA33),
	rgb(0x88CCEE), rgb(0x117733), rgb(0xEE8866), rgb(0x6699CC),
}

// supplierPalette returns the colour of each of names (supplier names in
// market order).
func supplierPalette(names []string) []color.RGBA {
	out := make([]color.RGBA, len(names))
	used := map[color.RGBA]bool{}
	for i, n := range names {
		if c, ok := SupplierColors[n]; ok {
			out[i] = c
			used[c] = true
		}
	}
	k := 0
	for i, n := range names {
		if _, ok := SupplierColors[n]; ok {
			continue
		}
		for k < len(extraColors) && used[extraColors[k]] {
			k++
		}
		if k < len(extraColors) {
			out[i] = extraColors[k]
			used[extraColors[k]] = true
			k++
		} else {
			out[i] = rgb(0x555555)
		}
	}
	return out
}

func seriesColor(i int) color.RGBA { return seriesColors[i%len(seriesColors)] }

// dash patterns
func dashed(st *style) []vg.Length { return []vg.Length{st.line * 2.5, st.line * 1.5} }
func dotted(st *style) []vg.Length { return []vg.Length{st.line * 0.8, st.line * 1.6} }
