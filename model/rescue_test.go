package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// Tolerances of the rescue's regression tests.
const (
	tolMarkup  = 1e-9 // conduct markup against its first-order condition, absolute (a share of the FOB price)
	tolFacUse  = 1e-9 // a binding facility's use against its capacity, relative
	tolBalance = 1e-9 // a facility's use against its corridors' flows, relative
)

// stallMarket is the test market with Cournot sellers (conductMarket),
// every supplier's monthly supply adjustment at adj (a short-run supply
// elasticity λη of about 0.01, as the back-test's fit gives), and Russia's
// Baltic corridor and Belarus's Russian-ports corridor sharing one
// facility of capacity facCap: the structure of the built-ins bpc-reunion
// and bpc-breakup (docs/MODEL.md, sections 3.8 and 3.9).
func stallMarket(adj, facCap float64) *Market {
	m := conductMarket()
	for i := range m.Suppliers {
		m.Suppliers[i].Adjust = adj
	}
	m.Suppliers[1].Corridors[1].Facility = "RussianBalticPorts"
	m.Suppliers[2].Corridors[1].Facility = "RussianBalticPorts"
	m.Facilities = []Facility{{Name: "RussianBalticPorts", Capacity: facCap}}
	return m
}

// stallPolicy closes Klaipėda (Belarus's first corridor), gives its
// Russian-ports corridor capacity rp and sets the coalition's cooperation
// weight to coop. rho, when positive, is added to the cost of the
// facility's corridors (the supply side of the brute-force checks).
func stallPolicy(m *Market, rp, coop, rho float64) *Policy {
	pol := NewPolicy(m)
	pol.CorridorCap[2][0] = 0
	pol.CorridorCap[2][1] = rp
	pol.Cooperation[0] = coop
	for i, s := range m.Suppliers {
		for k, cr := range s.Corridors {
			if cr.Facility != "" {
				pol.CorridorCost[i][k] += rho
			}
		}
	}
	return pol
}

// cournotMarkup recomputes supplier i's conduct markup from the first-order
// condition of docs/MODEL.md, section 3.8, at the flows and prices of sol
// (long-run demand elasticity, no concessions or quotas):
//
//	μ_i = min(φ_i·(1 + C_i)/E_i, 0.9·(1 − L_i) + 0.1·μ0_i)
//	E_i = Σ_r (x[i][r]/D_i)·θ·σ·(1 − g),  g = s·(σ − ε)/(ε + s·(σ − ε))
//	C_i = Σ_r θ·g·Σ_{j partner} λ·x[j][r]·(p_j + f[j][r]) / (p_i·D_i)
func cournotMarkup(c *Calibrated, pol *Policy, sol *Solution, i int) float64 {
	m := c.Market
	phi := pol.Conduct[i]
	if phi == 0 {
		return 0
	}
	coal, lam := -1, 0.0
	for g, co := range m.Coalitions {
		for _, name := range co.Members {
			if name == m.Suppliers[i].Name {
				coal, lam = g, pol.Cooperation[g]
			}
		}
	}
	partner := func(j int) bool {
		if coal < 0 || j == i {
			return false
		}
		for _, name := range m.Coalitions[coal].Members {
			if name == m.Suppliers[j].Name {
				return true
			}
		}
		return false
	}
	p, D := sol.FOB[i], sol.Sales[i]
	var E, N float64
	for r, reg := range m.Regions {
		x := sol.Flow[i][r]
		if x == 0 {
			continue
		}
		var spend, own, U float64
		for j := range m.Suppliers {
			pd := (sol.FOB[j] + m.Freight[j][r]) * (1 + m.Wedge[j][r] + pol.Wedge[j][r])
			spend += sol.Flow[j][r] * pd
			if j == i {
				own = x * pd
			}
			if partner(j) {
				U += lam * sol.Flow[j][r] * (sol.FOB[j] + m.Freight[j][r])
			}
		}
		s := own / spend
		th := p / (p + m.Freight[i][r])
		a := reg.Sigma - reg.Eps
		g := s * a / (reg.Eps + s*a)
		E += x / D * th * reg.Sigma * (1 - g)
		N += th * g * U
	}
	top := maxMarkupShare*(1-c.Markup[i]) + (1-maxMarkupShare)*c.ConductMarkup[i]
	return math.Min(phi*(1+N/(p*D))/E, top)
}

// TestRescueCournotFacilityStall reproduces the stalls of the built-ins
// bpc-reunion and bpc-breakup on the back-test's fitted values: with a
// short-run supply elasticity of about 0.01, Belarus's Russian-ports
// tonnes clear where its mines' margin on that corridor is a hair above 0
// (a near-step of its supply curve) while its Cournot markup moves with
// every price and the facility's shadow value ρ moves the corridor's
// cost. Newton crawls and the Gauss–Seidel fallback cycles between
// Belarus's price and ρ until the iteration limit; the price-form rescue
// (rescue.go) solves it. The solution must clear every market (a supplier
// on its step: demand between the supply just below and just above its
// price), meet the facility's complementarity and every Cournot seller's
// first-order condition.
func TestRescueCournotFacilityStall(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		adj, facCap          float64
		rp, coop             float64
		lagSupply, lagDemand []float64
		wantSteps            int
	}{
		{
			name: "Belarus on its Russian-ports step, ρ binding", adj: 0.013, facCap: 16.25, rp: 9.5, coop: 0.2,
			lagSupply: []float64{28.6, 12.3, 12.8, 6.6, 4.2, 3, 4.6, 0.5, 1.7, 0.7, 1.7},
			lagDemand: []float64{13, 9.3, 15.9, 5.1, 5.6, 5.4, 9.1},
			wantSteps: 1,
		},
		{
			name: "Russia and Belarus on their steps, a joint cartel", adj: 0.006, facCap: 15.25, rp: 10, coop: 1,
			lagSupply: []float64{20.13, 14.62, 10.96, 11.15, 4.38, 2.59, 4.81, 0.66, 1.65, 0.74, 1.69},
			lagDemand: []float64{14.8, 8.88, 19.14, 3.92, 6.53, 8.23, 8.09},
			wantSteps: 2,
		},
		{
			// The first round's price-form solution leaves an ordinary
			// residual (a supplier's demand moved onto another piece of
			// its supply curve); the second round, classified there,
			// clears (rescueRounds).
			name: "Belarus on its step after a second round", adj: 0.008, facCap: 17.6, rp: 9.7, coop: 1,
			lagSupply: []float64{24, 16.7, 14.1, 10.7, 3.3, 2.3, 5.6, 0.74, 1.35, 1, 1.6},
			lagDemand: []float64{15.4, 7.9, 21.6, 2.9, 9.1, 5.9, 9.4},
			wantSteps: 1,
		},
		{
			// The price-form rows stop above Solver.Tol; the ordinary
			// residuals at that point clear once Belarus is pinned
			// (rescueGate).
			name: "Belarus on its step from a price form short of the tolerance", adj: 0.015, facCap: 15.3, rp: 11.3, coop: 0.6,
			lagSupply: []float64{25.3, 14, 14.9, 7.8, 3.7, 3.3, 5.2, 0.5, 1.4, 0.7, 1.9},
			lagDemand: []float64{16.4, 8, 13.1, 4.6, 7.7, 6, 8.9},
			wantSteps: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := stallMarket(tc.adj, tc.facCap)
			c := mustCalibrate(t, m)
			pol := stallPolicy(m, tc.rp, tc.coop, 0)
			lag := &Lag{Supply: tc.lagSupply, Demand: tc.lagDemand}
			sol := NewSolution(c)
			res, err := NewSolver(c).Solve(pol, lag, nil, sol)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != Converged {
				t.Fatalf("status %v: %s", res.Status, res.Reason)
			}
			if !res.Rescued || res.Steps != tc.wantSteps {
				t.Errorf("rescued %v with %d step(s), want the rescue (the ordinary solve stalls here) with %d", res.Rescued, res.Steps, tc.wantSteps)
			}
			rho := sol.FacilityValue[0]
			polRho := stallPolicy(m, tc.rp, tc.coop, rho)
			out := make([]bool, len(m.Suppliers))
			for i, s := range m.Suppliers {
				sc := math.Max(c.S0[i], scaleFloor)
				D := bruteDemandLag(c, pol, lag, sol.FOB, out, nil, i)
				if math.Abs(sol.Sales[i]-D)/sc > tolClear {
					t.Errorf("%s: demand %.12g, sales %.12g", s.Name, D, sol.Sales[i])
				}
				mu := sol.ConductMarkup[i]
				lo := bruteSupplyMu(c, polRho, lag, i, sol.FOB[i]*(1-tolStep), 0, mu)
				hi := bruteSupplyMu(c, polRho, lag, i, sol.FOB[i]*(1+tolStep), 0, mu)
				if !(lo <= D+tolClear*sc && D <= hi+tolClear*sc) {
					t.Errorf("%s: demand %.12g outside the supply %.12g..%.12g around its price %.12g", s.Name, D, lo, hi, sol.FOB[i])
				}
				if want := cournotMarkup(c, pol, sol, i); !scalar.EqualWithinAbs(mu, want, tolMarkup) {
					t.Errorf("%s: conduct markup %.12g, first-order condition %.12g", s.Name, mu, want)
				}
			}
			var use float64
			for i, s := range m.Suppliers {
				for k, cr := range s.Corridors {
					if cr.Facility != "" {
						use += sol.CorridorFlow[i][k]
					}
				}
			}
			K := m.Facilities[0].Capacity
			if !scalar.EqualWithinRel(use, sol.FacilityUse[0], tolBalance) {
				t.Errorf("facility use %.12g, its corridors carry %.12g", sol.FacilityUse[0], use)
			}
			if rho < 0 || use > K*(1+tolFacUse) || rho > 0 && !scalar.EqualWithinRel(use, K, tolFacUse) {
				t.Errorf("facility: ρ %.6g $/t with use %.12g of %g Mt/yr (want ρ ≥ 0, use ≤ K, use = K where ρ > 0)", rho, use, K)
			}
			if !(rho > 0) {
				t.Errorf("ρ = %g: the case should bind the facility", rho)
			}
			checkFinite(t, sol)
		})
	}
}

// TestEvaluationsCountEvery checks that Result.Evaluations counts every
// evaluation of the solve, whatever path it took: full evaluations (eval,
// the kink search's, the rescue's differences) and partial ones (a
// supplier's own market in a sweep, a facility's or quota's bracketing),
// including those after the solve stopped (the evaluation at the best
// point of a failed solve, the stale supplier's excess demand). The
// workspace's counter runs over one attempt: Result.Evaluations must
// equal it, plus the first attempt's where the Solve made a second (a
// lone solve that stalled with a Cournot seller, made again with the
// markup at the trial price: markupRetry; a path's month solved again
// adds its first attempt's likewise).
func TestEvaluationsCountEvery(t *testing.T) {
	tc := []struct {
		name            string
		adj, facCap, rp float64
		coop            float64
		maxIter         int
		maxSweeps       int
		want            Status
	}{
		{"rescued: Newton, sweeps and the rescue", 0.013, 16.25, 9.5, 0.2, 0, 0, Converged},
		{"rescued after a second round", 0.008, 17.6, 9.7, 1, 0, 0, Converged},
		{"stopped at the iteration limit", 0.013, 16.25, 9.5, 0.2, 3, 1, 0},
	}
	lags := [][2][]float64{
		{{28.6, 12.3, 12.8, 6.6, 4.2, 3, 4.6, 0.5, 1.7, 0.7, 1.7}, {13, 9.3, 15.9, 5.1, 5.6, 5.4, 9.1}},
		{{24, 16.7, 14.1, 10.7, 3.3, 2.3, 5.6, 0.74, 1.35, 1, 1.6}, {15.4, 7.9, 21.6, 2.9, 9.1, 5.9, 9.4}},
		{{28.6, 12.3, 12.8, 6.6, 4.2, 3, 4.6, 0.5, 1.7, 0.7, 1.7}, {13, 9.3, 15.9, 5.1, 5.6, 5.4, 9.1}},
	}
	for k, c := range tc {
		t.Run(c.name, func(t *testing.T) {
			m := stallMarket(c.adj, c.facCap)
			cal := mustCalibrate(t, m)
			s := NewSolver(cal)
			if c.maxIter > 0 {
				s.MaxIter, s.MaxSweeps = c.maxIter, c.maxSweeps
			}
			lag := &Lag{Supply: lags[k][0], Demand: lags[k][1]}
			earlier, attempts := 0, 0
			attemptCheck = func(r Result, _ *Solution) {
				if attempts++; attempts == 1 {
					earlier = r.Evaluations
				}
			}
			defer func() { attemptCheck = nil }()
			res, err := s.Solve(stallPolicy(m, c.rp, c.coop, 0), lag, nil, NewSolution(cal))
			if err != nil {
				t.Fatal(err)
			}
			if (res.Status == Converged) != (c.want == Converged) {
				t.Fatalf("status %v (%s), want the case's %v", res.Status, res.Reason, c.want)
			}
			if res.Evaluations != earlier+s.ws.evals || res.Evaluations == 0 {
				t.Errorf("Result.Evaluations = %d, the solve evaluated %d + %d times", res.Evaluations, earlier, s.ws.evals)
			}
		})
	}
}
