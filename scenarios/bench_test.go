package scenarios

import (
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoad resolves the default built-in (extends chain, compare_to,
// validation, specs, canonical YAML and hash).
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(DefaultScenario, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseInvalid measures reporting every problem of a bad file.
func BenchmarkParseInvalid(b *testing.B) {
	src := []byte(hdr + "  - {id: a, ban: {supplier: Belarussia, region: Brasil}, start: 2021-13}\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("bad.yaml", src, nil); err == nil {
			b.Fatal("no error")
		}
	}
}

// BenchmarkLoadSet resolves a scenario with a --set of a field of the
// stock-cycle rule whose box of draws is one correlated group: the load
// measures the pilot share with the --set (kept for DrawsRefused) and,
// when it rejects more than MaxOverrideRise, without it. The built-in's
// pilot rejects none (one pilot); the box of study post21 rejects a
// third (two).
func BenchmarkLoadSet(b *testing.B) {
	sets := []string{"market.regions.Brazil.stock_to_use_months=2.15"}
	for _, name := range []string{DefaultScenario, "testdata/truncate/posterior-box.yaml"} {
		b.Run(strings.TrimSuffix(filepath.Base(name), ".yaml"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(name, sets); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
