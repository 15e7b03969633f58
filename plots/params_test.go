package plots

import (
	"context"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"

	"github.com/potash-sim/potash/model"
)

func TestParamLabel(t *testing.T) {
	events := map[string]string{"us-ban": "US sanctions", "Belarus/Klaipeda": "Klaipėda"}
	for _, tc := range []struct{ path, want string }{
		{"market.regions.Brazil.demand_elasticity", "Demand elasticity, Brazil"},
		{"market.regions.*.substitution_elasticity", "Substitution elasticity, all regions"},
		{"market.suppliers.Canada.supply_elasticity", "Supply elasticity, Canada"},
		{"market.suppliers.*.fob_usd_per_t", "FOB price, all suppliers"},
		{"market.suppliers.Belarus.corridors.Klaipeda.capacity_mt", "Corridor capacity, Belarus via Klaipėda"},
		{"market.suppliers.Belarus.corridors.ChinaRail.cost_usd_per_t", "Corridor cost, Belarus via ChinaRail"},
		{"scenario.events.us-ban.end", "US sanctions (scenario only): end month"},
		{"market.routes.Russia.Europe.freight_usd_per_t", "Freight, Russia → Europe"},
		{"market.routes.*.India.wedge_pct", "Trade wedge, all suppliers → India"},
		{"market.drivers.crop_prices.elasticity", "Crop-price elasticity of demand"},
		{"market.drivers.crop_prices.lag_months", "Crop-price lag"},
		{"market.drivers.gas_prices.elasticity", "Elasticity, Gas prices driver"},
		{"market.regions.*.price_expectation_speed_per_month", "Price expectation speed, all regions"},
		{"market.regions.Brazil.stock_to_use_months", "Stock-to-use ratio, Brazil"},
		{"events.us-ban.end", "US sanctions: end month"},
		{"events.belarus-discount.pct", "Belarus discount: size, %"},
		{"events.eu-ban.ramp_months", "EU ban: ramp, months"},
		{"events.x.new_field", "X: new field"},
		{"market.regions.Brazil.some_new_field", "Some new field, Brazil"},
		{"not.a.path.we.know.of", "not.a.path.we.know.of"},
		{"events..", "events.."},
	} {
		if got := ParamLabel(tc.path, events); got != tc.want {
			t.Errorf("ParamLabel(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
	// Every label of a market path is shorter than the path: the point of
	// item 13 of issue 16 (raw paths took half the chart's width).
	for _, p := range []string{"market.regions.Southeast Asia.demand_adjustment_per_month", "market.suppliers.United States.supply_adjustment_per_month"} {
		if l := ParamLabel(p, nil); len(l) >= len(p) {
			t.Errorf("ParamLabel(%q) = %q is no shorter", p, l)
		}
	}
	got := EventLabels([]model.Event{{ID: "a", Label: "A label"}, {ID: "b"}})
	if len(got) != 1 || got["a"] != "A label" {
		t.Errorf("EventLabels = %v", got)
	}
	m := &model.Market{Suppliers: []model.Supplier{{Name: "Belarus", Corridors: []model.Corridor{{Name: "Klaipeda", Label: "Klaipėda"}, {Name: "Domestic", Label: "Domestic"}, {Name: "Rail"}}}}}
	if got := CorridorLabels(m); len(got) != 1 || got["Belarus/Klaipeda"] != "Klaipėda" {
		t.Errorf("CorridorLabels = %v", got)
	}
}

// TestTornadoCutMarks: an end cut by a joint rule has a red dashed cap,
// its row's label gives the stated ends (an end can move out of them when
// the other side's cut is larger: report.EndNotes), and one legend entry
// names every rule that cut one (their caps look alike: an entry per rule,
// each with the same swatch, read as marks that differ); a tornado with
// no end cut has none.
func TestTornadoCutMarks(t *testing.T) {
	cases := []struct {
		name    string
		tor     *model.Tornado
		caps    int // red strokes: the cut ends and a legend swatch per rule
		want    []string
		notWant []string
	}{
		{"none cut", fixtureTornado(), 0, nil, []string{"Side cut by", "stated", "cut from"}},
		{"two cut", fixtureTornadoCut(), 3, []string{
			"Side cut by the crop or stock-cycle rule",
			"Demand elasticity, Brazil  (0.1 – 0.6; stated 0.05 – 0.6)",
			"Stock response, all regions  (0.0071 – 0.0108; stated 0.00726 – 0.012)",
			"Belarus discount: size, %  (6.8 – 23.2)",
		}, []string{"cut from", "Side cut by the crop rule", "Side cut by the stock-cycle rule"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := TornadoChart(tc.tor, fixtureMeta())
			if err != nil {
				t.Fatal(err)
			}
			texts, svg := svgTexts(t, ch, Options{})
			for _, w := range tc.want {
				if !contains(texts, w) {
					t.Errorf("tornado lacks %q", w)
				}
			}
			for _, s := range texts {
				for _, w := range tc.notWant {
					if strings.Contains(s, w) {
						t.Errorf("tornado shows %q", s)
					}
				}
			}
			if n := strings.Count(svg, "stroke:#BB5566") + strings.Count(svg, "stroke:#bb5566") + strings.Count(svg, "rgb(187,85,102)"); n != tc.caps {
				t.Errorf("%d red strokes, want %d", n, tc.caps)
			}
		})
	}
}

// TestTornadoLevelBase: the tornado's subtitle gives the base of a
// change with its sign and the base of a level (market_value, a level of
// the scenario) without one, as the tables do (report.IsChange).
func TestTornadoLevelBase(t *testing.T) {
	for metric, want := range map[string]string{
		"revenue_change.Belarus": "base +$1.2 bn",
		"market_value":           "base $1.2 bn",
	} {
		tor := fixtureTornado()
		tor.Metric = metric
		ch, err := TornadoChart(tor, fixtureMeta())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(ch.Subtitle, want) {
			t.Errorf("%s: subtitle %q, want it to end %q", metric, ch.Subtitle, want)
		}
	}
	if got := joinOr([]string{"crop", "stock-cycle", "stock-release"}); got != "crop, stock-cycle or stock-release" {
		t.Errorf("joinOr = %q", got)
	}
}

// TestTornadoLabels: the tornado names parameters by ParamLabel and gives
// their values to 3 significant digits, like the sensitivity table.
func TestTornadoLabels(t *testing.T) {
	ch, err := TornadoChart(fixtureTornado(), fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(t, ch, Options{})
	for _, want := range []string{
		"Demand elasticity, Brazil  (0.1 – 0.6)",
		"Belarus discount: size, %  (6.8 – 23.2)",
		"Freight, Russia → Europe  (0.0123 – 45.7)",
	} {
		if !contains(texts, want) {
			t.Errorf("tornado lacks the label %q", want)
		}
	}
	for _, s := range texts {
		if strings.Contains(s, "market.") || strings.Contains(s, "events.") {
			t.Errorf("tornado shows a raw path: %q", s)
		}
	}
	// Sweeps label their axes the same way.
	for dims, want := range map[int][]string{
		1: {"US sanctions: end month", "Export revenue (FOB) change, Belarus, by US sanctions: end month"},
		2: {"Demand elasticity, Brazil", "Belarus discount: size, %",
			// An event's label keeps its capital after "by"; potash's own
			// labels start lower-case there.
			"Export revenue (FOB) change, Belarus, by demand elasticity, Brazil and Belarus discount: size, %"},
	} {
		charts, err := SweepCharts(fixtureSweep(dims), fixtureMeta())
		if err != nil {
			t.Fatal(err)
		}
		texts, _ := svgTexts(t, charts[0], Options{})
		for _, w := range want {
			if !contains(texts, w) {
				t.Errorf("%d-D sweep lacks %q", dims, w)
			}
		}
	}
}

// TestCaptions: every chart carries a caption and says whether it is a
// main chart, so that a page needs no table keyed on chart names.
func TestCaptions(t *testing.T) {
	_, _, charts := fixtureCharts(t)
	main := map[string]bool{"price": true, "revenue_change": true, "volumes": true, "shares": true, "flows": true}
	for _, ch := range charts {
		if ch.Caption == "" {
			t.Errorf("%s has no caption", ch.Name)
		}
		if ch.Main != main[ch.Name] {
			t.Errorf("%s: Main = %v", ch.Name, ch.Main)
		}
	}
	if ch := charts[len(charts)-1]; !strings.HasPrefix(ch.Name, "corridors_") || ch.Caption != "Exports by corridor: Belarus" {
		t.Errorf("last chart %s captioned %q", ch.Name, ch.Caption)
	}
}

// TestFigure: a Chart built outside the package renders through the same
// engine, with rows of unequal heights whose data areas line up, and bad
// figures are errors, not panics.
func TestFigure(t *testing.T) {
	build := func(f func(st *Style) (*Figure, error)) error {
		_, err := noPanic(t, func() (int, error) {
			return 0, (&Chart{Name: "x", Title: "T", Build: f}).Render(&strings.Builder{}, "svg", Options{})
		})
		return err
	}
	var aligned [2]float64
	ok := func(st *Style) (*Figure, error) {
		a, err := st.TimePlot(2020, 2023, "Price", NumberTicks{Prefix: "$"}, nil)
		if err != nil {
			return nil, err
		}
		a.Y.Min, a.Y.Max = 0, 1000 // wide tick labels
		b := st.NewPlot()
		b.X.Min, b.X.Max, b.Y.Min, b.Y.Max = 2020, 2023, 0, 1
		b.Add(plotRecorder{&aligned[1]})
		a.Add(plotRecorder{&aligned[0]})
		return &Figure{Panels: [][]*Panel{{{Plot: a}}, {{Plot: b}}}, Heights: []float64{2, 1},
			Legend: []LegendItem{{Label: "a", Color: colScen, Kind: LegendLinePoint}}}, nil
	}
	if err := build(ok); err != nil {
		t.Fatal(err)
	}
	if aligned[0] != aligned[1] {
		t.Errorf("data areas start at %v and %v; want them aligned", aligned[0], aligned[1])
	}
	for name, f := range map[string]func(st *Style) (*Figure, error){
		"no build":  nil,
		"no panels": func(*Style) (*Figure, error) { return &Figure{}, nil },
		"nil plot":  func(*Style) (*Figure, error) { return &Figure{Panels: [][]*Panel{{{}}}}, nil },
		"heights": func(st *Style) (*Figure, error) {
			return &Figure{Panels: [][]*Panel{{{Plot: st.NewPlot()}}}, Heights: []float64{1, 2}}, nil
		},
		"zero height": func(st *Style) (*Figure, error) {
			return &Figure{Panels: [][]*Panel{{{Plot: st.NewPlot()}}}, Heights: []float64{0}}, nil
		},
		"colour bar": func(st *Style) (*Figure, error) {
			return &Figure{Panels: [][]*Panel{{{Plot: st.NewPlot()}}}, ColorBar: &ColorBar{}}, nil
		},
		"builder error": func(*Style) (*Figure, error) { return nil, errorf("boom") },
	} {
		if err := build(f); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := NewSpan(2, 1, colOut()); err == nil {
		t.Error("NewSpan accepted x1 < x0")
	}
}

// plotRecorder records the left edge of the data area it is drawn in.
type plotRecorder struct{ x *float64 }

func (r plotRecorder) Plot(c draw.Canvas, _ *plot.Plot) { *r.x = float64(c.Min.X) }

func colOut() color.Color { return colGrid }

// TestRenderAll: files come in order, a cancelled context renders
// nothing, and a panic while drawing is an error, not a crash.
func TestRenderAll(t *testing.T) {
	run := fixtureRun(fixtureOpts{months: 24})
	charts, err := RunCharts(run, nil, fixtureMeta(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := RenderAll(context.Background(), charts, Options{Formats: []string{"svg", "png"}, DPI: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2*len(charts) || files[0].Name() != "price.svg" || files[1].Name() != "price.png" || files[2].Name() != "price_regions.svg" {
		t.Errorf("files out of order: %s, %s, %s", files[0].Name(), files[1].Name(), files[2].Name())
	}
	for _, f := range files {
		if len(f.Data) < 1000 {
			t.Errorf("%s: %d bytes", f.Name(), len(f.Data))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := RenderAll(ctx, charts, Options{}); err == nil {
		t.Error("a cancelled context rendered")
	}
	boom := &Chart{Name: "boom", Build: func(st *Style) (*Figure, error) {
		p := st.NewPlot()
		p.Add(panicker{})
		return &Figure{Panels: [][]*Panel{{{Plot: p}}}}, nil
	}}
	if _, err := noPanic(t, func() ([]File, error) { return RenderAll(context.Background(), []*Chart{boom}, Options{}) }); err == nil || !strings.Contains(err.Error(), "drawing failed") {
		t.Errorf("err = %v, want a drawing failure", err)
	}
}

type panicker struct{}

func (panicker) Plot(draw.Canvas, *plot.Plot) { panic("a bug") }

// TestPriceCaptionSaysBands: the price chart's caption (the alt text of
// summary.md) mentions Monte Carlo bands only when the chart has them.
func TestPriceCaptionSaysBands(t *testing.T) {
	run := fixtureRun(fixtureOpts{})
	for _, tc := range []struct {
		mc   *model.MCResult
		want bool
	}{{nil, false}, {fixtureMC(run), true}} {
		charts, err := RunCharts(run, tc.mc, fixtureMeta(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(charts[0].Caption, "Monte Carlo"); charts[0].Name != "price" || got != tc.want {
			t.Errorf("with draws %v: %s caption %q", tc.mc != nil, charts[0].Name, charts[0].Caption)
		}
	}
}

// svgFill is a filled four-cornered path of an SVG and its colour.
var svgFill = regexp.MustCompile(`<path d="M([-0-9.]+),([-0-9.]+)L([-0-9.]+),([-0-9.]+)L([-0-9.]+),([-0-9.]+)L([-0-9.]+),([-0-9.]+)Z" style="fill:#([0-9A-Fa-f]{6})" />`)

// TestTornadoSameSide: when both ends of a parameter move the metric the
// same way, its low and high bars are both seen whole: no bar of one
// colour covers any part of a bar of the other (the short bar was drawn
// over the long one, which read as one stacked bar), and the legend says
// how such a row is drawn; a tornado with no such row has no note.
func TestTornadoSameSide(t *testing.T) {
	for _, tc := range []struct {
		name string
		tor  *model.Tornado
		note bool
	}{{"same side", fixtureTornadoSameSide(), true}, {"opposite sides", fixtureTornado(), false}} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := TornadoChart(tc.tor, fixtureMeta())
			if err != nil {
				t.Fatal(err)
			}
			texts, svg := svgTexts(t, ch, Options{})
			type box struct{ x0, x1, y0, y1 float64 }
			var lows, highs []box
			for _, m := range svgFill.FindAllStringSubmatch(svg, -1) {
				var v [8]float64
				for k := range v {
					v[k], _ = strconv.ParseFloat(m[k+1], 64)
				}
				b := box{min(v[0], v[2], v[4], v[6]), max(v[0], v[2], v[4], v[6]), min(v[1], v[3], v[5], v[7]), max(v[1], v[3], v[5], v[7])}
				switch strings.ToUpper(m[9]) {
				case "004488":
					lows = append(lows, b)
				case "DDAA33":
					highs = append(highs, b)
				}
			}
			if len(lows) < len(tc.tor.Bars) || len(highs) < len(tc.tor.Bars) {
				t.Fatalf("%d low and %d high bars for %d parameters", len(lows), len(highs), len(tc.tor.Bars))
			}
			for _, a := range lows {
				for _, b := range highs {
					dx := min(a.x1, b.x1) - max(a.x0, b.x0)
					dy := min(a.y1, b.y1) - max(a.y0, b.y0)
					if dx > 0.01 && dy > 0.01 {
						t.Errorf("a low bar %v and a high bar %v overlap by %.2f × %.2f pt", a, b, dx, dy)
					}
				}
			}
			if got := contains(texts, sameSideNote); got != tc.note {
				t.Errorf("legend note %q shown: %v, want %v", sameSideNote, got, tc.note)
			}
		})
	}
}
