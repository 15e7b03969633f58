package plots

import (
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// bareDollar is a dollar sign in an axis label not spelled "US$".
var bareDollar = regexp.MustCompile(`(^|[^S])\$`)

// TestMoneyAxes: every money axis of every chart says its unit the same
// way: its label names it as "US$ bn", "US$/t" or "US$ per tonne" (never a
// bare "$/t"), and its tick labels carry the dollar sign ("$1.2",
// "−$0.4"); an axis whose ticks carry one says "US$" in its label.
func TestMoneyAxes(t *testing.T) {
	check := func(name, label string, tk plot.Ticker, min, max float64) {
		t.Helper()
		if tk == nil {
			tk = NumberTicks{}
		}
		money := strings.Contains(label, "US$")
		if bareDollar.MatchString(label) {
			t.Errorf("%s: axis label %q spells a unit with a bare $; want US$", name, label)
		}
		n := 0
		for _, tc := range tk.Ticks(min, max) {
			if tc.Label == "" || strings.TrimSpace(tc.Label) == "" {
				continue
			}
			n++
			if has := strings.Contains(tc.Label, "$"); has != money {
				t.Errorf("%s: axis %q has tick label %q", name, label, tc.Label)
				return
			}
		}
		if money && n == 0 {
			t.Errorf("%s: money axis %q has no tick labels", name, label)
		}
	}
	seen := 0
	for _, ch := range allCharts(t, briefingMeta()) {
		for _, sz := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
			st, _ := styleFor(sz)
			fig, err := ch.Build(st)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range fig.Panels {
				for _, p := range row {
					if p == nil {
						continue
					}
					for _, ax := range []*plot.Axis{&p.Plot.X, &p.Plot.Y} {
						if strings.Contains(ax.Label.Text, "US$") {
							seen++
						}
						if _, ok := ax.Tick.Marker.(NumberTicks); !ok && ax.Label.Text == "" {
							continue // a time axis, or a panel sharing the first's labels
						}
						check(ch.Name, ax.Label.Text, ax.Tick.Marker, ax.Min, ax.Max)
					}
				}
			}
			if cb := fig.ColorBar; cb != nil {
				check(ch.Name+" (colour bar)", cb.Label, cb.Ticks, cb.Map.Min(), cb.Map.Max())
			}
		}
	}
	if seen == 0 {
		t.Fatal("no money axis found")
	}
}
