package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// tolLagLongRun is how close 600 months of partial adjustment get to the
// long-run equilibrium (relative).
const tolLagLongRun = 1e-8

// TestLagShortRun: a permanent shock solved month by month with partial
// adjustment (S_{t−1}, Q_{t−1} from last month) moves quantities less in
// the first month than in the long run, every month clears its short-run
// market, and the path converges to the long-run equilibrium.
func TestLagShortRun(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	bel := m.SupplierIndex("Belarus")
	pol := NewPolicy(m)
	for r := range pol.Wedge[bel] {
		pol.Wedge[bel][r] = 0.2
	}
	long, _ := mustSolve(t, c, pol, nil, nil)

	lag := &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
	s := NewSolver(c)
	sol := NewSolution(c)
	var start []float64
	for _, sp := range m.Suppliers {
		start = append(start, sp.FOB)
	}
	for month := 0; month < 600; month++ {
		res, err := s.Solve(pol, lag, start, sol)
		if err != nil || res.Status != Converged {
			t.Fatalf("month %d: %v %+v", month, err, res)
		}
		if month == 0 {
			checkClearingLag(t, c, pol, lag, sol)
			d1 := math.Abs(sol.Sales[bel] - c.S0[bel])
			dl := math.Abs(long.Sales[bel] - c.S0[bel])
			if !(d1 < dl) {
				t.Errorf("first-month change in Belarus sales %g not below the long-run change %g", d1, dl)
			}
		}
		copy(lag.Supply, sol.Sales)
		copy(lag.Demand, sol.Demand)
		copy(start, sol.FOB)
	}
	for i := range sol.FOB {
		if !scalar.EqualWithinRel(sol.FOB[i], long.FOB[i], tolLagLongRun) {
			t.Errorf("FOB[%s] after 600 months %.10g, long run %.10g", m.Suppliers[i].Name, sol.FOB[i], long.FOB[i])
		}
	}
}

// TestNoAllocs: a solve (validation, Newton loop, outputs) allocates nothing.
func TestNoAllocs(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	s, sol, pol := NewSolver(c), NewSolution(c), NewPolicy(m)
	benchShock(m, pol)
	lag := &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
	// A binding tariff-rate quota adds an unknown: the first solve sizes
	// the Newton storage (AllocsPerRun's warm-up run), later ones reuse it.
	trq := NewPolicy(m)
	benchShock(m, trq)
	rus, eu := m.SupplierIndex("Russia"), m.RegionIndex("Europe")
	trq.TRQQuota[rus][eu], trq.TRQOut[rus][eu] = 0.7*m.Flows[rus][eu], 0.5
	for _, tc := range []struct {
		name string
		pol  *Policy
		lag  *Lag
	}{{"long run", pol, nil}, {"short run", pol, lag}, {"tariff-rate quota", trq, nil}, {"tariff-rate quota, short run", trq, lag}} {
		allocs := testing.AllocsPerRun(20, func() {
			if res, err := s.Solve(tc.pol, tc.lag, nil, sol); err != nil || res.Status != Converged {
				t.Fatal(err, res)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per solve", tc.name, allocs)
		}
	}
}

// TestLagZeroShock: a month of partial adjustment from base-year quantities
// with no shock stays at the base year, and every surplus change is 0.
func TestLagZeroShock(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	lag := &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
	sol, res := mustSolve(t, c, NewPolicy(m), lag, nil)
	if res.Iterations != 0 {
		t.Errorf("%d iterations, want 0", res.Iterations)
	}
	for i, s := range m.Suppliers {
		if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, tolIdentity) {
			t.Errorf("FOB[%s] = %.12g, want %g", s.Name, sol.FOB[i], s.FOB)
		}
		if math.Abs(sol.ProducerSurplus[i]) > 1e-9*s.FOB*c.S0[i] {
			t.Errorf("%s: ΔPS %g in the short run at the base", s.Name, sol.ProducerSurplus[i])
		}
	}
	for r := range m.Regions {
		if math.Abs(sol.ConsumerSurplus[r]) > 1e-9*c.P0[r]*c.Q0[r] {
			t.Errorf("%s: ΔCS %g in the short run at the base", m.Regions[r].Name, sol.ConsumerSurplus[r])
		}
	}
}
