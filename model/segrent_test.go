package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// rentRouteMarket is the market of TestSegmentRouteRentCompetesAway: one
// supplier (p0 = 100, S0 = 10, η = 1, no cost data: L = 0), regions A
// (x = 400/p_A at base) and B (x = 600/p_0), Rail to A only (capacity 6,
// cost 10: room at base, A buys 4), Port1 (capacity 3, cost 20) and
// Port2 (capacity 4, cost 30) to both.
func rentRouteMarket() *Market {
	return routeMarket(
		Corridor{Name: "Rail", Capacity: 6, Cost: 10, Serves: []Serve{{Region: "A"}}},
		Corridor{Name: "Port1", Capacity: 3, Cost: 20},
		Corridor{Name: "Port2", Capacity: 4, Cost: 30})
}

// TestSegmentRouteRentCompetesAway checks the base route rent e_k
// (docs/MODEL.md, section 3.4, "The base year") against hand-computed
// equilibria: a ceiling on the segment's price above its competitive
// price, not a cost, so that it falls when the supplier's marginal
// corridor gets cheaper (the Jansen case: Canada's rail against a
// roomier Vancouver).
//
// Base (rentRouteMarket): Rail carries A's 4, Port1 3, Port2 the last 3,
// so m0 = 100 − 30 = 70, MC(S) = 7·S, and the rail, with room and 20 $/t
// cheaper than Port2, has e = 30 − 10 = 20 $/t: every route pays 100.
//
//   - Port1 raised to 8 (the Jansen case): Rail and Port1 carry up to 12
//     at most 20 $/t, Port1 is marginal with room, p_0 = v + 20, and the
//     segment pays min(p_0, v + 10 + 20) = p_0: one price with
//     p − 20 = 7·1000/p, p = 10 + √7100 = 94.26 $/t (S = 10.61: Port1
//     carries 6.37 of 8, the rail A's 4.24). The rail's rent falls from
//     20 to p − 10 − v = 10 $/t. Carried as a cost (before), e made the
//     rail cost 30 in the fill, as Port2, which stayed the marginal cost
//     of shipping while the rail had room: p stayed 100.
//   - Port2 cut to 1 (the ports ration, the rail has room): B only
//     through the ports, 600/p_0 = 4, p_0 = 150. A pays its competitive
//     price plus e, p_A = v + 30 with v = 7·(4 + 400/p_A):
//     p_A² − 58·p_A − 2800 = 0, p_A = 29 + √3641 = 89.34 $/t, and the
//     rail's rent is e = 20 $/t.
//   - Port1 raised to 8, capacity cut to 10: S = K whatever the fill,
//     one price clears it, 1000/p = 10, p = 100, and the rail carries
//     A's 4 (Port1 6, with room: v = 100 − 20 = 80, the rail's rent
//     10 $/t).
//   - Port2 cut to 1, capacity cut to 8 (Germany in a stress draw of
//     eu-relief: capacity and the ports bind together, the rail has
//     room): B takes the ports' 4, p_0 = 150, A what the capacity
//     leaves, 400/p_A = 4, p_A = 100, and v = p_A − 30 = 70: the rail
//     nets v + e. Without e_k in the plain order (plainOrder) this row
//     had no root but z = 0 and the solve stopped at the iteration
//     limit.
func TestSegmentRouteRentCompetesAway(t *testing.T) {
	pJ := 10 + math.Sqrt(7100)
	pR := 29 + math.Sqrt(3641)
	cases := []struct {
		name             string
		port1, port2, K  float64 // capacities
		pA, p0, railRent float64 // FOB to A and B, $/t; the rail's rent p_A − c − v, $/t (checked below capacity)
	}{
		{"base", 3, 4, 100, 100, 100, 20},
		{"Port1 raised to 8: the rent falls", 8, 4, 100, pJ, pJ, pJ - 10 - 7*1000/pJ},
		{"Port2 cut to 1: the rent stays e", 3, 1, 100, pR, 150, 20},
		{"Port1 raised to 8, at capacity", 8, 4, 10, 100, 100, 10},
		{"Port2 cut to 1, at capacity", 3, 1, 8, 100, 150, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := rentRouteMarket()
			c := mustCalibrate(t, m)
			if e := c.segRent[0][0]; !scalar.EqualWithinAbs(e, 20, 1e-12) {
				t.Fatalf("Calibrate: e = %g $/t, want 20", e)
			}
			pol := NewPolicy(m)
			pol.CorridorCap[0][1] = tc.port1
			pol.CorridorCap[0][2] = tc.port2
			pol.CapacityAdd[0] = tc.K - m.Suppliers[0].Capacity
			st, ok := bruteSegPrices(c, pol)
			if !ok {
				t.Fatal("reference: no convergence")
			}
			if !scalar.EqualWithinRel(st.P[0][0], tc.pA, tolClosedForm) || !scalar.EqualWithinRel(st.P[0][1], tc.p0, tolClosedForm) {
				t.Errorf("reference: p_A, p_0 = %.10g, %.10g; want %.10g, %.10g", st.P[0][0], st.P[0][1], tc.pA, tc.p0)
			}
			sol, _ := mustSolve(t, c, pol, nil, nil)
			pA := solRoutePrice(c, sol, 0, 0)
			if !scalar.EqualWithinRel(pA, tc.pA, tolClosedForm) || !scalar.EqualWithinRel(sol.FOB[0], tc.p0, tolClosedForm) {
				t.Errorf("Solve: p_A, p_0 = %.10g, %.10g; want %.10g, %.10g", pA, sol.FOB[0], tc.pA, tc.p0)
			}
			xA := 400 / tc.pA
			if !scalar.EqualWithinRel(sol.CorridorFlow[0][0], xA, tolClosedForm) {
				t.Errorf("Solve: rail carries %.10g, want A's %.10g", sol.CorridorFlow[0][0], xA)
			}
			switch {
			case tc.K < 100 && !scalar.EqualWithinRel(sol.Sales[0], tc.K, tolClosedForm):
				t.Errorf("Solve: sells %.10g, want its capacity %g", sol.Sales[0], tc.K)
			case tc.K == 100:
				if got := pA - 10 - sol.MarginalCost[0]; !scalar.EqualWithinAbs(got, tc.railRent, 1e-7) {
					t.Errorf("Solve: the rail's rent p_A − c − MC(S) = %.10g $/t, want %.10g", got, tc.railRent)
				}
			}
			checkRentIdentity(t, c, sol)
		})
	}
}
