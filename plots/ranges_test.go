package plots

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestYRange: isolated outlier months are left off the scale (and
// marked), real movements are not, and the 90% band widens the axis by at
// most half the span of the lines.
func TestYRange(t *testing.T) {
	months := make([]model.Month, 108)
	for k := range months {
		months[k] = model.NewMonth(2020, 1) + model.Month(k)
	}
	flat := func(v float64) []float64 {
		out := make([]float64, len(months))
		for k := range out {
			out[k] = v + float64(k)*0.5 // 250 → 303.5, gently rising
		}
		return out
	}
	spike := func(v []float64, at int, to float64) []float64 {
		out := append([]float64(nil), v...)
		out[at] = to
		return out
	}
	hump := func(v []float64, from, n int, to float64) []float64 {
		out := append([]float64(nil), v...)
		for k := from; k < from+n; k++ {
			out[k] = to
		}
		return out
	}
	dollars := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	base := flat(250)
	for _, tc := range []struct {
		name      string
		series    []rangeSeries
		from      int
		maxHi     float64 // the axis's top is at most this
		minHi     float64 // and at least this
		marks     int
		markText  string
		withZero  bool
		wantLoMax float64 // the axis's bottom is at most this
	}{
		{name: "smooth", series: []rangeSeries{{name: "Scenario", v: base}}, minHi: 303.5, maxHi: 310, wantLoMax: 250},
		{name: "one-month spike", series: []rangeSeries{{name: "Scenario", v: spike(base, 25, 1000)}, {name: "Counterfactual", v: base}},
			minHi: 303.5, maxHi: 310, marks: 1, markText: "Scenario peaks at 1000, Feb 2022 (off scale)", wantLoMax: 250},
		{name: "one-month dip", series: []rangeSeries{{name: "Scenario", v: spike(base, 30, -500)}},
			minHi: 303.5, maxHi: 310, marks: 1, markText: "Scenario falls to -500, Jul 2022 (off scale)", wantLoMax: 250},
		{name: "a real hump is kept", series: []rangeSeries{{name: "Scenario", v: hump(base, 24, 8, 900)}}, minHi: 900, maxHi: 960, wantLoMax: 250},
		{name: "spike inside the shown window only", series: []rangeSeries{{name: "Scenario", v: spike(base, 25, 1000)}}, from: 60, minHi: 303.5, maxHi: 310, wantLoMax: 280},
		{name: "short run: nothing is cut", series: []rangeSeries{{name: "Scenario", v: spike(base[:20], 5, 1000)}}, minHi: 1000, maxHi: 1100, wantLoMax: 250},
		{name: "wide 90% band is cut at half the span", series: []rangeSeries{
			{name: "Scenario", v: base},
			{name: "90% band", v: flat(100), outer: true}, {name: "90% band", v: flat(600), outer: true}},
			minHi: 303.5 + 0.5*53.5, maxHi: 340, marks: 2, markText: "90% band to", wantLoMax: 230},
		{name: "spike in the band only", series: []rangeSeries{
			{name: "Scenario", v: base},
			{name: "90% band", v: spike(flat(240), 25, 1500), outer: true}},
			minHi: 303.5, maxHi: 310, marks: 1, markText: "90% band to 1500, Feb 2022 (off scale)", wantLoMax: 240},
		{name: "with zero", series: []rangeSeries{{name: "Canada", v: spike(flat(5), 25, 40)}}, withZero: true, minHi: 58.5, maxHi: 63, wantLoMax: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.series[0].v)
			lo, hi := yRange(tc.series, tc.from, n, tc.withZero)
			if hi < tc.minHi || hi > tc.maxHi {
				t.Errorf("top %v, want in [%v, %v]", hi, tc.minHi, tc.maxHi)
			}
			if lo > tc.wantLoMax || math.IsNaN(lo) {
				t.Errorf("bottom %v, want ≤ %v", lo, tc.wantLoMax)
			}
			marks := offScale(months[:n], tc.series, tc.from, n, lo, hi, dollars)
			if len(marks) != tc.marks {
				t.Fatalf("%d marks %+v, want %d", len(marks), marks, tc.marks)
			}
			if tc.marks > 0 && !strings.Contains(marks[0].text, tc.markText) {
				t.Errorf("mark %q, want one containing %q", marks[0].text, tc.markText)
			}
		})
	}
}

// TestTimeChartRanges: with draws, a one-month spike of the price and of
// its 90% band no longer sets the axis: the spike is marked on the chart;
// the report window is shaded and in the legend; WindowReport shows only
// the report window (issue 16 item 14).
func TestTimeChartRanges(t *testing.T) {
	run, mc := fixtureSpike()
	ch, err := pricePathChart(run, mc, fixtureMeta(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(t, ch, Options{})
	if !contains(texts, "Scenario peaks at $1,000/t, Feb 2022 (off scale)") {
		t.Errorf("no off-scale mark for the spike in %q", texts)
	}
	if !contains(texts, "Report window") {
		t.Error("no report window in the legend")
	}
	for _, s := range texts {
		if s == "$600" || s == "$1,000" || s == "$1,500" {
			t.Errorf("the spike sets the axis: tick %s", s)
		}
	}
	// The report window only: the axis starts in December 2025.
	charts, err := RunCharts(run, mc, fixtureMeta(), Options{Window: WindowReport})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range charts {
		if ch.Name != "price" && ch.Name != "revenue" && ch.Name != "volumes" {
			continue
		}
		texts, _ := svgTexts(t, ch, Options{})
		if contains(texts, "2024") || !contains(texts, "2027") {
			t.Errorf("%s with WindowReport: year ticks %q", ch.Name, texts)
		}
		if contains(texts, "Report window") {
			t.Errorf("%s with WindowReport still shades the window", ch.Name)
		}
	}
}

// TestCompareChartRanges: comparison charts of runs on the same months
// leave a one-month spike off the scale and mark it, naming the run by
// its legend name up to a colon, as the run charts do.
func TestCompareChartRanges(t *testing.T) {
	spiky, _ := fixtureSpike()
	flat, _ := fixtureSpike()
	flat.Scenario.Sol[25].Benchmark = flat.Scenario.Sol[24].Benchmark
	charts, err := CompareCharts([]*model.Run{flat, spiky}, []string{"Pinned: discount 15%", "Current: discount 60%"}, "", fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(t, charts[0], Options{Size: SizeWeb})
	if !contains(texts, "Current peaks at $1,000/t, Feb 2022 (off scale)") {
		t.Errorf("no off-scale mark for the spike in %q", texts)
	}
	for _, s := range texts {
		if s == "$600" || s == "$1,000" {
			t.Errorf("the spike sets the axis: tick %s", s)
		}
	}
}

// fixtureSpike is the fixture with a flat, gently rising price but for a
// one-month spike to $1,000 in Feb 2022, with a 90% band to $1,500 then:
// the shape of the model's 2022 spike (issue 14).
func fixtureSpike() (*model.Run, *model.MCResult) {
	run := fixtureRun(fixtureOpts{})
	mc := fixtureMC(run)
	flat := func(p *model.Path) {
		for k, s := range p.Sol {
			s.Benchmark = 300 + float64(k)*0.2
		}
	}
	flat(run.Scenario)
	flat(run.Counterfactual)
	run.Scenario.Sol[25].Benchmark = 1000 // Feb 2022
	for j := range mc.Series[0].Level {
		b := &mc.Series[0].Level[j]
		v := 300 + float64(j)*0.2
		b.P5, b.P25, b.P50, b.P75, b.P95 = v-10, v-4, v, v+4, v+10
	}
	mc.Series[0].Level[25].P95 = 1500
	return run, mc
}

// TestCompareFromDifference: a comparison of runs that share a history
// (the 2022 peak) starts compareLead months before the first month where
// they differ, so that the history does not set the scale, and its
// subtitle says so; runs that never differ keep their whole span.
func TestCompareFromDifference(t *testing.T) {
	base := fixtureRun(fixtureOpts{})
	late := fixtureRun(fixtureOpts{delay: 0.5})
	none := fixtureRun(fixtureOpts{zero: true})
	d, err := newRunData(base)
	if err != nil {
		t.Fatal(err)
	}
	months := d.months
	first := -1 // the relief's first month in base: where the runs part
	for k := range months {
		if base.Scenario.Sol[k].Benchmark != none.Scenario.Sol[k].Benchmark {
			first = k
			break
		}
	}
	if first < compareLead {
		t.Fatalf("fixture: runs part at month %d", first)
	}
	peak := 0.0
	for _, s := range base.Scenario.Sol {
		peak = math.Max(peak, s.Benchmark)
	}
	st, _ := styleFor(SizeSlide)
	for _, tc := range []struct {
		name  string
		runs  []*model.Run
		start model.Month
	}{
		{"parting", []*model.Run{base, late, none}, months[first-compareLead]},
		{"identical", []*model.Run{none, none}, months[0]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			charts, err := CompareCharts(tc.runs, []string{"a", "b", "c"}[:len(tc.runs)], "Belarus", fixtureMeta())
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range charts {
				fig, err := ch.Build(st)
				if err != nil {
					t.Fatal(err)
				}
				p := fig.Panels[0][0].Plot
				if p.X.Min != MonthX(tc.start) {
					t.Errorf("%s starts at %v, want %v (%v)", ch.Name, p.X.Min, MonthX(tc.start), monthLabel(tc.start))
				}
				note := "shown from " + monthLabel(tc.start) + ": the runs are the same before " + monthLabel(months[first])
				if got := strings.Contains(ch.Subtitle, note); got != (tc.name == "parting") {
					t.Errorf("%s: subtitle %q; note %q shown: %v", ch.Name, ch.Subtitle, note, got)
				}
				if ch.Name == "compare_benchmark_price" && tc.name == "parting" && p.Y.Max >= peak {
					t.Errorf("the shared 2022 peak (%.0f) sets the scale: y up to %.0f", peak, p.Y.Max)
				}
			}
		})
	}
}
