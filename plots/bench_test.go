package plots

import (
	"context"
	"testing"
)

// BenchmarkRenderAll makes and renders every chart of a default-size run
// (108 months, 11 suppliers, 7 regions, Monte Carlo bands) in memory, as
// the run pipeline does before it writes them: 9 charts with the default
// options (16:9 slide, PNG at 150 DPI), and the same as SVG and PDF, and
// at the web page's size (SizeWeb). The target is ≤ 1 s per op for PNG.
func BenchmarkRenderAll(b *testing.B) {
	run := fixtureRun(fixtureOpts{})
	mc := fixtureMC(run)
	meta := fixtureMeta()
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"png", Options{Formats: []string{"png"}}},
		{"svg", Options{Formats: []string{"svg"}}},
		{"pdf", Options{Formats: []string{"pdf"}}},
		{"web-png", Options{Size: SizeWeb, Formats: []string{"png"}}},
		{"web-svg", Options{Size: SizeWeb, Formats: []string{"svg"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				charts, err := RunCharts(run, mc, meta, tc.opts)
				if err != nil {
					b.Fatal(err)
				}
				files, err := RenderAll(context.Background(), charts, tc.opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(files) != 9 {
					b.Fatalf("%d files", len(files))
				}
			}
		})
	}
}
