package model_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
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
			var diffs diffLog
			stop := model.CheckCurves(diffs.add)
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
			if bad, first := diffs.get(); bad > 0 {
				t.Errorf("%d of about %d evaluations differ from a fresh curve; the first: %s", bad, evals, first)
			}
		})
	}
}

// TestCorridorsFresh: at every month's set-up of every built-in pair and
// of us-relief-2025 with a corridor capacity and a corridor cost ramping
// in and out, each supplier's corridor capacities and costs, and the
// recorded inputs of a curve only the set-up prepares, equal the month
// policy's (model.CheckCorridors): prepareCorridors keeps them only while
// the policy's values do. It fails when they are kept under a policy of
// another value generation (a month whose events moved them).
func TestCorridorsFresh(t *testing.T) {
	ctx := context.Background()
	specs := map[string][2]*model.Spec{}
	for _, info := range scenarios.Builtins() {
		s := loadBuiltin(t, info.Name)
		specs[info.Name] = [2]*model.Spec{s.Spec, s.Counterfactual}
	}
	s := loadBuiltin(t, "us-relief-2025")
	ramped := *s.Spec
	ramped.Events = append(slices.Clone(ramped.Events),
		model.Event{ID: "zz-cap", Kind: model.EventCorridorCapacity, Supplier: 0, Region: -1, Corridor: 0, Value: 1,
			Start: ramped.Start + 14, End: ramped.Start + 30, RampIn: 5, RampOut: 4},
		model.Event{ID: "zz-cost", Kind: model.EventCorridorCost, Supplier: 1, Region: -1, Corridor: 1, Value: 40,
			Start: ramped.Start + 20, End: ramped.Start + 40, RampIn: 3, RampOut: 6})
	specs["us-relief-2025 ramped"] = [2]*model.Spec{&ramped, s.Counterfactual}
	for name, p := range specs {
		t.Run(name, func(t *testing.T) {
			var (
				diffs diffLog
				kept  atomic.Int64
			)
			stop := model.CheckCorridors(diffs.add, &kept)
			defer stop()
			if _, err := model.SimulatePair(ctx, p[0], p[1]); err != nil {
				t.Fatal(err)
			}
			stop()
			if bad, first := diffs.get(); bad > 0 {
				t.Errorf("%d set-ups differ from the policy's corridors; the first: %s", bad, first)
			}
			if kept.Load() == 0 {
				t.Error("no set-up kept its corridors")
			}
		})
	}
}

// diffLog counts the differences a check hook reports, from any
// goroutine, and keeps the first.
type diffLog struct {
	mu    sync.Mutex
	bad   int
	first string
}

// add records one difference.
func (d *diffLog) add(msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bad == 0 {
		d.first = msg
	}
	d.bad++
}

// get returns how many differences were recorded and the first.
func (d *diffLog) get() (bad int, first string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bad, d.first
}
