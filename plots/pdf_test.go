package plots

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/pdftext"
)

// pdfFixture is a chart whose text has the characters code page 1252
// lacks ("ė", "−") and an en dash.
func pdfFixture(t *testing.T) *Chart {
	t.Helper()
	meta := fixtureMeta()
	meta.Scenario = "history 2020–2025"
	ch, err := FlowChangeChart(fixtureRun(fixtureOpts{months: 24}), 0, meta)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func renderPDF(t *testing.T, ch *Chart) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := ch.Render(&buf, "pdf", Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPDFReproducible: the same chart twice gives the same bytes, with no
// creation or modification date in the file.
func TestPDFReproducible(t *testing.T) {
	a := renderPDF(t, pdfFixture(t))
	for k := 0; k < 3; k++ {
		if b := renderPDF(t, pdfFixture(t)); !bytes.Equal(a, b) {
			t.Fatalf("render %d differs from the first (%d vs %d bytes)", k+2, len(b), len(a))
		}
	}
	for _, key := range []string{"CreationDate", "ModDate"} {
		if bytes.Contains(a, []byte(key)) {
			t.Errorf("PDF carries a /%s", key)
		}
	}
}

// TestPDFText: every font is an embedded Unicode font with a ToUnicode map,
// titles use the bold face, and the text decodes back to what the chart
// says, "Klaipėda", "−" and "–" included.
func TestPDFText(t *testing.T) {
	ch := pdfFixture(t)
	b := renderPDF(t, ch)
	pages, err := pdftext.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 {
		t.Fatalf("%d pages", len(pages))
	}
	pg := pages[0]
	bold := false
	for _, f := range pg.Fonts {
		if f.Subtype != "Type0" || f.Encoding != "Identity-H" || !f.Embedded || f.ToUnicode == nil {
			t.Errorf("font %s (%s): subtype %s, encoding %s, embedded %v, ToUnicode %v; want an embedded Type0 Identity-H font with a ToUnicode map",
				f.Name, f.BaseFont, f.Subtype, f.Encoding, f.Embedded, f.ToUnicode != nil)
		}
		if strings.HasSuffix(f.BaseFont, "B") {
			bold = true
		}
	}
	if !bold {
		t.Errorf("no bold font among %+v", pg.Fonts)
	}
	all := strings.Join(pg.Strings, "\n")
	for _, want := range []string{ch.Title, "history 2020–2025", "\n−1.0\n", "Southeast"} {
		if !strings.Contains(all, want) {
			t.Errorf("PDF text lacks %q; it has:\n%s", want, all)
		}
	}
	// The event markers of the price chart carry "Klaipėda".
	meta := fixtureMeta()
	pc, err := PricePathChart(fixtureRun(fixtureOpts{}), nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	pages, err = pdftext.Read(renderPDF(t, pc))
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(pages[0].Strings, "\n"); !strings.Contains(all, "Klaipėda closed") {
		t.Errorf("price chart PDF lacks \"Klaipėda closed\":\n%s", all)
	}
}

// TestPDFToText runs poppler's pdftotext on a chart when it is installed
// (.ci/run.d/pdf-text.sh installs it and sets POTASH_PDFTOTEXT=required).
func TestPDFToText(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("POTASH_PDFTOTEXT") == "required" {
			t.Fatal("pdftotext not found and POTASH_PDFTOTEXT=required")
		}
		t.Skip("pdftotext not installed")
	}
	meta := fixtureMeta()
	meta.Scenario = "history 2020–2025"
	ch, err := PricePathChart(fixtureRun(fixtureOpts{}), nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-", "-")
	cmd.Stdin = bytes.NewReader(renderPDF(t, ch))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Klaipėda closed", "2020–2025", ch.Title} {
		if !strings.Contains(string(out), want) {
			t.Errorf("pdftotext output lacks %q:\n%s", want, out)
		}
	}
}
