package model_test

import (
	"context"
	"sync"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestSupplyCurvesFresh: at every evaluation of every built-in pair, each
// participating supplier's supply curve (corridor order, costs,
// cumulative capacities, thresholds) and supply row (S, dS/dp̃, piece),
// each segment's e^(−z), its routes' FOB multipliers, tonnes, mine
// marginal value and corridor flow, and each facility's use and its
// users' flows and derivatives, equal bit for bit those
// computed afresh at the same inputs (model.CheckCurves): the
// re-preparations and route updates skipped when the inputs did not
// change, the memoized inverses q⁻¹(C_j), the batched logs and exps and
// the blends' skipped zero terms leave no stale or different value.
// After each fill, the curves of suppliers with a segment on are checked
// the same way in the plain order (fillSupplier keeps the solver's curve
// where the two orders agree).
func TestSupplyCurvesFresh(t *testing.T) {
	ctx := context.Background()
	for _, info := range scenarios.Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			s := loadBuiltin(t, info.Name)
			var (
				mu    sync.Mutex
				bad   int
				first string
			)
			stop := model.CheckCurves(func(msg string) {
				mu.Lock()
				defer mu.Unlock()
				if bad == 0 {
					first = msg
				}
				bad++
			})
			defer stop()
			run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			stop()
			evals := 0
			for _, p := range []*model.Path{run.Scenario, run.Counterfactual} {
				for _, r := range p.Results {
					evals += r.Evaluations
				}
			}
			if evals == 0 {
				t.Fatal("no evaluation checked")
			}
			if bad > 0 {
				t.Errorf("%d of about %d evaluations differ from a fresh curve; the first: %s", bad, evals, first)
			}
		})
	}
}
