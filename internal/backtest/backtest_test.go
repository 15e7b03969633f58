package backtest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/internal/pdftext"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

var chartDir = flag.String("chartdir", "", "write the charts rendered by the tests into this folder, to look at them")

// TestRunSynthetic runs the whole back-test on the synthetic model and
// checks the report's bookkeeping against values computed by hand from
// the shipped data.
func TestRunSynthetic(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallConfig()
	r, err := Run(context.Background(), &synthModel{}, rec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 2020-01..2025-12 simulated and compared where published.
	if len(r.Months) != 72 || r.Months[0] != cfg.Start || r.Months[71] != cfg.End {
		t.Fatalf("months %v..%v (%d), want 2020-01..2025-12 (72)", r.Months[0], r.Months[len(r.Months)-1], len(r.Months))
	}
	if r.InSample.N != 48 {
		t.Errorf("in-sample months = %d, want 48 (2020-01..2023-12)", r.InSample.N)
	}
	if r.OutSample.N != 22 || r.OutSample.To != model.NewMonth(2025, 10) {
		t.Errorf("out-of-sample = %d months to %v, want 22 to 2025-10", r.OutSample.N, r.OutSample.To)
	}
	// The naive forecast is December 2023's price (Pink Sheet: 307.5 $/t)
	// from 2024-01 on, and nothing before.
	dec23, _ := rec.Potash.At(model.NewMonth(2023, 12))
	for k, m := range r.Months {
		if m < cfg.Cut && !math.IsNaN(r.Naive[k]) || m >= cfg.Cut && r.Naive[k] != dec23 {
			t.Fatalf("naive[%v] = %v (Dec 2023 record %v)", m, r.Naive[k], dec23)
		}
	}
	// The naive error by hand: mean of ln(p_Dec23 / p_t) over 2024-01..2025-10.
	var s, s2 float64
	for m := cfg.Cut; m <= model.NewMonth(2025, 10); m++ {
		p, _ := rec.Potash.At(m)
		e := math.Log(dec23 / p)
		s += e
		s2 += e * e
	}
	if !scalar.EqualWithinRel(r.NaiveOut.MeanError, s/22, 1e-12) || !scalar.EqualWithinRel(r.NaiveOut.RMSE, math.Sqrt(s2/22), 1e-12) {
		t.Errorf("naive stats %+v, want mean %g rmse %g", r.NaiveOut, s/22, math.Sqrt(s2/22))
	}
	// The model's change reading: December 2023's record times the
	// model's change since December 2023, from 2024-01 on, and nothing
	// before; its errors and the Diebold–Mariano tests against naive
	// over the 22 months (Bartlett kernel, lag 2, h = 3).
	var mDec23 float64
	for k, m := range r.Months {
		if m == cfg.Cut-1 {
			mDec23 = r.Model[k]
		}
	}
	var el, ec, en []float64
	for k, m := range r.Months {
		if m < cfg.Cut {
			if !math.IsNaN(r.Change[k]) {
				t.Fatalf("change[%v] = %v before the cut", m, r.Change[k])
			}
			continue
		}
		if want := dec23 * r.Model[k] / mDec23; !scalar.EqualWithinRel(r.Change[k], want, 1e-15) {
			t.Fatalf("change[%v] = %v, want %v", m, r.Change[k], want)
		}
		if p, ok := rec.Potash.At(m); ok {
			el = append(el, math.Log(r.Model[k]/p))
			ec = append(ec, math.Log(r.Change[k]/p))
			en = append(en, math.Log(dec23/p))
		}
	}
	if len(ec) != 22 || !scalar.EqualWithinRel(r.ChangeOut.RMSE, RMSE(ec), 1e-12) || !scalar.EqualWithinRel(r.ChangeOut.MeanError, Mean(ec), 1e-12) || r.ChangeOut.N != 22 {
		t.Errorf("change reading %+v, want RMSE %g, mean %g over %d months", r.ChangeOut, RMSE(ec), Mean(ec), len(ec))
	}
	for _, tc := range []struct {
		got    DMTest
		e1, e2 []float64
	}{{r.DMLevel, el, en}, {r.DMChange, ec, en}} {
		want := DieboldMariano(tc.e1, tc.e2, 3, 2, Bartlett)
		if !want.OK() || tc.got.Lag != 2 || tc.got.H != 3 || tc.got.N != 22 || !scalar.EqualWithinRel(tc.got.Stat, want.Stat, 1e-9) || !scalar.EqualWithinRel(tc.got.P, want.P, 1e-9) {
			t.Errorf("out-of-sample Diebold–Mariano %+v, want %+v", tc.got, want)
		}
	}
	// Shapley contributions add up to the rise with all factors minus the
	// rise with none.
	d := r.Decomposition
	sum := d.Other
	for _, c := range d.Contributions {
		sum += c.Value
	}
	if !scalar.EqualWithinAbs(sum, d.ModelRise, 1e-9) {
		t.Errorf("contributions sum to %g, model rise %g", sum, d.ModelRise)
	}
	// The synthetic model has no trend: with no factor the price stays at
	// 240, so "other" is 240 less the base-year average with all factors.
	if !scalar.EqualWithinAbs(d.Other, 240-d.ModelBase, 1e-9) {
		t.Errorf("other = %g, want 240 − %g", d.Other, d.ModelBase)
	}
	// Record rise: 2021–22 average minus 2020 average.
	rw, _ := rec.Potash.Mean(cfg.RiseFrom, cfg.RiseTo)
	rb, _ := rec.Potash.Mean(model.NewMonth(2020, 1), model.NewMonth(2020, 12))
	if !scalar.EqualWithinAbs(d.RecordRise, rw-rb, 1e-9) || !scalar.EqualWithinAbs(rb, 241.07, 0.01) {
		t.Errorf("record rise %g, want %g − %g", d.RecordRise, rw, rb)
	}
	// Exports: Canada, Russia, Belarus × 2020..2023 (FAOSTAT ends 2023).
	if len(r.Exports) != 12 {
		t.Errorf("%d export rows, want 12", len(r.Exports))
	}
	for _, e := range r.Exports {
		if e.Supplier == "Belarus" && e.Year == 2022 {
			// FAOSTAT: 2,596,624 t K2O in 2022 vs 7,205,004 in 2020: −64%.
			if !scalar.EqualWithinAbs(e.RecordChange, 2596624.12/7205003.97-1, 1e-12) {
				t.Errorf("Belarus 2022 record change %g", e.RecordChange)
			}
		}
	}

	var table bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"crop-price index", "naive", "Belarus", "2022-04", "1,202", "sanctions", "out of sample",
		"second reading: model's change from 2023-12", "Second reading, added after that result was known", "Diebold–Mariano", "Bartlett kernel,\nlag 2",
		"model's level DM* ", "n/a: 11 origins, too few for lag 11"} {
		if !strings.Contains(strings.ToLower(table.String()), strings.ToLower(want)) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	if strings.Contains(table.String(), "NaN") || strings.Contains(table.String(), "Inf") {
		t.Errorf("table prints NaN:\n%s", table.String())
	}

	var prices bytes.Buffer
	if err := r.WritePricesCSV(&prices); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&prices).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 73 || rows[0][0] != "month" || rows[27][0] != "2022-03" || rows[0][4] != "model_change_usd_per_t" {
		t.Errorf("prices CSV: %d rows, header %v", len(rows), rows[0])
	}
	if rows[71][2] != "" { // 2025-11: no record
		t.Errorf("2025-11 record cell = %q, want empty", rows[71][2])
	}
	// 2023-12: no change reading; 2024-01: the change reading, then naive.
	if c, err := strconv.ParseFloat(rows[49][4], 64); rows[48][4] != "" || err != nil || !scalar.EqualWithinRel(c, r.Change[48], 1e-12) || rows[49][5] != strconv.FormatFloat(dec23, 'g', -1, 64) {
		t.Errorf("2023-12 change cell %q; 2024-01 change %q (want %g), naive %q", rows[48][4], rows[49][4], r.Change[48], rows[49][5])
	}

	// The JSON summary: the out-of-sample readings and tests, and no NaN
	// (encoding/json refuses one).
	var js bytes.Buffer
	if err := r.WriteJSON(&js, Provenance("test", "")); err != nil {
		t.Fatal(err)
	}
	var summary struct {
		OutOfSample struct {
			Errors  map[string]struct{ RMSE float64 } `json:"log_errors"`
			DMTests map[string]struct {
				N           int
				Lag         int
				Statistic   *float64
				PValue      *float64 `json:"p_value"`
				NotComputed string   `json:"not_computed"`
			} `json:"diebold_mariano"`
		} `json:"out_of_sample"`
		Rolling struct {
			Horizons []struct {
				DMTests map[string]struct {
					Statistic   *float64
					NotComputed string `json:"not_computed"`
				} `json:"diebold_mariano"`
			}
		}
	}
	if err := json.Unmarshal(js.Bytes(), &summary); err != nil {
		t.Fatal(err)
	}
	oos := summary.OutOfSample
	if oos.Errors["model_change"].RMSE != r.ChangeOut.RMSE || oos.Errors["model_level"].RMSE != r.OutSample.RMSE || oos.Errors["naive"].RMSE != r.NaiveOut.RMSE {
		t.Errorf("JSON out-of-sample errors %+v", oos.Errors)
	}
	if d := oos.DMTests["model_change_vs_naive"]; d.Statistic == nil || *d.Statistic != r.DMChange.Stat || *d.PValue != r.DMChange.P || d.N != 22 || d.Lag != 2 {
		t.Errorf("JSON out-of-sample change test %+v", d)
	}
	if hs := summary.Rolling.Horizons; len(hs) != 4 || hs[0].DMTests["model_level_vs_naive"].Statistic == nil ||
		hs[3].DMTests["model_level_vs_naive"].Statistic != nil || hs[3].DMTests["model_level_vs_naive"].NotComputed == "" {
		t.Errorf("JSON rolling tests %+v", hs)
	}

	svgText := map[string][]string{
		ChartName:        {"Potash price: model against the record", "0123456789ab", "Price, US$ per tonne KCl", "Exports, Mt KCl/yr", "2022", "Naive: Dec 2023 price held"},
		FactorsChartName: {"What drove the 2021–22 rise", "0123456789ab", "Model without sanctions", "Model without crop demand", "Shapley values"},
	}
	// The synthetic model has no events; the history scenario's main one
	// carries a letter code page 1252 lacks.
	r.Markers = []EventMark{{Month: model.NewMonth(2022, 2), Label: "Klaipėda closed"}}
	charts, err := r.Charts(ChartMeta{Hash: "0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 2 || charts[0].Name != ChartName || charts[1].Name != FactorsChartName || !charts[0].Main || charts[0].Caption == "" {
		t.Fatalf("charts %v, want %s (main, with a caption) and %s", charts, ChartName, FactorsChartName)
	}
	for _, ch := range charts {
		for _, f := range []string{"png", "svg", "pdf"} {
			var buf bytes.Buffer
			if err := ch.Render(&buf, f, plots.Options{}); err != nil {
				t.Fatalf("%s.%s: %v", ch.Name, f, err)
			}
			if buf.Len() < 1000 {
				t.Errorf("%s.%s is only %d bytes", ch.Name, f, buf.Len())
			}
			switch f {
			case "svg":
				for _, want := range svgText[ch.Name] {
					if !strings.Contains(buf.String(), want) {
						t.Errorf("%s.svg lacks %q", ch.Name, want)
					}
				}
			case "pdf":
				// Unicode text survives: the plots engine's PDF, not
				// gonum/plot's code page 1252.
				pages, err := pdftext.Read(buf.Bytes())
				if err != nil {
					t.Fatalf("%s.pdf: %v", ch.Name, err)
				}
				text := strings.Join(pages[0].Strings, "\n")
				for _, want := range append([]string{"Klaipėda closed"}, svgText[ch.Name][0]) {
					if !strings.Contains(text, want) {
						t.Errorf("%s.pdf text lacks %q:\n%s", ch.Name, want, text)
					}
				}
			}
			if *chartDir != "" {
				if err := os.WriteFile(filepath.Join(*chartDir, "synthetic-"+ch.Name+"."+f), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The size presets and DPI of every chart apply.
		var buf bytes.Buffer
		if err := ch.Render(&buf, "png", plots.Options{Size: plots.SizeHalfPage, DPI: 96}); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 624 || b.Dy() != 384 {
			t.Errorf("%s at half page, 96 DPI: %v; want 624 × 384 pixels", ch.Name, b)
		}
	}
	empty := &Report{}
	if _, err := empty.Charts(ChartMeta{}); err == nil {
		t.Error("an empty report made charts")
	}
}
