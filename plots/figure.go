package plots

import (
	"math"
	"strconv"

	"bytes"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/potash-sim/potash/model"
)

// Chart is one figure ready to render: a title saying what it shows, a
// subtitle naming the scenario and its counterfactual, one or more aligned
// panels, a legend (and colour bar) to the right of the data, never over
// it, and a footer tracing it to its run. Make one with the chart
// constructors (PricePathChart, RevenueChart, …); they validate the data.
type Chart struct {
	// Name is the file base name, e.g. "price" for price.png.
	Name     string
	Title    string
	Subtitle string
	Footer   string
	// build makes the panels for one size preset.
	build func(st *style) (*layout, error)
}

// layout is the drawable content of a Chart at one size.
type layout struct {
	rows, cols int
	panels     [][]*panel // rows × cols; nil for an empty cell
	legend     []legendItem
	colorBar   *colorBar
}

type panel struct {
	p       *plot.Plot
	heading string
	// markers are drawn as lines by an EventLines plotter the builder
	// adds; labels are drawn above the panel when labelMarkers is set.
	markers      []Marker
	labelMarkers bool
}

type itemKind int

const (
	itemLine itemKind = iota
	itemDash
	itemDot
	itemFill
	itemHeader
	itemBand
	itemNumber // an event number and its label
	itemCont   // the continuation line of a wrapped label
)

type legendItem struct {
	num   string // itemNumber: the event's number
	label string
	color color.Color
	kind  itemKind
}

// colorBar is a vertical colour scale next to a heat map.
type colorBar struct {
	label  string
	lo, hi float64
	color  func(float64) color.Color
	ticks  plot.Ticker
}

// footerText is the traceability line of every chart.
func footerText(m Meta) string {
	var parts []string
	if m.DataSource != "" {
		parts = append(parts, m.DataSource)
	}
	v := m.ModelVersion
	if v == "" {
		v = "unknown"
	}
	parts = append(parts, "potash model "+v)
	if m.Hash != "" {
		h := m.Hash
		if len(h) > 12 {
			h = h[:12]
		}
		parts = append(parts, "scenario hash "+h)
	}
	if m.Draws > 0 {
		parts = append(parts, "Monte Carlo: "+formatNumber(float64(m.Draws), 0)+" draws, seed "+formatNumber(float64(m.Seed), 0))
	}
	return strings.Join(parts, " · ")
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
// than width (the last line takes the rest).
func wrapText(txt string, sty draw.TextStyle, width vg.Length, maxLines int) []string {
	words := strings.Fields(txt)
	if len(words) == 0 {
		return nil
	}
	var lines []string
	cur := words[0]
	for _, w := range words[1:] {
		if sty.Width(cur+" "+w) <= width || len(lines) == maxLines-1 {
			cur += " " + w
			continue
		}
		lines = append(lines, cur)
		cur = w
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
func (ch *Chart) draw(c draw.Canvas, st *style) error {
	lay, err := ch.build(st)
	if err != nil {
		return err
	}
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())

	m := st.pad * 1.5
	area := draw.Crop(c, m, -m, m*0.7, -m)

	// Header.
	y := area.Max.Y
	tsty := fitText(st.text(st.title, true, colText), ch.Title, area.Size().X)
	y -= tsty.FontExtents().Ascent
	area.FillText(tsty, vg.Point{X: area.Min.X, Y: y}, ch.Title)
	y -= tsty.FontExtents().Descent + st.pad*0.3
	if ch.Subtitle != "" {
		ssty := fitText(st.text(st.subtitle, false, colSubtle), ch.Subtitle, area.Size().X)
		y -= ssty.FontExtents().Ascent
		area.FillText(ssty, vg.Point{X: area.Min.X, Y: y}, ch.Subtitle)
		y -= ssty.FontExtents().Descent
	}
	y -= st.pad

	// Footer.
	bottom := area.Min.Y
	if ch.Footer != "" {
		fsty := fitText(st.text(st.footer, false, colFooter), ch.Footer, area.Size().X)
		area.FillText(fsty, vg.Point{X: area.Min.X, Y: bottom + fsty.FontExtents().Descent}, ch.Footer)
		bottom += fsty.Height(ch.Footer) + st.pad
	}

	body := area
	body.Max.Y = y
	body.Min.Y = bottom

	// Panels.
	msty := st.text(st.marker, false, colSubtle)
	hsty := st.text(st.panel, true, colText)
	hasHeading := false
	for _, row := range lay.panels {
		for _, p := range row {
			if p == nil {
				continue
			}
			if p.heading != "" {
				hasHeading = true
			}
		}
	}
	// Event labels go above the first panel that asks for them: as text
	// when it fits, else as numbers keyed in the legend column.
	var lp *panel
	for _, p := range lay.panels[0] {
		if p != nil && p.labelMarkers && markersInRange(p) {
			lp = p
			break
		}
	}
	numbered := lp != nil && lay.cols > 2
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
	plots := make([][]*plot.Plot, lay.rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, lay.cols)
		for k := range plots[r] {
			if p := lay.panels[r][k]; p != nil {
				plots[r][k] = p.p
			}
		}
	}
	markH := func(rows int) vg.Length {
		if rows == 0 {
			return 0
		}
		return vg.Length(rows)*msty.FontExtents().Height + st.pad*0.3
	}
	align := func(body draw.Canvas, rows int) [][]draw.Canvas {
		tiles := draw.Tiles{
			Rows: lay.rows, Cols: lay.cols,
			PadTop: headH() + markH(rows),
			PadX:   st.pad * 2,
			PadY:   headH() + st.pad*1.2,
		}
		return plot.Align(plots, tiles, body)
	}
	var (
		legend     []legendItem
		canv       [][]draw.Canvas
		markerRows int
		right      vg.Length
	)
	for {
		legend = lay.legend
		if numbered {
			legend = append(legend, markerKey(lp)...)
		}
		// The legend column takes at most 30% of the width.
		legend = wrapLegend(legend, st, body.Size().X*0.3)
		right = body.Max.X - legendWidth(legend, legendStyle(legend, st, body.Size().Y))
		if lay.colorBar != nil {
			right -= colorBarWidth(lay.colorBar, st)
		}
		b := body
		b.Max.X = right
		// The label strip has as many rows as the labels need (x positions
		// do not depend on the strip's height, so one trial layout tells).
		markerRows = 0
		if lp != nil {
			markerRows = 1
		}
		canv = align(b, markerRows)
		// Headings too wide for their panel wrap onto more lines.
		if hasHeading {
			need := 1
			for r, row := range lay.panels {
				for k, p := range row {
					if p != nil && p.heading != "" {
						dc := p.p.DataCanvas(canv[r][k])
						need = max(need, len(wrapText(p.heading, hsty, canv[r][k].Max.X-dc.Min.X, 3)))
					}
				}
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
		for k, p := range lay.panels[0] {
			if p == lp {
				placed, n := planMarkers(canv[0][k], p.p.DataCanvas(canv[0][k]), p, msty, st, numbered)
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
		break
	}

	// Legend and colour bar to the right of the panels.
	x := body.Max.X
	lst := legendStyle(legend, st, body.Size().Y)
	if w := legendWidth(legend, lst); w > 0 {
		x -= w
		drawLegend(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x + st.pad, Y: body.Min.Y}, Max: body.Max}}, legend, lst)
	}
	if lay.colorBar != nil {
		w := colorBarWidth(lay.colorBar, st)
		x -= w
		drawColorBar(draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x + st.pad, Y: body.Min.Y}, Max: vg.Point{X: x + w, Y: body.Max.Y}}}, lay.colorBar, st)
	}

	for r, row := range lay.panels {
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
			if ct, ok := p.p.X.Tick.Marker.(CalendarTicks); ok {
				// As many year labels as the panel's width holds.
				w := p.p.DataCanvas(pc).Size().X
				tw := p.p.X.Tick.Label.Width("2028")
				n := max(1, int(w/(tw*1.4)))
				if ct.MaxLabels == 0 || n < ct.MaxLabels {
					ct.MaxLabels = n
				}
				p.p.X.Tick.Marker = ct
			}
			p.p.Draw(pc)
			dc := p.p.DataCanvas(pc)
			top := rowTop
			if r == 0 && markerRows > 0 {
				if p == lp {
					drawMarkerLabels(pc, dc, p, msty, st, markerRows, numbered)
				}
				top += markH(markerRows)
			}
			if p.heading != "" {
				w := pc.Max.X - dc.Min.X
				lines := wrapText(p.heading, hsty, w, 3)
				h := hsty
				for _, l := range lines {
					h = fitText(h, l, w) // a single word wider than the panel
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

// maxMarkerRows bounds the rows of the event-label strip.
const maxMarkerRows = 5

// markersInRange reports whether any labelled marker of p falls on its x
// range.
func markersInRange(p *panel) bool {
	for _, m := range p.markers {
		if v := monthX(m.Month); m.Label != "" && v >= p.p.X.Min && v <= p.p.X.Max {
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
func planMarkers(pc, dc draw.Canvas, p *panel, sty draw.TextStyle, st *style, numbered bool) ([]placedLabel, int) {
	groups := markerGroups(p)
	xs := make([]vg.Length, len(groups))
	for k, g := range groups {
		xs[k] = dc.X(p.p.X.Norm(monthX(g.month)))
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
func drawMarkerLabels(pc, dc draw.Canvas, p *panel, sty draw.TextStyle, st *style, rows int, numbered bool) {
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
func markerGroups(p *panel) []markerGroup {
	var gs []markerGroup
	idx := map[model.Month]int{}
	for _, m := range p.markers {
		v := monthX(m.Month)
		if v < p.p.X.Min || v > p.p.X.Max || m.Label == "" {
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

// markerKey is the legend section listing numbered event markers.
func markerKey(p *panel) []legendItem {
	items := []legendItem{{kind: itemHeader, label: "Events"}}
	for k, g := range markerGroups(p) {
		for j, l := range g.labels {
			it := legendItem{kind: itemNumber, label: l}
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
func wrapLegend(items []legendItem, st *style, maxW vg.Length) []legendItem {
	sty := st.text(st.legend, false, colText)
	avail := maxW - st.swatch - st.pad*0.6 - st.pad*2
	var out []legendItem
	for _, it := range items {
		if it.kind == itemHeader || sty.Width(it.label) <= avail {
			out = append(out, it)
			continue
		}
		for j, l := range wrapText(it.label, sty, avail, 4) {
			if j == 0 {
				c := it
				c.label = l
				out = append(out, c)
			} else {
				out = append(out, legendItem{kind: itemCont, label: l})
			}
		}
	}
	return out
}

// legendStyle returns st with the legend font scaled down (to 60% at
// most) so that items fit in height h.
func legendStyle(items []legendItem, st *style, h vg.Length) *style {
	if len(items) == 0 {
		return st
	}
	lineH := st.text(st.legend, false, colText).FontExtents().Height * 1.35
	need := vg.Length(0)
	for k, it := range items {
		need += lineH
		if it.kind == itemHeader && k > 0 {
			need += lineH * 0.3
		}
	}
	if need <= h {
		return st
	}
	s := *st
	f := math.Max(0.6, float64(h/need))
	s.legend *= vg.Length(f)
	s.swatch *= vg.Length(f)
	return &s
}

func legendWidth(items []legendItem, st *style) vg.Length {
	if len(items) == 0 {
		return 0
	}
	sty := st.text(st.legend, false, colText)
	bsty := st.text(st.legend, true, colText)
	w := vg.Length(0)
	for _, it := range items {
		var tw vg.Length
		if it.kind == itemHeader {
			tw = bsty.Width(it.label)
		} else {
			tw = st.swatch + st.pad*0.6 + sty.Width(it.label)
		}
		if tw > w {
			w = tw
		}
	}
	return w + st.pad*2
}

func drawLegend(c draw.Canvas, items []legendItem, st *style) {
	sty := st.text(st.legend, false, colText)
	bsty := st.text(st.legend, true, colText)
	lineH := sty.FontExtents().Height * 1.35
	y := c.Max.Y - sty.FontExtents().Ascent
	for _, it := range items {
		if it.kind == itemHeader {
			if y < c.Max.Y-sty.FontExtents().Ascent {
				y -= lineH * 0.3
			}
			c.FillText(bsty, vg.Point{X: c.Min.X, Y: y}, it.label)
			y -= lineH
			continue
		}
		mid := y + sty.FontExtents().Ascent*0.35
		x0, x1 := c.Min.X, c.Min.X+st.swatch
		ls := draw.LineStyle{Color: it.color, Width: st.line}
		switch it.kind {
		case itemLine:
			c.StrokeLine2(ls, x0, mid, x1, mid)
		case itemDash:
			ls.Dashes = []vg.Length{st.swatch / 4, st.swatch / 8}
			c.StrokeLine2(ls, x0, mid, x1, mid)
		case itemDot:
			ls.Dashes = dotted(st)
			c.StrokeLine2(ls, x0, mid, x1, mid)
		case itemCont:
			y += lineH * 0.25 // continuation lines sit closer
		case itemNumber:
			bsty.XAlign = draw.XRight
			c.FillText(bsty, vg.Point{X: x1 - st.pad*0.2, Y: y}, it.num)
			bsty.XAlign = draw.XLeft
		case itemFill, itemBand:
			h := sty.FontExtents().Ascent * 0.8
			c.FillPolygon(it.color, []vg.Point{{X: x0, Y: mid - h/2}, {X: x1, Y: mid - h/2}, {X: x1, Y: mid + h/2}, {X: x0, Y: mid + h/2}})
		}
		c.FillText(sty, vg.Point{X: x1 + st.pad*0.6, Y: y}, it.label)
		y -= lineH
	}
}

func colorBarWidth(cb *colorBar, st *style) vg.Length {
	sty := st.text(st.tick, false, colText)
	w := vg.Length(0)
	for _, t := range cb.ticks.Ticks(cb.lo, cb.hi) {
		if tw := sty.Width(t.Label); tw > w {
			w = tw
		}
	}
	lw := st.text(st.axisLabel, false, colText).Height(cb.label)
	return st.pad*2 + st.swatch + st.pad*0.5 + w + st.pad*0.5 + lw + st.pad
}

func drawColorBar(c draw.Canvas, cb *colorBar, st *style) {
	sty := st.text(st.tick, false, colText)
	lsty := st.text(st.axisLabel, false, colText)
	top := c.Max.Y - st.pad
	bot := c.Min.Y + st.pad*3
	x0, x1 := c.Min.X, c.Min.X+st.swatch
	n := 64
	for i := 0; i < n; i++ {
		ya := bot + (top-bot)*vg.Length(i)/vg.Length(n)
		yb := bot + (top-bot)*vg.Length(i+1)/vg.Length(n)
		v := cb.lo + (cb.hi-cb.lo)*(float64(i)+0.5)/float64(n)
		c.FillPolygon(cb.color(v), []vg.Point{{X: x0, Y: ya}, {X: x1, Y: ya}, {X: x1, Y: yb + 0.3}, {X: x0, Y: yb + 0.3}})
	}
	ls := draw.LineStyle{Color: colAxis, Width: st.thin}
	sty.YAlign = draw.YCenter
	maxw := vg.Length(0)
	if cb.hi > cb.lo {
		for _, t := range cb.ticks.Ticks(cb.lo, cb.hi) {
			if t.Label == "" {
				continue
			}
			y := bot + (top-bot)*vg.Length((t.Value-cb.lo)/(cb.hi-cb.lo))
			c.StrokeLine2(ls, x1, y, x1+st.tickLen, y)
			c.FillText(sty, vg.Point{X: x1 + st.tickLen + st.pad*0.3, Y: y}, t.Label)
			if w := sty.Width(t.Label); w > maxw {
				maxw = w
			}
		}
	}
	lsty.Rotation = 1.5707963267948966
	lsty.XAlign, lsty.YAlign = draw.XCenter, draw.YTop
	c.FillText(lsty, vg.Point{X: x1 + st.tickLen + st.pad*0.8 + maxw + lsty.FontExtents().Height, Y: (top + bot) / 2}, cb.label)
}

// Formats lists the output formats.
var Formats = []string{"png", "svg", "pdf"}

// Render draws the chart in format ("png", "svg" or "pdf") at opts' size
// and DPI and writes it to w. SVG and PDF embed their fonts.
func (ch *Chart) Render(w io.Writer, format string, opts Options) error {
	st, err := styleFor(opts.Size)
	if err != nil {
		return err
	}
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
		if err := ch.draw(draw.New(img), st); err != nil {
			return errorf("%s: %v", ch.Name, err)
		}
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(w, img.Image())
	case "svg":
		cw = vgsvg.NewWith(vgsvg.UseWH(st.width, st.height), vgsvg.EmbedFonts(true))
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

// saveCharts renders every chart in every format into memory first, so
// that invalid data writes nothing, then writes each file atomically into
// dir (created if missing). It returns the paths written.
func saveCharts(dir string, charts []*Chart, opts Options) ([]string, error) {
	formats, err := normFormats(opts)
	if err != nil {
		return nil, err
	}
	if _, err := styleFor(opts.Size); err != nil {
		return nil, err
	}
	type out struct {
		path string
		data []byte
		err  error
	}
	// Render in parallel (charts are independent; gonum/plot's font cache
	// is safe for concurrent use), keeping the order.
	outs := make([]out, 0, len(charts)*len(formats))
	for _, ch := range charts {
		for _, f := range formats {
			outs = append(outs, out{path: filepath.Join(dir, ch.Name+"."+f)})
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(outs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				ch, f := charts[j/len(formats)], formats[j%len(formats)]
				var buf bytes.Buffer
				outs[j].err = ch.Render(&buf, f, opts)
				outs[j].data = buf.Bytes()
			}
		}()
	}
	for j := range outs {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	for _, o := range outs {
		if o.err != nil {
			return nil, o.err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, errorf("%v", err)
	}
	var written []string
	for _, o := range outs {
		data := o.data
		if err := writeFileAtomic(o.path, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		}); err != nil {
			return written, err
		}
		written = append(written, o.path)
	}
	return written, nil
}

// writeFileAtomic writes path by calling write on a temporary file in the
// same directory and renaming it over path once complete and synced. On
// any error the temporary file is removed and path is left as it was.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return errorf("%v", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return errorf("writing %s: %v", path, err)
	}
	if err = f.Sync(); err != nil {
		return errorf("writing %s: %v", path, err)
	}
	if err = f.Close(); err != nil {
		return errorf("writing %s: %v", path, err)
	}
	if err = os.Chmod(tmp, 0o644); err != nil {
		return errorf("%v", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return errorf("%v", err)
	}
	return nil
}
