package plots

import (
	"image/color"
	"testing"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestPeriodNotUnderT: in a PNG, a period or comma after a T (which
// Liberation Sans kerns under the T's bar, where at a legend's size it
// vanishes: "docs/BACKTESTmd") is drawn clear of the T: at least one
// pixel column free of ink between them, at every size, at 150 DPI.
func TestPeriodNotUnderT(t *testing.T) {
	for _, size := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
		st, err := styleFor(size)
		if err != nil {
			t.Fatal(err)
		}
		face := font.DefaultCache.Lookup(st.LabelStyle(color.Black, false).Font, st.legend)
		// inkCols returns the pixel columns with ink of s drawn on the
		// PNG canvas.
		inkCols := func(s string) []bool {
			img := vgimg.NewWith(vgimg.UseWH(40, 20), vgimg.UseDPI(150), vgimg.UseBackgroundColor(color.White))
			pngCanvas{img}.FillString(face, vg.Point{X: 2, Y: 6}, s)
			m := img.Image()
			b := m.Bounds()
			cols := make([]bool, b.Dx())
			for x := b.Min.X; x < b.Max.X; x++ {
				for y := b.Min.Y; y < b.Max.Y; y++ {
					if r, _, _, _ := m.At(x, y).RGBA(); r < 0xf000 {
						cols[x-b.Min.X] = true
					}
				}
			}
			return cols
		}
		for _, p := range []string{"T.", "T,"} {
			tee, pair := inkCols("T"), inkCols(p)
			last := -1 // the T's last column with ink
			for x, ink := range tee {
				if ink {
					last = x
				}
			}
			// The punctuation's ink: its columns after the T's last, or
			// none when it is under the T.
			gap := false
			for x := last + 1; x < len(pair); x++ {
				if !pair[x] {
					gap = true
				} else {
					break
				}
			}
			more := false
			for x := last + 1; x < len(pair); x++ {
				more = more || pair[x]
			}
			if !gap || !more {
				t.Errorf("%v: %q: no blank pixel column between the T and its punctuation (%s)", size, p, cols(pair))
			}
		}
	}
}

// cols shows which pixel columns have ink.
func cols(c []bool) string {
	b := make([]byte, len(c))
	for i, v := range c {
		b[i] = '.'
		if v {
			b[i] = '#'
		}
	}
	return string(b)
}
