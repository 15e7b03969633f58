package scenarios

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestWelfareBounded: every welfare change — and every other change in
// money: revenues, rents, bills, tariffs, taxes, concessions, risk costs —
// of every built-in, at central values and in every Monte Carlo draw, is
// finite and no larger than the value of every purchase of potash over the
// report window (market_value). Before issue 13, sanctions-cost reported
// a Belarusian producer-surplus change of +14.5 trillion dollars: surplus
// was measured on the short-run partial-adjustment cost curve.
func TestWelfareBounded(t *testing.T) {
	draws := 12
	if testing.Short() {
		draws = 4
	}
	for _, b := range Builtins() {
		t.Run(b.Name, func(t *testing.T) {
			s := mustLoad(t, b.Name)
			run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			central := model.Metrics(run)
			if err := model.CheckMetrics(central); err != nil {
				t.Errorf("central run: %v", err)
			}
			mc, err := model.MonteCarlo(context.Background(), s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{Draws: draws, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			if mc.Failed > 0 {
				t.Errorf("%d of %d draws failed; the first: %s", mc.Failed, draws, mc.FirstFailure)
			}
			var value []float64
			for _, td := range mc.Totals {
				if td.Metric == "market_value" {
					value = td.Values
				}
			}
			if len(value) != mc.Converged {
				t.Fatalf("market_value has %d draws, %d converged", len(value), mc.Converged)
			}
			checked := 0
			for _, td := range mc.Totals {
				if td.Unit != "$M" || td.Metric == "market_value" || strings.HasPrefix(td.Metric, "revenue.") || strings.HasPrefix(td.Metric, "netback_revenue.") {
					continue
				}
				for d, v := range td.Values {
					if !(value[d] > 0) || math.IsNaN(v) || math.Abs(v) > value[d] {
						t.Errorf("draw %d: %s = %.4g $M, market value %.4g $M", d, td.Metric, v, value[d])
					}
					checked++
				}
			}
			if checked == 0 {
				t.Error("no welfare metric checked")
			}
		})
	}
}

// TestCheckMetrics: the guard fails a change larger than the market's
// value and a non-finite metric, and passes the levels.
func TestCheckMetrics(t *testing.T) {
	ok := []model.Metric{{Name: "market_value", Unit: "$M", Value: 1000}, {Name: "welfare_change", Unit: "$M", Value: -999},
		{Name: "revenue.Canada", Unit: "$M", Value: 5000}, {Name: "benchmark_price_change", Unit: "$/t", Value: 5000}}
	if err := model.CheckMetrics(ok); err != nil {
		t.Errorf("%v", err)
	}
	for _, bad := range [][]model.Metric{
		{{Name: "market_value", Unit: "$M", Value: 1000}, {Name: "producer_surplus_change.Belarus", Unit: "$M", Value: 1.45e7}},
		{{Name: "welfare_change", Unit: "$M", Value: math.Inf(1)}},
	} {
		if err := model.CheckMetrics(bad); err == nil {
			t.Errorf("%+v passed the guard", bad)
		}
	}
}
