// Package plots draws briefing-quality charts of potash results with
// gonum/plot: price paths with Monte Carlo fans, revenue and volume paths,
// trade-flow heat maps, corridor use, tornado, sweep and comparison charts,
// rendered in memory as PNG, SVG or PDF (fonts embedded). It knows nothing
// of solving: it draws model results it is given (model.Run,
// model.MCResult, model.SweepResult, model.Tornado).
//
// # Charts
//
// RunCharts makes, for one run (chart names, the file base names):
//
//   - price: the benchmark price (Brazil CFR, the benchmark region's average
//     CFR transaction price), scenario solid against counterfactual dashed, with the
//     Monte Carlo 50% and 90% bands of the scenario as polygons (90% first);
//   - price_regions: the price buyers pay in each market (CFR plus duties)
//     in small panels, same encoding;
//   - (price, price_regions and revenue_change: where the central run
//     lies outside its own band, as a run with a parameter's central
//     value at an edge of its range can, the legend says so and why:
//     Meta.OffBand, the pipeline's reason, else "by construction, not
//     an error");
//   - revenue: FOB export revenue by supplier, $ bn/yr (annual rate);
//   - revenue_change: cumulative change in netback revenue by supplier over
//     the report window (Σ_t Δ/12), bars labelled "Belarus +$1.23 bn",
//     in $ bn or $ M as the largest bar needs, the axis in the same unit;
//     error bars from the 5th to the 95th percentile of the draws;
//   - volumes: export volume by supplier, Mt/yr;
//   - shares: shares of world exports, stacked areas, scenario beside
//     counterfactual;
//   - flows: heat map of the change in bilateral flows (suppliers ×
//     markets) at Options.FlowMonth (default: the last month), on a
//     diverging palette centred on zero, values printed in the cells;
//   - corridors_<supplier>: exports by corridor against the capacity in
//     force (from the path's events via model.SetPolicy), for every
//     supplier with more than one corridor.
//
// TornadoChart, SweepCharts (line for a 1-D sweep, heat map with a colour
// bar for a 2-D sweep; the pipeline's Meta.Warnings as legend notes, e.g.
// that the swept event is the counterfactual's too) and CompareCharts
// (benchmark price and a supplier's revenue change across scenarios, from
// a year before the runs part) make the other charts. The chart
// constructors (PricePathChart, RevenueChangeChart, …) return a *Chart
// whose Render writes one format to any io.Writer (e.g. an HTTP response);
// RenderAll renders many charts in every format at once, in parallel.
// Each Chart has a Caption for a list of charts and a Main flag marking
// the ones a summary shows first (price, revenue_change, volumes, shares,
// flows; the tornado, sweeps and comparisons).
//
// # Time axes
//
// Time charts show the whole run with the report window (the months of
// the headline totals) shaded, or only the report window with
// Options.Window = WindowReport. Their value axis spans the data, except
// that a few isolated months far beyond the rest (at most one month in
// 30, more than half the other months' span away: a one-month spike) are
// left off the scale, and the 90% band widens the axis by at most half
// the span of the lines and the 50% band. What is cut is marked on the
// chart with a triangle at the edge and its value ("Scenario peaks at
// $1,001/t, Feb 2022 (off scale)"), never hidden silently.
//
// # Charts from other packages
//
// A package with charts of its own (the back-test) makes a Chart whose
// Build returns a Figure for a Style: rows of Panels (gonum plot.Plots
// made with Style.NewPlot or Style.TimePlot, lines with Style.LineStyle),
// relative row heights, a legend and an optional colour bar. The engine
// lays it out, aligns the panels' data areas, writes the event labels and
// renders every format at every size, so such charts look like the rest.
//
// Tornado and sweep charts name parameters by ParamLabel ("Demand
// elasticity, Brazil" for market.regions.Brazil.demand_elasticity) and
// show values to 3 significant digits. DataSourceLine credits the
// embedded dataset to FAOSTAT and the Pink Sheet, and a market of the
// user's own data to what it cites.
//
// Monte Carlo series are looked up by the model's variable names
// (benchmark_price with entity "World", price_paid per region) and totals
// by metric name (netback_revenue_change.<supplier>); a missing one is an error
// naming it.
//
// # Style
//
// Every chart has a title saying what it shows, a subtitle naming the
// scenario and its counterfactual, axis labels with units, and a footer
// with the data source, the model version, the first 12 hex digits of the
// scenario hash (each run's, on a comparison) and the Monte Carlo draws
// and seed, so that it can be traced to its run; a footer too long for one
// line wraps between those parts at its own size, never shrunk. Text is Liberation Sans
// (metric-compatible with Arial), set as plot.DefaultFont before any
// plot.New. Legends and colour
// bars sit in a column right of the data area, never over data; event
// markers (Meta.Markers) are dashed vertical lines with their labels in a
// strip above the data area, staggered so they never overlap. When they
// do not all fit (and always on small multiples) each line gets a number
// keyed in the legend (the events of one line listed under its number, an
// event too long for the legend column wrapped with its further lines
// indented); where even the key has no room (small multiples on
// a web card) the legend says what the lines are and that the benchmark
// price chart names them. No event line is left unexplained.
//
// Each supplier has one colour in every chart (SupplierColor: Okabe–Ito
// extended with Paul Tol's colour-blind-safe colours). Time axes use
// CalendarTicks (ticks on month boundaries: years, or quarters on short
// horizons; the panels of a figure label the same years, as close as its
// narrowest panel allows); value axes use NumberTicks (thousands
// separators, a typographic minus, never exponent notation); money is
// shown in $ bn. When a scenario line and its counterfactual lie within
// the line's width of each other over the whole chart, so that a reader
// sees one line, the chart says so with the largest gap: on the plot of
// the benchmark price, in the legend of the market panels.
//
// Sizes: SizeSlide (16:9, 13.33 × 7.5 in, fonts sized for a full slide),
// SizeHalfPage (6.5 × 4 in) and SizeWeb (600 × 375 pt for a web page's
// chart card: no text under 11 pt, so under 11 CSS px only in a card
// narrower than 600 px; text wraps rather than shrinks, the legend sits
// under the panels); PNG at Options.DPI (default 150). SVG and PDF embed
// their fonts (Liberation Sans and its bold face) as TrueType subsets,
// only the glyphs of the characters each chart draws, both made by one
// subsetter, go-pdf/fpdf's. PDF text is Unicode (the subsets carry a
// ToUnicode map, so "Klaipėda", "−" and "2020–2025" print and copy as
// written), and a PDF carries no creation date: the same chart gives the
// same bytes on every run. SVG text is text, each face an @font-face rule
// with its subset (kB where the whole faces took 1.1 MB a chart) and the
// face's kerning between the characters drawn, so that a viewer sets it as
// the layout measured it; the same chart gives the same SVG bytes too.
//
// Bad data (empty, NaN or Inf values, inconsistent shapes, a missing Monte
// Carlo series) is an error, never a panic. RenderAll returns every file or
// none; writing them is the caller's (the run pipeline, internal/run,
// writes a run's outputs whole with internal/report's staging).
package plots
