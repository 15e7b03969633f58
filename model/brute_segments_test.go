package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// A reference for route-level scarcity rents on tied corridors
// (docs/MODEL.md, section 3.4, "Route-level scarcity rents"): the
// competitive equilibrium when a supplier may charge a different FOB
// price in each *segment* of its regions, a segment being the regions a
// tied corridor serves (disjoint by validateRoutes), plus the general
// segment of the regions no tied corridor serves. The solver has it as one
// more unknown per tied corridor (segments.go). This file is the oracle
// for it, written from a different formulation than the solver's
// fill (the mine's marginal value v instead of one supply curve S(p̃)),
// in levels with math.Pow, long run, without concessions, tariff-rate
// quotas, conduct or facilities.
//
// Supplier i's mine sells S = min(K, cap, B·v^η) at marginal value v
// ($/t at the mine, in the units of p̃ = p·(1 − L)). A corridor j ships
// its capacity κ_j when its netback p̃_seg − c_j exceeds v, nothing when
// it is below, and anything in between when equal. Every corridor that
// is not tied serves every region; a tied corridor k serves only its
// segment R_k. The competitive prices are
//
//	p̃_0 = v + min over general corridors of (c_j + ρ_j)
//	p̃_k = min( p̃_0, v + c_k + ρ_k )        (segment k)
//
// with ρ_j ≥ 0 the route-level scarcity rent of corridor j, positive
// only when j is full. So a tied corridor with room earns netback = v,
// its segment pays p̃_k = v + c_k, and tonnes through full ports bear
// their rent in p̃_0; when the tied corridor is full its segment's price
// rises until the segment's demand fits (X_k(p_k) = κ_k), at most to
// p_0, where the general corridors carry the rest.
//
// With a base route rent e_k > 0 (bruteSegBaseRent) the segment is
// priced at the lower of its general price and its competitive price
// plus e_k:
//
//	p̃_k = min( p̃_0, v + c_k + e_k + ρ_k )
//
// The rent is no cost: the tied corridor ships whenever its netback at
// its segment's price, p̃_k − c_k, covers v, so it is filled before a
// dearer general corridor and the general corridors' costs alone set
// p̃_0 − v. When a cheaper general corridor becomes the marginal one, the
// tied corridor's netback falls with p̃_0 − v, below v + e_k.

// bruteSegOf returns, per region, the input index of supplier i's tied
// corridor serving it, or −1 (general segment).
func bruteSegOf(m *Market, i int) []int {
	seg := make([]int, len(m.Regions))
	for r := range seg {
		seg[r] = -1
	}
	for k, cr := range m.Suppliers[i].Corridors {
		if len(cr.Serves) == 0 || len(cr.Serves) == len(m.Regions) {
			continue
		}
		for _, sv := range cr.Serves {
			seg[m.RegionIndex(sv.Region)] = k
		}
	}
	return seg
}

// bruteSegState is the reference's state: P[j][r] is supplier j's FOB
// price to region r (equal within a segment), V[j] its mine value.
type bruteSegState struct {
	P [][]float64
	V []float64
}

// bruteSegFlow is x[i][r] at the route prices P.
func bruteSegFlow(c *Calibrated, pol *Policy, P [][]float64, i, r int) float64 {
	col := make([]float64, len(P))
	for j := range P {
		col[j] = P[j][r]
	}
	return bruteFlow(c, pol, nil, col, make([]bool, len(P)), nil, i, r)
}

// bruteSegCosts returns supplier i's corridor costs (policy cost, cost
// shift, export tax, and for a tied corridor its own-freight cost weighted
// by the base flows, as corridorAdj; no base route rent) and capacities,
// in input order.
func bruteSegCosts(c *Calibrated, pol *Policy, i int) (cost, capa []float64) {
	m := c.Market
	s := m.Suppliers[i]
	cost, capa = make([]float64, len(s.Corridors)), make([]float64, len(s.Corridors))
	for k, cr := range s.Corridors {
		cost[k] = pol.CorridorCost[i][k] + pol.CostShift[i] + pol.ExportTax[i]
		capa[k] = pol.CorridorCap[i][k]
		if len(cr.Serves) > 0 && len(cr.Serves) < len(m.Regions) {
			var num, den float64
			for _, sv := range cr.Serves {
				r := m.RegionIndex(sv.Region)
				if sv.Own {
					num += m.Flows[i][r] * (sv.Freight - m.Freight[i][r])
				}
				den += m.Flows[i][r]
			}
			if den > 0 {
				cost[k] += num / den
			}
		}
	}
	return cost, capa
}

// bruteSegBaseRent is the base route rent e_k of supplier i's tied
// corridor k: a tied corridor with room in the base year (its regions
// buy less than its capacity) that is cheaper than the marginal corridor
// j* earns c_{j*} − c_k per tonne in the one-price base data, which a
// competitive segment price would compete away. The reference lets the
// segment pay at most e_k above its competitive price (the file's
// comment), so that the base year is an equilibrium. 0 for a tied
// corridor full in the base year or not cheaper than the margin. Base
// costs include the own-freight cost; c_{j*} = p0 − m0.
func bruteSegBaseRent(c *Calibrated, i, k int) float64 {
	m := c.Market
	s := m.Suppliers[i]
	cr := s.Corridors[k]
	var x, num, den float64
	for _, sv := range cr.Serves {
		r := m.RegionIndex(sv.Region)
		x += m.Flows[i][r]
		if sv.Own {
			num += m.Flows[i][r] * (sv.Freight - m.Freight[i][r])
		}
		den += m.Flows[i][r]
	}
	ck := cr.Cost
	if den > 0 {
		ck += num / den
	}
	if x >= cr.Capacity {
		return 0
	}
	return math.Max(0, s.FOB-c.M0[i]-ck)
}

// bruteBisect returns the root of the non-increasing g on [lo, hi] by
// bisection (lo when g(lo) ≤ 0, hi when g(hi) > 0), to rounding.
func bruteBisect(g func(float64) float64, lo, hi float64) float64 {
	if g(lo) <= 0 {
		return lo
	}
	if g(hi) > 0 {
		return hi
	}
	for it := 0; it < 200; it++ {
		mid := 0.5 * (lo + hi)
		if mid <= lo || mid >= hi {
			break
		}
		if g(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}

// bruteSegSupplier clears supplier i's markets with the others' prices
// fixed: an outer bisection on the mine value v, and for each v the
// segment prices (the price at which the tied corridor's netback is v, or
// at which the segment's demand fills it) and the general price (the
// general corridors, a step function of p_0, against the general demand
// plus what the tied corridors leave of their segments).
func bruteSegSupplier(c *Calibrated, pol *Policy, st *bruteSegState, i int) {
	m := c.Market
	s := m.Suppliers[i]
	R := len(m.Regions)
	seg := bruteSegOf(m, i)
	cost, capa := bruteSegCosts(c, pol, i)
	oml := 1 - c.Markup[i]
	K := math.Min(math.Max(0, s.Capacity+pol.CapacityAdd[i]), pol.ExportCap[i])
	const pLo, pHi = 1e-6, 1e8
	demand := func(k int, p float64) float64 { // segment k's demand at FOB p (k = −1: general)
		for r := 0; r < R; r++ {
			if seg[r] == k {
				st.P[i][r] = p
			}
		}
		var x float64
		for r := 0; r < R; r++ {
			if seg[r] == k {
				x += bruteSegFlow(c, pol, st.P, i, r)
			}
		}
		return x
	}
	var tied []int
	rent := make([]float64, len(cost)) // e_k
	for k := range cost {
		if bruteSegTied(m, i, k) {
			tied = append(tied, k)
			rent[k] = bruteSegBaseRent(c, i, k)
		}
	}
	pstar := make([]float64, len(cost))
	var p0 float64
	// ship returns the segments' and general prices at mine value v and
	// the total tonnes demanded at them.
	ship := func(v float64) float64 {
		for _, k := range tied {
			pr := math.Max((v+cost[k]+rent[k])/oml, pLo)
			switch {
			case capa[k] <= 0:
				pstar[k] = math.Inf(1)
			case demand(k, pr) <= capa[k]:
				pstar[k] = pr // room: netback = v + e_k
			default: // full: the price at which the segment fills it
				pstar[k] = math.Exp(bruteBisect(func(y float64) float64 { return demand(k, math.Exp(y)) - capa[k] }, math.Log(pr), math.Log(pHi)))
			}
		}
		excess := func(y float64) float64 {
			p := math.Exp(y)
			e := demand(-1, p)
			for _, k := range tied {
				if pstar[k] >= p {
					rail := 0.0
					if p*oml-cost[k] > v {
						rail = capa[k]
					}
					e += math.Max(0, demand(k, p)-rail)
				}
			}
			for k := range cost {
				if !bruteSegTied(m, i, k) && p*oml-cost[k] > v {
					e -= capa[k]
				}
			}
			return e
		}
		p0 = math.Exp(bruteBisect(excess, math.Log(pLo), math.Log(pHi)))
		T := demand(-1, p0)
		for _, k := range tied {
			T += demand(k, math.Min(p0, pstar[k]))
		}
		return T
	}
	v := bruteBisect(func(v float64) float64 {
		return ship(v) - math.Min(K, c.B[i]*math.Pow(v, s.Eta))
	}, 0, 1e7)
	ship(v)
	for r := 0; r < R; r++ {
		st.P[i][r] = p0
		if k := seg[r]; k >= 0 {
			st.P[i][r] = math.Min(p0, pstar[k])
		}
	}
	st.V[i] = v
}

// bruteSegTied reports whether corridor k of supplier i serves only some
// regions.
func bruteSegTied(m *Market, i, k int) bool {
	n := len(m.Suppliers[i].Corridors[k].Serves)
	return n > 0 && n < len(m.Regions)
}

// bruteSegPrices runs Gauss–Seidel over suppliers until no route price
// moves by more than 1e-13 relative; it reports whether it converged.
func bruteSegPrices(c *Calibrated, pol *Policy) (*bruteSegState, bool) {
	m := c.Market
	st := &bruteSegState{P: make([][]float64, len(m.Suppliers)), V: make([]float64, len(m.Suppliers))}
	for i := range st.P {
		st.P[i] = make([]float64, len(m.Regions))
		for r := range st.P[i] {
			st.P[i][r] = m.Suppliers[i].FOB
		}
	}
	old := make([]float64, len(m.Regions))
	for sweep := 0; sweep < 3000; sweep++ {
		var change float64
		for i := range st.P {
			copy(old, st.P[i])
			bruteSegSupplier(c, pol, st, i)
			for r, p := range st.P[i] {
				change = math.Max(change, math.Abs(p-old[r])/p)
			}
		}
		if change < 1e-13 {
			return st, true
		}
	}
	return st, false
}

// segRouteMarket is routeMarket with Rail serving A only (cost railCost,
// capacity 4: exactly A's base tonnes) and Port serving both (cost 20,
// capacity 6).
func segRouteMarket(railCost float64) *Market {
	return routeMarket(
		Corridor{Name: "Rail", Capacity: 4, Cost: railCost, Serves: []Serve{{Region: "A"}}},
		Corridor{Name: "Port", Capacity: 6, Cost: 20})
}

// solRoutePrice returns the FOB price the solution charges on route i→r
// (without concessions): its CFR price less the route's freight.
func solRoutePrice(c *Calibrated, sol *Solution, i, r int) float64 {
	return sol.CFR[i][r] - c.Market.Freight[i][r]
}

// TestSegmentReferenceClosedForm checks the reference and the solver against
// hand-computed equilibria with route-level rents. One supplier, regions
// A (x = 400/p_A at base) and B (x = 600/p_0), p0 = 100, S0 = 10, η = 1,
// no cost data (L = 0). Rail serves A only with capacity 4 (A's base
// tonnes), Port both with capacity 6. In the base both are full and every
// route pays 100, the calibrated one-price equilibrium.
//
// Dear rail (cost 30; base: Port full at 20, Rail the marginal corridor,
// m0 = 70, B = 1/7, MC(S) = 7·S), the Belarus case:
//
//   - Port cut to 3, Rail 6 (room): B only through the port, 600/p_0 = 3,
//     p_0 = 200. Rail has room, so its netback is the mine value:
//     p_A − 30 = 7·(3 + 400/p_A), p_A² − 51·p_A − 2800 = 0,
//     p_A = (51 + √13801)/2 = 84.24 $/t, x_A = 4.748 by rail. The one-price
//     model gives p = 200 to both and 2 Mt/yr by rail.
//   - Port cut to 3, Rail 4 (full): at v = 7·7 = 49 A would buy
//     400/79 = 5.06 > 4, so A's price fills the rail: p_A = 100, rail
//     rent 100 − 30 − 49 = 21 $/t, port rent 200 − 20 − 49 = 131 $/t.
//   - A's demand halved and B's quartered, Rail 6 (both slack): the port
//     has room and serves A too at one price p = v + 20 with
//     p − 20 = 7·350/p: p = 10 + √2550 = 60.50 $/t (S = 5.79 < 6), and the
//     dear rail carries nothing.
//
// Cheap rail (cost 10; base: Rail full, Port marginal, m0 = 80,
// MC(S) = 8·S):
//
//   - B's demand halved, Rail 6 (both slack): both netbacks are v, so A
//     pays 10 $/t less than B: p_A = v + 10, p_0 = v + 20 with
//     v/8 = 400/(v + 10) + 300/(v + 20), i.e.
//     v³ + 30·v² − 5400·v − 88000 = 0.
func TestSegmentReferenceClosedForm(t *testing.T) {
	cubic := func(a, b, cc float64, v float64) float64 { // Newton on v³ + a·v² + b·v + cc from v
		for it := 0; it < 100; it++ {
			f := ((v+a)*v+b)*v + cc
			v -= f / ((3*v+2*a)*v + b)
		}
		return v
	}
	vCheap := cubic(30, -5400, -88000, 70)
	cases := []struct {
		name              string
		railCost, portCap float64
		railCap           float64
		aScale, bScale    float64
		pA, p0, railFlow  float64
	}{
		{"dear rail with room, port rations", 30, 3, 6, 1, 1, (51 + math.Sqrt(13801)) / 2, 200, 400 / ((51 + math.Sqrt(13801)) / 2)},
		{"dear rail full, port rations", 30, 3, 4, 1, 1, 100, 200, 4},
		{"dear rail idle, both slack", 30, 6, 6, 0.5, 0.25, 10 + math.Sqrt(2550), 10 + math.Sqrt(2550), 0},
		{"cheap rail, both slack", 10, 6, 6, 1, 0.5, vCheap + 10, vCheap + 20, 400 / (vCheap + 10)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := segRouteMarket(tc.railCost)
			c := mustCalibrate(t, m)
			pol := NewPolicy(m)
			pol.CorridorCap[0][0] = tc.railCap
			pol.CorridorCap[0][1] = tc.portCap
			pol.DemandScale[0] = tc.aScale
			pol.DemandScale[1] = tc.bScale
			st, ok := bruteSegPrices(c, pol)
			if !ok {
				t.Fatal("reference: no convergence")
			}
			if !scalar.EqualWithinRel(st.P[0][0], tc.pA, tolClosedForm) || !scalar.EqualWithinRel(st.P[0][1], tc.p0, tolClosedForm) {
				t.Errorf("p_A, p_0 = %.10g, %.10g; want %.10g, %.10g", st.P[0][0], st.P[0][1], tc.pA, tc.p0)
			}
			// Rail carries A's tonnes when A pays less than B (the
			// general corridors then leave A alone) or when it is the
			// cheaper corridor.
			xA := bruteSegFlow(c, pol, st.P, 0, 0)
			if tc.railFlow > 0 && !scalar.EqualWithinRel(xA, tc.railFlow, tolClosedForm) {
				t.Errorf("x_A = %.10g, want the rail's %.10g", xA, tc.railFlow)
			}
			// The solver (segments.go): the same prices, the rail's tonnes
			// on the rail, the rents adding up.
			sol, _ := mustSolve(t, c, pol, nil, nil)
			if got := solRoutePrice(c, sol, 0, 0); !scalar.EqualWithinRel(got, tc.pA, tolClosedForm) || !scalar.EqualWithinRel(sol.FOB[0], tc.p0, tolClosedForm) {
				t.Errorf("Solve: p_A, p_0 = %.10g, %.10g; want %.10g, %.10g", got, sol.FOB[0], tc.pA, tc.p0)
			}
			if !scalar.EqualWithinAbsOrRel(sol.CorridorFlow[0][0], tc.railFlow, 1e-9, tolClosedForm) {
				t.Errorf("Solve: rail carries %.10g, want %.10g", sol.CorridorFlow[0][0], tc.railFlow)
			}
			checkRentIdentity(t, c, sol)
		})
	}
}

// TestSegmentReferenceAgrees compares the reference with the solver on
// small random markets with tied corridors (facilities removed) under
// random demand and corridor shocks: every route price must agree to
// 1e-8, with or without a segment priced below its supplier's general
// price and with or without base route rents. Where a segment is priced
// below p_0 it also checks the reference's tied corridor: served by its
// corridor alone, which either has room and earns netback = v, or is
// full.
func TestSegmentReferenceAgrees(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: nested bisections")
	}
	const tolAgree = 1e-8
	var compared, split, rent int
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 71))
			m := randomMarket(rng, 2+rng.IntN(2), 2+rng.IntN(2))
			withRoutes(rng, m)
			m.Facilities = nil
			for i := range m.Suppliers {
				for k := range m.Suppliers[i].Corridors {
					m.Suppliers[i].Corridors[k].Facility = ""
				}
			}
			c := withRandomCosts(t, rng, m)
			pol := NewPolicy(m)
			for r := range pol.DemandScale {
				pol.DemandScale[r] = 0.7 + 0.8*rng.Float64()
			}
			for i := range m.Suppliers {
				for k := range pol.CorridorCap[i] {
					switch {
					case !bruteSegTied(m, i, k) && rng.Float64() < 0.5:
						pol.CorridorCap[i][k] *= 0.2 + 0.7*rng.Float64() // ports ration
					case rng.Float64() < 0.3:
						pol.CorridorCap[i][k] *= 0.5 + rng.Float64()
					}
				}
			}
			st, ok := bruteSegPrices(c, pol)
			if !ok {
				t.Skip("reference: no convergence")
			}
			discount := false
			for i := range m.Suppliers {
				seg := bruteSegOf(m, i)
				p0 := math.NaN()
				for r, k := range seg {
					if k < 0 {
						p0 = st.P[i][r]
					}
				}
				cost, capa := bruteSegCosts(c, pol, i)
				oml := 1 - c.Markup[i]
				for r, k := range seg {
					if k < 0 || !(st.P[i][r] < p0*(1-1e-9)) {
						continue
					}
					discount = true
					var x float64
					for rr, kk := range seg {
						if kk == k {
							x += bruteSegFlow(c, pol, st.P, i, rr)
						}
					}
					room := x < capa[k]*(1-1e-9)
					if nb, e := st.P[i][r]*oml-cost[k], bruteSegBaseRent(c, i, k); room && !scalar.EqualWithinAbsOrRel(nb, st.V[i]+e, 1e-7, 1e-7) {
						t.Errorf("supplier %d, region %d: tied corridor with room (%g of %g) nets %g, mine value %g + base route rent %g", i, r, x, capa[k], nb, st.V[i], e)
					}
					if x > capa[k]*(1+1e-9) {
						t.Errorf("supplier %d: segment of corridor %d buys %g, above its capacity %g", i, k, x, capa[k])
					}
				}
			}
			if discount {
				split++
			}
		rents:
			for i := range m.Suppliers {
				for k := range m.Suppliers[i].Corridors {
					if bruteSegTied(m, i, k) && bruteSegBaseRent(c, i, k) > 0 {
						rent++
						break rents
					}
				}
			}
			sol := NewSolution(c)
			res, err := NewSolver(c).Solve(pol, nil, nil, sol)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != Converged {
				t.Skipf("solver: %v: %s", res.Status, res.Reason)
			}
			compared++
			for i := range m.Suppliers {
				for r := range m.Regions {
					if c.Beta[i][r] == 0 {
						continue
					}
					if got := solRoutePrice(c, sol, i, r); !scalar.EqualWithinRel(got, st.P[i][r], tolAgree) {
						t.Errorf("supplier %d to region %d: Solve %.12g, reference %.12g", i, r, got, st.P[i][r])
					}
				}
			}
			checkRentIdentity(t, c, sol)
		})
	}
	t.Logf("%d markets compared with Solve: %d with a segment below its general price, %d with a base route rent", compared, split, rent)
	if compared < 15 || split < 2 || rent < 2 {
		t.Errorf("%d markets compared with Solve, %d with a segment below its general price, %d with a base route rent: want at least 15, 2 and 2", compared, split, rent)
	}
}

// TestSegmentReferenceBaseYear checks that the reference and the solver,
// with the base route rents, reproduce the base year (every route at its
// supplier's base FOB price, to 1e-9) on random markets with tied
// corridors and cost data, and that Calibrate's e_k are the reference's.
func TestSegmentReferenceBaseYear(t *testing.T) {
	rents := 0
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 73))
			m := randomMarket(rng, 2+rng.IntN(2), 2+rng.IntN(3))
			withRoutes(rng, m)
			m.Facilities = nil
			for i := range m.Suppliers {
				for k := range m.Suppliers[i].Corridors {
					m.Suppliers[i].Corridors[k].Facility = ""
				}
			}
			c := withRandomCosts(t, rng, m)
			for i := range m.Suppliers {
				for k := range m.Suppliers[i].Corridors {
					if bruteSegTied(m, i, k) && bruteSegBaseRent(c, i, k) > 0 {
						rents++
					}
				}
			}
			st, ok := bruteSegPrices(c, NewPolicy(m))
			if !ok {
				t.Fatal("reference: no convergence at the base year")
			}
			// The solver with the calibrated base route rents
			// (Calibrated.segRent): the base year in zero iterations.
			sol, res := mustSolve(t, c, NewPolicy(m), nil, nil)
			if res.Iterations != 0 {
				t.Errorf("Solve: %d iterations at the base year, want 0", res.Iterations)
			}
			for i, s := range m.Suppliers {
				for k := range s.Corridors {
					if got, want := c.segRent[i][k], bruteSegBaseRent(c, i, k); bruteSegTied(m, i, k) && !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-12) {
						t.Errorf("supplier %d, corridor %d: e_k = %g, reference %g", i, k, got, want)
					}
				}
				for r := range m.Regions {
					if c.Beta[i][r] > 0 && !scalar.EqualWithinRel(st.P[i][r], s.FOB, tolIdentity) {
						t.Errorf("supplier %d to region %d: %.12g, base FOB %.12g", i, r, st.P[i][r], s.FOB)
					}
					if c.Beta[i][r] > 0 && !scalar.EqualWithinRel(solRoutePrice(c, sol, i, r), s.FOB, tolIdentity) {
						t.Errorf("Solve: supplier %d to region %d: %.12g, base FOB %.12g", i, r, solRoutePrice(c, sol, i, r), s.FOB)
					}
				}
				if !scalar.EqualWithinRel(sol.Sales[i], c.S0[i], tolIdentity) {
					t.Errorf("Solve: supplier %d sells %.12g, base %.12g", i, sol.Sales[i], c.S0[i])
				}
			}
			checkRentIdentity(t, c, sol)
		})
	}
	if rents < 3 {
		t.Errorf("only %d tied corridors with a base route rent in 30 markets", rents)
	}
}

// segResidual is an executable specification of the residuals the solver
// will need for route-level rents (docs/MODEL.md, section 3.4, "In the
// solver"), for supplier i with at most one tied corridor k, the others'
// route prices P fixed. At its general log price y and its segment's log
// discount z ≥ 0 (segment price p·e^(−z), written into P[i]) it returns
// the supplier's scaled excess demand
// (D − S)/S0 and the segment's g; the z-row is Φ = ẑ − max(0, ẑ + g),
// the facilities' mid form. The supply S is the one-price fill
// (section 3.4) with the tied corridor at cost c_k + p̃·(1 − e^(−z))
// and capacity in force κ' = min(κ, X), X its segment's tonnes, sorted
// ahead of a general corridor whose cost it ties within 1e-9 $/t. With v
// the mine's marginal value (MC(S) below capacity, else the netback of
// the corridor carrying the last tonne), t the tied corridor's flow in
// the fill and r = p̃·e^(−z) − c_k − e_k − v its rent at its segment's
// price,
//
//	g = min( r/p0, (κ − X)/κ ) − (κ' − t)/κ
//
// raises z while a tied corridor with room earns a rent, lowers it while
// the segment buys more than the corridor carries or the corridor is
// marginal with capacity in force unused (the ports would be carrying
// segment tonnes at the discount), and vanishes at a tie with a general
// corridor that has room, where the split is free.
func segResidual(c *Calibrated, pol *Policy, P [][]float64, i int, y, z float64) (ex, g float64) {
	m := c.Market
	seg := bruteSegOf(m, i)
	cost, capa := bruteSegCosts(c, pol, i) // without e_k
	s := m.Suppliers[i]
	pt := math.Exp(y) * (1 - c.Markup[i])
	tk := -1
	for r, k := range seg {
		P[i][r] = math.Exp(y)
		if k >= 0 {
			P[i][r], tk = math.Exp(y-z), k
		}
	}
	var D, X float64
	for r := range m.Regions {
		x := bruteSegFlow(c, pol, P, i, r)
		D += x
		if seg[r] >= 0 {
			X += x
		}
	}
	ec, ek := append([]float64(nil), cost...), append([]float64(nil), capa...)
	if tk >= 0 {
		ec[tk] += pt * (1 - math.Exp(-z))
		ek[tk] = math.Min(capa[tk], X)
	}
	const tie = 1e-9 // $/t
	ord := make([]int, len(ec))
	for k := range ord {
		ord[k] = k
	}
	sort.SliceStable(ord, func(a, b int) bool {
		ca, cb := ec[ord[a]], ec[ord[b]]
		switch {
		case ord[a] == tk:
			return ca <= cb+tie
		case ord[b] == tk:
			return ca < cb-tie
		}
		return ca < cb
	})
	K := math.Min(math.Max(0, s.Capacity+pol.CapacityAdd[i]), pol.ExportCap[i])
	best, cum := 0.0, 0.0
	for _, k := range ord {
		cum += ek[k]
		q := 0.0
		if pt > ec[k] {
			q = c.B[i] * math.Pow(pt-ec[k], s.Eta)
		}
		best = math.Max(best, math.Min(q, cum))
	}
	S := math.Min(K, best)
	ex = (D - S) / c.S0[i]
	if tk < 0 {
		return ex, 0
	}
	v := math.Pow(S/c.B[i], 1/s.Eta) // below capacity: the mine's marginal cost
	if S >= K {                      // at capacity: the netback of the corridor carrying the last tonne
		cum = 0
		for _, k := range ord {
			if cum += ek[k]; cum >= S && ek[k] > 0 {
				v = pt - ec[k]
				break
			}
		}
	}
	var before float64 // capacity in force ahead of the tied corridor
	for _, k := range ord {
		if k == tk {
			break
		}
		before += ek[k]
	}
	t := math.Max(0, math.Min(S-before, ek[tk]))
	r := pt*math.Exp(-z) - cost[tk] - bruteSegBaseRent(c, i, tk) - v
	ks := math.Max(capa[tk], scaleFloor)
	return ex, math.Min(r/s.FOB, (capa[tk]-X)/ks) - (ek[tk]-t)/ks
}

// segResidualSolve solves supplier i's two rows of segResidual, the
// others' prices fixed, by nested bisection: y clears the supplier's
// market for each z, and z is 0 when g ≤ 0 there, else the root of g. It
// leaves the solution in P[i].
func segResidualSolve(c *Calibrated, pol *Policy, P [][]float64, i int) {
	ysolve := func(z float64) float64 {
		return bruteBisect(func(y float64) float64 { e, _ := segResidual(c, pol, P, i, y, z); return e }, math.Log(1e-6), math.Log(1e8))
	}
	z := bruteBisect(func(z float64) float64 { _, g := segResidual(c, pol, P, i, ysolve(z), z); return g }, 0, 20)
	segResidual(c, pol, P, i, ysolve(z), z)
}

// segResidualPrices runs Gauss–Seidel over suppliers with
// segResidualSolve until no route price moves by more than 1e-13
// relative, and reports whether it converged.
func segResidualPrices(c *Calibrated, pol *Policy) ([][]float64, bool) {
	m := c.Market
	P := make([][]float64, len(m.Suppliers))
	for i := range P {
		P[i] = make([]float64, len(m.Regions))
		for r := range P[i] {
			P[i][r] = m.Suppliers[i].FOB
		}
	}
	old := make([]float64, len(m.Regions))
	for sweep := 0; sweep < 3000; sweep++ {
		var change float64
		for i := range P {
			copy(old, P[i])
			segResidualSolve(c, pol, P, i)
			for r, p := range P[i] {
				change = math.Max(change, math.Abs(p-old[r])/p)
			}
		}
		if change < 1e-13 {
			return P, true
		}
	}
	return P, false
}

// TestSegmentResidualDesign checks that the roots of segResidual, and the
// solver's equilibria (Solver.Solve), are the reference's equilibria: on the hand-computed cases, on the base year of
// random markets with tied corridors, one supplier or several (every
// price at its base, base route rents included), and under random shocks
// that ration the general corridors, to 1e-8 (the random markets are
// skipped with -short).
func TestSegmentResidualDesign(t *testing.T) {
	const tolDesign = 1e-8
	// check solves pol both ways, compares every route price and reports
	// whether some segment pays less than its supplier's general price.
	check := func(t *testing.T, c *Calibrated, pol *Policy) bool {
		t.Helper()
		st, ok := bruteSegPrices(c, pol)
		if !ok {
			t.Fatal("reference: no convergence")
		}
		P, ok := segResidualPrices(c, pol)
		if !ok {
			t.Fatal("specification: no convergence")
		}
		sol, _ := mustSolve(t, c, pol, nil, nil)
		for i := range P {
			for r := range P[i] {
				if c.Beta[i][r] > 0 && !scalar.EqualWithinRel(solRoutePrice(c, sol, i, r), st.P[i][r], tolDesign) {
					t.Errorf("Solve: supplier %d, region %d: %.12g, reference %.12g", i, r, solRoutePrice(c, sol, i, r), st.P[i][r])
				}
			}
		}
		checkRentIdentity(t, c, sol)
		discount := false
		for i := range P {
			var p0 float64
			for r, k := range bruteSegOf(c.Market, i) {
				if k < 0 {
					p0 = math.Max(p0, P[i][r])
				}
			}
			for r := range P[i] {
				if c.Beta[i][r] > 0 && !scalar.EqualWithinRel(P[i][r], st.P[i][r], tolDesign) {
					t.Errorf("supplier %d, region %d: %.12g, reference %.12g", i, r, P[i][r], st.P[i][r])
				}
				discount = discount || P[i][r] < p0*(1-1e-6)
			}
		}
		return discount
	}
	for _, tc := range []struct {
		railCost, portCap, railCap, aScale, bScale float64
	}{{30, 3, 6, 1, 1}, {30, 3, 4, 1, 1}, {30, 6, 6, 0.5, 0.25}, {10, 6, 6, 1, 0.5}, {10, 3, 4, 1, 1}, {10, 3, 6, 1, 1}} {
		t.Run(fmt.Sprint(tc), func(t *testing.T) {
			m := segRouteMarket(tc.railCost)
			c := mustCalibrate(t, m)
			pol := NewPolicy(m)
			pol.CorridorCap[0][0], pol.CorridorCap[0][1] = tc.railCap, tc.portCap
			pol.DemandScale[0], pol.DemandScale[1] = tc.aScale, tc.bScale
			check(t, c, pol)
		})
	}
	if testing.Short() {
		return
	}
	markets, discounts := 0, 0
	run := func(name string, rng *rand.Rand, n int) {
		m := randomMarket(rng, n, 2+rng.IntN(3))
		withRoutes(rng, m)
		m.Facilities = nil
		tied := false
		for i := range m.Suppliers {
			for k := range m.Suppliers[i].Corridors {
				m.Suppliers[i].Corridors[k].Facility = ""
				tied = tied || bruteSegTied(m, i, k)
			}
		}
		if !tied {
			return
		}
		markets++
		t.Run(name, func(t *testing.T) {
			c := withRandomCosts(t, rng, m)
			P, ok := segResidualPrices(c, NewPolicy(m))
			for i, s := range m.Suppliers {
				for r := range m.Regions {
					if c.Beta[i][r] > 0 && (!ok || !scalar.EqualWithinRel(P[i][r], s.FOB, tolIdentity)) {
						t.Errorf("base year: supplier %d, region %d: %.12g, want %.12g", i, r, P[i][r], s.FOB)
					}
				}
			}
			pol := NewPolicy(m)
			for r := range pol.DemandScale {
				pol.DemandScale[r] = 0.5 + rng.Float64()
			}
			for i := range m.Suppliers {
				for k := range pol.CorridorCap[i] {
					switch {
					case bruteSegTied(m, i, k):
						pol.CorridorCap[i][k] *= 0.8 + rng.Float64()
					case rng.Float64() < 0.7:
						pol.CorridorCap[i][k] *= 0.2 + 0.5*rng.Float64() // ports ration
					}
				}
			}
			if check(t, c, pol) {
				discounts++
			}
		})
	}
	for seed := uint64(1); seed <= 100; seed++ {
		run(fmt.Sprint("one supplier, seed", seed), rand.New(rand.NewPCG(seed, 5)), 1)
	}
	one, oneDiscounts := markets, discounts
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 6))
		run(fmt.Sprint("several suppliers, seed", seed), rng, 2+rng.IntN(2))
	}
	t.Logf("random markets with a tied corridor: %d with one supplier (%d with a segment discount), %d with several (%d)",
		one, oneDiscounts, markets-one, discounts-oneDiscounts)
	if one < 30 || oneDiscounts < 5 || markets-one < 6 || discounts-oneDiscounts < 3 {
		t.Error("too few markets with tied corridors or segment discounts")
	}
}
