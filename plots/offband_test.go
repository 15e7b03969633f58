package plots

import (
	"strings"
	"testing"
)

// TestOffBandNote: a chart with Monte Carlo bands whose central run lies
// outside them says so, with the pipeline's reason (Meta.OffBand) or a
// general one; with the central run inside its bands it says nothing.
func TestOffBandNote(t *testing.T) {
	run := fixtureRun(fixtureOpts{})
	inside := fixtureMC(run)
	// The same draws, the bands of the benchmark price, of Brazil's price
	// and of Belarus's total moved above the central run: it lies below
	// them, as a run at the edge of a parameter's range can.
	outside := fixtureMC(run)
	for k := range outside.Series {
		s := &outside.Series[k]
		if s.Variable == "benchmark_price" || (s.Variable == "price_paid" && s.Entity == "Brazil") {
			for t := range s.Level {
				b := &s.Level[t]
				lift := b.P95 - b.P5 + 1
				b.P5, b.P25, b.P50, b.P75, b.P95 = b.P5+lift, b.P25+lift, b.P50+lift, b.P75+lift, b.P95+lift
			}
		}
	}
	for k := range outside.Totals {
		if b := &outside.Totals[k].Band; outside.Totals[k].Metric == "netback_revenue_change.Belarus" {
			lift := b.P95 - b.P5 + 1
			b.P5, b.P95 = b.P5+lift, b.P95+lift
		}
	}
	why := "by construction, not an error (2 parameters sit at an edge)"
	for _, tc := range []struct {
		name string
		mc   bool // the bands moved
		why  string
		want map[string]string // chart → note
	}{
		{"inside", false, why, nil},
		{"outside", true, why, map[string]string{
			"price":          "Scenario leaves its 90% band: " + why,
			"price_regions":  "Scenario leaves its 90% band in Brazil: " + why,
			"revenue_change": "Belarus: central value outside its error bar: " + why,
		}},
		{"no reason given", true, "", map[string]string{
			"price": "Scenario leaves its 90% band: " + offBandWhy,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			meta := fixtureMeta()
			meta.OffBand = tc.why
			mc := inside
			if tc.mc {
				mc = outside
			}
			charts, err := RunCharts(run, mc, meta, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range charts {
				texts, _ := svgTexts(t, ch, Options{})
				all := strings.Join(texts, " ")
				want, ok := tc.want[ch.Name]
				switch {
				case ok && !strings.Contains(all, want):
					t.Errorf("%s: no note %q in %q", ch.Name, want, texts)
				case tc.want == nil && (strings.Contains(all, "by construction") || strings.Contains(all, "leaves its")):
					t.Errorf("%s: a note with the central run inside its bands: %q", ch.Name, texts)
				}
			}
		})
	}
}
