package plots

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image/png"
	"math"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/potash-sim/potash/model"
)

var svgText = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// svgTexts renders ch as SVG and returns its text elements, unescaped.
func svgTexts(t *testing.T, ch *Chart, opts Options) ([]string, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := ch.Render(&buf, "svg", opts); err != nil {
		t.Fatalf("render svg: %v", err)
	}
	var out []string
	for _, m := range svgText.FindAllStringSubmatch(buf.String(), -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out, buf.String()
}

// containsLines reports whether consecutive texts read as s, wrapped
// onto lines (a long subtitle wraps rather than shrinks).
func containsLines(texts []string, s string) bool {
	want := strings.Join(strings.Fields(s), " ")
	for i := range texts {
		got := ""
		for _, l := range texts[i:] {
			if got != "" {
				got += " "
			}
			got += strings.Join(strings.Fields(l), " ")
			if got == want {
				return true
			}
			if !strings.HasPrefix(want, got) {
				break
			}
		}
	}
	return false
}

// TestSVGText checks the words a reader sees: titles, subtitles, footer,
// tick labels and bar labels, in the SVG text of each chart.
func TestSVGText(t *testing.T) {
	_, _, charts := fixtureCharts(t)
	byName := map[string]*Chart{}
	for _, ch := range charts {
		byName[ch.Name] = ch
	}
	wantNames := []string{"price", "price_regions", "revenue", "revenue_change", "volumes", "shares", "flows", "corridors_Russia", "corridors_Belarus"}
	for _, n := range wantNames {
		if byName[n] == nil {
			t.Errorf("RunCharts made no %q chart", n)
		}
	}
	footer := "Data: base-2020 v1.0.0 (FAOSTAT, World Bank Pink Sheet) · potash model 0.1.0 · scenario hash 3f9a0c21b7d4 · Monte Carlo: 200 draws, seed 42"
	for _, ch := range charts {
		t.Run(ch.Name, func(t *testing.T) {
			texts, doc := svgTexts(t, ch, Options{})
			if !contains(texts, ch.Title) {
				t.Errorf("title %q not in SVG", ch.Title)
			}
			if !strings.Contains(ch.Subtitle, "Scenario: us-relief-2025  vs  counterfactual: history") || !containsLines(texts, ch.Subtitle) {
				t.Errorf("subtitle %q missing or without scenario and counterfactual", ch.Subtitle)
			}
			if !contains(texts, footer) {
				t.Errorf("footer %q not in SVG", footer)
			}
			if strings.Contains(doc, "3f9a0c21b7d45e6f") {
				t.Errorf("footer shows more than 12 hex digits of the hash")
			}
			if !strings.Contains(doc, "@font-face") {
				t.Errorf("SVG does not embed its fonts")
			}
			if !strings.Contains(doc, "Liberation Sans") && !strings.Contains(doc, "LiberationSans") {
				t.Errorf("SVG does not use Liberation Sans")
			}
			for _, s := range texts {
				if regexp.MustCompile(`\de[+-]\d`).MatchString(s) || strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
					t.Errorf("text %q shows exponent notation or a non-number", s)
				}
			}
		})
	}

	// Time axes: one label per year, on the year.
	texts, _ := svgTexts(t, byName["price"], Options{})
	for y := 2020; y <= 2028; y++ {
		if !contains(texts, fmt.Sprint(y)) {
			t.Errorf("price chart lacks the year tick %d", y)
		}
	}
	for _, s := range []string{"$200", "$400", "$600", "$800", "Price, US$ per tonne KCl", "US relief", "Belarus discount · Klaipėda closed", "Jansen", "50% band", "90% band", "Scenario", "Counterfactual"} {
		if !contains(texts, s) {
			t.Errorf("price chart lacks %q", s)
		}
	}
	// Cumulative change labels, computed from the fixture: Belarus gains.
	texts, _ = svgTexts(t, byName["revenue_change"], Options{})
	var belarus string
	for _, s := range texts {
		if strings.HasPrefix(s, "Belarus  ") {
			belarus = s
		}
	}
	if !regexp.MustCompile(`^Belarus  \+\$0\.\d\d bn$`).MatchString(belarus) {
		t.Errorf("Belarus bar label = %q, want like \"Belarus  +$0.81 bn\"", belarus)
	}
	// Every bar in the unit of the largest (Canada's −$1.34 bn), as the
	// axis is.
	if !contains(texts, "Canada  "+minus+"$1.34 bn") {
		t.Errorf("no Canada label \"Canada  −$1.34 bn\" in %q", texts)
	}
	// Heat map: a value in a cell, and the market labels.
	texts, _ = svgTexts(t, byName["flows"], Options{})
	for _, s := range []string{"+0.54", "Brazil", "Belarus", "Change in flow, Mt/yr", "Importing market"} {
		if !contains(texts, s) {
			t.Errorf("flows chart lacks %q", s)
		}
	}
	// Small multiples number their events and key them in the legend.
	texts, _ = svgTexts(t, byName["price_regions"], Options{})
	for _, s := range []string{"Events", "1", "7", "Demand boom", "Belarus discount", "Klaipėda closed", "Jansen"} {
		if !contains(texts, s) {
			t.Errorf("price_regions chart lacks %q", s)
		}
	}
	// Half-page size renders the same words.
	texts, _ = svgTexts(t, byName["price"], Options{Size: SizeHalfPage})
	if !contains(texts, "2024") || !contains(texts, byName["price"].Title) {
		t.Errorf("half-page price chart lacks title or ticks")
	}
}

func TestCalendarTicks(t *testing.T) {
	m := func(y, mo int) float64 { return monthX(model.NewMonth(y, mo)) }
	for _, tc := range []struct {
		name     string
		min, max float64
		max0     int
		want     []string // labelled ticks in order
	}{
		{"9 years", m(2020, 1), m(2028, 12), 0, []string{"2020", "2021", "2022", "2023", "2024", "2025", "2026", "2027", "2028"}},
		{"9 years narrow", m(2020, 1), m(2028, 12), 4, []string{"2020", "2024", "2028"}},
		{"2 years", m(2021, 3), m(2022, 12), 0, []string{"Q2", "Q3", "Q4", "2022", "Q2", "Q3", "Q4"}},
		{"6 months", m(2025, 11), m(2026, 4), 0, []string{"Nov 2025", "Dec", "Jan 2026", "Feb", "Mar", "Apr"}},
		{"40 years", m(2000, 1), m(2039, 12), 0, []string{"2000", "2004", "2008", "2012", "2016", "2020", "2024", "2028", "2032", "2036"}},
		{"mid-month bounds", m(2020, 1) + 0.01, m(2021, 1) - 0.01, 0, []string{"Q2", "Q3", "Q4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tk := range (CalendarTicks{MaxLabels: tc.max0}).Ticks(tc.min, tc.max) {
				// Every tick, labelled or minor, is on a month boundary.
				if k := tk.Value * 12; math.Abs(k-math.Round(k)) > 1e-9 {
					t.Errorf("tick at %v is not on a month boundary", tk.Value)
				}
				if tk.Value < tc.min-1e-9 || tk.Value > tc.max+1e-9 {
					t.Errorf("tick %v outside [%v, %v]", tk.Value, tc.min, tc.max)
				}
				if tk.Label != "" {
					got = append(got, tk.Label)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("labels = %q, want %q", got, tc.want)
			}
		})
	}
	if ticks := (CalendarTicks{}).Ticks(math.NaN(), 1); ticks != nil {
		t.Errorf("NaN range gave ticks %v", ticks)
	}
}

func TestNumberTicks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		nt       NumberTicks
		min, max float64
		want     []string
	}{
		{"prices", NumberTicks{Prefix: "$"}, 230, 890, []string{"$300", "$400", "$500", "$600", "$700", "$800"}},
		{"billions", NumberTicks{}, 0, 3.2e9, []string{"0", "500,000,000", "1,000,000,000", "1,500,000,000", "2,000,000,000", "2,500,000,000", "3,000,000,000"}},
		{"negative money", NumberTicks{Prefix: "$"}, -2.1, 1.2, []string{minus + "$2.0", minus + "$1.5", minus + "$1.0", minus + "$0.5", "$0.0", "$0.5", "$1.0"}},
		{"quarter steps", NumberTicks{}, 0, 11.5, []string{"0.0", "2.5", "5.0", "7.5", "10.0"}},
		{"small", NumberTicks{}, 0.01, 0.052, []string{"0.01", "0.02", "0.03", "0.04", "0.05"}},
		{"years plain", NumberTicks{Plain: true}, 2025, 2028, []string{"2025.0", "2025.5", "2026.0", "2026.5", "2027.0", "2027.5", "2028.0"}},
		{"flat", NumberTicks{}, 5, 5, []string{"4.0", "4.5", "5.0", "5.5", "6.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, tk := range tc.nt.Ticks(tc.min, tc.max) {
				if tk.Label != "" {
					got = append(got, tk.Label)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("labels = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{formatNumber(1234567.891, 2), "1,234,567.89"},
		{formatNumber(-0.5, 1), minus + "0.5"},
		{formatNumber(-0.001, 1), "0.0"}, // no "−0.0"
		{formatNumber(999, 0), "999"},
		{formatNumber(1000, 0), "1,000"},
		{signed(0.47, 2), "+0.47"},
		{signed(0, 2), "0.00"},
		{monthLabel(model.NewMonth(2022, 2)), "Feb 2022"},
		{formatValue(1.24, "US$ bn"), "+$1.2 bn"},
		{sig3(0.1), "0.1"},
		{sig3(0.0123456), "0.0123"},
		{sig3(23.25), "23.3"},
		{sig3(-6.8), minus + "6.8"},
		{sig3(2025.5), "2,030"},
		{sig3(999.96), "1,000"},
		{sig3(1.2e-5), "1.2×10^" + minus + "5"},
		{metricTitle("revenue_change.Belarus"), "Export revenue (FOB) change, Belarus"},
		{metricTitle("netback_revenue_change.Canada"), "Netback revenue (mine gate) change, Canada"},
		{metricTitle("revenue"), "Export revenue (FOB)"},
		{metricTitle("benchmark_price_change"), "Benchmark price change"},
		{fileName("United States"), "United_States"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSupplierColors(t *testing.T) {
	// The fixed map has one distinct colour per supplier.
	seen := map[any]string{}
	for n, c := range supplierColors {
		if o, ok := seen[c]; ok {
			t.Errorf("%s and %s share colour %v", n, o, c)
		}
		seen[c] = n
	}
	// A supplier's colour does not depend on the market it is in.
	all := supplierPalette([]string{"Canada", "Russia", "Belarus", "China", "Israel", "Jordan", "Germany", "Laos", "Chile", "United States", "Other"})
	one := supplierPalette([]string{"Belarus"})
	if all[2] != one[0] || one[0] != supplierColors["Belarus"] {
		t.Errorf("Belarus is %v alone but %v among all", one[0], all[2])
	}
	// Suppliers not in the map get distinct colours, unused by the map.
	extra := supplierPalette([]string{"Canada", "Morocco", "Spain", "Brazil"})
	for k := 1; k < 4; k++ {
		if _, ok := seen[extra[k]]; ok {
			t.Errorf("unlisted supplier %d got a listed supplier's colour", k)
		}
		for j := 1; j < k; j++ {
			if extra[j] == extra[k] {
				t.Errorf("unlisted suppliers %d and %d share a colour", j, k)
			}
		}
	}
}

// TestRenderVariants renders every chart from the edge cases the issue
// names: one supplier, many suppliers, all-zero changes, Monte Carlo bands,
// a short horizon, a single month, and every format.
func TestRenderVariants(t *testing.T) {
	many := fixtureRun(fixtureOpts{})
	// 15 suppliers: the 11 named ones and four the palette does not list.
	mm := many.Scenario.Cal.Market
	for k, n := range []string{"Morocco", "Spain", "Brazil", "Ethiopia"} {
		src := k % 3
		mm.Suppliers = append(mm.Suppliers, model.Supplier{Name: n, Corridors: []model.Corridor{{Name: "Port", Capacity: 5}}})
		for _, p := range []*model.Path{many.Scenario, many.Counterfactual} {
			for _, s := range p.Sol {
				s.FOB = append(s.FOB, s.FOB[src])
				s.Exports = append(s.Exports, s.Exports[src]/10)
				s.ExportRev = append(s.ExportRev, s.ExportRev[src]/10)
				s.NetbackRevenue = append(s.NetbackRevenue, s.NetbackRevenue[src]/10)
				s.Flow = append(s.Flow, scale(s.Flow[src], 0.1))
				s.CorridorFlow = append(s.CorridorFlow, []float64{s.Exports[src] / 10})
				s.CorridorUse = append(s.CorridorUse, []float64{s.Exports[src] / 50})
			}
		}
	}
	cases := []struct {
		name string
		run  *model.Run
		mc   bool
		opts Options
	}{
		{"one supplier", fixtureRun(fixtureOpts{suppliers: 1}), false, Options{}},
		{"one supplier with MC", fixtureRun(fixtureOpts{suppliers: 1}), true, Options{}},
		{"many suppliers", many, true, Options{}},
		{"all-zero changes", fixtureRun(fixtureOpts{zero: true}), false, Options{}},
		{"all-zero changes with MC", fixtureRun(fixtureOpts{zero: true}), true, Options{}},
		{"one region", fixtureRun(fixtureOpts{regions: 1}), true, Options{}},
		{"short horizon", fixtureRun(fixtureOpts{months: 14}), true, Options{Size: SizeHalfPage}},
		{"single month", fixtureRun(fixtureOpts{months: 1}), false, Options{}},
		{"all formats", fixtureRun(fixtureOpts{}), true, Options{Formats: []string{"png", "svg", "pdf"}, DPI: 30}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mc *model.MCResult
			if tc.mc {
				mc = fixtureMC(tc.run)
			}
			opts := tc.opts
			if opts.DPI == 0 {
				opts.DPI = 30
			}
			files, err := noPanic(t, func() ([]File, error) { return renderRun(tc.run, mc, fixtureMeta(), opts) })
			if err != nil {
				t.Fatal(err)
			}
			nf := len(opts.Formats)
			if nf == 0 {
				nf = 1
			}
			if len(files)%nf != 0 || len(files) < 7*nf {
				t.Errorf("wrote %d files", len(files))
			}
			seen := map[string]bool{}
			for _, f := range files {
				b := f.Data
				if seen[f.Name()] {
					t.Errorf("%s rendered twice", f.Name())
				}
				seen[f.Name()] = true
				switch f.Format {
				case "png":
					if _, err := png.Decode(bytes.NewReader(b)); err != nil {
						t.Errorf("%s: %v", f.Name(), err)
					}
				case "svg":
					if !bytes.HasPrefix(b, []byte("<?xml")) || !bytes.Contains(b, []byte("</svg>")) {
						t.Errorf("%s is not a complete SVG", f.Name())
					}
				case "pdf":
					if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("FontFile")) {
						t.Errorf("%s is not a PDF with embedded fonts", f.Name())
					}
				default:
					t.Errorf("%s: format %q", f.Name(), f.Format)
				}
			}
		})
	}
}

// renderRun renders every chart of a run (RunCharts) in every format of
// opts (RenderAll), as the run pipeline does before it writes them.
func renderRun(run *model.Run, mc *model.MCResult, meta Meta, opts Options) ([]File, error) {
	charts, err := RunCharts(run, mc, meta, opts)
	if err != nil {
		return nil, err
	}
	return RenderAll(context.Background(), charts, opts)
}

// render renders charts made by a constructor, in the default format.
func render(charts []*Chart, err error) ([]File, error) {
	if err != nil {
		return nil, err
	}
	return RenderAll(context.Background(), charts, Options{})
}

func one(ch *Chart, err error) ([]*Chart, error) { return []*Chart{ch}, err }

// noPanic calls f and turns a panic into a test failure.
func noPanic[T any](t *testing.T, f func() (T, error)) (v T, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}

// TestBadData: empty, NaN or Inf data, and inconsistent results, give an
// error naming the problem, never a panic, and no chart at all.
func TestBadData(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	mut := func(f func(r *model.Run)) *model.Run {
		r := fixtureRun(fixtureOpts{months: 24})
		f(r)
		return r
	}
	cases := []struct {
		name string
		run  *model.Run
		mc   func(r *model.Run) *model.MCResult
		want string
	}{
		{"nil run", nil, nil, "missing scenario"},
		{"no counterfactual", mut(func(r *model.Run) { r.Counterfactual = nil }), nil, "missing scenario or counterfactual"},
		{"no months", mut(func(r *model.Run) {
			for _, p := range []*model.Path{r.Scenario, r.Counterfactual} {
				p.Months, p.Sol = nil, nil
			}
		}), nil, "no months"},
		{"missing solution", mut(func(r *model.Run) { r.Scenario.Sol[3] = nil }), nil, "no solution for 2020-04"},
		{"short solutions", mut(func(r *model.Run) { r.Counterfactual.Sol = r.Counterfactual.Sol[:5] }), nil, "counterfactual solutions"},
		{"NaN benchmark", mut(func(r *model.Run) { r.Scenario.Sol[5].Benchmark = nan }), nil, "benchmark_price: NaN in the scenario in 2020-06"},
		{"Inf price paid", mut(func(r *model.Run) { r.Counterfactual.Sol[0].PricePaid[2] = inf }), nil, "price_paid of China"},
		{"NaN revenue", mut(func(r *model.Run) { r.Scenario.Sol[1].ExportRev[2] = nan }), nil, "export_revenue of Belarus"},
		{"missing flows", mut(func(r *model.Run) { r.Scenario.Sol[1].Flow = nil }), nil, "flow Canada→Brazil: missing"},
		{"negative exports", mut(func(r *model.Run) { r.Scenario.Sol[1].Exports[0] = -1 }), nil, "negative"},
		{"no suppliers", mut(func(r *model.Run) { r.Scenario.Cal.Market.Suppliers = nil }), nil, "0 suppliers"},
		{"MC without the series", fixtureRun(fixtureOpts{months: 24}), func(r *model.Run) *model.MCResult {
			mc := fixtureMC(r)
			mc.Series = mc.Series[1:]
			return mc
		}, `no series "benchmark_price"`},
		{"MC with NaN band", fixtureRun(fixtureOpts{months: 24}), func(r *model.Run) *model.MCResult {
			mc := fixtureMC(r)
			mc.Series[0].Level[4].P95 = nan
			return mc
		}, "Monte Carlo benchmark_price of World: NaN"},
		{"MC on other months", fixtureRun(fixtureOpts{months: 24}), func(r *model.Run) *model.MCResult {
			mc := fixtureMC(r)
			mc.Months = mc.Months[2:]
			return mc
		}, "no bands for 2020-01"},
		{"MC without totals", fixtureRun(fixtureOpts{months: 24}), func(r *model.Run) *model.MCResult {
			mc := fixtureMC(r)
			mc.Totals = nil
			return mc
		}, `no total "netback_revenue_change.Canada"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var mc *model.MCResult
			if tc.mc != nil {
				mc = tc.mc(tc.run)
			}
			files, err := noPanic(t, func() ([]File, error) { return renderRun(tc.run, mc, fixtureMeta(), Options{DPI: 30}) })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if files != nil {
				t.Errorf("%d charts returned with an error", len(files))
			}
		})
	}

	// Other entry points.
	tor := fixtureTornado()
	tor.Bars[1].AtHigh = nan
	sw := fixtureSweep(1)
	sw.Values[0][0] = inf // a converged point
	sw2 := fixtureSweep(2)
	sw2.Values = sw2.Values[:5]
	bad := []struct {
		name string
		f    func() ([]File, error)
		want string
	}{
		{"tornado nil", func() ([]File, error) { return render(one(TornadoChart(nil, Meta{}))) }, "no parameters"},
		{"tornado empty", func() ([]File, error) { return render(one(TornadoChart(&model.Tornado{}, Meta{}))) }, "no parameters"},
		{"tornado NaN", func() ([]File, error) { return render(one(TornadoChart(tor, Meta{}))) }, "events.belarus-discount.pct"},
		{"sweep nil", func() ([]File, error) { return render(SweepCharts(nil, Meta{})) }, "no axes"},
		{"sweep Inf", func() ([]File, error) { return render(SweepCharts(sw, Meta{})) }, "sweep point 0"},
		{"sweep ragged", func() ([]File, error) { return render(SweepCharts(sw2, Meta{})) }, "5 points of values for a grid of 42"},
		{"compare none", func() ([]File, error) { return render(CompareCharts(nil, nil, "Belarus", Meta{})) }, "no runs"},
		{"compare names", func() ([]File, error) {
			return render(CompareCharts([]*model.Run{fixtureRun(fixtureOpts{months: 3})}, nil, "Belarus", Meta{}))
		}, "0 names for 1 runs"},
		{"bad format", func() ([]File, error) {
			return renderRun(fixtureRun(fixtureOpts{months: 3}), nil, Meta{}, Options{Formats: []string{"gif"}})
		}, `unknown format "gif"`},
		{"bad size", func() ([]File, error) {
			return renderRun(fixtureRun(fixtureOpts{months: 3}), nil, Meta{}, Options{Size: 7})
		}, "unknown size"},
		{"bad DPI", func() ([]File, error) {
			return renderRun(fixtureRun(fixtureOpts{months: 3}), nil, Meta{}, Options{DPI: 5})
		}, "DPI 5"},
		{"flow month outside", func() ([]File, error) {
			return renderRun(fixtureRun(fixtureOpts{months: 3}), nil, Meta{}, Options{FlowMonth: model.NewMonth(2030, 1)})
		}, "trade-flow month 2030-01 outside the run"},
		{"cancelled", func() ([]File, error) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			charts, err := RunCharts(fixtureRun(fixtureOpts{months: 3}), nil, Meta{}, Options{})
			if err != nil {
				return nil, err
			}
			return RenderAll(ctx, charts, Options{})
		}, "context canceled"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			files, err := noPanic(t, tc.f)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if files != nil {
				t.Errorf("%d charts returned with an error", len(files))
			}
		})
	}
}

// TestPlotterConstructors: the plotters reject empty, ragged, NaN and Inf
// data.
func TestPlotterConstructors(t *testing.T) {
	nan := math.NaN()
	c := colScen
	sty := draw.LineStyle{}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"band empty", second(band(nil, nil, nil, c))},
		{"band ragged", second(band([]float64{1, 2}, []float64{1}, []float64{1, 2}, c))},
		{"band NaN", second(band([]float64{1, 2}, []float64{1, nan}, []float64{1, 2}, c))},
		{"area empty", second(stackedAreas([]float64{1}, nil, nil))},
		{"area negative", second(stackedAreas([]float64{1}, [][]float64{{-1}}, []colorT{c}))},
		{"area Inf", second(stackedAreas([]float64{1}, [][]float64{{math.Inf(1)}}, []colorT{c}))},
		{"events NaN", second(NewEventLines([]float64{nan}, sty))},
		{"bars empty", second(newRowBars(nil, 0, 1, c))},
		{"bars NaN", second(newRowBars([]float64{nan}, 0, 1, c))},
		{"error bars ragged", second(rangeBars([]float64{1}, nil, sty, 1))},
		{"error bars Inf", second(rangeBars([]float64{1}, []float64{math.Inf(1)}, sty, 1))},
		{"cells empty", second(heatCells(nil, nil, nil, divergingMap(1), draw.TextStyle{}))},
		{"cells NaN", second(heatCells([][]float64{{nan}}, [][]string{{""}}, [][]bool{{false}}, divergingMap(1), draw.TextStyle{}))},
		{"cells ragged", second(heatCells([][]float64{{1, 2}, {1}}, [][]string{{"", ""}, {""}}, [][]bool{{false, false}, {false}}, divergingMap(1), draw.TextStyle{}))},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := NewEventLines(nil, sty); err != nil {
		t.Errorf("no markers: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestPNGSize: the size presets and DPI set the pixel size.
func TestPNGSize(t *testing.T) {
	ch, err := PricePathChart(fixtureRun(fixtureOpts{months: 12}), nil, fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts Options
		w, h int
	}{
		{Options{}, 2000, 1125},                             // 13.333 × 7.5 in at the default 150 DPI
		{Options{DPI: 96}, 1280, 720},                       // 16:9 at 96 DPI
		{Options{Size: SizeHalfPage, DPI: 300}, 1950, 1200}, // 6.5 × 4 in
	} {
		var buf bytes.Buffer
		if err := ch.Render(&buf, "png", tc.opts); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("%+v: %d×%d, want %d×%d", tc.opts, b.Dx(), b.Dy(), tc.w, tc.h)
		}
	}
}

// TestDefaultFont: charts use Liberation Sans, and making them sets
// plot.DefaultFont to it before any plot.New.
func TestDefaultFont(t *testing.T) {
	initFonts()
	if plot.DefaultFont.Typeface != "Liberation" || plot.DefaultFont.Variant != "Sans" {
		t.Errorf("plot.DefaultFont = %+v", plot.DefaultFont)
	}
	p := newPlot(&styleSlide)
	if p.X.Tick.Label.Font.Variant != "Sans" {
		t.Errorf("tick font %+v", p.X.Tick.Label.Font)
	}
}

// TestMarkerLabels: dense event labels get rows of their own; no two
// labels of a row overlap and no leader line crosses a nearer label.
func TestMarkerLabels(t *testing.T) {
	run := fixtureRun(fixtureOpts{})
	meta := fixtureMeta()
	for _, size := range []Size{SizeSlide, SizeHalfPage} {
		st, _ := styleFor(size)
		ch, err := PricePathChart(run, nil, meta)
		if err != nil {
			t.Fatal(err)
		}
		lay, err := ch.Build(st)
		if err != nil {
			t.Fatal(err)
		}
		p := lay.Panels[0][0]
		c := draw.New(recorderCanvas(st))
		pc := draw.Crop(c, 50, -150, 40, -100)
		dc := p.Plot.DataCanvas(pc)
		sty := st.text(st.marker, false, colSubtle)
		placed, rows := planMarkers(pc, dc, p, sty, st, false)
		// 8 markers in 7 months: "Belarus discount · Klaipėda closed" share one.
		if len(placed) != 7 {
			t.Errorf("size %d: placed %d labels, want 7", size, len(placed))
		}
		if rows < 2 || rows > maxMarkerRows {
			t.Errorf("size %d: %d rows", size, rows)
		}
		for i, a := range placed {
			for j, b := range placed {
				if i == j {
					continue
				}
				if a.t == b.t && a.left < b.right && b.left < a.right {
					t.Errorf("labels %q and %q overlap in row %d", a.text, b.text, a.t)
				}
				if b.t > a.t && a.x > b.left && a.x < b.right {
					t.Errorf("line of %q crosses label %q", a.text, b.text)
				}
			}
		}
	}
}

func recorderCanvas(st *Style) *sizedRecorder {
	return &sizedRecorder{Canvas: &recorder.Canvas{}, w: st.width, h: st.height}
}

type sizedRecorder struct {
	*recorder.Canvas
	w, h vg.Length
}

func (s *sizedRecorder) Size() (vg.Length, vg.Length) { return s.w, s.h }

// TestMoneyScale: one unit for a chart's amounts, from their largest
// magnitude, and labels in it; an amount that rounds to zero reads as a
// table's zero does, unsigned with the scale's decimals ("$0.00 bn").
func TestMoneyScale(t *testing.T) {
	for _, tc := range []struct {
		name    string
		maxAbs  float64 // $M
		v       float64 // $M
		unit    string
		label   string
		axisLab string
	}{
		{"billions, 3 digits", 1234, 1234, "bn", "+$1.23 bn", "US$ bn"},
		{"billions, small bar", 1234, -42, "bn", minus + "$0.04 bn", "US$ bn"},
		{"tens of billions", 12345, 12345, "bn", "+$12.3 bn", "US$ bn"},
		{"hundreds of billions", 123456, -123456, "bn", minus + "$123 bn", "US$ bn"},
		{"hundreds of millions", 350, -105, "M", minus + "$105 M", "US$ M"},
		{"tens of millions", 45, 45, "M", "+$45 M", "US$ M"},
		{"tens of millions, small bar", 45, 0.3, "M", "$0 M", "US$ M"},
		{"billions, zero bar", 1234, -0.2, "bn", "$0.00 bn", "US$ bn"},
		{"a few millions", 4.2, -1.25, "M", minus + "$1.2 M", "US$ M"},
		{"zero", 0, 0, "M", "$0.0 M", "US$ M"},
		{"sign of the largest ignored", -2000, 2000, "bn", "+$2.00 bn", "US$ bn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := moneyScaleFor(tc.maxAbs)
			if ms.Unit != tc.unit || ms.AxisUnit() != tc.axisLab {
				t.Errorf("unit %q (axis %q), want %q (%q)", ms.Unit, ms.AxisUnit(), tc.unit, tc.axisLab)
			}
			if got := ms.Label(tc.v); got != tc.label {
				t.Errorf("Label(%g) = %q, want %q", tc.v, got, tc.label)
			}
		})
	}
}

// TestRevenueChangeOneUnit: the revenue_change chart's bar labels and its
// axis say one unit, and its tick labels have no more decimals than the
// bar labels' scale needs.
func TestRevenueChangeOneUnit(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  *model.Run
	}{
		{"fixture", fixtureRun(fixtureOpts{})},
		{"delayed relief", fixtureRun(fixtureOpts{delay: 1})},
		{"no change", fixtureRun(fixtureOpts{zero: true})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := RevenueChangeChart(tc.run, nil, fixtureMeta())
			if err != nil {
				t.Fatal(err)
			}
			st, _ := styleFor(SizeSlide)
			fig, err := ch.Build(st)
			if err != nil {
				t.Fatal(err)
			}
			p := fig.Panels[0][0].Plot
			unit := p.X.Label.Text[strings.LastIndex(p.X.Label.Text, "US$ ")+len("US$ "):]
			if unit != "bn" && unit != "M" {
				t.Fatalf("axis label %q names no unit", p.X.Label.Text)
			}
			for _, tk := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
				if !strings.HasSuffix(tk.Label, "$0") && !strings.HasSuffix(tk.Label, " "+unit) {
					t.Errorf("bar label %q is not in %s (axis %q)", tk.Label, unit, p.X.Label.Text)
				}
			}
			for _, tk := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
				if _, frac, ok := strings.Cut(tk.Label, "."); ok && len(frac) > 2 {
					t.Errorf("tick %q has %d decimals", tk.Label, len(frac))
				}
			}
		})
	}
}

// TestSweepChangeAxisHasZero: a 1-D sweep chart of a change against the
// counterfactual includes 0 on its value axis, so a response flat to
// 1% (us-relief-2025's Belarus revenue change over Brazil's ε, +$52M
// ± 0.5M) is drawn flat, not as a zigzag filling the chart; a level
// keeps the range of its values.
func TestSweepChangeAxisHasZero(t *testing.T) {
	ax := model.SweepAxis{Param: model.Param{Name: "market.regions.Brazil.demand_elasticity"}, Values: []float64{0.3, 0.4, 0.5, 0.6, 0.7, 0.8}}
	vals := []float64{51.76, 51.98, 52.18, 51.51, 52.36, 52.47}
	for _, tc := range []struct {
		metric string
		zero   bool
	}{
		{"revenue_change.Belarus", true},
		{"benchmark_price_change_pct", true},
		{"revenue.Belarus", false},
	} {
		t.Run(tc.metric, func(t *testing.T) {
			res := &model.SweepResult{Axes: []model.SweepAxis{ax}, Metrics: []string{tc.metric}, Units: []string{"$M"}}
			for _, v := range vals {
				res.Values = append(res.Values, []float64{v})
			}
			chs, err := SweepCharts(res, fixtureMeta())
			if err != nil {
				t.Fatal(err)
			}
			st, _ := styleFor(SizeSlide)
			fig, err := chs[0].Build(st)
			if err != nil {
				t.Fatal(err)
			}
			p := fig.Panels[0][0].Plot
			if got := p.Y.Min <= 0; got != tc.zero {
				t.Errorf("value axis [%g, %g]: includes 0 %v, want %v", p.Y.Min, p.Y.Max, got, tc.zero)
			}
		})
	}
}
