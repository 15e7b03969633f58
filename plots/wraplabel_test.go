package plots

import (
	"strings"
	"testing"
)

// TestWrapLabelNoLoneWord: a legend label that the greedy wrap would end
// with one word alone on its last line ("…largest gap 0.015" over
// "months") is balanced into as many lines with more than one word on
// the last, each within the width; a label that wraps well keeps its
// greedy lines.
func TestWrapLabelNoLoneWord(t *testing.T) {
	st, err := StyleOf(SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	sty := st.text(st.legend, false, colText)
	label := "Scenario and counterfactual coincide in every market: largest gap 0.015 months"
	// The widest width at which the greedy wrap leaves "months" alone.
	var width = sty.Width(label)
	for width > 0 {
		l := wrapText(label, sty, width, 0)
		if len(l) > 1 && l[len(l)-1] == "months" {
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
