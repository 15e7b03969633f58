package report

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		name, text, sep string
		width, col      int
		indent, want    string
	}{
		{"fits", "one two three", " ", 20, 0, "  ", "one two three"},
		{"words", "one two three four", " ", 9, 0, "  ", "one two\n  three\n  four"},
		{"exactly the width", "aaaa bbbb cc", " ", 9, 0, "  ", "aaaa bbbb\n  cc"},
		{"a long word stays whole", "a " + strings.Repeat("x", 12) + " b", " ", 8, 0, "  ", "a\n  " + strings.Repeat("x", 12) + "\n  b"},
		{"newlines kept", "aa bb\ncc dd ee", " ", 5, 0, "  ", "aa bb\ncc dd\n  ee"},
		{"a list breaks after commas only", "Brazil, Southeast Asia, United States", ", ", 20, 0, "    ", "Brazil,\n    Southeast Asia,\n    United States"},
		{"a list from a column", "Canada, Russia, Belarus", ", ", 20, 10, "  ", "Canada,\n  Russia, Belarus"},
		{"a comma at the width", "aaaa, bbbb, c", ", ", 11, 0, "  ", "aaaa, bbbb,\n  c"},
		{"empty", "", " ", 10, 0, "  ", ""},
	} {
		got := Wrap(c.text, c.sep, c.width, c.col, c.indent)
		if got != c.want {
			t.Errorf("%s: Wrap(%q, %q, %d, %d, %q) =\n%q\nwant\n%q", c.name, c.text, c.sep, c.width, c.col, c.indent, got, c.want)
		}
		for k, line := range strings.Split(got, "\n") {
			n := len([]rune(line))
			if k == 0 {
				n += c.col
			}
			if n > c.width && !strings.Contains(line, strings.Repeat("x", 12)) {
				t.Errorf("%s: line %d %q is %d characters wide, over %d", c.name, k+1, line, n, c.width)
			}
		}
	}
}
