package scenarios

import (
	"os"
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
// when it rejects more than MaxOverrideRise, without it. Both reject
// about a third; the built-in's pilot without the --set is kept from
// the first load on (parentPilots: one pilot a load), the box of study
// post21's, a file's, is not (two).
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

// BenchmarkParse parses representative inputs: a built-in's source, a
// small file extending history, the same with a --set, and an inline
// market of the test data (no embedded dataset).
func BenchmarkParse(b *testing.B) {
	relief, err := BuiltinSource(DefaultScenario)
	if err != nil {
		b.Fatal(err)
	}
	inline, err := os.ReadFile("testdata/valid/inline-basic.yaml")
	if err != nil {
		b.Fatal(err)
	}
	small := []byte("title: t\nextends: history\nhorizon: {end: 2027-12}\nevents:\n  - {id: x, capacity: {supplier: Canada, add_mt: 1}, start: 2026-01}\n")
	for _, c := range []struct {
		name, file string
		src        []byte
		sets       []string
	}{
		{"builtin", "builtin:" + DefaultScenario, relief, nil},
		{"extends-history", "small.yaml", small, nil},
		{"set", "small.yaml", small, []string{"market.regions.Brazil.demand_elasticity=0.45"}},
		{"inline", "testdata/valid/inline-basic.yaml", inline, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(c.file, c.src, c.sets); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
