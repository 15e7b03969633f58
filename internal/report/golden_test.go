package report

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtureSummary is a fixed summary with a band, a missing band, a zero
// change, big numbers and text that needs escaping.
func fixtureSummary() *Summary {
	f := func(v float64) *float64 { return &v }
	return &Summary{
		Provenance: Provenance{Tool: "potash", ModelVersion: "9.9.9", Command: "potash run fixture --seed 7 --draws 100",
			RunID: "0123456789abcdef0123456789abcdef", Inputs: []Input{{Name: "fixture", SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
			Files: []string{"price.png", "results.csv", "revenue_change.png", "summary.json", "summary.md", "volumes.png"}},
		Scenario: ScenarioInfo{
			Name: "fixture", Title: "Fixture | a test scenario", Description: "Line one.\nLine two.",
			Sources: []string{"Source A, 2025", "estimated: a guess"},
			Hash:    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Counterfactual: "fixture (no events)",
			Dataset: "base-2020 v1.0.0", Data: "base-2020 v1.0.0 (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md)", Start: "2020-01", End: "2028-12", ReportFrom: "2025-12", DollarsOf: 2020,
			Events: []EventInfo{{ID: "us-ban", Label: "US sanctions", Start: "2021-12", End: "2025-12"}, {ID: "jansen", Start: "2027-07"}},
		},
		Seed: 7, Draws: 100, Converged: 98, FailedDraws: 2,
		DrawFailures: []DrawFailure{{Draw: 17, Reason: "scenario, month 2024-03: iteration limit (residual 3e-05)"}, {Draw: 58, Reason: "scenario, month 2024-04: stalled (residual 1e-06)"}},
		FailedMonths: FailedMonths{Scenario: 1, Months: []FailedMonth{{Path: "scenario", Month: "2026-01", Status: "iteration limit"}}},
		Headline: []Headline{
			Headline{Metric: "benchmark_price_change", Unit: "$/t",
				Value: -12.345, Band: &Band{P5: -20.5, P50: -12, P95: -3.25}, Counterfactual: f(300), Percent: f(-4.115),
			}.labelled("Benchmark potash price (Brazil CFR)", "mean change", "2025-12 to 2028-12"),
			Headline{Metric: "netback_revenue_change.Belarus", Unit: "$M",
				Value: 1100.25, Band: &Band{P5: 700, P50: 1090, P95: 1500}, Counterfactual: f(6000), Percent: f(18.34),
			}.labelled("Belarus netback revenue (mine gate)", "cumulative change", "2025-12 to 2028-12"),
			Headline{Metric: "revenue_change.Belarus", Unit: "$M",
				Value: 1234.5678, Band: &Band{P5: 800, P50: 1200, P95: 1700.25}, Counterfactual: f(8000), Percent: f(15.43),
			}.labelled("Belarus export revenue (FOB)", "cumulative change", "2025-12 to 2028-12"),
			Headline{Metric: "revenue_change.Canada", Unit: "$M", Value: 0}.labelled("Canada export revenue (FOB)", "cumulative change", "2025-12 to 2028-12"),
		},
		ExportsByYear: []YearExports{
			{Supplier: "Belarus", Year: 2025, Months: 1, Scenario: 6.5, Counterfactual: 6.4, Change: 0.1, Percent: f(1.5625)},
			{Supplier: "Belarus", Year: 2026, Months: 12, Scenario: 7.25, Counterfactual: 6.5, Change: 0.75, Percent: f(11.538)},
			{Supplier: "Canada", Year: 2025, Months: 1, Scenario: 22, Counterfactual: 22, Change: 0, Percent: f(0)},
			{Supplier: "Canada", Year: 2026, Months: 12, Scenario: 21.8, Counterfactual: 22.1, Change: -0.3, Percent: f(-1.357)},
		},
		Metrics: []Metric{{Name: "benchmark_price_change", Unit: "$/t", Value: -12.345, Band: &Band{P5: -20.5, P50: -12, P95: -3.25}, Doc: "mean change"}},
		Charts: []ChartInfo{
			{Name: "price", Caption: "Benchmark price path", Main: true, Files: []string{"price.png"}},
			{Name: "revenue_change", Caption: "Export revenue change by supplier", Main: true, Files: []string{"revenue_change.png"}},
			{Name: "volumes", Caption: "Export volumes by supplier", Files: []string{"volumes.png"}},
		},
	}
}

// fixtureSensitivity is a fixed tornado: a bar inside the joint rules, one
// whose high side the stock-cycle rule cut and one whose low side the crop
// rule cut.
func fixtureSensitivity() *SensitivitySummary {
	return &SensitivitySummary{
		Provenance: Provenance{Tool: "potash", ModelVersion: "9.9.9", Command: "potash sensitivity fixture --metric revenue_change.Belarus",
			RunID: "0123456789abcdef0123456789abcdef", Inputs: []Input{{Name: "fixture", SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
			Files: []string{"sensitivity.csv", "summary.json", "tornado.png"}},
		Scenario: "fixture", Metric: "revenue_change.Belarus", Unit: "$M", Base: 52.5,
		Bars: []TornadoBar{
			{Param: "events.discount-relief.scale", Low: 0.367, High: 0.967, AtLow: 1435, AtHigh: 113, Swing: 1322, StatedLow: 0.367, StatedHigh: 0.967},
			{Param: "market.regions.*.stock_response", Low: 0.0071, High: 0.0108, AtLow: 51.5, AtHigh: 52.8, Swing: 1.3,
				StatedLow: 0.00726, StatedHigh: 0.012, HighCutBy: "stock-cycle"},
			{Param: "market.regions.*.demand_elasticity", Low: 0.2, High: 0.7, AtLow: 52.6, AtHigh: 53.1, Swing: 0.5,
				StatedLow: 0.15, StatedHigh: 0.69, LowCutBy: "crop"},
		},
	}
}

// TestGolden compares every rendering of fixtureSummary with its golden
// file; run `go test ./internal/report -run Golden -update` after an
// intended change and review the diff.
func TestGolden(t *testing.T) {
	s := fixtureSummary()
	for _, tc := range []struct {
		file  string
		write func(io.Writer) error
	}{
		{"table.golden.txt", func(w io.Writer) error { return WriteTable(w, s) }},
		{"summary.golden.md", func(w io.Writer) error { return WriteMarkdown(w, s) }},
		{"summary.golden.json", s.WriteJSON},
		{"headline.golden.csv", func(w io.Writer) error { return WriteHeadlineCSV(w, s) }},
		{"sensitivity.golden.csv", func(w io.Writer) error { return WriteSensitivityCSV(w, fixtureSensitivity()) }},
		{"sensitivity.golden.json", fixtureSensitivity().WriteJSON},
		{"sensitivity.golden.txt", func(w io.Writer) error { return WriteSensitivityTable(w, fixtureSensitivity(), false) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from the golden file (run with -update after an intended change):\ngot:\n%s\nwant:\n%s", tc.file, b.Bytes(), want)
			}
		})
	}
}
