package plots

import (
	"strings"
	"testing"
)

// TestLongTitleWraps: at the slide size (no smallest text size), a title
// too long for one line even shrunk wraps onto lines within the width,
// at its own size, instead of running off the chart (a 2-D sweep naming
// two long parameters did); a title that fits shrunk stays on one line.
func TestLongTitleWraps(t *testing.T) {
	st, err := StyleOf(SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	sty := st.text(st.title, true, colText)
	width := st.width * 0.9
	long := "Belarus export revenue (FOB), cumulative level in the scenario, by demand elasticity, all regions and corridor capacity, Belarus via Russian Baltic ports"
	if fitText(sty, long, width).Width(long) <= width {
		t.Fatal("the long title fits shrunk: the test tests nothing")
	}
	got, lines := st.fitLines(sty, long, width)
	if len(lines) < 2 || got.Font.Size != sty.Font.Size {
		t.Fatalf("%d lines at %.1f pt; want it wrapped at %.1f pt", len(lines), got.Font.Size, sty.Font.Size)
	}
	for _, l := range lines {
		if got.Width(l) > width {
			t.Errorf("line %q is %.0f wide, more than %.0f", l, got.Width(l), width)
		}
	}
	if strings.Join(lines, " ") != long {
		t.Errorf("lines %q lost words", lines)
	}
	short := long[:len(long)*3/5]
	if _, lines := st.fitLines(sty, short, width); len(lines) != 1 {
		t.Errorf("a title that fits shrunk wrapped: %q", lines)
	}
}

// TestColorBarLongLabelWraps: a 2-D sweep's colour bar whose label is
// longer than the bar is tall has it on more lines (on one line it ran
// up into the title and stretched the bar with it).
func TestColorBarLongLabelWraps(t *testing.T) {
	meta := fixtureMeta()
	long := MetricWords{What: "Belarus export revenue (FOB), a deliberately long description of it", Measure: "cumulative level in the scenario over the headline window"}
	meta.MetricWords = map[string]MetricWords{"revenue_change.Belarus": long}
	charts, err := SweepCharts(fixtureSweep(2), meta)
	if err != nil {
		t.Fatal(err)
	}
	texts, _ := svgTexts(t, charts[0], Options{})
	label := long.What + ", " + long.Measure + ", US$ bn"
	for _, s := range texts {
		if s == label {
			t.Fatalf("the colour bar's label is on one line: %q", s)
		}
	}
	if !containsLines(texts, label) {
		t.Errorf("the colour bar's label %q is not among the texts, wrapped: %q", label, texts)
	}
}
