package plots

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"sync"

	pdf "codeberg.org/go-pdf/fpdf"
	stdfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/font"
)

// Fonts of the vector formats. PDF and SVG embed the TrueType faces they
// draw with as subsets: only the glyphs of the characters drawn, through
// one subsetter, go-pdf/fpdf's (utf8FontFile.GenerateCutFont), which the
// PDF canvas reaches through fpdf's UTF-8 fonts (subset when the document
// is written) and the SVG canvas through subsetFont.

// fontSources caches the TrueType bytes of each face.
var fontSources sync.Map // font.Font (size 0) → []byte

// fontSource returns the whole TrueType font of f's face.
func fontSource(f font.Face) ([]byte, error) {
	key := f.Font
	key.Size = 0
	if b, ok := fontSources.Load(key); ok {
		return b.([]byte), nil
	}
	if f.Face == nil {
		return nil, fmt.Errorf("font %s has no face", f.Name())
	}
	var buf bytes.Buffer
	if _, err := f.Face.WriteSourceTo(nil, &buf); err != nil {
		return nil, fmt.Errorf("font %s: %v", f.Name(), err)
	}
	fontSources.Store(key, buf.Bytes())
	return buf.Bytes(), nil
}

// subsetFont returns a TrueType font with the glyphs of f's face that the
// characters of runes need (and the .notdef glyph), each character mapped
// to its glyph by a Unicode cmap, with the face's hinting tables. Its glyph
// numbers are not the face's.
func subsetFont(f font.Face, runes string) (b []byte, err error) {
	src, err := fontSource(f)
	if err != nil {
		return nil, err
	}
	// fpdf's subsetter panics on a font it cannot read.
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("font %s: subsetting failed: %v", f.Name(), r)
		}
	}()
	b = pdf.UTF8CutFont(src, runeSet(runes))
	if len(b) == 0 {
		return nil, fmt.Errorf("font %s: subsetting failed", f.Name())
	}
	return b, nil
}

// runeSet returns the distinct characters of s in code point order.
func runeSet(s string) string {
	seen := map[rune]bool{}
	var rs []rune
	for _, r := range s {
		if !seen[r] {
			seen[r] = true
			rs = append(rs, r)
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	var b strings.Builder
	for _, r := range rs {
		b.WriteRune(r)
	}
	return b.String()
}

// kernedSubset returns subsetFont(f, runes) with a kern table: the
// kerning of f's face (its GPOS pair adjustments, as font.Face.Width
// measures text) between the glyphs of runes. fpdf's subsets carry no
// kerning (PDF text is set unkerned), but an SVG viewer kerns the text it
// sets, as it did with the whole face, and the charts' layout measured the
// text kerned. The pairs the PNG draws unkerned (unkernedPair: a period or
// comma after one of overhangs) are left out, so that an SVG viewer does
// not hide the dot either.
func kernedSubset(f font.Face, runes string) ([]byte, error) {
	sub, err := subsetFont(f, runes)
	if err != nil {
		return nil, err
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		return nil, fmt.Errorf("font %s: its subset does not parse: %v", f.Name(), err)
	}
	// The glyphs of runes in the face and in the subset.
	var buf sfnt.Buffer
	type glyph struct {
		old, sub sfnt.GlyphIndex
		r        rune
	}
	var gs []glyph
	for _, r := range runeSet(runes) {
		o, err := f.Face.GlyphIndex(&buf, r)
		if err != nil || o == 0 {
			continue
		}
		n, err := sf.GlyphIndex(&buf, r)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("font %s: its subset lacks %q", f.Name(), r)
		}
		gs = append(gs, glyph{o, n, r})
	}
	upem := fixed.Int26_6(f.Face.UnitsPerEm())
	type pair struct {
		l, r sfnt.GlyphIndex
		v    int16
	}
	var pairs []pair
	for _, a := range gs {
		for _, b := range gs {
			if unkernedPair(a.r, b.r) {
				continue
			}
			k, err := f.Face.Kern(&buf, a.old, b.old, upem, stdfont.HintingNone)
			if errors.Is(err, sfnt.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("font %s: kerning: %v", f.Name(), err)
			}
			if k != 0 {
				pairs = append(pairs, pair{a.sub, b.sub, int16(k)})
			}
		}
	}
	if len(pairs) == 0 {
		return sub, nil
	}
	sort.Slice(pairs, func(i, j int) bool {
		return pairs[i].l < pairs[j].l || pairs[i].l == pairs[j].l && pairs[i].r < pairs[j].r
	})
	// A format 0 subtable holds at most (65535-14)/6 pairs.
	if len(pairs) > 10920 {
		pairs = pairs[:10920]
	}
	n := len(pairs)
	pow := 1 << (bits.Len(uint(n)) - 1)
	kern := binary.BigEndian.AppendUint16(nil, 0) // version
	kern = binary.BigEndian.AppendUint16(kern, 1) // tables
	for _, v := range []int{0, 14 + 6*n, 1, n, 6 * pow, bits.Len(uint(pow)) - 1, 6 * (n - pow)} {
		kern = binary.BigEndian.AppendUint16(kern, uint16(v))
	}
	for _, p := range pairs {
		kern = binary.BigEndian.AppendUint16(kern, uint16(p.l))
		kern = binary.BigEndian.AppendUint16(kern, uint16(p.r))
		kern = binary.BigEndian.AppendUint16(kern, uint16(p.v))
	}
	out, err := addTable(sub, "kern", kern)
	if err != nil {
		return nil, fmt.Errorf("font %s: %v", f.Name(), err)
	}
	return out, nil
}

// addTable returns the TrueType font ttf with the table tag (which it must
// not have) added, its tables in tag order, every checksum recomputed.
func addTable(ttf []byte, tag string, data []byte) ([]byte, error) {
	if len(ttf) < 12 {
		return nil, fmt.Errorf("font of %d bytes", len(ttf))
	}
	be := binary.BigEndian
	tables := map[string][]byte{tag: data}
	num := int(be.Uint16(ttf[4:]))
	if len(ttf) < 12+16*num {
		return nil, fmt.Errorf("font table directory cut short")
	}
	for i := 0; i < num; i++ {
		e := ttf[12+16*i:]
		t := string(e[:4])
		off, n := int(be.Uint32(e[8:])), int(be.Uint32(e[12:]))
		if _, dup := tables[t]; dup {
			return nil, fmt.Errorf("font has two %q tables", t)
		}
		if off < 0 || n < 0 || off+n > len(ttf) {
			return nil, fmt.Errorf("font table %q out of the file", t)
		}
		tables[t] = ttf[off : off+n]
	}
	if h := tables["head"]; len(h) < 12 {
		return nil, fmt.Errorf("font has no head table")
	}
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	num = len(tags)
	pow := 1 << (bits.Len(uint(num)) - 1)
	out := be.AppendUint32(nil, be.Uint32(ttf))
	for _, v := range []int{num, 16 * pow, bits.Len(uint(pow)) - 1, 16 * (num - pow)} {
		out = be.AppendUint16(out, uint16(v))
	}
	dir := len(out)
	out = append(out, make([]byte, 16*num)...)
	var headAt int
	for i, t := range tags {
		d := tables[t]
		off := len(out)
		out = append(out, d...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		if t == "head" {
			headAt = off
			be.PutUint32(out[off+8:], 0) // checkSumAdjustment
		}
		e := out[dir+16*i:]
		copy(e, t)
		be.PutUint32(e[4:], tableSum(out[off:off+len(d)]))
		be.PutUint32(e[8:], uint32(off))
		be.PutUint32(e[12:], uint32(len(d)))
	}
	be.PutUint32(out[headAt+8:], 0xB1B0AFBA-tableSum(out))
	return out, nil
}

// tableSum is the TrueType checksum of b: the sum of its big-endian
// 32-bit words, b padded with zeros.
func tableSum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}
