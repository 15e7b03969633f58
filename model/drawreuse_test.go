package model_test

import (
	"slices"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestMCDrawsReuse checks that a Monte Carlo worker's draws that take the
// last draw's policies, Solutions and vectors (newPairSimFrom) give the
// rows, metrics and failures of draws with new simulators, bit for bit,
// over draws of several built-ins (their drawn markets, events and
// drivers), and that the storage is taken.
func TestMCDrawsReuse(t *testing.T) {
	n := 24
	if testing.Short() {
		n = 6
	}
	for _, name := range []string{"us-relief-2025", "eu-relief", "western-ban-russia", "bpc-breakup", "klaipeda-reopens"} {
		t.Run(name, func(t *testing.T) {
			s := loadBuiltin(t, name)
			differ, reused, err := model.MCDrawsReuse(s.Spec, s.Counterfactual, s.Uncertain, 7, n)
			if err != nil {
				t.Fatal(err)
			}
			if differ >= 0 {
				t.Fatalf("draw %d differs with the last draw's storage", differ)
			}
			if reused < n-2 {
				t.Errorf("%d of %d draws took the last draw's storage", reused, n)
			}
		})
	}
}

// TestSolverRenewal checks that a path simulator's Solver made anew in
// the last path's storage (newSolverFrom: the workspace rewound and
// carved again) is, field by field, a new Solver's (all but the
// storage), and that both then solve the path to the same bits: over
// the built-ins' markets and events in turn, several orders, with
// facilities and tied corridors among them.
func TestSolverRenewal(t *testing.T) {
	names := []string{"us-relief-2025", "eu-relief", "western-ban-russia", "bpc-breakup", "klaipeda-reopens"}
	var specs []*model.Spec
	for _, name := range names {
		s := loadBuiltin(t, name)
		specs = append(specs, s.Spec, s.Counterfactual)
	}
	rev := slices.Clone(specs)
	slices.Reverse(rev)
	var mixed []*model.Spec // every third, then the rest
	for k := range 3 {
		for j := k; j < len(specs); j += 3 {
			mixed = append(mixed, specs[j])
		}
	}
	for _, tc := range []struct {
		name  string
		specs []*model.Spec
	}{{"given", specs}, {"reversed", rev}, {"mixed", mixed}} {
		t.Run(tc.name, func(t *testing.T) {
			bad, field, fac, seg, renewals, err := model.SolverRenewal(tc.specs)
			if err != nil {
				t.Fatal(err)
			}
			if bad >= 0 {
				t.Fatalf("path %d (%s): the renewed Solver differs from a new one (field %q; \"\": its months)", bad, tc.specs[bad].Name, field)
			}
			if renewals < len(tc.specs)/2 {
				t.Errorf("%d of %d paths' Solvers made in the last one's storage", renewals, len(tc.specs))
			}
			if fac == 0 || seg == 0 {
				t.Errorf("%d facilities and %d segments at most: the workspaces' facility and segment storage is not exercised", fac, seg)
			}
		})
	}
}
