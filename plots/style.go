package plots

import (
	"image/color"
	"slices"
	"strings"
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
func newPlot(st *Style) *plot.Plot {
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

// Style is the look of one size preset: type sizes, line widths, paddings
// and the canvas size. A chart's Build gets one and makes its panels with
// it (NewPlot, TimePlot, LineStyle, …), so that every chart at that size,
// the back-test's included, has the same type, lines and spacing.
type Style struct {
	width, height vg.Length

	title, subtitle, axisLabel, tick, legend, footer, panel, cell, marker vg.Length

	pad     vg.Length // general padding
	thin    vg.Length // axis and grid lines
	line    vg.Length // data lines
	thick   vg.Length // emphasised data lines
	tickLen vg.Length
	swatch  vg.Length // legend swatch width

	// minText is the smallest text size (0: none; text that does not
	// fit shrinks to 60%, never below minPoints): at a preset with one,
	// text wraps instead, and a legend too long for its column at that
	// size drops what it can (the numbered key of the event lines gives
	// way to a line saying where they are named) rather than shrink
	// below it.
	minText vg.Length
	// legendBelow puts the legend in rows under the panels instead of in
	// a column to their right.
	legendBelow bool

	// names are the multi-word names of the chart being drawn (its
	// legend's keys, its panel headings): wrapped text never breaks
	// inside one (protect).
	names []string
}

// withNames returns a copy of s that keeps the names of figure lay
// whole when it wraps text: its panel headings and its legend's short
// keys ("United States", "Rest of world", "Other producers").
func (s *Style) withNames(lay *Figure) *Style {
	c := *s
	c.names = nil
	add := func(n string) {
		if k := strings.Count(n, " "); k >= 1 && k <= 3 && !slices.Contains(c.names, n) {
			c.names = append(c.names, n)
		}
	}
	for _, row := range lay.Panels {
		for _, p := range row {
			if p != nil {
				add(p.Heading)
				add(strings.TrimSpace(strings.Split(p.Heading, " (")[0]))
			}
		}
	}
	for _, it := range lay.Legend {
		if it.Kind != LegendHeader && it.Kind != LegendNote && it.Kind != legendCont {
			add(it.Label)
		}
	}
	// The longest first: "Rest of world" before a name inside it.
	slices.SortStableFunc(c.names, func(a, b string) int { return len(b) - len(a) })
	return &c
}

// protect joins the words of each name in txt with no-break spaces,
// which wrapText does not break at: s's names, and two to four
// capitalised words in a row ("Southeast Asia", "Monte Carlo", "(Brazil
// CFR)" has one: "CFR" is an acronym).
func (s *Style) protect(txt string) string {
	for _, n := range s.names {
		if strings.Contains(txt, n) {
			txt = strings.ReplaceAll(txt, n, strings.ReplaceAll(n, " ", nbsp))
		}
	}
	return protectCapitals(txt)
}

// protectCapitals joins runs of two to four capitalised words (isName)
// with no-break spaces; a word ending a phrase (",", ";", ":", ".",
// ")") ends its run.
func protectCapitals(txt string) string {
	words := strings.Split(txt, " ")
	for i := 0; i < len(words); {
		j := i
		for j < len(words) && isName(words[j]) {
			j++
			if strings.ContainsAny(words[j-1][len(words[j-1])-1:], ",;:.)") || j < len(words) && strings.HasPrefix(words[j], "(") {
				break
			}
		}
		if n := j - i; n >= 2 && n <= 4 {
			run := strings.Join(words[i:j], nbsp)
			words = append(words[:i], append([]string{run}, words[j:]...)...)
			i++
			continue
		}
		i = max(j, i+1)
	}
	return strings.Join(words, " ")
}

// minPoints is the smallest text of any chart at any size: 7 pt, the
// least a briefing reader can read on a half-page figure or a slide.
// Every preset's sizes are at least this, and text shrunk to fit stops
// here (Style.fit).
const minPoints vg.Length = 7

// legendFloor is the smallest size the legend's text may shrink to (0:
// 60% of its size, never below minPoints).
func (s *Style) legendFloor() vg.Length { return s.minText }

// floor is the smallest size text shrunk to fit may take at s.
func (s *Style) floor() vg.Length { return max(s.minText, minPoints) }

func (s *Style) font(size vg.Length, bold bool) font.Font {
	f := sansFont
	if bold {
		f.Weight = stdfont.WeightBold
	}
	f.Size = size
	return f
}

func (s *Style) text(size vg.Length, bold bool, c color.Color) draw.TextStyle {
	initFonts()
	return draw.TextStyle{
		Color:   c,
		Font:    font.From(s.font(size, bold), size),
		Handler: plot.DefaultTextHandler,
	}
}

// Width and Height return the canvas size of the preset.
func (s *Style) Width() vg.Length  { return s.width }
func (s *Style) Height() vg.Length { return s.height }

// NewPlot returns an empty panel with the preset's axes: Liberation Sans
// tick and axis labels, thin dark axes, no background (the figure paints
// it) and no axis padding.
func (s *Style) NewPlot() *plot.Plot { return newPlot(s) }

// TimePlot returns a panel over [xmin, xmax] in MonthX units, with
// calendar ticks, a light grid, the y axis labelled ylabel with ticker yt,
// and a dashed vertical line at each marker (put the markers in the
// Panel too for their labels). The plotters under are drawn first,
// beneath the grid: shaded periods (Span).
func (s *Style) TimePlot(xmin, xmax float64, ylabel string, yt plot.Ticker, markers []Marker, under ...plot.Plotter) (*plot.Plot, error) {
	return timePlot(s, xmin, xmax, ylabel, yt, markers, under...)
}

// LineKind is the weight and dash of a data line.
type LineKind int

const (
	Solid  LineKind = iota // a data line
	Thick                  // the line the chart is about (the scenario, the record)
	Dashed                 // a reference line (the counterfactual, a naive forecast)
	Dotted                 // a secondary reference line
)

// LineStyle returns the preset's line of kind k in colour c.
func (s *Style) LineStyle(c color.Color, k LineKind) draw.LineStyle {
	ls := draw.LineStyle{Color: c, Width: s.line}
	switch k {
	case Thick:
		ls.Width = s.thick
	case Dashed:
		ls.Dashes = dashed(s)
	case Dotted:
		ls.Dashes = dotted(s)
	}
	return ls
}

// GlyphStyle returns the preset's point marker (a filled circle) in c.
func (s *Style) GlyphStyle(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: s.line * 2.2, Shape: draw.CircleGlyph{}}
}

// LabelStyle returns the preset's style of a label drawn on the data (an
// annotation), the size of the event labels.
func (s *Style) LabelStyle(c color.Color, bold bool) draw.TextStyle {
	return s.text(s.marker, bold, c)
}

// Sizes: a 16:9 slide is 13.33 × 7.5 in (PowerPoint's default); the fonts
// are sized so that the chart pasted full-slide reads from the back of a
// room. A half page is 6.5 × 4 in, a figure across a portrait page; its
// smallest text is minPoints (footer, event labels, cell values), and
// its text wraps rather than shrinks below that. The
// web preset is 600 × 375 pt (16:10): shown 600 CSS pixels wide, one point
// is one CSS pixel, so its smallest text, 11 pt, is 11 CSS px in a card
// 600–700 px wide (and more in a wider one); its legend sits under the
// panels.
var (
	styleSlide = Style{
		width: 13.333 * vg.Inch, height: 7.5 * vg.Inch,
		title: 24, subtitle: 15, axisLabel: 15, tick: 13, legend: 13,
		footer: 10, panel: 14, cell: 12, marker: 11,
		pad: 12, thin: 0.8, line: 2.2, thick: 3.2, tickLen: 5, swatch: 22,
	}
	styleHalf = Style{
		width: 6.5 * vg.Inch, height: 4 * vg.Inch,
		title: 12, subtitle: 8.5, axisLabel: 8.5, tick: 7.5, legend: 7.5,
		footer: 7, panel: 8, cell: 7, marker: 7,
		pad: 6, thin: 0.5, line: 1.2, thick: 1.8, tickLen: 3, swatch: 13,
		minText: minPoints,
	}
	styleWeb = Style{
		width: 600, height: 375,
		title: 16, subtitle: 12, axisLabel: 12, tick: 11.5, legend: 11.5,
		footer: 11, panel: 12, cell: 11, marker: 11,
		pad: 7, thin: 0.6, line: 1.6, thick: 2.4, tickLen: 3.5, swatch: 16,
		minText: 11, legendBelow: true,
	}
)

// StyleOf returns the style of size preset sz.
func StyleOf(sz Size) (*Style, error) { return styleFor(sz) }

func styleFor(s Size) (*Style, error) {
	switch s {
	case SizeSlide:
		st := styleSlide
		return &st, nil
	case SizeHalfPage:
		st := styleHalf
		return &st, nil
	case SizeWeb:
		st := styleWeb
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
	colBarCut  = rgb(0xBB5566) // tornado: an end cut by a joint rule (Tol high-contrast red)
	colWindow  = rgb(0xF4F1E8) // the report window's shading (warm, apart from the blue bands)
	colWhiteA  = color.NRGBA{R: 255, G: 255, B: 255, A: 210}
	colNoRoute = rgb(0xCFCFCF) // heat-map cell of a route that carries nothing (zero is near white)
)

// supplierColors is the fixed colour of each supplier, the same in every
// chart (SupplierColor). It is the Okabe–Ito palette (Okabe & Ito 2008, safe for the common
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
var supplierColors = map[string]color.RGBA{
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

// SupplierColor returns the fixed colour of supplier name, and whether it
// has one (see supplierColors; others get colours by their place in a
// market).
func SupplierColor(name string) (color.RGBA, bool) {
	c, ok := supplierColors[name]
	return c, ok
}

// SupplierColors returns the colour of each of names (supplier names in
// market order): the fixed colour of a listed supplier, else the first
// colour of Paul Tol's schemes no other supplier of names uses.
func SupplierColors(names []string) []color.RGBA { return supplierPalette(names) }

// extraColors colour suppliers missing from supplierColors and series
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
		if c, ok := supplierColors[n]; ok {
			out[i] = c
			used[c] = true
		}
	}
	k := 0
	for i, n := range names {
		if _, ok := supplierColors[n]; ok {
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
func dashed(st *Style) []vg.Length { return []vg.Length{st.line * 2.5, st.line * 1.5} }
func dotted(st *Style) []vg.Length { return []vg.Length{st.line * 0.8, st.line * 1.6} }
