package plots

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

var svgFontSize = regexp.MustCompile(`font-size:([0-9.]+)px`)

// TestWebSize: at SizeWeb every chart's text is at least 11 pt on a 600 pt
// wide canvas, so at least 11 CSS px when the page shows the chart 600
// CSS px wide or wider (issue 16 item 15); only the three latest events
// are labelled, with no numbered key.
func TestWebSize(t *testing.T) {
	run, _, charts := fixtureCharts(t)
	tor, err := TornadoChart(fixtureTornado(), fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	charts = append(charts, tor)
	for _, dims := range []int{1, 2} {
		sw, err := SweepCharts(fixtureSweep(dims), fixtureMeta())
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, sw...)
	}
	cmp, err := CompareCharts([]*model.Run{run, fixtureRun(fixtureOpts{delay: 0.5})}, []string{"us-relief-2025", "relief-2026"}, "Belarus", fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	charts = append(charts, cmp...)
	const cardPx = 600.0 // the narrowest card the page uses
	for _, ch := range charts {
		texts, doc := svgTexts(t, ch, Options{Size: SizeWeb})
		if !regexp.MustCompile(`viewBox="0 0 600 375"`).MatchString(doc) {
			t.Fatalf("%s: not a 600 × 375 canvas", ch.Name)
		}
		smallest := 1e9
		for _, m := range svgFontSize.FindAllStringSubmatch(doc, -1) {
			v, _ := strconv.ParseFloat(m[1], 64)
			smallest = min(smallest, v)
		}
		if px := smallest * cardPx / 600; px < 11 {
			t.Errorf("%s: smallest text %.2f pt, %.1f CSS px in a %v px card", ch.Name, smallest, px, cardPx)
		}
		if ch.Name == "price" {
			// Every event named: the price chart is where the other
			// charts send a reader for the names.
			for _, l := range []string{"US relief", "Jansen", "Russia quota", "Demand boom", "US sanctions"} {
				if !strings.Contains(strings.Join(texts, " "), l) {
					t.Errorf("price at web size lacks the event label %q", l)
				}
			}
		}
	}
}

// TestWebLegendWraps: at SizeWeb a legend label too long for the width of
// the chart wraps onto lines of its own under its swatch, rather than
// running off the canvas.
func TestWebLegendWraps(t *testing.T) {
	long := []string{
		"Pinned: Sanction discount on Belarusian sales: 15%; Klaipėda corridor reopens: never",
		"Current: Sanction discount on Belarusian sales: 60% (both runs); Klaipėda corridor reopens: 2026-07 (scenario only)",
	}
	charts, err := CompareCharts([]*model.Run{fixtureRun(fixtureOpts{}), fixtureRun(fixtureOpts{delay: 0.5})}, long, "Belarus", fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	st, _ := StyleOf(SizeWeb)
	sty := st.text(st.legend, false, colText)
	for _, ch := range charts {
		texts, _ := svgTexts(t, ch, Options{Size: SizeWeb})
		for _, s := range texts {
			if sty.Width(s) > st.Width()-2*st.pad && (strings.HasPrefix(s, "Pinned") || strings.HasPrefix(s, "Current")) {
				t.Errorf("%s: legend line %q is %.0f pt wide on a %.0f pt canvas", ch.Name, s, sty.Width(s), st.Width())
			}
		}
		// The legend's lines of the long label, from its first, read as
		// the label. (The subtitle, which names the runs too, is no
		// witness: its second line once ended in the label's last words,
		// and one of its lines may begin with "Current:"; it is drawn
		// first, the legend after it.)
		i := -1
		for j, s := range texts {
			if strings.HasPrefix(s, "Current:") {
				i = j
			}
		}
		if i < 0 {
			t.Fatalf("%s: no legend line of the long label: %q", ch.Name, texts)
		}
		got := texts[i]
		for j := i + 1; j < len(texts) && len(got) < len(long[1]); j++ {
			got += " " + texts[j]
		}
		if got != long[1] {
			t.Errorf("%s: the long label reads %q in the legend, want %q", ch.Name, got, long[1])
		}
	}
}

// TestEveryEventLineExplained: at every size, every chart with event lines
// names every event (as a label by its line, or a number keyed in the
// legend), or, where there is no room for the names (small multiples
// on a web card), says in its legend what the lines are and where they
// are named. At the web size the price chart names them all.
func TestEveryEventLineExplained(t *testing.T) {
	for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
		for _, ch := range allCharts(t, meta) {
			for _, sz := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
				st, _ := styleFor(sz)
				fig, err := ch.Build(st)
				if err != nil {
					t.Fatal(err)
				}
				var groups []markerGroup
				for _, row := range fig.Panels {
					for _, p := range row {
						if p != nil && len(groups) == 0 {
							groups = markerGroups(p)
						}
					}
				}
				if len(groups) == 0 {
					continue
				}
				texts, _ := svgTexts(t, ch, Options{Size: sz})
				all := strings.Join(texts, " ")
				if strings.Contains(all, eventsUnnamed) {
					if ch.Name == "price" {
						t.Errorf("price at size %d does not name its events", sz)
					}
					// A run's other charts send the reader to the price
					// chart, which names them (a comparison's runs have
					// their own).
					if !strings.HasPrefix(ch.Name, "compare") && !strings.Contains(all, "named on the benchmark price chart") {
						t.Errorf("%s at size %d: unnamed events, and no word of where they are named", ch.Name, sz)
					}
					continue
				}
				for _, g := range groups {
					for _, l := range g.labels {
						if !strings.Contains(all, l) {
							t.Errorf("%s at size %d: event line %q (%s) is not named, nor explained", ch.Name, sz, l, monthLabel(g.month))
						}
					}
				}
			}
		}
	}
}

// TestEventsElsewhere: unnamed event lines send the reader to the chart
// that names them, or say there are too many to name (a figure of
// another package that names none: the back-test names its own).
func TestEventsElsewhere(t *testing.T) {
	if got, want := eventsElsewhere("the factors chart"), "Dashed lines: events (named on the factors chart)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := eventsElsewhere(""); strings.Contains(got, "named on") || !strings.HasPrefix(got, eventsUnnamed) {
		t.Errorf("no chart to send the reader to, got %q", got)
	}
}
