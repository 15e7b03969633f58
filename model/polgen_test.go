package model_test

import (
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestPolicyGenerations checks, over every month of every built-in's
// scenario and counterfactual, that a month policy which keeps the last
// month's value generation (prepare then checks DemandScale alone) has
// every other value the last month's bit for bit, and one which keeps
// the route generation (prepare keeps its route set-up) the route
// fields; and that the generations are kept in some months (else the
// checks they save would not be saved).
func TestPolicyGenerations(t *testing.T) {
	var keptV, keptR int
	for _, info := range scenarios.Builtins() {
		name := info.Name
		s := loadBuiltin(t, name)
		for _, spec := range []*model.Spec{s.Spec, s.Counterfactual} {
			bad, kv, kr, err := model.PolicyGenerationsHold(spec)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if bad >= 0 {
				t.Errorf("%s (%s): month %d keeps a generation its values do not", name, spec.Name, bad)
			}
			keptV += kv
			keptR += kr
		}
	}
	if keptV == 0 || keptR <= keptV {
		t.Errorf("value generation kept in %d months, route generation in %d: want some, and the route's in more", keptV, keptR)
	}
	t.Logf("value generation kept in %d months, route generation in %d", keptV, keptR)
}
