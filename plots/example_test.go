package plots_test

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot/plotter"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

// tinyRun is a hand-made two-month run of a one-supplier, one-region
// market (charts only read results; no solver involved).
func tinyRun() *model.Run {
	m := &model.Market{Name: "tiny", Benchmark: "Brazil",
		Suppliers: []model.Supplier{{Name: "Belarus", Corridors: []model.Corridor{{Name: "Klaipeda", Capacity: 11}}}},
		Regions:   []model.Region{{Name: "Brazil"}}}
	cal := &model.Calibrated{Market: m}
	months := []model.Month{model.NewMonth(2025, 12), model.NewMonth(2026, 1)}
	path := func(price, exports float64) *model.Path {
		p := &model.Path{Cal: cal, Months: months}
		for range months {
			p.Sol = append(p.Sol, &model.Solution{
				FOB: []float64{price}, Exports: []float64{exports}, ExportRev: []float64{price * exports},
				NetbackRevenue: []float64{(price - 20) * exports},
				PriceIndex:     []float64{price + 40}, PricePaid: []float64{price + 40}, Benchmark: price + 40,
				Flow:         [][]float64{{exports}},
				CorridorFlow: [][]float64{{exports}}, CorridorUse: [][]float64{{exports / 11}},
			})
		}
		return p
	}
	return &model.Run{Scenario: path(300, 10), Counterfactual: path(310, 8)}
}

func ExampleRunCharts() {
	meta := plots.Meta{Scenario: "us-relief-2025", Counterfactual: "history", ModelVersion: model.Version}
	charts, err := plots.RunCharts(tinyRun(), nil, meta, plots.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ch := range charts {
		fmt.Printf("%-15s %-5v %s\n", ch.Name, ch.Main, ch.Caption)
	}
	// Output:
	// price           true  Benchmark price path, scenario and counterfactual
	// price_regions   false Price paid by market
	// revenue         false Export revenue by supplier
	// revenue_change  true  Netback revenue change by supplier
	// volumes         true  Export volumes by supplier
	// shares          true  World market shares
	// flows           true  Trade-flow change (heat map)
}

func ExampleChart_Render() {
	ch, err := plots.RevenueChangeChart(tinyRun(), nil, plots.Meta{Scenario: "us-relief-2025", Counterfactual: "history"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ch.Title)
	// Write it to any io.Writer (a file, an HTTP response) as PNG, SVG or PDF.
	var buf bytes.Buffer
	if err := ch.Render(&buf, "svg", plots.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Contains(buf.String(), "Belarus  +$80 M"))
	// Output:
	// Change in potash netback revenue (mine gate) by supplier, scenario − counterfactual
	// true
}

func ExampleRenderAll() {
	charts, err := plots.RunCharts(tinyRun(), nil, plots.Meta{Scenario: "us-relief-2025"}, plots.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	files, err := plots.RenderAll(context.Background(), charts[:2], plots.Options{Formats: []string{"svg", "pdf"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range files {
		fmt.Println(f.Name(), f.Chart.Main, f.Chart.Caption)
	}
	// Output:
	// price.svg true Benchmark price path, scenario and counterfactual
	// price.pdf true Benchmark price path, scenario and counterfactual
	// price_regions.svg false Price paid by market
	// price_regions.pdf false Price paid by market
}

// A chart of a package's own: Build makes the panels for each size, the
// engine does the rest (header, legend, layout, every format and size).
func ExampleChart_build() {
	ch := &plots.Chart{
		Name:  "own",
		Title: "Potash price, 2020–2025",
		Build: func(st *plots.Style) (*plots.Figure, error) {
			p, err := st.TimePlot(plots.MonthX(model.NewMonth(2020, 1)), plots.MonthX(model.NewMonth(2025, 12)),
				"Price, US$ per tonne KCl", plots.NumberTicks{Prefix: "$"}, nil)
			if err != nil {
				return nil, err
			}
			line, err := plotter.NewLine(plotter.XYs{{X: 2020, Y: 250}, {X: 2022.3, Y: 1202}, {X: 2025.9, Y: 350}})
			if err != nil {
				return nil, err
			}
			line.LineStyle = st.LineStyle(color.Black, plots.Thick)
			p.Add(line)
			return &plots.Figure{
				Panels: [][]*plots.Panel{{{Plot: p}}},
				Legend: []plots.LegendItem{{Label: "Record", Color: color.Black, Kind: plots.LegendLine}},
			}, nil
		},
	}
	var buf bytes.Buffer
	if err := ch.Render(&buf, "png", plots.Options{Size: plots.SizeWeb, DPI: 96}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(buf.Len() > 1000)
	// Output:
	// true
}
