package plots

import (
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
	"gonum.org/v1/plot/vg"
)

// twoRowChart is a figure like the back-test's: a price panel over a
// shorter exports panel (heights 3:2) labelled ylabel, both on a time
// axis with the back-test's five events of 2021–22 (their labels in a
// strip of four rows at the web size), and a legend long enough to take
// a column at every size.
func twoRowChart(ylabel string) *Chart {
	var markers []Marker
	for _, m := range briefingMeta().Markers {
		switch m.Label {
		case "EU sanctions (June 2021)", "US sanctions", "Klaipėda closed", "EU ban (all grades)", "EU quota on Russian KCl":
			markers = append(markers, m)
		}
	}
	return &Chart{
		Name:     "tworow",
		Title:    "Potash price: model against the record, 2020–2025",
		Subtitle: "Back-test of scenario history · fitted on 2020-01..2023-12, tested on 2024-01..2025-10",
		Footer:   "Data: World Bank Pink Sheet (4 Nov 2025), potassium chloride Brazil CFR · FAOSTAT exports (t K2O ÷ 0.60) · potash model test · scenario hash 0123456789ab",
		Build: func(st *Style) (*Figure, error) {
			x0, x1 := monthX(model.NewMonth(2020, 1)), monthX(model.NewMonth(2026, 1))
			p, err := st.TimePlot(x0, x1, "Price, US$ per tonne KCl", NumberTicks{Prefix: "$"}, markers)
			if err != nil {
				return nil, err
			}
			p.Y.Min, p.Y.Max = 0, 1300
			e, err := st.TimePlot(x0, x1, ylabel, NumberTicks{N: 3}, markers)
			if err != nil {
				return nil, err
			}
			e.Y.Min, e.Y.Max = 0, 25
			legend := []LegendItem{
				{Label: "Record: Pink Sheet KCl, Brazil CFR; peak (point) $1,202/t, Apr 2022", Color: colScen, Kind: LegendLine},
				{Label: "Model: benchmark price (fitted); peak (point) $879/t, Sep 2022", Color: colBarLow, Kind: LegendLine},
				{Label: "Naive: Dec 2023 price held", Color: colCf, Kind: LegendDash},
				{Label: "Out of sample", Color: colGrid, Kind: LegendFill},
				{Label: "Exports: model (line), FAOSTAT (points)", Kind: LegendHeader},
			}
			for _, s := range []string{"Canada", "Russia", "Belarus"} {
				c, _ := SupplierColor(s)
				legend = append(legend, LegendItem{Label: s, Color: c, Kind: LegendLinePoint})
			}
			legend = append(legend, LegendItem{Kind: LegendNote, Label: "Belarus 2022: model 11.6 Mt, FAOSTAT 4.3 Mt (why: docs/BACKTEST.md, Discussion)"})
			return &Figure{
				Panels:        [][]*Panel{{{Plot: p, Markers: markers, LabelMarkers: true}}, {{Plot: e, Markers: markers}}},
				Heights:       []float64{3, 2},
				Legend:        legend,
				EventsNamedOn: "the factors chart",
			}, nil
		},
	}
}

// TestYLabelFitsPanel: a y-axis label longer than its panel is tall
// wraps onto two lines, and a label too long even then makes the event
// labels above the panels give way (to a numbered key, or a line saying
// where they are named), at a size whose type cannot shrink; so that no
// label runs into the footer or the legend (the back-test's exports
// panel at the web size did), nor squeezes its panel, at every size.
func TestYLabelFitsPanel(t *testing.T) {
	for _, label := range []string{
		"Exports, Mt KCl/yr",
		"Exports, million tonnes KCl a year",
	} {
		ch := twoRowChart(label)
		for _, sz := range Sizes() {
			problems, err := CheckText(ch, sz)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Errorf("%q at size %d: %s", label, sz, p)
			}
			st, _ := styleFor(sz)
			var lines []string
			long := vg.Length(0)            // the label's longest line
			ticks := map[string]vg.Length{} // the exports axis's tick labels' middles
			for _, b := range textBoxes(t, ch, st) {
				switch {
				case strings.Contains(label, b.text) && b.max.X < st.width/10:
					lines = append(lines, b.text)
					long = max(long, b.max.Y-b.min.Y)
				case b.text == "0" || b.text == "20":
					ticks[b.text] = (b.min.Y + b.max.Y) / 2
				}
			}
			if got := strings.Join(lines, " "); got != label {
				t.Errorf("%q at size %d: drawn as %q", label, sz, lines)
			}
			// The exports panel (0 to 25, ticks at 0, 10, 20) at least
			// three quarters of its label's length tall: not squeezed
			// under it.
			if h := (ticks["20"] - ticks["0"]) / 0.8; h < 0.75*long {
				t.Errorf("%q at size %d: exports panel %.1f pt tall under a label %.1f pt long", label, sz, h, long)
			}
		}
	}
}
