package backtest

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

// ChartMeta is what the back-test charts say about where they came from.
type ChartMeta struct {
	Hash         string // scenario hash (first 12 hex digits shown)
	ModelVersion string // model.Version when empty
}

// Base names of the back-test chart files.
const (
	// ChartName is the model against the record: prices, and exports.
	ChartName = "backtest"
	// FactorsChartName is the decomposition runs: the fitted model with
	// and without each factor.
	FactorsChartName = "backtest-factors"
)

// Colours of the back-test's series; suppliers have their plots colour.
var (
	colRecord      = color.RGBA{0x1A, 0x1A, 0x1A, 255} // the record, like a scenario line
	colModel       = color.RGBA{0x00, 0x72, 0xB2, 255} // Okabe–Ito blue
	colNaive       = color.RGBA{0x7A, 0x7A, 0x7A, 255} // grey, like a counterfactual
	colOut         = color.RGBA{0xEE, 0xEE, 0xEE, 255} // out-of-sample shading
	colNoSanctions = color.RGBA{0xD5, 0x5E, 0x00, 255} // Okabe–Ito vermillion
	colNoDemand    = color.RGBA{0xE6, 0x9F, 0x00, 255} // Okabe–Ito orange
)

// Charts returns the back-test's charts, drawn by the plots engine (so
// they have its fonts, sizes, layout and formats, --size and --dpi
// included): the model against the record (ChartName) and the
// decomposition runs (FactorsChartName). It is an error if the report
// lacks what a chart shows.
func (r *Report) Charts(meta ChartMeta) ([]*plots.Chart, error) {
	a, err := r.priceChart(meta)
	if err != nil {
		return nil, err
	}
	b, err := r.factorsChart(meta)
	if err != nil {
		return nil, err
	}
	return []*plots.Chart{a, b}, nil
}

func (r *Report) footer(meta ChartMeta) string {
	v := meta.ModelVersion
	if v == "" {
		v = model.Version
	}
	foot := []string{"Data: World Bank Pink Sheet (4 Nov 2025), potassium chloride Brazil CFR; model in 2020 $ × US CPI-U (BLS); FAOSTAT exports (t K2O ÷ 0.60)", "potash model " + v}
	if meta.Hash != "" {
		h := meta.Hash
		if len(h) > 12 {
			h = h[:12]
		}
		foot = append(foot, "scenario hash "+h)
	}
	return strings.Join(foot, " · ")
}

// xRange is the time axis of the back-test: its first month to the end of
// its last.
func (r *Report) xRange() (float64, float64) {
	return plots.MonthX(r.Months[0]), plots.MonthX(r.Months[len(r.Months)-1]) + 1.0/12
}

// xys returns the points (middle of month, v) with v finite, for months
// from..to.
func xys(months []model.Month, v []float64, from, to model.Month) plotter.XYs {
	var out plotter.XYs
	for k, t := range months {
		if t < from || t > to || k >= len(v) || math.IsNaN(v[k]) || math.IsInf(v[k], 0) {
			continue
		}
		out = append(out, plotter.XY{X: plots.MonthX(t) + 1.0/24, Y: v[k]})
	}
	return out
}

// line adds a line through pts to p.
func line(p *plot.Plot, pts plotter.XYs, ls draw.LineStyle) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.LineStyle = ls
	p.Add(l)
	return nil
}

// skillWord says how a model's error compares with the naive forecast's:
// "below" only when it is lower, "above" when higher, "equal to" else.
func skillWord(model, naive float64) string {
	switch {
	case model < naive:
		return "below"
	case model > naive:
		return "above"
	}
	return "equal to"
}

// priceChart is the model against the record: the price panel (record,
// fitted model, naive forecast out of sample, the 2022 peaks, the
// out-of-sample months shaded) over the exports panel (model lines,
// FAOSTAT annual points).
func (r *Report) priceChart(meta ChartMeta) (*plots.Chart, error) {
	if len(r.Months) == 0 {
		return nil, fmt.Errorf("backtest chart: no months")
	}
	cfg := r.Config
	last := r.lastRecord()
	rec := xys(r.Months, r.Record, cfg.Start, cfg.End)
	if len(rec) == 0 {
		return nil, fmt.Errorf("backtest chart: no record prices")
	}
	ymax := 0.0
	for k := range r.Months {
		for _, v := range []float64{r.Record[k], r.Model[k], r.Naive[k]} {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				ymax = math.Max(ymax, v)
			}
		}
	}
	if ymax <= 0 {
		return nil, fmt.Errorf("backtest chart: no positive prices")
	}
	short, caveat := r.fitCaveat()
	if short != "" {
		short = " · both readings " + short
	}
	ch := &plots.Chart{
		Name:  ChartName,
		Title: fmt.Sprintf("Potash price: model against the record, %d–%d", cfg.Start.Year(), last.Year()),
		// The level is the headline reading; the change reading was added
		// after the level's result was known (docs/BACKTEST.md) and says so.
		Subtitle: fmt.Sprintf("Back-test of scenario %s · fitted on %v..%v, tested on %v..%v · out-of-sample RMSE (log) %s, %s the naive forecast's %s; change reading (added later) %s, %s naive%s",
			HistoryScenario, cfg.Start, cfg.Cut-1, cfg.Cut, last, num(r.OutSample.RMSE, 3), skillWord(r.OutSample.RMSE, r.NaiveOut.RMSE), num(r.NaiveOut.RMSE, 3),
			num(r.ChangeOut.RMSE, 3), skillWord(r.ChangeOut.RMSE, r.NaiveOut.RMSE), short),
		Footer:  r.footer(meta),
		Caption: "Back-test: the model against the record",
		Main:    true,
	}
	x0, x1 := r.xRange()
	ch.Build = func(st *plots.Style) (*plots.Figure, error) {
		out, err := plots.NewSpan(plots.MonthX(cfg.Cut), x1, colOut)
		if err != nil {
			return nil, err
		}
		p, err := st.TimePlot(x0, x1, "Price, US$ per tonne KCl", plots.NumberTicks{Prefix: "$"}, r.Markers, out)
		if err != nil {
			return nil, err
		}
		p.Y.Min, p.Y.Max = 0, ymax*1.1
		naive := st.LineStyle(colNaive, plots.Dashed)
		for _, l := range []struct {
			pts plotter.XYs
			ls  draw.LineStyle
		}{
			{xys(r.Months, r.Naive, cfg.Cut, last), naive},
			{xys(r.Months, r.Model, cfg.Start, cfg.End), st.LineStyle(colModel, plots.Solid)},
			{rec, st.LineStyle(colRecord, plots.Thick)},
		} {
			if err := line(p, l.pts, l.ls); err != nil {
				return nil, err
			}
		}
		// The peaks: a point on each line, their values in the legend
		// (a label on the data would cross the other line).
		for _, pk := range []struct {
			tp  TurningPoint
			col color.Color
		}{{r.PeakRecord, colRecord}, {r.PeakModel, colModel}} {
			if !(pk.tp.Value > 0) || math.IsInf(pk.tp.Value, 0) {
				continue
			}
			sc, err := plotter.NewScatter(plotter.XYs{{X: plots.MonthX(pk.tp.Month) + 1.0/24, Y: pk.tp.Value}})
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle = st.GlyphStyle(pk.col)
			p.Add(sc)
		}
		legend := []plots.LegendItem{
			{Label: "Record: Pink Sheet KCl, Brazil CFR" + peakNote(r.PeakRecord), Color: colRecord, Kind: plots.LegendLine},
			{Label: "Model: benchmark price (fitted)" + peakNote(r.PeakModel), Color: colModel, Kind: plots.LegendLine},
			{Label: "Naive: " + plots.MonthLabel(cfg.Cut-1) + " price held", Color: colNaive, Kind: plots.LegendDash},
			{Label: "Out of sample", Color: colOut, Kind: plots.LegendFill},
		}
		if caveat != "" {
			legend = append(legend, plots.LegendItem{Kind: plots.LegendNote, Label: caveat})
		}
		legend = append(legend, plots.LegendItem{Label: "Exports: model (line), FAOSTAT (points)", Kind: plots.LegendHeader})

		// Exports: model monthly rates (lines) and FAOSTAT annual
		// volumes (points at mid-year).
		e, err := st.TimePlot(x0, x1, "Exports, Mt KCl/yr", plots.NumberTicks{N: 3}, r.Markers)
		if err != nil {
			return nil, err
		}
		emax := 0.0
		cols := plots.SupplierColors(cfg.Suppliers)
		for i, name := range cfg.Suppliers {
			col := cols[i]
			ex := xys(r.Months, r.ExportModel[name], cfg.Start, cfg.End)
			for _, q := range ex {
				emax = math.Max(emax, q.Y)
			}
			if err := line(e, ex, st.LineStyle(col, plots.Solid)); err != nil {
				return nil, err
			}
			var pts plotter.XYs
			a := r.ExportRecord[name]
			for k, y := range a.Years {
				if y < cfg.Start.Year() || y > cfg.End.Year() || k >= len(a.Values) {
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
				sc.GlyphStyle = st.GlyphStyle(col)
				e.Add(sc)
			}
			legend = append(legend, plots.LegendItem{Label: name, Color: col, Kind: plots.LegendLinePoint})
		}
		e.Y.Min, e.Y.Max = 0, math.Max(emax*1.1, 1)
		legend = append(legend, exportGapLegend(r.Exports, cfg.Suppliers)...)
		return &plots.Figure{
			Panels: [][]*plots.Panel{
				{{Plot: p, Markers: r.Markers, LabelMarkers: true}},
				{{Plot: e, Markers: r.Markers}},
			},
			Heights: []float64{3, 2},
			Legend:  legend,
			// The factors chart, one panel, has the room to name them.
			EventsNamedOn: "the factors chart",
		}, nil
	}
	return ch, nil
}

// fitCaveat is what the charts say of a fit whose kept search did not
// converge (Converged of Fit.Status): short, after the statistics it
// qualifies ("of a fit that did not converge"), and a legend note of how
// its searches ended ("Fit searches: none converged, each stopped at its
// limit"; searchesVerdict, as the table says it). Both are empty for a
// converged fit. The charts take them from the report, never from a
// fixed text, so that they say what the fit they show did.
func (r *Report) fitCaveat() (short, note string) {
	if r.Fit == nil || Converged(r.Fit.Status) {
		return "", ""
	}
	var statuses []string
	for _, sr := range r.Fit.Searches {
		statuses = append(statuses, sr.Status)
	}
	if len(statuses) < 2 {
		return "of a fit that did not converge", "Fit search: " + statusWords(r.Fit.Status)
	}
	return "of a fit that did not converge", "Fit searches: " + strings.Replace(searchesVerdict(statuses), ": ", ", ", 1)
}

// exportGapThreshold is the relative gap between the model's and
// FAOSTAT's exports of a supplier-year beyond which the chart notes it.
const exportGapThreshold = 0.25

// exportGapNote is the legend's note of the largest gap between the
// model's and FAOSTAT's annual exports of the suppliers shown, when it
// exceeds exportGapThreshold (e.g. Russia in 2022, which the model does
// not slow: docs/BACKTEST.md explains it), else "".
func exportGapNote(ex []ExportFit, suppliers []string) string {
	var worst *ExportFit
	for k := range ex {
		e := &ex[k]
		if !slices.Contains(suppliers, e.Supplier) || !(math.Abs(e.RelError) > exportGapThreshold) || math.IsInf(e.RelError, 0) {
			continue
		}
		if worst == nil || math.Abs(e.RelError) > math.Abs(worst.RelError) {
			worst = e
		}
	}
	if worst == nil {
		return ""
	}
	return fmt.Sprintf("%s %d: model %s Mt, FAOSTAT %s Mt (why: docs/BACKTEST.md, Discussion)",
		worst.Supplier, worst.Year, num(worst.Model, 1), num(worst.Record, 1))
}

// exportGapHeader heads the legend's note of exportGapNote.
const exportGapHeader = "Largest export gap"

// exportGapLegend is the legend's block of exportGapNote: a heading of
// its own, then the note, so that the note, set under the last supplier's
// entry without a heading, is not read as a remark on that supplier
// (it was, under Belarus, of Russia 2022). Nil when there is no note.
func exportGapLegend(ex []ExportFit, suppliers []string) []plots.LegendItem {
	n := exportGapNote(ex, suppliers)
	if n == "" {
		return nil
	}
	return []plots.LegendItem{{Kind: plots.LegendHeader, Label: exportGapHeader}, {Kind: plots.LegendNote, Label: n}}
}

// peakNote is the legend's note of a peak (a point on the line):
// "; peak (point) $1,202/t, Apr 2022".
func peakNote(tp TurningPoint) string {
	if !(tp.Value > 0) || math.IsInf(tp.Value, 0) {
		return ""
	}
	return fmt.Sprintf("; peak (point) $%s/t, %s", num(tp.Value, 0), plots.MonthLabel(tp.Month))
}

// factorsChart draws the record and the fitted model's paths with all
// factors, without the sanctions, without crop demand, and with none.
func (r *Report) factorsChart(meta ChartMeta) (*plots.Chart, error) {
	if len(r.Months) == 0 || len(r.FactorPaths) == 0 {
		return nil, fmt.Errorf("backtest factors chart: no decomposition paths")
	}
	cfg := r.Config
	d := r.Decomposition
	var parts []string
	for _, ct := range d.Contributions {
		parts = append(parts, fmt.Sprintf("%s %s $/t (%s)", ct.Factor, signed(ct.Value, 0), shareOf(ct.Value, d.ModelRise)))
	}
	lines := []struct {
		label string
		v     []float64
		col   color.Color
		kind  plots.LineKind
	}{
		{"Record: Pink Sheet KCl, Brazil CFR", r.Record, colRecord, plots.Thick},
		{"Model: all factors (fitted)", r.FactorPaths[AllFactors], colModel, plots.Solid},
		{"Model without sanctions", r.FactorPaths[AllFactors&^FactorSanctions], colNoSanctions, plots.Dashed},
		{"Model without crop demand", r.FactorPaths[AllFactors&^FactorDemand], colNoDemand, plots.Dashed},
		{"Model with no factor", r.FactorPaths[0], colNaive, plots.Dotted},
	}
	ymax := 0.0
	pts := make([]plotter.XYs, len(lines))
	for k, l := range lines {
		if len(l.v) == 0 {
			return nil, fmt.Errorf("backtest factors chart: no path for %q", l.label)
		}
		pts[k] = xys(r.Months, l.v, cfg.Start, cfg.End)
		if len(pts[k]) == 0 {
			return nil, fmt.Errorf("backtest factors chart: %q has no finite value", l.label)
		}
		for _, q := range pts[k] {
			ymax = math.Max(ymax, q.Y)
		}
	}
	ch := &plots.Chart{
		Name:  FactorsChartName,
		Title: fmt.Sprintf("What drove the %d–%d rise: the fitted model with and without each factor", cfg.RiseFrom.Year(), cfg.RiseTo.Year()%100),
		Subtitle: fmt.Sprintf("Back-test of scenario %s · rise of the %d–%d average over %d: %s · Shapley values",
			HistoryScenario, cfg.RiseFrom.Year(), cfg.RiseTo.Year(), cfg.BaseYear, strings.Join(parts, ", ")),
		Footer:  r.footer(meta),
		Caption: "Back-test: what drove the rise",
	}
	x0, x1 := r.xRange()
	ch.Build = func(st *plots.Style) (*plots.Figure, error) {
		p, err := st.TimePlot(x0, x1, "Price, US$ per tonne KCl", plots.NumberTicks{Prefix: "$"}, r.Markers)
		if err != nil {
			return nil, err
		}
		p.Y.Min, p.Y.Max = 0, ymax*1.08
		var legend []plots.LegendItem
		// The record last, on top.
		for k := len(lines) - 1; k >= 0; k-- {
			if err := line(p, pts[k], st.LineStyle(lines[k].col, lines[k].kind)); err != nil {
				return nil, err
			}
		}
		for _, l := range lines {
			kind := plots.LegendLine
			switch l.kind {
			case plots.Dashed:
				kind = plots.LegendDash
			case plots.Dotted:
				kind = plots.LegendDot
			}
			legend = append(legend, plots.LegendItem{Label: l.label, Color: l.col, Kind: kind})
		}
		// The model's paths and the Shapley values are the fit's.
		if _, caveat := r.fitCaveat(); caveat != "" {
			legend = append(legend, plots.LegendItem{Kind: plots.LegendNote, Label: caveat})
		}
		return &plots.Figure{Panels: [][]*plots.Panel{{{Plot: p, Markers: r.Markers, LabelMarkers: true}}}, Legend: legend}, nil
	}
	return ch, nil
}
