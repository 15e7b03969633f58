package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTableTextMarks: in a right-aligned column a footnote mark hangs
// right of the numbers, so that a marked number's digits line up with the
// unmarked ones'; in a left-aligned column a trailing '*' is text.
func TestTableTextMarks(t *testing.T) {
	cases := []struct {
		name string
		t    Table
		want string
	}{
		{"no marks", Table{Head: []string{"p", "low"}, Rows: [][]string{{"a", "0.0071"}, {"bb", "0.2"}}},
			"p      low\n" +
				"a   0.0071\n" +
				"bb     0.2\n"},
		{"a mark hangs", Table{Head: []string{"p", "low", "high"}, Rows: [][]string{{"a", "0.0071", "0.0108*"}, {"bb", "0.2*", "0.7"}}},
			"p      low     high\n" +
				"a   0.0071   0.0108*\n" +
				"bb     0.2*     0.7\n"},
		{"wide header", Table{Head: []string{"p", "at high ($ bn)", "x"}, Rows: [][]string{{"a", "+0.05*", "1"}, {"b", "+1.44", "2"}}},
			"p  at high ($ bn)   x\n" +
				"a           +0.05*  1\n" +
				"b           +1.44   2\n"},
		{"left column", Table{Head: []string{"p", "v"}, Right: []bool{false, false}, Rows: [][]string{{"a*", "1*"}, {"bb", "22"}}},
			"p   v\n" +
				"a*  1*\n" +
				"bb  22\n"},
		{"mark only", Table{Head: []string{"p", "v"}, Rows: [][]string{{"a", "*"}, {"b", "12*"}}},
			"p   v\n" +
				"a   *\n" +
				"b  12*\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := tc.t.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tc.want)
			}
		})
	}
}

// TestSensitivityTableAligned: in the printed tornado every number
// column's values, starred or not, end in the same column on every row.
func TestSensitivityTableAligned(t *testing.T) {
	var b strings.Builder
	if err := SensitivityTable(fixtureSensitivity()).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")[1:] // the rows, whose cells have no spaces
	var ends [][]int
	for _, line := range lines {
		ends = append(ends, cellEnds(line))
	}
	for c := 1; c < len(ends[0]); c++ {
		for k := range lines {
			if len(ends[k]) != len(ends[0]) {
				t.Fatalf("row %d has %d cells, row 0 %d:\n%s", k, len(ends[k]), len(ends[0]), b.String())
			}
			if ends[k][c] != ends[0][c] {
				t.Errorf("column %d: row %d's number ends at %d, row 0's at %d:\n%s", c, k, ends[k][c], ends[0][c], b.String())
			}
		}
	}
}

// cellEnds returns the rune column where each space-separated cell of line
// ends, a trailing footnote mark left out.
func cellEnds(line string) []int {
	var ends []int
	col := 0
	for _, f := range strings.SplitAfter(line, " ") {
		cell := strings.TrimRight(f, " ")
		if cell != "" {
			text, _ := splitMark(cell)
			ends = append(ends, col+utf8.RuneCountInString(text))
		}
		col += utf8.RuneCountInString(f)
	}
	return ends
}

// TestSweepTableShowsDifferences: a sweep whose metric differs only in
// the third decimal of its display unit prints values that differ, not
// "+0.05" at every point; a column that does differ at the unit's
// decimals keeps them; values equal up to float noise print equal.
func TestSweepTableShowsDifferences(t *testing.T) {
	s := &SweepSummary{
		Axes:    []SweepAxis{{Param: "market.regions.Brazil.demand_elasticity", Values: []float64{0.3, 0.4, 0.5}}},
		Metrics: []string{"revenue_change.Belarus", "benchmark_price_change", "exports_change.Belarus"},
		Units:   []string{"$M", "$/t", "Mt/yr"},
		Points: []SweepPoint{
			{At: []float64{0.3}, Values: []float64{52.379, 0.2, 0.5}, Converged: true},
			{At: []float64{0.4}, Values: []float64{52.283, 1.4, 0.5 + 1e-13}, Converged: true},
			{At: []float64{0.5}, Values: []float64{52.441, 2.7, 0.5}, Converged: true},
		},
	}
	var got []string
	for _, r := range SweepTable(s).Rows {
		got = append(got, strings.Join(r[1:], " "))
	}
	want := []string{"+0.05238 +0.2 +0.50", "+0.05228 +1.4 +0.50", "+0.05244 +2.7 +0.50"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := ColumnDecimals("$M", 52.379, 52.283, 52.441); d != 5 {
		t.Errorf("ColumnDecimals = %d, want 5 (52.379 and 52.441 $M differ in the 5th decimal of $ bn)", d)
	}
}

// TestMarkdownLessThanNumber: a percentage below the shown decimals reads
// "<0.01%" in summary.md as on screen, not "&lt;0.01%"; a "<" that could
// open an HTML tag is still escaped.
func TestMarkdownLessThanNumber(t *testing.T) {
	var b strings.Builder
	tb := &Table{Head: []string{"", "2025"}, Rows: [][]string{{"Israel", "0.00 (<0.01%)"}, {"<b>x</b>", "1"}}}
	if err := tb.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"| 0.00 (<0.01%) |", "&lt;b&gt;x&lt;/b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
}

// TestSweepTableLabels: the sweep table heads a metric's column with its
// label (SweepSummary.Labels: what, "cumulative change" or "mean
// change", window) and its unit, not the raw metric name; without
// labels, with the name.
func TestSweepTableLabels(t *testing.T) {
	s := &SweepSummary{
		Axes:    []SweepAxis{{Param: "market.regions.Brazil.demand_elasticity", Values: []float64{0.3}}},
		Metrics: []string{"revenue_change.Belarus", "benchmark_price_change"},
		Units:   []string{"$M", "$/t"},
		Labels: []string{WindowLabel("Belarus export revenue (FOB)", "cumulative change", "2025-12 to 2028-12"),
			WindowLabel("Benchmark potash price (Brazil CFR)", "mean change", "2025-12 to 2028-12")},
		Points: []SweepPoint{{At: []float64{0.3}, Values: []float64{52.4, 0.2}, Converged: true}},
	}
	want := []string{"market.regions.Brazil.demand_elasticity",
		"Belarus export revenue (FOB), cumulative change 2025-12 to 2028-12 ($ bn)",
		"Benchmark potash price (Brazil CFR), mean change 2025-12 to 2028-12 ($/t)"}
	if got := SweepTable(s).Head; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("head %q, want %q", got, want)
	}
	s.Labels = nil
	if got := SweepTable(s).Head[1]; got != "revenue_change.Belarus ($ bn)" {
		t.Errorf("head without labels %q, want the name", got)
	}
}

// TestLevelsUnsigned: a level of the scenario (benchmark_price,
// revenue.Belarus, market_value) prints without a sign wherever a change
// prints with one — the sweep table, the tornado table and its base line,
// Headline.Display (the web page's list of every result) — so that
// "283.4 $/t" does not read as a change of +283.4; changes keep theirs.
func TestLevelsUnsigned(t *testing.T) {
	for name, want := range map[string]bool{
		"benchmark_price": false, "market_value": false, "revenue.Belarus": false, "netback_revenue.Canada": false,
		"benchmark_price_change": true, "benchmark_price_change_pct": true, "revenue_change.Belarus": true, "price_change.India": true,
	} {
		if got := IsChange(name); got != want {
			t.Errorf("IsChange(%q) = %v, want %v", name, got, want)
		}
	}
	s := &SweepSummary{
		Axes:    []SweepAxis{{Param: "market.regions.Brazil.demand_elasticity", Values: []float64{0.3}}},
		Metrics: []string{"benchmark_price", "revenue.Belarus", "revenue_change.Belarus"},
		Units:   []string{"$/t", "$M", "$M"},
		Points:  []SweepPoint{{At: []float64{0.3}, Values: []float64{283.4, 6440, 62.5}, Converged: true}},
	}
	if got := strings.Join(SweepTable(s).Rows[0][1:], " "); got != "283.4 6.44 +0.06" {
		t.Errorf("sweep row %q, want \"283.4 6.44 +0.06\"", got)
	}
	tor := fixtureSensitivity()
	tor.Metric, tor.Unit, tor.Base = "market_value", "$M", 63102
	for k := range tor.Bars {
		tor.Bars[k].AtLow += 63000
		tor.Bars[k].AtHigh += 63000
	}
	var b strings.Builder
	if err := WriteSensitivityTable(&b, tor, false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "+") {
		t.Errorf("the tornado of a level shows a sign:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "at central values: 63.") {
		t.Errorf("the tornado's base line:\n%s", b.String())
	}
	for _, tc := range []struct {
		h               Headline
		wantV, wantBand string
	}{
		{Headline{Metric: "benchmark_price", Unit: "$/t", Value: 283.3, Band: &Band{P5: 258.7, P95: 290.2}}, "283.3", "258.7 to 290.2"},
		{Headline{Metric: "benchmark_price_change", Unit: "$/t", Value: 0.3, Band: &Band{P5: -0.1, P95: 2.6}}, "+0.3", "−0.1 to +2.6"},
		{Headline{Unit: "$/t", Value: 0.3}, "+0.3", ""},
	} {
		if v, band, _ := tc.h.Display(); v != tc.wantV || band != tc.wantBand {
			t.Errorf("Display(%s) = %q, %q; want %q, %q", tc.h.Metric, v, band, tc.wantV, tc.wantBand)
		}
	}
}
