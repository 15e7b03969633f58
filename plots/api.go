package plots

import (
	"github.com/potash-sim/potash/model"
)

// Marker is a vertical event marker on time axes.
type Marker struct {
	Month model.Month
	Label string // short, e.g. "Klaipėda closed"
}

// Meta is what every chart says about where it came from.
type Meta struct {
	Scenario       string // scenario name (subtitle)
	Title          string // scenario title
	Counterfactual string // counterfactual name (subtitle)
	Hash           string // scenario hash (footer; first 12 hex digits shown)
	ModelVersion   string // model.Version (footer)
	DataSource     string // footer, e.g. "Data: base-2020 v1.0.0 (FAOSTAT and World Bank Pink Sheet)"
	// DollarsOf is the year whose constant US dollars every money figure
	// is in (the market's base year); the footer then says "money in
	// constant 2020 US$". 0 leaves it unsaid.
	DollarsOf int
	Markers   []Marker
	// EventLabels maps event ids to their labels, and corridors
	// (SUPPLIER/NAME) to theirs (CorridorLabels), for readable parameter
	// names in tornado and sweep charts (ParamLabel); optional.
	EventLabels map[string]string
	Seed        uint64
	Draws       int
	// OffBand says why the central run can lie outside its own Monte
	// Carlo band, for the charts with bands to carry when their central
	// line or bar does lie outside its band ("by construction, not an
	// error: …"). The pipeline sets it from what it knows of the run
	// (internal/report's OffBand: the parameters whose central values sit
	// at an edge of their ranges); empty gives a general note.
	OffBand string
	// Warnings are cautions the pipeline gives the charts of a sweep to
	// carry (SweepCharts: one legend note each), e.g. that the swept
	// parameter moves the counterfactual too, so that the changes barely
	// move.
	Warnings []string
	// MetricWords name a sweep's metrics for people, by model name: what
	// each measures and how over the headline window (report.MetricLabel),
	// e.g. {"Belarus export revenue (FOB)", "cumulative change"}, and
	// HeadlineWindow is that window, "2025-12 to 2028-12". Sweep charts
	// title and label a metric with its words (else metricTitle) and say
	// the window in their subtitle.
	MetricWords    map[string]MetricWords
	HeadlineWindow string
	// Runs are the runs a chart of several draws (CompareCharts), each
	// with its scenario hash: the footer then names every one ("scenario
	// hashes: us-relief-2025 f76a4c9af621, eu-relief 0c1d2e3f4a5b")
	// instead of Hash, so that the chart traces back to each of its runs.
	Runs []RunRef
}

// MetricWords are a metric's words: what it measures and how over the
// headline window ("mean change", "cumulative change"; "" when unknown).
type MetricWords struct{ What, Measure string }

// RunRef is one run of a chart of several runs: its name on the chart
// and its scenario hash.
type RunRef struct {
	Name string
	Hash string
}

// Size is a chart size preset.
type Size int

const (
	SizeSlide    Size = iota // 16:9 slide, 13.33 × 7.5 in
	SizeHalfPage             // half an A4/Letter page, 6.5 × 4 in
	// SizeWeb is for a web page's chart card 600–700 CSS px wide: 600 ×
	// 375 pt (8.33 × 5.21 in; 1,250 × 781 pixels at the default 150
	// DPI), no text under 11 pt (11 CSS px at 600 px wide), the legend
	// under the panels.
	SizeWeb
)

// Options control output.
type Options struct {
	Size    Size
	DPI     int      // PNG resolution; 0 means 150
	Formats []string // any of "png", "svg", "pdf"; empty means png
	// FlowMonth is the month of the trade-flow heat map; 0 means the
	// run's last month.
	FlowMonth model.Month
	// Window is the span of time charts: the whole run (WindowAll, the
	// default, with the report window shaded) or the report window only
	// (WindowReport).
	Window Window
}

// Window is the span of the time charts of a run.
type Window int

const (
	WindowAll    Window = iota // the whole run, the report window shaded
	WindowReport               // the report window (the headline totals' months) only
)

// RunCharts returns every chart of one run, in this order: price (benchmark
// price with bands), price_regions (each market's price index), revenue
// (export revenue paths), revenue_change (cumulative change bars), volumes,
// stocks (each market's stocks, months of use; when some market holds
// stocks), shares, flows (trade-flow change heat map at opts.FlowMonth) and
// corridors_<supplier> for every supplier with more than one corridor. mc
// may be nil; when not, it must hold the benchmark_price and price_paid
// series and the netback_revenue_change.<supplier> totals.
func RunCharts(run *model.Run, mc *model.MCResult, meta Meta, opts Options) ([]*Chart, error) {
	if meta.Draws == 0 && mc != nil {
		meta.Draws, meta.Seed = mc.Draws, mc.Seed
	}
	var out []*Chart
	add := func(ch *Chart, err error) error {
		if err != nil {
			return err
		}
		out = append(out, ch)
		return nil
	}
	steps := []func() error{
		func() error { return add(pricePathChart(run, mc, meta, opts)) },
		func() error { return add(regionPriceChart(run, mc, meta, opts)) },
		func() error { return add(revenueChart(run, meta, opts)) },
		func() error { return add(RevenueChangeChart(run, mc, meta)) },
		func() error { return add(volumeChart(run, meta, opts)) },
		func() error {
			if !holdsStocks(run) {
				return nil
			}
			return add(stocksChart(run, meta, opts))
		},
		func() error { return add(shareChart(run, meta, opts)) },
		func() error { return add(FlowChangeChart(run, opts.FlowMonth, meta)) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	for _, s := range run.Scenario.Cal.Market.Suppliers {
		if len(s.Corridors) > 1 {
			if err := add(corridorChart(run, s.Name, meta, opts)); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// holdsStocks reports whether some region of run's market holds stocks
// and its solutions report them.
func holdsStocks(run *model.Run) bool {
	p := run.Scenario
	if p == nil || p.Cal == nil || len(p.Sol) == 0 || len(p.Sol[0].Stocks) == 0 {
		return false
	}
	for _, g := range p.Cal.Market.Regions {
		if g.StockMonths > 0 {
			return true
		}
	}
	return false
}
