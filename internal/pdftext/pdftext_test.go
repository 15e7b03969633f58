package pdftext

import (
	"io"
	"strings"
	"testing"
)

func TestReadCMap(t *testing.T) {
	cmap := "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" +
		"2 beginbfchar\n<0003> <0041>\n<0004> <D83DDE00>\nendbfchar\n" +
		"1 beginbfrange\n<0100> <0102> <0116>\nendbfrange\n"
	m, err := readCMap(io.NopCloser(strings.NewReader(cmap)))
	if err != nil {
		t.Fatal(err)
	}
	f := &Font{ToUnicode: m}
	for _, tc := range []struct{ raw, want string }{
		{"\x00\x03", "A"},
		{"\x00\x04", "😀"},                   // a surrogate pair in bfchar
		{"\x01\x00\x01\x01\x01\x02", "ĖėĘ"}, // a range
		{"\x00\x09", "\uFFFD"},              // unmapped
	} {
		if got := decode(f, tc.raw); got != tc.want {
			t.Errorf("decode(% x) = %q, want %q", tc.raw, got, tc.want)
		}
	}
	if _, err := readCMap(io.NopCloser(strings.NewReader("1 beginbfchar\n<zz> <0041>\nendbfchar\n"))); err == nil {
		t.Error("a bad code parsed")
	}
	if _, err := Read([]byte("not a PDF")); err == nil {
		t.Error("Read accepted a non-PDF")
	}
}
