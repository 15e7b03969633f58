package model

import (
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// Named tolerances of the tests.
const (
	tolIdentity = 1e-9  // calibration identity, relative
	tolClear    = 1e-9  // market clearing after a shock, relative to S0
	tolBrute    = 1e-7  // Newton vs brute force, relative
	tolClosed   = 1e-10 // closed forms, relative
	tolHomog    = 1e-9  // homogeneity, relative
	tolStep     = 1e-14 // relative price resolution of a supply step (Result.Steps)
	tolTRQ      = 1e-9  // tariff-rate quota complementarity: rates, and flows relative to the quota
)

func mustCalibrate(t testing.TB, m *Market) *Calibrated {
	t.Helper()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatalf("Calibrate: %v", err)
	}
	return c
}

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

// checkClearing checks, with the independent level-form functions of
// brute_test.go, that every supplier that can sell sells what it supplies
// at its FOB price and what the regions demand at the reported prices.
func checkClearing(t *testing.T, c *Calibrated, pol *Policy, sol *Solution) {
	t.Helper()
	checkClearingLag(t, c, pol, nil, sol)
}

func checkClearingLag(t testing.TB, c *Calibrated, pol *Policy, lag *Lag, sol *Solution) {
	t.Helper()
	n := len(c.Market.Suppliers)
	out := make([]bool, n)
	for i := range out {
		out[i] = sol.Binding[i] == BindClosed
	}
	for i, s := range c.Market.Suppliers {
		if out[i] {
			if sol.Sales[i] != 0 {
				t.Errorf("%s closed but sells %g", s.Name, sol.Sales[i])
			}
			continue
		}
		sc := math.Max(c.S0[i], scaleFloor)
		th := trqRates(c, pol, sol)
		dbar := bruteDbar(c, pol, lag, sol.FOB, out, th, i)
		mu := sol.ConductMarkup[i] // the conduct markup is checked against closed forms (conduct_test.go)
		S := bruteSupplyMu(c, pol, lag, i, sol.FOB[i], dbar, mu)
		D := bruteDemandLag(c, pol, lag, sol.FOB, out, th, i)
		if math.Abs(sol.Sales[i]-D)/sc > tolClear {
			t.Errorf("%s: demand %.12g, sales %.12g", s.Name, D, sol.Sales[i])
		}
		if math.Abs(D-S)/sc > tolClear {
			// Allowed only on a supply step narrower than the price
			// resolution (Result.Steps): demand between the supply just
			// below and just above the price.
			lo := bruteSupplyMu(c, pol, lag, i, sol.FOB[i]*(1-tolStep), dbar, mu)
			hi := bruteSupplyMu(c, pol, lag, i, sol.FOB[i]*(1+tolStep), dbar, mu)
			if !(lo <= D*(1+tolClear) && D <= hi*(1+tolClear)) {
				t.Errorf("%s: demand %.12g, supply %.12g (%.12g..%.12g around the price)", s.Name, D, S, lo, hi)
			}
		}
	}
	checkTRQ(t, c, pol, sol)
	checkFinite(t, sol)
}

// trqRates returns the effective tariff-rate-quota rate ϑ of every route
// of sol, read back from its delivered prices: p_d/(p + f) − (1 + τ0 +
// Wedge).
func trqRates(c *Calibrated, pol *Policy, sol *Solution) [][]float64 {
	m := c.Market
	th := make([][]float64, len(m.Suppliers))
	for i := range th {
		th[i] = make([]float64, len(m.Regions))
		for r := range th[i] {
			th[i][r] = sol.Delivered[i][r]/sol.CFR[i][r] - (1 + m.Wedge[i][r] + pol.Wedge[i][r] + pol.RiskCost[i][r])
		}
	}
	return th
}

// checkTRQ checks the complementarity of every tariff-rate quota of pol
// at sol: the effective rate ϑ within [t_in, t_out]; flow below the quota
// only at t_in, above it only at t_out; the rent (p + f)·(ϑ − t_in)·min(x,
// Q̄) summed into the importing region.
func checkTRQ(t testing.TB, c *Calibrated, pol *Policy, sol *Solution) {
	t.Helper()
	m := c.Market
	th := trqRates(c, pol, sol)
	rent := make([]float64, len(m.Regions))
	for i := range m.Suppliers {
		for r := range m.Regions {
			q, tin, tout := pol.TRQQuota[i][r], pol.TRQIn[i][r], pol.TRQOut[i][r]
			if tin == 0 && tout == 0 {
				continue
			}
			v, x := th[i][r], sol.Flow[i][r]
			name := m.Suppliers[i].Name + "→" + m.Regions[r].Name
			if v < tin-tolTRQ || v > tout+tolTRQ {
				t.Errorf("%s: rate %g outside [%g, %g]", name, v, tin, tout)
			}
			if x < q*(1-tolTRQ) && v > tin+tolTRQ {
				t.Errorf("%s: flow %g below the quota %g at rate %g > in-quota %g", name, x, q, v, tin)
			}
			if x > q*(1+tolTRQ) && v < tout-tolTRQ {
				t.Errorf("%s: flow %g above the quota %g at rate %g < out-of-quota %g", name, x, q, v, tout)
			}
			if !math.IsInf(q, 1) {
				rent[r] += sol.CFR[i][r] * math.Max(0, v-tin) * math.Min(x, q)
			}
		}
	}
	for r := range rent {
		if math.Abs(sol.TRQRent[r]-rent[r]) > tolTRQ*(1+rent[r]) {
			t.Errorf("%s: quota rent %g, want %g", m.Regions[r].Name, sol.TRQRent[r], rent[r])
		}
	}
}

// checkFinite fails on any NaN or Inf in sol (every field of solFields,
// and the benchmark).
func checkFinite(t testing.TB, sol *Solution) {
	t.Helper()
	if !finite(sol.Benchmark) {
		t.Fatalf("Benchmark = %v", sol.Benchmark)
	}
	for f, sf := range solFields {
		if sf.vec != nil {
			for k, x := range *sf.vec(sol) {
				if !finite(x) {
					t.Fatalf("solFields[%d][%d] = %v", f, k, x)
				}
			}
			continue
		}
		for i, row := range *sf.mat(sol) {
			for k, x := range row {
				if !finite(x) {
					t.Fatalf("solFields[%d][%d][%d] = %v", f, i, k, x)
				}
			}
		}
	}
}

// testMarketRents is testMarket with published-style marginal costs below
// every base netback (a positive base rent) and domestic sales of Russia
// inside its flow to Other.
func testMarketRents() *Market {
	m := testMarket()
	c, err := Calibrate(m)
	if err != nil {
		panic(err)
	}
	for i := range m.Suppliers {
		m.Suppliers[i].MarginalCost = 0.4*c.M0[i] + float64(i) // 40% of the netback, distinct per supplier
	}
	m.Suppliers[1].Domestic, m.Suppliers[1].DomesticIn = 0.7, "Other"
	return m
}

func TestCalibrationIdentity(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *Market
	}{{"no cost data", testMarket()}, {"marginal costs from data", testMarketRents()}} {
		t.Run(tc.name, func(t *testing.T) { checkCalibrationIdentity(t, tc.m) })
	}
}

func checkCalibrationIdentity(t *testing.T, m *Market) {
	c := mustCalibrate(t, m)
	sol, res := mustSolve(t, c, NewPolicy(m), nil, nil)
	if res.Iterations != 0 {
		t.Errorf("zero shock took %d iterations, want 0 (the base prices clear the market)", res.Iterations)
	}
	for i, s := range m.Suppliers {
		if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, tolIdentity) || !scalar.EqualWithinRel(sol.FOBReceived[i], s.FOB, tolIdentity) {
			t.Errorf("FOB[%s] = %.12g (received %.12g), want %g", s.Name, sol.FOB[i], sol.FOBReceived[i], s.FOB)
		}
		mc0 := c.M0[i]
		if s.MarginalCost > 0 {
			mc0 = s.MarginalCost
		}
		if !scalar.EqualWithinRel(sol.MarginalCost[i], mc0, tolIdentity) || !scalar.EqualWithinRel(c.MC0[i], mc0, tolIdentity) {
			t.Errorf("%s: marginal cost %g (calibrated %g), want %g", s.Name, sol.MarginalCost[i], c.MC0[i], mc0)
		}
		if L := (c.M0[i] - mc0) / s.FOB; !scalar.EqualWithinAbsOrRel(c.Markup[i], L, 1e-15, tolIdentity) {
			t.Errorf("%s: markup %g, want (m0 − MC0)/p0 = %g", s.Name, c.Markup[i], L)
		}
		for r := range m.Regions {
			if !scalar.EqualWithinAbsOrRel(sol.Flow[i][r], m.Flows[i][r], 1e-300, tolIdentity) {
				t.Errorf("flow[%s][%s] = %.12g, want %g", s.Name, m.Regions[r].Name, sol.Flow[i][r], m.Flows[i][r])
			}
		}
		for k, cr := range s.Corridors {
			if !scalar.EqualWithinAbsOrRel(sol.CorridorFlow[i][k], c.corr0[i][k], 1e-12, tolIdentity) {
				t.Errorf("corridor %s/%s flow %g, want %g", s.Name, cr.Name, sol.CorridorFlow[i][k], c.corr0[i][k])
			}
		}
		// At the base no constraint earns a scarcity rent, output is where
		// it wants to be, and nobody gains or loses; the base rent is the
		// markup rent (m0 − MC0)·S0, positive where cost data put the
		// marginal cost below the netback.
		scale := s.FOB * c.S0[i]
		for name, v := range map[string]float64{"corridor rent": sol.CorridorRent[i], "capacity rent": sol.CapacityRent[i],
			"quota rent": sol.QuotaRent[i], "adjustment rent": sol.AdjustmentRent[i], "producer surplus change": sol.ProducerSurplus[i],
			"markup rent − (m0 − MC0)·S0": sol.MarkupRent[i] - (c.M0[i]-mc0)*c.S0[i]} {
			if math.Abs(v) > 1e-9*scale {
				t.Errorf("%s %s = %g at the base, want 0", s.Name, name, v)
			}
		}
		if s.MarginalCost > 0 && !(sol.MarkupRent[i] > 0) {
			t.Errorf("%s: markup rent %g, want > 0 with marginal cost %g below the netback %g", s.Name, sol.MarkupRent[i], mc0, c.M0[i])
		}
		// The rents and the long-run variable cost add up to the netback
		// revenue (section 6).
		eta := s.Eta
		sum := sol.MarkupRent[i] + sol.CorridorRent[i] + sol.CapacityRent[i] + sol.QuotaRent[i] + sol.AdjustmentRent[i] +
			sol.MineRent[i] + sol.RouteRent[i] + eta/(eta+1)*sol.Sales[i]*sol.MarginalCost[i]
		if !scalar.EqualWithinRel(sum, sol.NetbackRevenue[i]-sol.ExportTax[i], 1e-12) {
			t.Errorf("%s: rents and cost %g, netback revenue less tax %g", s.Name, sum, sol.NetbackRevenue[i]-sol.ExportTax[i])
		}
		want := c.S0[i]
		if s.Domestic > 0 {
			want -= s.Domestic
		}
		if s.Home != "" {
			want -= m.Flows[i][m.RegionIndex(s.Home)]
		}
		if !scalar.EqualWithinRel(sol.Exports[i], want, tolIdentity) {
			t.Errorf("%s: exports %g, want %g (sales less domestic sales)", s.Name, sol.Exports[i], want)
		}
	}
	for r, reg := range m.Regions {
		if !scalar.EqualWithinRel(sol.PriceIndex[r], c.P0[r], tolIdentity) || !scalar.EqualWithinRel(sol.Demand[r], c.Q0[r], tolIdentity) ||
			!scalar.EqualWithinRel(sol.Tonnes[r], c.Q0[r], tolIdentity) {
			t.Errorf("%s: P = %g, Q = %g, tonnes %g, want %g, %g", reg.Name, sol.PriceIndex[r], sol.Demand[r], sol.Tonnes[r], c.P0[r], c.Q0[r])
		}
		// With no wedges the index at base prices is the average CFR price
		// paid (β calibrated to value shares).
		var cfr float64
		for i := range m.Suppliers {
			cfr += (m.Suppliers[i].FOB + m.Freight[i][r]) * m.Flows[i][r]
		}
		cfr /= c.Q0[r]
		if !scalar.EqualWithinRel(sol.CFRPrice[r], cfr, tolIdentity) {
			t.Errorf("%s: CFR price %g, want %g", reg.Name, sol.CFRPrice[r], cfr)
		}
		if math.Abs(sol.ConsumerSurplus[r]) > 1e-9*c.P0[r]*c.Q0[r] {
			t.Errorf("%s consumer surplus change %g at the base", reg.Name, sol.ConsumerSurplus[r])
		}
	}
	if b := m.RegionIndex("Brazil"); sol.Benchmark != sol.CFRPrice[b] || !scalar.EqualWithinRel(sol.Benchmark, c.P0[b], tolIdentity) {
		t.Errorf("benchmark %g is not Brazil's CFR price %g (= P0 %g without wedges)", sol.Benchmark, sol.CFRPrice[b], c.P0[b])
	}
	// Same with the Policy made from the Calibrated copy.
	sol2, _ := mustSolve(t, c, NewPolicy(c.Market), nil, nil)
	for i := range sol.FOB {
		if sol2.FOB[i] != sol.FOB[i] {
			t.Errorf("NewPolicy(c.Market) and NewPolicy(m) differ at %d", i)
		}
	}
}

// Base-year checks of the calibration formulas on a hand-computed case.
func TestCalibrateFormulas(t *testing.T) {
	// Two suppliers, one region, no freight or wedge, σ = 2, ε = 0.5.
	m := &Market{
		Suppliers: []Supplier{
			{Name: "A", FOB: 100, Capacity: 10, Eta: 1, Adjust: 1, Corridors: []Corridor{{Name: "c", Capacity: 10, Cost: 20}}},
			{Name: "B", FOB: 200, Capacity: 10, Eta: 2, Adjust: 1, Corridors: []Corridor{{Name: "c", Capacity: 2, Cost: 10}, {Name: "d", Capacity: 5, Cost: 50}}},
		},
		Regions: []Region{{Name: "R", Eps: 0.5, Sigma: 2, Adjust: 1}},
		Flows:   [][]float64{{3}, {1}},
		Freight: [][]float64{{0}, {0}},
	}
	c := mustCalibrate(t, m)
	// Q0 = 4; P0 = (100·3 + 200·1)/4 = 125.
	// β_A = (3/4)·(100/125)² = 0.48, β_B = (1/4)·(200/125)² = 0.64.
	// A = 4·125^0.5; m0_A = 100 − 20 = 80, B_A = 3/80;
	// B sells 1 Mt and its cheapest corridor c (cost 10) holds 2 Mt, so c
	// carries the last tonne: m0_B = 200 − 10 = 190, B_B = 1/190².
	for _, v := range []struct {
		name      string
		got, want float64
	}{
		{"Q0", c.Q0[0], 4}, {"P0", c.P0[0], 125},
		{"beta A", c.Beta[0][0], 0.48}, {"beta B", c.Beta[1][0], 0.64},
		{"A", c.A[0], 4 * math.Sqrt(125)},
		{"m0 A", c.M0[0], 80}, {"B A", c.B[0], 3.0 / 80},
		{"m0 B", c.M0[1], 190}, {"B B", c.B[1], 1.0 / (190 * 190)},
	} {
		if !scalar.EqualWithinRel(v.got, v.want, 1e-13) {
			t.Errorf("%s = %.15g, want %.15g", v.name, v.got, v.want)
		}
	}
}

func TestCalibrateErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(m *Market)
		want string
	}{
		{"sigma", func(m *Market) { m.Regions[0].Sigma = 0.8 }, "regions[Brazil].sigma: 0.8 must exceed 1"},
		{"sigma NaN", func(m *Market) { m.Regions[0].Sigma = math.NaN() }, "regions[Brazil].sigma"},
		{"eps negative", func(m *Market) { m.Regions[1].Eps = -0.2 }, "regions[United States].eps"},
		{"eta", func(m *Market) { m.Suppliers[2].Eta = 0 }, "suppliers[Belarus].eta"},
		{"eta Inf", func(m *Market) { m.Suppliers[2].Eta = math.Inf(1) }, "suppliers[Belarus].eta"},
		{"adjust", func(m *Market) { m.Suppliers[0].Adjust = 0 }, "suppliers[Canada].adjust"},
		{"region adjust", func(m *Market) { m.Regions[0].Adjust = 2 }, "regions[Brazil].adjust"},
		{"growth", func(m *Market) { m.Regions[0].Growth = math.NaN() }, "regions[Brazil].growth"},
		{"flow NaN", func(m *Market) { m.Flows[1][2] = math.NaN() }, "flows[Russia][China]"},
		{"flow negative", func(m *Market) { m.Flows[1][2] = -1 }, "flows[Russia][China]: -1 must not be negative"},
		{"freight Inf", func(m *Market) { m.Freight[0][0] = math.Inf(1) }, "freight[Canada][Brazil]"},
		{"wedge range", func(m *Market) { m.Wedge[0][0] = 7 }, "wedge[Canada][Brazil]"},
		{"ragged flows", func(m *Market) { m.Flows[3] = m.Flows[3][:4] }, "flows[China]: 4 columns"},
		{"short freight", func(m *Market) { m.Freight = m.Freight[:3] }, "freight: 3 rows"},
		{"zero flows", func(m *Market) {
			for i := range m.Flows {
				for r := range m.Flows[i] {
					m.Flows[i][r] = 0
				}
			}
		}, "flows: zero base flows everywhere"},
		{"no base sales", func(m *Market) { m.Flows[9][1] = 0 }, "suppliers[United States]: no base sales"},
		{"region without flows", func(m *Market) {
			m.Flows[3][2], m.Flows[7][2], m.Flows[0][2], m.Flows[1][2], m.Flows[2][2], m.Flows[4][2], m.Flows[5][2], m.Flows[6][2] = 0, 0, 0, 0, 0, 0, 0, 0
		}, "regions[China]: no base flows"},
		{"capacity", func(m *Market) { m.Suppliers[0].Capacity = 20 }, "suppliers[Canada].capacity: 20 Mt/yr is below base sales 22"},
		{"fob", func(m *Market) { m.Suppliers[0].FOB = 0 }, "suppliers[Canada].fob"},
		{"netback", func(m *Market) { m.Suppliers[7].FOB = 30 }, "suppliers[Laos].fob: base netback"},
		{"home", func(m *Market) { m.Suppliers[3].Home = "Mars" }, `suppliers[China].home: unknown region "Mars"`},
		{"benchmark", func(m *Market) { m.Benchmark = "Mars" }, `benchmark: unknown region "Mars"`},
		{"corridors short", func(m *Market) { m.Suppliers[2].Corridors[0].Capacity = 5 }, "suppliers[Belarus].corridors: total capacity 8.5 Mt/yr cannot carry base sales 12"},
		{"no corridors", func(m *Market) { m.Suppliers[4].Corridors = nil }, "suppliers[Israel].corridors: none"},
		{"corridor cost", func(m *Market) { m.Suppliers[2].Corridors[1].Cost = -1 }, "suppliers[Belarus].corridors[RussianPorts].cost"},
		{"corridor capacity", func(m *Market) { m.Suppliers[2].Corridors[1].Capacity = math.NaN() }, "suppliers[Belarus].corridors[RussianPorts].capacity"},
		{"duplicate supplier", func(m *Market) { m.Suppliers[1].Name = "Canada" }, "suppliers[Canada].name: duplicate"},
		{"duplicate corridor", func(m *Market) { m.Suppliers[2].Corridors[1].Name = "Klaipeda" }, "duplicate corridor"},
		{"no suppliers", func(m *Market) { m.Suppliers = nil }, "suppliers: none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := testMarket()
			tc.edit(m)
			c, err := Calibrate(m)
			if err == nil {
				t.Fatalf("no error (calibrated %v)", c != nil)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	if _, err := Calibrate(nil); err == nil {
		t.Error("Calibrate(nil): no error")
	}
}

func TestSolveErrors(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	cases := []struct {
		name string
		edit func(p *Policy, lag **Lag, start *[]float64)
		want string
	}{
		{"wedge NaN", func(p *Policy, _ **Lag, _ *[]float64) { p.Wedge[2][0] = math.NaN() }, "policy.wedge[Belarus][Brazil]"},
		{"wedge -100%", func(p *Policy, _ **Lag, _ *[]float64) { p.Wedge[2][0] = -1 }, "policy.wedge[Belarus][Brazil]"},
		{"export cap NaN", func(p *Policy, _ **Lag, _ *[]float64) { p.ExportCap[1] = math.NaN() }, "policy.export_cap[Russia]"},
		{"export cap negative", func(p *Policy, _ **Lag, _ *[]float64) { p.ExportCap[1] = -1 }, "policy.export_cap[Russia]"},
		{"corridor capacity", func(p *Policy, _ **Lag, _ *[]float64) { p.CorridorCap[2][0] = -3 }, "policy.corridor_capacity[Belarus][Klaipeda]"},
		{"corridor cost", func(p *Policy, _ **Lag, _ *[]float64) { p.CorridorCost[2][0] = math.Inf(1) }, "policy.corridor_cost[Belarus][Klaipeda]"},
		{"capacity", func(p *Policy, _ **Lag, _ *[]float64) { p.CapacityAdd[0] = math.NaN() }, "policy.capacity_add[Canada]"},
		{"demand scale", func(p *Policy, _ **Lag, _ *[]float64) { p.DemandScale[0] = -1 }, "policy.demand_scale[Brazil]"},
		{"cost shift", func(p *Policy, _ **Lag, _ *[]float64) { p.CostShift[0] = math.Inf(-1) }, "policy.cost_shift[Canada]"},
		{"shape", func(p *Policy, _ **Lag, _ *[]float64) { p.Ban = p.Ban[:2] }, "policy: shape"},
		{"corridor shape", func(p *Policy, _ **Lag, _ *[]float64) { p.CorridorCap[2] = p.CorridorCap[2][:1] }, "policy.corridor_capacity[Belarus]: 1 entries, want 3"},
		{"lag shape", func(_ *Policy, l **Lag, _ *[]float64) { *l = &Lag{Supply: []float64{1}} }, "lag:"},
		{"lag NaN", func(_ *Policy, l **Lag, _ *[]float64) {
			*l = &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
			(*l).Demand[3] = math.NaN()
		}, "lag.demand[India]"},
		{"lag supply negative", func(_ *Policy, l **Lag, _ *[]float64) {
			*l = &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
			(*l).Supply[1] = -1
		}, "lag.supply[Russia]"},
		{"lag demand named before supply", func(_ *Policy, l **Lag, _ *[]float64) {
			*l = &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
			(*l).Supply[0], (*l).Demand[3], (*l).Demand[5] = math.NaN(), math.Inf(1), -1
		}, "lag.demand[India]"},
		{"start shape", func(_ *Policy, _ **Lag, s *[]float64) { *s = []float64{1, 2} }, "start: 2 prices"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pol := NewPolicy(m)
			var lag *Lag
			var start []float64
			tc.edit(pol, &lag, &start)
			sol := NewSolution(c)
			res, err := NewSolver(c).Solve(pol, lag, start, sol)
			if err == nil {
				t.Fatalf("no error, result %+v", res)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !errors.Is(err, ErrInvalidPolicy) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q is not ErrInvalidPolicy", err)
			}
			if res.Status == Converged {
				t.Errorf("status %v with an error", res.Status)
			}
		})
	}
	// A Solution for another market is rejected.
	other := mustCalibrate(t, randomMarket(newRand(3), 2, 2))
	if _, err := NewSolver(c).Solve(NewPolicy(m), nil, nil, NewSolution(other)); err == nil {
		t.Error("Solution of another market accepted")
	}
	// Bad warm-start entries fall back to the base price.
	start := make([]float64, len(m.Suppliers))
	start[0], start[1] = math.NaN(), -5
	if _, err := NewSolver(c).Solve(NewPolicy(m), nil, start, NewSolution(c)); err != nil {
		t.Errorf("start with NaN: %v", err)
	}
}
