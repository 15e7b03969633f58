package plots

import (
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// pngCanvas is the PNG canvas: vgimg's, but a period or comma after a
// letter whose ink overhangs it (overhangs) is drawn unkerned. Liberation
// Sans kerns "." and "," under the bar or arms of F, P, T, V, W and Y,
// where at a legend's or footer's size on screen the dot vanishes:
// "docs/BACKTEST.md" read "docs/BACKTESTmd". The PDF canvas does not kern
// at all; SVG is kerned by its viewer, with the kern table of its font
// subsets (kernedSubset), which leaves these pairs out.
type pngCanvas struct{ *vgimg.Canvas }

func (c pngCanvas) FillString(f font.Face, pt vg.Point, s string) {
	c.Canvas.FillString(f, pt, unkernPunct(s))
}

// overhangs are the letters whose ink overhangs a period or comma kerned
// after them; a kerned "r." or "y," stays beside its letter.
const overhangs = "FPTVWY"

// unkernedPair reports whether the pair l, r is drawn unkerned: r is a
// period or comma and l one of overhangs.
func unkernedPair(l, r rune) bool {
	return (r == '.' || r == ',') && l < 128 && strings.IndexByte(overhangs, byte(l)) >= 0
}

// unkernPunct returns s with a zero width space (U+200B: no ink, no
// advance, no kerning pair with either neighbour; the embedded fonts have
// it) between each of the overhangs and a "." or "," after it, so that the
// pair is drawn unkerned. The text's measured width (font.Face.Width, which
// kerns) is then short by the pair's kern, 0.11 em.
func unkernPunct(s string) string {
	if !strings.ContainsAny(s, ".,") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if i+1 < len(s) && unkernedPair(rune(s[i]), rune(s[i+1])) {
			b.WriteString("\u200b")
		}
	}
	return b.String()
}
