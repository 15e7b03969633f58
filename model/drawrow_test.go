package model_test

import (
	"math"
	"slices"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestDrawRowsBound: a Monte Carlo draw solves its months straight into
// its row for the variables that are a Solution field (mcLayout.binds)
// and copies the others; its row, its shared prefix and its metrics are
// bit for bit those of the same draw with every variable copied from the
// month's Solution by fillAll, for the first draws of every built-in
// pair. Both rows start as NaN, so a value the bound draw leaves
// unwritten shows (the draw would also fail its finite check). The copied
// draw's months fill every output of their Solutions, the bound draw's
// leave out what a draw does not read (workspace.drawFill): a variable or
// metric that read it would differ.
func TestDrawRowsBound(t *testing.T) {
	for _, info := range scenarios.Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			s := loadBuiltin(t, info.Name)
			bound, err := model.BoundVariables(s.Spec)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(bound, "flow") || !slices.Contains(bound, "sales") {
				t.Fatalf("bound variables %v: flow and sales should be", bound)
			}
			for d := range 3 {
				row, met, pre, why := model.DrawRow(s.Spec, s.Counterfactual, s.Uncertain, 1, d, true)
				row0, met0, pre0, why0 := model.DrawRow(s.Spec, s.Counterfactual, s.Uncertain, 1, d, false)
				if why != why0 || pre != pre0 {
					t.Fatalf("draw %d: bound: pre %d, %q; copied: pre %d, %q", d, pre, why, pre0, why0)
				}
				if why != "" {
					t.Logf("draw %d failed: %s", d, why)
				}
				bad := 0
				for q := range row0 {
					if math.Float64bits(row[q]) != math.Float64bits(row0[q]) {
						if bad++; bad <= 5 {
							t.Errorf("draw %d, cell %d of %d: bound %v, copied %v", d, q, len(row0), row[q], row0[q])
						}
					}
				}
				for k := range met0 {
					if math.Float64bits(met[k]) != math.Float64bits(met0[k]) {
						t.Errorf("draw %d, metric %d: bound %v, copied %v", d, k, met[k], met0[k])
					}
				}
			}
		})
	}
}
