package model

import (
	"errors"
	"math"
	"testing"
)

// TestFlatPolicy checks that a policy carved from one array
// (newFlatPolicy, the path simulation's) behaves as NewPolicy's: the same
// base values, the same copy, comparison and check, and the same error
// naming the same first bad entry.
func TestFlatPolicy(t *testing.T) {
	m := mustCalibrate(t, testMarket()).Market
	base := NewPolicy(m)
	flat := newFlatPolicy(m)
	if !policiesEqual(base, flat) || !policiesEqual(flat, base) {
		t.Fatal("newFlatPolicy's base values differ from NewPolicy's")
	}
	set := []struct {
		name string
		edit func(p *Policy)
		bad  bool // the value fails Policy.check
		nan  bool // a NaN: the policy equals no policy, itself included
	}{
		{"wedge", func(p *Policy) { p.Wedge[2][3] = 0.25 }, false, false},
		{"ban", func(p *Policy) { p.Ban[2][0] = true }, false, false},
		{"corridor capacity", func(p *Policy) { p.CorridorCap[2][0] = 0 }, false, false},
		{"demand scale", func(p *Policy) { p.DemandScale[6] = 1.1 }, false, false},
		{"nan wedge", func(p *Policy) { p.Wedge[4][1] = math.NaN() }, true, true},
		{"negative risk cost", func(p *Policy) { p.RiskCost[1][5] = -0.1 }, true, false},
		{"two bad entries", func(p *Policy) { p.CostShift[3] = math.Inf(1); p.RiskCost[0][0] = -1 }, true, false},
		{"concession of 1", func(p *Policy) { p.Concession[2][2] = 1 }, true, false},
	}
	for _, tc := range set {
		t.Run(tc.name, func(t *testing.T) {
			gen, fl := NewPolicy(m), newFlatPolicy(m)
			tc.edit(gen)
			tc.edit(fl)
			if eq := policiesEqual(gen, fl) && policiesEqual(fl, gen); eq == tc.nan {
				t.Errorf("the same edit: policies equal %v, want %v", eq, !tc.nan)
			}
			if policiesEqual(fl, flat) {
				t.Error("an edited flat policy equals the base one")
			}
			errG, errF := gen.check(m), fl.check(m)
			if (errF != nil) != tc.bad || (errG == nil) != (errF == nil) {
				t.Fatalf("check: flat %v, NewPolicy's %v, want bad %v", errF, errG, tc.bad)
			}
			if errF != nil {
				if errF.Error() != errG.Error() || !errors.Is(errF, ErrInvalidPolicy) {
					t.Errorf("flat policy's error %q, NewPolicy's %q", errF, errG)
				}
			}
			// copyFrom restores the base values, flat or not.
			fl.copyFrom(flat)
			gen.copyFrom(base)
			if !policiesEqual(fl, flat) || !policiesEqual(gen, base) {
				t.Error("copyFrom did not restore the base policy")
			}
		})
	}
	// A flat policy checked against another market of another shape goes
	// through the field-by-field check.
	other := testMarket()
	other.Suppliers = other.Suppliers[:3]
	if err := flat.check(other); err == nil {
		t.Error("a flat policy passed the check of a market of another shape")
	}
}
