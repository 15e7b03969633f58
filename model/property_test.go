package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// wildShock applies a random mix of instruments, extreme ones included
// (bans of whole suppliers or regions, zero caps and capacities, closed
// corridors, large wedges, demand collapses), to pol.
func wildShock(rng *rand.Rand, c *Calibrated, pol *Policy) {
	m := c.Market
	n, R := len(m.Suppliers), len(m.Regions)
	for k := 0; k < 1+rng.IntN(6); k++ {
		i, r := rng.IntN(n), rng.IntN(R)
		switch rng.IntN(12) {
		case 0:
			pol.Ban[i][r] = true
		case 1:
			for rr := range pol.Ban[i] {
				pol.Ban[i][rr] = true
			}
		case 2:
			pol.Wedge[i][r] += rng.Float64() * 2
		case 3:
			pol.ExportCap[i] = c.S0[i] * rng.Float64() * 1.5
		case 4:
			pol.ExportCap[i] = 0
		case 5:
			kk := rng.IntN(len(pol.CorridorCap[i]))
			pol.CorridorCap[i][kk] *= rng.Float64() * 2
		case 6:
			kk := rng.IntN(len(pol.CorridorCap[i]))
			pol.CorridorCap[i][kk] = 0
		case 7:
			kk := rng.IntN(len(pol.CorridorCost[i]))
			pol.CorridorCost[i][kk] *= 3 * rng.Float64()
		case 8:
			pol.CapacityAdd[i] = c.S0[i] * (2*rng.Float64() - 1.2)
		case 9:
			pol.DemandScale[r] = 2 * rng.Float64()
		case 10:
			pol.CostShift[i] = (rng.Float64() - 0.3) * 100
		case 11:
			pol.Wedge[i][r] = -0.5 * rng.Float64()
		}
	}
}

// randomLag returns nil or last month's quantities around the base year.
func randomLag(rng *rand.Rand, c *Calibrated) *Lag {
	if rng.IntN(2) == 0 {
		return nil
	}
	l := &Lag{Supply: make([]float64, len(c.S0)), Demand: make([]float64, len(c.Q0))}
	for i := range l.Supply {
		l.Supply[i] = c.S0[i] * 2 * rng.Float64()
	}
	for r := range l.Demand {
		l.Demand[r] = c.Q0[r] * 2 * rng.Float64()
	}
	return l
}

// solveChecked solves and checks the contract of Solve: valid input never
// errs, outputs are finite, a Converged result clears every market and a
// non-converged one says so with its residual.
func solveChecked(t testing.TB, c *Calibrated, pol *Policy, lag *Lag, start []float64) Result {
	t.Helper()
	sol := NewSolution(c)
	s := NewSolver(c)
	res, err := s.Solve(pol, lag, start, sol)
	if err != nil {
		t.Fatalf("valid input: %v", err)
	}
	checkFinite(t, sol)
	switch res.Status {
	case Converged:
		if !(res.MaxResidual <= s.Tol) {
			t.Fatalf("converged with residual %g", res.MaxResidual)
		}
		checkClearingLag(t, c, pol, lag, sol)
	case Implausible:
		// An equilibrium, at prices outside the plausible band.
		if !(res.MaxResidual <= s.Tol) || !bandExceeded(c, sol) || res.Reason == "" {
			t.Fatalf("implausible with residual %g, band exceeded %v: %q", res.MaxResidual, bandExceeded(c, sol), res.Reason)
		}
		checkClearingLag(t, c, pol, lag, sol)
	case IterationLimit, Stalled, Failure:
		if !(res.MaxResidual > s.Tol) || math.IsNaN(res.MaxResidual) || res.Reason == "" {
			t.Fatalf("status %v with residual %g, reason %q", res.Status, res.MaxResidual, res.Reason)
		}
	default:
		t.Fatalf("status %v", res.Status)
	}
	return res
}

// TestPropertyRandomSolves: random valid markets (1–25 suppliers × 1–15
// regions) and wild shocks, long and short run: every solve converges or
// says why, and never yields NaN. The only admissible failures are a
// market with no equilibrium below the price bound (a supplier's own
// excess demand stays positive at 1e8 $/t) and an equilibrium at prices
// outside the plausible band (Implausible).
func TestPropertyRandomSolves(t *testing.T) {
	const draws = 2000
	var failed, fallback, steps int
	for d := 0; d < draws; d++ {
		rng := rand.New(rand.NewPCG(2026, uint64(d)))
		m := randomMarket(rng, 1+rng.IntN(25), 1+rng.IntN(15))
		c, err := Calibrate(m)
		if err != nil {
			t.Fatalf("draw %d: random market invalid: %v", d, err)
		}
		pol := NewPolicy(m)
		wildShock(rng, c, pol)
		res := solveChecked(t, c, pol, randomLag(rng, c), nil)
		if res.Status != Converged {
			failed++
			switch {
			case res.Status == Implausible: // checked by solveChecked
			case res.Status != Failure || !strings.Contains(res.Reason, "price bound"):
				t.Errorf("draw %d: %v, residual %g: %s", d, res.Status, res.MaxResidual, res.Reason)
			}
			if !errors.Is(res.Err(), res.Status.Err()) || res.Err() == nil {
				t.Errorf("draw %d: Err %v does not wrap %v", d, res.Err(), res.Status.Err())
			}
		}
		if res.Fallback {
			fallback++
		}
		steps += res.Steps
	}
	t.Logf("%d draws: %d without a finite equilibrium, %d used the fallback, %d supply steps", draws, failed, fallback, steps)
	if failed > draws/20 {
		t.Errorf("%d of %d draws did not converge", failed, draws)
	}
}

// TestSupplyStep: a short-run supply curve with η_t = λη tiny rises from 0
// to nearly B_t within one unit in the last place of the price at the
// corridor cost; the market clears on that step (Result.Steps) with sales
// equal to demand. (Draw 2248 of seed 77 is such a case.)
func TestSupplyStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(77, 2248))
	m := randomMarket(rng, 1+rng.IntN(25), 1+rng.IntN(15))
	c := mustCalibrate(t, m)
	pol := NewPolicy(m)
	wildShock(rng, c, pol)
	lag := randomLag(rng, c)
	res := solveChecked(t, c, pol, lag, nil)
	if res.Status != Converged || res.Steps == 0 {
		t.Errorf("%+v, want converged on a supply step", res)
	}
}

// FuzzSolve: any random valid market and shock, in the long or short run,
// from any start: no panic, no error, no NaN/Inf; converged or says why.
func FuzzSolve(f *testing.F) {
	f.Add(uint64(1), uint8(3), uint8(2), uint64(7), false, 1.0)
	f.Add(uint64(42), uint8(11), uint8(7), uint64(1), true, 0.5)
	f.Add(uint64(9), uint8(1), uint8(1), uint64(3), true, 1e6)
	f.Fuzz(func(t *testing.T, seed uint64, n, R uint8, shock uint64, lagOn bool, startScale float64) {
		rng := rand.New(rand.NewPCG(seed, 1))
		m := randomMarket(rng, 1+int(n)%12, 1+int(R)%8)
		c, err := Calibrate(m)
		if err != nil {
			t.Fatalf("random market invalid: %v", err)
		}
		srng := rand.New(rand.NewPCG(shock, 2))
		pol := NewPolicy(m)
		wildShock(srng, c, pol)
		var lag *Lag
		if lagOn {
			lag = randomLag(srng, c)
		}
		var start []float64
		if startScale != 1 {
			start = make([]float64, len(m.Suppliers))
			for i := range start {
				start[i] = m.Suppliers[i].FOB * startScale
			}
		}
		solveChecked(t, c, pol, lag, start)
	})
}

// bandExceeded reports whether sol has a price of a supplier that sells,
// or a region that trades, outside [PlausibleMin, PlausibleMax] times its
// base value.
func bandExceeded(c *Calibrated, sol *Solution) bool {
	out := func(v, base float64) bool { return v < PlausibleMin*base || v > PlausibleMax*base }
	for i, s := range c.Market.Suppliers {
		if sol.Binding[i] != BindClosed && out(sol.FOB[i], s.FOB) {
			return true
		}
	}
	for r := range c.Market.Regions {
		if sol.Traded[r] && out(sol.PriceIndex[r], c.P0[r]) {
			return true
		}
	}
	return false
}
