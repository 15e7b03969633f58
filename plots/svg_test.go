package plots

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	stdfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font"

	"github.com/potash-sim/potash/model"
)

// svgTextStyled is a text element of vgsvg with its font descriptors.
var svgTextStyled = regexp.MustCompile(`<text [^>]*style="font-family:([^;"]*);font-variant:([^;"]*);font-weight:([^;"]*);font-style:([^;"]*)[;"][^>]*>([^<]*)</text>`)

// svgFontFace is an @font-face rule of svgCanvas.
var svgFontFace = regexp.MustCompile(`@font-face\{\s*font-family:"([^"]*)";\s*font-variant:([^;]*);font-weight:([^;]*);font-style:([^;]*);\s*src: url\(data:font/ttf;base64,([A-Za-z0-9+/=]*)\) format\("truetype"\);\s*\}`)

// svgSpecials are characters the charts draw, or a user's scenario may,
// that are beyond ASCII or kerned: en dash, middle dot, ≤, Ė and ė
// (Klaipėda), the minus sign, € and $.
const svgSpecials = "– · ≤ KLAIPĖDA Klaipėda −1.5 €3 $4 AV To. Ty, P."

// svgFontCharts are charts of every kind, one carrying svgSpecials in
// its subtitle and an event label.
func svgFontCharts(t *testing.T) []*Chart {
	t.Helper()
	run, meta, charts := fixtureCharts(t)
	tor, err := TornadoChart(fixtureTornado(), meta)
	if err != nil {
		t.Fatal(err)
	}
	charts = append(charts, tor)
	for _, dims := range []int{1, 2} {
		sw, err := SweepCharts(fixtureSweep(dims), meta)
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, sw...)
	}
	runs := []*model.Run{run, fixtureRun(fixtureOpts{delay: 0.5})}
	cmp, err := CompareCharts(runs, []string{"us-relief-2025", "relief-2026"}, "Belarus", meta)
	if err != nil {
		t.Fatal(err)
	}
	charts = append(charts, cmp...)
	sm := fixtureMeta()
	sm.Scenario = "Klaipėda ≤ €3 – $4 · −1.5"
	sm.Markers = append(sm.Markers, Marker{Month: model.NewMonth(2023, 3), Label: "KLAIPĖDA reopens · ≤ €3"})
	sp, err := PricePathChart(run, nil, sm)
	if err != nil {
		t.Fatal(err)
	}
	return append(charts, sp)
}

// svgFace is the face of an @font-face rule or a text element's style.
func svgFaceOf(variant, weight, style string) (font.Face, error) {
	f := sansFont
	if variant != "normal" {
		return font.Face{}, errors.New("variant " + variant)
	}
	switch weight {
	case "normal":
	case "bold":
		f.Weight = stdfont.WeightBold
	default:
		return font.Face{}, errors.New("weight " + weight)
	}
	if style != "normal" {
		return font.Face{}, errors.New("style " + style)
	}
	return font.DefaultCache.Lookup(f, 12), nil
}

// checkSubset checks that sub, a subset of face, draws every character
// of runes that face has with face's glyph (same outline, same advance)
// and kerns every pair of them as face does, but for the pairs the PNG
// draws unkerned (unkernedPair), which it does not kern.
func checkSubset(t *testing.T, what string, face font.Face, sub []byte, runes string) {
	t.Helper()
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("%s: subset does not parse: %v", what, err)
	}
	var fb, sb sfnt.Buffer
	upem := fixed.Int26_6(face.Face.UnitsPerEm())
	if sf.UnitsPerEm() != face.Face.UnitsPerEm() {
		t.Fatalf("%s: units per em %d, face %d", what, sf.UnitsPerEm(), face.Face.UnitsPerEm())
	}
	type gl struct{ f, s sfnt.GlyphIndex }
	var gs []gl
	var rs []rune
	for _, r := range runeSet(runes) {
		fg, err := face.Face.GlyphIndex(&fb, r)
		if err != nil || fg == 0 {
			continue // the face lacks it too
		}
		sg, err := sf.GlyphIndex(&sb, r)
		if err != nil || sg == 0 {
			t.Errorf("%s: %q (U+%04X) has no glyph in the subset (%v)", what, r, r, err)
			continue
		}
		fseg, err1 := face.Face.LoadGlyph(&fb, fg, upem, nil)
		fseg = slices.Clone(fseg)
		sseg, err2 := sf.LoadGlyph(&sb, sg, upem, nil)
		if err1 != nil || err2 != nil || !slices.Equal(fseg, sseg) {
			t.Errorf("%s: %q: subset glyph %d is not the face's glyph %d (%v, %v)", what, r, sg, fg, err1, err2)
		}
		fa, err1 := face.Face.GlyphAdvance(&fb, fg, upem, stdfont.HintingNone)
		sa, err2 := sf.GlyphAdvance(&sb, sg, upem, stdfont.HintingNone)
		if err1 != nil || err2 != nil || fa != sa {
			t.Errorf("%s: %q: advance %d in the subset, %d in the face (%v, %v)", what, r, sa, fa, err1, err2)
		}
		gs, rs = append(gs, gl{fg, sg}), append(rs, r)
	}
	kerned := 0
	for i, a := range gs {
		for j, b := range gs {
			fk, err := face.Face.Kern(&fb, a.f, b.f, upem, stdfont.HintingNone)
			if errors.Is(err, sfnt.ErrNotFound) {
				fk, err = 0, nil
			}
			sk, err2 := sf.Kern(&sb, a.s, b.s, upem, stdfont.HintingNone)
			if errors.Is(err2, sfnt.ErrNotFound) {
				sk, err2 = 0, nil
			}
			if unkernedPair(rs[i], rs[j]) {
				// Drawn unkerned, as in the PNG: the dot stays visible.
				if sk != 0 {
					t.Errorf("%s: %q%q kerned %d in the subset; the PNG draws it unkerned", what, rs[i], rs[j], sk)
				}
				continue
			}
			if err != nil || err2 != nil || fk != sk {
				t.Errorf("%s: %q%q kerned %d in the subset, %d in the face (%v, %v)", what, rs[i], rs[j], sk, fk, err, err2)
			}
			if fk != 0 {
				kerned++
			}
		}
	}
	if strings.Contains(runes, "AV") && kerned == 0 {
		t.Errorf("%s: no kerned pair in %q", what, runes)
	}
}

// TestSVGFontSubset: an SVG chart embeds, for each face its text uses, a
// subset of the face well under a tenth of the whole font, with the
// face's own glyph for every character drawn in it (the ones of
// svgSpecials included) and the face's kerning; each text element finds
// its @font-face rule, and no rule is unused.
func TestSVGFontSubset(t *testing.T) {
	charts := svgFontCharts(t)
	sizes := []Options{{}, {Size: SizeHalfPage}, {Size: SizeWeb}}
	sawSpecials := false
	for k, ch := range charts {
		for _, opts := range sizes {
			if k%3 != 0 && opts.Size != SizeSlide && k != len(charts)-1 {
				continue // every chart at the slide size, some at the others
			}
			var buf bytes.Buffer
			if err := ch.Render(&buf, "svg", opts); err != nil {
				t.Fatal(err)
			}
			doc := buf.String()
			what := fmt.Sprintf("%s/size%d", ch.Name, opts.Size)
			// The characters drawn in each face.
			drawn := map[string]*strings.Builder{}
			for _, m := range svgTextStyled.FindAllStringSubmatch(doc, -1) {
				s := html.UnescapeString(m[5])
				if s == "" {
					continue
				}
				key := strings.Join(m[1:5], ";")
				if drawn[key] == nil {
					drawn[key] = &strings.Builder{}
				}
				drawn[key].WriteString(s)
			}
			if n := strings.Count(doc, "<text "); n == 0 || len(svgTextStyled.FindAllString(doc, -1)) != n {
				t.Fatalf("%s: %d text elements, %d of them read", what, n, len(svgTextStyled.FindAllString(doc, -1)))
			}
			rules := svgFontFace.FindAllStringSubmatch(doc, -1)
			if len(rules) != strings.Count(doc, "@font-face") || len(rules) != len(drawn) {
				t.Fatalf("%s: %d @font-face rules (%d read) for the %d faces drawn", what, strings.Count(doc, "@font-face"), len(rules), len(drawn))
			}
			for _, m := range rules {
				key := strings.Join(m[1:5], ";")
				runes := drawn[key]
				if runes == nil {
					t.Errorf("%s: @font-face %s draws no text", what, key)
					continue
				}
				face, err := svgFaceOf(m[2], m[3], m[4])
				if err != nil {
					t.Fatalf("%s: @font-face %s: %v", what, key, err)
				}
				whole, err := fontSource(face)
				if err != nil {
					t.Fatal(err)
				}
				sub, err := base64.StdEncoding.DecodeString(m[5])
				if err != nil {
					t.Fatalf("%s: %s: %v", what, key, err)
				}
				if len(sub) > len(whole)/10 {
					t.Errorf("%s: %s embeds %d bytes of font, the whole face has %d", what, key, len(sub), len(whole))
				}
				checkSubset(t, what+" "+key, face, sub, runes.String())
				if strings.Contains(runes.String(), "KLAIPĖDA reopens · ≤ €3") {
					sawSpecials = true
					for _, r := range svgSpecials {
						if !strings.ContainsRune(runes.String(), r) && r != 'V' && r != 'y' {
							t.Errorf("%s lacks %q", what, r)
						}
					}
				}
			}
		}
	}
	if !sawSpecials {
		t.Error("no chart drew the special characters")
	}
}

// TestSVGReproducible: the same chart gives the same SVG bytes.
func TestSVGReproducible(t *testing.T) {
	charts := svgFontCharts(t)
	ch := charts[len(charts)-1]
	var a bytes.Buffer
	if err := ch.Render(&a, "svg", Options{}); err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 3; k++ {
		var b bytes.Buffer
		if err := ch.Render(&b, "svg", Options{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("render %d differs from the first (%d vs %d bytes)", k+2, b.Len(), a.Len())
		}
	}
}

// FuzzSVGFontSubset: for any text, the SVG's subset of each face has the
// face's glyph for every character of the text that the face has, and
// the face's kerning between them.
func FuzzSVGFontSubset(f *testing.F) {
	f.Add(svgSpecials)
	f.Add("")
	f.Add("Benchmark potash price (Brazil CFR), scenario − counterfactual")
	f.Add("\x00\xff\uffff😀 中文 ẞ ﬁ")
	f.Add("AVAVAVAV WAWA LT Yo")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		for _, bold := range []bool{false, true} {
			fnt := sansFont
			if bold {
				fnt.Weight = stdfont.WeightBold
			}
			face := font.DefaultCache.Lookup(fnt, 12)
			sub, err := kernedSubset(face, s)
			if err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			checkSubset(t, fnt.Name(), face, sub, s)
		}
	})
}

// TestSVGKeepsSpaces: an SVG tells its viewers to keep the two spaces
// between the parts of a line (xml:space for slide programs, CSS
// white-space for browsers), as the PNG draws them.
func TestSVGKeepsSpaces(t *testing.T) {
	meta := fixtureMeta()
	ch, err := TornadoChart(fixtureTornado(), meta)
	if err != nil {
		t.Fatal(err)
	}
	texts, doc := svgTexts(t, ch, Options{})
	double := false
	for _, s := range texts {
		double = double || strings.Contains(strings.TrimSpace(s), "  ")
	}
	if !double {
		t.Fatalf("no text with two spaces in %q", texts)
	}
	root := doc[strings.Index(doc, "<svg "):]
	root = root[:strings.Index(root, ">")]
	if !strings.Contains(root, `xml:space="preserve"`) {
		t.Errorf("the <svg> tag does not preserve spaces: %s", root)
	}
	if !strings.Contains(doc, "<style>\n\t\ttext{white-space:pre}\n") {
		t.Error("no white-space:pre for the texts")
	}
}
