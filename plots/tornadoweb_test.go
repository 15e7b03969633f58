package plots

import (
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/potash-sim/potash/model"
)

// fixtureTornadoBuiltin is the tornado of `potash sensitivity
// us-relief-2025 --metric revenue_change.Belarus` (model 0.6.1): 14
// rows, five of them cut by a joint rule, one at both ends, so that its
// longest label runs "Stock adjustment speed, all regions  (0.24 –
// 0.683; stated 0.258 – 0.919)".
func fixtureTornadoBuiltin() *model.Tornado {
	t := &model.Tornado{Metric: "revenue_change.Belarus", Unit: "$M", Base: 62.52}
	for _, b := range []struct {
		param             string
		low, high, lo, hi float64
		sLow, sHigh       float64
		lowCut, highCut   string
	}{
		{"events.discount-relief.scale", 0.367, 0.967, 867.6, 101.2, 0, 0, "", ""},
		{"market.regions.*.substitution_elasticity", 2.77, 6.9, 81.8, 41.3, 0, 0, "", ""},
		{"events.belarus-discount.pct", 3.62, 32.6, 71.4, 54.1, 0, 0, "", ""},
		{"market.drivers.crop_prices.elasticity", 0.277, 0.871, 67.2, 60.1, 0, 0, "", ""},
		{"market.suppliers.*.supply_elasticity", 0.31, 0.606, 62.7, 68.6, 0, 0, "", ""},
		{"market.suppliers.*.supply_adjustment_per_month", 0.0305, 0.0458, 62.9, 67.0, 0, 0, "", ""},
		{"market.regions.*.demand_elasticity", 0.337, 0.546, 62.4, 65.2, 0.2, 0.525, model.RuleStockCycle, ""},
		{"market.suppliers.Belarus.corridors.RussianPorts.cost_usd_per_t", 39.2, 63.4, 62.5, 61.2, 0, 0, "", ""},
		{"market.regions.*.price_expectation_speed_per_month", 0.0381, 0.0928, 61.6, 62.5, 0.0439, 0.131, "", model.RuleStockCycle},
		{"market.regions.*.demand_adjustment_per_month", 0.141, 0.246, 62.5, 63.1, 0.0903, 0.234, model.RuleStockCycle, ""},
		{"market.drivers.crop_prices.lag_months", 1.25, 3.47, 63.0, 62.4, 0, 0, "", ""},
		{"market.regions.*.stock_adjustment_per_month", 0.24, 0.683, 62.1, 62.6, 0.258, 0.919, model.RuleRelease, model.RuleStockCycle},
		{"events.precautionary-stocks.pct", 31.2, 91.1, 62.4, 62.7, 0, 0, "", ""},
		{"market.regions.*.stock_response", 0.00613, 0.00809, 62.7, 62.8, 0.00624, 0.0109, "", model.RuleStockCycle},
	} {
		bar := model.TornadoBar{Param: b.param, Low: b.low, High: b.high, AtLow: b.lo, AtHigh: b.hi,
			StatedLow: b.low, StatedHigh: b.high, LowCut: b.lowCut, HighCut: b.highCut}
		if b.lowCut != "" || b.highCut != "" {
			bar.StatedLow, bar.StatedHigh = b.sLow, b.sHigh
		}
		t.Bars = append(t.Bars, bar)
	}
	return t
}

// TestTornadoBarsHaveRoom: at every size the tornado's row labels leave
// its bars room (at the web size the built-in's labels, at 11 pt, took
// four fifths of the width: the bars were a sliver and the value axis
// had no labels): the value axis spans at least a quarter of the chart
// with at least three labelled ticks. At the slide size the labels keep
// the stated ends of a cut range; where they leave them off, a
// legend note says so.
func TestTornadoBarsHaveRoom(t *testing.T) {
	meta := fixtureMeta()
	meta.Draws = 0
	ch, err := TornadoChart(fixtureTornadoBuiltin(), meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range Sizes() {
		st, err := styleFor(sz)
		if err != nil {
			t.Fatal(err)
		}
		boxes, err := drawBoxes(ch, st)
		if err != nil {
			t.Fatal(err)
		}
		var ticks []textBox
		cut, note := false, false
		for _, b := range boxes {
			if strings.HasPrefix(b.text, "$") || strings.HasPrefix(b.text, "−$") {
				ticks = append(ticks, b)
			}
			cut = cut || strings.Contains(b.text, "; stated ")
			note = note || strings.HasPrefix(b.text, "Labels leave off")
		}
		if len(ticks) < 3 {
			t.Errorf("size %d: %d labelled ticks on the value axis, want at least 3", sz, len(ticks))
			continue
		}
		lo, hi := ticks[0].min.X, ticks[0].max.X
		for _, b := range ticks {
			lo, hi = min(lo, b.min.X), max(hi, b.max.X)
		}
		if hi-lo < st.width/4 {
			t.Errorf("size %d: the value axis's labels span %.0f of %.0f pt", sz, hi-lo, st.width)
		}
		if sz == SizeSlide && !cut {
			t.Errorf("size %d: the labels lost the stated ends", sz)
		}
		if !cut && !note {
			t.Errorf("size %d: the labels leave off the stated ends, and no note says so", sz)
		}
		if problems, err := CheckText(ch, sz); err != nil || len(problems) > 0 {
			t.Errorf("size %d: %v %q", sz, err, problems)
		}
	}
}

// TestTornadoLabelsTiers: tornadoLabels keeps the full labels when they
// take at most 55% of the width, else drops the stated ends, else the
// values, and its note says which.
func TestTornadoLabelsTiers(t *testing.T) {
	st, err := StyleOf(SizeWeb)
	if err != nil {
		t.Fatal(err)
	}
	sty := st.text(st.legend, false, colText)
	full := []string{"Stock response, all regions  (0.0071 – 0.0108; stated 0.00726 – 0.012)", "Crop-price lag  (1.25 – 3.47)"}
	short := []string{"Stock response, all regions  (0.0071 – 0.0108)", "Crop-price lag  (1.25 – 3.47)"}
	names := []string{"Stock response, all regions", "Crop-price lag"}
	for _, tc := range []struct {
		width vg.Length
		want  []string
		note  string
	}{
		{sty.Width(full[0])/0.55 + 0.01, full, ""},
		{sty.Width(full[0])/0.55 - 1, short, "stated ends"},
		{sty.Width(short[0])/0.55 + 0.01, short, "stated ends"},
		{sty.Width(short[0])/0.55 - 1, names, "percentiles"},
		{10, names, "percentiles"},
	} {
		got, note := tornadoLabels(sty, tc.width, full, short, names)
		if !slices.Equal(got, tc.want) || (tc.note == "") != (note == "") || !strings.Contains(note, tc.note) {
			t.Errorf("width %.1f: %q, note %q; want %q, a note on %q", tc.width, got, note, tc.want, tc.note)
		}
	}
}
