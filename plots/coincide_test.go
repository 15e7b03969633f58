package plots

import (
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestCoincideNote: when the scenario and counterfactual lines lie within
// the line's width of each other over the whole chart, the price chart
// says so on the plot, and the market panels in the legend, with the
// largest gap; when they part, neither says anything.
func TestCoincideNote(t *testing.T) {
	// run is the fixture's price charts; with delta, the scenario's
	// benchmark and prices paid are the counterfactual's plus delta.
	run := func(delta float64, zero bool) func(t *testing.T) []*Chart {
		return func(t *testing.T) []*Chart {
			r := fixtureRun(fixtureOpts{zero: zero})
			if delta != 0 {
				for k, s := range r.Scenario.Sol {
					c := r.Counterfactual.Sol[k]
					s.Benchmark = c.Benchmark + delta
					for j := range s.PricePaid {
						s.PricePaid[j] = c.PricePaid[j] + delta
					}
				}
			}
			var charts []*Chart
			for _, mk := range []func() (*Chart, error){
				func() (*Chart, error) { return PricePathChart(r, nil, fixtureMeta()) },
				func() (*Chart, error) { return RegionPriceChart(r, nil, fixtureMeta()) },
			} {
				ch, err := mk()
				if err != nil {
					t.Fatal(err)
				}
				charts = append(charts, ch)
			}
			return charts
		}
	}
	for _, tc := range []struct {
		name          string
		charts        func(t *testing.T) []*Chart
		price, panels string // the notes wanted, "" for none
	}{
		{"relief moves prices", run(0, false), "", ""},
		{"identical", run(0, true), "Scenario and counterfactual are identical", "Scenario and counterfactual are identical in every market"},
		{"a tenth of a dollar apart", run(0.1, false), "Scenario and counterfactual coincide: largest gap 0.10 $/t",
			"Scenario and counterfactual coincide in every market: largest gap 0.10 $/t"},
		{"twenty dollars apart", run(20, false), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			charts := tc.charts(t)
			for k, want := range []string{tc.price, tc.panels} {
				for _, size := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
					texts, _ := svgTexts(t, charts[k], Options{Size: size})
					all := strings.Join(texts, " ")
					// The legend may wrap the note onto several lines.
					got := regexp.MustCompile(`Scenario and counterfactual (coincide|are identical)[^$]*(\$/t|market)?`).FindString(all)
					switch {
					case want == "" && got != "":
						t.Errorf("%s, size %d: note %q on lines that part", charts[k].Name, size, got)
					case want != "" && !strings.Contains(all, want) && !strings.Contains(strings.Join(texts, ""), want):
						t.Errorf("%s, size %d: no note %q in %q", charts[k].Name, size, want, got)
					}
				}
			}
		})
	}
}

func TestCoincidePanels(t *testing.T) {
	names := []string{"Brazil", "China", "India"}
	base := []float64{100, 200, 300, 400}
	plus := func(d float64, from int) []float64 {
		out := append([]float64(nil), base...)
		for i := from; i < len(out); i++ {
			out[i] += d
		}
		return out
	}
	// A 300-unit scale in panels up to 100 pt tall with 1-pt lines: lines
	// closer than 3 units coincide.
	const (
		yspan  = 300.0
		width  = vg.Length(1)
		panelH = vg.Length(100)
	)
	for _, tc := range []struct {
		name string
		scen [][]float64
		w0   int
		want string
	}{
		{"all identical", [][]float64{base, base, base}, 0, "Scenario and counterfactual are identical in every market"},
		{"all close", [][]float64{plus(1, 0), plus(2.5, 0), base}, 0, "Scenario and counterfactual coincide in every market: largest gap 2.5 u"},
		{"one parts", [][]float64{plus(1, 0), plus(5, 0), plus(0.01, 0)}, 0, "Scenario and counterfactual coincide in Brazil and India: largest gap 1.0 u"},
		{"parts late", [][]float64{plus(5, 3), base, base}, 0, "Scenario and counterfactual are identical in China and India"},
		{"window hides the gap", [][]float64{append([]float64{150}, base[1:]...), base, base}, 1, "Scenario and counterfactual are identical in every market"},
		{"all part", [][]float64{plus(4, 0), plus(5, 0), plus(-4, 0)}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cf := [][]float64{base, base, base}
			if got := coincidePanels(names, tc.scen, cf, tc.w0, yspan, width, panelH, "u"); got != tc.want {
				t.Errorf("coincidePanels = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPanelYearTicks: every panel of a grid labels the same years (the
// narrowest panel's choice), on calendar-year boundaries.
func TestPanelYearTicks(t *testing.T) {
	_, _, charts := fixtureCharts(t)
	var ch *Chart
	for _, c := range charts {
		if c.Name == "price_regions" {
			ch = c
		}
	}
	if ch == nil {
		t.Fatal("no price_regions chart")
	}
	year := regexp.MustCompile(`^20\d\d$`)
	for _, size := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
		texts, _ := svgTexts(t, ch, Options{Size: size})
		count := map[string]int{}
		for _, s := range texts {
			if year.MatchString(s) {
				count[s]++
			}
		}
		const panels = 7
		if len(count) == 0 {
			t.Errorf("size %d: no year labels", size)
		}
		for y, n := range count {
			if n != panels {
				t.Errorf("size %d: year %s labelled in %d panels, want all %d (labels %v)", size, y, n, panels, count)
			}
		}
	}
}
