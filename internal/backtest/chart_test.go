package backtest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

// TestChartGolden renders the back-test's charts of the synthetic model
// (deterministic and fast) through the plots engine and compares them
// with testdata/<name>_golden.png; regenerate with
//
//	go test ./internal/backtest -run ChartGolden -update
func TestChartGolden(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), &synthModel{}, rec, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	r.Markers = []EventMark{{Month: model.NewMonth(2022, 2), Label: "Klaipėda closed"}, {Month: model.NewMonth(2021, 12), Label: "US sanctions"}}
	charts, err := r.Charts(ChartMeta{Hash: "0123456789abcdef", ModelVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range charts {
		for _, sz := range []struct {
			suffix string
			opts   plots.Options
		}{{"", plots.Options{DPI: 48}}, {"_web", plots.Options{Size: plots.SizeWeb, DPI: 72}}} {
			name := ch.Name + sz.suffix
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				if err := ch.Render(&buf, "png", sz.opts); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", name+"_golden.png")
				if *update {
					if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (go test ./internal/backtest -run ChartGolden -update creates it)", err)
				}
				if ok, err := cmpimg.EqualApprox("png", buf.Bytes(), want, 0.05); err != nil || !ok {
					got := filepath.Join(t.TempDir(), name+".png")
					_ = os.WriteFile(got, buf.Bytes(), 0o644)
					t.Errorf("%s differs from %s (%v); got %s", name, golden, err, got)
				}
			})
		}
	}
}

// TestExportGapNote: the chart notes the supplier-year furthest from
// FAOSTAT, only beyond exportGapThreshold and only for suppliers shown.
func TestExportGapNote(t *testing.T) {
	ex := []ExportFit{
		{Supplier: "Canada", Year: 2022, Record: 21.4, Model: 24.8, RelError: 24.8/21.4 - 1},
		{Supplier: "Russia", Year: 2022, Record: 9.2, Model: 12.73, RelError: 12.73/9.2 - 1},
		{Supplier: "Laos", Year: 2022, Record: 1, Model: 3, RelError: 2},
	}
	for _, tc := range []struct {
		name      string
		ex        []ExportFit
		suppliers []string
		want      string
	}{
		{"largest shown", ex, []string{"Canada", "Russia"}, "Russia 2022: model 12.7 Mt, FAOSTAT 9.2 Mt (why: docs/BACKTEST.md, Discussion)"},
		{"below the threshold", ex[:1], []string{"Canada", "Russia"}, ""},
		{"not shown", ex, []string{"Canada"}, ""},
		{"none", nil, []string{"Canada"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := exportGapNote(tc.ex, tc.suppliers); got != tc.want {
				t.Errorf("exportGapNote = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestExportGapLegend: the export-gap note has a heading of its own, so
// that it is not read as a remark on the supplier listed before it.
func TestExportGapLegend(t *testing.T) {
	ex := []ExportFit{{Supplier: "Russia", Year: 2022, Record: 9.2, Model: 12.73, RelError: 12.73/9.2 - 1}}
	got := exportGapLegend(ex, []string{"Canada", "Russia", "Belarus"})
	want := []plots.LegendItem{
		{Kind: plots.LegendHeader, Label: "Largest export gap"},
		{Kind: plots.LegendNote, Label: "Russia 2022: model 12.7 Mt, FAOSTAT 9.2 Mt (why: docs/BACKTEST.md, Discussion)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exportGapLegend = %+v, want %+v", got, want)
	}
	if got := exportGapLegend(ex, []string{"Canada"}); got != nil {
		t.Errorf("no gap among the suppliers shown: exportGapLegend = %+v, want nil", got)
	}
}

// TestChartFitCaveat: the charts qualify the fit's statistics with how
// its searches ended, taken from the report: a fit whose kept search
// stopped at its limit is called unconverged in the price chart's
// subtitle (next to the out-of-sample RMSE) and in both charts' legends;
// a converged fit is not.
func TestChartFitCaveat(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), &synthModel{}, rec, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r.Markers = []EventMark{{Month: model.NewMonth(2021, 7), Label: "EU sanctions (June 2021)"}, {Month: model.NewMonth(2021, 12), Label: "US sanctions"},
		{Month: model.NewMonth(2022, 2), Label: "Klaipėda closed"}, {Month: model.NewMonth(2022, 3), Label: "EU ban (all grades)"}, {Month: model.NewMonth(2022, 7), Label: "EU quota on Russian KCl"}}
	st, err := plots.StyleOf(plots.SizeSlide)
	if err != nil {
		t.Fatal(err)
	}
	texts := func() (sub string, notes []string) {
		t.Helper()
		charts, err := r.Charts(ChartMeta{Hash: "0123456789abcdef", ModelVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		for k, ch := range charts {
			if k == 0 {
				sub = ch.Subtitle
			}
			fig, err := ch.Build(st)
			if err != nil {
				t.Fatal(err)
			}
			note := ""
			for _, it := range fig.Legend {
				if it.Kind == plots.LegendNote && strings.HasPrefix(it.Label, "Fit search") {
					note = it.Label
				}
			}
			notes = append(notes, note)
		}
		return sub, notes
	}
	limit := "FunctionEvaluationLimit"
	r.Fit.Status = limit
	r.Fit.Searches = []Search{{Status: limit}, {Status: limit}, {Status: "FunctionConvergence"}}
	if dir := os.Getenv("BACKTEST_LOOK_DIR"); dir != "" {
		charts, err := r.Charts(ChartMeta{Hash: "0123456789abcdef", ModelVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range charts {
			for k, sz := range []plots.Size{plots.SizeSlide, plots.SizeHalfPage, plots.SizeWeb} {
				var buf bytes.Buffer
				if err := ch.Render(&buf, "png", plots.Options{Size: sz}); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, ch.Name+[]string{"", "_half", "_web"}[k]+".png"), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	sub, notes := texts()
	if !strings.Contains(sub, "RMSE (log) "+num(r.OutSample.RMSE, 3)) || !strings.Contains(sub, "did not converge") {
		t.Errorf("unconverged fit: subtitle %q lacks the RMSE or the caveat", sub)
	}
	// The level reading is the headline; the change reading, added after
	// the level's result was known, follows it and says so.
	level := strings.Index(sub, "RMSE (log) "+num(r.OutSample.RMSE, 3)+", "+skillWord(r.OutSample.RMSE, r.NaiveOut.RMSE)+" the naive forecast's "+num(r.NaiveOut.RMSE, 3))
	change := strings.Index(sub, "change reading (added later) "+num(r.ChangeOut.RMSE, 3)+", "+skillWord(r.ChangeOut.RMSE, r.NaiveOut.RMSE)+" naive")
	if level < 0 || change < level {
		t.Errorf("subtitle %q: want the level reading, then the change reading (added later)", sub)
	}
	for k, n := range notes {
		if n != "Fit searches: 1 converged, 2 stopped at their limit" {
			t.Errorf("unconverged fit: chart %d's legend note is %q", k, n)
		}
	}
	r.Fit.Status = "FunctionConvergence"
	r.Fit.Searches = []Search{{Status: "FunctionConvergence"}}
	sub, notes = texts()
	if strings.Contains(sub, "converge") {
		t.Errorf("converged fit: subtitle %q has a caveat", sub)
	}
	for k, n := range notes {
		if n != "" {
			t.Errorf("converged fit: chart %d's legend note is %q", k, n)
		}
	}
}

// TestChartText: at every size the back-test's charts, drawn by the
// plots engine, set no text under plots.MinTextSize and no two strings
// over each other (plots.CheckText): with the default configuration's
// five events the web size once put the exports panel's y-axis label
// into the footer, and the half-page size set the subtitles at 5.9 pt.
func TestChartText(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	for _, cfg := range []struct {
		name string
		cfg  Config
	}{{"small", smallConfig()}, {"default", DefaultConfig()}} {
		r, err := Run(context.Background(), &synthModel{}, rec, cfg.cfg)
		if err != nil {
			t.Fatal(err)
		}
		r.Markers = []EventMark{{Month: model.NewMonth(2021, 7), Label: "EU sanctions (June 2021)"}, {Month: model.NewMonth(2021, 12), Label: "US sanctions"},
			{Month: model.NewMonth(2022, 2), Label: "Klaipėda closed"}, {Month: model.NewMonth(2022, 3), Label: "EU ban (all grades)"}, {Month: model.NewMonth(2022, 7), Label: "EU quota on Russian KCl"}}
		charts, err := r.Charts(ChartMeta{Hash: "0123456789abcdef", ModelVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range charts {
			for _, sz := range plots.Sizes() {
				problems, err := plots.CheckText(ch, sz)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range problems {
					t.Errorf("%s config, %s at size %d: %s", cfg.name, ch.Name, sz, p)
				}
			}
		}
	}
}
