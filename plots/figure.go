package plots

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/potash-sim/potash/model"
)

// Chart is one figure ready to render: a title saying what it shows, a
// subtitle naming the scenario and its counterfactual, one or more aligned
// panels, a legend (and colour bar) to the right of the data, never over
// it, and a footer tracing it to its run. The chart constructors
// (PricePathChart, RevenueChart, …) validate their data and return one;
// other packages make their own by setting Build (the back-test does), and
// get the same fonts, sizes, layout and formats.
type Chart struct {
	// Name is the file base name, e.g. "price" for price.png.
	Name     string
	Title    string
	Subtitle string
	Footer   string
	// Caption is a short description of the chart for a list or a page
	// ("Benchmark price path, with Monte Carlo bands" with draws).
	Caption string
	// Main marks the charts a summary shows first (the page's main grid).
	Main bool
	// Build makes the chart's figure for one size preset. Render calls it
	// once per rendering.
	Build func(st *Style) (*Figure, error)
}

// Figure is what a chart draws at one size: a grid of panels whose data
// areas are aligned, a legend and an optional colour bar in a column to
// their right.
type Figure struct {
	// Panels are the rows of panels, top first; a nil panel leaves its
	// cell empty. Rows shorter than the longest get empty cells.
	Panels [][]*Panel
	// Heights are the rows' relative heights; nil or empty means equal.
	Heights []float64
	// Legend lists the legend's entries from the top.
	Legend []LegendItem
	// ColorBar is drawn between the panels and the legend when set.
	ColorBar *ColorBar
	// LegendBelow puts the legend in rows under the panels at every
	// size, for a chart whose panel needs the width (the tornado's long
	// row labels).
	LegendBelow bool
	// EventsNamedOn is where a reader finds the names of the events
	// when the figure has no room for them ("the benchmark price
	// chart"); the legend then says "Dashed lines: events (named on
	// …)", or, when empty, that there are too many to name at this size.
	EventsNamedOn string
}

// Panel is one plot of a figure.
type Panel struct {
	Plot *plot.Plot
	// Heading is written above the panel (bold, wrapped to its width).
	Heading string
	// Markers are the event markers on a time axis. Their dashed lines
	// are drawn by the panel's plot (Style.TimePlot adds them); with
	// LabelMarkers, the first such panel of the top row gets their labels
	// in a strip above it (or numbers keyed in the legend when they do not
	// fit).
	Markers      []Marker
	LabelMarkers bool
}

// LegendKind is the swatch of a legend entry.
type LegendKind int

const (
	LegendLine      LegendKind = iota // a solid line
	LegendDash                        // a dashed line
	LegendDot                         // a dotted line
	LegendFill                        // a filled box (an area, a bar, a band)
	LegendHeader                      // a bold heading, no swatch
	LegendLinePoint                   // a line through a point (a series with points)
	LegendNote                        // a remark on the chart, no swatch
	legendNumber                      // an event number and its label
	legendCont                        // the continuation line of a wrapped label
)

// LegendItem is one legend entry.
type LegendItem struct {
	Label string
	Color color.Color
	Kind  LegendKind
	num   string // legendNumber: the event's number
	// hang: a continuation line of an event's label in a legend
	// column, indented so that it does not read as another event of
	// the same line (those are listed unnumbered under the first).
	hang bool
}

// ColorBar is a vertical colour scale next to a heat map, drawn with
// gonum/plot's plotter.ColorBar. Map must have Min < Max.
type ColorBar struct {
	Label string
	Map   palette.ColorMap
	Ticks plot.Ticker // nil: NumberTicks
}

// footerText is the traceability line of every chart.
func footerText(m Meta) string {
	var parts []string
	if m.DataSource != "" {
		parts = append(parts, m.DataSource)
	}
	if m.DollarsOf > 0 {
		parts = append(parts, "money in constant "+strconv.Itoa(m.DollarsOf)+" US$")
	}
	v := m.ModelVersion
	if v == "" {
		v = "unknown"
	}
	parts = append(parts, "potash model "+v)
	short := func(h string) string {
		if len(h) > 12 {
			return h[:12]
		}
		return h
	}
	switch {
	case len(m.Runs) > 0:
		var rs []string
		for _, r := range m.Runs {
			h := short(r.Hash)
			if h == "" {
				h = "unknown"
			}
			rs = append(rs, r.Name+" "+h)
		}
		parts = append(parts, "scenario hashes: "+strings.Join(rs, ", "))
	case m.Hash != "":
		parts = append(parts, "scenario hash "+short(m.Hash))
	}
	if m.Draws > 0 {
		parts = append(parts, "Monte Carlo: "+formatNumber(float64(m.Draws), 0)+" draws, seed "+formatNumber(float64(m.Seed), 0))
	}
	return strings.Join(parts, footerSep)
}

// subtitleText names the scenario and its counterfactual, with extra
// chart-specific notes.
func subtitleText(m Meta, notes ...string) string {
	var s string
	switch {
	case m.Scenario != "" && m.Counterfactual != "":
		s = "Scenario: " + m.Scenario + "  vs  counterfactual: " + m.Counterfactual
	case m.Scenario != "":
		s = "Scenario: " + m.Scenario
	}
	for _, n := range notes {
		if n == "" {
			continue
		}
		if s != "" {
			s += "  ·  "
		}
		s += n
	}
	return s
}

// wrapText breaks txt at spaces into at most maxLines lines no wider
// than width (the last line takes the rest; 0: no limit). Within a line
// the spaces are txt's (the subtitles' "  ·  " stay wide). It breaks
// only between the words wrapWords leaves apart: never inside a number
// and its unit or noun, a month and its year, or a name.
func wrapText(txt string, sty draw.TextStyle, width vg.Length, maxLines int) []string {
	words, gaps := wrapWords(txt)
	if len(words) == 0 {
		return nil
	}
	var lines []string
	cur := words[0]
	for k, w := range words[1:] {
		if next := cur + gaps[k+1] + w; textWidth(sty, next) <= width || len(lines) == maxLines-1 {
			cur = next
			continue
		}
		lines = append(lines, cur)
		cur = w
	}
	return unprotect(append(lines, cur))
}

// nbsp joins the words of a name that must not break (Style.protect);
// wrapText breaks at ASCII spaces only and gives the spaces back.
const nbsp = "\u00a0"

// unprotect turns the no-break spaces of lines back into spaces.
func unprotect(lines []string) []string {
	for k, l := range lines {
		lines[k] = strings.ReplaceAll(l, nbsp, " ")
	}
	return lines
}

// textWidth is the width of s in sty, a no-break space as wide as a space.
func textWidth(sty draw.TextStyle, s string) vg.Length {
	return sty.Width(strings.ReplaceAll(s, nbsp, " "))
}

// wrapWords splits txt at its spaces into the words a line may break
// between, and the space before each (gaps[k] before words[k]).
// Words that belong together are one:
//   - a separator ("·", "–", "—") ends a line, never begins one;
//   - a unit stays on the line of its number ("4.3 Mt", "0.10 $/t"),
//     and so does the word a number counts ("3 parameters", "200
//     draws");
//   - a month stays with its year ("Dec 2025"), and a range of months or
//     years is one ("Dec 2025 – Dec 2028");
//   - words joined by no-break spaces are one (a name: Style.protect).
func wrapWords(txt string) (words, gaps []string) {
	words = strings.FieldsFunc(txt, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if len(words) == 0 {
		return nil, nil
	}
	gaps = make([]string, len(words))
	rest := strings.TrimLeft(txt, " \t\n\r")
	for k, w := range words {
		i := strings.Index(rest, w)
		gaps[k] = rest[:i]
		rest = rest[i+len(w):]
	}
	for k := 1; k < len(words); k++ {
		prev, w := words[k-1], words[k]
		switch {
		case isSeparator(w),
			isNumber(prev), // its unit or the noun it counts
			monthAbbrs[lastWord(prev)] && isYear(w),
			strings.HasSuffix(prev, "–") && (monthAbbrs[w] || isYear(w)):
			words[k-1] += gaps[k] + w
			words, gaps = slices.Delete(words, k, k+1), slices.Delete(gaps, k, k+1)
			k--
		}
	}
	return words, gaps
}

// lastWord is the last of the words joined in w.
func lastWord(w string) string {
	if i := strings.LastIndexAny(w, " "); i >= 0 {
		return w[i+1:]
	}
	return w
}

// isSeparator reports whether w separates a text's parts: it ends a
// line, never begins one.
func isSeparator(w string) bool { return w == "·" || w == "–" || w == "—" }

// monthAbbrs are the month abbreviations of monthLabel ("Dec 2025").
var monthAbbrs = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range monthAbbr {
		m[a] = true
	}
	return m
}()

// isYear reports whether w, less trailing punctuation, is a year.
func isYear(w string) bool {
	w = strings.TrimRight(w, ",;:.)]")
	if len(w) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// isName reports whether word w is capitalised: an upper-case letter,
// then letters with at least one lower-case, then at most closing
// punctuation ("Southeast", "(Brazil", "Asia,"; not "US", "EU", "CFR)").
func isName(w string) bool {
	w = strings.TrimLeft(w, "(")
	rs := []rune(w)
	if len(rs) < 2 || !unicode.IsUpper(rs[0]) {
		return false
	}
	lower := false
	for _, r := range rs[1:] {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsLetter(r) || r == '\'' || r == '-':
		default:
			return lower && strings.ContainsRune(",;:.)", r)
		}
	}
	return lower
}

// isNumber reports whether w is a number, as charts print them: an
// optional opening bracket, sign and currency, then digits with
// thousands commas and a decimal point ("4.3", "(+$1,202", "−0.5").
func isNumber(w string) bool {
	w = strings.TrimLeft(w, "([")
	w = strings.TrimLeft(w, "+-−±~≈")
	w = strings.TrimPrefix(strings.TrimPrefix(w, "US"), "$")
	if w == "" || w[0] < '0' || w[0] > '9' {
		return false
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if (c < '0' || c > '9') && (c != ',' && c != '.' || i == len(w)-1) {
			return false
		}
	}
	return true
}

// footerSep separates the parts of a footer (footerText).
const footerSep = " · "

// footerLines sets a footer in lines no wider than width at its own size,
// never shrunk (small type breaks up on screen: at half-page size a
// footer shrunk to fit one line ran "FAOSTAT," into "World"): its parts,
// separated by footerSep, are packed into lines whole, and a part too
// wide for a line of its own breaks at its spaces, not inside a name
// ("World Bank", "Pink Sheet": protectCapitals).
func footerLines(txt string, sty draw.TextStyle, width vg.Length) []string {
	var lines []string
	cur := ""
	for _, part := range strings.Split(txt, footerSep) {
		switch {
		case cur == "":
			cur = part
		case sty.Width(cur+footerSep+part) <= width:
			cur += footerSep + part
		default:
			lines = append(lines, cur)
			cur = part
		}
		if sty.Width(cur) > width {
			ws := wrapText(protectCapitals(cur), sty, width, 0)
			lines = append(lines, ws[:len(ws)-1]...)
			cur = ws[len(ws)-1]
		}
	}
	return append(lines, cur)
}

// fitText shrinks sty's font until txt fits in width (down to 60%).
func fitText(sty draw.TextStyle, txt string, width vg.Length) draw.TextStyle {
	for i := 0; i < 8 && sty.Width(txt) > width; i++ {
		sty.Font.Size *= 0.94
	}
	return sty
}

// draw draws the chart on c at style st.
func (ch *Chart) draw(c draw.Canvas, st *Style) error {
	if ch.Build == nil {
		return errorf("chart %q has no Build", ch.Name)
	}
	lay, err := ch.Build(st)
	if err != nil {
		return err
	}
	st = st.withNames(lay)
	rows, cols, err := lay.grid()
	if err != nil {
		return errorf("chart %q: %v", ch.Name, err)
	}
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())

	m := st.pad * 1.5
	area := draw.Crop(c, m, -m, m*0.7, -m)

	// Header.
	y := area.Max.Y
	tsty, tlines := st.fitLines(st.text(st.title, true, colText), ch.Title, area.Size().X)
	for _, l := range tlines {
		y -= tsty.FontExtents().Ascent
		area.FillText(tsty, vg.Point{X: area.Min.X, Y: y}, l)
		y -= tsty.FontExtents().Descent
	}
	y -= st.pad * 0.3
	if ch.Subtitle != "" {
		ssty, slines := st.wrapLines(st.text(st.subtitle, false, colSubtle), ch.Subtitle, area.Size().X)
		for _, l := range slines {
			y -= ssty.FontExtents().Ascent
			area.FillText(ssty, vg.Point{X: area.Min.X, Y: y}, l)
			y -= ssty.FontExtents().Descent
		}
	}
	y -= st.pad

	// Footer.
	bottom := area.Min.Y
	if ch.Footer != "" {
		fsty := st.text(st.footer, false, colFooter)
		flines := footerLines(ch.Footer, fsty, area.Size().X)
		for j := len(flines) - 1; j >= 0; j-- {
			area.FillText(fsty, vg.Point{X: area.Min.X, Y: bottom + fsty.FontExtents().Descent}, flines[j])
			bottom += fsty.FontExtents().Height
		}
		bottom += st.pad
	}

	body := area
	body.Max.Y = y
	body.Min.Y = bottom

	// Panels.
	msty := st.text(st.marker, false, colSubtle)
	hsty0 := st.text(st.panel, true, colText)
	hsty := hsty0
	hasHeading := false
	for _, row := range lay.Panels {
		for _, p := range row {
			if p == nil {
				continue
			}
			if p.Heading != "" {
				hasHeading = true
			}
		}
	}
	// Event labels go above the first panel that asks for them: as text
	// when it fits, else as numbers keyed in the legend column.
	var lp *Panel
	for _, p := range lay.Panels[0] {
		if p != nil && p.LabelMarkers && markersInRange(p) {
			lp = p
			break
		}
	}
	numbered := lp != nil && cols > 2
	headLines := 0
	if hasHeading {
		headLines = 1
	}
	headH := func() vg.Length {
		if headLines == 0 {
			return 0
		}
		return vg.Length(headLines)*hsty.FontExtents().Height + st.pad*0.4
	}
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
		for k := range plots[r] {
			if p := lay.Panels[r][k]; p != nil {
				plots[r][k] = p.Plot
			}
		}
	}
	markH := func(rows int) vg.Length {
		if rows == 0 {
			return 0
		}
		return vg.Length(rows)*msty.FontExtents().Height + st.pad*0.3
	}
	// The y-axis labels as built: a label longer than its panel is tall
	// wraps (wrapYLabels), afresh at each trial layout.
	ylabels := map[*plot.Plot]string{}
	for _, row := range plots {
		for _, p := range row {
			if p != nil {
				ylabels[p] = p.Y.Label.Text
			}
		}
	}
	align := func(body draw.Canvas, rows int) [][]draw.Canvas {
		tiles := draw.Tiles{
			Rows: len(plots), Cols: cols,
			PadTop: headH() + markH(rows),
			PadX:   st.pad * 2,
			PadY:   headH() + st.pad*1.2,
		}
		canv := alignFigure(plots, lay.Heights, tiles, body)
		// A wrapped label widens its axis, not its panel's height: one
		// more alignment places the panels for it.
		if wrapYLabels(plots, canv, ylabels) {
			canv = alignFigure(plots, lay.Heights, tiles, body)
		}
		return canv
	}
	var (
		legend     []LegendItem
		canv       [][]draw.Canvas
		markerRows int
		right      vg.Length
		barWrapped bool
	)
	// The legend goes under the panels at a preset that asks for it,
	// unless it would take more than 30% of the height of a row of panels
	// there (then it goes to their right, as at the other presets).
	noKey := false // no room for the numbered key: explain the lines
	below := (st.legendBelow || lay.LegendBelow) && legendBelowHeight(lay.Legend, st, body.Size().X) <= body.Size().Y*0.3/vg.Length(rows)
	for {
		legend = lay.Legend
		if numbered {
			key := append(slices.Clone(legend), markerKey(lp, below)...)
			if !noKey && legendFits(key, st, body.Rectangle, rows, below) {
				legend = key
			} else {
				// No room for the key (small multiples on a web card):
				// the lines are explained, their names left to the
				// charts with room for them.
				lp, numbered = nil, false
				legend = append(slices.Clone(legend), LegendItem{Kind: LegendDash, Color: colMarker, Label: eventsElsewhere(lay.EventsNamedOn)})
			}
		}
		b := body
		if below {
			// The legend in rows under the panels, the full width.
			b.Min.Y += legendBelowHeight(legend, st, body.Size().X)
			right = body.Max.X
		} else {
			// The legend column takes at most 30% of the width (more
			// when its text, which cannot shrink, would be too tall).
			legend = wrapLegend(legend, st, columnWidth(legend, st, body.Rectangle))
			right = body.Max.X - legendWidth(legend, legendStyle(legend, st, body.Size().Y))
		}
		if lay.ColorBar != nil {
			right -= colorBarWidth(lay.ColorBar, st)
		}
		b.Max.X = right
		// The label strip has as many rows as the labels need (x positions
		// do not depend on the strip's height, so one trial layout tells).
		markerRows = 0
		if lp != nil {
			markerRows = 1
		}
		canv = align(b, markerRows)
		// A colour bar's label longer than the bar is tall wraps (once:
		// the bar's height does not depend on its width); on one line
		// it ran above the panels, into the title, and stretched the
		// bar with it.
		if lay.ColorBar != nil && !barWrapped {
			barWrapped = true
			lo, hi := panelsSpan(lay, canv)
			sty := colorBarPlot(lay.ColorBar, st).Y.Label.TextStyle
			if l := lay.ColorBar.Label; hi > lo && sty.Width(l) > hi-lo {
				lay.ColorBar.Label = strings.Join(wrapLabel(l, sty, hi-lo), "\n")
				continue
			}
		}
		// Headings too wide for their panel are set smaller, down to
		// the preset's smallest text, rather than break a name, then
		// wrap onto more lines.
		if hasHeading {
			var hs []string
			var ws []vg.Length
			for r, row := range lay.Panels {
				for k, p := range row {
					if p != nil && p.Heading != "" {
						hs, ws = append(hs, p.Heading), append(ws, headingWidth(lay, canv, r, k, st))
					}
				}
			}
			hsty = headingStyle(hsty0, st, hs, ws)
			need := 1
			for k, h := range hs {
				need = max(need, len(headingLines(h, hsty, ws[k])))
			}
			if need != headLines {
				headLines = need
				canv = align(b, markerRows)
			}
		}
		if lp == nil {
			break
		}
		need, dropped := 1, 0
		for k, p := range lay.Panels[0] {
			if p == lp {
				placed, n := planMarkers(canv[0][k], p.Plot.DataCanvas(canv[0][k]), p, msty, st, numbered)
				need = max(need, n)
				dropped += len(markerGroups(p)) - len(placed)
			}
		}
		if dropped > 0 && !numbered {
			numbered = true
			continue
		}
		if need != markerRows {
			markerRows = need
			canv = align(b, markerRows)
		}
		// At a preset whose type cannot shrink, event labels that leave
		// a panel's data area shorter than its axis label, wrapped
		// (gonum/plot then squeezes the data area under the label, which
		// runs into what is below: the footer, the legend), give way to
		// the numbered key, and a key that does to the explanation.
		if st.minText > 0 && !noKey && squeezed(lay, canv) {
			if !numbered {
				numbered = true
			} else {
				noKey = true
			}
			continue
		}
		break
	}

	// Legend and colour bar to the right of the panels (or the legend
	// below them).
	x := body.Max.X
	if below {
		h := legendBelowHeight(legend, st, body.Size().X)
		drawLegendBelow(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: body.Min, Max: vg.Point{X: body.Max.X, Y: body.Min.Y + h - st.pad}}}, legend, st)
	} else {
		lst := legendStyle(legend, st, body.Size().Y)
		if w := legendWidth(legend, lst); w > 0 {
			x -= w
			drawLegend(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x + st.pad, Y: body.Min.Y}, Max: body.Max}}, legend, lst)
		}
	}
	if lay.ColorBar != nil {
		w := colorBarWidth(lay.ColorBar, st)
		x -= w
		// The bar spans the panels' data areas.
		lo, hi := panelsSpan(lay, canv)
		drawColorBar(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x + st.pad*2, Y: lo}, Max: vg.Point{X: x + w, Y: hi}}}, lay.ColorBar, st)
	}

	// Year labels as close as the narrowest time panel's width allows,
	// the same step in every panel, so that the panels' years line up.
	yearStep := 0
	for r, row := range lay.Panels {
		for k, p := range row {
			if p == nil {
				continue
			}
			if _, ok := p.Plot.X.Tick.Marker.(CalendarTicks); ok {
				w := p.Plot.DataCanvas(canv[r][k]).Size().X
				tw := p.Plot.X.Tick.Label.Width("2028")
				yearStep = max(yearStep, labelStep(w, p.Plot.X.Max-p.Plot.X.Min, tw))
			}
		}
	}
	// A step that leaves some panel a single year label (a narrow panel
	// of a long horizon, labelled every 10 years: "2020" alone) gives way
	// to labels on the first and last year of every panel, when those
	// stand apart in each.
	yearEnds, short := true, false
	for r, row := range lay.Panels {
		for k, p := range row {
			if p == nil {
				continue
			}
			if ct, ok := p.Plot.X.Tick.Marker.(CalendarTicks); ok {
				ct.MinStep = max(ct.MinStep, yearStep)
				few, apart := endYears(p.Plot, ct, p.Plot.DataCanvas(canv[r][k]).Size().X)
				short = short || few
				yearEnds = yearEnds && apart
			}
		}
	}
	yearEnds = yearEnds && short
	for r, row := range lay.Panels {
		// Headings of a row share one baseline: above the highest panel.
		rowTop := vg.Length(math.Inf(-1))
		for k, p := range row {
			if p != nil && canv[r][k].Max.Y > rowTop {
				rowTop = canv[r][k].Max.Y
			}
		}
		for k, p := range row {
			if p == nil {
				continue
			}
			pc := canv[r][k]
			if ct, ok := p.Plot.X.Tick.Marker.(CalendarTicks); ok {
				ct.MinStep = max(ct.MinStep, yearStep)
				ct.Ends = yearEnds
				p.Plot.X.Tick.Marker = ct
			}
			thinXTicks(p.Plot, p.Plot.DataCanvas(pc))
			p.Plot.Draw(pc)
			dc := p.Plot.DataCanvas(pc)
			top := rowTop
			if r == 0 && markerRows > 0 {
				if p == lp {
					drawMarkerLabels(pc, dc, p, msty, st, markerRows, numbered)
				}
				top += markH(markerRows)
			}
			if p.Heading != "" {
				w := headingWidth(lay, canv, r, k, st)
				lines := headingLines(p.Heading, hsty, w)
				h := hsty
				for _, l := range lines {
					h = st.fit(h, l, w) // a single word wider than the panel
				}
				lh := hsty.FontExtents().Height
				for j, l := range lines {
					y := top + h.FontExtents().Descent + st.pad*0.2 + vg.Length(len(lines)-1-j)*lh
					pc.FillText(h, vg.Point{X: dc.Min.X, Y: y}, l)
				}
			}
		}
	}
	return nil
}

// headingWidth is the width the heading of panel k of row r may take
// on canvases canv: from the panel's data area to the next panel's
// heading, less a gap (over the next panel's y tick labels, which lie
// below the headings: "Southeast Asia" need not wrap over a panel
// narrower than it), over the empty cells after it, or to its own edge
// when it is the last of its row.
func headingWidth(lay *Figure, canv [][]draw.Canvas, r, k int, st *Style) vg.Length {
	left := lay.Panels[r][k].Plot.DataCanvas(canv[r][k]).Min.X
	right := canv[r][k].Max.X
	for j := k + 1; j < len(lay.Panels[r]); j++ {
		if n := lay.Panels[r][j]; n != nil {
			right = max(right, n.Plot.DataCanvas(canv[r][j]).Min.X-st.pad*1.5)
			break
		}
		// An empty cell: the heading may run on over it.
		right = max(right, canv[r][j].Max.X)
	}
	return right - left
}

// headingLines sets a panel heading in width: on one line when it fits,
// else on at most three lines of even lengths (balanceLines: "Côte
// d'Ivoire and" over "Ghana" becomes two halves), broken only between
// its phrases ("Brazil" over "(benchmark)", "Côte d'Ivoire" over "and
// Ghana"): a heading names a market, and a name stays whole ("Rest of
// world", never "Rest of" over "world"). A phrase wider than width
// stays whole on its line (the figure sets its headings smaller:
// headingStyle).
func headingLines(txt string, sty draw.TextStyle, width vg.Length) []string {
	if lines := phraseLines(txt, sty, width); lineWidth(lines, sty) <= width {
		return lines
	}
	// A phrase too wide even at the smallest size breaks at its words.
	lines := wrapText(txt, sty, width, 3)
	if len(lines) > 1 {
		lines = balanceLines(txt, sty, width, lines)
	}
	return lines
}

// phraseLines is headingLines without the last resort: the heading
// broken between its phrases only.
func phraseLines(txt string, sty draw.TextStyle, width vg.Length) []string {
	if sty.Width(txt) <= width {
		return []string{txt}
	}
	p := protectPhrases(txt)
	lines := wrapText(p, sty, width, 3)
	if len(lines) > 1 {
		lines = balanceLines(p, sty, width, lines)
	}
	return lines
}

// protectPhrases joins the words of each phrase of a name with no-break
// spaces: a name breaks only before a bracket, after a comma and around
// "and", "&" and dashes ("Sub-Saharan Africa" / "and the Middle East").
func protectPhrases(txt string) string {
	ws := strings.Fields(txt)
	var b strings.Builder
	for k, w := range ws {
		if k > 0 {
			prev := ws[k-1]
			if strings.HasPrefix(w, "(") || strings.HasSuffix(prev, ",") || w == "and" || w == "&" || isSeparator(w) || isSeparator(prev) {
				b.WriteByte(' ')
			} else {
				b.WriteString(nbsp)
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

// headingStyle is the text style of a figure's panel headings: hsty, set
// smaller (not below the preset's smallest text) while some heading has
// a phrase wider than its width (headingLines), so that a market's name
// stays whole; widths gives each heading's width.
func headingStyle(hsty draw.TextStyle, st *Style, headings []string, widths []vg.Length) draw.TextStyle {
	fits := func(sty draw.TextStyle) bool {
		for k, h := range headings {
			if lineWidth(phraseLines(h, sty, widths[k]), sty) > widths[k] {
				return false
			}
		}
		return true
	}
	for !fits(hsty) && hsty.Font.Size*0.96 >= st.floor() {
		hsty.Font.Size *= 0.96
	}
	return hsty
}

// eventsElsewhere explains event lines a chart has no room to name,
// named on chart namedOn ("" when none names them).
func eventsElsewhere(namedOn string) string {
	if namedOn == "" {
		return eventsUnnamed + " (too many to name at this size)"
	}
	return eventsUnnamed + " (named on " + namedOn + ")"
}

// eventsUnnamed begins the legend entry of event lines left unnamed.
const eventsUnnamed = "Dashed lines: events"

// legendFits reports whether legend fits in body with rows rows of
// panels: under them (below) in at most 40% of a row's height, or in a
// column to their right at no less than the preset's smallest legend text.
func legendFits(legend []LegendItem, st *Style, body vg.Rectangle, rows int, below bool) bool {
	if below {
		return legendBelowHeight(legend, st, body.Size().X) <= body.Size().Y*0.4/vg.Length(rows)
	}
	if st.legendFloor() == 0 {
		return true // the column's type shrinks to fit (legendStyle)
	}
	items := wrapLegend(legend, st, columnWidth(legend, st, body))
	lst := legendStyle(items, st, body.Size().Y)
	return legendHeight(items, lst) <= body.Size().Y
}

// columnWidth is the widest a legend column right of the panels in body
// may be: 30% of the width; at a preset whose legend type has a floor, up
// to 40% if that is what it takes to fit its wrapped lines in the
// height.
func columnWidth(legend []LegendItem, st *Style, body vg.Rectangle) vg.Length {
	f := 0.3
	for st.legendFloor() > 0 && f < 0.4 && legendHeight(wrapLegend(legend, st, body.Size().X*vg.Length(f)), st) > body.Size().Y {
		f += 0.025
	}
	return body.Size().X * vg.Length(f)
}

// legendHeight is the height of items in a legend column at st.
func legendHeight(items []LegendItem, st *Style) vg.Length {
	lineH := st.text(st.legend, false, colText).FontExtents().Height * 1.35
	h := vg.Length(0)
	for k, it := range items {
		h += lineH
		if it.Kind == LegendHeader && k > 0 {
			h += lineH * 0.3
		}
	}
	return h
}

// squeezed reports whether some panel of lay, laid out in canv, has a
// data area shorter than three quarters of its y axis label (which,
// centred on it, then runs well past it).
func squeezed(lay *Figure, canv [][]draw.Canvas) bool {
	for r, row := range lay.Panels {
		for k, p := range row {
			if p == nil || p.Plot.Y.Label.Text == "" {
				continue
			}
			if p.Plot.DataCanvas(canv[r][k]).Size().Y < 0.75*p.Plot.Y.Label.TextStyle.Width(p.Plot.Y.Label.Text) {
				return true
			}
		}
	}
	return false
}

// wrapYLabels sets the y-axis label of each of plots, laid out in canv,
// from its text as built (labels), on two lines when one line is longer
// than the panel's data area would be tall without it: broken at the
// space that makes the longer line shortest. (gonum/plot keeps a label
// centred on the data area and lowers the data area's top until the
// label's top is in the panel, so that a label longer than the panel is
// tall squeezes the data area and runs below it: into the footer.) It
// reports whether any label changed.
func wrapYLabels(plots [][]*plot.Plot, canv [][]draw.Canvas, labels map[*plot.Plot]string) bool {
	changed := false
	for r, row := range plots {
		for k, p := range row {
			txt := labels[p]
			if p == nil || txt == "" {
				continue
			}
			sty := p.Y.Label.TextStyle
			old := p.Y.Label.Text
			p.Y.Label.Text = ""
			h := p.DataCanvas(canv[r][k]).Size().Y
			p.Y.Label.Text = old
			want := txt
			if sty.Width(txt) > h {
				best := sty.Width(txt)
				words := strings.Fields(txt)
				for j := 1; j < len(words); j++ {
					l := strings.Join(words[:j], " ") + "\n" + strings.Join(words[j:], " ")
					if w := sty.Width(l); w < best {
						best, want = w, l
					}
				}
			}
			if p.Y.Label.Text != want {
				p.Y.Label.Text = want
				changed = true
			}
		}
	}
	return changed
}

// thinXTicks lowers the number of intervals of p's number ticks on its x
// axis (NumberTicks.N, also under offsetTicks) until their labels, at
// their places on the data area dc, stand apart by half a label's
// height: a narrow panel (the tornado at half-page size) gets fewer
// ticks rather than labels run together.
func thinXTicks(p *plot.Plot, dc draw.Canvas) {
	set := func(n int) bool {
		switch t := p.X.Tick.Marker.(type) {
		case NumberTicks:
			t.N = n
			p.X.Tick.Marker = t
		case offsetTicks:
			nt, ok := t.t.(NumberTicks)
			if !ok {
				return false
			}
			nt.N = n
			t.t = nt
			p.X.Tick.Marker = t
		default:
			return false
		}
		return true
	}
	sty := p.X.Tick.Label
	gap := sty.Font.Size * 0.5
	apart := func() bool {
		prev := vg.Length(math.Inf(-1))
		for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
			if tk.Label == "" || tk.Value < p.X.Min || tk.Value > p.X.Max {
				continue
			}
			x := dc.X(p.X.Norm(tk.Value))
			w := sty.Width(tk.Label)
			if x-w/2 < prev+gap {
				return false
			}
			prev = x + w/2
		}
		return true
	}
	n := 5
	switch t := p.X.Tick.Marker.(type) {
	case NumberTicks:
		if t.N > 0 {
			n = t.N
		}
	case offsetTicks:
		if nt, ok := t.t.(NumberTicks); ok && nt.N > 0 {
			n = nt.N
		}
	}
	for ; n > 1 && !apart(); n-- {
		if !set(n - 1) {
			return
		}
	}
}

// maxMarkerRows bounds the rows of the event-label strip.
const maxMarkerRows = 5

// markersInRange reports whether any labelled marker of p falls on its x
// range.
func markersInRange(p *Panel) bool {
	for _, m := range p.Markers {
		if v := monthX(m.Month); m.Label != "" && v >= p.Plot.X.Min && v <= p.Plot.X.Max {
			return true
		}
	}
	return false
}

// placedLabel is an event label at row t of the strip (0: the top row,
// farthest from the data).
type placedLabel struct {
	x, left, right vg.Length
	t              int
	text           string
}

// planMarkers places p's event labels in the strip above the data area dc:
// each label next to its line (after it, or before it when that hides
// fewer later markers), in the top-most row where it overlaps no other label,
// its leader line crosses no label of a lower row, and no leader line of a
// higher label crosses it; so clustered events step down like a
// staircase. Markers in the same month share one label ("A · B"). It
// returns the placements and the number of rows used; a label that fits
// in none of maxMarkerRows rows is left out rather than drawn over
// another.
func planMarkers(pc, dc draw.Canvas, p *Panel, sty draw.TextStyle, st *Style, numbered bool) ([]placedLabel, int) {
	groups := markerGroups(p)
	xs := make([]vg.Length, len(groups))
	for k, g := range groups {
		xs[k] = dc.X(p.Plot.X.Norm(monthX(g.month)))
	}
	gap := st.pad * 0.5
	var placed []placedLabel
	used := 0
	fits := func(x, left, right vg.Length, t int) bool {
		for _, q := range placed {
			switch {
			case q.t == t && left < q.right+gap && q.left < right+gap:
				return false // overlaps a label in this row
			case q.t > t && x >= q.left-gap/2 && x <= q.right+gap/2:
				return false // its line would cross a lower label
			case q.t < t && q.x >= left-gap/2 && q.x <= right+gap/2:
				return false // a higher label's line would cross it
			}
		}
		return true
	}
	for k, x := range xs {
		text := strings.Join(groups[k].labels, " · ")
		if numbered {
			text = strconv.Itoa(k + 1)
		}
		w := sty.Width(text)
		// Two anchors: after the line (preferred) or before it. Pick the
		// one that hides fewer later markers' lines, then the higher row.
		type cand struct {
			left, right vg.Length
			t, hides    int
		}
		best := cand{t: -1}
		anchors := []vg.Length{x + st.pad*0.25, x - st.pad*0.25 - w}
		if anchors[0]+w > pc.Max.X && anchors[1] < pc.Min.X {
			// Wider than either side: shift it into the panel.
			anchors = []vg.Length{max(pc.Min.X, min(anchors[0], pc.Max.X-w))}
		}
		for _, left := range anchors {
			if left < pc.Min.X || left+w > pc.Max.X {
				continue
			}
			right := left + w
			t := 0
			for t < maxMarkerRows && !fits(x, left, right, t) {
				t++
			}
			if t == maxMarkerRows {
				continue
			}
			hides := 0
			for _, y := range xs[k+1:] {
				if y >= left-gap/2 && y <= right+gap/2 {
					hides++
				}
			}
			c := cand{left, right, t, hides}
			if best.t < 0 || c.hides < best.hides || (c.hides == best.hides && c.t < best.t) {
				best = c
			}
		}
		if best.t < 0 {
			continue
		}
		placed = append(placed, placedLabel{x: x, left: best.left, right: best.right, t: best.t, text: text})
		used = max(used, best.t+1)
	}
	return placed, used
}

// drawMarkerLabels draws the labels planned by planMarkers in a strip of
// rows rows above dc, with a thin leader from the data area to each.
func drawMarkerLabels(pc, dc draw.Canvas, p *Panel, sty draw.TextStyle, st *Style, rows int, numbered bool) {
	placed, _ := planMarkers(pc, dc, p, sty, st, numbered)
	lineH := sty.FontExtents().Height
	lsty := draw.LineStyle{Color: colMarker, Width: st.thin}
	for _, q := range placed {
		if q.t >= rows {
			continue
		}
		base := dc.Max.Y + st.pad*0.3 + vg.Length(rows-1-q.t)*lineH + sty.FontExtents().Descent
		pc.FillText(sty, vg.Point{X: q.left, Y: base}, q.text)
		top := base + sty.FontExtents().Ascent
		if q.x > q.left && q.x < q.right {
			top = base - sty.FontExtents().Descent // under its own label
		}
		pc.StrokeLine2(lsty, q.x, dc.Max.Y, q.x, top)
	}
}

// markerGroup is the labels of p's markers in one month on its x range.
type markerGroup struct {
	month  model.Month
	labels []string
}

// markerGroups returns p's labelled markers on its x range grouped by
// month, in time order.
func markerGroups(p *Panel) []markerGroup {
	var gs []markerGroup
	idx := map[model.Month]int{}
	for _, m := range p.Markers {
		v := monthX(m.Month)
		if v < p.Plot.X.Min || v > p.Plot.X.Max || m.Label == "" {
			continue
		}
		k, ok := idx[m.Month]
		if !ok {
			k = len(gs)
			idx[m.Month] = k
			gs = append(gs, markerGroup{month: m.Month})
		}
		if !contains(gs[k].labels, m.Label) {
			gs[k].labels = append(gs[k].labels, m.Label)
		}
	}
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].month < gs[j].month })
	return gs
}

// markerKey is the legend section listing numbered event markers: a line
// per label in a legend column, one entry per month (its labels joined
// by " · ") in a legend in rows under the panels (inRows).
func markerKey(p *Panel, inRows bool) []LegendItem {
	items := []LegendItem{{Kind: LegendHeader, Label: "Events"}}
	for k, g := range markerGroups(p) {
		labels := g.labels
		if inRows {
			labels = []string{strings.Join(labels, " · ")}
		}
		for j, l := range labels {
			it := LegendItem{Kind: legendNumber, Label: l}
			if j == 0 {
				it.num = strconv.Itoa(k + 1)
			}
			items = append(items, it)
		}
	}
	return items
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// wrapLegend splits labels wider than maxW (text only, after the swatch)
// into continuation lines.
//
// A note (LegendNote), a remark rather than a key to the chart, wraps at
// the width of the widest other entry (but at least 60% of maxW's text),
// so that it does not widen the column and narrow the panels.
func wrapLegend(items []LegendItem, st *Style, maxW vg.Length) []LegendItem {
	sty := st.text(st.legend, false, colText)
	avail := maxW - st.swatch - st.pad*0.6 - st.pad*2
	noteW := avail * 0.6
	for _, it := range items {
		if it.Kind != LegendNote && it.Kind != LegendHeader {
			noteW = max(noteW, sty.Width(it.Label))
		}
	}
	noteW = min(noteW, avail)
	var out []LegendItem
	for _, it := range items {
		avail := avail
		if it.Kind == LegendNote {
			// As wide as its widest word, so that a long one (a
			// parameter's path) does not leave ragged short lines.
			avail = noteW
			for _, w := range strings.Fields(it.Label) {
				avail = min(max(avail, sty.Width(w)), maxW-st.swatch-st.pad*0.6-st.pad*2)
			}
		}
		if it.Kind == LegendHeader || sty.Width(it.Label) <= avail {
			out = append(out, it)
			continue
		}
		hang := it.Kind == legendNumber
		if hang {
			avail -= legendHang(st)
		}
		for j, l := range wrapLabel(st.protect(it.Label), sty, avail) {
			if j == 0 {
				c := it
				c.Label = l
				out = append(out, c)
			} else {
				out = append(out, LegendItem{Kind: legendCont, Label: l, hang: hang})
			}
		}
	}
	return out
}

// legendHang is the indent of an event label's continuation lines in a
// legend column: one em.
func legendHang(st *Style) vg.Length { return st.legend }

// endYears reports, for a time panel p of data width w labelled by ct,
// whether ct labels fewer than two years on it (few), and whether labels
// on its first and last whole years would stand at least 1.4 label
// widths apart (apart).
func endYears(p *plot.Plot, ct CalendarTicks, w vg.Length) (few, apart bool) {
	n := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, tk := range ct.Ticks(p.X.Min, p.X.Max) {
		if tk.Label != "" {
			n++
		}
		if tk.Value == math.Trunc(tk.Value) && tk.Value >= p.X.Min && tk.Value <= p.X.Max {
			lo, hi = min(lo, tk.Value), max(hi, tk.Value)
		}
	}
	if !(hi > lo) || !(p.X.Max > p.X.Min) {
		return n < 2, false
	}
	gap := w * vg.Length((hi-lo)/(p.X.Max-p.X.Min))
	return n < 2, gap >= p.X.Tick.Label.Width("2028")*1.4
}

// labelStep is the smallest year step of CalendarTicks whose labels,
// tw wide, stand at least 1.4·tw apart on a time axis w long that spans
// years (monthX units).
func labelStep(w vg.Length, years float64, tw vg.Length) int {
	if !(w > 0) || !(years > 0) {
		return yearSteps[len(yearSteps)-1]
	}
	perYear := w / vg.Length(years)
	for _, s := range yearSteps {
		if vg.Length(s)*perYear >= tw*1.4 {
			return s
		}
	}
	return yearSteps[len(yearSteps)-1]
}

// legendStyle returns st with the legend font scaled down (to 60% at
// most) so that items fit in height h.
func legendStyle(items []LegendItem, st *Style, h vg.Length) *Style {
	if len(items) == 0 {
		return st
	}
	need := legendHeight(items, st)
	if need <= h {
		return st
	}
	s := *st
	f := math.Max(0.6, float64(h/need))
	f = math.Max(f, float64(max(st.legendFloor(), minPoints)/st.legend))
	s.legend *= vg.Length(f)
	s.swatch *= vg.Length(f)
	return &s
}

// legendBelowRows lays items out in rows of at most width (a header
// starts a row) and returns the rows. A label too long for a row of its
// own wraps onto rows of its own (legendCont, drawn under the label).
func legendBelowRows(items []LegendItem, st *Style, width vg.Length) [][]LegendItem {
	sty := st.text(st.legend, false, colText)
	bsty := st.text(st.legend, true, colText)
	var rows [][]LegendItem
	var cur []LegendItem
	used := vg.Length(0)
	for _, it := range items {
		w := st.swatch + st.pad*0.5 + sty.Width(it.Label) + st.pad*1.5
		switch it.Kind {
		case LegendHeader:
			w = bsty.Width(it.Label) + st.pad
		case legendNumber:
			w = bsty.Width(it.num) + st.pad*0.5 + sty.Width(it.Label) + st.pad*1.5
		}
		if it.Kind != LegendHeader && w > width {
			if len(cur) > 0 {
				rows = append(rows, cur)
				cur, used = nil, 0
			}
			for k, l := range wrapLabel(st.protect(it.Label), sty, width-st.swatch-st.pad*2) {
				line := LegendItem{Kind: legendCont, Label: l}
				if k == 0 {
					line = it
					line.Label = l
				}
				rows = append(rows, []LegendItem{line})
			}
			continue
		}
		if len(cur) > 0 && (it.Kind == LegendHeader || used+w > width) {
			rows = append(rows, cur)
			cur, used = nil, 0
		}
		cur = append(cur, it)
		used += w
	}
	if len(cur) > 0 {
		rows = append(rows, cur)
	}
	return rows
}

// legendBelowHeight is the height of the legend in rows under the panels.
func legendBelowHeight(items []LegendItem, st *Style, width vg.Length) vg.Length {
	n := len(legendBelowRows(items, st, width))
	if n == 0 {
		return 0
	}
	return vg.Length(n)*st.text(st.legend, false, colText).FontExtents().Height*1.3 + st.pad*1.5
}

// drawLegendBelow draws the legend in rows in c, from its top.
func drawLegendBelow(c draw.Canvas, items []LegendItem, st *Style) {
	sty := st.text(st.legend, false, colText)
	bsty := st.text(st.legend, true, colText)
	lineH := sty.FontExtents().Height * 1.3
	y := c.Max.Y - sty.FontExtents().Ascent
	for _, row := range legendBelowRows(items, st, c.Size().X) {
		x := c.Min.X
		for _, it := range row {
			if it.Kind == LegendHeader {
				c.FillText(bsty, vg.Point{X: x, Y: y}, it.Label)
				x += bsty.Width(it.Label) + st.pad
				continue
			}
			switch it.Kind {
			case legendNumber:
				// The event's number in place of a swatch.
				c.FillText(bsty, vg.Point{X: x, Y: y}, it.num)
				x += bsty.Width(it.num) + st.pad*0.5
				c.FillText(sty, vg.Point{X: x, Y: y}, it.Label)
				x += sty.Width(it.Label) + st.pad*1.5
				continue
			case legendCont:
			default:
				drawSwatch(c, it, st, sty, x, y)
			}
			x += st.swatch + st.pad*0.5
			c.FillText(sty, vg.Point{X: x, Y: y}, it.Label)
			x += sty.Width(it.Label) + st.pad*1.5
		}
		y -= lineH
	}
}

// fit is fitText that never goes below the style's smallest text size
// (Style.floor).
func (s *Style) fit(sty draw.TextStyle, txt string, width vg.Length) draw.TextStyle {
	f := fitText(sty, txt, width)
	if fl := s.floor(); f.Font.Size < fl {
		f.Font.Size = min(sty.Font.Size, fl)
	}
	return f
}

// fitLines sets txt in width: on one line, shrunk as fitText does (not
// below the floor); at a size preset with a smallest text size, wrapped
// onto more lines rather than shrunk below it (wrapLines). At a preset
// without one, text too long for one line even shrunk wraps at its own
// size (a 2-D sweep's title naming two long parameters ran off a slide).
func (s *Style) fitLines(sty draw.TextStyle, txt string, width vg.Length) (draw.TextStyle, []string) {
	f := s.fit(sty, txt, width)
	switch {
	case f.Width(txt) <= width:
		return f, []string{txt}
	case s.minText == 0:
		return s.wrapLines(sty, txt, width)
	}
	return s.wrapLines(f, txt, width)
}

// wrapLines sets txt in width at sty's size, on as many lines as it
// takes, of even lengths (no word alone on the last): a subtitle wraps
// at every size rather than shrink (at half-page size the tornado's,
// shrunk to one line, was 6.6 pt). Only text that would take more than
// three lines shrinks, no further than the floor.
func (s *Style) wrapLines(sty draw.TextStyle, txt string, width vg.Length) (draw.TextStyle, []string) {
	if sty.Width(txt) <= width {
		return sty, []string{txt}
	}
	txt = s.protect(txt)
	lines := wrapText(txt, sty, width, 0)
	for len(lines) > 3 && sty.Font.Size*0.94 >= s.floor() {
		sty.Font.Size *= 0.94
		lines = wrapText(txt, sty, width, 0)
	}
	return sty, balanceLines(txt, sty, width, lines)
}

// balanceLines rewraps txt, set greedily in width as lines, into as many
// lines of even lengths (no word alone on the last), each within width,
// breaking where a phrase ends when that costs little evenness: after a
// comma, a semicolon, a colon or a separator ("·", "—"), or before a
// bracket, rather than between words of one phrase. It breaks only
// where wrapText may (wrapWords): never inside a number and its unit or
// a name.
func balanceLines(txt string, sty draw.TextStyle, width vg.Length, lines []string) []string {
	words, gaps := wrapWords(txt)
	n, N := len(lines), len(words)
	if n < 2 || N < 2 {
		return lines
	}
	lineW := make([][]vg.Length, N) // lineW[i][j-1]: width of words[i:j]
	for i := range N {
		lineW[i] = make([]vg.Length, N)
		cur := words[i]
		lineW[i][i] = textWidth(sty, cur)
		for j := i + 1; j < N; j++ {
			cur += gaps[j] + words[j]
			lineW[i][j] = textWidth(sty, cur)
		}
	}
	// A break inside a phrase costs as much unevenness as a line 30%
	// longer than the mean (the cost is the sum of squared widths).
	mean := float64(lineW[0][N-1]) / float64(n)
	penalty := 2 * (0.3 * mean) * (0.3 * mean)
	inf := math.Inf(1)
	// cost[k][j]: least cost of words[:j] on k lines; from[k][j] the
	// first word of the k-th line.
	cost := make([][]float64, n+1)
	from := make([][]int, n+1)
	for k := range cost {
		cost[k] = make([]float64, N+1)
		from[k] = make([]int, N+1)
		for j := range cost[k] {
			cost[k][j] = inf
		}
	}
	cost[0][0] = 0
	for k := 1; k <= n; k++ {
		for j := k; j <= N; j++ {
			for i := k - 1; i < j; i++ {
				if cost[k-1][i] == inf {
					continue
				}
				w := lineW[i][j-1]
				if w > width && j-i > 1 {
					continue
				}
				c := cost[k-1][i] + float64(w)*float64(w)
				if j < N && !phraseEnd(words[j-1], words[j]) {
					c += penalty
				}
				if c < cost[k][j] {
					cost[k][j], from[k][j] = c, i
				}
			}
		}
	}
	if cost[n][N] == inf {
		return lines
	}
	out := make([]string, n)
	for k, j := n, N; k > 0; k-- {
		i := from[k][j]
		l := words[i]
		for m := i + 1; m < j; m++ {
			l += gaps[m] + words[m]
		}
		out[k-1] = l
		j = i
	}
	return unprotect(out)
}

// phraseEnd reports whether a line may end a phrase between words a and
// b: a ends with a comma, a semicolon, a colon or a separator, or b opens
// a bracket of more than one word (a one-word bracket qualifies the word
// before it: "RMSE (log)").
func phraseEnd(a, b string) bool {
	return strings.HasSuffix(a, ",") || strings.HasSuffix(a, ";") || strings.HasSuffix(a, ":") ||
		strings.HasSuffix(a, "·") || strings.HasSuffix(a, "—") || strings.HasSuffix(a, "–") ||
		strings.HasPrefix(b, "(") && !strings.HasSuffix(strings.TrimRight(b, ",;:."), ")")
}

// wrapLabel breaks a legend label into lines no wider than width, as
// wrapText does, but when that leaves one word alone on the last line
// ("…Buyers stock up ahead of the" over "closures") the lines are
// balanced (balanceLines): the same number, of even lengths. A label
// that wraps well keeps its greedy lines.
func wrapLabel(txt string, sty draw.TextStyle, width vg.Length) []string {
	lines := wrapText(txt, sty, width, 0)
	if len(lines) < 2 || strings.Contains(strings.TrimSpace(lines[len(lines)-1]), " ") {
		return lines
	}
	if b := balanceLines(txt, sty, width, lines); strings.Contains(strings.TrimSpace(b[len(b)-1]), " ") {
		return b
	}
	return lines
}

// lineWidth is the width of the widest of lines in sty.
func lineWidth(lines []string, sty draw.TextStyle) vg.Length {
	w := vg.Length(0)
	for _, l := range lines {
		w = max(w, sty.Width(l))
	}
	return w
}

// drawSwatch draws the swatch of it from x, for a label with baseline y
// in text style sty.
func drawSwatch(c draw.Canvas, it LegendItem, st *Style, sty draw.TextStyle, x, y vg.Length) {
	mid := y + sty.FontExtents().Ascent*0.35
	x0, x1 := x, x+st.swatch
	ls := draw.LineStyle{Color: it.Color, Width: st.line}
	switch it.Kind {
	case LegendLine:
		c.StrokeLine2(ls, x0, mid, x1, mid)
	case LegendDash:
		ls.Dashes = []vg.Length{st.swatch / 4, st.swatch / 8}
		c.StrokeLine2(ls, x0, mid, x1, mid)
	case LegendDot:
		ls.Dashes = dotted(st)
		c.StrokeLine2(ls, x0, mid, x1, mid)
	case LegendLinePoint:
		c.StrokeLine2(ls, x0, mid, x1, mid)
		c.DrawGlyph(st.GlyphStyle(it.Color), vg.Point{X: (x0 + x1) / 2, Y: mid})
	case LegendFill:
		h := sty.FontExtents().Ascent * 0.8
		c.FillPolygon(it.Color, []vg.Point{{X: x0, Y: mid - h/2}, {X: x1, Y: mid - h/2}, {X: x1, Y: mid + h/2}, {X: x0, Y: mid + h/2}})
	}
}

func legendWidth(items []LegendItem, st *Style) vg.Length {
	if len(items) == 0 {
		return 0
	}
	sty := st.text(st.legend, false, colText)
	bsty := st.text(st.legend, true, colText)
	w := vg.Length(0)
	for _, it := range items {
		var tw vg.Length
		if it.Kind == LegendHeader {
			tw = bsty.Width(it.Label)
		} else {
			tw = st.swatch + st.pad*0.6 + sty.Width(it.Label)
		}
		if it.hang {
			tw += legendHang(st)
		}
		if tw > w {
			w = tw
		}
	}
	return w + st.pad*2
}

func drawLegend(c draw.Canvas, items []LegendItem, st *Style) {
	sty := st.text(st.legend, false, colText)
	bsty := st.text(st.legend, true, colText)
	lineH := sty.FontExtents().Height * 1.35
	y := c.Max.Y - sty.FontExtents().Ascent
	for _, it := range items {
		if it.Kind == LegendHeader {
			if y < c.Max.Y-sty.FontExtents().Ascent {
				y -= lineH * 0.3
			}
			c.FillText(bsty, vg.Point{X: c.Min.X, Y: y}, it.Label)
			y -= lineH
			continue
		}
		x1 := c.Min.X + st.swatch
		switch it.Kind {
		case legendCont:
			y += lineH * 0.25 // continuation lines sit closer
			if it.hang {
				x1 += legendHang(st)
			}
		case legendNumber:
			bsty.XAlign = draw.XRight
			c.FillText(bsty, vg.Point{X: x1 - st.pad*0.2, Y: y}, it.num)
			bsty.XAlign = draw.XLeft
		default:
			drawSwatch(c, it, st, sty, c.Min.X, y)
		}
		c.FillText(sty, vg.Point{X: x1 + st.pad*0.6, Y: y}, it.Label)
		y -= lineH
	}
}

// panelsSpan is the vertical span of the data areas of lay's panels laid
// out in canv: the colour bar's top and bottom.
func panelsSpan(lay *Figure, canv [][]draw.Canvas) (lo, hi vg.Length) {
	lo, hi = vg.Length(math.Inf(1)), vg.Length(math.Inf(-1))
	for r, row := range lay.Panels {
		for k, p := range row {
			if p != nil {
				dc := p.Plot.DataCanvas(canv[r][k])
				lo, hi = min(lo, dc.Min.Y), max(hi, dc.Max.Y)
			}
		}
	}
	return lo, hi
}

// colorBarPlot is the colour bar of cb as a panel: gonum/plot's
// plotter.ColorBar with its value axis on the left.
func colorBarPlot(cb *ColorBar, st *Style) *plot.Plot {
	p := newPlot(st)
	p.Add(&plotter.ColorBar{ColorMap: cb.Map, Vertical: true})
	p.HideX()
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = cb.Map.Min(), cb.Map.Max()
	p.Y.Label.Text = cb.Label
	p.Y.Tick.Marker = cb.Ticks
	if cb.Ticks == nil {
		p.Y.Tick.Marker = NumberTicks{}
	}
	return p
}

// colorBarWidth is the width of the colour-bar column: padding, tick
// labels and axis label, and the bar.
func colorBarWidth(cb *ColorBar, st *Style) vg.Length {
	p := colorBarPlot(cb, st)
	c := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: st.width, Y: st.height}}}
	return st.pad*2 + (p.DataCanvas(c).Min.X - c.Min.X) + st.swatch
}

// drawColorBar draws cb with its bar's top and bottom at c's.
func drawColorBar(c draw.Canvas, cb *ColorBar, st *Style) {
	p := colorBarPlot(cb, st)
	dc := p.DataCanvas(c)
	c.Min.Y -= dc.Min.Y - c.Min.Y
	c.Max.Y += c.Max.Y - dc.Max.Y
	p.Draw(c)
}

// grid checks f and returns its rows and columns.
func (f *Figure) grid() (rows, cols int, err error) {
	if f == nil || len(f.Panels) == 0 {
		return 0, 0, errorf("figure has no panels")
	}
	any := false
	for _, row := range f.Panels {
		cols = max(cols, len(row))
		for _, p := range row {
			if p != nil {
				if p.Plot == nil {
					return 0, 0, errorf("a panel has no plot")
				}
				any = true
			}
		}
	}
	if !any {
		return 0, 0, errorf("figure has no panels")
	}
	for r, row := range f.Panels {
		for len(row) < cols {
			row = append(row, nil)
		}
		f.Panels[r] = row
	}
	if len(f.Heights) > 0 {
		if len(f.Heights) != len(f.Panels) {
			return 0, 0, errorf("%d row heights for %d rows", len(f.Heights), len(f.Panels))
		}
		for _, h := range f.Heights {
			if !(h > 0) || math.IsInf(h, 0) {
				return 0, 0, errorf("row height %v; want a positive number", h)
			}
		}
	}
	if f.ColorBar != nil && (f.ColorBar.Map == nil || !(f.ColorBar.Map.Max() > f.ColorBar.Map.Min())) {
		return 0, 0, errorf("colour bar without a colour map of positive range")
	}
	return len(f.Panels), cols, nil
}

// alignFigure places plots in t's tiles of dc with their data areas
// aligned (plot.Align), the rows' heights in the proportions heights
// (equal when nil): each row is aligned on its own, then each column's
// data areas are cropped to the same left and right edges.
func alignFigure(plots [][]*plot.Plot, heights []float64, t draw.Tiles, dc draw.Canvas) [][]draw.Canvas {
	equal := true
	for _, h := range heights {
		equal = equal && h == heights[0]
	}
	if equal {
		return plot.Align(plots, t, dc)
	}
	sum := 0.0
	for _, h := range heights {
		sum += h
	}
	avail := dc.Max.Y - dc.Min.Y - t.PadTop - t.PadBottom - vg.Length(len(plots)-1)*t.PadY
	out := make([][]draw.Canvas, len(plots))
	top := dc.Max.Y - t.PadTop
	for r, row := range plots {
		h := avail * vg.Length(heights[r]/sum)
		rc := dc
		rc.Max.Y, rc.Min.Y = top, top-h
		top -= h + t.PadY
		out[r] = plot.Align([][]*plot.Plot{row}, draw.Tiles{Rows: 1, Cols: t.Cols, PadX: t.PadX, PadLeft: t.PadLeft, PadRight: t.PadRight}, rc)[0]
	}
	for k := 0; k < t.Cols; k++ {
		left, right := vg.Length(math.Inf(-1)), vg.Length(math.Inf(1))
		for r := range plots {
			if p := plots[r][k]; p != nil {
				d := p.DataCanvas(out[r][k])
				left, right = max(left, d.Min.X), min(right, d.Max.X)
			}
		}
		for r := range plots {
			if p := plots[r][k]; p != nil {
				d := p.DataCanvas(out[r][k])
				out[r][k] = draw.Crop(out[r][k], left-d.Min.X, right-d.Max.X, 0, 0)
			}
		}
	}
	return out
}

// Formats returns the output formats: "png", "svg" and "pdf".
func Formats() []string { return []string{"png", "svg", "pdf"} }

// Render draws the chart in format ("png", "svg" or "pdf") at opts' size
// and DPI and writes it to w. SVG and PDF embed the glyphs of their text
// (subsets of the fonts).
func (ch *Chart) Render(w io.Writer, format string, opts Options) (err error) {
	st, err := styleFor(opts.Size)
	if err != nil {
		return err
	}
	// A panic of gonum/plot while drawing (a bug, not the data, which
	// the constructors check) is an error, never a crash.
	defer func() {
		if r := recover(); r != nil {
			err = errorf("%s.%s: drawing failed: %v", ch.Name, format, r)
		}
	}()
	var cw vg.CanvasWriterTo
	switch strings.ToLower(format) {
	case "png":
		dpi := opts.DPI
		if dpi == 0 {
			dpi = 150
		}
		if dpi < 20 || dpi > 1200 {
			return errorf("DPI %d out of range 20..1200", dpi)
		}
		img := vgimg.NewWith(vgimg.UseWH(st.width, st.height), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
		if err := ch.draw(draw.New(pngCanvas{img}), st); err != nil {
			return errorf("%s: %v", ch.Name, err)
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(w, img.Image())
	case "svg":
		cw = newSVGCanvas(st.width, st.height)
	case "pdf":
		cw = newPDFCanvas(st.width, st.height)
	default:
		return errorf("unknown format %q (want png, svg or pdf)", format)
	}
	if err := ch.draw(draw.New(cw), st); err != nil {
		return errorf("%s: %v", ch.Name, err)
	}
	_, err = cw.WriteTo(w)
	return err
}

// normFormats returns opts.Formats lower-cased and checked, "png" if empty.
func normFormats(opts Options) ([]string, error) {
	if len(opts.Formats) == 0 {
		return []string{"png"}, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range opts.Formats {
		f = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(f), "."))
		switch f {
		case "png", "svg", "pdf":
		default:
			return nil, errorf("unknown format %q (want png, svg or pdf)", f)
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// File is one chart rendered in one format.
type File struct {
	Chart  *Chart
	Format string // "png", "svg" or "pdf"
	Data   []byte
}

// Name is the file's name: the chart's name and the format, "price.png".
func (f File) Name() string { return f.Chart.Name + "." + f.Format }

// RenderAll renders every chart in every format of opts (png when none)
// into memory, on GOMAXPROCS goroutines, and returns the files chart by
// chart, format by format. It stops at the first error, and before
// starting a rendering once ctx is done, so that nothing half-made is
// returned.
func RenderAll(ctx context.Context, charts []*Chart, opts Options) ([]File, error) {
	formats, err := normFormats(opts)
	if err != nil {
		return nil, err
	}
	if _, err := styleFor(opts.Size); err != nil {
		return nil, err
	}
	files := make([]File, 0, len(charts)*len(formats))
	for _, ch := range charts {
		for _, f := range formats {
			files = append(files, File{Chart: ch, Format: f})
		}
	}
	errs := make([]error, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if errs[j] = ctx.Err(); errs[j] != nil {
					continue
				}
				var buf bytes.Buffer
				errs[j] = files[j].Chart.Render(&buf, files[j].Format, opts)
				files[j].Data = buf.Bytes()
			}
		}()
	}
	for j := range files {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}
