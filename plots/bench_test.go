package plots

import (
	"testing"
)

// BenchmarkRenderRun renders and writes every chart of a default-size run
// (108 months, 11 suppliers, 7 regions, Monte Carlo bands): 9 charts with
// the default options (16:9 slide, PNG at 150 DPI), and the same as SVG
// and PDF. The target is ≤ 1 s per op for PNG.
func BenchmarkRenderRun(b *testing.B) {
	run := fixtureRun(fixtureOpts{})
	mc := fixtureMC(run)
	meta := fixtureMeta()
	for _, f := range []string{"png", "svg", "pdf"} {
		b.Run(f, func(b *testing.B) {
			dir := b.TempDir()
			opts := Options{Formats: []string{f}}
			for b.Loop() {
				files, err := RenderRun(dir, run, mc, meta, opts)
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
