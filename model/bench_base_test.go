package model_test

import (
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
	"gonum.org/v1/gonum/floats/scalar"
)

// baseSetup calibrates the embedded base dataset.
func baseSetup(tb testing.TB) (*model.Market, *model.Calibrated) {
	tb.Helper()
	m, err := scenarios.BaseMarket(scenarios.DefaultMarket)
	if err != nil {
		tb.Fatalf("BaseMarket: %v", err)
	}
	c, err := model.Calibrate(m)
	if err != nil {
		tb.Fatalf("Calibrate(%s): %v", scenarios.DefaultMarket, err)
	}
	return m, c
}

// sanctions applies the 2022 sanction shock to pol: Belarus banned from the
// United States and Europe, a 15% discount wedge on all its sales, Klaipėda
// closed.
func sanctions(tb testing.TB, m *model.Market, pol *model.Policy, wedge float64) {
	tb.Helper()
	bel := m.SupplierIndex("Belarus")
	if bel < 0 {
		tb.Fatal("no Belarus in the base dataset")
	}
	for _, r := range []string{"United States", "Europe"} {
		if k := m.RegionIndex(r); k >= 0 {
			pol.Ban[bel][k] = true
		}
	}
	for r := range pol.Wedge[bel] {
		pol.Wedge[bel][r] = wedge
	}
	if k := m.CorridorIndex(bel, "Klaipeda"); k >= 0 {
		pol.CorridorCap[bel][k] = 0
	}
}

// TestBaseDatasetIdentity: the shipped base dataset calibrates and the zero
// shock returns its base year (1e-9 relative).
func TestBaseDatasetIdentity(t *testing.T) {
	m, c := baseSetup(t)
	sol := model.NewSolution(c)
	res, err := model.NewSolver(c).Solve(model.NewPolicy(m), nil, nil, sol)
	if err != nil || res.Status != model.Converged {
		t.Fatalf("%v %+v", err, res)
	}
	for i, s := range m.Suppliers {
		if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, 1e-9) {
			t.Errorf("FOB[%s] = %.12g, want %g", s.Name, sol.FOB[i], s.FOB)
		}
		for r := range m.Regions {
			if !scalar.EqualWithinAbsOrRel(sol.Flow[i][r], m.Flows[i][r], 1e-300, 1e-9) {
				t.Errorf("flow[%s][%s] = %g, want %g", s.Name, m.Regions[r].Name, sol.Flow[i][r], m.Flows[i][r])
			}
		}
	}
	// The sanction shock solves too.
	pol := model.NewPolicy(m)
	sanctions(t, m, pol, 0.15)
	res, err = model.NewSolver(c).Solve(pol, nil, nil, sol)
	if err != nil || res.Status != model.Converged {
		t.Fatalf("sanctions: %v %+v", err, res)
	}
	t.Logf("sanctions: %+v; benchmark %.1f $/t (base %.1f)", res, sol.Benchmark, c.P0[c.Bench])
}

// BenchmarkSolveBase solves the sanction shock on the base-2020 dataset
// from the base prices (cold start).
func BenchmarkSolveBase(b *testing.B) {
	m, c := baseSetup(b)
	benchSolveCold(b, m, c)
}

// benchSolveCold times the sanction shock on c, solved from the base
// prices.
func benchSolveCold(b *testing.B, m *model.Market, c *model.Calibrated) {
	pol := model.NewPolicy(m)
	sanctions(b, m, pol, 0.15)
	s, sol := model.NewSolver(c), model.NewSolution(c)
	b.ReportAllocs()
	for b.Loop() {
		if res, err := s.Solve(pol, nil, nil, sol); err != nil || res.Status != model.Converged {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkSolveBaseWarm solves the same shock warm-started from the
// equilibrium with a 14% instead of a 15% wedge (a nearby solution, as in
// a monthly path).
func BenchmarkSolveBaseWarm(b *testing.B) {
	m, c := baseSetup(b)
	benchSolveWarm(b, m, c)
}

// benchSolveWarm times the sanction shock on c, warm-started from the
// equilibrium with a 14% wedge.
func benchSolveWarm(b *testing.B, m *model.Market, c *model.Calibrated) {
	pol := model.NewPolicy(m)
	sanctions(b, m, pol, 0.14)
	s, sol := model.NewSolver(c), model.NewSolution(c)
	if res, err := s.Solve(pol, nil, nil, sol); err != nil || res.Status != model.Converged {
		b.Fatal(err, res)
	}
	start := append([]float64(nil), sol.FOB...)
	sanctions(b, m, pol, 0.15)
	b.ReportAllocs()
	for b.Loop() {
		if res, err := s.Solve(pol, nil, start, sol); err != nil || res.Status != model.Converged {
			b.Fatal(err, res)
		}
	}
}

// cournotBase returns the base dataset with Cournot players — Canada, and
// Russia and Belarus marketing jointly (BPC) — at the conduct of the
// bpc-breakup built-in, calibrated.
func cournotBase(tb testing.TB) (*model.Market, *model.Calibrated) {
	tb.Helper()
	m, _ := baseSetup(tb)
	for name, phi := range map[string]float64{"Canada": 0.29, "Russia": 0.35, "Belarus": 0.2} {
		m.Suppliers[m.SupplierIndex(name)].Conduct = phi
	}
	m.Coalitions = []model.Coalition{{Name: "BPC", Members: []string{"Russia", "Belarus"}, Weight: 1}}
	c, err := model.Calibrate(m)
	if err != nil {
		tb.Fatal(err)
	}
	return m, c
}

// BenchmarkSolveBaseCournot is BenchmarkSolveBase with Cournot players
// and BPC (cournotBase).
func BenchmarkSolveBaseCournot(b *testing.B) {
	m, c := cournotBase(b)
	benchSolveCold(b, m, c)
}

// BenchmarkSolveBaseWarmCournot is BenchmarkSolveBaseWarm with Cournot
// players and BPC.
func BenchmarkSolveBaseWarmCournot(b *testing.B) {
	m, c := cournotBase(b)
	benchSolveWarm(b, m, c)
}
