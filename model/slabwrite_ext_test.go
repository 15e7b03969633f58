package model_test

import (
	"context"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestSlabFullyWrittenBuiltins is TestSlabFullyWritten on every built-in
// pair and the scenario simulated alone.
func TestSlabFullyWrittenBuiltins(t *testing.T) {
	defer model.PoisonSlabs()()
	for _, in := range scenarios.Builtins() {
		s := loadBuiltin(t, in.Name)
		run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
		if err != nil {
			t.Fatal(in.Name, err)
		}
		path, err := model.Simulate(context.Background(), s.Spec)
		if err != nil {
			t.Fatal(in.Name, err)
		}
		for _, p := range []*model.Path{run.Scenario, run.Counterfactual, path} {
			for k, sol := range p.Sol {
				if u := model.Unwritten(sol); u != nil {
					t.Errorf("%s %v: unwritten %v", in.Name, p.Months[k], u)
				}
			}
		}
	}
}
