package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// instrumentCases are the instruments of issue 2, each applied on its own
// to the 11×7 test market, with the direction an economist expects.
func instrumentCases() []struct {
	name  string
	apply func(m *Market, c *Calibrated, p *Policy)
	check func(t *testing.T, m *Market, c *Calibrated, base, sol *Solution)
} {
	idx := func(m *Market, s string) int { return m.SupplierIndex(s) }
	reg := func(m *Market, s string) int { return m.RegionIndex(s) }
	return []struct {
		name  string
		apply func(m *Market, c *Calibrated, p *Policy)
		check func(t *testing.T, m *Market, c *Calibrated, base, sol *Solution)
	}{
		{"ban Belarus→Brazil",
			func(m *Market, _ *Calibrated, p *Policy) { p.Ban[idx(m, "Belarus")][reg(m, "Brazil")] = true },
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				bel, bra := idx(m, "Belarus"), reg(m, "Brazil")
				if sol.Flow[bel][bra] != 0 {
					t.Errorf("banned flow %g", sol.Flow[bel][bra])
				}
				if sol.PriceIndex[bra] <= base.PriceIndex[bra] {
					t.Errorf("Brazil's price index did not rise: %g → %g", base.PriceIndex[bra], sol.PriceIndex[bra])
				}
			}},
		{"wedge Belarus all 15%",
			func(m *Market, _ *Calibrated, p *Policy) {
				for r := range p.Wedge[idx(m, "Belarus")] {
					p.Wedge[idx(m, "Belarus")][r] = 0.15
				}
			},
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				bel := idx(m, "Belarus")
				if sol.FOB[bel] >= base.FOB[bel] {
					t.Errorf("Belarus FOB did not fall: %g → %g", base.FOB[bel], sol.FOB[bel])
				}
			}},
		{"wedge route Canada→India 10%",
			func(m *Market, _ *Calibrated, p *Policy) { p.Wedge[idx(m, "Canada")][reg(m, "India")] = 0.10 },
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				can, ind := idx(m, "Canada"), reg(m, "India")
				if sol.Flow[can][ind] >= base.Flow[can][ind] {
					t.Errorf("Canada→India flow did not fall")
				}
			}},
		{"export cap Russia 10 Mt",
			func(m *Market, _ *Calibrated, p *Policy) { p.ExportCap[idx(m, "Russia")] = 10 },
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				rus := idx(m, "Russia")
				if !scalar.EqualWithinRel(sol.Sales[rus], 10, tolClear) || sol.Binding[rus] != BindQuota {
					t.Errorf("Russia sales %g binding %v, want 10 at the quota", sol.Sales[rus], sol.Binding[rus])
				}
				// Quota rent = (netback − MC(10))·10.
				want := (sol.Netback[rus] - sol.MarginalCost[rus]) * 10
				if !(sol.QuotaRent[rus] > 0) || !scalar.EqualWithinRel(sol.QuotaRent[rus], want, 1e-12) {
					t.Errorf("quota rent %g, want %g > 0", sol.QuotaRent[rus], want)
				}
				if sol.FOB[rus] <= base.FOB[rus] {
					t.Errorf("Russia FOB did not rise under its quota")
				}
			}},
		{"corridor close Klaipeda",
			func(m *Market, _ *Calibrated, p *Policy) {
				b := idx(m, "Belarus")
				p.CorridorCap[b][m.CorridorIndex(b, "Klaipeda")] = 0
			},
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				b := idx(m, "Belarus")
				if sol.Sales[b] > 3.5+1e-9 || sol.Binding[b] != BindCorridor || !(sol.CorridorRent[b] > 0) {
					t.Errorf("Belarus sales %g binding %v rent %g, want ≤ 3.5 through the corridors left, corridor-bound", sol.Sales[b], sol.Binding[b], sol.CorridorRent[b])
				}
				if k := m.CorridorIndex(b, "Klaipeda"); sol.CorridorFlow[b][k] != 0 || sol.CorridorUse[b][k] != 0 || sol.CorridorCap[b][k] != 0 {
					t.Errorf("closed corridor carries %g (capacity %g)", sol.CorridorFlow[b][k], sol.CorridorCap[b][k])
				}
			}},
		{"corridor open Arctic",
			func(m *Market, _ *Calibrated, p *Policy) {
				r := idx(m, "Russia")
				p.CorridorCap[r][m.CorridorIndex(r, "Arctic")] = 3
			},
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				r := idx(m, "Russia")
				if sol.Sales[r] <= base.Sales[r] || sol.FOB[r] >= base.FOB[r] {
					t.Errorf("a cheaper corridor should raise Russia's sales and lower its FOB: %g→%g, %g→%g", base.Sales[r], sol.Sales[r], base.FOB[r], sol.FOB[r])
				}
				if k := m.CorridorIndex(r, "Arctic"); !(sol.CorridorFlow[r][k] > 0) {
					t.Errorf("opened corridor unused")
				}
				if k := m.CorridorIndex(r, "Baltic"); sol.CorridorUse[r][k] != 1 {
					t.Errorf("cheapest corridor not full: use %g", sol.CorridorUse[r][k])
				}
			}},
		{"corridor resize Klaipeda 8",
			func(m *Market, _ *Calibrated, p *Policy) {
				b := idx(m, "Belarus")
				p.CorridorCap[b][m.CorridorIndex(b, "Klaipeda")] = 8
			},
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				b := idx(m, "Belarus")
				if sol.Sales[b] >= base.Sales[b] || sol.Sales[b] > 11.5+1e-9 {
					t.Errorf("Belarus sales %g", sol.Sales[b])
				}
			}},
		{"corridor re-price RussianPorts",
			func(m *Market, _ *Calibrated, p *Policy) {
				b := idx(m, "Belarus")
				p.CorridorCost[b][m.CorridorIndex(b, "RussianPorts")] = 90
			},
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				b := idx(m, "Belarus")
				if sol.Sales[b] >= base.Sales[b] {
					t.Errorf("dearer marginal corridor should cut sales: %g → %g", base.Sales[b], sol.Sales[b])
				}
			}},
		{"capacity outage Canada −5",
			func(m *Market, _ *Calibrated, p *Policy) { p.CapacityAdd[idx(m, "Canada")] = -5 },
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				can := idx(m, "Canada")
				if !scalar.EqualWithinRel(sol.Sales[can], 19, tolClear) || sol.Binding[can] != BindCapacity || !(sol.CapacityRent[can] > 0) {
					t.Errorf("Canada sales %g binding %v rent %g", sol.Sales[can], sol.Binding[can], sol.CapacityRent[can])
				}
				if !scalar.EqualWithinRel(sol.CapacityUse[can], 1, tolClear) {
					t.Errorf("capacity use %g", sol.CapacityUse[can])
				}
			}},
		{"capacity expansion United States +0.5 (not binding)",
			// Calibration puts every supplier on its mine-supply curve at
			// the base (MC = m0), so extra capacity that does not bind
			// changes nothing.
			func(m *Market, _ *Calibrated, p *Policy) { p.CapacityAdd[idx(m, "United States")] = 0.5 },
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				for i := range sol.FOB {
					if !scalar.EqualWithinRel(sol.FOB[i], base.FOB[i], tolIdentity) {
						t.Errorf("FOB[%d] moved: %g → %g", i, base.FOB[i], sol.FOB[i])
					}
				}
			}},
		{"demand shift Brazil +10%",
			func(m *Market, _ *Calibrated, p *Policy) { p.DemandScale[reg(m, "Brazil")] = 1.1 },
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				if sol.Benchmark <= base.Benchmark || sol.Demand[reg(m, "Brazil")] <= base.Demand[reg(m, "Brazil")] {
					t.Errorf("benchmark %g → %g", base.Benchmark, sol.Benchmark)
				}
			}},
		{"cost shift Belarus +30",
			func(m *Market, _ *Calibrated, p *Policy) { p.CostShift[idx(m, "Belarus")] = 30 },
			func(t *testing.T, m *Market, _ *Calibrated, base, sol *Solution) {
				b := idx(m, "Belarus")
				if sol.Sales[b] >= base.Sales[b] || !(sol.ProducerSurplus[b] < 0) {
					t.Errorf("Belarus sales %g → %g, ΔPS %g", base.Sales[b], sol.Sales[b], sol.ProducerSurplus[b])
				}
			}},
	}
}

// TestInstruments: every instrument on its own clears every market and
// moves the market the expected way; removing it (relief) returns the base
// year, warm-started from the shocked equilibrium.
func TestInstruments(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	base, _ := mustSolve(t, c, NewPolicy(m), nil, nil)
	for _, tc := range instrumentCases() {
		t.Run(tc.name, func(t *testing.T) {
			pol := NewPolicy(m)
			tc.apply(m, c, pol)
			sol, res := mustSolve(t, c, pol, nil, nil)
			if res.MaxResidual > DefaultTol {
				t.Errorf("residual %g", res.MaxResidual)
			}
			checkClearing(t, c, pol, sol)
			checkCorridors(t, c, sol)
			tc.check(t, m, c, base, sol)
			// Relief: back to the base policy from the shocked prices.
			pol.Reset(m)
			back, _ := mustSolve(t, c, pol, nil, sol.FOB)
			for i := range back.FOB {
				if !scalar.EqualWithinRel(back.FOB[i], m.Suppliers[i].FOB, tolIdentity) {
					t.Errorf("relief: FOB[%s] = %.12g, want %g", m.Suppliers[i].Name, back.FOB[i], m.Suppliers[i].FOB)
				}
			}
		})
	}
}

// checkCorridors checks that corridor flows add up to sales, fill cheapest
// first and respect capacities.
func checkCorridors(t *testing.T, c *Calibrated, sol *Solution) {
	t.Helper()
	for i, s := range c.Market.Suppliers {
		var sum float64
		for k := range s.Corridors {
			f := sol.CorridorFlow[i][k]
			sum += f
			if f < 0 || sol.CorridorUse[i][k] > 1+1e-12 {
				t.Errorf("%s/%s flow %g use %g", s.Name, s.Corridors[k].Name, f, sol.CorridorUse[i][k])
			}
		}
		if !scalar.EqualWithinAbsOrRel(sum, sol.Sales[i], 1e-12, 1e-12) {
			t.Errorf("%s corridor flows add to %g, sales %g", s.Name, sum, sol.Sales[i])
		}
	}
}

// TestSigns checks the signs economists expect from sanctions.
func TestSigns(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	base, _ := mustSolve(t, c, NewPolicy(m), nil, nil)
	bel := m.SupplierIndex("Belarus")
	for r, reg := range m.Regions {
		if c.Beta[bel][r] == 0 {
			continue
		}
		t.Run("ban Belarus from "+reg.Name, func(t *testing.T) {
			pol := NewPolicy(m)
			pol.Ban[bel][r] = true
			sol, _ := mustSolve(t, c, pol, nil, nil)
			if sol.Revenue[bel] >= base.Revenue[bel] || sol.ExportRev[bel] >= base.ExportRev[bel] {
				t.Errorf("Belarus revenue %g → %g", base.Revenue[bel], sol.Revenue[bel])
			}
			for i, s := range m.Suppliers {
				if i == bel {
					continue
				}
				// Rivals selling into the market gain. (Rivals elsewhere
				// may lose: Belarus diverts its tonnes to their markets.)
				if c.Beta[i][r] > 0 && sol.FOB[i] <= base.FOB[i] {
					t.Errorf("rival %s in %s did not gain: %g → %g", s.Name, reg.Name, base.FOB[i], sol.FOB[i])
				}
			}
		})
	}
	t.Run("close Klaipeda with no spare capacity", func(t *testing.T) {
		pol := NewPolicy(m)
		k := m.CorridorIndex(bel, "Klaipeda")
		pol.CorridorCap[bel][k] = 0
		sol, _ := mustSolve(t, c, pol, nil, nil)
		if sol.Exports[bel] >= base.Exports[bel] {
			t.Errorf("exports %g → %g", base.Exports[bel], sol.Exports[bel])
		}
		if sol.Binding[bel] != BindCorridor {
			t.Errorf("binding %v, want corridor", sol.Binding[bel])
		}
		// Spare room on the marginal corridor (Russian ports, 45 $/t, which
		// carried the last base tonne): the marginal cost of logistics is
		// unchanged, so exports are unchanged and Belarus loses exactly
		// the inframarginal corridor rent (45 − 25)·11 = 220 $M/yr.
		pol.CorridorCap[bel][m.CorridorIndex(bel, "RussianPorts")] = 20
		sol2, _ := mustSolve(t, c, pol, nil, nil)
		if !scalar.EqualWithinRel(sol2.Exports[bel], base.Exports[bel], tolIdentity) ||
			!scalar.EqualWithinRel(sol2.ProducerSurplus[bel], -220, tolIdentity) {
			t.Errorf("rerouted at the same marginal cost: exports %g (base %g), ΔPS %g (want −220)", sol2.Exports[bel], base.Exports[bel], sol2.ProducerSurplus[bel])
		}
		// Spare room only at a higher cost (70 $/t): exports fall, less
		// than with no spare room.
		pol.CorridorCost[bel][m.CorridorIndex(bel, "RussianPorts")] = 70
		sol3, _ := mustSolve(t, c, pol, nil, nil)
		if sol3.Exports[bel] <= sol.Exports[bel] || sol3.Exports[bel] >= base.Exports[bel] {
			t.Errorf("rerouted exports %g not between %g and %g", sol3.Exports[bel], sol.Exports[bel], base.Exports[bel])
		}
	})
	t.Run("producer and consumer surplus", func(t *testing.T) {
		pol := NewPolicy(m)
		pol.Ban[bel][m.RegionIndex("Brazil")] = true
		sol, _ := mustSolve(t, c, pol, nil, nil)
		if !(sol.ProducerSurplus[bel] < 0) || !(sol.ConsumerSurplus[m.RegionIndex("Brazil")] < 0) {
			t.Errorf("ΔPS Belarus %g, ΔCS Brazil %g: both should be negative", sol.ProducerSurplus[bel], sol.ConsumerSurplus[m.RegionIndex("Brazil")])
		}
		if !(sol.ProducerSurplus[m.SupplierIndex("Canada")] > 0) {
			t.Errorf("Canada ΔPS %g should be positive", sol.ProducerSurplus[m.SupplierIndex("Canada")])
		}
	})
}

// TestHomogeneity: the calibrated model has no money illusion in its
// units. Multiplying every price, freight and cost of the base data (and of
// the shock) by k multiplies every equilibrium price by k and leaves every
// quantity unchanged; multiplying every quantity (flows, capacities,
// corridor capacities, caps) by k multiplies every quantity by k and leaves
// prices unchanged. (Zero-degree homogeneity of a single calibrated market
// in the FOB prices alone does NOT hold: A and B are fixed in $ terms, so
// demand and mine supply respond to the price level.)
func TestHomogeneity(t *testing.T) {
	const k = 1.37
	shock := func(m *Market, p *Policy, pk, qk float64) {
		bel := m.SupplierIndex("Belarus")
		p.Ban[bel][m.RegionIndex("United States")] = true
		p.Wedge[bel][0] = 0.1
		p.CorridorCap[bel][0] = 4 * qk
		p.ExportCap[1] = 11 * qk
		p.CostShift[0] = 12 * pk
		p.CapacityAdd[9] = 0.2 * qk
		p.DemandScale[2] = 1.04
	}
	m := testMarket()
	c := mustCalibrate(t, m)
	pol := NewPolicy(m)
	shock(m, pol, 1, 1)
	ref, _ := mustSolve(t, c, pol, nil, nil)

	t.Run("prices×k", func(t *testing.T) {
		mk := testMarket()
		for i := range mk.Suppliers {
			mk.Suppliers[i].FOB *= k
			for j := range mk.Suppliers[i].Corridors {
				mk.Suppliers[i].Corridors[j].Cost *= k
			}
			for r := range mk.Regions {
				mk.Freight[i][r] *= k
			}
		}
		ck := mustCalibrate(t, mk)
		pk := NewPolicy(mk)
		shock(mk, pk, k, 1)
		sol, _ := mustSolve(t, ck, pk, nil, nil)
		for i := range sol.FOB {
			if !scalar.EqualWithinRel(sol.FOB[i], k*ref.FOB[i], tolHomog) || !scalar.EqualWithinRel(sol.Sales[i], ref.Sales[i], tolHomog) {
				t.Errorf("supplier %d: FOB %g vs k·%g, sales %g vs %g", i, sol.FOB[i], ref.FOB[i], sol.Sales[i], ref.Sales[i])
			}
			if !scalar.EqualWithinAbsOrRel(sol.ProducerSurplus[i], k*ref.ProducerSurplus[i], 1e-9, tolHomog) {
				t.Errorf("supplier %d: ΔPS %g vs k·%g", i, sol.ProducerSurplus[i], ref.ProducerSurplus[i])
			}
		}
		for r := range sol.PriceIndex {
			if !scalar.EqualWithinRel(sol.PriceIndex[r], k*ref.PriceIndex[r], tolHomog) || !scalar.EqualWithinRel(sol.Demand[r], ref.Demand[r], tolHomog) {
				t.Errorf("region %d: P %g vs k·%g", r, sol.PriceIndex[r], ref.PriceIndex[r])
			}
		}
	})
	t.Run("quantities×k", func(t *testing.T) {
		mk := testMarket()
		for i := range mk.Suppliers {
			mk.Suppliers[i].Capacity *= k
			for j := range mk.Suppliers[i].Corridors {
				mk.Suppliers[i].Corridors[j].Capacity *= k
			}
			for r := range mk.Regions {
				mk.Flows[i][r] *= k
			}
		}
		ck := mustCalibrate(t, mk)
		pk := NewPolicy(mk)
		shock(mk, pk, 1, k)
		sol, _ := mustSolve(t, ck, pk, nil, nil)
		for i := range sol.FOB {
			if !scalar.EqualWithinRel(sol.FOB[i], ref.FOB[i], tolHomog) || !scalar.EqualWithinRel(sol.Sales[i], k*ref.Sales[i], tolHomog) {
				t.Errorf("supplier %d: FOB %g vs %g, sales %g vs k·%g", i, sol.FOB[i], ref.FOB[i], sol.Sales[i], ref.Sales[i])
			}
		}
	})
}

// oneByOne is a market of one supplier (one corridor of cost c, ample
// capacity) and one region without freight.
func oneByOne(p0, q0, eta, eps, cost float64) *Market {
	return &Market{
		Suppliers: []Supplier{{Name: "S", FOB: p0, Capacity: 10 * q0, Eta: eta, Adjust: 0.5,
			Corridors: []Corridor{{Name: "c", Capacity: 10 * q0, Cost: cost}}}},
		Regions: []Region{{Name: "R", Eps: eps, Sigma: 3, Adjust: 0.5}},
		Flows:   [][]float64{{q0}},
		Freight: [][]float64{{0}},
	}
}

// TestOneMarketOneSupplier checks the solver against closed forms. With one
// variety P = p·(1+τ) and Q = A·P^(−ε) = B·p^η (corridor cost 0), so
// p = p0·(s·(1+τ)^(−ε))^(1/(η+ε)) for a demand scale s and wedge τ; at a
// binding capacity or quota K: p = p0·(s·Q0/K)^(1/ε)/(1+τ).
func TestOneMarketOneSupplier(t *testing.T) {
	const p0, q0 = 250.0, 10.0
	for _, tc := range []struct {
		name                 string
		eta, eps, tau, scale float64
		capAdd, quota        float64
		want                 float64 // $/t
		bind                 Binding
	}{
		{"wedge", 1.2, 0.4, 0.2, 1, 0, NoCap, p0 * math.Pow(1.2, -0.4/1.6), BindNone},
		{"demand", 0.7, 0.9, 0, 1.3, 0, NoCap, p0 * math.Pow(1.3, 1/1.6), BindNone},
		{"wedge and demand ε=1", 2, 1, 0.1, 0.8, 0, NoCap, p0 * math.Pow(0.8*math.Pow(1.1, -1), 1/3.0), BindNone},
		{"capacity", 1, 0.5, 0, 1, -92, NoCap, p0 * math.Pow(q0/8, 1/0.5), BindCapacity},
		{"quota with wedge", 1, 0.5, 0.1, 1.2, 0, 9, p0 * math.Pow(1.2*q0/9, 1/0.5) / 1.1, BindQuota},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := oneByOne(p0, q0, tc.eta, tc.eps, 0)
			c := mustCalibrate(t, m)
			pol := NewPolicy(m)
			pol.Wedge[0][0] = tc.tau
			pol.DemandScale[0] = tc.scale
			pol.CapacityAdd[0] = tc.capAdd
			pol.ExportCap[0] = tc.quota
			sol, _ := mustSolve(t, c, pol, nil, nil)
			if !scalar.EqualWithinRel(sol.FOB[0], tc.want, tolClosed) || sol.Binding[0] != tc.bind {
				t.Errorf("FOB %.12g (%v), closed form %.12g (%v)", sol.FOB[0], sol.Binding[0], tc.want, tc.bind)
			}
			P := tc.want * (1 + tc.tau)
			Q := tc.scale * q0 * math.Pow(P/p0, -tc.eps)
			if !scalar.EqualWithinRel(sol.PriceIndex[0], P, tolClosed) || !scalar.EqualWithinRel(sol.Demand[0], Q, tolClosed) {
				t.Errorf("P, Q = %g, %g; want %g, %g", sol.PriceIndex[0], sol.Demand[0], P, Q)
			}
			// Consumer surplus change against a numerical integral of the
			// demand curve in force from P to P0 (Simpson, 2000 panels).
			cs := simpson(func(x float64) float64 { return Q * math.Pow(P/x, tc.eps) }, P, p0, 2000)
			if !scalar.EqualWithinRel(sol.ConsumerSurplus[0], cs, 1e-9) {
				t.Errorf("ΔCS %g, integral %g", sol.ConsumerSurplus[0], cs)
			}
			// Producer surplus change: revenue net of the (zero) corridor
			// cost less the mine cost ∫ MC from S0 to S.
			S := sol.Sales[0]
			mc := func(q float64) float64 { return math.Pow(q/c.B[0], 1/tc.eta) }
			ps := tc.want*S - p0*q0 - simpson(mc, q0, S, 2000)
			if !scalar.EqualWithinRel(sol.ProducerSurplus[0], ps, 1e-9) {
				t.Errorf("ΔPS %g, integral %g", sol.ProducerSurplus[0], ps)
			}
		})
	}
}

func simpson(f func(float64) float64, a, b float64, n int) float64 {
	h := (b - a) / float64(n)
	s := f(a) + f(b)
	for k := 1; k < n; k++ {
		w := 2.0
		if k%2 == 1 {
			w = 4
		}
		s += w * f(a+float64(k)*h)
	}
	return s * h / 3
}

// TestClosedSuppliers: a supplier that cannot sell drops out, reports its
// reservation price, and never makes NaN.
func TestClosedSuppliers(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	bel := m.SupplierIndex("Belarus")
	for _, tc := range []struct {
		name  string
		apply func(p *Policy)
	}{
		{"all routes banned", func(p *Policy) {
			for r := range p.Ban[bel] {
				p.Ban[bel][r] = true
			}
		}},
		{"capacity 0", func(p *Policy) { p.CapacityAdd[bel] = -100 }},
		{"export cap 0", func(p *Policy) { p.ExportCap[bel] = 0 }},
		{"all corridors closed", func(p *Policy) {
			for k := range p.CorridorCap[bel] {
				p.CorridorCap[bel][k] = 0
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := NewPolicy(m)
			tc.apply(pol)
			sol, _ := mustSolve(t, c, pol, nil, nil)
			checkClearing(t, c, pol, sol)
			if sol.Binding[bel] != BindClosed || sol.Sales[bel] != 0 || sol.Revenue[bel] != 0 || sol.Netback[bel] != 0 {
				t.Errorf("binding %v sales %g revenue %g netback %g", sol.Binding[bel], sol.Sales[bel], sol.Revenue[bel], sol.Netback[bel])
			}
			if sol.FOB[bel] != 25 && tc.name != "all corridors closed" {
				t.Errorf("reservation FOB %g, want the Klaipeda cost 25", sol.FOB[bel])
			}
			if !(sol.ProducerSurplus[bel] < 0) {
				t.Errorf("ΔPS %g", sol.ProducerSurplus[bel])
			}
		})
	}
	t.Run("region with no open variety", func(t *testing.T) {
		pol := NewPolicy(m)
		us := m.RegionIndex("United States")
		for i := range m.Suppliers {
			pol.Ban[i][us] = true
		}
		sol, res := mustSolve(t, c, pol, nil, nil)
		checkClearing(t, c, pol, sol)
		// Not traded: no price, no demand (0, never NaN), flagged.
		if sol.Traded[us] || sol.Demand[us] != 0 || sol.ImportBill[us] != 0 || sol.PriceIndex[us] != 0 {
			t.Errorf("closed region: traded %v demand %g bill %g index %g", sol.Traded[us], sol.Demand[us], sol.ImportBill[us], sol.PriceIndex[us])
		}
		if !scalar.EqualWithinRel(sol.ConsumerSurplus[us], -c.P0[us]*c.Q0[us], tolIdentity) {
			t.Errorf("ΔCS %g, want the base expenditure lost %g", sol.ConsumerSurplus[us], -c.P0[us]*c.Q0[us])
		}
		for r := range m.Regions {
			if r != us && !sol.Traded[r] {
				t.Errorf("%s not traded", m.Regions[r].Name)
			}
		}
		if sol.Binding[m.SupplierIndex("United States")] != BindClosed {
			t.Errorf("US producer, banned from its only market, is not closed")
		}
		if res.Status != Converged {
			t.Errorf("status %v", res.Status)
		}
	})
	t.Run("everyone closed", func(t *testing.T) {
		pol := NewPolicy(m)
		for i := range m.Suppliers {
			pol.ExportCap[i] = 0
		}
		sol, _ := mustSolve(t, c, pol, nil, nil)
		checkFinite(t, sol)
	})
}

// TestCapacityExpansion: after a 40% demand boom Canada is capacity-bound;
// adding 4 Mt/yr (Jansen-like) raises its sales and lowers prices.
func TestCapacityExpansion(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	can := m.SupplierIndex("Canada")
	pol := NewPolicy(m)
	for r := range pol.DemandScale {
		pol.DemandScale[r] = 1.4
	}
	boom, _ := mustSolve(t, c, pol, nil, nil)
	if boom.Binding[can] != BindCapacity {
		t.Fatalf("Canada not capacity-bound in the boom: %v", boom.Binding[can])
	}
	pol.CapacityAdd[can] = 4
	sol, _ := mustSolve(t, c, pol, nil, boom.FOB)
	checkClearing(t, c, pol, sol)
	if sol.Sales[can] <= boom.Sales[can] || sol.Benchmark >= boom.Benchmark {
		t.Errorf("Canada sales %g → %g, benchmark %g → %g", boom.Sales[can], sol.Sales[can], boom.Benchmark, sol.Benchmark)
	}
}

// TestTariffQuotaClosedForm checks the tariff-rate quota against a
// hand-computed market on both sides of its kink and at it: one supplier
// (base FOB 100 $/t, corridor cost 20, base sales 10 Mt/yr, η = 1) and one
// region (no freight, ε = 1), so that
//
//	supply  S = B·(p − 20),  B = 10/(100 − 20) = 0.125
//	demand  Q = A/p_d,       A = 10·100 = 1000,  p_d = p·(1 + ϑ)
//
// with in-quota rate 10% and out-of-quota rate 50%. Then:
//
//   - quota not filled, ϑ = 0.1: 0.125(p − 20) = 1000/(1.1p) ⇒
//     p² − 20p − 8000/1.1 = 0 ⇒ p = 10 + √(100 + 8000/1.1) = 95.8646…,
//     x = 0.125(p − 20) = 9.4831… Mt/yr, no rent;
//   - quota binding at 9 Mt/yr: supply 9 = 0.125(p − 20) ⇒ p = 92;
//     demand 9 = 1000/p_d ⇒ p_d = 111.11…, ϑ = p_d/92 − 1 = 0.2077…;
//     rent (p_d − 1.1·92)·9 = (1000/9 − 101.2)·9 = 89.2 $M/yr;
//   - over the quota of 5 Mt/yr, ϑ = 0.5: 0.125(p − 20) = 1000/(1.5p) ⇒
//     p = 10 + √(100 + 8000/1.5) = 83.7111…, x = 7.9639…, rent
//     0.4·p·5 = 167.42… $M/yr (the in-quota tonnes pay 40 points less);
//   - at the kinks: a quota equal to the first flow (ϑ = 0.1, no rent),
//     and equal to the third (ϑ = 0.5, rent 0.4·p·x).
func TestTariffQuotaClosedForm(t *testing.T) {
	pIn := 10 + math.Sqrt(100+8000/1.1)
	pOut := 10 + math.Sqrt(100+8000/1.5)
	xIn, xOut := 0.125*(pIn-20), 0.125*(pOut-20)
	for _, tc := range []struct {
		name           string
		quota          float64
		p, theta, rent float64
	}{
		{"below the kink: quota not filled", 20, pIn, 0.1, 0},
		{"at the lower kink", xIn, pIn, 0.1, 0},
		{"binding", 9, 92, 1000.0/9/92 - 1, 1000 - 101.2*9},
		{"at the upper kink", xOut, pOut, 0.5, 0.4 * pOut * xOut},
		{"above the kink: over quota", 5, pOut, 0.5, 0.4 * pOut * 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := oneByOne(100, 10, 1, 1, 20)
			c := mustCalibrate(t, m)
			pol := NewPolicy(m)
			pol.TRQIn[0][0], pol.TRQOut[0][0], pol.TRQQuota[0][0] = 0.1, 0.5, tc.quota
			sol, _ := mustSolve(t, c, pol, nil, nil)
			x := 0.125 * (tc.p - 20)
			if !scalar.EqualWithinRel(sol.FOB[0], tc.p, tolClosed) || !scalar.EqualWithinRel(sol.Flow[0][0], x, tolClosed) {
				t.Errorf("FOB %.12g flow %.12g; want %.12g, %.12g", sol.FOB[0], sol.Flow[0][0], tc.p, x)
			}
			if pd := tc.p * (1 + tc.theta); !scalar.EqualWithinRel(sol.Delivered[0][0], pd, tolClosed) || !scalar.EqualWithinRel(sol.PriceIndex[0], pd, tolClosed) {
				t.Errorf("delivered %.12g, index %.12g; want %.12g", sol.Delivered[0][0], sol.PriceIndex[0], pd)
			}
			if !scalar.EqualWithinAbsOrRel(sol.TRQRent[0], tc.rent, 1e-9, tolClosed) {
				t.Errorf("quota rent %.12g, want %.12g", sol.TRQRent[0], tc.rent)
			}
			checkClearing(t, c, pol, sol)
		})
	}
}

// TestTariffQuotaLimits checks the tariff-rate quota against the wedge it
// reduces to in its limits, on the 11×7 test market (Russia→Europe, a
// route with a base flow): no quota is the in-quota rate as a wedge, a
// zero quota the out-of-quota rate, equal rates that rate; between them a
// larger quota lowers Europe's price index and the rent is never negative.
func TestTariffQuotaLimits(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	rus, eu := m.SupplierIndex("Russia"), m.RegionIndex("Europe")
	solveWith := func(q, tin, tout, wedge float64) *Solution {
		pol := NewPolicy(m)
		pol.TRQQuota[rus][eu], pol.TRQIn[rus][eu], pol.TRQOut[rus][eu] = q, tin, tout
		pol.Wedge[rus][eu] = wedge
		sol, _ := mustSolve(t, c, pol, nil, nil)
		checkClearing(t, c, pol, sol)
		return sol
	}
	same := func(name string, a, b *Solution) {
		t.Helper()
		for i := range a.FOB {
			if !scalar.EqualWithinRel(a.FOB[i], b.FOB[i], tolClear) {
				t.Errorf("%s: FOB[%d] %.12g vs %.12g", name, i, a.FOB[i], b.FOB[i])
			}
		}
	}
	same("no quota = in-quota wedge", solveWith(NoCap, 0.05, 0.6, 0), solveWith(NoCap, 0, 0, 0.05))
	same("zero quota = out-of-quota wedge", solveWith(0, 0.05, 0.6, 0), solveWith(NoCap, 0, 0, 0.6))
	same("equal rates = wedge", solveWith(0.5, 0.2, 0.2, 0), solveWith(NoCap, 0, 0, 0.2))
	x0 := m.Flows[rus][eu]
	prev := math.Inf(1)
	for _, f := range []float64{0.2, 0.5, 0.8, 0.95, 1.2} {
		sol := solveWith(f*x0, 0, 0.6, 0)
		if P := sol.PriceIndex[eu]; P > prev*(1+tolClear) {
			t.Errorf("quota %g·x0: Europe's index %g rose from %g", f, P, prev)
		} else {
			prev = P
		}
		if sol.TRQRent[eu] < 0 {
			t.Errorf("negative rent %g", sol.TRQRent[eu])
		}
	}
}
