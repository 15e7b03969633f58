package backtest

import (
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestFitKeepsStockCycleRule: the estimates the built-ins carry
// (base-2020's regions) keep the stock-cycle and stock-release rules,
// and history's box of draws, the posterior not cut to the rules (model
// 0.6.1), loses between a quarter and MaxRejectedShare of its pilot
// sample to the joint rules (docs/MODEL.md §9.1).
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
		if !model.StockReleaseOK(&g) {
			t.Errorf("%s: the fitted values break the stock-release rule: φ·β/c = %.3g", g.Name, g.StockAdjust*model.StockGamma(&g))
		}
		t.Logf("%s: modulus %.4g a month (rule ≤ %g), period %.1f months; φ·β/c %.3g (rule ≥ %g)", g.Name, r, model.MaxStockCycleRadius(), per,
			g.StockAdjust*model.StockGamma(&g), model.MinStockRelease())
	}
	s, err := scenarios.Load(HistoryScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	if why := model.JointRules(s.Spec); why != "" {
		t.Errorf("history's central values break a joint rule: %s", why)
	}
	rej, n, first := model.Truncation(s.Spec, s.Counterfactual, s.Uncertain)
	share := float64(rej) / float64(n)
	t.Logf("history's pilot: %d of %d rejected (%.3g%%), the first: %s", rej, n, 100*share, first)
	if share < 0.25 || share > scenarios.MaxRejectedShare {
		t.Errorf("history's pilot rejects %d of %d (%.3g%%): want between 25%% and %g%%", rej, n, 100*share, 100*scenarios.MaxRejectedShare)
	}
}
