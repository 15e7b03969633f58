package backtest

import (
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// stockFit is a fit of the stock-cycle parameters as the published one
// (the intervals of 0975220's re-fit, cut at the valid ranges).
func stockFit() []Fitted {
	from, to := model.NewMonth(2020, 1), model.NewMonth(2023, 12)
	return append(toyFit(0.634, 1.2, 0.41, 0.4),
		Fitted{Name: ParamDemandAdjust, Value: 0.21, SD: 0.05, Range: model.Range{Lo: 0.03, Hi: 0.5}, From: from, To: to},
		Fitted{Name: ParamStockAdjust, Value: 0.964, SD: 0.1, Range: model.Range{Lo: 0.05, Hi: 1}, From: from, To: to},
		Fitted{Name: ParamStockResponse, Value: 0.0104, SD: 0.002, Range: model.Range{Lo: 0.006, Hi: 0.0236}, From: from, To: to},
		Fitted{Name: ParamExpectAdjust, Value: 0.0935, SD: 0.02, Range: model.Range{Lo: 0.02, Hi: 0.15}, From: from, To: to},
	)
}

// TestStockCycleBox: the box of draws of the stock-cycle parameters is
// cut so that every corner keeps the rule in every region of base-2020,
// with each estimate inside its range and only the destabilising end of
// each moved; without regions (or with a box already inside the rule)
// nothing moves.
func TestStockCycleBox(t *testing.T) {
	base, err := scenarios.BaseMarket(scenarios.DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	fit := stockFit()
	free := UncertainRanges(fit, nil)
	got := UncertainRanges(fit, base.Regions)
	if StockBoxOK(free, base.Regions) {
		t.Fatal("the uncut box keeps the rule: the test needs one that breaks it")
	}
	if !StockBoxOK(got, base.Regions) {
		t.Errorf("the cut box %v breaks the stock-cycle rule", got)
	}
	for _, f := range fit {
		r := got[f.Name]
		if v := roundFitted(f.Value); v < r[0] || v > r[1] {
			t.Errorf("%s: estimate %g outside its range %v", f.Name, v, r)
		}
	}
	for _, sd := range stockSide {
		g, u := got[sd.name], free[sd.name]
		kept, moved := g[0] == u[0], g[1] < u[1]
		if !sd.hi {
			kept, moved = g[1] == u[1], g[0] > u[0]
		}
		if !kept || !moved {
			t.Errorf("%s: %v from %v; want only its %s end moved in", sd.name, g, u, map[bool]string{true: "upper", false: "lower"}[sd.hi])
		}
	}
	// A box inside the rule is left as it is.
	again := UncertainRanges(fit, base.Regions)
	for k, v := range got {
		if again[k] != v {
			t.Errorf("%s: %v, then %v", k, v, again[k])
		}
	}
	inside := []Fitted{fit[0], fit[1], fit[2]}
	for _, f := range fit[3:] {
		f.Range = model.Range{Lo: f.Value, Hi: f.Value * (1 + 1e-9)} // rounds to [v, v]
		inside = append(inside, f)
	}
	for k, v := range UncertainRanges(inside, base.Regions) {
		if w := UncertainRanges(inside, nil)[k]; w != v {
			t.Errorf("a box inside the rule: %s moved from %v to %v", k, w, v)
		}
	}
}

// TestFitKeepsStockCycleRule: the estimates the built-ins carry
// (base-2020's regions) keep the stock-cycle rule, and the box of draws
// history.yaml carries does at every corner.
func TestFitKeepsStockCycleRule(t *testing.T) {
	base, err := scenarios.BaseMarket(scenarios.DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range base.Regions {
		r, per := model.StockCycle(&g)
		if !model.StockCycleOK(&g) {
			t.Errorf("%s: the fitted values break the stock-cycle rule: modulus %.4g (period %.0f months)", g.Name, r, per)
		}
		t.Logf("%s: modulus %.4g a month (rule ≤ %g), period %.1f months", g.Name, r, model.MaxStockCycleRadius(), per)
	}
	s, err := scenarios.Load(HistoryScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	box := map[string][2]float64{}
	for _, u := range s.Uncertain {
		for _, up := range uncertainPaths {
			if up.path == u.Name {
				box[up.name] = [2]float64{u.Dist.Quantile(0), u.Dist.Quantile(1)}
			}
		}
	}
	if !StockBoxOK(box, base.Regions) {
		t.Errorf("history's box of draws %v breaks the stock-cycle rule at a corner", box)
	}
}
