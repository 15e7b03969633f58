package plots

import (
	"testing"
)

// TestLegendNotTiny: at half-page size no legend text is shrunk below
// 7 pt (it was 4.7 pt on the revenue and volume charts, whose eleven
// suppliers and numbered event key did not fit the column): every text
// under 7 pt is one the preset sets that small on purpose (the footer,
// event labels, heat-map cells) or a title or subtitle shrunk to its line.
func TestLegendNotTiny(t *testing.T) {
	st, _ := styleFor(SizeHalfPage)
	const floor = 7
	if st.legendFloor() < floor {
		t.Fatalf("half-page legend floor %v pt, want at least %v", st.legendFloor(), floor)
	}
	for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
		for _, ch := range allCharts(t, meta) {
			for _, b := range textBoxes(t, ch, st) {
				switch {
				case b.size >= floor, b.size == st.footer, b.size == st.marker, b.size == st.cell,
					b.text == ch.Title, b.text == ch.Subtitle:
					continue
				}
				t.Errorf("%s: %q at %.2f pt", ch.Name, b.text, b.size)
			}
		}
	}
}
