package plots

import (
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestTextNotTiny: at every size no text of any chart is under
// MinTextSize (7 pt): title, subtitle, axis and tick labels, headings,
// legend, event labels, cell values, notes on the data and footer. At
// half-page size the legend was once 4.7 pt (the revenue and volume
// charts' eleven suppliers and numbered event key shrunk to their
// column), the subtitle of the tornado 6.6 pt (shrunk to one line) and
// the footer 6 pt; they now drop what they can, wrap, or are set at
// 7 pt.
func TestTextNotTiny(t *testing.T) {
	for _, sz := range Sizes() {
		st, _ := styleFor(sz)
		for _, l := range []vg.Length{st.title, st.subtitle, st.axisLabel, st.tick, st.legend, st.footer, st.panel, st.cell, st.marker} {
			if float64(l) < MinTextSize {
				t.Errorf("size %d sets text at %v pt", sz, l)
			}
		}
		for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
			for _, ch := range allCharts(t, meta) {
				for _, b := range textBoxes(t, ch, st) {
					if float64(b.size) < MinTextSize {
						t.Errorf("%s at size %d: %q at %.2f pt", ch.Name, sz, b.text, b.size)
					}
				}
			}
		}
	}
}
