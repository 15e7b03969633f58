package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// routeMarket is a one-supplier, two-region market for the hand-computed
// route cases: unit-elastic demand, no freight, so x[A] = A_A/p and
// x[B] = A_B/p; base price 100, flows 4 and 6, η = 1 with no cost data.
func routeMarket(cs ...Corridor) *Market {
	return &Market{
		Name: "routes", BaseYear: 2020, Benchmark: "A",
		Suppliers: []Supplier{{Name: "S", FOB: 100, Capacity: 100, Eta: 1, Adjust: 1, Corridors: cs}},
		Regions: []Region{{Name: "A", Eps: 1, Sigma: 4, Adjust: 1},
			{Name: "B", Eps: 1, Sigma: 4, Adjust: 1}},
		Flows:   [][]float64{{4, 6}},
		Freight: [][]float64{{0, 0}},
	}
}

// facilityMarket is a two-supplier, two-region market for the
// hand-computed facility cases: X sells to A only, Y to B only
// (x = A_r/p, unit-elastic, no freight), base prices 100 and flows 10.
// X ships through PortX, Y through PortY and then Alt; PortX and PortY
// share the facility F (capacity 16: full at base, 10 + 6).
func facilityMarket(altCost float64) *Market {
	return &Market{
		Name: "facility", BaseYear: 2020, Benchmark: "A",
		Suppliers: []Supplier{
			{Name: "X", FOB: 100, Capacity: 100, Eta: 1, Adjust: 1,
				Corridors: []Corridor{{Name: "PortX", Capacity: 15, Cost: 20, Facility: "F"}}},
			{Name: "Y", FOB: 100, Capacity: 100, Eta: 1, Adjust: 1,
				Corridors: []Corridor{{Name: "PortY", Capacity: 6, Cost: 20, Facility: "F"}, {Name: "Alt", Capacity: 10, Cost: altCost}}},
		},
		Regions: []Region{{Name: "A", Eps: 1, Sigma: 4, Adjust: 1},
			{Name: "B", Eps: 1, Sigma: 4, Adjust: 1}},
		Flows:      [][]float64{{10, 0}, {0, 10}},
		Freight:    [][]float64{{0, 0}, {0, 0}},
		Facilities: []Facility{{Name: "F", Capacity: 16}},
	}
}

// checkRentIdentity checks NetbackRevenue − ExportTax = the rents + C(S)
// (docs/MODEL.md, section 6.1) for every supplier of sol.
func checkRentIdentity(t *testing.T, c *Calibrated, sol *Solution) {
	t.Helper()
	for i, s := range c.Market.Suppliers {
		S := sol.Sales[i]
		cost := s.Eta / (s.Eta + 1) * S * sol.MarginalCost[i]
		sum := sol.MarkupRent[i] + sol.CorridorRent[i] + sol.CapacityRent[i] + sol.QuotaRent[i] + sol.AdjustmentRent[i] +
			sol.MineRent[i] + sol.RouteRent[i] + sol.FacilityRent[i] + cost
		if got := sol.NetbackRevenue[i] - sol.ExportTax[i]; !scalar.EqualWithinAbsOrRel(got, sum, 1e-9, 1e-9) {
			t.Errorf("%s: netback revenue − export tax %.10g, rents + cost %.10g", s.Name, got, sum)
		}
	}
}

// TestRouteDestinationClosedForm solves the route cases by hand.
//
// One supplier S, regions A and B with x[A] = 400/p, x[B] = 600/p at base
// (p0 = 100, S0 = 10, η = 1, MC0 = m0 so B = S0/m0).
//
//   - Rail (cost 10, 4 Mt/yr) serves A only; Port (cost 20, 6 Mt/yr) serves
//     both; m0 = 80, B = 1/8, MC(S) = 8·S. The port is cut to 3 Mt/yr.
//     Only the port reaches B: 600/p = 3 ⇒ p = 200. A has its own price
//     (route-level rents, section 3.4): at the mine value v = 8·S with
//     room on the rail, p_A − 10 = 8·(3 + 400/p_A) gives p_A = 76.07 and
//     x[A] = 5.26 > 4, so the rail is full and A's price fills it:
//     p_A = 100, x[A] = 4, S = 7, MC = 56. In the fill the rail costs
//     10 + (200 − 100) = 110 and carries the last tonne: m̃ = 200 − 110 =
//     90, corridor rent (m̃ − MC)·S = 34·7 = 238 $M/yr, and route rent
//     (110 − 20)·3 + (110 − 10)·4 − (200 − 100)·4 = 270 (the rail's rent
//     100 − 10 − 56 = 34 on 4 and the port's 200 − 20 − 56 = 124 on 3 add
//     up to 508). Were rail to
//     serve every region (the old model), S = 7 and p = 1000/7 = 142.857 $/t.
//   - Rail with its own freight 15 $/t to A (the route's is 0) costs
//     10 + 15 = 25 > 20, so the port fills first: base m0 = 100 − 25 = 75
//     and logistics cost 20·6 + 25·4 = 220 $M/yr. B's demand up 50%
//     (x[B] = 900/p): only the port reaches B, so x[B] = 6 ⇒ p = 150. The
//     rail has room at A's own price p_A = v + 25 with v = 7.5·(6 + 400/p_A)
//     while it is not full: p_A² − 70·p_A − 3000 = 0, p_A = 100, and
//     x[A] = 4 fills it exactly.
func TestRouteDestinationClosedForm(t *testing.T) {
	rail := Corridor{Name: "Rail", Capacity: 4, Cost: 10, Serves: []Serve{{Region: "A"}}}
	port := Corridor{Name: "Port", Capacity: 6, Cost: 20}
	for _, tc := range []struct {
		name       string
		m          *Market
		shock      func(pol *Policy)
		p, xA, xB  float64
		rail, port float64 // corridor flows
		logistics  float64
		check      func(t *testing.T, sol *Solution)
	}{
		{"rail serves A only", routeMarket(rail, port), func(pol *Policy) { pol.CorridorCap[0][1] = 3 },
			200, 4, 3, 4, 3, 10*4 + 20*3, func(t *testing.T, sol *Solution) {
				if sol.Binding[0] != BindCorridor || !scalar.EqualWithinRel(sol.CorridorRent[0], 238, tolClosed) ||
					!scalar.EqualWithinRel(sol.RouteRent[0], 270, tolClosed) || !scalar.EqualWithinRel(sol.CFR[0][0], 100, tolClosed) {
					t.Errorf("binding %v, corridor rent %g (want 238), route rent %g (want 270), A's price %g (want 100)", sol.Binding[0], sol.CorridorRent[0], sol.RouteRent[0], sol.CFR[0][0])
				}
			}},
		{"rail serves every region (old model)", routeMarket(Corridor{Name: "Rail", Capacity: 4, Cost: 10}, port), func(pol *Policy) { pol.CorridorCap[0][1] = 3 },
			1000.0 / 7, 2.8, 4.2, 4, 3, 10*4 + 20*3, nil},
		{"rail with its own freight: base", routeMarket(Corridor{Name: "Rail", Capacity: 4, Cost: 10, Serves: []Serve{{Region: "A", Freight: 15, Own: true}}}, port), func(*Policy) {},
			100, 4, 6, 4, 6, 220, func(t *testing.T, sol *Solution) {
				if !scalar.EqualWithinRel(sol.Netback[0], (1000-220)/10.0, tolClosed) {
					t.Errorf("netback %g, want 78", sol.Netback[0])
				}
			}},
		{"rail with its own freight: B's demand up 50%", routeMarket(Corridor{Name: "Rail", Capacity: 4, Cost: 10, Serves: []Serve{{Region: "A", Freight: 15, Own: true}}}, port),
			func(pol *Policy) { pol.DemandScale[1] = 1.5 },
			150, 4, 6, 4, 6, 20*6 + 25*4, func(t *testing.T, sol *Solution) {
				if !scalar.EqualWithinRel(sol.CFR[0][0], 100, tolClosed) {
					t.Errorf("A's price %g, want 100", sol.CFR[0][0])
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustCalibrate(t, tc.m)
			pol := NewPolicy(tc.m)
			tc.shock(pol)
			sol, _ := mustSolve(t, c, pol, nil, nil)
			for _, v := range []struct {
				what      string
				got, want float64
			}{{"p", sol.FOB[0], tc.p}, {"x[A]", sol.Flow[0][0], tc.xA}, {"x[B]", sol.Flow[0][1], tc.xB},
				{"rail flow", sol.CorridorFlow[0][0], tc.rail}, {"port flow", sol.CorridorFlow[0][1], tc.port},
				{"logistics cost", sol.LogisticsCost[0], tc.logistics}} {
				if !scalar.EqualWithinRel(v.got, v.want, tolClosed) {
					t.Errorf("%s = %.12g, want %.12g", v.what, v.got, v.want)
				}
			}
			if tc.check != nil {
				tc.check(t, sol)
			}
			checkRentIdentity(t, c, sol)
		})
	}
}

// TestSharedFacilityClosedForm solves the facility cases by hand
// (facilityMarket): x_X = A_A/p_X, x_Y = A_B/p_Y, B_X = 10/80 = 1/8.
//
//   - Alt costs 60 (B_Y = 10/40): A's demand up 20% (A_A = 1200). X needs
//     a slot of F for every extra tonne, and Y's PortY (20 + ρ < 60) stays
//     full at 6, so x_X = 16 − 6 = 10 ⇒ p_X = 120, and X's supply
//     (p_X − 20 − ρ)/8 = 10 ⇒ ρ = 20 $/t. Y is untouched: interior on
//     Alt, (p_Y − 60)/4 = 1000/p_Y ⇒ p_Y = 100. Facility rent: X 20·10 =
//     200, Y 20·6 = 120 $M/yr.
//   - Alt costs 30 (B_Y = 10/70): A's demand up 44% (A_A = 1440). At
//     ρ < 10 PortY stays full and X would need ρ = 144 − 20 − 80 = 44;
//     at ρ > 10 Y moves everything to Alt and F has room. So ρ = 10: Y is
//     indifferent between PortY and Alt, and F's capacity sets the split.
//     X: (p_X − 30)/8 = 1440/p_X ⇒ p_X = 15 + √11745 = 123.374 $/t,
//     x_X = 11.672; Y: (p_Y − 30)/7 = 1000/p_Y ⇒ p_Y = 100, S_Y = 10;
//     PortY carries 16 − x_X = 4.328 and Alt 5.672. (The solver blends
//     the two orders over tieWidth, so ρ is 10 within tieWidth/2 and p_X
//     solves X's equation at the solver's ρ.)
func TestSharedFacilityClosedForm(t *testing.T) {
	t.Run("no tie", func(t *testing.T) {
		m := facilityMarket(60)
		c := mustCalibrate(t, m)
		pol := NewPolicy(m)
		pol.DemandScale[0] = 1.2
		sol, _ := mustSolve(t, c, pol, nil, nil)
		for _, v := range []struct {
			what      string
			got, want float64
		}{{"ρ", sol.FacilityValue[0], 20}, {"p_X", sol.FOB[0], 120}, {"p_Y", sol.FOB[1], 100}, {"x_X", sol.Sales[0], 10},
			{"use", sol.FacilityUse[0], 16}, {"PortY", sol.CorridorFlow[1][0], 6}, {"Alt", sol.CorridorFlow[1][1], 4},
			{"X's facility rent", sol.FacilityRent[0], 200}, {"Y's facility rent", sol.FacilityRent[1], 120}} {
			if !scalar.EqualWithinRel(v.got, v.want, tolClosed) {
				t.Errorf("%s = %.12g, want %.12g", v.what, v.got, v.want)
			}
		}
		checkRentIdentity(t, c, sol)
	})
	t.Run("Y indifferent", func(t *testing.T) {
		m := facilityMarket(30)
		c := mustCalibrate(t, m)
		pol := NewPolicy(m)
		pol.DemandScale[0] = 1.44
		sol, _ := mustSolve(t, c, pol, nil, nil)
		rho := sol.FacilityValue[0]
		if math.Abs(rho-10) > tieWidth/2 {
			t.Fatalf("ρ = %.9g, want 10 within %g", rho, tieWidth/2)
		}
		a := 20 + rho
		pX := (a + math.Sqrt(a*a+4*8*1440)) / 2
		xX := 1440 / pX
		for _, v := range []struct {
			what      string
			got, want float64
		}{{"p_X", sol.FOB[0], pX}, {"p_Y", sol.FOB[1], 100}, {"S_Y", sol.Sales[1], 10}, {"use", sol.FacilityUse[0], 16},
			{"PortY", sol.CorridorFlow[1][0], 16 - xX}, {"Alt", sol.CorridorFlow[1][1], 10 - (16 - xX)},
			{"X's facility rent", sol.FacilityRent[0], rho * xX}, {"Y's facility rent", sol.FacilityRent[1], rho * (16 - xX)}} {
			if !scalar.EqualWithinRel(v.got, v.want, 1e-9) {
				t.Errorf("%s = %.12g, want %.12g", v.what, v.got, v.want)
			}
		}
		if math.Abs(pX-(15+math.Sqrt(11745))) > 0.01 {
			t.Errorf("p_X %.6g far from the exact-tie value %.6g", pX, 15+math.Sqrt(11745))
		}
		checkRentIdentity(t, c, sol)
	})
	t.Run("base year", func(t *testing.T) {
		m := facilityMarket(30)
		c := mustCalibrate(t, m)
		sol, res := mustSolve(t, c, NewPolicy(m), nil, nil)
		if res.Iterations != 0 || sol.FacilityValue[0] != 0 || !scalar.EqualWithinRel(sol.FacilityUse[0], 16, tolIdentity) {
			t.Errorf("base: %d iterations, ρ %g, use %g (want 0, 0, 16)", res.Iterations, sol.FacilityValue[0], sol.FacilityUse[0])
		}
	})
}

// TestRoutesCalibrateErrors: invalid served regions and facilities are
// errors naming the field.
func TestRoutesCalibrateErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(m *Market)
		want string
	}{
		{"unknown region", func(m *Market) { m.Suppliers[1].Corridors[1].Serves = []Serve{{Region: "C"}} },
			`suppliers[Y].corridors[Alt].serves[C]: unknown region "C"`},
		{"unknown facility", func(m *Market) { m.Suppliers[1].Corridors[1].Facility = "G" },
			`suppliers[Y].corridors[Alt].facility: unknown facility "G"`},
		{"region twice", func(m *Market) { m.Suppliers[1].Corridors[1].Serves = []Serve{{Region: "B"}, {Region: "B"}} },
			"suppliers[Y].corridors[Alt].serves[B]: region listed twice"},
		{"overlapping tied corridors", func(m *Market) {
			m.Suppliers[1].Corridors = append(m.Suppliers[1].Corridors, Corridor{Name: "Rail", Capacity: 1, Cost: 5, Serves: []Serve{{Region: "B"}}})
			m.Suppliers[1].Corridors[1].Serves = []Serve{{Region: "B"}}
		}, "suppliers[Y].corridors[Rail].serves[B]: also served by corridor Alt"},
		{"facility corridor tied", func(m *Market) { m.Suppliers[1].Corridors[0].Serves = []Serve{{Region: "B"}} },
			"suppliers[Y].corridors[PortY].facility: a corridor using a shared facility must serve every region"},
		{"negative own freight", func(m *Market) { m.Suppliers[1].Corridors[1].Serves = []Serve{{Region: "B", Freight: -1, Own: true}} },
			"suppliers[Y].corridors[Alt].serves[B].freight: -1 must be a finite number ≥ 0"},
		{"facility below base use", func(m *Market) { m.Facilities[0].Capacity = 15 },
			"facilities[F].capacity: 15 Mt/yr is below its base-year use 16 Mt/yr"},
		{"duplicate facility", func(m *Market) { m.Facilities = append(m.Facilities, Facility{Name: "F", Capacity: 1}) },
			"facilities[F].name: duplicate facility"},
		{"tied corridor short", func(m *Market) {
			m.Suppliers[1].Corridors[1].Serves = []Serve{{Region: "A"}} // Y sells nothing in A
		}, "suppliers[Y].corridors: total capacity 6 Mt/yr cannot carry base sales 10 Mt/yr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := facilityMarket(30)
			tc.edit(m)
			_, err := Calibrate(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// routedTestMarket is testMarket with rail tied to China — Belarus's
// ChinaRail with its own freight, Russia's FarEast — and the Russian
// Baltic ports a facility shared by Russia's Baltic corridor and
// Belarus's RussianPorts (capacity one above Russia's base use).
func routedTestMarket() *Market {
	m := testMarket()
	rus, bel := m.SupplierIndex("Russia"), m.SupplierIndex("Belarus")
	m.Suppliers[rus].Corridors[0].Serves = []Serve{{Region: "China"}}
	m.Suppliers[rus].Corridors[1].Facility = "RussianBaltic"
	m.Suppliers[bel].Corridors[1].Facility = "RussianBaltic"
	m.Suppliers[bel].Corridors[2].Serves = []Serve{{Region: "China", Freight: 30, Own: true}}
	m.Facilities = []Facility{{Name: "RussianBaltic", Capacity: 13}}
	return m
}

// withRoutes ties one corridor of some suppliers of a random market to a
// random set of regions (some with their own freight) and makes a
// facility shared by the last corridor of two suppliers, at its base use
// (so that shocks bind it about half the time).
func withRoutes(rng *rand.Rand, m *Market) {
	R := len(m.Regions)
	for i := range m.Suppliers {
		cs := m.Suppliers[i].Corridors
		if len(cs) < 2 || rng.Float64() < 0.3 {
			continue
		}
		var served []Serve
		for r := 0; r < R; r++ {
			if rng.Float64() < 0.5 {
				sv := Serve{Region: m.Regions[r].Name}
				if rng.Float64() < 0.5 {
					sv.Own, sv.Freight = true, math.Max(0, m.Freight[i][r]+rng.Float64()*30-10)
				}
				served = append(served, sv)
			}
		}
		if len(served) == 0 || len(served) == R {
			continue
		}
		cs[0].Serves = served
		cs[len(cs)-1].Capacity += cs[0].Capacity // the others carry what it cannot
	}
	if len(m.Suppliers) < 2 {
		return
	}
	a := rng.IntN(len(m.Suppliers))
	b := (a + 1 + rng.IntN(len(m.Suppliers)-1)) % len(m.Suppliers)
	var use float64
	for _, i := range []int{a, b} {
		s := &m.Suppliers[i]
		k := len(s.Corridors) - 1
		s.Corridors[k].Facility = "F"
		var s0 float64
		for _, x := range m.Flows[i] {
			s0 += x
		}
		flows, _, _ := baseFill(m, i, s0)
		use += flows[k]
	}
	m.Facilities = []Facility{{Name: "F", Capacity: use * (1 + 0.05*rng.Float64())}}
}

// TestRoutesRandomSolves: random markets with tied corridors and a shared
// facility under random shocks converge (or say why), clear every market
// by the independent level-form check, keep every facility's
// complementarity and the rent identity, and reproduce the base year in
// zero iterations.
func TestRoutesRandomSolves(t *testing.T) {
	converged := 0
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 31))
			m := randomMarket(rng, 2+rng.IntN(5), 1+rng.IntN(5))
			withRoutes(rng, m)
			c := withRandomCosts(t, rng, m)
			sol, res := mustSolve(t, c, NewPolicy(c.Market), nil, nil)
			if res.Iterations != 0 {
				t.Errorf("base year: %d iterations, want 0", res.Iterations)
			}
			for i := range m.Suppliers {
				if !scalar.EqualWithinRel(sol.FOB[i], m.Suppliers[i].FOB, tolIdentity) {
					t.Errorf("base FOB[%d] = %g, want %g", i, sol.FOB[i], m.Suppliers[i].FOB)
				}
			}
			pol := NewPolicy(c.Market)
			randomShock(rng, c, pol)
			if seed%2 == 0 {
				randomSanctions(rng, c, pol)
			}
			sol = NewSolution(c)
			r, err := NewSolver(c).Solve(pol, nil, nil, sol)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != Converged {
				return // the property tests check the reasons
			}
			converged++
			checkRentIdentity(t, c, sol)
			for f, fc := range c.Market.Facilities {
				u, rho := sol.FacilityUse[f], sol.FacilityValue[f]
				if u > fc.Capacity*(1+1e-9)+1e-12 || rho < 0 || (rho > 0 && !scalar.EqualWithinRel(u, fc.Capacity, 1e-9)) {
					t.Errorf("facility %s: use %g of %g at ρ = %g", fc.Name, u, fc.Capacity, rho)
				}
			}
			for i := range m.Suppliers {
				var s float64
				for k := range m.Suppliers[i].Corridors {
					f := sol.CorridorFlow[i][k]
					if f < -1e-12 || f > pol.CorridorCap[i][k]*(1+1e-9)+1e-12 {
						t.Errorf("corridor %d/%d flow %g of %g", i, k, f, pol.CorridorCap[i][k])
					}
					s += f
					if rc := c.reach[i][k]; rc != nil {
						var x float64
						for _, r := range rc {
							x += sol.Flow[i][r]
						}
						if f > x*(1+1e-9)+1e-12 {
							t.Errorf("tied corridor %d/%d carries %g, its regions buy %g", i, k, f, x)
						}
					}
				}
				if !scalar.EqualWithinAbsOrRel(s, sol.Sales[i], 1e-9, 1e-9) {
					t.Errorf("supplier %d: corridor flows %g, sales %g", i, s, sol.Sales[i])
				}
			}
		})
	}
	if converged < 40 {
		t.Errorf("only %d of 60 shocked solves converged", converged)
	}
}

// TestNoAllocsRoutes: tied corridors and a binding shared facility
// allocate nothing per solve (routedTestMarket with Klaipėda closed:
// Belarus's rerouted tonnes and Russia's exports compete for the Russian
// Baltic ports).
func TestNoAllocsRoutes(t *testing.T) {
	m := routedTestMarket()
	c := mustCalibrate(t, m)
	s, sol, pol := NewSolver(c), NewSolution(c), NewPolicy(m)
	bel := m.SupplierIndex("Belarus")
	pol.CorridorCap[bel][0] = 0
	lag := &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...)}
	for _, tc := range []struct {
		name string
		lag  *Lag
	}{{"long run", nil}, {"short run", lag}} {
		res, err := s.Solve(pol, tc.lag, nil, sol)
		if err != nil || res.Status != Converged {
			t.Fatal(err, res)
		}
		if sol.FacilityValue[0] <= 0 {
			t.Errorf("%s: the Russian Baltic ports do not bind (ρ = %g, use %g)", tc.name, sol.FacilityValue[0], sol.FacilityUse[0])
		}
		allocs := testing.AllocsPerRun(20, func() {
			if res, err := s.Solve(pol, tc.lag, nil, sol); err != nil || res.Status != Converged {
				t.Fatal(err, res)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per solve", tc.name, allocs)
		}
	}
}
