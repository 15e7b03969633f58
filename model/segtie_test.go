package model

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// Tolerances of TestSegmentTieNoCrawl: a segment corridor's netback
// against v relative to p0 (the solver's tolerance is 1e-12 on the rows),
// and flows, Mt/yr.
const (
	tolTieRent = 1e-9
	tolTieFlow = 1e-9
)

// TestSegmentTieNoCrawl solves shocks on routedTestMarket where a tied
// corridor with room ends up tied with a corridor through the binding
// shared facility (Russia's FarEast rail against its Baltic ports; Belarus's
// rail to China against the Russian ports): the equilibrium has the tied
// corridor netting exactly the mine's marginal value, at the point where
// it would change places with the facility corridor in the fill. Before
// segFlow's blend and sortPref's discount rule the tied corridor's flow and
// the facility's use jumped there, Newton cycled, and the solve crawled
// through the Gauss–Seidel fallback (188 iterations and 28,662 evaluations
// for the sanction shock). Each solve must now converge by Newton alone in
// a few iterations, and the equilibrium conditions hold (segment rows,
// facility complementarity) to the solver's tolerance.
func TestSegmentTieNoCrawl(t *testing.T) {
	const maxIters = 15
	for _, tc := range []struct {
		name  string
		shock func(m *Market, pol *Policy)
	}{
		{"sanction shock", benchShock},
		{"Klaipeda closed", func(m *Market, pol *Policy) {
			bel := m.SupplierIndex("Belarus")
			pol.CorridorCap[bel][m.CorridorIndex(bel, "Klaipeda")] = 0
		}},
		{"Klaipeda closed, Russian ports doubled", func(m *Market, pol *Policy) {
			bel := m.SupplierIndex("Belarus")
			pol.CorridorCap[bel][m.CorridorIndex(bel, "Klaipeda")] = 0
			pol.CorridorCap[bel][m.CorridorIndex(bel, "RussianPorts")] = 4
		}},
		{"sanction shock, China's demand up 10%", func(m *Market, pol *Policy) {
			benchShock(m, pol)
			pol.DemandScale[m.RegionIndex("China")] = 1.1
		}},
		{"sanction shock, China's demand down 20%", func(m *Market, pol *Policy) {
			benchShock(m, pol)
			pol.DemandScale[m.RegionIndex("China")] = 0.8
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := routedTestMarket()
			c, err := Calibrate(m)
			if err != nil {
				t.Fatal(err)
			}
			s, sol, pol := NewSolver(c), NewSolution(c), NewPolicy(m)
			tc.shock(m, pol)
			res, err := s.Solve(pol, nil, nil, sol)
			if err != nil || res.Status != Converged {
				t.Fatalf("%v %+v", err, res)
			}
			if res.Fallback || res.Iterations > maxIters {
				t.Errorf("crawled: %d iterations, %d evaluations, fallback %v (want Newton alone, at most %d)", res.Iterations, res.Evaluations, res.Fallback, maxIters)
			}
			// The documented conditions (docs/MODEL.md, section 3.4), from
			// the solution: a tied corridor with room carries all its
			// segment's tonnes and nets the mine's marginal value v plus
			// its base route rent e_k exactly (z > 0) or less (z = 0); a
			// full one nets at least v + e_k.
			// The facility clears with complementary slackness.
			w := s.ws
			var segs []string
			for k := range w.segs {
				sg := &w.segs[k]
				sp := &w.sup[sg.i]
				z := w.y[w.segBase()+k]
				name := m.Suppliers[sg.i].Corridors[sg.k].Name
				segs = append(segs, fmt.Sprintf("%s z=%.4g", name, z))
				var X float64
				for _, r := range sg.reach {
					X += sol.Flow[sg.i][r]
				}
				flow, kap := sol.CorridorFlow[sg.i][sg.k], pol.CorridorCap[sg.i][sg.k]
				// r: the netback less the base route rent e_k.
				r := sg.pt*sg.e - (sp.pcost[sg.k] + sp.shift + sg.ek)
				rel := (r - sg.v) / m.Suppliers[sg.i].FOB
				switch room := X < kap-tolTieFlow; {
				case z < 0:
					t.Errorf("%s: z = %g < 0", name, z)
				case room && !scalar.EqualWithinAbs(flow, X, tolTieFlow):
					t.Errorf("%s has room (%g of %g) but carries %.12g of its segment's %.12g", name, X, kap, flow, X)
				case room && z > 0 && math.Abs(rel) > tolTieRent:
					t.Errorf("%s has room and a discount but nets v%+.3g·p0", name, rel)
				case room && z == 0 && rel > tolTieRent:
					t.Errorf("%s has room and nets v%+.3g·p0 at z = 0", name, rel)
				case !room && rel < -tolTieRent:
					t.Errorf("%s is full but nets v%+.3g·p0", name, rel)
				}
			}
			for f := range w.rho {
				if u, K := sol.FacilityUse[f], m.Facilities[f].Capacity; u > K*(1+tolTieRent) || (w.rho[f] > 0 && !scalar.EqualWithinRel(u, K, tolTieRent)) {
					t.Errorf("facility %s: use %.12g of %g at ρ = %g", m.Facilities[f].Name, u, K, w.rho[f])
				}
			}
			t.Logf("%d iterations, %d evaluations; ρ = %.4g $/t; %v", res.Iterations, res.Evaluations, w.rho, segs)
		})
	}
}
