package plots

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"time"

	pdf "codeberg.org/go-pdf/fpdf"
	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// pdfCanvas is a vg.Canvas that writes PDF through go-pdf/fpdf, like
// gonum/plot's vgpdf, with three differences that matter for briefings:
//
//   - fonts are embedded as Unicode TrueType subsets with a ToUnicode map
//     (fpdf's UTF-8 fonts), so "Klaipėda", "−" and "2020–2025" print and
//     copy as written (vgpdf encodes text in code page 1252);
//   - each weight is its own font ("B" style for bold), so titles are
//     bold (vgpdf files a bold and a regular face of one family under the
//     same name and one of them wins);
//   - the file carries no creation or modification date, and its fonts
//     and images are listed in a fixed order, so the same chart gives the
//     same bytes on every run.
type pdfCanvas struct {
	doc   *pdf.Fpdf
	w, h  vg.Length
	stack []pdfContext
	fonts map[font.Font]string // registered fonts (size 0) → family name
	alpha float64
	nimg  int
}

type pdfContext struct {
	width vg.Length
}

// pdfDate is the date fpdf is given; its /CreationDate and /ModDate
// entries are blanked from the output (fpdf always writes them).
var pdfDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const pdfProducer = "potash (gonum/plot, go-pdf/fpdf)"

func newPDFCanvas(w, h vg.Length) *pdfCanvas {
	doc := pdf.NewCustom(&pdf.InitType{UnitStr: "pt", Size: pdf.SizeType{Wd: w.Points(), Ht: h.Points()}})
	doc.SetCreationDate(pdfDate)
	doc.SetModificationDate(pdfDate)
	doc.SetCatalogSort(true)
	doc.SetProducer(pdfProducer, false)
	doc.SetMargins(0, 0, 0)
	doc.SetAutoPageBreak(false, 0)
	doc.AddPage()
	c := &pdfCanvas{doc: doc, w: w, h: h, stack: make([]pdfContext, 1), fonts: map[font.Font]string{}, alpha: 1}
	// PDF's origin is the top left corner, vg's the bottom left.
	c.Push()
	c.Translate(vg.Point{X: 0, Y: h})
	c.Scale(1, -1)
	vg.Initialize(c)
	return c
}

func (c *pdfCanvas) ctx() *pdfContext { return &c.stack[len(c.stack)-1] }

// Size implements vg.Canvas.
func (c *pdfCanvas) Size() (w, h vg.Length) { return c.w, c.h }

// SetLineWidth implements vg.Canvas.
func (c *pdfCanvas) SetLineWidth(w vg.Length) {
	c.ctx().width = w
	c.doc.SetLineWidth(w.Points())
}

// SetLineDash implements vg.Canvas.
func (c *pdfCanvas) SetLineDash(dashes []vg.Length, offs vg.Length) {
	ds := make([]float64, len(dashes))
	for i, d := range dashes {
		ds[i] = d.Points()
	}
	c.doc.SetDashPattern(ds, offs.Points())
}

// SetColor implements vg.Canvas.
func (c *pdfCanvas) SetColor(clr color.Color) {
	if clr == nil {
		clr = color.Black
	}
	r, g, b, a := clr.RGBA()
	if a == 0 {
		r, g, b = 0, 0, 0
	} else if a != 0xffff {
		// Un-premultiply.
		r, g, b = r*0xffff/a, g*0xffff/a, b*0xffff/a
	}
	ri, gi, bi := int(r>>8), int(g>>8), int(b>>8)
	c.doc.SetFillColor(ri, gi, bi)
	c.doc.SetDrawColor(ri, gi, bi)
	c.doc.SetTextColor(ri, gi, bi)
	if al := float64(a) / math.MaxUint16; al != c.alpha {
		c.alpha = al
		c.doc.SetAlpha(al, "Normal")
	}
}

// Rotate implements vg.Canvas.
func (c *pdfCanvas) Rotate(r float64) { c.doc.TransformRotate(-r*180/math.Pi, 0, 0) }

// Translate implements vg.Canvas.
func (c *pdfCanvas) Translate(pt vg.Point) { c.doc.TransformTranslate(pt.X.Points(), pt.Y.Points()) }

// Scale implements vg.Canvas.
func (c *pdfCanvas) Scale(x, y float64) { c.doc.TransformScale(x*100, y*100, 0, 0) }

// Push implements vg.Canvas.
func (c *pdfCanvas) Push() {
	c.stack = append(c.stack, *c.ctx())
	c.doc.TransformBegin()
}

// Pop implements vg.Canvas.
func (c *pdfCanvas) Pop() {
	c.doc.TransformEnd()
	c.stack = c.stack[:len(c.stack)-1]
}

// Stroke implements vg.Canvas.
func (c *pdfCanvas) Stroke(p vg.Path) {
	if c.ctx().width > 0 {
		c.path(p, "D")
	}
}

// Fill implements vg.Canvas.
func (c *pdfCanvas) Fill(p vg.Path) { c.path(p, "F") }

// path adds p to the document and paints it with style ("D": stroke, "F":
// fill). Arcs become cubic Bézier curves of at most a quarter turn each.
func (c *pdfCanvas) path(p vg.Path, style string) {
	if len(p) == 0 {
		return
	}
	open := false
	for _, comp := range p {
		switch comp.Type {
		case vg.MoveComp:
			c.doc.MoveTo(comp.Pos.X.Points(), comp.Pos.Y.Points())
			open = true
		case vg.LineComp:
			c.doc.LineTo(comp.Pos.X.Points(), comp.Pos.Y.Points())
		case vg.ArcComp:
			c.arc(comp, open)
			open = true
		case vg.CurveComp:
			x, y := comp.Pos.X.Points(), comp.Pos.Y.Points()
			switch len(comp.Control) {
			case 1:
				c.doc.CurveTo(comp.Control[0].X.Points(), comp.Control[0].Y.Points(), x, y)
			case 2:
				c.doc.CurveBezierCubicTo(comp.Control[0].X.Points(), comp.Control[0].Y.Points(),
					comp.Control[1].X.Points(), comp.Control[1].Y.Points(), x, y)
			}
		case vg.CloseComp:
			c.doc.ClosePath()
		}
	}
	c.doc.DrawPath(style)
}

func (c *pdfCanvas) arc(comp vg.PathComp, open bool) {
	cx, cy, r := comp.Pos.X.Points(), comp.Pos.Y.Points(), comp.Radius.Points()
	n := int(math.Ceil(math.Abs(comp.Angle) / (math.Pi / 2)))
	if n < 1 {
		n = 1
	}
	pt := func(a float64) (float64, float64) { return cx + r*math.Cos(a), cy + r*math.Sin(a) }
	a0 := comp.Start
	x0, y0 := pt(a0)
	if open {
		c.doc.LineTo(x0, y0)
	} else {
		c.doc.MoveTo(x0, y0)
	}
	da := comp.Angle / float64(n)
	k := 4.0 / 3 * math.Tan(da/4) * r
	for j := 0; j < n; j++ {
		a1 := a0 + da
		x1, y1 := pt(a1)
		c.doc.CurveBezierCubicTo(x0-k*math.Sin(a0), y0+k*math.Cos(a0), x1+k*math.Sin(a1), y1-k*math.Cos(a1), x1, y1)
		a0, x0, y0 = a1, x1, y1
	}
}

// FillString implements vg.Canvas: s with its baseline at pt.
func (c *pdfCanvas) FillString(f font.Face, pt vg.Point, s string) {
	if f.Font.Size == 0 || s == "" {
		return
	}
	family, style := c.font(f)
	c.doc.SetFont(family, style, f.Font.Size.Points())
	c.Push()
	c.Translate(pt)
	c.Scale(1, -1)
	c.doc.Text(0, 0, s)
	c.Pop()
}

// font registers f's face (once per document) and returns its fpdf family
// and style.
func (c *pdfCanvas) font(f font.Face) (family, style string) {
	key := f.Font
	key.Size = 0
	if f.Font.Weight >= stdfont.WeightBold {
		style += "B"
	}
	if f.Font.Style == stdfont.StyleItalic {
		style += "I"
	}
	if fam, ok := c.fonts[key]; ok {
		return fam, style
	}
	family = string(key.Typeface) + string(key.Variant)
	if family == "" {
		family = "font"
	}
	ttf, err := fontSource(f)
	if err != nil {
		c.doc.SetError(errorf("PDF: %v", err))
		return family, style
	}
	c.doc.AddUTF8FontFromBytes(family, style, ttf)
	c.fonts[key] = family
	return family, style
}

// DrawImage implements vg.Canvas.
func (c *pdfCanvas) DrawImage(rect vg.Rectangle, img image.Image) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		c.doc.SetError(err)
		return
	}
	c.nimg++
	name := fmt.Sprintf("image_%03d.png", c.nimg)
	opts := pdf.ImageOptions{ImageType: "png"}
	c.doc.RegisterImageOptionsReader(name, opts, &buf)
	// The image is drawn upright in a y-down space at the rectangle's top.
	c.Push()
	c.Translate(vg.Point{X: rect.Min.X, Y: rect.Max.Y})
	c.Scale(1, -1)
	sz := rect.Size()
	c.doc.ImageOptions(name, 0, 0, sz.X.Points(), sz.Y.Points(), false, opts, 0, "")
	c.Pop()
}

// WriteTo implements io.WriterTo: the finished PDF, without dates.
func (c *pdfCanvas) WriteTo(w io.Writer) (int64, error) {
	for len(c.stack) > 1 {
		c.Pop()
	}
	var buf bytes.Buffer
	if err := c.doc.Output(&buf); err != nil {
		return 0, errorf("PDF: %v", err)
	}
	b := buf.Bytes()
	// Blank the date entries with spaces (same length, so the
	// cross-reference offsets stay right).
	stamp := "(D:" + pdfDate.Format("20060102150405") + ")"
	for _, key := range []string{"/CreationDate ", "/ModDate "} {
		entry := []byte(key + stamp)
		if i := bytes.Index(b, entry); i >= 0 {
			copy(b[i:], bytes.Repeat([]byte{' '}, len(entry)))
		}
	}
	n, err := w.Write(b)
	return int64(n), err
}
