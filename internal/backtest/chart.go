package backtest

import (
	"bytes"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

// ChartMeta is what the back-test chart says about where it came from.
type ChartMeta struct {
	Hash         string // scenario hash (first 12 hex digits shown)
	ModelVersion string // model.Version when empty
}

// ChartName is the base name of the back-test chart files.
const ChartName = "backtest"

// Chart geometry: a 16:9 slide like the plots package's SizeSlide, with
// the same sans-serif font and sizes.
var (
	chartW, chartH = 13.333 * vg.Inch, 7.5 * vg.Inch
	sans           = font.Font{Typeface: "Liberation", Variant: "Sans"}

	colText        = color.RGBA{0x22, 0x22, 0x22, 255}
	colSubtle      = color.RGBA{0x55, 0x55, 0x55, 255}
	colFooter      = color.RGBA{0x77, 0x77, 0x77, 255}
	colAxis        = color.RGBA{0x44, 0x44, 0x44, 255}
	colMarker      = color.RGBA{0x8C, 0x8C, 0x8C, 255}
	colRecord      = color.RGBA{0x1A, 0x1A, 0x1A, 255}
	colModel       = color.RGBA{0x00, 0x72, 0xB2, 255} // Okabe–Ito blue
	colNaive       = color.RGBA{0x7A, 0x7A, 0x7A, 255} // grey, like a counterfactual
	colOut         = color.RGBA{0xEE, 0xEE, 0xEE, 255} // out-of-sample shading
	colGrid        = color.RGBA{0xE3, 0xE3, 0xE3, 255}
	colNoSanctions = color.RGBA{0xD5, 0x5E, 0x00, 255} // Okabe–Ito vermillion
	colNoDemand    = color.RGBA{0xE6, 0x9F, 0x00, 255} // Okabe–Ito orange
)

const (
	szTitle, szSub, szAxis, szTick, szLegend, szFooter, szMarker, szPanel = 24, 15, 15, 13, 13, 10, 11, 14
	pad                                                                   = vg.Length(12)
	lineW, thinW                                                          = vg.Length(2.2), vg.Length(0.8)
)

func textStyle(size vg.Length, bold bool, c color.Color) draw.TextStyle {
	f := sans
	if bold {
		f.Weight = stdfont.WeightBold
	}
	f.Size = size
	return draw.TextStyle{Color: c, Font: font.From(f, size), Handler: plot.DefaultTextHandler}
}

func newPanel(ylabel string, yt plot.Ticker) *plot.Plot {
	plot.DefaultFont = sans
	p := plot.New()
	p.BackgroundColor = nil
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = textStyle(szAxis, false, colText).Font
		ax.Label.TextStyle.Color = colText
		ax.Tick.Label.Font = textStyle(szTick, false, colText).Font
		ax.Tick.Label.Color = colText
		ax.LineStyle.Color, ax.Tick.LineStyle.Color = colAxis, colAxis
		ax.LineStyle.Width, ax.Tick.LineStyle.Width = thinW, thinW
		ax.Padding = 0
	}
	p.X.Tick.Marker = plots.CalendarTicks{}
	p.Y.Tick.Marker = yt
	p.Y.Label.Text = ylabel
	g := plotter.NewGrid() // light horizontal grid, as in the plots package
	g.Vertical.Width = 0
	g.Horizontal.Color = colGrid
	g.Horizontal.Width = thinW
	p.Add(g)
	return p
}

func monthX(t model.Month) float64 { return float64(t) / 12 }

// xys returns the points (month, v) with v finite; breaks are not drawn
// (the series used here have no interior gaps).
func xys(months []model.Month, v []float64, from, to model.Month) plotter.XYs {
	var out plotter.XYs
	for k, t := range months {
		if t < from || t > to || k >= len(v) || math.IsNaN(v[k]) || math.IsInf(v[k], 0) {
			continue
		}
		out = append(out, plotter.XY{X: monthX(t) + 1.0/24, Y: v[k]})
	}
	return out
}

type legendEntry struct {
	label  string
	c      color.Color
	dashes []vg.Length
	fill   bool
	dot    bool
}

// chart holds the built panels.
type chart struct {
	// bold is false for PDF: gonum/plot v0.17.0's vgpdf registers a bold
	// face under its own name but selects it with style "B", which fails
	// ("undefined font: liberationsans-bold B").
	bold                    bool
	title, subtitle, footer string
	price, exports          *plot.Plot
	markers                 []EventMark
	legend                  []legendEntry
}

func (ch *chart) ts(size vg.Length, bold bool, c color.Color) draw.TextStyle {
	return textStyle(size, bold && ch.bold, c)
}

func (r *Report) buildChart(meta ChartMeta, bold bool) (*chart, error) {
	if len(r.Months) == 0 {
		return nil, fmt.Errorf("backtest chart: no months")
	}
	c := &chart{bold: bold}
	cfg := r.Config
	last := r.lastRecord()
	c.title = fmt.Sprintf("Potash price: model against the record, %d–%d", cfg.Start.Year(), last.Year())
	c.subtitle = fmt.Sprintf("Back-test of scenario %s · fitted on %v..%v, tested on %v..%v · out-of-sample RMSE (log) %s, naive %s",
		HistoryScenario, cfg.Start, cfg.Cut-1, cfg.Cut, last, num(r.OutSample.RMSE, 3), num(r.NaiveOut.RMSE, 3))
	v := meta.ModelVersion
	if v == "" {
		v = model.Version
	}
	foot := []string{"Data: World Bank Pink Sheet (4 Nov 2025), potassium chloride Brazil CFR; FAOSTAT exports (t K2O ÷ 0.60)", "potash model " + v}
	if meta.Hash != "" {
		h := meta.Hash
		if len(h) > 12 {
			h = h[:12]
		}
		foot = append(foot, "scenario hash "+h)
	}
	c.footer = strings.Join(foot, " · ")

	x0, x1 := monthX(r.Months[0]), monthX(r.Months[len(r.Months)-1])+1.0/12

	// Price panel.
	p := newPanel("Price ($/t)", plots.NumberTicks{})
	p.X.Min, p.X.Max = x0, x1
	ymax := 0.0
	for k := range r.Months {
		for _, v := range []float64{r.Record[k], r.Model[k], r.Naive[k]} {
			if !math.IsNaN(v) {
				ymax = math.Max(ymax, v)
			}
		}
	}
	if ymax <= 0 {
		return nil, fmt.Errorf("backtest chart: no positive prices")
	}
	p.Y.Min, p.Y.Max = 0, ymax*1.08
	shade, err := plotter.NewPolygon(plotter.XYs{{X: monthX(cfg.Cut), Y: 0}, {X: x1, Y: 0}, {X: x1, Y: p.Y.Max}, {X: monthX(cfg.Cut), Y: p.Y.Max}})
	if err != nil {
		return nil, err
	}
	shade.Color = colOut
	shade.LineStyle.Width = 0
	p.Add(shade)
	var mx []float64
	for _, m := range r.Markers {
		mx = append(mx, monthX(m.Month))
	}
	ev, err := plots.NewEventLines(mx, draw.LineStyle{Color: colMarker, Width: thinW, Dashes: []vg.Length{4, 3}})
	if err != nil {
		return nil, err
	}
	p.Add(ev)
	c.markers = r.Markers
	addLine := func(pl *plot.Plot, pts plotter.XYs, col color.Color, w vg.Length, dashes []vg.Length) error {
		if len(pts) == 0 {
			return nil
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color, l.Width, l.Dashes = col, w, dashes
		pl.Add(l)
		return nil
	}
	rec := xys(r.Months, r.Record, cfg.Start, cfg.End)
	if len(rec) == 0 {
		return nil, fmt.Errorf("backtest chart: no record prices")
	}
	if err := addLine(p, rec, colRecord, lineW*1.3, nil); err != nil {
		return nil, err
	}
	if err := addLine(p, xys(r.Months, r.Model, cfg.Start, cfg.End), colModel, lineW, nil); err != nil {
		return nil, err
	}
	naiveDash := []vg.Length{8, 5}
	if err := addLine(p, xys(r.Months, r.Naive, cfg.Cut, last), colNaive, lineW, naiveDash); err != nil {
		return nil, err
	}
	// Peaks.
	for _, pk := range []struct {
		tp  TurningPoint
		col color.Color
	}{{r.PeakRecord, colRecord}, {r.PeakModel, colModel}} {
		if pk.tp.Value <= 0 || math.IsInf(pk.tp.Value, 0) {
			continue
		}
		sc, err := plotter.NewScatter(plotter.XYs{{X: monthX(pk.tp.Month) + 1.0/24, Y: pk.tp.Value}})
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: pk.col, Radius: 5, Shape: draw.CircleGlyph{}}
		p.Add(sc)
		lab, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: monthX(pk.tp.Month) + 1.0/24, Y: pk.tp.Value}},
			Labels: []string{fmt.Sprintf("  %s $/t, %s", num(pk.tp.Value, 0), monthName(pk.tp.Month))}})
		if err != nil {
			return nil, err
		}
		lab.TextStyle[0] = c.ts(szMarker, true, pk.col)
		lab.TextStyle[0].YAlign = draw.YCenter
		p.Add(lab)
	}
	c.price = p
	c.legend = append(c.legend,
		legendEntry{label: "Record: Pink Sheet KCl, Brazil CFR", c: colRecord},
		legendEntry{label: "Model: benchmark price (fitted)", c: colModel},
		legendEntry{label: "Naive: " + monthName(cfg.Cut-1) + " price held", c: colNaive, dashes: naiveDash},
		legendEntry{label: "Out of sample", c: colOut, fill: true},
	)

	// Exports panel: model monthly rates (lines) and FAOSTAT annual
	// volumes (dots at mid-year).
	e := newPanel("Exports (Mt KCl/yr)", plots.NumberTicks{})
	e.X.Min, e.X.Max = x0, x1
	e.Y.Min = 0
	emax := 0.0
	c.legend = append(c.legend, legendEntry{label: "Exports: model (line), FAOSTAT (dots)"})
	for _, name := range cfg.Suppliers {
		col, ok := plots.SupplierColors[name]
		if !ok {
			col = color.RGBA{0x99, 0x99, 0x99, 255}
		}
		xs := r.ExportModel[name]
		for _, v := range xs {
			emax = math.Max(emax, v)
		}
		if err := addLine(e, xys(r.Months, xs, cfg.Start, cfg.End), col, lineW, nil); err != nil {
			return nil, err
		}
		var pts plotter.XYs
		a := r.ExportRecord[name]
		for k, y := range a.Years {
			if y < cfg.Start.Year() || y > cfg.End.Year() {
				continue
			}
			pts = append(pts, plotter.XY{X: float64(y) + 0.5, Y: a.Values[k]})
			emax = math.Max(emax, a.Values[k])
		}
		if len(pts) > 0 {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: 5, Shape: draw.CircleGlyph{}}
			e.Add(sc)
		}
		c.legend = append(c.legend, legendEntry{label: name, c: col, dot: true})
	}
	e.Y.Max = math.Max(emax*1.1, 1)
	c.exports = e
	return c, nil
}

// FactorsChartName is the base name of the chart of the decomposition runs.
const FactorsChartName = "backtest-factors"

// buildFactorsChart draws the record and the fitted model's paths with all
// factors, without the sanctions, without crop demand, and with none.
func (r *Report) buildFactorsChart(meta ChartMeta, bold bool) (*chart, error) {
	if len(r.Months) == 0 || len(r.FactorPaths) == 0 {
		return nil, fmt.Errorf("backtest factors chart: no decomposition paths")
	}
	c := &chart{bold: bold}
	cfg := r.Config
	d := r.Decomposition
	c.title = fmt.Sprintf("What drove the %d–%d rise: the fitted model with and without each factor", cfg.RiseFrom.Year(), cfg.RiseTo.Year()%100)
	var parts []string
	for _, ct := range d.Contributions {
		parts = append(parts, fmt.Sprintf("%s %s $/t (%s)", ct.Factor, signed(ct.Value, 0), shareOf(ct.Value, d.ModelRise)))
	}
	c.subtitle = fmt.Sprintf("Back-test of scenario %s · rise of the %d–%d average over %d: %s · Shapley values",
		HistoryScenario, cfg.RiseFrom.Year(), cfg.RiseTo.Year(), cfg.BaseYear, strings.Join(parts, ", "))
	base, err := r.buildChart(meta, bold)
	if err != nil {
		return nil, err
	}
	c.footer = base.footer
	x0, x1 := monthX(r.Months[0]), monthX(r.Months[len(r.Months)-1])+1.0/12
	p := newPanel("Price ($/t)", plots.NumberTicks{})
	p.X.Min, p.X.Max = x0, x1
	var mx []float64
	for _, m := range r.Markers {
		mx = append(mx, monthX(m.Month))
	}
	ev, err := plots.NewEventLines(mx, draw.LineStyle{Color: colMarker, Width: thinW, Dashes: []vg.Length{4, 3}})
	if err != nil {
		return nil, err
	}
	p.Add(ev)
	c.markers = r.Markers
	ymax := 0.0
	lines := []struct {
		label  string
		v      []float64
		col    color.Color
		w      vg.Length
		dashes []vg.Length
	}{
		{"Record: Pink Sheet KCl, Brazil CFR", r.Record, colRecord, lineW * 1.3, nil},
		{"Model: all factors (fitted)", r.FactorPaths[AllFactors], colModel, lineW, nil},
		{"Model without sanctions", r.FactorPaths[AllFactors&^FactorSanctions], colNoSanctions, lineW, []vg.Length{8, 5}},
		{"Model without crop demand", r.FactorPaths[AllFactors&^FactorDemand], colNoDemand, lineW, []vg.Length{8, 5}},
		{"Model with no factor", r.FactorPaths[0], colNaive, lineW, []vg.Length{2, 4}},
	}
	for _, l := range lines {
		if len(l.v) == 0 {
			return nil, fmt.Errorf("backtest factors chart: no path for %q", l.label)
		}
		pts := xys(r.Months, l.v, cfg.Start, cfg.End)
		if len(pts) == 0 {
			return nil, fmt.Errorf("backtest factors chart: %q has no finite value", l.label)
		}
		for _, q := range pts {
			ymax = math.Max(ymax, q.Y)
		}
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		ln.Color, ln.Width, ln.Dashes = l.col, l.w, l.dashes
		p.Add(ln)
		c.legend = append(c.legend, legendEntry{label: l.label, c: l.col, dashes: l.dashes})
	}
	p.Y.Min, p.Y.Max = 0, ymax*1.08
	c.price = p
	return c, nil
}

func monthName(t model.Month) string {
	return [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[t.MonthOfYear()-1] + " " + fmt.Sprint(t.Year())
}

func fit(sty draw.TextStyle, txt string, w vg.Length) draw.TextStyle {
	for i := 0; i < 8 && sty.Width(txt) > w; i++ {
		sty.Font.Size *= 0.94
	}
	return sty
}

// draw lays the chart out on c: header, panels (price 62% of the body,
// exports below), event labels above the price panel, legend to the right
// of the panels (never over data), footer.
func (ch *chart) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	m := pad * 1.5
	area := draw.Crop(c, m, -m, m*0.7, -m)
	y := area.Max.Y
	ts := fit(ch.ts(szTitle, true, colText), ch.title, area.Size().X)
	y -= ts.FontExtents().Ascent
	area.FillText(ts, vg.Point{X: area.Min.X, Y: y}, ch.title)
	y -= ts.FontExtents().Descent + pad*0.3
	ss := fit(ch.ts(szSub, false, colSubtle), ch.subtitle, area.Size().X)
	y -= ss.FontExtents().Ascent
	area.FillText(ss, vg.Point{X: area.Min.X, Y: y}, ch.subtitle)
	y -= ss.FontExtents().Descent + pad
	fs := fit(ch.ts(szFooter, false, colFooter), ch.footer, area.Size().X)
	area.FillText(fs, vg.Point{X: area.Min.X, Y: area.Min.Y + fs.FontExtents().Descent}, ch.footer)
	bottom := area.Min.Y + fs.Height(ch.footer) + pad

	// Legend width.
	ls := ch.ts(szLegend, false, colText)
	lb := ch.ts(szLegend, true, colText)
	sw := vg.Length(22)
	lw := vg.Length(0)
	for _, it := range ch.legend {
		w := sw + pad*0.6 + ls.Width(it.label)
		if it.c == nil {
			w = lb.Width(it.label)
		}
		lw = max(lw, w)
	}
	right := area.Max.X - lw - pad*2

	// Event label strip.
	ms := ch.ts(szMarker, false, colSubtle)
	rows := 5
	strip := vg.Length(rows)*ms.FontExtents().Height + pad*0.3
	body := vg.Rectangle{Min: vg.Point{X: area.Min.X, Y: bottom}, Max: vg.Point{X: right, Y: y - strip}}
	cp := draw.Canvas{Canvas: c.Canvas, Rectangle: body}
	if ch.exports != nil {
		h := body.Max.Y - body.Min.Y
		split := body.Min.Y + h*0.40
		cp.Min.Y = split + pad*0.75
		ce := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: body.Min, Max: vg.Point{X: body.Max.X, Y: split - pad*0.75}}}
		// Align the data areas' left edges (the panels' y tick labels
		// differ in width).
		lp, le := ch.price.DataCanvas(cp).Min.X, ch.exports.DataCanvas(ce).Min.X
		left := max(lp, le)
		cp.Min.X += left - lp
		ce.Min.X += left - le
		ch.exports.Draw(ce)
	}
	ch.price.Draw(cp)
	ch.drawMarkerLabels(cp, ch.price.DataCanvas(cp), ms, rows)

	// Legend.
	lc := vg.Point{X: right + pad*2, Y: body.Max.Y}
	lineH := ls.FontExtents().Height * 1.35
	ly := lc.Y - ls.FontExtents().Ascent
	for _, it := range ch.legend {
		if it.c == nil {
			ly -= lineH * 0.4
			c.FillText(lb, vg.Point{X: lc.X, Y: ly}, it.label)
			ly -= lineH
			continue
		}
		mid := ly + ls.FontExtents().Ascent*0.35
		x0, x1 := lc.X, lc.X+sw
		switch {
		case it.fill:
			hh := ls.FontExtents().Ascent * 0.8
			c.FillPolygon(it.c, []vg.Point{{X: x0, Y: mid - hh/2}, {X: x1, Y: mid - hh/2}, {X: x1, Y: mid + hh/2}, {X: x0, Y: mid + hh/2}})
		default:
			c.StrokeLine2(draw.LineStyle{Color: it.c, Width: lineW, Dashes: it.dashes}, x0, mid, x1, mid)
			if it.dot {
				c.DrawGlyph(draw.GlyphStyle{Color: it.c, Radius: 5, Shape: draw.CircleGlyph{}}, vg.Point{X: (x0 + x1) / 2, Y: mid})
			}
		}
		c.FillText(ls, vg.Point{X: x1 + pad*0.6, Y: ly}, it.label)
		ly -= lineH
	}
}

// drawMarkerLabels writes event labels in the strip above the price
// panel, next to their marker lines: each label goes into the first of
// rows rows where it does not overlap a label already placed (left of its
// line when it would run past the panel); a label that fits nowhere is
// dropped rather than drawn over another.
func (ch *chart) drawMarkerLabels(pc, dc draw.Canvas, sty draw.TextStyle, rows int) {
	type lab struct {
		x    vg.Length
		text string
	}
	var labs []lab
	p := ch.price
	for _, m := range ch.markers {
		v := monthX(m.Month)
		if v < p.X.Min || v > p.X.Max || m.Label == "" {
			continue
		}
		x := dc.X(p.X.Norm(v))
		merged := false
		for k := range labs {
			if labs[k].x == x { // same month: one label
				labs[k].text += " · " + m.Label
				merged = true
			}
		}
		if !merged {
			labs = append(labs, lab{x, m.Label})
		}
	}
	sort.SliceStable(labs, func(i, j int) bool { return labs[i].x < labs[j].x })
	lineH := sty.FontExtents().Height
	ends := make([]vg.Length, rows)
	for i := range ends {
		ends[i] = -1e9
	}
	ls := draw.LineStyle{Color: colMarker, Width: thinW}
	for _, l := range labs {
		w := sty.Width(l.text)
		right := l.x + pad*0.25
		if right+w > pc.Max.X {
			right = l.x - pad*0.25 - w
		}
		for r := 0; r < rows; r++ {
			left := right
			if left < ends[r]+pad*0.5 {
				// try left of the line
				left = l.x - pad*0.25 - w
				if left < ends[r]+pad*0.5 || left < pc.Min.X {
					continue
				}
			}
			ends[r] = left + w
			base := dc.Max.Y + pad*0.3 + vg.Length(rows-1-r)*lineH + sty.FontExtents().Descent
			pc.FillText(sty, vg.Point{X: left, Y: base}, l.text)
			pc.StrokeLine2(ls, l.x, dc.Max.Y, l.x, base+sty.FontExtents().Ascent)
			break
		}
	}
}

// ChartNames lists the back-test's charts: model against record
// (ChartName) and the decomposition runs (FactorsChartName).
var ChartNames = []string{ChartName, FactorsChartName}

// RenderChart draws the back-test chart in format ("png", "svg" or "pdf")
// to w. PNG is 150 DPI; SVG and PDF embed their fonts.
func (r *Report) RenderChart(w io.Writer, format string, meta ChartMeta) error {
	return r.RenderNamedChart(w, ChartName, format, meta)
}

// RenderNamedChart draws the chart called name (one of ChartNames).
func (r *Report) RenderNamedChart(w io.Writer, name, format string, meta ChartMeta) error {
	bold := !strings.EqualFold(format, "pdf")
	var ch *chart
	var err error
	switch name {
	case ChartName:
		ch, err = r.buildChart(meta, bold)
	case FactorsChartName:
		ch, err = r.buildFactorsChart(meta, bold)
	default:
		err = fmt.Errorf("backtest: no chart %q (have %s)", name, strings.Join(ChartNames, ", "))
	}
	if err != nil {
		return err
	}
	switch strings.ToLower(format) {
	case "png":
		img := vgimg.NewWith(vgimg.UseWH(chartW, chartH), vgimg.UseDPI(150), vgimg.UseBackgroundColor(color.White))
		ch.draw(draw.New(img))
		return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img.Image())
	case "svg":
		cw := vgsvg.NewWith(vgsvg.UseWH(chartW, chartH), vgsvg.EmbedFonts(true))
		ch.draw(draw.New(cw))
		_, err := cw.WriteTo(w)
		return err
	case "pdf":
		cw := vgpdf.New(chartW, chartH)
		cw.EmbedFonts(true)
		ch.draw(draw.New(cw))
		_, err := cw.WriteTo(w)
		return err
	}
	return fmt.Errorf("backtest chart: unknown format %q (want png, svg or pdf)", format)
}

// WriteCharts writes every chart into dir once per format, atomically,
// and returns the files written.
func (r *Report) WriteCharts(dir string, formats []string, meta ChartMeta) ([]string, error) {
	var out []string
	for _, name := range ChartNames {
		for _, f := range formats {
			f = strings.ToLower(strings.TrimSpace(f))
			var buf bytes.Buffer
			if err := r.RenderNamedChart(&buf, name, f, meta); err != nil {
				return out, err
			}
			path := filepath.Join(dir, name+"."+f)
			if err := report.WriteFile(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
				return out, err
			}
			out = append(out, path)
		}
	}
	return out, nil
}
