package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChartDataCredit: charts of a market written inline credit its own
// sources, not FAOSTAT and the Pink Sheet; charts of the embedded dataset
// do (issue 16 item 8).
func TestChartDataCredit(t *testing.T) {
	dir := t.TempDir()
	potash(t, "run", "../../scenarios/testdata/valid/inline-basic.yaml", "--out", dir, "--charts", "svg").want(t, 0)
	svg, err := os.ReadFile(filepath.Join(dir, "price.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(svg); strings.Contains(s, "FAOSTAT") || strings.Contains(s, "Pink Sheet") || !strings.Contains(s, "Data: tiny v0.1, own market data (no sources cited)") {
		t.Errorf("inline market's chart credit is wrong; footer text:\n%s", footerOf(s))
	}
	if testing.Short() {
		return
	}
	dir = t.TempDir()
	potash(t, "run", "us-relief-2025", "--out", dir, "--charts", "svg").want(t, 0)
	svg, err = os.ReadFile(filepath.Join(dir, "price.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(svg), "Data: base-2020 v1.3.0 (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md)") {
		t.Errorf("built-in's chart credit is wrong; footer text:\n%s", footerOf(string(svg)))
	}
}

// TestChartSizeWeb: --size web draws the web preset (600 × 375 pt: 800 ×
// 500 pixels at 96 DPI).
func TestChartSizeWeb(t *testing.T) {
	dir := t.TempDir()
	potash(t, "run", "../../scenarios/testdata/valid/inline-basic.yaml", "--out", dir, "--size", "web", "--dpi", "96").want(t, 0)
	if w, h := pngSize(t, filepath.Join(dir, "price.png")); w != 800 || h != 500 {
		t.Errorf("price.png at --size web --dpi 96: %d × %d pixels, want 800 × 500", w, h)
	}
}

// pngSize returns the pixel size of the PNG file path.
func pngSize(t *testing.T, path string) (w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Width, cfg.Height
}

// footerOf returns the SVG text that starts with "Data:".
func footerOf(svg string) string {
	if i := strings.Index(svg, "Data:"); i >= 0 {
		if j := strings.Index(svg[i:], "<"); j >= 0 {
			return svg[i : i+j]
		}
	}
	return "(none)"
}
