package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/backtest"
	"github.com/potash-sim/potash/internal/pdftext"
	"github.com/potash-sim/potash/internal/report"
)

// TestBacktestCommand runs `potash backtest` through the app into a
// temporary folder: the fit table on stdout, the chart in every format,
// the CSVs (parsing, safe cells, finite numbers) and the JSON summary.
// The searches are cut to 60 simulations (the published back-test,
// about 110 s of CPU, runs in internal/backtest's golden test).
func TestBacktestCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the back-test")
	}
	dir := t.TempDir()
	r := potash(t, "backtest", "--out", dir, "--charts", "png,svg,pdf", "--max-evals", "60").want(t, 0)
	for _, want := range []string{"Back-test of potash", "in sample (fitted) 2020-01..2023-12", "out of sample 2024-01..2025-10",
		"naive", "Peak of 2022: record 2022-04 at 1,202 $/t", "Belarus", "sanctions", "crop demand"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "NaN") || strings.Contains(r.stdout, "Inf") {
		t.Errorf("stdout prints NaN or Inf:\n%s", r.stdout)
	}
	for _, f := range []string{"backtest.png", "backtest.svg", "backtest.pdf", "backtest-factors.png", "backtest-factors.pdf", report.FileBacktestPrices, report.FileBacktestExports, report.FileBacktestJSON, report.FileBacktestTable} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	prices := readCSV(t, filepath.Join(dir, report.FileBacktestPrices), []string{"month", "sample", "record_usd_per_t", "model_usd_per_t", "model_change_usd_per_t", "naive_usd_per_t"})
	if len(prices) != 72 || prices[0][0] != "2020-01" || prices[71][0] != "2025-12" {
		t.Errorf("prices CSV: %d rows from %v", len(prices), prices[0])
	}
	checkCells(t, report.FileBacktestPrices, prices, 3) // the model column is always a number
	exports := readCSV(t, filepath.Join(dir, report.FileBacktestExports), []string{"supplier", "year", "record_mt", "model_mt", "rel_error"})
	checkCells(t, report.FileBacktestExports, exports, 1, 2, 3, 4)
	var sum struct {
		Params []struct {
			Name     string
			Estimate float64
			Range    [2]float64
		}
		Statistics []struct {
			Name  string
			Value float64
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, report.FileBacktestJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatalf("%s: %v", report.FileBacktestJSON, err)
	}
	if len(sum.Params) == 0 || len(sum.Statistics) == 0 {
		t.Fatalf("JSON summary without params or statistics: %s", data)
	}
	for _, p := range sum.Params {
		if p.Estimate < p.Range[0] || p.Estimate > p.Range[1] {
			t.Errorf("%s = %g outside [%g, %g]", p.Name, p.Estimate, p.Range[0], p.Range[1])
		}
	}

	// JSON on stdout, no chart.
	dir2 := t.TempDir()
	r = potash(t, "backtest", "--format", "json", "--no-charts", "--out", dir2, "--max-evals", "60").want(t, 0)
	if !json.Valid([]byte(r.stdout)) {
		t.Errorf("--format json prints invalid JSON:\n%s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir2, "backtest.png")); err == nil {
		t.Error("--no-charts wrote a chart")
	}
}

func TestBacktestCommandBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backtest", "--charts", "gif"}, `unknown format "gif"`},
		{[]string{"backtest", "--format", "xml"}, `--format "xml"`},
		{[]string{"backtest", "--max-evals", "3"}, "--max-evals 3"},
		{[]string{"backtest", "--max-evals", "20001"}, "--max-evals 20001: want 10 to 20000"},
		{[]string{"backtest", "history"}, "takes no arguments"},
		{[]string{"backtest", "--size", "poster"}, `--size "poster"`},
		{[]string{"backtest", "--dpi", "5"}, "--dpi 5"},
	} {
		r := potash(t, tc.args...).want(t, exitBadInput)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: stderr %q, want %q", tc.args, r.stderr, tc.want)
		}
	}
}

// TestBacktestCharts: the back-test's charts come from the plots engine:
// --size and --dpi set the PNG's pixels, and the PDFs' text keeps
// "2020–2025" and "Klaipėda" (issue 12). At half-page size the price
// chart's legend has no room for the events' names at a readable size
// (it says they are named on the factors chart), so the factors chart is
// where "Klaipėda closed" is read.
func TestBacktestCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the back-test")
	}
	dir := t.TempDir()
	potash(t, "backtest", "--out", dir, "--charts", "png,pdf", "--size", "half", "--dpi", "72", "--max-evals", "10").want(t, 0)
	if w, h := pngSize(t, filepath.Join(dir, "backtest.png")); w != 468 || h != 288 { // 6.5 × 4 in at 72 DPI
		t.Errorf("backtest.png is %d × %d pixels, want 468 × 288", w, h)
	}
	for _, f := range []struct{ name, want string }{
		{"backtest.pdf", "2020–2025"},
		{"backtest.pdf", "(named on the factors chart)"},
		{"backtest-factors.pdf", "Klaipėda closed"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		pages, err := pdftext.Read(b)
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(pages[0].Strings, "\n"); !strings.Contains(text, f.want) {
			t.Errorf("%s text lacks %q:\n%s", f.name, f.want, text)
		}
	}
}

// TestBacktestHelpNamesOutputs: `potash backtest --help` names every file
// the command writes and every column of its CSV files (the change
// reading's model_change_usd_per_t among them), and the Diebold–Mariano
// tests and the change reading it prints.
func TestBacktestHelpNamesOutputs(t *testing.T) {
	help := potash(t, "backtest", "--help").want(t, exitOK).stdout
	r := &backtest.Report{}
	want := []string{"Diebold–Mariano", "change reading", "backtest.png", "backtest-factors.png",
		report.FileBacktestTable, report.FileBacktestJSON}
	for name, write := range map[string]func(io.Writer) error{
		report.FileBacktestPrices: r.WritePricesCSV, report.FileBacktestExports: r.WriteExportsCSV, report.FileBacktestForecasts: r.WriteForecastsCSV,
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(b.String(), "\n")
		want = append(want, name)
		want = append(want, strings.Split(strings.TrimSpace(head), ",")...)
	}
	for _, w := range want {
		if !strings.Contains(help, w) {
			t.Errorf("potash backtest --help does not name %q", w)
		}
	}
}
