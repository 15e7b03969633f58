package plots

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/potash-sim/potash/model"
)

// unitScale returns the factor and axis unit for showing values in unit:
// money in $M is shown in $ bn, and every money unit is spelled as the
// other charts' axes spell it ("US$ bn", "US$/t").
func unitScale(unit string) (float64, string) {
	switch unit {
	case "$M":
		return 1.0 / 1000, "US$ bn"
	case "$M/yr":
		return 1.0 / 1000, "US$ bn/yr"
	case "$/t":
		return 1, "US$/t"
	}
	return 1, unit
}

// isMoney reports whether an axis in unit (unitScale's) shows money.
func isMoney(unit string) bool { return strings.HasPrefix(unit, "US$") }

// unitTicks is the ticker of a value axis in unit: money ticks carry a
// dollar sign ("$1.2", "−$0.4"), as on every money axis.
func unitTicks(unit string) NumberTicks {
	if isMoney(unit) {
		return NumberTicks{Prefix: "$"}
	}
	return NumberTicks{}
}

// withUnit appends the axis unit to label: "Benchmark price change,
// US$/t"; no unit leaves the label alone.
func withUnit(label, unit string) string {
	if unit == "" {
		return label
	}
	return label + ", " + unit
}

// formatValue formats v (already scaled) for a label in unit.
func formatValue(v float64, unit string) string {
	a := math.Abs(v)
	dec := 0
	switch {
	case a == 0:
	case a < 1:
		dec = 2
	case a < 100:
		dec = 1
	}
	s := signed(v, dec)
	switch {
	case strings.HasPrefix(unit, "US$ bn"):
		return dollar(s) + " bn"
	case strings.HasPrefix(unit, "US$/t"):
		return dollar(s) + "/t"
	case unit == "":
		return s
	}
	return s + " " + unit
}

func dollar(s string) string {
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, minus) {
		r := []rune(s)
		return string(r[0]) + "$" + string(r[1:])
	}
	return "$" + s
}

// metricTitle makes a metric name readable: "revenue_change.Belarus" →
// "revenue change, Belarus".
func metricTitle(name string) string {
	if base, who, _ := strings.Cut(name, "."); metricNames[base] != "" {
		if who == "" {
			return metricNames[base]
		}
		return metricNames[base] + ", " + who
	}
	s := strings.ReplaceAll(name, "_", " ")
	s = strings.Replace(s, ".", ", ", 1)
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// metricNames name the metrics whose words alone are ambiguous: a
// supplier's "revenue" is its FOB export revenue, told apart from its
// netback (mine-gate) revenue as the headline table does.
var metricNames = map[string]string{
	"revenue":                "Export revenue (FOB)",
	"revenue_change":         "Export revenue (FOB) change",
	"netback_revenue":        "Netback revenue (mine gate)",
	"netback_revenue_change": "Netback revenue (mine gate) change",
}

// TornadoChart shows the one-at-a-time sensitivity of t.Metric: a row per
// parameter, largest effect on top, labelled with a short name of the
// parameter (ParamLabel) and its low and high values to 3 significant
// digits, bars from the base value to the metric at the parameter's low
// (blue) and high (orange) value. An end cut by a joint rule
// (model.TornadoBar's LowCut, HighCut) has a dashed red cap, one legend
// entry names the rules that cut, and its row's label gives the stated percentiles too.
// Where labels that long would crowd the bars (the web size) they leave
// off the stated ends, or the values too (tornadoLabels), and a legend
// note says so.
func TornadoChart(t *model.Tornado, meta Meta) (*Chart, error) {
	if t == nil || len(t.Bars) == 0 {
		return nil, errorf("tornado: no parameters")
	}
	if err := checkFinite("tornado base", []float64{t.Base}); err != nil {
		return nil, err
	}
	k, unit := unitScale(t.Unit)
	n := len(t.Bars)
	// The row labels, longest first: name, values and the stated ends
	// of a cut range; name and values; name alone (tornadoLabels
	// picks the first that leaves the bars room).
	labels, short, names := make([]string, n), make([]string, n), make([]string, n)
	lows, highs := make([]float64, n), make([]float64, n)
	var xs []float64
	base := t.Base * k
	// The ends cut by a joint rule: their x and row, by rule in order of
	// first appearance.
	var rules []string
	cutX, cutY := map[string][]float64{}, map[string][]float64{}
	for j, b := range t.Bars {
		if err := checkFinite("tornado bar "+b.Param, []float64{b.Low, b.High, b.AtLow, b.AtHigh}); err != nil {
			return nil, err
		}
		row := n - 1 - j // first bar on top
		names[row] = ParamLabel(b.Param, meta.EventLabels)
		labels[row] = names[row] + "  (" + sig3(b.Low) + " – " + sig3(b.High) + ")"
		short[row] = labels[row]
		lows[row], highs[row] = b.AtLow*k-base, b.AtHigh*k-base
		xs = append(xs, lows[row], highs[row])
		for _, e := range []struct {
			rule string
			x    float64
		}{{b.LowCut, lows[row]}, {b.HighCut, highs[row]}} {
			if e.rule == "" {
				continue
			}
			if _, ok := cutX[e.rule]; !ok {
				rules = append(rules, e.rule)
			}
			cutX[e.rule] = append(cutX[e.rule], e.x)
			cutY[e.rule] = append(cutY[e.rule], float64(row))
		}
		if b.LowCut != "" || b.HighCut != "" {
			if err := checkFinite("tornado bar "+b.Param, []float64{b.StatedLow, b.StatedHigh}); err != nil {
				return nil, err
			}
			// Both ends are percentiles of what the rules leave: an end
			// moves in or, when the other side's cut is larger, out
			// (report.EndNotes), so the label gives the stated ends.
			labels[row] = ParamLabel(b.Param, meta.EventLabels) + "  (" + sig3(b.Low) + " – " + sig3(b.High) + "; stated " + sig3(b.StatedLow) + " – " + sig3(b.StatedHigh) + ")"
		}
	}
	xs = append(xs, 0)
	title := metricTitle(t.Metric)
	// A change's base carries its sign, a level's (market_value, …) none.
	baseText := formatValue(base, unit)
	if !isChangeMetric(t.Metric) {
		baseText = strings.TrimPrefix(baseText, "+")
	}
	ch := &Chart{
		Name:     "tornado",
		Title:    "What moves " + strings.ToLower(title[:1]) + title[1:] + ": one parameter at a time",
		Subtitle: subtitleText(meta, "each parameter at its 5th and 95th percentile, the others at their central values; base "+baseText),
		Footer:   footerText(meta),
		Caption:  "What moves " + strings.ToLower(title[:1]) + title[1:],
		Main:     true,
	}
	ch.Build = func(st *Style) (*Figure, error) {
		p := newPlot(st)
		addGrid(p, st, false, true)
		// Bars run from the base: the bars hold the differences, the axis
		// adds the base back to its labels. A row whose two ends lie on
		// one side of the base is split, so that neither bar hides the
		// other (tornadoBars).
		bars := tornadoBars{lows: lows, highs: highs, frac: 0.65, low: colBarLow, high: colBarHigh}
		p.Add(bars)
		baseLine, err := NewEventLines([]float64{0}, draw.LineStyle{Color: colText, Width: st.thin * 1.5})
		if err != nil {
			return nil, err
		}
		p.Add(baseLine)
		legend := []LegendItem{
			{Label: "Parameter low (5th pct.)", Color: colBarLow, Kind: LegendFill},
			{Label: "Parameter high (95th pct.)", Color: colBarHigh, Kind: LegendFill},
			{Label: "Base", Color: colText, Kind: LegendLine},
		}
		for k := range lows {
			if bars.sameSide(k) {
				legend = append(legend, LegendItem{Kind: LegendNote, Label: sameSideNote})
				break
			}
		}
		for _, r := range rules {
			p.Add(endCaps{xs: cutX[r], ys: cutY[r], frac: 1, sty: draw.LineStyle{Color: colBarCut, Width: st.line * 1.5, Dashes: []vg.Length{st.swatch / 4, st.swatch / 8}}})
		}
		// One entry for every rule: their caps look alike, and two
		// entries with the same swatch would say they differ (which
		// rule cut which end: the table's notes, sensitivity.csv).
		if len(rules) > 0 {
			legend = append(legend, LegendItem{Label: "Side cut by the " + joinOr(rules) + " rule", Color: colBarCut, Kind: LegendDash})
		}
		p.X.Tick.Marker = offsetTicks{unitTicks(unit), base}
		p.X.Label.Text = withUnit(title, unit)
		p.X.Min, p.X.Max = padRange(minOf(xs), maxOf(xs), 0.06, false)
		p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
		p.Y.Tick.Label.Font.Size = st.legend
		rowLabels, note := tornadoLabels(p.Y.Tick.Label, st.width, labels, short, names)
		p.Y.Tick.Marker = nominalTicks(rowLabels)
		if note != "" {
			legend = append(legend, LegendItem{Kind: LegendNote, Label: note})
		}
		hideAxisLine(&p.Y)
		return &Figure{Panels: [][]*Panel{{{Plot: p}}}, Legend: legend, LegendBelow: true}, nil
	}
	return ch, nil
}

// joinOr joins words as a list in prose: "a", "a or b", "a, b or c".
func joinOr(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// tornadoLabels picks the tornado's row labels at a size whose chart is
// width wide: the full labels (name, values, and the stated ends of a
// cut range) when the widest, in sty, takes at most 55% of the
// width, else the labels without the stated ends, else the names alone,
// so that the bars keep room (at the web size the built-ins' full
// labels, at 11 pt, took four fifths of it and left the bars a sliver);
// with a legend note saying what was left off.
func tornadoLabels(sty draw.TextStyle, width vg.Length, full, short, names []string) ([]string, string) {
	fits := func(ls []string) bool {
		for _, l := range ls {
			if sty.Width(l) > width*0.55 {
				return false
			}
		}
		return true
	}
	switch {
	case fits(full):
		return full, ""
	case fits(short):
		return short, "Labels leave off the stated ends of cut ranges at this size"
	}
	return names, "Labels leave off the 5th and 95th percentiles at this size"
}

// sameSideNote is the tornado's legend note when both ends of some
// parameter move the metric the same way (tornadoBars splits its row).
const sameSideNote = "Both ends on one side of the base: low above, high below"

// offsetTicks labels an axis whose data are differences from base with the
// values themselves: t's ticks of [min+base, max+base], moved back by base.
type offsetTicks struct {
	t    plot.Ticker
	base float64
}

// Ticks implements plot.Ticker.
func (o offsetTicks) Ticks(min, max float64) []plot.Tick {
	ts := o.t.Ticks(min+o.base, max+o.base)
	for i := range ts {
		ts[i].Value -= o.base
	}
	return ts
}

// SweepCharts returns one chart per metric of res: a line of the metric
// against the parameter for a 1-D sweep, a heat map with a colour bar for a
// 2-D sweep. Points whose paths did not all converge are marked (crosses on
// the line, grey cells) and may hold NaN; any other NaN or Inf is an error.
// Every chart carries meta.Warnings, one legend note each.
func SweepCharts(res *model.SweepResult, meta Meta) ([]*Chart, error) {
	if res == nil || len(res.Axes) == 0 || len(res.Metrics) == 0 {
		return nil, errorf("sweep: no axes or no metrics")
	}
	if len(res.Axes) > 2 {
		return nil, errorf("sweep: %d axes; charts show 1 or 2", len(res.Axes))
	}
	npts := 1
	for _, a := range res.Axes {
		if err := checkFinite("sweep axis "+a.Param.Name, a.Values); err != nil {
			return nil, err
		}
		npts *= len(a.Values)
	}
	if len(res.Values) != npts {
		return nil, errorf("sweep: %d points of values for a grid of %d", len(res.Values), npts)
	}
	ok := func(j int) bool { return j >= len(res.Status) || res.Status[j] == model.Converged }
	for j, row := range res.Values {
		if len(row) != len(res.Metrics) {
			return nil, errorf("sweep point %d: %d values for %d metrics", j, len(row), len(res.Metrics))
		}
		if ok(j) {
			if err := checkFinite("sweep point", row); err != nil {
				return nil, errorf("sweep point %d: %v", j, err)
			}
		}
	}
	var out []*Chart
	for mi, name := range res.Metrics {
		unit := ""
		if mi < len(res.Units) {
			unit = res.Units[mi]
		}
		var ch *Chart
		var err error
		if len(res.Axes) == 1 {
			ch, err = sweep1(res, mi, name, unit, ok, meta)
		} else {
			ch, err = sweep2(res, mi, name, unit, ok, meta)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// isMonthParam reports whether the axis holds months (model.Month values).
func isMonthParam(a model.SweepAxis) bool {
	if a.Param.Unit != "month" {
		return false
	}
	for _, v := range a.Values {
		if v != math.Trunc(v) || v < 1900*12 || v >= 2201*12 {
			return false
		}
	}
	return true
}

// paramLabel formats a swept parameter's value: "2025-12" for a month,
// "2025.5" for a year, else a compact number.
func paramLabel(v float64, a model.SweepAxis) string {
	switch {
	case isMonthParam(a):
		return monthLabel(model.Month(v))
	case a.Param.Unit == "year":
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return sig3(v)
}

// axisLabel is a swept parameter's axis label: its short name
// (ParamLabel) and its unit unless the name says it: "Demand elasticity,
// Brazil", "FOB price, Canada ($/t)", "US sanctions: end month".
func axisLabel(p model.Param, events map[string]string) string {
	l := ParamLabel(p.Name, events)
	if p.Unit == "" || p.Unit == "month" || strings.HasSuffix(l, p.Unit) {
		return l
	}
	return l + " (" + p.Unit + ")"
}

func sweep1(res *model.SweepResult, mi int, name, unit string, ok func(int) bool, meta Meta) (*Chart, error) {
	k, u := unitScale(unit)
	ax := res.Axes[0]
	month := isMonthParam(ax)
	var gx, gy, bx, by []float64
	for j, v := range ax.Values {
		if month {
			v /= 12 // monthX
		}
		y := res.Values[j][mi] * k
		if ok(j) {
			gx, gy = append(gx, v), append(gy, y)
		} else if !math.IsNaN(y) && !math.IsInf(y, 0) {
			bx, by = append(bx, v), append(by, y)
		}
	}
	if len(gx) == 0 {
		return nil, errorf("sweep of %s: no converged point", name)
	}
	note := ""
	if len(bx) > 0 || len(gx) < len(ax.Values) {
		note = "×: no equilibrium found at that point"
	}
	label := sweepMetricLabel(name, meta)
	ch := &Chart{
		Name:     "sweep_" + fileName(name),
		Title:    label + ", by " + byParam(ax.Param.Name, meta.EventLabels),
		Caption:  label + ", by " + byParam(ax.Param.Name, meta.EventLabels),
		Main:     true,
		Subtitle: subtitleText(meta, sweepWindowNote(meta), note),
		Footer:   footerText(meta),
	}
	ch.Build = func(st *Style) (*Figure, error) {
		p := newPlot(st)
		addGrid(p, st, true, true)
		if err := addLine(p, gx, gy, seriesColor(0), st.line, nil); err != nil {
			return nil, err
		}
		sc, err := plotter.NewScatter(xyOf(gx, gy))
		if err != nil {
			return nil, errorf("sweep: %v", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: seriesColor(0), Radius: st.line * 1.6, Shape: draw.CircleGlyph{}}
		p.Add(sc)
		if len(bx) > 0 {
			bad, err := plotter.NewScatter(xyOf(bx, by))
			if err != nil {
				return nil, errorf("sweep: %v", err)
			}
			bad.GlyphStyle = draw.GlyphStyle{Color: rgb(0xB2182B), Radius: st.line * 3.5, Shape: draw.CrossGlyph{}}
			p.Add(bad)
		}
		p.X.Tick.Marker = NumberTicks{Plain: ax.Param.Unit == "year"}
		if month {
			p.X.Tick.Marker = CalendarTicks{}
		}
		p.Y.Tick.Marker = unitTicks(u)
		p.X.Label.Text = axisLabel(ax.Param, meta.EventLabels)
		p.Y.Label.Text = withUnit(label, u)
		lo, hi := dataRange(gx, bx)
		p.X.Min, p.X.Max = padRange(lo, hi, 0.03, false)
		// A change against the counterfactual is read against no change:
		// its axis includes 0, so that a flat response (+$52M ± 0.5M
		// across the grid) is not drawn as a zigzag across the chart.
		// A level (benchmark_price, revenue.X) keeps its own range.
		setY(p, isChangeMetric(name), gy, by)
		return &Figure{Panels: [][]*Panel{{{Plot: p}}}, Legend: sweepLegend(meta)}, nil
	}
	return ch, nil
}

// isChangeMetric reports whether metric name (model.MetricList) is a
// change against the counterfactual (benchmark_price_change,
// revenue_change.Belarus, …) rather than a level.
func isChangeMetric(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	return strings.HasSuffix(base, "_change") || strings.HasSuffix(base, "_change_pct")
}

func xyOf(x, y []float64) plotter.XYs {
	xy := make(plotter.XYs, len(x))
	for i := range x {
		xy[i].X, xy[i].Y = x[i], y[i]
	}
	return xy
}

func sweep2(res *model.SweepResult, mi int, name, unit string, ok func(int) bool, meta Meta) (*Chart, error) {
	k, u := unitScale(unit)
	ay, ax := res.Axes[0], res.Axes[1] // last axis varies fastest: columns
	ny, nx := len(ay.Values), len(ax.Values)
	vals := make([][]float64, ny)
	text := make([][]string, ny)
	miss := make([][]bool, ny)
	lo, hi := math.Inf(1), math.Inf(-1)
	anyBad := false
	for r := 0; r < ny; r++ {
		vals[r], text[r], miss[r] = make([]float64, nx), make([]string, nx), make([]bool, nx)
		for c := 0; c < nx; c++ {
			j := r*nx + c
			v := res.Values[j][mi] * k
			if !ok(j) {
				miss[r][c] = true
				text[r][c] = "n/c"
				anyBad = true
				continue
			}
			vals[r][c] = v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		return nil, errorf("sweep of %s: no converged point", name)
	}
	col := sequentialMap(lo, hi)
	if lo < 0 && hi > 0 {
		col = divergingMap(math.Max(-lo, hi))
	}
	showText := ny*nx <= 144
	for r := range vals {
		for c := range vals[r] {
			if !miss[r][c] && showText {
				text[r][c] = cellNumber(vals[r][c], hi-lo, lo < 0 && hi > 0)
			} else if !showText && !miss[r][c] {
				text[r][c] = ""
			}
		}
	}
	note := ""
	if anyBad {
		note = "grey, n/c: no equilibrium found"
	}
	xl := make([]string, nx)
	for c, v := range ax.Values {
		xl[c] = paramLabel(v, ax)
	}
	yl := make([]string, ny)
	for r, v := range ay.Values {
		yl[r] = paramLabel(v, ay)
	}
	label := sweepMetricLabel(name, meta)
	ch := &Chart{
		Name:     "sweep_" + fileName(name),
		Title:    label + ", by " + byParam(ay.Param.Name, meta.EventLabels) + " and " + byParam(ax.Param.Name, meta.EventLabels),
		Caption:  label + " (heat map)",
		Main:     true,
		Subtitle: subtitleText(meta, sweepWindowNote(meta), note),
		Footer:   footerText(meta),
	}
	ch.Build = func(st *Style) (*Figure, error) {
		p, err := heatPanel(st, vals, text, miss, col)
		if err != nil {
			return nil, err
		}
		p.X.Tick.Marker = sparseNominal(xl, 16)
		p.Y.Tick.Marker = sparseNominal(yl, 16)
		hideAxisLine(&p.X)
		hideAxisLine(&p.Y)
		p.X.Label.Text = axisLabel(ax.Param, meta.EventLabels)
		p.Y.Label.Text = axisLabel(ay.Param, meta.EventLabels)
		// The colour bar's ticks carry a sign when the cells do
		// (cellNumber: values on both sides of zero).
		ticks := unitTicks(u)
		ticks.Signed = lo < 0 && hi > 0
		return &Figure{Panels: [][]*Panel{{{Plot: p}}}, Legend: sweepLegend(meta),
			ColorBar: &ColorBar{Label: withUnit(label, u), Map: col, Ticks: ticks}}, nil
	}
	return ch, nil
}

// sweepMetricLabel names metric name on a sweep chart: in the headline's
// words, what and how over the window (meta.MetricWords: "Belarus export
// revenue (FOB), cumulative change"), else metricTitle's.
func sweepMetricLabel(name string, meta Meta) string {
	w, ok := meta.MetricWords[name]
	if !ok || w.What == "" {
		return metricTitle(name)
	}
	if w.Measure == "" {
		return w.What
	}
	return w.What + ", " + w.Measure
}

// sweepWindowNote is a sweep chart's subtitle note on the window its
// metrics are taken over, "headline window 2025-12 to 2028-12" ("" when
// meta does not say).
func sweepWindowNote(meta Meta) string {
	if meta.HeadlineWindow == "" {
		return ""
	}
	return "headline window " + meta.HeadlineWindow
}

// sweepLegend is the legend of a sweep chart: the pipeline's warnings
// (Meta.Warnings), one note each, or none.
func sweepLegend(meta Meta) []LegendItem {
	var l []LegendItem
	for _, w := range meta.Warnings {
		l = append(l, LegendItem{Kind: LegendNote, Label: w})
	}
	return l
}

// cellNumber formats a heat-map value with decimals suited to the
// spread, with an explicit sign on a diverging map (values either side
// of zero: "+0.05" beside "−0.19", as on the flows heat map).
func cellNumber(v, spread float64, diverging bool) string {
	dec := 0
	switch {
	case spread < 0.1:
		dec = 3
	case spread < 1:
		dec = 2
	case spread < 20:
		dec = 1
	}
	if diverging {
		return signed(v, dec)
	}
	return formatNumber(v, dec)
}

// sparseNominal labels at most max evenly spaced positions.
func sparseNominal(labels []string, max int) plot.Ticker {
	step := (len(labels) + max - 1) / max
	if step < 1 {
		step = 1
	}
	return plot.TickerFunc(func(min, mx float64) []plot.Tick {
		var out []plot.Tick
		for i, l := range labels {
			if i%step == 0 {
				out = append(out, plot.Tick{Value: float64(i), Label: l})
			}
		}
		return out
	})
}

// CompareCharts returns the comparison charts of several runs named names:
// the benchmark price of each scenario over time, and the change in each
// scenario's export revenue of supplier (scenario − its counterfactual,
// $ bn/yr) when every run's market has that supplier. The footer names
// each run's scenario hash from meta.Runs (one per run, or none). Runs on
// the same months that share a path before they part (a shared history)
// are shown from compareLead months before the first month where they
// differ, so that the shared path (the 2022 peak) does not set the scale
// and flatten their differences; the subtitle says from when, and why.
func CompareCharts(runs []*model.Run, names []string, supplier string, meta Meta) ([]*Chart, error) {
	if len(runs) == 0 {
		return nil, errorf("compare: no runs")
	}
	if len(names) != len(runs) {
		return nil, errorf("compare: %d names for %d runs", len(names), len(runs))
	}
	if len(meta.Runs) > 0 && len(meta.Runs) != len(runs) {
		return nil, errorf("compare: %d scenario hashes for %d runs", len(meta.Runs), len(runs))
	}
	ds := make([]*runData, len(runs))
	bench := make([][]float64, len(runs))
	rev := make([][]float64, len(runs))
	haveSup := supplier != ""
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for k, r := range runs {
		d, err := newRunData(r)
		if err != nil {
			return nil, errorf("compare %s: %v", names[k], err)
		}
		ds[k] = d
		if bench[k], _, err = d.benchmark(); err != nil {
			return nil, errorf("compare %s: %v", names[k], err)
		}
		xmin, xmax = math.Min(xmin, d.x[0]), math.Max(xmax, last(d.x))
		i := d.cal.Market.SupplierIndex(supplier)
		if i < 0 {
			haveSup = false
			continue
		}
		s, c, err := d.exportRevenue(i)
		if err != nil {
			return nil, errorf("compare %s: %v", names[k], err)
		}
		rev[k] = scale(sub(s, c), 1.0/1000)
	}
	legend := func() []LegendItem {
		var l []LegendItem
		for k, n := range names {
			l = append(l, LegendItem{Label: n, Color: seriesColor(k), Kind: []LegendKind{LegendLine, LegendDash, LegendDot}[k%3]})
		}
		return l
	}
	sub := "Scenarios: " + strings.Join(names, ", ")
	// Runs on the same months get the y range of the run charts: a
	// one-month spike is left off the scale and marked (see yRange).
	same := true
	for _, d := range ds[1:] {
		same = same && len(d.months) == len(ds[0].months) && d.months[0] == ds[0].months[0]
	}
	mkLines := func(name, title, caption, ylab string, ys [][]float64, yt plot.Ticker, withZero bool, format func(float64) string) *Chart {
		ch := &Chart{Name: name, Title: title, Subtitle: sub, Footer: footerText(meta), Caption: caption, Main: true}
		var lo, hi float64
		var marks []offMark
		x0 := xmin
		if same {
			var series []rangeSeries
			for k, y := range ys {
				short, _, _ := strings.Cut(names[k], ":") // "Pinned: …" is "Pinned" on a mark
				series = append(series, rangeSeries{name: short, v: y})
			}
			n := len(ds[0].months)
			// The comparison is what the runs do once they part: a
			// shared history (the 2022 peak) would set the scale and
			// flatten their differences. The chart starts compareLead
			// months before the first month where they differ, and says
			// so.
			from := 0
			if d := firstDiffer(ys); d > compareLead {
				from = d - compareLead
				x0 = ds[0].x[from]
				ch.Subtitle = sub + "  ·  shown from " + monthLabel(ds[0].months[from]) + ": the runs are the same before " + monthLabel(ds[0].months[d])
			}
			lo, hi = yRange(series, from, n, withZero)
			marks = offScale(ds[0].months, series, from, n, lo, hi, format)
		}
		ch.Build = func(st *Style) (*Figure, error) {
			p, err := timePlot(st, x0, xmax, ylab, yt, meta.Markers)
			if err != nil {
				return nil, err
			}
			for k := range ys {
				if err := addLine(p, ds[k].x, ys[k], seriesColor(k), st.line*1.2, [][]vg.Length{nil, dashed(st), dotted(st)}[k%3]); err != nil {
					return nil, err
				}
			}
			if same {
				p.X.Min, p.X.Max = x0, xmax
				p.Y.Min, p.Y.Max = lo, hi
				p.Add(offScaleMarks{marks, st})
			} else {
				setY(p, withZero, ys...)
			}
			return &Figure{Panels: [][]*Panel{{{Plot: p, Markers: meta.Markers, LabelMarkers: true}}}, Legend: legend()}, nil
		}
		return ch
	}
	out := []*Chart{mkLines("compare_benchmark_price", "Benchmark potash price across scenarios (CFR)", "Benchmark price by scenario", "Price, US$ per tonne KCl", bench, NumberTicks{Prefix: "$"}, false, dollarsPerTonne)}
	if haveSup {
		out = append(out, mkLines("compare_revenue_change_"+fileName(supplier),
			supplier+"'s export revenue (FOB) change across scenarios (vs each one's counterfactual)",
			supplier+"'s export revenue (FOB) change by scenario",
			"Change in export revenue (FOB), US$ bn/yr", rev, NumberTicks{Prefix: "$"}, true,
			func(v float64) string { return dollar(formatNumber(v, 2)) + " bn/yr" }))
	}
	return out, nil
}

// compareLead is how many months of the runs' shared path a comparison
// chart shows before the first month where they differ.
const compareLead = 12

// firstDiffer returns the first index at which series of the same length
// differ by more than a millionth of their overall span (float noise
// between runs of the same history is not a difference), or −1 when
// they never do.
func firstDiffer(ys [][]float64) int {
	if len(ys) < 2 {
		return -1
	}
	lo, hi := dataRange(ys...)
	tol := 1e-6 * math.Max(hi-lo, 1e-9)
	for t := range ys[0] {
		for _, y := range ys[1:] {
			if t < len(y) && math.Abs(y[t]-ys[0][t]) > tol {
				return t
			}
		}
	}
	return -1
}

// byParam is the label of parameter path (ParamLabel) as it reads after
// "by": a label potash composes starts lower-case ("by demand elasticity,
// Brazil"); an event's label is the scenario author's words and often
// starts with a name ("Klaipėda closed", "Belarus discount"), so it keeps
// its capital.
func byParam(path string, events map[string]string) string {
	l := ParamLabel(path, events)
	if strings.HasPrefix(strings.TrimPrefix(path, "scenario."), "events.") {
		return l
	}
	return lowerFirst(l)
}

// lowerFirst lower-cases the first letter of s unless its second letter is
// a capital too (an acronym such as "FOB" or "US").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) < 2 || strings.ToUpper(string(r[1])) == string(r[1]) {
		return s
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}
