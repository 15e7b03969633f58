package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAdversarial parses each file of testdata/adversarial (see its
// README): inputs built to take memory or time through aliases, merge
// keys, long values or many errors, or to write to the terminal. Each must
// fail with the expected message (a limit's diagnostic first and alone),
// within a bounded allocation, and every message must be short and free
// of control and bidirectional characters.
func TestAdversarial(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string // in the first diagnostic
		only bool   // the first diagnostic is the only one
	}{
		{"alias-labels.yaml", "the document is too large: its text expands to more than 4 MiB", true},
		{"alias-suppliers.yaml", "the document is too large: its text expands to more than 4 MiB", true},
		{"long-value.yaml", "events[0].ban.supplier: a value of 100000 bytes is longer than the limit of 64 KiB for one value", true},
		{"node-bomb.yaml", "it expands to more than 200000 YAML nodes", true},
		{"merge-bomb.yaml", "events[0]: the document is too large: it expands to more than 200000 YAML nodes", true},
		{"billion-laughs.yaml", "unknown key 'x-laughs'", false},
		{"deep-nesting.yaml", "sources[0]: expected a string, got a list", true},
		{"many-errors.yaml", "unknown supplier 'Nowhere0'", false},
		{"escapes.yaml", `unknown key 'ti\x1b[31mtle\u202e' at the top level`, false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "adversarial", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = Parse(path, data, nil)
			runtime.ReadMemStats(&after)
			// The old decoder allocated gigabytes on these.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
				t.Errorf("parsing allocated %d MB", alloc>>20)
			}
			var ds Diagnostics
			if !errors.As(err, &ds) || len(ds) == 0 {
				t.Fatalf("err = %v, want diagnostics", err)
			}
			if got := ds[0].Error(); !strings.Contains(got, tc.want) {
				t.Errorf("first diagnostic %q, want %q", got, tc.want)
			}
			if tc.only && len(ds) != 1 {
				t.Errorf("%d diagnostics, want the limit's alone; the second: %s", len(ds), ds[1].Error())
			}
			if n := len(ds.Errors()); n > maxErrors+1 {
				t.Errorf("%d errors listed, want at most %d and a count of the rest", n, maxErrors+1)
			}
			for _, d := range ds {
				text := d.Error()
				if n := utf8.RuneCountInString(d.Msg); n > maxMessage {
					t.Errorf("message of %d runes: %.100s…", n, d.Msg)
				}
				for _, r := range text {
					if unsafeRune(r) {
						t.Errorf("message has %U: %q", r, text)
						break
					}
				}
			}
		})
	}
}

// TestMessagesQuoteShortly: a long or hostile value is quoted in at most
// maxQuoted runes, escaped, and did-you-mean skips names too long to be a
// misspelling.
func TestMessagesQuoteShortly(t *testing.T) {
	long := strings.Repeat("Belarus", 1000)
	src := hdr + "  - {id: b, ban: {supplier: " + long + ", region: Brazil}, start: 2021-01}\n"
	_, err := Parse("q.yaml", []byte(src), nil)
	var ds Diagnostics
	if !errors.As(err, &ds) || len(ds) != 1 {
		t.Fatalf("err = %v", err)
	}
	want := "q.yaml:4:29: events[0].ban.supplier: unknown supplier '" + long[:maxQuoted-1] + "…'"
	if !strings.HasPrefix(ds[0].Error(), want) {
		t.Errorf("got  %q\nwant %q…", ds[0].Error(), want)
	}
	if strings.Contains(ds[0].Msg, "did you mean") {
		t.Errorf("a 7,000-rune name got a suggestion: %q", ds[0].Msg)
	}
	for in, want := range map[string]string{
		"plain":                      "'plain'",
		"a\x1b[2Jb":                  `'a\x1b[2Jb'`,
		"rtl\u202eevil\u2066":        `'rtl\u202eevil\u2066'`,
		"zero\u200bwidth":            `'zero\u200bwidth'`,
		"bad\xffbyte":                `'bad\xffbyte'`,
		"line\nbreak\u2028":          `'line\nbreak\u2028'`,
		strings.Repeat("é", 200):     "'" + strings.Repeat("é", maxQuoted-1) + "…'",
		"Klaipėda – ok, 2020–2025 ≈": "'Klaipėda – ok, 2020–2025 ≈'",
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %q, want %q", in, got, want)
		}
	}
	if got := sanitize("unknown supplier '" + long + "'; x\x1b"); !strings.HasSuffix(got, "…'; x\\x1b") || utf8.RuneCountInString(got) > maxQuoted+40 {
		t.Errorf("sanitize: %q", got)
	}
}

// TestNaNOverrideNoWarning: a non-finite override is one error, and adds
// no range warning about the zero it used to leave behind.
func TestNaNOverrideNoWarning(t *testing.T) {
	src := "title: t\nextends: us-relief-2025\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: .nan\n"
	_, err := Parse("nan.yaml", []byte(src), nil)
	var ds Diagnostics
	if !errors.As(err, &ds) || len(ds.Errors()) != 1 {
		t.Fatalf("err = %v, want one error", err)
	}
	if w := ds.Warnings(); len(w) != 0 {
		t.Errorf("spurious warning: %v", w[0].Error())
	}
}
