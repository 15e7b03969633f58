package model_test

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// TestFacilityCornerOneRoot replays Monte Carlo draws of us-relief-2025
// (seed 1, BenchmarkMonteCarlo10k's) whose months had two converged
// solutions, 3,179 and 7,533, and the two whose totals the fix moved most,
// 2,768 and 4,671 (docs/MODEL.md, section 3.9, "A spurious root"):
// Belarus's RussianPorts, through the RussianBalticPorts facility, sorted
// ahead of its ChinaRail segment (discounted by 13–16 $/t) and the
// facility cleared inside tieStep's blend on flows the supply curve does
// not give — RussianPorts carried 8.29 of its 8.4 Mt/yr while netting
// 16.5 $/t more than the mine's marginal value, and the fill reported 8.4,
// the facility over its 18 Mt/yr with ρ = 55 − RussianPorts' cost. Which
// root a solve reached depended on its tolerance and path: draw 7,533's
// quota-rent change was −0.198, −0.757, 0.185 and 5.487 $M at 1e-12,
// 1e-11, 1e-10 and 1e-9 (now −0.857 at each). Every month of both paths
// must now report the facility within its capacity where ρ > 0, and the
// same solution at every tolerance: the facility's ρ and use and Russia's
// and Belarus's corridor flows as at DefaultTol within the named
// tolerances.
func TestFacilityCornerOneRoot(t *testing.T) {
	const (
		// overCap: reported use above capacity, relative, allowed where
		// ρ > 0 (the fill's sums round).
		overCap = 1e-9
		// sameRho ($/t) and sameFlow (Mt/yr): how far a month's ρ and
		// corridor flows at a looser tolerance may lie from DefaultTol's
		// (a relative residual of 1e-9 moves them by about 1e-6).
		sameRho, sameFlow = 1e-4, 1e-5
	)
	s := loadBuiltin(t, "us-relief-2025")
	m := s.Spec.Market
	ru, by := m.SupplierIndex("Russia"), m.SupplierIndex("Belarus")
	capF := m.Facilities[0].Capacity
	type month struct {
		rho, use float64
		flows    []float64 // Russia's corridors, then Belarus's
	}
	for _, d := range []int{2768, 3179, 4671, 7533} {
		t.Run(fmt.Sprint("draw", d), func(t *testing.T) {
			sc, cf, err := model.DrawSpecs(s.Spec, s.Counterfactual, s.Uncertain, 1, d)
			if err != nil {
				t.Fatal(err)
			}
			var ref [][2]month
			for _, tol := range []float64{model.DefaultTol, 1e-11, model.MCTol, 1e-9} {
				var got [][2]month
				err := model.SimulatePairTol(sc, cf, tol, func(k int, tm model.Month, ss, cs *model.Solution) {
					var mm [2]month
					for j, sol := range []*model.Solution{ss, cs} {
						rho, use := sol.FacilityValue[0], sol.FacilityUse[0]
						if rho > 0 && use > capF*(1+overCap) {
							t.Errorf("tol %g, %v, path %d: facility use %.6f Mt/yr above its capacity %g with ρ = %.4f $/t", tol, tm, j, use, capF, rho)
						}
						fl := append(append([]float64(nil), sol.CorridorFlow[ru]...), sol.CorridorFlow[by]...)
						mm[j] = month{rho, use, fl}
					}
					got = append(got, mm)
				})
				if err != nil {
					t.Fatalf("tol %g: %v", tol, err)
				}
				if ref == nil {
					ref = got
					continue
				}
				bad := 0
				for k := range got {
					for j := range got[k] {
						g, r := got[k][j], ref[k][j]
						same := scalar.EqualWithinAbs(g.rho, r.rho, sameRho)
						for q := range g.flows {
							same = same && scalar.EqualWithinAbs(g.flows[q], r.flows[q], sameFlow)
						}
						if !same && bad < 3 {
							t.Errorf("tol %g, %v, path %d: ρ %.6f, flows %.6f; at DefaultTol ρ %.6f, flows %.6f", tol, sc.Start+model.Month(k), j, g.rho, g.flows, r.rho, r.flows)
						}
						if !same {
							bad++
						}
					}
				}
				if bad > 0 {
					t.Errorf("tol %g: %d month paths differ from DefaultTol's", tol, bad)
				}
			}
		})
	}
}
