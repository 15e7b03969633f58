// Package pdftext extracts the text of the PDF charts potash writes, the
// way a PDF reader's copy and paste or pdftotext does: through each font's
// ToUnicode map. It exists for tests (so that they need no external tool)
// and reads only what go-pdf/fpdf writes: Type0 fonts with Identity-H
// encoding, text shown with Tj, and ToUnicode maps of bfchar and bfrange
// entries.
package pdftext

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"rsc.io/pdf"
)

// Font describes one font of a page.
type Font struct {
	Name     string // resource name, e.g. "F1"
	BaseFont string
	Subtype  string // "Type0" for an embedded Unicode font
	Encoding string // "Identity-H" for an embedded Unicode font
	Embedded bool   // the font program is in the file (FontFile2)
	// ToUnicode maps 2-byte codes to text; nil when the font has none.
	ToUnicode map[uint16]string
}

// Page is the text and fonts of one page.
type Page struct {
	Fonts []Font
	// Strings holds the text of each text-showing operation in order
	// (one chart label each).
	Strings []string
}

// Read returns the pages of the PDF document b.
func Read(b []byte) (pages []Page, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdftext: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("pdftext: %w", err)
	}
	for n := 1; n <= r.NumPage(); n++ {
		p := r.Page(n)
		var pg Page
		fonts := map[string]*Font{}
		res := p.Resources().Key("Font")
		for _, name := range res.Keys() {
			fv := res.Key(name)
			f := &Font{Name: name, BaseFont: fv.Key("BaseFont").Name(), Subtype: fv.Key("Subtype").Name(), Encoding: fv.Key("Encoding").Name()}
			desc := fv.Key("FontDescriptor")
			if d := fv.Key("DescendantFonts"); d.Kind() == pdf.Array && d.Len() > 0 {
				desc = d.Index(0).Key("FontDescriptor")
			}
			f.Embedded = !desc.Key("FontFile2").IsNull() || !desc.Key("FontFile").IsNull() || !desc.Key("FontFile3").IsNull()
			if tu := fv.Key("ToUnicode"); tu.Kind() == pdf.Stream {
				m, err := readCMap(tu.Reader())
				if err != nil {
					return nil, fmt.Errorf("pdftext: font %s: %w", name, err)
				}
				f.ToUnicode = m
			}
			fonts[name] = f
			pg.Fonts = append(pg.Fonts, *f)
		}
		var cur *Font
		pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for i := len(args) - 1; i >= 0; i-- {
				args[i] = stk.Pop()
			}
			switch op {
			case "Tf":
				if len(args) == 2 {
					cur = fonts[args[0].Name()]
				}
			case "Tj":
				if len(args) == 1 {
					pg.Strings = append(pg.Strings, decode(cur, args[0].RawString()))
				}
			case "TJ":
				if len(args) == 1 {
					var s strings.Builder
					for i := 0; i < args[0].Len(); i++ {
						if v := args[0].Index(i); v.Kind() == pdf.String {
							s.WriteString(decode(cur, v.RawString()))
						}
					}
					pg.Strings = append(pg.Strings, s.String())
				}
			}
		})
		pages = append(pages, pg)
	}
	return pages, nil
}

// decode maps the 2-byte codes of raw through f's ToUnicode map; a code
// without a mapping becomes U+FFFD.
func decode(f *Font, raw string) string {
	if f == nil || f.ToUnicode == nil {
		return raw // a simple font: bytes as they are
	}
	var b strings.Builder
	for i := 0; i+1 < len(raw); i += 2 {
		code := uint16(raw[i])<<8 | uint16(raw[i+1])
		if s, ok := f.ToUnicode[code]; ok {
			b.WriteString(s)
		} else {
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}

// readCMap parses the bfchar and bfrange entries of a ToUnicode CMap with
// 2-byte source codes.
func readCMap(rd io.ReadCloser) (map[uint16]string, error) {
	defer rd.Close()
	m := map[uint16]string{}
	sc := bufio.NewScanner(rd)
	section := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasSuffix(line, "beginbfchar"):
			section = "char"
			continue
		case strings.HasSuffix(line, "beginbfrange"):
			section = "range"
			continue
		case line == "endbfchar" || line == "endbfrange":
			section = ""
			continue
		}
		if section == "" {
			continue
		}
		var hexes []string
		for _, f := range strings.Fields(line) {
			hexes = append(hexes, strings.Trim(f, "<>"))
		}
		switch {
		case section == "char" && len(hexes) == 2:
			src, err := code(hexes[0])
			if err != nil {
				return nil, err
			}
			dst, err := utf16Hex(hexes[1])
			if err != nil {
				return nil, err
			}
			m[src] = dst
		case section == "range" && len(hexes) == 3:
			lo, err := code(hexes[0])
			if err != nil {
				return nil, err
			}
			hi, err := code(hexes[1])
			if err != nil {
				return nil, err
			}
			start, err := code(hexes[2])
			if err != nil {
				return nil, err
			}
			for c := uint32(lo); c <= uint32(hi); c++ {
				r := uint32(start) + c - uint32(lo)
				if r >= 0xD800 && r <= 0xDFFF {
					continue // surrogates are not text
				}
				m[uint16(c)] = string(rune(r))
			}
		default:
			return nil, fmt.Errorf("unsupported ToUnicode line %q", line)
		}
	}
	return m, sc.Err()
}

func code(h string) (uint16, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 2 {
		return 0, fmt.Errorf("bad 2-byte code <%s>", h)
	}
	return uint16(b[0])<<8 | uint16(b[1]), nil
}

func utf16Hex(h string) (string, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b)%2 != 0 {
		return "", fmt.Errorf("bad UTF-16 <%s>", h)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u)), nil
}
