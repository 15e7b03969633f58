package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"gonum.org/v1/gonum/floats"

	"gonum.org/v1/gonum/floats/scalar"
)

// This file holds an independent brute-force solver written straight from
// the equations in levels (math.Pow, no thresholds, no Jacobian): bisection
// on each supplier's own price with the others fixed, Gauss–Seidel over
// suppliers until prices stop moving. It is slow and simple on purpose.

// bruteSupplyLag is S(p̃) = min(K, cap, max_j min(B·(p̃ − c_j)^η, C_j))
// at the effective supply price p̃ = p·(1 − δ̄)·(1 − L): p the list FOB
// price, δ̄ the average concession, L the base markup; the corridor
// costs include cost shifts and the export tax.
//
// With a Lag it uses the short-run curve B_t = S_{t−1}^(1−λ)·B^λ, η_t = λη.
func bruteSupplyLag(c *Calibrated, pol *Policy, lag *Lag, i int, p, dbar float64) float64 {
	return bruteSupplyMu(c, pol, lag, i, p, dbar, 0)
}

// bruteSupplyMu is bruteSupplyLag for a supplier with conduct markup mu:
// its mines see p·(1 − δ̄)·(1 − L − μ).
func bruteSupplyMu(c *Calibrated, pol *Policy, lag *Lag, i int, p, dbar, mu float64) float64 {
	p *= (1 - dbar) * (1 - c.Markup[i] - mu)
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
		cs[k] = cor{pol.CorridorCost[i][k] + pol.CostShift[i] + pol.ExportTax[i], pol.CorridorCap[i][k]}
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

// bruteRate is the ad-valorem wedge of route j→r on top of 1: base wedge,
// policy wedge and the tariff-rate quota's effective rate th[j][r] (nil:
// its in-quota rate).
func bruteRate(c *Calibrated, pol *Policy, th [][]float64, j, r int) float64 {
	v := pol.TRQIn[j][r]
	if th != nil {
		v = th[j][r]
	}
	return 1 + c.Market.Wedge[j][r] + pol.Wedge[j][r] + pol.RiskCost[j][r] + v
}

// bruteDbar is supplier i's average concession Σ_r δ·x / Σ_r x at prices p
// (0 when it sells nothing).
func bruteDbar(c *Calibrated, pol *Policy, lag *Lag, p []float64, out []bool, th [][]float64, i int) float64 {
	var D, Dd float64
	for r := range c.Market.Regions {
		x := bruteFlow(c, pol, lag, p, out, th, i, r)
		D += x
		Dd += pol.Concession[i][r] * x
	}
	if D == 0 {
		return 0
	}
	return Dd / D
}

// bruteDemandLag is Σ_r x[i][r] at FOB prices p; suppliers with out[j] set do
// not take part. th holds the tariff-rate quotas' effective rates (nil:
// the in-quota rates).
// With a Lag it uses the short-run demand
// A_t = Q_{t−1}^(1−μ)·(A·s)^μ, ε_t = με when lag is not nil.
func bruteDemandLag(c *Calibrated, pol *Policy, lag *Lag, p []float64, out []bool, th [][]float64, i int) float64 {
	var D float64
	for r := range c.Market.Regions {
		D += bruteFlow(c, pol, lag, p, out, th, i, r)
	}
	return D
}

// bruteFlow is x[i][r] (0 for a closed route).
func bruteFlow(c *Calibrated, pol *Policy, lag *Lag, p []float64, out []bool, th [][]float64, i, r int) float64 {
	m := c.Market
	reg := m.Regions[r]
	if c.Beta[i][r] == 0 || pol.Ban[i][r] {
		return 0
	}
	var sum float64
	for j := range m.Suppliers {
		if out[j] || c.Beta[j][r] == 0 || pol.Ban[j][r] {
			continue
		}
		pd := (p[j]*(1-pol.Concession[j][r]) + m.Freight[j][r]) * bruteRate(c, pol, th, j, r)
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
	pd := (p[i]*(1-pol.Concession[i][r]) + m.Freight[i][r]) * bruteRate(c, pol, th, i, r)
	return c.Beta[i][r] * math.Pow(pd/P, -reg.Sigma) * Q
}

// bruteSolveLag returns equilibrium FOB prices (NaN for suppliers that cannot
// sell) and whether it converged.
// With a Lag it solves the short-run equations of one month. Tariff-rate
// quotas are one more block of the Gauss–Seidel sweep each: the effective
// rate ϑ ∈ [t_in, t_out] by bisection on x − Q̄ (t_in when the quota is
// not filled at t_in, t_out when it is exceeded even at t_out).
func bruteSolveLag(c *Calibrated, pol *Policy, lag *Lag) ([]float64, [][]float64, bool) {
	m := c.Market
	n := len(m.Suppliers)
	p := make([]float64, n)
	out := make([]bool, n)
	th := make([][]float64, n)
	for i := range th {
		th[i] = append([]float64(nil), pol.TRQIn[i]...)
	}
	for i, s := range m.Suppliers {
		p[i] = s.FOB
		open := false
		for r := range m.Regions {
			if c.Beta[i][r] > 0 && !pol.Ban[i][r] && pol.DemandScale[r] > 0 {
				open = true
			}
		}
		if !open || bruteSupplyLag(c, pol, lag, i, 1e12, 0) == 0 {
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
				dbar := bruteDbar(c, pol, lag, p, out, th, i)
				if bruteDemandLag(c, pol, lag, p, out, th, i)-bruteSupplyLag(c, pol, lag, i, p[i], dbar) > 0 {
					lo = mid
				} else {
					hi = mid
				}
			}
			np := math.Exp(0.5 * (lo + hi))
			change = math.Max(change, math.Abs(np-old)/np)
			p[i] = np
		}
		for i := range p {
			for r := range m.Regions {
				q, tin, tout := pol.TRQQuota[i][r], pol.TRQIn[i][r], pol.TRQOut[i][r]
				if out[i] || math.IsInf(q, 1) || tout == tin {
					continue
				}
				old := th[i][r]
				flow := func(v float64) float64 { th[i][r] = v; return bruteFlow(c, pol, lag, p, out, th, i, r) }
				switch {
				case flow(tin) <= q:
					th[i][r] = tin
				case flow(tout) >= q:
					th[i][r] = tout
				default:
					lo, hi := tin, tout
					for it := 0; it < 64; it++ {
						mid := 0.5 * (lo + hi)
						if flow(mid) > q {
							lo = mid
						} else {
							hi = mid
						}
					}
					th[i][r] = 0.5 * (lo + hi)
				}
				change = math.Max(change, math.Abs(th[i][r]-old))
			}
		}
		if change < 1e-14 {
			for i := range p {
				if !out[i] && (p[i] > 0.99e7 || p[i] < 1.01e-4) {
					return p, th, false // at a bound: no equilibrium in range
				}
			}
			return p, th, true
		}
	}
	return p, th, false
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

// randomTRQ puts a tariff-rate quota on a random route with a base flow:
// quota 0.3–1.5 times the base flow, in-quota rate 0–10%, out-of-quota
// rate 5–100 points higher.
func randomTRQ(rng *rand.Rand, c *Calibrated, pol *Policy) {
	m := c.Market
	for {
		i, r := rng.IntN(len(m.Suppliers)), rng.IntN(len(m.Regions))
		if m.Flows[i][r] == 0 {
			continue
		}
		pol.TRQQuota[i][r] = m.Flows[i][r] * (0.3 + 1.2*rng.Float64())
		pol.TRQIn[i][r] = 0.1 * rng.Float64()
		pol.TRQOut[i][r] = pol.TRQIn[i][r] + 0.05 + 0.95*rng.Float64()
		return
	}
}

// compareBrute solves pol (with lag) with the solver and the brute-force
// solver and compares FOB prices, and the tariff-rate quotas' effective
// rates, within tolBrute.
func compareBrute(t *testing.T, c *Calibrated, pol *Policy, lag *Lag) {
	t.Helper()
	want, wantTh, ok := bruteSolveLag(c, pol, lag)
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
	switch {
	case res.Status == Implausible && bandExceeded(c, sol):
		// The same equilibrium, flagged as outside the plausible band:
		// compare it all the same.
	case res.Status != Converged:
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
	got := trqRates(c, pol, sol)
	for i := range got {
		for r := range got[i] {
			if pol.TRQOut[i][r] != pol.TRQIn[i][r] && !math.IsNaN(want[i]) && !scalar.EqualWithinAbs(got[i][r], wantTh[i][r], tolBrute) {
				t.Errorf("tariff-rate quota %d→%d: rate %.12g, brute force %.12g", i, r, got[i][r], wantTh[i][r])
			}
		}
	}
	checkClearingLag(t, c, pol, lag, sol)
}

// bruteLag returns last month's quantities 0.5–1.5 times the base.
func bruteLag(rng *rand.Rand, c *Calibrated) *Lag {
	lag := &Lag{Supply: make([]float64, len(c.S0)), Demand: make([]float64, len(c.Q0))}
	for i := range lag.Supply {
		lag.Supply[i] = c.S0[i] * (0.5 + rng.Float64())
	}
	for r := range lag.Demand {
		lag.Demand[r] = c.Q0[r] * (0.5 + rng.Float64())
	}
	if slices.ContainsFunc(c.Market.Regions, hasStocksP) {
		// Stocks from 0 to twice the base level and a price expected
		// within ±40% of the base: some regions draw past shipKnee.
		lag.Stocks, lag.Expect = make([]float64, len(c.Q0)), make([]float64, len(c.Q0))
		for r, g := range c.Market.Regions {
			lag.Stocks[r] = 2 * rng.Float64() * g.StockMonths / 12 * c.Q0[r]
			lag.Expect[r] = c.P0[r] * (0.6 + 0.8*rng.Float64())
		}
	}
	return lag
}

func hasStocksP(g Region) bool { return hasStocks(&g) }

// randomStocks gives every region of m random stocks (docs/MODEL.md,
// section 10) within the valid ranges.
func randomStocks(rng *rand.Rand, m *Market) {
	for r := range m.Regions {
		g := &m.Regions[r]
		g.StockMonths = 0.5 + 4*rng.Float64()
		g.StockAdjust = 0.05 + 0.9*rng.Float64()
		g.StockResponse = 0.05 * rng.Float64()
		g.CarryCost = 0.005 + 0.02*rng.Float64()
		g.ExpectAdjust = 0.02 + 0.3*rng.Float64()
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
				lag = bruteLag(rng, c)
			}
			compareBrute(t, c, pol, lag)
		})
	}
}

// TestBruteForceTRQ is TestBruteForceRandomMarkets with one to three
// tariff-rate quotas on top of the random shock: prices and the quotas'
// effective rates agree with the brute-force Gauss–Seidel solver, and
// every quota satisfies its complementarity (checkTRQ).
func TestBruteForceTRQ(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 11))
			m := randomMarket(rng, 2+rng.IntN(6), 1+rng.IntN(5))
			c, err := Calibrate(m)
			if err != nil {
				t.Fatal(err)
			}
			pol := NewPolicy(m)
			randomShock(rng, c, pol)
			for k := 0; k < 1+rng.IntN(3); k++ {
				randomTRQ(rng, c, pol)
			}
			var lag *Lag
			if seed%2 == 0 {
				lag = bruteLag(rng, c)
			}
			compareBrute(t, c, pol, lag)
		})
	}
}

// randomSanctions puts the sanction instruments on random routes of a
// random supplier with a base flow: price concessions (on some routes, or
// the same on all of them), buyers' risk costs, tariffs and an export tax.
func randomSanctions(rng *rand.Rand, c *Calibrated, pol *Policy) {
	m := c.Market
	n, R := len(m.Suppliers), len(m.Regions)
	i := rng.IntN(n)
	uniform := rng.IntN(3) == 0
	d := 0.3 * rng.Float64()
	for r := 0; r < R; r++ {
		if m.Flows[i][r] == 0 {
			continue
		}
		if uniform {
			pol.Concession[i][r] = d
		} else if rng.IntN(2) == 0 {
			pol.Concession[i][r] = 0.4 * rng.Float64()
		}
		if rng.IntN(2) == 0 {
			pol.RiskCost[i][r] = 0.3 * rng.Float64()
		}
	}
	for k := 0; k < 1+rng.IntN(3); k++ {
		j, r := rng.IntN(n), rng.IntN(R)
		switch rng.IntN(3) {
		case 0:
			pol.RiskCost[j][r] += 0.2 * rng.Float64()
		case 1:
			pol.Wedge[j][r] += 0.3 * rng.Float64()
		case 2:
			pol.ExportTax[j] += 30 * (rng.Float64() - 0.2)
		}
	}
}

// withRandomCosts sets every supplier's marginal cost to 30–100% of its
// base netback (a random base markup) and recalibrates.
func withRandomCosts(t *testing.T, rng *rand.Rand, m *Market) *Calibrated {
	t.Helper()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Suppliers {
		m.Suppliers[i].MarginalCost = c.M0[i] * (0.3 + 0.7*rng.Float64())
	}
	if c, err = Calibrate(m); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBruteForceSanctions is TestBruteForceRandomMarkets with base markups
// (marginal costs from "data") and the sanction instruments — concessions,
// risk costs, tariffs, export taxes — on top of a random shock, with and
// without tariff-rate quotas, in the long and the short run: prices agree
// with the brute-force solver (whose supply sees the average concession
// computed from its own flows) within 1e-7 relative.
func TestBruteForceSanctions(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 13))
			m := randomMarket(rng, 2+rng.IntN(6), 1+rng.IntN(5))
			c := withRandomCosts(t, rng, m)
			pol := NewPolicy(m)
			randomShock(rng, c, pol)
			randomSanctions(rng, c, pol)
			if seed%3 == 0 {
				randomTRQ(rng, c, pol)
			}
			var lag *Lag
			if seed%2 == 0 {
				lag = bruteLag(rng, c)
			}
			compareBrute(t, c, pol, lag)
		})
	}
}
