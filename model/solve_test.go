package model

import (
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// Named tolerances of the tests.
const (
	tolIdentity = 1e-9 // calibration identity, relative
	tolClear    = 1e-9 // market clearing after a shock, relative to S0
	tolBrute    = 1e-7 // Newton vs brute force, relative
)

func mustSolve(t testing.TB, c *Calibrated, pol *Policy, lag *Lag, start []float64) (*Solution, Result) {
	t.Helper()
	sol := NewSolution(c)
	res, err := NewSolver(c).Solve(pol, lag, start, sol)
	if err != nil {
		t.Fatalf("Solve: %v", err)
	}
	if res.Status != Converged {
		t.Fatalf("Solve: %v after %d iterations, residual %g", res.Status, res.Iterations, res.MaxResidual)
	}
	return sol, res
}

func TestCalibrationIdentity(t *testing.T) {
	m := testMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	sol, res := mustSolve(t, c, NewPolicy(m), nil, nil)
	for i, s := range m.Suppliers {
		if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, tolIdentity) {
			t.Errorf("FOB[%s] = %.12g, want %g", s.Name, sol.FOB[i], s.FOB)
		}
		for r := range m.Regions {
			if !scalar.EqualWithinAbsOrRel(sol.Flow[i][r], m.Flows[i][r], 1e-300, tolIdentity) {
				t.Errorf("flow[%s][%s] = %.12g, want %g", s.Name, m.Regions[r].Name, sol.Flow[i][r], m.Flows[i][r])
			}
		}
	}
	t.Logf("%+v", res)
}

// A month of partial adjustment from base-year quantities with no shock
// stays at the base year.
func TestLagZeroShock(t *testing.T) {
	m := testMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	lag := &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
	sol, _ := mustSolve(t, c, NewPolicy(m), lag, nil)
	for i, s := range m.Suppliers {
		if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, tolIdentity) {
			t.Errorf("FOB[%s] = %.12g, want %g", s.Name, sol.FOB[i], s.FOB)
		}
	}
}
