package backtest

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// TestStockMonths checks the stock cover by hand: 12·Σ S / Σ C.
func TestStockMonths(t *testing.T) {
	const tol = 1e-12
	m := &model.Market{Regions: []model.Region{{Name: "A", StockMonths: 2}, {Name: "B"}}}
	sols := []*model.Solution{
		{Stocks: []float64{1, 2}, Consumption: []float64{12, 24}}, // 12·3/36 = 1
		{Stocks: []float64{3, 0}, Consumption: []float64{6, 3}},   // 12·3/9 = 4
		{Stocks: []float64{1, 1}, Consumption: []float64{0, 0}},   // no use: NaN
	}
	got := stockMonths(m, sols)
	for k, want := range []float64{1, 4} {
		if !scalar.EqualWithinAbs(got[k], want, tol) {
			t.Errorf("month %d: %g months, want %g", k, got[k], want)
		}
	}
	if !math.IsNaN(got[2]) {
		t.Errorf("month without use: %g, want NaN", got[2])
	}
	m.Regions[0].StockMonths = 0
	if got := stockMonths(m, sols); got != nil {
		t.Errorf("no stocks: %v, want nil", got)
	}

	start := model.NewMonth(2020, 1)
	r := &Report{Config: Config{Cut: start + 3}, StockMonths: []float64{2, 3.5, 3, 1, 2.25}}
	for k := range r.StockMonths {
		r.Months = append(r.Months, start+model.Month(k))
	}
	want := "Stocks of importers and distributors, all regions, in months of use (the model's; no record): 2020-01 2.00; highest in sample 2020-02 3.50; 2020-03 3.00; highest after 2020-05 2.25; 2020-05 2.25.\n"
	if got := stockLine(r); got != want {
		t.Errorf("stockLine:\n got %q\nwant %q", got, want)
	}
	r.StockMonths = nil
	if got := stockLine(r); got != "" {
		t.Errorf("stockLine without stocks: %q", got)
	}
}

// TestFixParam: a model with a parameter held fixed estimates the others
// and simulates exactly as the full model with the value inserted; bad
// names and values are errors.
func TestFixParam(t *testing.T) {
	ctx := context.Background()
	rec, err := synthRecord([]float64{1.2, 0.4, 0.7})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDrivers(rec, CropWeights{}, 2020)
	if err != nil {
		t.Fatal(err)
	}
	full := &synthModel{}
	f, err := FixParam(full, "mu", 0.4)
	if err != nil {
		t.Fatal(err)
	}
	if ps := f.Params(); len(ps) != 2 || ps[0].Name != "a" || ps[1].Name != "b" {
		t.Fatalf("params %+v, want a and b", ps)
	}
	end := model.NewMonth(2023, 12)
	got, err := f.Simulate(ctx, []float64{1.2, 0.7}, d, end, AllFactors)
	if err != nil {
		t.Fatal(err)
	}
	want, err := full.Simulate(ctx, []float64{1.2, 0.4, 0.7}, d, end, AllFactors)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want.Price {
		if got.Price[k] != want.Price[k] {
			t.Fatalf("month %d: %g, want %g", k, got.Price[k], want.Price[k])
		}
	}
	if _, err := f.Simulate(ctx, []float64{1.2}, d, end, AllFactors); err == nil {
		t.Error("one value for two parameters accepted")
	}
	for _, bad := range []struct {
		name string
		v    float64
	}{{"nope", 0}, {"mu", 5}} {
		if _, err := FixParam(full, bad.name, bad.v); err == nil {
			t.Errorf("FixParam(%q, %g) accepted", bad.name, bad.v)
		}
	}
}

// TestWithEvent: the copy's event changes, the original's does not; an
// unknown id or an invalid change is an error.
func TestWithEvent(t *testing.T) {
	h := historyModel(t)
	late := model.NewMonth(2022, 7)
	c, err := h.WithEvent(PrecautionEventID, func(e *model.Event) { e.End = late })
	if err != nil {
		t.Fatal(err)
	}
	for k, e := range c.Spec.Events {
		if e.ID == PrecautionEventID && (e.End != late || h.Spec.Events[k].End == late) {
			t.Errorf("copy ends %v, original %v", e.End, h.Spec.Events[k].End)
		}
	}
	if _, err := h.WithEvent("nope", func(*model.Event) {}); err == nil {
		t.Error("unknown event accepted")
	}
	if _, err := h.WithEvent(PrecautionEventID, func(e *model.Event) { e.Value = -2 }); err == nil {
		t.Error("a stock target of −200% accepted")
	}
}
