package scenarios

import "testing"

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

// BenchmarkLoadSet resolves the default built-in with a --set of a field
// of the stock-cycle rule: with its box of draws one correlated group,
// the load measures the pilot share with and without the --set
// (MaxOverrideRise).
func BenchmarkLoadSet(b *testing.B) {
	sets := []string{"market.regions.Brazil.stock_to_use_months=2.15"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(DefaultScenario, sets); err != nil {
			b.Fatal(err)
		}
	}
}
