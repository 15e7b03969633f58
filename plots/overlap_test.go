package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/potash-sim/potash/model"
)

// textBox is the box of the ink of one string drawn on a chart, in the
// canvas's coordinates (its glyphs' bounds in the font gonum/plot draws
// it with, kerning included), turned as the canvas was when it was drawn.
type textBox struct {
	text     string
	size     vg.Length // the font's size
	min, max vg.Point
}

// boxCanvas is a vg.Canvas that draws nothing and records the box of
// every string filled on it, following the canvas's translations,
// rotations and scalings.
type boxCanvas struct {
	w, h  vg.Length
	m     affine   // the current transformation
	stack []affine // Push/Pop
	boxes []textBox
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
	return &boxCanvas{w: st.width, h: st.height, m: affine{a: 1, e: 1}}
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
	face, ok := faces[key]
	if !ok {
		face = f.FontFace(72)
		faces[key] = face
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

// faces caches the font faces of boxCanvas by font and size.
var faces = map[string]xfont.Face{}

// textBoxes draws ch at st and returns the boxes of its strings.
func textBoxes(t *testing.T, ch *Chart, st *Style) []textBox {
	t.Helper()
	c := newBoxCanvas(st)
	if err := ch.draw(draw.New(c), st); err != nil {
		t.Fatalf("%s: %v", ch.Name, err)
	}
	return c.boxes
}

// overlaps returns the pairs of boxes that overlap by more than tol in
// both directions, and the boxes that leave the canvas.
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

// briefingMeta is what the charts of a real run say: the embedded data's
// long credit line, the constant-dollar year and the default scenario's
// events, several in the same few months.
func briefingMeta() Meta {
	m := fixtureMeta()
	m.DataSource = "Data: base-2020 v1.3.0 (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md)"
	m.DollarsOf = 2020
	m.ModelVersion = "0.5.1"
	m.Draws, m.Seed = 300, 7
	m.Markers = []Marker{
		{Month: model.NewMonth(2021, 7), Label: "EU sanctions (June 2021)"},
		{Month: model.NewMonth(2021, 7), Label: "Buyers stock up ahead of the closures"},
		{Month: model.NewMonth(2021, 12), Label: "US sanctions"},
		{Month: model.NewMonth(2021, 12), Label: "BPC designated (buyers' risk cost)"},
		{Month: model.NewMonth(2022, 2), Label: "Klaipėda closed"},
		{Month: model.NewMonth(2022, 3), Label: "EU ban (all grades)"},
		{Month: model.NewMonth(2022, 3), Label: "Rerouting via Russian ports"},
		{Month: model.NewMonth(2022, 3), Label: "Rail to China grows"},
		{Month: model.NewMonth(2022, 7), Label: "EU quota on Russian KCl"},
		{Month: model.NewMonth(2025, 12), Label: "US relief (risk cost)"},
		{Month: model.NewMonth(2027, 7), Label: "BHP Jansen Stage 1"},
		{Month: model.NewMonth(2027, 7), Label: "Jansen port capacity"},
	}
	return m
}

// allCharts is every kind of chart, from the fixtures with meta.
func allCharts(t *testing.T, meta Meta) []*Chart {
	t.Helper()
	run := fixtureRun(fixtureOpts{})
	charts, err := RunCharts(run, fixtureMC(run), meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tor := range []*model.Tornado{fixtureTornado(), fixtureTornadoCut(), fixtureTornadoSameSide()} {
		ch, err := TornadoChart(tor, meta)
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, ch)
	}
	for _, dims := range []int{1, 2} {
		sw, err := SweepCharts(fixtureSweep(dims), meta)
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, sw...)
	}
	cmp, err := CompareCharts([]*model.Run{run, fixtureRun(fixtureOpts{delay: 0.5}), fixtureRun(fixtureOpts{zero: true})},
		[]string{"us-relief-2025", "relief-2026", "history"}, "Belarus", meta)
	if err != nil {
		t.Fatal(err)
	}
	return append(charts, cmp...)
}

// TestNoTextOverlaps: at every size, no two strings of a chart (title,
// subtitle, tick and axis labels, legend, event labels, cell values,
// footer) overlap, measured with gonum/plot's text extents, and none
// leaves the canvas.
func TestNoTextOverlaps(t *testing.T) {
	for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
		for _, ch := range allCharts(t, meta) {
			for _, sz := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
				st, _ := styleFor(sz)
				for _, p := range overlaps(textBoxes(t, ch, st), st.width, st.height, 0.25) {
					t.Errorf("%s at size %d: %s", ch.Name, sz, p)
				}
			}
		}
	}
}

// TestFooterWrapsNotShrinks: a footer too long for one line wraps between
// its parts at its own size, at every size; it is never shrunk (at
// half-page size a footer shrunk to fit one line ran "FAOSTAT," into
// "World"), and its lines fit the canvas.
func TestFooterWrapsNotShrinks(t *testing.T) {
	for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
		for _, ch := range allCharts(t, meta) {
			for _, sz := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
				st, _ := styleFor(sz)
				var lines []string
				for _, b := range textBoxes(t, ch, st) {
					if strings.Contains(ch.Footer, b.text) && b.size == st.footer && b.max.Y < st.height/6 {
						lines = append([]string{b.text}, lines...) // drawn from the bottom up
						if b.max.X > st.width-st.pad {
							t.Errorf("%s at size %d: footer line %q runs to %.1f pt of %.1f", ch.Name, sz, b.text, b.max.X, st.width)
						}
					}
				}
				got := strings.Join(lines, " ")
				got = strings.ReplaceAll(got, footerSep, " ")
				if want := strings.ReplaceAll(ch.Footer, footerSep, " "); got != want {
					t.Errorf("%s at size %d: footer drawn at %v pt as %q, want %q", ch.Name, sz, st.footer, lines, ch.Footer)
				}
			}
		}
	}
}

// TestFooterLines: footer lines break between parts, a part too long for
// a line at its spaces, and no line is wider than the width.
func TestFooterLines(t *testing.T) {
	st, _ := styleFor(SizeHalfPage)
	sty := st.text(st.footer, false, colFooter)
	footer := footerText(briefingMeta())
	for _, width := range []vg.Length{1000, 400, 200, 120} {
		lines := footerLines(footer, sty, width)
		for _, l := range lines {
			if sty.Width(l) > width {
				t.Errorf("width %v: line %q is %.1f pt wide", width, l, sty.Width(l))
			}
		}
		if got := strings.Join(lines, " "); strings.ReplaceAll(got, footerSep, " ") != strings.ReplaceAll(footer, footerSep, " ") {
			t.Errorf("width %v: lines %q lose words of %q", width, lines, footer)
		}
		if width >= 400 { // wide enough for every part: lines of whole parts
			parts := strings.Split(footer, footerSep)
			for _, l := range lines {
				for _, p := range strings.Split(l, footerSep) {
					if !slices.Contains(parts, p) {
						t.Errorf("width %v: part %q of line %q is not a whole part of %q", width, p, l, footer)
					}
				}
			}
		}
	}
	if n := len(footerLines(footer, sty, 1000)); n != 1 {
		t.Errorf("a footer that fits takes %d lines", n)
	}
}

// TestThinXTicks: number ticks on a narrow panel's x axis thin out until
// their labels stand apart, rather than run together.
func TestThinXTicks(t *testing.T) {
	st, _ := styleFor(SizeHalfPage)
	for _, tk := range []plot.Ticker{NumberTicks{}, offsetTicks{NumberTicks{}, 0.05}} {
		p := newPlot(st)
		p.X.Min, p.X.Max = 0, 1.5
		p.X.Tick.Marker = tk
		dc := draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: 70, Y: 100}}}
		thinXTicks(p, dc)
		prev := vg.Length(math.Inf(-1))
		n := 0
		for _, tc := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
			if tc.Label == "" {
				continue
			}
			n++
			x, w := dc.X(p.X.Norm(tc.Value)), p.X.Tick.Label.Width(tc.Label)
			if x-w/2 < prev {
				t.Errorf("%T: label %q runs into the one before it", tk, tc.Label)
			}
			prev = x + w/2
		}
		if n < 2 {
			t.Errorf("%T: %d labels left; want at least 2", tk, n)
		}
	}
}
