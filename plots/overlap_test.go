package plots

import (
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/potash-sim/potash/model"
)

// briefingMeta is what the charts of a real run say: the embedded data's
// long credit line, the constant-dollar year and the default scenario's
// events, several in the same few months.
func briefingMeta() Meta {
	m := fixtureMeta()
	m.DataSource = "Data: base-2020 v1.3.0 (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md)"
	m.DollarsOf = 2020
	m.ModelVersion = "0.5.1"
	m.Draws, m.Seed = 300, 7
	m.Markers = []Marker{
		{Month: model.NewMonth(2021, 7), Label: "EU sanctions (June 2021)"},
		{Month: model.NewMonth(2021, 7), Label: "Buyers stock up ahead of the closures"},
		{Month: model.NewMonth(2021, 12), Label: "US sanctions"},
		{Month: model.NewMonth(2021, 12), Label: "BPC designated (buyers' risk cost)"},
		{Month: model.NewMonth(2022, 2), Label: "Klaipėda closed"},
		{Month: model.NewMonth(2022, 3), Label: "EU ban (all grades)"},
		{Month: model.NewMonth(2022, 3), Label: "Rerouting via Russian ports"},
		{Month: model.NewMonth(2022, 3), Label: "Rail to China grows"},
		{Month: model.NewMonth(2022, 7), Label: "EU quota on Russian KCl"},
		{Month: model.NewMonth(2025, 12), Label: "US relief (risk cost)"},
		{Month: model.NewMonth(2027, 7), Label: "BHP Jansen Stage 1"},
		{Month: model.NewMonth(2027, 7), Label: "Jansen port capacity"},
	}
	return m
}

// allCharts is every kind of chart, from the fixtures with meta.
func allCharts(t *testing.T, meta Meta) []*Chart {
	t.Helper()
	run := fixtureRun(fixtureOpts{})
	charts, err := RunCharts(run, fixtureMC(run), meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tor := range []*model.Tornado{fixtureTornado(), fixtureTornadoCut(), fixtureTornadoSameSide()} {
		ch, err := TornadoChart(tor, meta)
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, ch)
	}
	for _, dims := range []int{1, 2} {
		sw, err := SweepCharts(fixtureSweep(dims), meta)
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, sw...)
	}
	cmp, err := CompareCharts([]*model.Run{run, fixtureRun(fixtureOpts{delay: 0.5}), fixtureRun(fixtureOpts{zero: true})},
		[]string{"us-relief-2025", "relief-2026", "history"}, "Belarus", meta)
	if err != nil {
		t.Fatal(err)
	}
	charts = append(charts, cmp...)
	// The stocks (the fixture's regions hold none), and the notes on the
	// data: a spike off the scale, scenario and counterfactual identical.
	srun, smc := fixtureSpike()
	zrun := fixtureRun(fixtureOpts{zero: true})
	for _, mk := range []func() (*Chart, error){
		func() (*Chart, error) { return StocksChart(fixtureRun(fixtureOpts{stocks: true}), meta) },
		func() (*Chart, error) { return PricePathChart(srun, smc, meta) },
		func() (*Chart, error) { return PricePathChart(zrun, nil, meta) },
		func() (*Chart, error) { return RegionPriceChart(zrun, nil, meta) },
	} {
		ch, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, ch)
	}
	return charts
}

// TestNoTextOverlaps: at every size, no two strings of a chart (title,
// subtitle, tick and axis labels, legend, event labels, cell values,
// footer) overlap, measured with gonum/plot's text extents, and none
// leaves the canvas.
func TestNoTextOverlaps(t *testing.T) {
	for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
		for _, ch := range allCharts(t, meta) {
			for _, sz := range Sizes() {
				st, _ := styleFor(sz)
				for _, p := range overlaps(textBoxes(t, ch, st), st.width, st.height, 0.25) {
					t.Errorf("%s at size %d: %s", ch.Name, sz, p)
				}
			}
		}
	}
}

// TestFooterWrapsNotShrinks: a footer too long for one line wraps between
// its parts at its own size, at every size; it is never shrunk (at
// half-page size a footer shrunk to fit one line ran "FAOSTAT," into
// "World"), and its lines fit the canvas.
func TestFooterWrapsNotShrinks(t *testing.T) {
	for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
		for _, ch := range allCharts(t, meta) {
			for _, sz := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
				st, _ := styleFor(sz)
				var lines []string
				for _, b := range textBoxes(t, ch, st) {
					if strings.Contains(ch.Footer, b.text) && b.size == st.footer && b.max.Y < st.height/6 {
						lines = append([]string{b.text}, lines...) // drawn from the bottom up
						if b.max.X > st.width-st.pad {
							t.Errorf("%s at size %d: footer line %q runs to %.1f pt of %.1f", ch.Name, sz, b.text, b.max.X, st.width)
						}
					}
				}
				got := strings.Join(lines, " ")
				got = strings.ReplaceAll(got, footerSep, " ")
				if want := strings.ReplaceAll(ch.Footer, footerSep, " "); got != want {
					t.Errorf("%s at size %d: footer drawn at %v pt as %q, want %q", ch.Name, sz, st.footer, lines, ch.Footer)
				}
			}
		}
	}
}

// TestFooterLines: footer lines break between parts, a part too long for
// a line at its spaces, and no line is wider than the width.
func TestFooterLines(t *testing.T) {
	st, _ := styleFor(SizeHalfPage)
	sty := st.text(st.footer, false, colFooter)
	footer := footerText(briefingMeta())
	for _, width := range []vg.Length{1000, 400, 200, 120} {
		lines := footerLines(footer, sty, width)
		for _, l := range lines {
			if sty.Width(l) > width {
				t.Errorf("width %v: line %q is %.1f pt wide", width, l, sty.Width(l))
			}
		}
		if got := strings.Join(lines, " "); strings.ReplaceAll(got, footerSep, " ") != strings.ReplaceAll(footer, footerSep, " ") {
			t.Errorf("width %v: lines %q lose words of %q", width, lines, footer)
		}
		if width >= 400 { // wide enough for every part: lines of whole parts
			parts := strings.Split(footer, footerSep)
			for _, l := range lines {
				for _, p := range strings.Split(l, footerSep) {
					if !slices.Contains(parts, p) {
						t.Errorf("width %v: part %q of line %q is not a whole part of %q", width, p, l, footer)
					}
				}
			}
		}
	}
	if n := len(footerLines(footer, sty, 1000)); n != 1 {
		t.Errorf("a footer that fits takes %d lines", n)
	}
}

// TestThinXTicks: number ticks on a narrow panel's x axis thin out until
// their labels stand apart, rather than run together.
func TestThinXTicks(t *testing.T) {
	st, _ := styleFor(SizeHalfPage)
	for _, tk := range []plot.Ticker{NumberTicks{}, offsetTicks{NumberTicks{}, 0.05}} {
		p := newPlot(st)
		p.X.Min, p.X.Max = 0, 1.5
		p.X.Tick.Marker = tk
		dc := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: 70, Y: 100}}}
		thinXTicks(p, dc)
		prev := vg.Length(math.Inf(-1))
		n := 0
		for _, tc := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
			if tc.Label == "" {
				continue
			}
			n++
			x, w := dc.X(p.X.Norm(tc.Value)), p.X.Tick.Label.Width(tc.Label)
			if x-w/2 < prev {
				t.Errorf("%T: label %q runs into the one before it", tk, tc.Label)
			}
			prev = x + w/2
		}
		if n < 2 {
			t.Errorf("%T: %d labels left; want at least 2", tk, n)
		}
	}
}

// textBoxes draws ch at st and returns the boxes of its strings.
func textBoxes(t *testing.T, ch *Chart, st *Style) []textBox {
	t.Helper()
	boxes, err := drawBoxes(ch, st)
	if err != nil {
		t.Fatal(err)
	}
	return boxes
}
