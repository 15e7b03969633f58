package backtest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// perturbFrom returns a copy of rec with every monthly value from month cut
// on multiplied by 3, 24 invented months appended and two invented export
// years: data a forecast from cut must not see.
func perturbFrom(rec *Record, cut model.Month) *Record {
	after := rec.Clone()
	for _, s := range []*Series{&after.Potash, &after.Maize, &after.Soybeans, &after.Wheat, &after.Gas} {
		for k := range s.Values {
			if s.Start+model.Month(k) >= cut {
				s.Values[k] *= 3
			}
		}
		for k := 0; k < 24; k++ {
			s.Values = append(s.Values, 1e4)
		}
	}
	for name, a := range after.Exports {
		a.Years = append(a.Years, 2026, 2027)
		a.Values = append(a.Values, 1e3, 0)
		after.Exports[name] = a
	}
	// The price level: every annual average not complete before cut
	// tripled, and invented years appended.
	if l := after.CPI; l != nil {
		for k := range l.Values {
			if model.NewMonth(l.First+k, 12) >= cut {
				l.Values[k] *= 3
			}
		}
		l.Values = append(l.Values, 1e4, 2e4)
	}
	return after
}

// TestRollingUsesNoLaterData checks that a rolling-origin forecast uses no
// data at or after its origin: with every price, crop price and gas price
// from the origin on tripled and months and export years invented, the
// fit and every forecast at that origin are bit-identical (for the
// synthetic model and for the history model); a change in the month
// before the origin does change them, so the check can fail.
func TestRollingUsesNoLaterData(t *testing.T) {
	origin := model.NewMonth(2024, 9)
	for _, tc := range []struct {
		name  string
		model func(t *testing.T) Model
		evals int
	}{
		{"synthetic", func(*testing.T) Model { return &synthModel{} }, 100},
		{"history", func(t *testing.T) Model { return historyModel(t) }, 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name == "history" {
				t.Skip("three fits of the history model run without -short")
			}
			rec, err := LoadRecord()
			if err != nil {
				t.Fatal(err)
			}
			m := tc.model(t)
			var start []float64
			for _, p := range m.Params() {
				start = append(start, p.Start)
			}
			fo := FitOptions{MaxEvals: tc.evals, ExportSuppliers: []string{"Canada", "Russia", "Belarus"}, ExportWeight: 1}
			hs := []int{1, 3, 6, 12}
			base, _, err := forecastAt(context.Background(), m, rec.Before(origin), start, fo, hs, 12)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := forecastAt(context.Background(), m, perturbFrom(rec, origin).Before(origin), start, fo, hs, 12)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, base) {
				t.Errorf("data from the origin on changed the forecast:\n%+v\n%+v", base, got)
			}
			before := rec.Clone()
			before.Potash.Values[int(origin-1-before.Potash.Start)] *= 1.2
			moved, _, err := forecastAt(context.Background(), m, before.Before(origin), start, fo, hs, 12)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(moved.Naive, base.Naive) || reflect.DeepEqual(moved.Change, base.Change) {
				t.Error("a change in the last month before the origin left the forecasts unchanged: the check cannot fail")
			}
		})
	}
}

// TestRollingSynthetic checks RunRolling's arithmetic by hand on the
// synthetic model: the naive forecast is the last record, the moving
// average the mean of the last twelve, the model's change is
// Last·level/ModelLast, the error statistics are the means over the
// origins whose target has a record, and RunRolling gives the same
// result with one worker as with three.
func TestRollingSynthetic(t *testing.T) {
	theta := []float64{0.8, 0.25, 0.6}
	rec, err := synthRecord(theta)
	if err != nil {
		t.Fatal(err)
	}
	cfg := RollingConfig{First: model.NewMonth(2024, 11), Last: model.NewMonth(2025, 2), Horizons: []int{1, 12}, MAWindow: 12, MaxEvals: 80, Workers: 1}
	fo := FitOptions{}
	m := &synthModel{}
	r, err := RunRolling(context.Background(), m, rec, cfg, fo, theta, model.NewMonth(2025, 12))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Forecasts) != 4 {
		t.Fatalf("%d forecasts, want 4 origins", len(r.Forecasts))
	}
	for _, f := range r.Forecasts {
		last, _ := rec.Potash.At(f.Origin - 1)
		ma, _ := rec.Potash.Mean(f.Origin-12, f.Origin-1)
		for j, h := range cfg.Horizons {
			if f.Target[j] != f.Origin-1+model.Month(h) || f.Naive[j] != last || f.MA[j] != ma {
				t.Errorf("origin %v, h %d: target %v, naive %g (want %g), average %g (want %g)", f.Origin, h, f.Target[j], f.Naive[j], last, f.MA[j], ma)
			}
			if want := last * f.Level[j] / f.ModelLast; !scalar.EqualWithinRel(f.Change[j], want, 1e-15) {
				t.Errorf("origin %v, h %d: change forecast %g, want %g", f.Origin, h, f.Change[j], want)
			}
		}
	}
	// h = 12: the targets 2025-10..2026-01; only 2025-10 has a record.
	if h := r.Stats[1]; h.N != 1 || r.Stats[0].N != 4 {
		t.Errorf("origins with a record: h=1 %d, h=12 %d; want 4 and 1", r.Stats[0].N, h.N)
	}
	var sum, sq float64
	for _, f := range r.Forecasts {
		e := math.Log(f.Naive[0]) - math.Log(f.Record[0])
		sum += math.Abs(e)
		sq += e * e
	}
	if h := r.Stats[0]; !scalar.EqualWithinRel(h.Naive.MAE, sum/4, 1e-14) || !scalar.EqualWithinRel(h.Naive.RMSE, math.Sqrt(sq/4), 1e-14) {
		t.Errorf("naive h=1: MAE %g RMSE %g, want %g %g", h.Naive.MAE, h.Naive.RMSE, sum/4, math.Sqrt(sq/4))
	}
	// The Diebold–Mariano tests at h = 1 are those of the errors by hand
	// (lag 0, uniform kernel); at h = 12 one origin is too few.
	var el, ec, en []float64
	for _, f := range r.Forecasts {
		lr := math.Log(f.Record[0])
		el = append(el, math.Log(f.Level[0])-lr)
		ec = append(ec, math.Log(f.Change[0])-lr)
		en = append(en, math.Log(f.Naive[0])-lr)
	}
	if h := r.Stats[0]; !reflect.DeepEqual(h.DMLevel, DieboldMariano(el, en, 1, 0, Uniform)) || !reflect.DeepEqual(h.DMChange, DieboldMariano(ec, en, 1, 0, Uniform)) ||
		!h.DMLevel.OK() || h.DMLevel.N != 4 {
		t.Errorf("h=1 Diebold–Mariano: level %+v, change %+v", h.DMLevel, h.DMChange)
	}
	if h := r.Stats[1]; h.DMLevel.OK() || h.DMChange.OK() || h.DMLevel.Lag != 11 || h.DMLevel.N != 1 {
		t.Errorf("h=12 Diebold–Mariano on one origin: level %+v, change %+v; want n/a", h.DMLevel, h.DMChange)
	}
	// The synthetic record is the model's own path: the fitted model's
	// one-month level forecast is close to the record.
	if h := r.Stats[0]; !(h.Level.MAE < 0.01) {
		t.Errorf("the synthetic model forecasts its own path with log error %g", h.Level.MAE)
	}
	// The nowcast: fitted through 2025-10, months 2025-11 and 2025-12.
	nc := r.Nowcast
	if nc.Last != model.NewMonth(2025, 10) || len(nc.Months) != 2 || nc.Months[1] != model.NewMonth(2025, 12) {
		t.Fatalf("nowcast %v → %v", nc.Last, nc.Months)
	}
	for k := range nc.Months {
		if !scalar.EqualWithinRel(nc.Price[k], nc.LastPrice*(1+nc.Change[k]), 1e-14) {
			t.Errorf("nowcast %v: %g, want %g·(1 + %g)", nc.Months[k], nc.Price[k], nc.LastPrice, nc.Change[k])
		}
	}
	cfg.Workers = 3
	r3, err := RunRolling(context.Background(), m, rec, cfg, fo, theta, model.NewMonth(2025, 12))
	if err != nil {
		t.Fatal(err)
	}
	r3.Config.Workers = 1
	if a, b := fmt.Sprintf("%+v", *r), fmt.Sprintf("%+v", *r3); a != b { // %v: NaN equals NaN
		t.Errorf("the result depends on the number of workers:\n%s\n%s", a, b)
	}
}

// BenchmarkRollingOrigin measures one rolling origin of the history
// model: the fit on the data before 2025-04 (2020-01..2025-03, 63 months,
// and the export changes) with one search of at most
// DefaultRolling().MaxEvals simulations from the parameters' starting
// values, and the 12-month forecast. The back-test runs 16 of them and the
// nowcast's, on GOMAXPROCS workers.
func BenchmarkRollingOrigin(b *testing.B) {
	h, err := LoadHistory()
	if err != nil {
		b.Fatal(err)
	}
	rec, err := LoadRecord()
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	fo := cfg.Fit
	fo.From, fo.MaxEvals = cfg.Start, cfg.Rolling.MaxEvals
	in := rec.Before(model.NewMonth(2025, 4))
	var f Forecast
	for b.Loop() {
		f, _, err = forecastAt(context.Background(), h, in, h.startValues(), fo, cfg.Rolling.Horizons, cfg.Rolling.MAWindow)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.Evaluations), "simulations/fit")
}
