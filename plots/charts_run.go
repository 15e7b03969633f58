package plots

import (
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"github.com/potash-sim/potash/model"
)

// fan holds the 5–95% and 25–75% bounds of a Monte Carlo band.
type fan struct{ p5, p25, p75, p95 []float64 }

// addFan adds the 90% then the 50% band (widest first).
func addFan(p *plot.Plot, x []float64, f *fan) error {
	if f == nil {
		return nil
	}
	outer, err := band(x, f.p5, f.p95, colBand90)
	if err != nil {
		return err
	}
	inner, err := band(x, f.p25, f.p75, colBand50)
	if err != nil {
		return err
	}
	p.Add(outer, inner)
	return nil
}

func mcNote(mc *mcData) string {
	if mc == nil {
		return ""
	}
	return "shaded: 50% and 90% bands of " + formatNumber(float64(mc.mc.Converged), 0) + " Monte Carlo draws"
}

// offBandWhy is the note of a chart with bands whose central run lies
// outside them, when the pipeline gave no reason (Meta.OffBand).
const offBandWhy = "by construction, not an error (docs/SCENARIOS.md)"

// offBandNote is the legend note of a chart whose central run (what)
// lies outside its band: what, and why (meta.OffBand, or offBandWhy).
func offBandNote(what string, meta Meta) LegendItem {
	why := meta.OffBand
	if why == "" {
		why = offBandWhy
	}
	return LegendItem{Kind: LegendNote, Label: what + ": " + why}
}

// outsideBand reports whether v lies outside [lo, hi] by more than the
// rounding of the percentiles (a relative 1e-9, as internal/report
// tells a central value outside its band).
func outsideBand(v, lo, hi float64) bool {
	tol := 1e-9 * math.Max(math.Max(math.Abs(v), math.Abs(lo)), math.Abs(hi))
	return v < lo-tol || v > hi+tol
}

// leavesFan reports whether central lies outside f's 5–95% band in some
// month shown (from w0); false when f is nil. Where it does, the chart
// shows.
func leavesFan(central []float64, f *fan, w0 int) bool {
	if f == nil {
		return false
	}
	for t := w0; t < len(central); t++ {
		if outsideBand(central[t], f.p5[t], f.p95[t]) {
			return true
		}
	}
	return false
}

func scenarioLegend(withFan bool) []LegendItem {
	items := []LegendItem{
		{Label: "Scenario", Color: colScen, Kind: LegendLine},
		{Label: "Counterfactual", Color: colCf, Kind: LegendDash},
	}
	if withFan {
		items = append(items,
			LegendItem{Label: "50% band", Color: colBand50, Kind: LegendFill},
			LegendItem{Label: "90% band", Color: colBand90, Kind: LegendFill})
	}
	return items
}

// levelFan returns the fan of variable/entity levels from mc (nil if mc is nil).
func levelFan(mc *mcData, variable, entity string, k float64) (*fan, error) {
	if mc == nil {
		return nil, nil
	}
	s, err := mc.series(variable, entity)
	if err != nil {
		return nil, err
	}
	p5, p25, p75, p95, err := mc.bands(variable+" of "+entity, s.Level, k)
	if err != nil {
		return nil, err
	}
	return &fan{p5, p25, p75, p95}, nil
}

// PricePathChart is the benchmark price (the benchmark region's average
// CFR transaction price: Brazil CFR) of the scenario against the counterfactual, in $/t,
// with the Monte Carlo 50% and 90% bands of the scenario when mc is not
// nil (mc must then hold the benchmark_price series).
func PricePathChart(run *model.Run, mc *model.MCResult, meta Meta) (*Chart, error) {
	return pricePathChart(run, mc, meta, Options{})
}

func pricePathChart(run *model.Run, mc *model.MCResult, meta Meta, opts Options) (*Chart, error) {
	d, m, err := newRunMC(run, mc)
	if err != nil {
		return nil, err
	}
	scen, cf, err := d.benchmark()
	if err != nil {
		return nil, err
	}
	f, err := levelFan(m, "benchmark_price", "World", 1)
	if err != nil {
		return nil, err
	}
	bench := d.cal.Market.Benchmark
	if bench == "" && d.cal.Bench >= 0 && d.cal.Bench < len(d.regLab) {
		bench = d.regLab[d.cal.Bench]
	}
	title := "Benchmark potash price"
	if bench != "" {
		title += " (" + bench + " CFR)"
	}
	caption := "Benchmark price path, scenario and counterfactual"
	if m != nil {
		caption = "Benchmark price path, with Monte Carlo bands"
	}
	ch := &Chart{
		Name:     "price",
		Caption:  caption,
		Main:     true,
		Title:    title + ", scenario vs counterfactual",
		Subtitle: subtitleText(meta, mcNote(m)),
		Footer:   footerText(meta),
	}
	x := d.x
	w0 := d.window(opts)
	series := fanSeries(scen, cf, f)
	lo, hi := yRange(series, w0, len(x), false)
	marks := offScale(d.months, series, w0, len(x), lo, hi, dollarsPerTonne)
	var notes []LegendItem
	if leavesFan(scen, f, w0) {
		notes = append(notes, offBandNote("Scenario leaves its 90% band", meta))
	}
	ch.Build = func(st *Style) (*Figure, error) {
		span, legend := d.reportSpan(w0)
		p, err := timePlot(st, x[w0], last(x), "Price, US$ per tonne KCl", NumberTicks{Prefix: "$"}, meta.Markers, span)
		if err != nil {
			return nil, err
		}
		if err := addFan(p, x, f); err != nil {
			return nil, err
		}
		if err := addLine(p, x, cf, colCf, st.line, dashed(st)); err != nil {
			return nil, err
		}
		if err := addLine(p, x, scen, colScen, st.thick, nil); err != nil {
			return nil, err
		}
		p.X.Min, p.X.Max = x[w0], last(x) // the lines widened it
		p.Y.Min, p.Y.Max = lo, hi
		p.Add(offScaleMarks{marks, st})
		p.Add(newCoincideNote(x, scen, cf, st, func(v float64) string { return gapNumber(v) + " $/t" }))
		return &Figure{Panels: [][]*Panel{{{Plot: p, Markers: meta.Markers, LabelMarkers: true}}},
			Legend: append(append(scenarioLegend(f != nil), legend...), notes...)}, nil
	}
	return ch, nil
}

// fanSeries are the series of a scenario-against-counterfactual chart
// with its bands, for its y range.
func fanSeries(scen, cf []float64, f *fan) []rangeSeries {
	s := []rangeSeries{{name: "Scenario", v: scen}, {name: "Counterfactual", v: cf}}
	if f != nil {
		s = append(s,
			rangeSeries{name: "50% band", v: f.p25, band: true}, rangeSeries{name: "50% band", v: f.p75, band: true},
			rangeSeries{name: "90% band", v: f.p5, outer: true}, rangeSeries{name: "90% band", v: f.p95, outer: true})
	}
	return s
}

// benchmarkChart is the chart that names a run's events when another
// has no room for them (Figure.EventsNamedOn): at every size it names
// them by their lines or keyed in its legend.
const benchmarkChart = "the benchmark price chart"

func dollarsPerTonne(v float64) string { return dollar(formatNumber(v, 0)) + "/t" }

// window is the index of the first month time charts show: the report
// window's first with opts.Window == WindowReport, else the run's first.
func (d *runData) window(opts Options) int {
	if opts.Window == WindowReport {
		return d.from
	}
	return 0
}

// reportSpan is the shaded report window of time charts (for timePlot's
// under) when it starts after the first month shown (w0), and its legend
// entry; nil and none otherwise.
func (d *runData) reportSpan(w0 int) (plot.Plotter, []LegendItem) {
	if d.from <= w0 {
		return nil, nil
	}
	sp, err := NewSpan(d.x[d.from], last(d.x), colWindow)
	if err != nil {
		return nil, nil // months are finite and ordered (newRunData)
	}
	return sp, []LegendItem{{Label: "Report window", Color: colWindow, Kind: LegendFill}}
}

// RegionPriceChart shows the average price buyers pay per tonne in each
// region (CFR plus duties: the variable price_paid), one
// small panel per region, scenario against counterfactual, with Monte Carlo
// bands of price_paid when mc is not nil.
func RegionPriceChart(run *model.Run, mc *model.MCResult, meta Meta) (*Chart, error) {
	return regionPriceChart(run, mc, meta, Options{})
}

func regionPriceChart(run *model.Run, mc *model.MCResult, meta Meta, opts Options) (*Chart, error) {
	d, m, err := newRunMC(run, mc)
	if err != nil {
		return nil, err
	}
	ch := &Chart{
		Name:     "price_regions",
		Caption:  "Price paid by market",
		Title:    "Potash price paid by market, scenario vs counterfactual (US$/t, CFR plus duties)",
		Subtitle: subtitleText(meta, mcNote(m)),
		Footer:   footerText(meta),
	}
	return regionPanels(d, m, ch, meta, opts, d.pricePaid, "price_paid", "US$/t", "$", dollarsPerTonne, "$/t")
}

// StocksChart is each market's stocks held by importers and distributors
// over time, in months of base-year use (12·S/Q0), scenario vs
// counterfactual at central values, one panel per market (docs/MODEL.md,
// section 10).
func StocksChart(run *model.Run, meta Meta) (*Chart, error) {
	return stocksChart(run, meta, Options{})
}

func stocksChart(run *model.Run, meta Meta, opts Options) (*Chart, error) {
	d, err := newRunData(run)
	if err != nil {
		return nil, err
	}
	ch := &Chart{
		Name:     "stocks",
		Caption:  "Stocks by market",
		Title:    "Potash stocks of importers and distributors by market, scenario vs counterfactual (months of 2020 use)",
		Subtitle: subtitleText(meta, "central values"),
		Footer:   footerText(meta),
	}
	get := func(r int) ([]float64, []float64, error) {
		s, c, err := d.stocks(r)
		if err != nil {
			return nil, nil, err
		}
		k := 12 / d.cal.Q0[r]
		return scale(s, k), scale(c, k), nil
	}
	return regionPanels(d, nil, ch, meta, opts, get, "", "months of use", "", func(v float64) string { return formatNumber(v, 1) + " months" }, "months")
}

// regionPanels fills ch with one panel per region of get's scenario and
// counterfactual series on one y scale, with the Monte Carlo fan of
// variable fanVar when m is not nil.
func regionPanels(d *runData, m *mcData, ch *Chart, meta Meta, opts Options, get func(r int) ([]float64, []float64, error),
	fanVar string, ylabel, prefix string, format func(float64) string, gapUnit string) (*Chart, error) {
	n := len(d.reg)
	scen, cf := make([][]float64, n), make([][]float64, n)
	fans := make([]*fan, n)
	var err error
	for r := range d.reg {
		if scen[r], cf[r], err = get(r); err != nil {
			return nil, err
		}
		if fans[r], err = levelFan(m, fanVar, d.reg[r], 1); err != nil {
			return nil, err
		}
	}
	x := d.x
	rows, cols := gridDims(n)
	// One y scale for all markets: levels compare across panels, and only
	// the first column needs tick labels.
	w0 := d.window(opts)
	var all []rangeSeries
	marks := make([][]offMark, n)
	for r := range d.reg {
		all = append(all, fanSeries(scen[r], cf[r], fans[r])...)
	}
	ylo, yhi := yRange(all, w0, len(x), false)
	var outside []string
	for r := range d.reg {
		marks[r] = offScale(d.months, fanSeries(scen[r], cf[r], fans[r]), w0, len(x), ylo, yhi, format)
		if leavesFan(scen[r], fans[r], w0) {
			outside = append(outside, d.regLab[r])
		}
	}
	ch.Build = func(st *Style) (*Figure, error) {
		lay := &Figure{Legend: scenarioLegend(m != nil), EventsNamedOn: benchmarkChart}
		// The panels' data areas are at most the figure's height over
		// the rows: a gap under the line's width there is under it in
		// the panel drawn.
		note := coincidePanels(d.regLab, scen, cf, w0, yhi-ylo, st.thick, st.Height()/vgLength(rows), gapUnit)
		lay.Panels = make([][]*Panel, rows)
		for r := range lay.Panels {
			lay.Panels[r] = make([]*Panel, cols)
		}
		for r := range d.reg {
			ylab := ""
			if r%cols == 0 {
				ylab = ylabel
			}
			span, leg := d.reportSpan(w0)
			p, err := timePlotN(st, x[w0], last(x), ylab, NumberTicks{Prefix: prefix, N: panelTicks(rows)}, meta.Markers, panelYears(cols), span)
			if err != nil {
				return nil, err
			}
			if r == 0 {
				lay.Legend = append(lay.Legend, leg...)
			}
			if err := addFan(p, x, fans[r]); err != nil {
				return nil, err
			}
			if err := addLine(p, x, cf[r], colCf, st.line*0.8, dashed(st)); err != nil {
				return nil, err
			}
			if err := addLine(p, x, scen[r], colScen, st.line, nil); err != nil {
				return nil, err
			}
			p.X.Min, p.X.Max = x[w0], last(x)
			p.Y.Min, p.Y.Max = ylo, yhi
			p.Add(offScaleMarks{marks[r], st})
			if r%cols != 0 {
				p.Y.Tick.Marker = blankLabels{p.Y.Tick.Marker}
			}
			h := d.regLab[r]
			if r == d.cal.Bench && d.cal.Market.Benchmark == d.reg[r] {
				h += " (benchmark)"
			}
			lay.Panels[r/cols][r%cols] = &Panel{Plot: p, Heading: h, Markers: meta.Markers, LabelMarkers: r == 0}
		}
		if note != "" {
			lay.Legend = append(lay.Legend, LegendItem{Kind: LegendNote, Label: note})
		}
		if len(outside) > 0 {
			what := "Scenario leaves its 90% band in " + strings.Join(outside, ", ")
			if len(outside) == len(d.reg) {
				what = "Scenario leaves its 90% band in every market"
			}
			lay.Legend = append(lay.Legend, offBandNote(what, meta))
		}
		return lay, nil
	}
	return ch, nil
}

// supplierLines is a chart of one variable per supplier over time: the
// scenario solid, the counterfactual dashed in the same colour.
func supplierLines(d *runData, name, title, caption, ylabel string, yt NumberTicks, k float64, get func(i int) ([]float64, []float64, error), format func(float64) string, meta Meta, opts Options, withZero bool, main bool) (*Chart, error) {
	n := len(d.sup)
	scen, cf := make([][]float64, n), make([][]float64, n)
	for i := range d.sup {
		s, c, err := get(i)
		if err != nil {
			return nil, err
		}
		scen[i], cf[i] = scale(s, k), scale(c, k)
	}
	cols := supplierPalette(d.sup)
	// Legend in the order of the scenario's last value, largest first, so
	// that it reads like the lines' right ends.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return last(scen[order[a]]) > last(scen[order[b]]) })
	x := d.x
	w0 := d.window(opts)
	var series []rangeSeries
	for i := range d.sup {
		series = append(series, rangeSeries{name: d.supLab[i], v: scen[i]}, rangeSeries{name: d.supLab[i] + " (counterfactual)", v: cf[i]})
	}
	lo, hi := yRange(series, w0, len(x), withZero)
	marks := offScale(d.months, series, w0, len(x), lo, hi, format)
	ch := &Chart{Name: name, Title: title, Subtitle: subtitleText(meta, "solid: scenario, dashed: counterfactual"), Footer: footerText(meta), Caption: caption, Main: main}
	ch.Build = func(st *Style) (*Figure, error) {
		span, window := d.reportSpan(w0)
		p, err := timePlot(st, x[w0], last(x), ylabel, yt, meta.Markers, span)
		if err != nil {
			return nil, err
		}
		for _, i := range order {
			if err := addLine(p, x, cf[i], cols[i], st.line*0.8, dashed(st)); err != nil {
				return nil, err
			}
		}
		for _, i := range order {
			if err := addLine(p, x, scen[i], cols[i], st.line, nil); err != nil {
				return nil, err
			}
		}
		p.X.Min, p.X.Max = x[w0], last(x)
		p.Y.Min, p.Y.Max = lo, hi
		p.Add(offScaleMarks{marks, st})
		var leg []LegendItem
		for _, i := range order {
			leg = append(leg, LegendItem{Label: d.supLab[i], Color: cols[i], Kind: LegendFill})
		}
		leg = append(leg, LegendItem{Kind: LegendHeader, Label: "Line style"},
			LegendItem{Label: "Scenario", Color: colSubtle, Kind: LegendLine},
			LegendItem{Label: "Counterfactual", Color: colSubtle, Kind: LegendDash})
		leg = append(leg, window...)
		return &Figure{Panels: [][]*Panel{{{Plot: p, Markers: meta.Markers, LabelMarkers: true}}}, Legend: leg, EventsNamedOn: benchmarkChart}, nil
	}
	return ch, nil
}

// RevenueChart is each supplier's FOB export revenue over time, $ bn/yr
// (annual rate), scenario solid and counterfactual dashed.
func RevenueChart(run *model.Run, meta Meta) (*Chart, error) {
	return revenueChart(run, meta, Options{})
}

func revenueChart(run *model.Run, meta Meta, opts Options) (*Chart, error) {
	d, err := newRunData(run)
	if err != nil {
		return nil, err
	}
	return supplierLines(d, "revenue", "Potash export revenue by supplier (FOB)", "Export revenue by supplier", "US$ bn per year (annual rate)", NumberTicks{Prefix: "$"}, 1.0/1000, d.exportRevenue,
		func(v float64) string { return dollar(formatNumber(v, 1)) + " bn/yr" }, meta, opts, true, false)
}

// VolumeChart is each supplier's export volume over time, Mt/yr.
func VolumeChart(run *model.Run, meta Meta) (*Chart, error) { return volumeChart(run, meta, Options{}) }

func volumeChart(run *model.Run, meta Meta, opts Options) (*Chart, error) {
	d, err := newRunData(run)
	if err != nil {
		return nil, err
	}
	return supplierLines(d, "volumes", "Potash export volumes by supplier", "Export volumes by supplier", "Million tonnes KCl per year", NumberTicks{}, 1, d.exports,
		func(v float64) string { return formatNumber(v, 1) + " Mt/yr" }, meta, opts, true, true)
}

// RevenueChangeChart is a bar per supplier of the cumulative change in FOB
// mine netback revenue (FOB revenue less logistics: what the mines earn)
// over the report window (scenario − counterfactual, Σ/12), labelled
// "Belarus  +$1.23 bn", largest gain on top. The bar labels and the axis
// share one unit, $ bn or $ M, chosen from the largest magnitude shown
// (moneyScaleFor). With mc, each
// bar has an error bar from the 5th to the 95th percentile of the draws'
// metric "netback_revenue_change.<supplier>" (an error if mc lacks it).
func RevenueChangeChart(run *model.Run, mc *model.MCResult, meta Meta) (*Chart, error) {
	d, m, err := newRunMC(run, mc)
	if err != nil {
		return nil, err
	}
	n := len(d.sup)
	change := make([]float64, n)
	errLo, errHi := make([]float64, n), make([]float64, n)
	for i := range d.sup {
		s, c, err := d.netbackRevenue(i)
		if err != nil {
			return nil, err
		}
		change[i] = d.cumulative(s, c)
		if m != nil {
			name := "netback_revenue_change." + d.sup[i]
			td := m.total(name)
			if td == nil {
				return nil, errorf("Monte Carlo result has no total %q for the error bars", name)
			}
			if err := checkFinite("Monte Carlo total "+name, []float64{td.Band.P5, td.Band.P95}); err != nil {
				return nil, err
			}
			errLo[i], errHi[i] = td.Band.P5, td.Band.P95
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	// Largest gain at the top: the y axis grows upwards, so sort ascending.
	sort.SliceStable(order, func(a, b int) bool { return change[order[a]] < change[order[b]] })
	// One unit for the bar labels and the axis, from the largest
	// magnitude shown (bars and error bars).
	biggest := 0.0
	for i := range change {
		biggest = math.Max(biggest, math.Max(math.Abs(change[i]), math.Max(math.Abs(errLo[i]), math.Abs(errHi[i]))))
	}
	scale := moneyScaleFor(biggest)
	labels := make([]string, n)
	for row, i := range order {
		labels[row] = d.supLab[i] + "  " + scale.Label(change[i])
	}
	cols := supplierPalette(d.sup)
	// The suppliers whose central change lies outside its error bar,
	// largest gain first, as the bars read.
	var outside []string
	if m != nil {
		for row := n - 1; row >= 0; row-- {
			if i := order[row]; outsideBand(change[i], errLo[i], errHi[i]) {
				outside = append(outside, d.supLab[i])
			}
		}
	}
	var legend []LegendItem
	if len(outside) > 0 {
		legend = append(legend, offBandNote(strings.Join(outside, ", ")+": central value outside its error bar", meta))
	}
	note := "cumulative over " + d.windowText()
	if m != nil {
		note += "  ·  error bars: 5th–95th percentile of " + formatNumber(float64(m.mc.Converged), 0) + " draws"
	}
	ch := &Chart{
		Name:     "revenue_change",
		Caption:  "Netback revenue change by supplier",
		Main:     true,
		Title:    "Change in potash netback revenue (mine gate) by supplier, scenario − counterfactual",
		Subtitle: subtitleText(meta, note),
		Footer:   footerText(meta),
	}
	ch.Build = func(st *Style) (*Figure, error) {
		p := newPlot(st)
		addGrid(p, st, false, true)
		var xs []float64
		lo, hi := make([]float64, n), make([]float64, n)
		for row, i := range order {
			b, err := newRowBars([]float64{change[i] / scale.Div}, float64(row), 0.7, cols[i])
			if err != nil {
				return nil, err
			}
			p.Add(b)
			xs = append(xs, change[i]/scale.Div)
			lo[row], hi[row] = errLo[i]/scale.Div, errHi[i]/scale.Div
		}
		if m != nil {
			eb, err := rangeBars(lo, hi, draw.LineStyle{Color: colText, Width: st.thin * 1.5}, st.pad*0.9)
			if err != nil {
				return nil, err
			}
			p.Add(eb)
			xs = append(xs, lo...)
			xs = append(xs, hi...)
		}
		zero, err := NewEventLines([]float64{0}, draw.LineStyle{Color: colAxis, Width: st.thin * 1.5})
		if err != nil {
			return nil, err
		}
		p.Add(zero)
		p.X.Tick.Marker = NumberTicks{Prefix: "$"}
		p.X.Label.Text = "Cumulative change in netback revenue (FOB less logistics), " + scale.AxisUnit()
		p.X.Min, p.X.Max = padRange(math.Min(0, minOf(xs)), math.Max(0, maxOf(xs)), 0.05, true)
		p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
		p.Y.Tick.Marker = nominalTicks(labels)
		p.Y.Tick.Label.Font.Size = st.legend
		hideAxisLine(&p.Y)
		return &Figure{Panels: [][]*Panel{{{Plot: p}}}, Legend: legend}, nil
	}
	return ch, nil
}

func minOf(xs []float64) float64 { lo, _ := dataRange(xs); return lo }
func maxOf(xs []float64) float64 { _, hi := dataRange(xs); return hi }

// ShareChart shows each supplier's share of world exports (exports / Σ
// exports, %) as stacked areas, the scenario and the counterfactual side by
// side. Suppliers are stacked by their first-month share, largest at the
// bottom; suppliers that never export are left out.
func ShareChart(run *model.Run, meta Meta) (*Chart, error) { return shareChart(run, meta, Options{}) }

func shareChart(run *model.Run, meta Meta, opts Options) (*Chart, error) {
	d, err := newRunData(run)
	if err != nil {
		return nil, err
	}
	n, T := len(d.sup), len(d.months)
	ex, cx := make([][]float64, n), make([][]float64, n)
	for i := range d.sup {
		if ex[i], cx[i], err = d.exports(i); err != nil {
			return nil, err
		}
		for t := range ex[i] {
			if ex[i][t] < 0 || cx[i][t] < 0 {
				return nil, errorf("exports of %s: negative in %v", d.sup[i], d.months[t])
			}
		}
	}
	shares := func(x [][]float64) [][]float64 {
		out := make([][]float64, n)
		for i := range out {
			out[i] = make([]float64, T)
		}
		for t := 0; t < T; t++ {
			tot := 0.0
			for i := range x {
				tot += x[i][t]
			}
			if tot > 0 {
				for i := range x {
					out[i][t] = 100 * x[i][t] / tot
				}
			}
		}
		return out
	}
	ss, cs := shares(ex), shares(cx)
	var keep []int
	for i := range d.sup {
		if maxOf(ss[i]) > 0 || maxOf(cs[i]) > 0 {
			keep = append(keep, i)
		}
	}
	sort.SliceStable(keep, func(a, b int) bool { return cs[keep[a]][0] > cs[keep[b]][0] })
	cols := supplierPalette(d.sup)
	x := d.x
	ch := &Chart{
		Name:     "shares",
		Caption:  "World market shares",
		Main:     true,
		Title:    "Shares of world potash exports by supplier",
		Subtitle: subtitleText(meta, "% of world export volume"),
		Footer:   footerText(meta),
	}
	ch.Build = func(st *Style) (*Figure, error) {
		lay := &Figure{Panels: [][]*Panel{make([]*Panel, 2)}, EventsNamedOn: benchmarkChart}
		for k, sh := range [][][]float64{ss, cs} {
			layers := make([][]float64, len(keep))
			colors := make([]color.Color, len(keep))
			for j, i := range keep {
				layers[j], colors[j] = sh[i], cols[i]
			}
			ylab := ""
			if k == 0 {
				ylab = "Share of world exports, %"
			}
			p, err := timePlotN(st, x[d.window(opts)], last(x), ylab, NumberTicks{}, nil, panelYears(2))
			if err != nil {
				return nil, err
			}
			if len(keep) > 0 {
				sa, err := stackedAreas(x, layers, colors)
				if err != nil {
					return nil, err
				}
				p.Add(sa...)
			}
			ev, err := NewEventLines(markerXs(meta.Markers), draw.LineStyle{Color: color.White, Width: st.thin * 1.5, Dashes: dashed(st)})
			if err != nil {
				return nil, err
			}
			p.Add(ev)
			p.X.Min, p.X.Max = x[d.window(opts)], last(x)
			p.Y.Min, p.Y.Max = 0, 100
			h := "Scenario"
			if k == 1 {
				h = "Counterfactual"
			}
			if k == 0 && meta.Scenario != "" {
				h += ": " + meta.Scenario
			}
			if k == 1 && meta.Counterfactual != "" {
				h += ": " + meta.Counterfactual
			}
			lay.Panels[0][k] = &Panel{Plot: p, Heading: h, Markers: meta.Markers, LabelMarkers: k == 0}
		}
		// Legend top to bottom as the stack reads.
		for j := len(keep) - 1; j >= 0; j-- {
			i := keep[j]
			lay.Legend = append(lay.Legend, LegendItem{Label: d.supLab[i], Color: cols[i], Kind: LegendFill})
		}
		return lay, nil
	}
	return ch, nil
}

func markerXs(ms []Marker) []float64 {
	xs := make([]float64, len(ms))
	for k, m := range ms {
		xs[k] = monthX(m.Month)
	}
	return xs
}

// FlowChangeChart is a heat map of the change in bilateral flows, scenario
// − counterfactual in Mt/yr, suppliers (rows) × markets (columns) in
// month (0: the run's last month), on a diverging blue–white–red scale
// centred on zero with the value printed in each cell. Routes that carry
// nothing in either path are grey and blank.
func FlowChangeChart(run *model.Run, month model.Month, meta Meta) (*Chart, error) {
	d, err := newRunData(run)
	if err != nil {
		return nil, err
	}
	t := len(d.months) - 1
	if month != 0 {
		t = int(month - d.months[0])
		if t < 0 || t >= len(d.months) {
			return nil, errorf("trade-flow month %v outside the run (%v to %v)", month, d.months[0], last64(d.months))
		}
	}
	n, R := len(d.sup), len(d.reg)
	vals := make([][]float64, n)
	text := make([][]string, n)
	miss := make([][]bool, n)
	lim := 0.0
	for i := range d.sup {
		row := n - 1 - i // first supplier on top
		vals[row], text[row], miss[row] = make([]float64, R), make([]string, R), make([]bool, R)
		for r := range d.reg {
			s, c, err := d.flow(i, r)
			if err != nil {
				return nil, err
			}
			v := s[t] - c[t]
			vals[row][r] = v
			lim = math.Max(lim, math.Abs(v))
			if s[t] == 0 && c[t] == 0 {
				miss[row][r] = true
				continue
			}
			text[row][r] = signed(v, 2)
		}
	}
	ylabels := make([]string, n)
	for i := range d.sup {
		ylabels[n-1-i] = d.supLab[i]
	}
	mo := d.months[t]
	ch := &Chart{
		Name:     "flows",
		Caption:  "Trade-flow change (heat map)",
		Main:     true,
		Title:    "Change in potash trade flows, " + monthLabel(mo) + " (scenario − counterfactual, Mt/yr)",
		Subtitle: subtitleText(meta, "red: more, blue: less; grey: no trade on the route"),
		Footer:   footerText(meta),
	}
	colf := divergingMap(lim)
	ch.Build = func(st *Style) (*Figure, error) {
		p, err := heatPanel(st, vals, text, miss, colf)
		if err != nil {
			return nil, err
		}
		p.X.Tick.Marker = nominalTicks(wrapLabels(d.regLab, st, (st.width*0.7)/vgLen(R)))
		p.Y.Tick.Marker = nominalTicks(ylabels)
		p.X.Tick.Label.Font.Size = st.legend
		p.Y.Tick.Label.Font.Size = st.legend
		hideAxisLine(&p.X)
		hideAxisLine(&p.Y)
		p.X.Label.Text = "Importing market"
		p.Y.Label.Text = "Supplier"
		return &Figure{Panels: [][]*Panel{{{Plot: p}}},
			// Signed ticks, as the cells are: "+0.50" beside "−0.50".
			ColorBar: &ColorBar{Label: "Change in flow, Mt/yr", Map: colf, Ticks: NumberTicks{Signed: true}}}, nil
	}
	return ch, nil
}

func last64(ms []model.Month) model.Month { return ms[len(ms)-1] }

// wrapLabels breaks multi-word labels wider than w, the width of a
// column, onto two lines (a name that fits its column stays whole:
// "Southeast Asia" on a slide).
func wrapLabels(labels []string, st *Style, w vgLength) []string {
	sty := st.text(st.legend, false, colText)
	out := make([]string, len(labels))
	for k, l := range labels {
		out[k] = l
		if sty.Width(l) > w*0.97 {
			if i := strings.LastIndex(l, " "); i > 0 {
				out[k] = l[:i] + "\n" + l[i+1:]
			}
		}
	}
	return out
}

// CorridorChart shows supplier's exports through each of its corridors
// over time (filled, scenario; dotted, counterfactual) against the
// corridor's capacity in force (dashed), one panel per corridor on a
// common scale, Mt/yr.
func CorridorChart(run *model.Run, supplier string, meta Meta) (*Chart, error) {
	return corridorChart(run, supplier, meta, Options{})
}

func corridorChart(run *model.Run, supplier string, meta Meta, opts Options) (*Chart, error) {
	d, err := newRunData(run)
	if err != nil {
		return nil, err
	}
	i := d.cal.Market.SupplierIndex(supplier)
	if i < 0 {
		return nil, errorf("corridor chart: no supplier %q", supplier)
	}
	cors := d.cal.Market.Suppliers[i].Corridors
	if len(cors) == 0 {
		return nil, errorf("corridor chart: supplier %q has no corridors", supplier)
	}
	K := len(cors)
	flow, cflow, capy := make([][]float64, K), make([][]float64, K), make([][]float64, K)
	for k := range cors {
		if flow[k], cflow[k], err = d.corridorFlow(i, k); err != nil {
			return nil, err
		}
		if capy[k], _, err = d.corridorCapacity(i, k); err != nil {
			return nil, err
		}
	}
	col := supplierPalette(d.sup)[i]
	x := d.x
	ch := &Chart{
		Name:     "corridors_" + fileName(supplier),
		Caption:  "Exports by corridor: " + d.supLab[i],
		Title:    d.supLab[i] + "'s potash exports by corridor against capacity (Mt/yr)",
		Subtitle: subtitleText(meta),
		Footer:   footerText(meta),
	}
	rows, cols := gridDims(K)
	w0 := d.window(opts)
	mt := func(v float64) string { return formatNumber(v, 1) + " Mt/yr" }
	cseries := func(k int) []rangeSeries {
		return []rangeSeries{{name: "Exports", v: flow[k]}, {name: "Exports (counterfactual)", v: cflow[k]}, {name: "Capacity", v: capy[k]}}
	}
	var all []rangeSeries
	for k := range cors {
		all = append(all, cseries(k)...)
	}
	ylo, yhi := yRange(all, w0, len(x), true)
	ch.Build = func(st *Style) (*Figure, error) {
		lay := &Figure{EventsNamedOn: benchmarkChart}
		lay.Panels = make([][]*Panel, rows)
		for r := range lay.Panels {
			lay.Panels[r] = make([]*Panel, cols)
		}
		var window []LegendItem
		for k, c := range cors {
			ylab := ""
			if k%cols == 0 {
				ylab = "Mt KCl per year"
			}
			span, leg := d.reportSpan(w0)
			p, err := timePlotN(st, x[w0], last(x), ylab, NumberTicks{N: panelTicks(rows)}, meta.Markers, panelYears(cols), span)
			if err != nil {
				return nil, err
			}
			if k == 0 {
				window = leg
			}
			zeros := make([]float64, len(x))
			area, err := band(x, zeros, flow[k], lighten(col, 0.55))
			if err != nil {
				return nil, err
			}
			p.Add(area)
			if err := addLine(p, x, flow[k], col, st.line, nil); err != nil {
				return nil, err
			}
			if err := addLine(p, x, cflow[k], colCf, st.line*0.8, dotted(st)); err != nil {
				return nil, err
			}
			if err := addLine(p, x, capy[k], colText, st.line, dashed(st)); err != nil {
				return nil, err
			}
			p.X.Min, p.X.Max = x[w0], last(x)
			p.Y.Min, p.Y.Max = ylo, yhi
			p.Add(offScaleMarks{offScale(d.months, cseries(k), w0, len(x), ylo, yhi, mt), st})
			if k%cols != 0 {
				p.Y.Tick.Marker = blankLabels{p.Y.Tick.Marker}
			}
			lay.Panels[k/cols][k%cols] = &Panel{Plot: p, Heading: label(c.Label, c.Name), Markers: meta.Markers, LabelMarkers: k == 0}
		}
		lay.Legend = append([]LegendItem{
			{Label: "Exports (scenario)", Color: col, Kind: LegendLine},
			{Label: "Exports (counterfactual)", Color: colCf, Kind: LegendDot},
			{Label: "Capacity in force", Color: colText, Kind: LegendDash},
		}, window...)
		return lay, nil
	}
	return ch, nil
}

// fileName makes s safe as part of a file name: letters, digits, '-' and
// '_' kept, everything else '_'.
func fileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// panelYears is the most year labels a panel in a grid of cols columns
// can hold.
func panelYears(cols int) int {
	switch {
	case cols <= 1:
		return 0
	case cols == 2:
		return 8
	}
	return 4
}

// panelTicks is the number of y intervals to aim at in a grid of rows.
func panelTicks(rows int) int {
	if rows <= 1 {
		return 5
	}
	return 3
}

// blankLabels keeps t's ticks but prints no labels (panels sharing the y
// scale of the first column).
type blankLabels struct{ t plot.Ticker }

func (b blankLabels) Ticks(min, max float64) []plot.Tick {
	ts := b.t.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = " "
		}
	}
	return ts
}
