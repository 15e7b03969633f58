package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/floats"

	"gonum.org/v1/gonum/floats/scalar"
)

// This file holds an independent brute-force solver written straight from
// the equations in levels (math.Pow, no thresholds, no Jacobian): bisection
// on each supplier's own price with the others fixed, Gauss–Seidel over
// suppliers until prices stop moving. It is slow and simple on purpose.

// bruteSupplyLag is S(p) = min(K, cap, max_j min(B·(p − c_j)^η, C_j)).
//
// With a Lag it uses the short-run curve B_t = S_{t−1}^(1−λ)·B^λ, η_t = λη.
func bruteSupplyLag(c *Calibrated, pol *Policy, lag *Lag, i int, p float64) float64 {
	s := c.Market.Suppliers[i]
	B, eta := c.B[i], s.Eta
	if lag != nil {
		sl := math.Max(lag.Supply[i], lagQuantityFloor*c.S0[i])
		B = math.Pow(sl, 1-s.Adjust) * math.Pow(c.B[i], s.Adjust)
		eta = s.Adjust * s.Eta
	}
	type cor struct{ cost, capa float64 }
	cs := make([]cor, len(s.Corridors))
	for k := range s.Corridors {
		cs[k] = cor{pol.CorridorCost[i][k] + pol.CostShift[i], pol.CorridorCap[i][k]}
	}
	sort.SliceStable(cs, func(a, b int) bool { return cs[a].cost < cs[b].cost })
	best, cum := 0.0, 0.0
	for _, cr := range cs {
		cum += cr.capa
		q := 0.0
		if p > cr.cost {
			q = B * math.Pow(p-cr.cost, eta)
		}
		best = math.Max(best, math.Min(q, cum))
	}
	K := math.Max(0, s.Capacity+pol.CapacityAdd[i])
	return math.Min(K, math.Min(pol.ExportCap[i], best))
}

// bruteDemandLag is Σ_r x[i][r] at FOB prices p; suppliers with out[j] set do
// not take part.
// With a Lag it uses the short-run demand
// A_t = Q_{t−1}^(1−μ)·(A·s)^μ, ε_t = με when lag is not nil.
func bruteDemandLag(c *Calibrated, pol *Policy, lag *Lag, p []float64, out []bool, i int) float64 {
	m := c.Market
	var D float64
	for r, reg := range m.Regions {
		if c.Beta[i][r] == 0 || pol.Ban[i][r] {
			continue
		}
		var sum float64
		for j := range m.Suppliers {
			if out[j] || c.Beta[j][r] == 0 || pol.Ban[j][r] {
				continue
			}
			pd := (p[j] + m.Freight[j][r]) * (1 + m.Wedge[j][r] + pol.Wedge[j][r])
			sum += c.Beta[j][r] * math.Pow(pd, 1-reg.Sigma)
		}
		P := math.Pow(sum, 1/(1-reg.Sigma))
		A, eps := c.A[r]*pol.DemandScale[r], reg.Eps
		if lag != nil {
			ql := math.Max(lag.Demand[r], lagQuantityFloor*c.Q0[r])
			A = math.Pow(ql, 1-reg.Adjust) * math.Pow(A, reg.Adjust)
			eps = reg.Adjust * reg.Eps
		}
		Q := A * math.Pow(P, -eps)
		pd := (p[i] + m.Freight[i][r]) * (1 + m.Wedge[i][r] + pol.Wedge[i][r])
		D += c.Beta[i][r] * math.Pow(pd/P, -reg.Sigma) * Q
	}
	return D
}

// bruteSolveLag returns equilibrium FOB prices (NaN for suppliers that cannot
// sell) and whether it converged.
// With a Lag it solves the short-run equations of one month.
func bruteSolveLag(c *Calibrated, pol *Policy, lag *Lag) ([]float64, bool) {
	m := c.Market
	n := len(m.Suppliers)
	p := make([]float64, n)
	out := make([]bool, n)
	for i, s := range m.Suppliers {
		p[i] = s.FOB
		open := false
		for r := range m.Regions {
			if c.Beta[i][r] > 0 && !pol.Ban[i][r] && pol.DemandScale[r] > 0 {
				open = true
			}
		}
		if !open || bruteSupplyLag(c, pol, lag, i, 1e12) == 0 {
			out[i] = true
			p[i] = math.NaN()
		}
	}
	for sweep := 0; sweep < 20000; sweep++ {
		var change float64
		for i := range p {
			if out[i] {
				continue
			}
			old := p[i]
			lo, hi := math.Log(1e-4), math.Log(1e7)
			for it := 0; it < 64; it++ { // 25/2^64: below float64 resolution of ln p
				mid := 0.5 * (lo + hi)
				p[i] = math.Exp(mid)
				if bruteDemandLag(c, pol, lag, p, out, i)-bruteSupplyLag(c, pol, lag, i, p[i]) > 0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			np := math.Exp(0.5 * (lo + hi))
			change = math.Max(change, math.Abs(np-old)/np)
			p[i] = np
		}
		if change < 1e-14 {
			for i := range p {
				if !out[i] && (p[i] > 0.99e7 || p[i] < 1.01e-4) {
					return p, false // at a bound: no equilibrium in range
				}
			}
			return p, true
		}
	}
	return p, false
}

// randomShock applies a random mix of instruments to pol.
func randomShock(rng *rand.Rand, c *Calibrated, pol *Policy) {
	m := c.Market
	n, R := len(m.Suppliers), len(m.Regions)
	for k := 0; k < 1+rng.IntN(4); k++ {
		i, r := rng.IntN(n), rng.IntN(R)
		switch rng.IntN(8) {
		case 0:
			pol.Ban[i][r] = true
		case 1:
			pol.Wedge[i][r] += rng.Float64() * 0.4
		case 2:
			pol.ExportCap[i] = c.S0[i] * (0.3 + rng.Float64())
		case 3:
			kk := rng.IntN(len(pol.CorridorCap[i]))
			pol.CorridorCap[i][kk] *= rng.Float64() * 1.5
		case 4:
			kk := rng.IntN(len(pol.CorridorCost[i]))
			pol.CorridorCost[i][kk] *= 0.5 + rng.Float64()
		case 5:
			pol.CapacityAdd[i] = c.S0[i] * (rng.Float64() - 0.6)
		case 6:
			pol.DemandScale[r] = 0.6 + 0.8*rng.Float64()
		case 7:
			pol.CostShift[i] = (rng.Float64() - 0.3) * 40
		}
	}
}

// TestBruteForceRandomMarkets compares the solver with the brute-force
// solver on random markets (2–7 suppliers × 1–5 regions, fixed seeds) under
// random shocks, in the long run and (every other seed) in the short run
// of one month: FOB prices agree within 1e-7 relative.
func TestBruteForceRandomMarkets(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			m := randomMarket(rng, 2+rng.IntN(6), 1+rng.IntN(5))
			c, err := Calibrate(m)
			if err != nil {
				t.Fatal(err)
			}
			pol := NewPolicy(m)
			randomShock(rng, c, pol)
			var lag *Lag
			if seed%2 == 0 {
				lag = &Lag{Supply: make([]float64, len(c.S0)), Demand: make([]float64, len(c.Q0))}
				for i := range lag.Supply {
					lag.Supply[i] = c.S0[i] * (0.5 + rng.Float64())
				}
				for r := range lag.Demand {
					lag.Demand[r] = c.Q0[r] * (0.5 + rng.Float64())
				}
			}
			want, ok := bruteSolveLag(c, pol, lag)
			sol := NewSolution(c)
			res, err := NewSolver(c).Solve(pol, lag, nil, sol)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				// No equilibrium within $1e-4..1e7/t (e.g. a sole supplier
				// capped below inelastic demand): the solver must say so.
				if res.Status == Converged && floats.Max(sol.FOB) < 1e6 {
					t.Fatalf("brute force found no equilibrium, solver: %+v FOB %v", res, sol.FOB)
				}
				t.Logf("no equilibrium in range: %s", res.Reason)
				return
			}
			if res.Status != Converged {
				t.Fatalf("status %v residual %g: %s", res.Status, res.MaxResidual, res.Reason)
			}
			for i := range want {
				if math.IsNaN(want[i]) {
					if sol.Binding[i] != BindClosed {
						t.Errorf("supplier %d: binding %v, want closed", i, sol.Binding[i])
					}
					continue
				}
				if !scalar.EqualWithinRel(sol.FOB[i], want[i], tolBrute) {
					t.Errorf("FOB[%d] = %.12g, brute force %.12g", i, sol.FOB[i], want[i])
				}
			}
		})
	}
}
