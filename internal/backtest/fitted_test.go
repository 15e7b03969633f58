package backtest

import (
	"encoding/json"
	"os"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/scenarios"
)

// tolFitted is how close the base dataset's values must be to the
// back-test's published estimates: base-2020 writes them to three
// significant digits (fittedDigits), at most half a unit of the third
// digit, 0.5 % relative.
const tolFitted = 5.01e-3

// TestBuiltinsUseFittedValues: base-2020 and the history scenario (which
// every built-in extends) carry the back-test's published estimates
// (testdata/stats.golden.json, "param.NAME") as their central values, and
// history's uncertainty section draws each fitted parameter over a range
// that covers the estimate. It runs no fit (TestBacktestGolden checks the
// files against the fit itself, including the intervals).
func TestBuiltinsUseFittedValues(t *testing.T) {
	raw, err := os.ReadFile(goldenStats)
	if err != nil {
		t.Fatal(err)
	}
	var stats []Stat
	if err := json.Unmarshal(raw, &stats); err != nil {
		t.Fatal(err)
	}
	est := map[string]float64{}
	for _, s := range stats {
		if len(s.Name) > 6 && s.Name[:6] == "param." {
			est[s.Name[6:]] = s.Value
		}
	}
	h, err := LoadHistory()
	if err != nil {
		t.Fatal(err)
	}
	spec := h.Spec
	mkt := spec.Market
	s, err := scenarios.Load(HistoryScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	crop := s.CropDriver()
	disc, prec := 0.0, 0.0
	for _, e := range spec.Events {
		switch e.ID {
		case DiscountEventID:
			disc = 100 * e.Value
		case PrecautionEventID:
			prec = 100 * e.Value
		}
	}
	got := map[string][]float64{
		ParamCropElasticity: {crop.Elasticity},
		ParamCropLag:        {crop.LagMonths},
		ParamDiscount:       {disc},
		ParamPrecaution:     {prec},
	}
	for _, r := range mkt.Regions {
		got[ParamDemandElast] = append(got[ParamDemandElast], r.Eps)
		got[ParamDemandAdjust] = append(got[ParamDemandAdjust], r.Adjust)
		got[ParamStockAdjust] = append(got[ParamStockAdjust], r.StockAdjust)
		got[ParamStockResponse] = append(got[ParamStockResponse], r.StockResponse)
		got[ParamExpectAdjust] = append(got[ParamExpectAdjust], r.ExpectAdjust)
	}
	for _, sp := range mkt.Suppliers {
		got[ParamSupplyElast] = append(got[ParamSupplyElast], sp.Eta)
		got[ParamSupplyAdjust] = append(got[ParamSupplyAdjust], sp.Adjust)
	}
	for _, p := range h.Params() {
		if _, ok := got[p.Name]; !ok {
			t.Errorf("%s: the test does not know where the built-ins carry it", p.Name)
			continue
		}
		e, ok := est[p.Name]
		if !ok {
			t.Errorf("%s: no published estimate", p.Name)
			continue
		}
		for _, v := range got[p.Name] {
			if !scalar.EqualWithinRel(v, e, tolFitted) {
				t.Errorf("%s: the built-ins use %g, the back-test estimates %g", p.Name, v, e)
				break
			}
		}
	}
	// The uncertainty covers every estimate.
	paths := map[string]string{
		"market.regions.*.demand_elasticity": ParamDemandElast, "market.regions.*.demand_adjustment_per_month": ParamDemandAdjust,
		"market.suppliers.*.supply_elasticity": ParamSupplyElast, "market.suppliers.*.supply_adjustment_per_month": ParamSupplyAdjust,
		"market.regions.*.stock_adjustment_per_month": ParamStockAdjust, "market.regions.*.stock_response": ParamStockResponse,
		"market.regions.*.price_expectation_speed_per_month": ParamExpectAdjust, "market.drivers.crop_prices.elasticity": ParamCropElasticity,
		"market.drivers.crop_prices.lag_months": ParamCropLag, "events.belarus-discount.pct": ParamDiscount,
		"events.precautionary-stocks.pct": ParamPrecaution,
	}
	seen := map[string]bool{}
	for _, u := range s.Uncertain {
		name, ok := paths[u.Name]
		if !ok {
			continue
		}
		seen[name] = true
		lo, hi := u.Dist.Quantile(1e-9), u.Dist.Quantile(1-1e-9)
		if e := est[name]; !(lo <= e*(1+tolFitted) && e*(1-tolFitted) <= hi) {
			t.Errorf("%s: drawn over [%g, %g], which misses the estimate %g", u.Name, lo, hi, e)
		}
	}
	for p, name := range paths {
		if !seen[name] {
			t.Errorf("%s: not in history's uncertainty", p)
		}
	}
}
