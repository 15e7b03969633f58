package plots

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"sort"
	"strings"

	stdfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// svgCanvas is the SVG canvas: vgsvg's, without its font embedding (which
// writes every face whole, 400 kB each, base64: an SVG chart weighed
// 1.1 MB), with an @font-face rule for each face drawn instead whose font
// is a subset of the face holding only the glyphs of the characters drawn
// with it (subsetFont, the PDF's subsetter). The text stays text, in the
// same faces, so that a browser or slide program renders it as before.
type svgCanvas struct {
	*vgsvg.Canvas
	faces map[font.Font]*svgFace // by font (size 0)
}

// svgFace is a face drawn on an SVG canvas and the characters drawn with it.
type svgFace struct {
	face  font.Face
	runes strings.Builder
}

func newSVGCanvas(w, h vg.Length) *svgCanvas {
	return &svgCanvas{
		Canvas: vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false)),
		faces:  map[font.Font]*svgFace{},
	}
}

// FillString implements vg.Canvas.
func (c *svgCanvas) FillString(f font.Face, pt vg.Point, s string) {
	c.Canvas.FillString(f, pt, s)
	key := f.Font
	key.Size = 0
	sf := c.faces[key]
	if sf == nil {
		sf = &svgFace{face: f}
		c.faces[key] = sf
	}
	sf.runes.WriteString(s)
}

// svgHead ends the opening <svg> tag that vgsvg writes; svgHeadPreserve
// replaces it, telling viewers to keep the text's spaces as they are
// (xml:space for Inkscape, LibreOffice and librsvg; browsers heed the
// CSS white-space of fontDefs): the charts separate parts of a line with
// two spaces ("us-relief-2025  vs  history"), which XML's default
// collapses to one, and right-aligned labels are placed by their width
// with both, as the PNG draws them.
const (
	svgHead         = "xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n"
	svgHeadPreserve = "xmlns:xlink=\"http://www.w3.org/1999/xlink\"\n\txml:space=\"preserve\">\n"
)

// WriteTo implements io.WriterTo: vgsvg's document, its spaces preserved,
// with a <defs> block of the subset fonts after the opening <svg> tag.
func (c *svgCanvas) WriteTo(w io.Writer) (int64, error) {
	var doc bytes.Buffer
	if _, err := c.Canvas.WriteTo(&doc); err != nil {
		return 0, errorf("SVG: %v", err)
	}
	b := doc.Bytes()
	i := bytes.Index(b, []byte(svgHead))
	if i < 0 {
		return 0, errorf("SVG: no <svg> tag in vgsvg's output")
	}
	defs, err := c.fontDefs()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, part := range [][]byte{b[:i], []byte(svgHeadPreserve), defs, b[i+len(svgHead):]} {
		k, err := w.Write(part)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// fontDefs returns the <defs> block with an @font-face rule for each face
// drawn, in a fixed order, after a rule that keeps the texts' spaces, or
// nothing when no text was drawn.
func (c *svgCanvas) fontDefs() ([]byte, error) {
	type rule struct{ descr, css string }
	var rules []rule
	for _, sf := range c.faces {
		if sf.runes.Len() == 0 {
			continue // only empty strings: nothing to show
		}
		ttf, err := kernedSubset(sf.face, sf.runes.String())
		if err != nil {
			return nil, errorf("SVG: %v", err)
		}
		family, variant, weight, style, err := svgFontDescr(sf.face)
		if err != nil {
			return nil, errorf("SVG: %v", err)
		}
		var r strings.Builder
		fmt.Fprintf(&r, "\t\t@font-face{\n")
		fmt.Fprintf(&r, "\t\t\tfont-family:%q;\n", family)
		fmt.Fprintf(&r, "\t\t\tfont-variant:%s;font-weight:%s;font-style:%s;\n", variant, weight, style)
		fmt.Fprintf(&r, "\t\t\tsrc: url(data:font/ttf;base64,%s) format(\"truetype\");\n", base64.StdEncoding.EncodeToString(ttf))
		fmt.Fprintf(&r, "\t\t}\n")
		rules = append(rules, rule{family + " " + variant + " " + weight + " " + style, r.String()})
	}
	if len(rules) == 0 {
		return nil, nil
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].descr < rules[j].descr })
	var b bytes.Buffer
	b.WriteString("<defs>\n\t<style>\n\t\ttext{white-space:pre}\n")
	for _, r := range rules {
		b.WriteString(r.css)
	}
	b.WriteString("\t</style>\n</defs>\n")
	return b.Bytes(), nil
}

// svgFontDescr returns the CSS font descriptors of f as vgsvg writes them
// in the style of its <text> elements, so that each text finds its rule.
func svgFontDescr(f font.Face) (family, variant, weight, style string, err error) {
	var buf sfnt.Buffer
	if family, err = f.Face.Name(&buf, sfnt.NameIDFamily); err != nil {
		return "", "", "", "", fmt.Errorf("font %s: no family name: %v", f.Name(), err)
	}
	switch v := strings.ToLower(string(f.Font.Variant)); v {
	case "smallcaps":
		variant = "small-caps"
	case "mono", "monospace", "sans", "sansserif", "sans-serif", "serif":
		variant = "normal"
	case "":
		variant = "none"
	default:
		variant = v
	}
	weights := map[stdfont.Weight]string{
		stdfont.WeightThin: "100", stdfont.WeightExtraLight: "200", stdfont.WeightLight: "300",
		stdfont.WeightNormal: "normal", stdfont.WeightMedium: "500", stdfont.WeightSemiBold: "600",
		stdfont.WeightBold: "bold", stdfont.WeightExtraBold: "800", stdfont.WeightBlack: "900",
	}
	styles := map[stdfont.Style]string{
		stdfont.StyleNormal: "normal", stdfont.StyleItalic: "italic", stdfont.StyleOblique: "oblique",
	}
	var ok1, ok2 bool
	weight, ok1 = weights[f.Font.Weight]
	style, ok2 = styles[f.Font.Style]
	if !ok1 || !ok2 {
		return "", "", "", "", fmt.Errorf("font %s: weight %d or style %d unknown", f.Name(), f.Font.Weight, f.Font.Style)
	}
	return family, variant, weight, style, nil
}
