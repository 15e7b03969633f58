package plots

import (
	"slices"
	"strings"
	"testing"
)

// TestSweepWarningNote: every chart of a sweep, 1-D line and 2-D heat
// map, at every size, carries the pipeline's warnings (Meta.Warnings) as
// notes; without one it carries none.
func TestSweepWarningNote(t *testing.T) {
	const warn = "Both runs move with events.x.end (cf shares the event), so its own effect cancels in the changes; scenario.events.x.end moves the scenario only."
	for _, dims := range []int{1, 2} {
		for _, w := range []string{warn, ""} {
			meta := fixtureMeta()
			if w != "" {
				meta.Warnings = []string{w}
			}
			charts, err := SweepCharts(fixtureSweep(dims), meta)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range charts {
				for _, size := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
					texts, _ := svgTexts(t, ch, Options{Size: size})
					all := strings.Join(texts, " ")
					if got := strings.Contains(all, "Both runs move") && strings.Contains(all, "moves the scenario only."); got != (w != "") {
						t.Errorf("%d-D %s, size %d, warning %q: the chart carries it: %v\n%q", dims, ch.Name, size, w, got, texts)
					}
				}
			}
		}
	}
}

// TestSweepMetricWords: with the metrics' words and the headline window
// (Meta.MetricWords, HeadlineWindow), every sweep chart, line and heat
// map, says what its metric measures and how ("cumulative change" for a
// revenue, "mean change" for a price) in its title and on its value
// axis or colour bar, and the window in its subtitle; without them it
// keeps metricTitle's words.
func TestSweepMetricWords(t *testing.T) {
	words := map[string]MetricWords{
		"revenue_change.Belarus": {What: "Belarus export revenue (FOB)", Measure: "cumulative change"},
		"benchmark_price_change": {What: "Benchmark potash price (Brazil CFR)", Measure: "mean change"},
	}
	for _, dims := range []int{1, 2} {
		meta := fixtureMeta()
		meta.MetricWords, meta.HeadlineWindow = words, "2025-12 to 2028-12"
		charts, err := SweepCharts(fixtureSweep(dims), meta)
		if err != nil {
			t.Fatal(err)
		}
		for k, ch := range charts {
			w := words[fixtureSweep(dims).Metrics[k]]
			label := w.What + ", " + w.Measure
			if !strings.HasPrefix(ch.Title, label+", by ") {
				t.Errorf("%d-D %s: title %q, want it to start %q", dims, ch.Name, ch.Title, label)
			}
			if !strings.Contains(ch.Subtitle, "headline window 2025-12 to 2028-12") {
				t.Errorf("%d-D %s: subtitle %q lacks the window", dims, ch.Name, ch.Subtitle)
			}
			texts, _ := svgTexts(t, ch, Options{Size: SizeSlide})
			axis := false
			for _, s := range texts {
				axis = axis || strings.Contains(s, w.Measure) && !strings.Contains(s, ", by ")
			}
			if !axis {
				t.Errorf("%d-D %s: no axis label says %q:\n%q", dims, ch.Name, w.Measure, texts)
			}
		}
		charts, err = SweepCharts(fixtureSweep(dims), fixtureMeta())
		if err != nil {
			t.Fatal(err)
		}
		if want := metricTitle("revenue_change.Belarus") + ", by "; !strings.HasPrefix(charts[0].Title, want) || strings.Contains(charts[0].Subtitle, "window") {
			t.Errorf("%d-D without words: title %q, subtitle %q; want metricTitle's and no window", dims, charts[0].Title, charts[0].Subtitle)
		}
	}
}

// TestFlowColorBarSigned: the flows heat map's colour bar labels its
// positive ticks with a "+" as its cells are labelled ("+0.25"), its
// negative ones with "−" and zero with neither.
func TestFlowColorBarSigned(t *testing.T) {
	ch, err := FlowChangeChart(fixtureRun(fixtureOpts{months: 24}), 0, fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(t, ch, Options{Size: SizeSlide})
	st, err := StyleOf(SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	fig, err := ch.Build(st)
	if err != nil {
		t.Fatal(err)
	}
	cb := fig.ColorBar
	if cb == nil || cb.Ticks == nil {
		t.Fatal("flows chart: no colour-bar ticker")
	}
	var pos, neg int
	for _, tk := range cb.Ticks.Ticks(cb.Map.Min(), cb.Map.Max()) {
		switch {
		case tk.Label == "":
		case tk.Value > 0:
			pos++
			if !strings.HasPrefix(tk.Label, "+") {
				t.Errorf("colour-bar tick %g reads %q, want a +", tk.Value, tk.Label)
			}
		case tk.Value < 0:
			neg++
		default:
			if strings.HasPrefix(tk.Label, "+") || strings.HasPrefix(tk.Label, "−") {
				t.Errorf("colour-bar tick 0 reads %q, want no sign", tk.Label)
			}
		}
		if tk.Label != "" && !slices.Contains(texts, tk.Label) {
			t.Errorf("colour-bar tick %q not on the chart", tk.Label)
		}
	}
	if pos == 0 || neg == 0 {
		t.Errorf("colour bar has %d positive and %d negative labelled ticks; want both", pos, neg)
	}
}

// TestHeatColorBarSigned checks that a 2-D sweep's colour bar signs its
// ticks exactly when its cells are signed: a metric whose values lie on
// both sides of zero (the fixture's benchmark price change, −21 to
// +15.5 $/t) reads "+10" beside "−10"; one on one side only (Belarus's
// revenue change, all gains) reads "1,000" without a "+", as its cells.
func TestHeatColorBarSigned(t *testing.T) {
	charts, err := SweepCharts(fixtureSweep(2), fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	st, err := StyleOf(SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		signed bool
	}{
		{"sweep_benchmark_price_change", true},
		{"sweep_revenue_change_Belarus", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := slices.IndexFunc(charts, func(c *Chart) bool { return c.Name == tc.name })
			if i < 0 {
				t.Fatalf("no chart %s", tc.name)
			}
			fig, err := charts[i].Build(st)
			if err != nil {
				t.Fatal(err)
			}
			cb := fig.ColorBar
			if cb == nil || cb.Ticks == nil {
				t.Fatal("no colour-bar ticker")
			}
			var plus int
			for _, tk := range cb.Ticks.Ticks(cb.Map.Min(), cb.Map.Max()) {
				if tk.Label == "" {
					continue
				}
				if strings.HasPrefix(tk.Label, "+") {
					plus++
				}
				if tk.Value == 0 && (strings.HasPrefix(tk.Label, "+") || strings.HasPrefix(tk.Label, "−")) {
					t.Errorf("tick 0 reads %q, want no sign", tk.Label)
				}
			}
			if got := plus > 0; got != tc.signed {
				t.Errorf("%d ticks with a +; want signed ticks %v", plus, tc.signed)
			}
		})
	}
}
