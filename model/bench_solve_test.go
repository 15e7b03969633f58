package model

import (
	"math/rand/v2"
	"testing"
)

// benchSetup calibrates m and returns a solver, a solution and a policy.
func benchSetup(b *testing.B, m *Market) (*Calibrated, *Solver, *Solution, *Policy) {
	b.Helper()
	c, err := Calibrate(m)
	if err != nil {
		b.Fatal(err)
	}
	return c, NewSolver(c), NewSolution(c), NewPolicy(m)
}

// benchShock is a sanction-like shock on the test market: Belarus banned
// from the United States, a 15% discount wedge on all its sales, Klaipeda
// closed.
func benchShock(m *Market, pol *Policy) {
	bel := m.SupplierIndex("Belarus")
	pol.Ban[bel][m.RegionIndex("United States")] = true
	for r := range pol.Wedge[bel] {
		pol.Wedge[bel][r] = 0.15
	}
	pol.CorridorCap[bel][m.CorridorIndex(bel, "Klaipeda")] = 0
}

func runBench(b *testing.B, s *Solver, pol *Policy, start []float64, sol *Solution) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Solve(pol, nil, start, sol)
		if err != nil || res.Status != Converged {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

// BenchmarkSolveCold solves the sanction shock on the 11×7 test market from
// the base prices.
func BenchmarkSolveCold(b *testing.B) {
	m := testMarket()
	_, s, sol, pol := benchSetup(b, m)
	benchShock(m, pol)
	runBench(b, s, pol, nil, sol)
}

// BenchmarkSolveWarm solves the sanction shock from a nearby solution: the
// equilibrium of the same shock with a 14% instead of 15% wedge.
func BenchmarkSolveWarm(b *testing.B) {
	m := testMarket()
	_, s, sol, pol := benchSetup(b, m)
	benchShock(m, pol)
	bel := m.SupplierIndex("Belarus")
	for r := range pol.Wedge[bel] {
		pol.Wedge[bel][r] = 0.14
	}
	if res, err := s.Solve(pol, nil, nil, sol); err != nil || res.Status != Converged {
		b.Fatal(err, res)
	}
	start := append([]float64(nil), sol.FOB...)
	for r := range pol.Wedge[bel] {
		pol.Wedge[bel][r] = 0.15
	}
	runBench(b, s, pol, start, sol)
}

// BenchmarkSolveBaseIdentity solves the zero shock (the calibration
// identity) from the base prices.
func BenchmarkSolveBaseIdentity(b *testing.B) {
	m := testMarket()
	_, s, sol, pol := benchSetup(b, m)
	runBench(b, s, pol, nil, sol)
}

// BenchmarkSolve40x30 solves a random 40-supplier × 30-region market after
// a demand and wedge shock, cold.
func BenchmarkSolve40x30(b *testing.B) {
	rng := rand.New(rand.NewPCG(40, 30))
	m := randomMarket(rng, 40, 30)
	_, s, sol, pol := benchSetup(b, m)
	for r := range pol.DemandScale {
		pol.DemandScale[r] = 1.05
	}
	pol.Wedge[3][4] = 0.2
	pol.Ban[5][6] = true
	runBench(b, s, pol, nil, sol)
}

// BenchmarkSolveTRQ is BenchmarkSolveCold with a binding tariff-rate
// quota on Russia→Europe (70% of the base flow duty-free, 50% above): one
// more unknown and a kink.
func BenchmarkSolveTRQ(b *testing.B) {
	m := testMarket()
	_, s, sol, pol := benchSetup(b, m)
	benchShock(m, pol)
	rus, eu := m.SupplierIndex("Russia"), m.RegionIndex("Europe")
	pol.TRQQuota[rus][eu], pol.TRQOut[rus][eu] = 0.7*m.Flows[rus][eu], 0.5
	runBench(b, s, pol, nil, sol)
}

// BenchmarkSolveRoutes solves the sanction shock on the test market with
// rail tied to China and the Russian Baltic ports shared by Russia and
// Belarus (routedTestMarket): with Klaipėda closed the shared ports bind.
func BenchmarkSolveRoutes(b *testing.B) {
	m := routedTestMarket()
	_, s, sol, pol := benchSetup(b, m)
	benchShock(m, pol)
	runBench(b, s, pol, nil, sol)
}
