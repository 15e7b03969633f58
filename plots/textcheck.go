package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sizes returns every size preset, in the order of their values.
func Sizes() []Size { return []Size{SizeSlide, SizeHalfPage, SizeWeb} }

// MinTextSize is the smallest text, in points, of any chart at any size
// preset (CheckText): a briefing reader pastes the charts into slides and
// documents at the sizes potash writes.
const MinTextSize = float64(minPoints)

// CheckText draws ch at size sz and returns what a reader would trip
// over, one line each: a string smaller than MinTextSize, two strings
// whose inked boxes overlap (an axis label running into the footer, an
// event label over a tick label), a string leaving the canvas. It is
// for the tests of the packages that make their own charts (the
// back-test's): the plots engine lays their figures out too, and a
// layout that fails here fails for them. The error is the chart's own
// (its Build's).
func CheckText(ch *Chart, sz Size) ([]string, error) {
	st, err := styleFor(sz)
	if err != nil {
		return nil, err
	}
	boxes, err := drawBoxes(ch, st)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, b := range boxes {
		if b.size < minPoints {
			out = append(out, fmt.Sprintf("%q is %.2f pt, under %v pt", b.text, b.size, MinTextSize))
		}
	}
	return append(out, overlaps(boxes, st.width, st.height, 0.25)...), nil
}

// textBox is the box of the ink of one string drawn on a chart, in the
// canvas's coordinates (its glyphs' bounds in the font gonum/plot draws
// it with, kerning included), turned as the canvas was when it was drawn.
type textBox struct {
	text     string
	size     vg.Length // the font's size
	min, max vg.Point
}

// drawBoxes draws ch at st and returns the boxes of its strings.
func drawBoxes(ch *Chart, st *Style) ([]textBox, error) {
	c := newBoxCanvas(st)
	if err := ch.draw(draw.New(c), st); err != nil {
		return nil, errorf("%s: %v", ch.Name, err)
	}
	return c.boxes, nil
}

// overlaps returns the pairs of boxes that overlap by more than tol in
// both directions, and the boxes that leave the w × h canvas.
func overlaps(boxes []textBox, w, h, tol vg.Length) []string {
	var out []string
	for i, a := range boxes {
		if a.min.X < -tol || a.min.Y < -tol || a.max.X > w+tol || a.max.Y > h+tol {
			out = append(out, fmt.Sprintf("%q leaves the canvas (%.1f,%.1f)–(%.1f,%.1f)", a.text, a.min.X, a.min.Y, a.max.X, a.max.Y))
		}
		for _, b := range boxes[i+1:] {
			dx := min(a.max.X, b.max.X) - max(a.min.X, b.min.X)
			dy := min(a.max.Y, b.max.Y) - max(a.min.Y, b.min.Y)
			if dx > tol && dy > tol {
				out = append(out, fmt.Sprintf("%q and %q overlap by %.1f × %.1f pt", a.text, b.text, dx, dy))
			}
		}
	}
	return out
}

// boxCanvas is a vg.Canvas that draws nothing and records the box of
// every string filled on it, following the canvas's translations,
// rotations and scalings.
type boxCanvas struct {
	w, h  vg.Length
	m     affine   // the current transformation
	stack []affine // Push/Pop
	boxes []textBox
	faces map[string]xfont.Face // by font and size
}

// affine maps (x, y) to (a·x + b·y + c, d·x + e·y + f).
type affine struct{ a, b, c, d, e, f float64 }

func (m affine) apply(x, y float64) (float64, float64) {
	return m.a*x + m.b*y + m.c, m.d*x + m.e*y + m.f
}

// then is m after n: the transformation that applies n, then m.
func (m affine) then(n affine) affine {
	return affine{
		a: m.a*n.a + m.b*n.d, b: m.a*n.b + m.b*n.e, c: m.a*n.c + m.b*n.f + m.c,
		d: m.d*n.a + m.e*n.d, e: m.d*n.b + m.e*n.e, f: m.d*n.c + m.e*n.f + m.f,
	}
}

func newBoxCanvas(st *Style) *boxCanvas {
	return &boxCanvas{w: st.width, h: st.height, m: affine{a: 1, e: 1}, faces: map[string]xfont.Face{}}
}

func (c *boxCanvas) Size() (vg.Length, vg.Length)        { return c.w, c.h }
func (c *boxCanvas) SetLineWidth(vg.Length)              {}
func (c *boxCanvas) SetLineDash([]vg.Length, vg.Length)  {}
func (c *boxCanvas) SetColor(color.Color)                {}
func (c *boxCanvas) Stroke(vg.Path)                      {}
func (c *boxCanvas) Fill(vg.Path)                        {}
func (c *boxCanvas) DrawImage(vg.Rectangle, image.Image) {}
func (c *boxCanvas) Push()                               { c.stack = append(c.stack, c.m) }
func (c *boxCanvas) Pop() {
	c.m = c.stack[len(c.stack)-1]
	c.stack = c.stack[:len(c.stack)-1]
}
func (c *boxCanvas) Rotate(rad float64) {
	s, co := math.Sincos(rad)
	c.m = c.m.then(affine{a: co, b: -s, d: s, e: co})
}
func (c *boxCanvas) Translate(pt vg.Point) {
	c.m = c.m.then(affine{a: 1, c: float64(pt.X), e: 1, f: float64(pt.Y)})
}
func (c *boxCanvas) Scale(x, y float64) { c.m = c.m.then(affine{a: x, e: y}) }

func (c *boxCanvas) FillString(f font.Face, pt vg.Point, s string) {
	// The ink of the string: its glyphs' bounds at 72 dpi (1 px = 1 pt),
	// y downwards from the baseline.
	key := f.Name() + "/" + strconv.FormatFloat(float64(f.Font.Size), 'g', -1, 64)
	face, ok := c.faces[key]
	if !ok {
		face = f.FontFace(72)
		c.faces[key] = face
	}
	ink, _ := xfont.BoundString(face, s)
	if ink.Empty() {
		return // spaces: nothing to see
	}
	fx := func(v fixed.Int26_6) float64 { return float64(v) / 64 }
	x0, x1 := float64(pt.X)+fx(ink.Min.X), float64(pt.X)+fx(ink.Max.X)
	y0, y1 := float64(pt.Y)-fx(ink.Max.Y), float64(pt.Y)-fx(ink.Min.Y)
	b := textBox{text: s, size: f.Font.Size, min: vg.Point{X: vg.Length(math.Inf(1)), Y: vg.Length(math.Inf(1))}, max: vg.Point{X: vg.Length(math.Inf(-1)), Y: vg.Length(math.Inf(-1))}}
	for _, p := range [][2]float64{{x0, y0}, {x0, y1}, {x1, y0}, {x1, y1}} {
		x, y := c.m.apply(p[0], p[1])
		b.min.X, b.min.Y = min(b.min.X, vg.Length(x)), min(b.min.Y, vg.Length(y))
		b.max.X, b.max.Y = max(b.max.X, vg.Length(x)), max(b.max.Y, vg.Length(y))
	}
	c.boxes = append(c.boxes, b)
}
