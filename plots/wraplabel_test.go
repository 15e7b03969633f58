package plots

import (
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestWrapLabelNoLoneWord: a legend label that the greedy wrap would end
// with one word alone on its last line ("…Black Sea port" over
// "closures") is balanced into as many lines with more than one word on
// the last, each within the width; a label that wraps well keeps its
// greedy lines.
func TestWrapLabelNoLoneWord(t *testing.T) {
	st, err := StyleOf(SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	sty := st.text(st.legend, false, colText)
	label := "Buyers stock up ahead of the Baltic and Black Sea port closures"
	// The widest width at which the greedy wrap leaves "months" alone.
	var width = sty.Width(label)
	for width > 0 {
		l := wrapText(label, sty, width, 0)
		if len(l) > 1 && l[len(l)-1] == "closures" {
			break
		}
		width -= 0.5
	}
	if width <= 0 {
		t.Fatal("no width leaves a lone last word: the test's label no longer tests anything")
	}
	greedy := wrapText(label, sty, width, 0)
	got := wrapLabel(label, sty, width)
	if len(got) != len(greedy) || !strings.Contains(got[len(got)-1], " ") {
		t.Errorf("wrapLabel at %.1f: %q; want %d lines, the last with more than one word (greedy: %q)", width, got, len(greedy), greedy)
	}
	if strings.Join(got, " ") != label {
		t.Errorf("wrapLabel lost or changed words: %q", got)
	}
	for _, l := range got {
		if sty.Width(l) > width {
			t.Errorf("line %q is wider than %.1f", l, width)
		}
	}
	// A label whose greedy wrap ends with several words is left as it is.
	ok := "Russia 2022: model 12.7 Mt, FAOSTAT 9.2 Mt (why: docs/BACKTEST.md, Discussion)"
	w := sty.Width(ok) * 0.6
	if g := wrapText(ok, sty, w, 0); strings.Contains(g[len(g)-1], " ") {
		if got := wrapLabel(ok, sty, w); strings.Join(got, "\n") != strings.Join(g, "\n") {
			t.Errorf("a label that wraps well was rewrapped: %q, greedy %q", got, g)
		}
	} else {
		t.Errorf("the second label's greedy wrap at %.1f ends with one word: %q", w, g)
	}
}

// TestWrapKeepsUnits: at every width, wrapped as a legend label, a
// subtitle or a footer part, no line ends with a number whose unit
// begins the next ("FAOSTAT 4.3" over "Mt"), and the words come back
// whole; a unit-like word after a word that is not a number may still
// begin a line.
func TestWrapKeepsUnits(t *testing.T) {
	for _, tc := range []struct {
		label string
		glued []string // number-unit pairs that must share a line
		free  string   // a line may begin with this word
	}{
		{"Belarus 2022: model 11.6 Mt, FAOSTAT 4.3 Mt (why: docs/BACKTEST.md, Discussion)", []string{"11.6 Mt,", "4.3 Mt"}, "FAOSTAT"},
		{"Scenario and counterfactual coincide in every market: largest gap 0.10 $/t", []string{"0.10 $/t"}, "largest"},
		{"Scenario and counterfactual coincide in every market: largest gap 0.015 months", []string{"0.015 months"}, "gap"},
		{"each parameter at its 5th and 95th percentile, the others at their central values; base +$1.2 bn", []string{"+$1.2 bn"}, "base"},
		{"Russia's quota holds exports at 1,250 kt a month and costs (−2.5 Mt/yr) of supply", []string{"1,250 kt", "(−2.5 Mt/yr)"}, "costs"},
		{"Belarusian sales carry a sanction discount of 60 % in both runs", []string{"60 %"}, "discount"},
		{"Exports by corridor against the corridor's capacity (Mt/yr)", nil, "(Mt/yr)"},
	} {
		t.Run(tc.label, func(t *testing.T) {
			for _, sz := range Sizes() {
				st, err := StyleOf(sz)
				if err != nil {
					t.Fatal(err)
				}
				sty := st.text(st.legend, false, colText)
				free := false
				for w := sty.Width(tc.label); w > sty.Width("docs/BACKTEST.md,"); w -= 3 {
					_, sub := st.wrapLines(sty, tc.label, w)
					for _, lines := range [][]string{wrapText(tc.label, sty, w, 0), wrapLabel(tc.label, sty, w), sub} {
						if got := strings.Join(lines, " "); got != strings.Join(strings.Fields(tc.label), " ") {
							t.Fatalf("size %d, width %.1f: words lost or changed: %q", sz, w, lines)
						}
						for k := 1; k < len(lines); k++ {
							prev, next := strings.Fields(lines[k-1]), strings.Fields(lines[k])
							if isNumber(prev[len(prev)-1]) && isUnit(next[0]) {
								t.Errorf("size %d, width %.1f: %q ends with a number whose unit begins %q", sz, w, lines[k-1], lines[k])
							}
							free = free || next[0] == tc.free
						}
						for _, g := range tc.glued {
							if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, g) }) {
								t.Errorf("size %d, width %.1f: %q not on one line: %q", sz, w, g, lines)
							}
						}
					}
				}
				if !free {
					t.Errorf("size %d: no width begins a line with %q: units glue too much", sz, tc.free)
				}
			}
		})
	}
}

// TestIsNumberIsUnit: the words wrapText reads as a number and a unit.
func TestIsNumberIsUnit(t *testing.T) {
	for _, tc := range []struct {
		w            string
		number, unit bool
	}{
		{"4.3", true, false}, {"1,202", true, false}, {"(+$1.2", true, false}, {"−0.5", true, false},
		{"US$300", true, false}, {"2022:", false, false}, {"12.", false, false}, {"5th", false, false},
		{"$", false, true}, {"Mt,", false, true}, {"$/t)", false, true}, {"Mt/yr", false, true},
		{"%", false, true}, {"months", false, true}, {"Mtons", false, false}, {"FAOSTAT", false, false},
		{"", false, false}, {"-", false, false}, {"(", false, false},
	} {
		if got := isNumber(tc.w); got != tc.number {
			t.Errorf("isNumber(%q) = %v, want %v", tc.w, got, tc.number)
		}
		if got := isUnit(tc.w); got != tc.unit {
			t.Errorf("isUnit(%q) = %v, want %v", tc.w, got, tc.unit)
		}
	}
}

// TestHeadingLines: a panel heading that fits its width stays on one
// line; one that does not wraps onto lines of even lengths (not
// "Côte d'Ivoire and" over "Ghana"), at most three, each within the
// width unless a single word is wider.
func TestHeadingLines(t *testing.T) {
	st, err := StyleOf(SizeWeb)
	if err != nil {
		t.Fatal(err)
	}
	sty := st.text(st.legend, true, colText)
	for _, tc := range []struct {
		heading string
		width   string // the heading is set as wide as this text
		lines   int
	}{
		{"Southeast Asia", "Southeast Asia", 1},
		{"Brazil (benchmark)", "Brazil (benchmark)x", 1},
		{"Southeast Asia", "Southeast Asi", 2},
		{"Côte d'Ivoire and Ghana", "Côte d'Ivoire and", 2},
		{"Sub-Saharan Africa and the Middle East", "Sub-Saharan Africa and the", 2},
		{"Sub-Saharan Africa and the Middle East", "Sub-Saharan Africa", 3},
	} {
		w := sty.Width(tc.width)
		got := headingLines(tc.heading, sty, w)
		if len(got) != tc.lines {
			t.Errorf("%q in the width of %q: %q, want %d lines", tc.heading, tc.width, got, tc.lines)
		}
		if strings.Join(got, " ") != tc.heading {
			t.Errorf("%q: words lost or changed: %q", tc.heading, got)
		}
		greedy := wrapText(tc.heading, sty, w, 3)
		if len(got) > 1 && len(got) < 3 && lineWidth(got, sty) >= lineWidth(greedy, sty) && len(greedy) == len(got) &&
			strings.Join(greedy, "\n") != strings.Join(got, "\n") {
			t.Errorf("%q: %q no more even than the greedy %q", tc.heading, got, greedy)
		}
		if len(got) == 2 {
			a, b := sty.Width(got[0]), sty.Width(got[1])
			if min(a, b) < max(a, b)*0.4 {
				t.Errorf("%q: unbalanced lines %q (%.1f and %.1f wide)", tc.heading, got, a, b)
			}
		}
		for _, l := range got {
			if sty.Width(l) > w && strings.Contains(l, " ") {
				t.Errorf("%q: line %q wider than %.1f", tc.heading, l, w)
			}
		}
	}
}

// TestHeadingUsesGap: on a web card whose legend column narrows the
// panels (scenario and counterfactual identical: the legend explains),
// a panel heading a little wider than its panel runs on over the gap
// to the next panel's heading rather than wrapping ("Southeast Asia",
// "United States" on one line each), and no heading reaches the next.
func TestHeadingUsesGap(t *testing.T) {
	ch, err := RegionPriceChart(fixtureRun(fixtureOpts{zero: true}), nil, fixtureMeta())
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range Sizes() {
		texts, _ := svgTexts(t, ch, Options{Size: sz})
		for _, h := range []string{"Southeast Asia", "United States"} {
			if !slices.Contains(texts, h) {
				t.Errorf("size %d: heading %q not on one line", sz, h)
			}
		}
		if msgs, err := CheckText(ch, sz); err != nil || len(msgs) > 0 {
			t.Errorf("size %d: %v %q", sz, err, msgs)
		}
	}
}

// TestHeadingNamesWhole: a market's name heads its panel whole at every
// size, on a web card too, where the Monte Carlo legend column narrows
// the panels ("United States", "Southeast Asia", not "United" over
// "States"), and a heading beside an empty cell runs on over it ("Rest
// of world", not "Rest of" over "world"); no text overlaps.
func TestHeadingNamesWhole(t *testing.T) {
	run := fixtureRun(fixtureOpts{zero: true})
	run.Scenario.Cal.Market.Regions[6].Label = "Rest of world"
	mc := fixtureMC(run)
	// Bands above the central run: the legend's note says so, and its
	// column narrows the panels, as on us-relief-2025's web card.
	for k, s := range mc.Series {
		if s.Variable == "price_paid" {
			for t := range s.Level {
				b := &mc.Series[k].Level[t]
				b.P5, b.P25, b.P50, b.P75, b.P95 = b.P5+100, b.P25+100, b.P50+100, b.P75+100, b.P95+100
			}
		}
	}
	meta := fixtureMeta()
	meta.OffBand = "by construction, not an error (3 parameters sit at an edge)"
	ch, err := RegionPriceChart(run, mc, meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, sz := range Sizes() {
		texts, _ := svgTexts(t, ch, Options{Size: sz})
		for _, h := range []string{"Southeast Asia", "United States", "Rest of world"} {
			if !slices.Contains(texts, h) {
				t.Errorf("size %d: heading %q not on one line (texts %q)", sz, h, texts)
			}
		}
		if msgs, err := CheckText(ch, sz); err != nil || len(msgs) > 0 {
			t.Errorf("size %d: %v %q", sz, err, msgs)
		}
	}
}

// TestWrapAtPhrases: a subtitle or a legend note set on balanced lines
// breaks where a phrase ends (after "·", a comma or a semicolon) when
// both parts fit, and at any width never inside a number and the word it
// counts ("3 parameters"), a month and its year or a range of them, a
// name ("United States", "Southeast Asia", "Monte Carlo", "World Bank
// Pink Sheet", "Rest of world" from the chart's legend); a footer part
// too wide for a line neither.
func TestWrapAtPhrases(t *testing.T) {
	st, err := StyleOf(SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	st = st.withNames(&Figure{Legend: []LegendItem{{Kind: LegendLine, Label: "Rest of world"}}})
	sty := st.text(st.subtitle, false, colSubtle)
	head, tail := "Scenario: us-relief-2025  vs  counterfactual: history  ·", "each parameter at its 5th and 95th percentile, the others at their central values; base +$1.2 bn"
	sub := head + "  " + tail
	phrased := 0
	for f := 0.5; f < 1; f += 0.01 {
		w := sty.Width(sub) * vg.Length(f)
		_, lines := st.wrapLines(sty, sub, w)
		if len(lines) == 2 && sty.Width(head) <= w && sty.Width(tail) <= w {
			phrased++
			if lines[0] != head || lines[1] != tail {
				t.Errorf("width %.0f%%: %q, want the break after \"·\"", 100*f, lines)
			}
		}
	}
	if phrased == 0 {
		t.Error("no width set the subtitle on two lines broken after \"·\": the test tests nothing")
	}
	for _, txt := range []string{
		"Scenario leaves its 90% band in every market: by construction, not an error (3 parameters sit at an edge)",
		"Scenario: us-relief-2025  vs  counterfactual: sanctions-stay  ·  cumulative over Dec 2025 – Dec 2028  ·  shaded: 50% and 90% bands of 200 Monte Carlo draws",
		"Belarus ships more to the United States and less to Southeast Asia and the Rest of world after relief",
		"Data: base-2020 v1.3.0 (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md) · money in constant 2020 US$",
	} {
		for w := sty.Width(txt) / 4; w < sty.Width(txt); w += 3 {
			_, balanced := st.wrapLines(sty, txt, w)
			sets := [][]string{balanced, wrapText(st.protect(txt), sty, w, 0)}
			if strings.HasPrefix(txt, "Data:") {
				sets = append(sets, footerLines(txt, sty, w))
			}
			for _, lines := range sets {
				for k, l := range lines[:len(lines)-1] {
					pair := lastWord(l) + " " + strings.Fields(lines[k+1])[0]
					for _, glued := range []string{"(3 parameters", "Dec 2025", "2025 –", "– Dec", "Dec 2028", "200 Monte", "Monte Carlo", "United States", "Southeast Asia", "Rest of", "of world", "World Bank", "Bank Pink", "Pink Sheet;"} {
						if pair == glued {
							t.Errorf("width %.0f: %q broken inside %q: %q", w, txt, glued, lines)
						}
					}
				}
				// (A footer drops the "·" it breaks at.)
				noDots := func(s string) []string {
					return slices.DeleteFunc(strings.Fields(s), func(w string) bool { return w == "·" })
				}
				if !slices.Equal(noDots(strings.Join(lines, " ")), noDots(txt)) {
					t.Errorf("width %.0f: words lost or changed: %q", w, lines)
				}
			}
		}
	}
}

// TestNoteAsWideAsItsWord: a legend note with a word wider than the
// note's usual width (a parameter's path) wraps at that word's width,
// not into short lines beside it ("moves the" over "scenario only.").
func TestNoteAsWideAsItsWord(t *testing.T) {
	st, err := StyleOf(SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	note := "Both runs move with events.belarus-discount.pct (sanctions-stay shares the event), so its own effect cancels in the changes; scenario.events.belarus-discount.pct moves the scenario only."
	items := wrapLegend([]LegendItem{{Kind: LegendLine, Label: "Scenario"}, {Kind: LegendNote, Label: note}}, st, st.width*0.3)
	sty := st.text(st.legend, false, colText)
	widest := sty.Width("scenario.events.belarus-discount.pct")
	var labels []string
	for _, it := range items {
		labels = append(labels, it.Label)
	}
	for k, it := range items[1 : len(items)-1] {
		next := strings.Fields(items[k+2].Label)[0]
		if sty.Width(it.Label+" "+next) <= widest {
			t.Errorf("line %q is short: %q would fit after it (lines %q)", it.Label, next, labels)
		}
	}
}

// units are the words that, after a number, name its unit: the tests
// check that wrapText keeps them on the number's line (wrapWords keeps
// every word after a number there).
var units = map[string]bool{
	"Mt": true, "Mt/yr": true, "kt": true, "t": true, "$/t": true, "US$/t": true,
	"$": true, "US$": true, "%": true, "pp": true, "bn": true, "m": true,
	"months": true, "month": true, "years": true, "year": true, "yr": true, "days": true, "pt": true,
}

// isUnit reports whether w, less trailing punctuation ("Mt," "$/t)"),
// is a unit.
func isUnit(w string) bool {
	return units[strings.TrimRight(w, ",;:.)]")]
}
