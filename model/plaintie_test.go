package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestPlainFillDiscountNoise moves each segment's z of a converged solve
// by amounts within the solver's tolerance (the row is Φ = z, or −g with
// ∂g/∂z ≈ −1, so a z off by δ leaves a residual of about δ) and requires
// the same reported corridor flows (Solution.CorridorFlow, the plain fill
// of workspace.fillSupplier) to tolFlowNoise. Cases: Germany's in
// us-relief-2025, a tied corridor with room at base (Rail 5 Mt/yr for A's
// 4) whose cost with its base route rent, 10 + 10 $/t, ties the port's
// with room (8 Mt/yr for 6) at z = 0; and the cheap rail with room on
// both corridors (segRouteMarket, docs/MODEL.md section 3.4), where the
// segment's discount makes the rail's cost in force equal the port's
// exactly at z > 0. Before zTie both flipped the reported order.
func TestPlainFillDiscountNoise(t *testing.T) {
	const tolFlowNoise = 1e-9
	for _, tc := range []struct {
		name           string
		m              *Market
		railCap        float64
		aScale, bScale float64
	}{
		{"base year, tie at z = 0", routeMarket(
			Corridor{Name: "Rail", Capacity: 5, Cost: 10, Serves: []Serve{{Region: "A"}}},
			Corridor{Name: "Port", Capacity: 8, Cost: 20}), 0, 1, 1},
		{"cheap rail, both slack", segRouteMarket(10), 6, 1, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			c := mustCalibrate(t, m)
			pol := NewPolicy(m)
			if tc.railCap > 0 {
				pol.CorridorCap[0][0] = tc.railCap
				pol.CorridorCap[0][1] = tc.railCap
			}
			pol.DemandScale[0] = tc.aScale
			pol.DemandScale[1] = tc.bScale
			s := NewSolver(c)
			sol := NewSolution(c)
			res, err := s.Solve(pol, nil, nil, sol)
			if err != nil || res.Status != Converged {
				t.Fatalf("Solve: %v %v", res.Status, err)
			}
			w := s.ws
			if len(w.segs) == 0 || !w.segs[0].on {
				t.Fatal("no segment on")
			}
			u := w.segBase()
			z0 := w.y[u]
			want := append([]float64(nil), sol.CorridorFlow[0]...)
			for _, d := range []float64{1e-14, 3e-14, 1e-13, 1e-12, -1e-12} {
				w.y[u] = math.Max(0, z0+d)
				w.eval()
				w.fill(sol, pol)
				for k, f := range sol.CorridorFlow[0] {
					if !scalar.EqualWithinAbsOrRel(f, want[k], tolFlowNoise, tolFlowNoise) {
						t.Errorf("z = %.3g%+.0e: corridor %d carries %.10g, at the solution %.10g", z0, d, k, f, want[k])
					}
				}
			}
		})
	}
}
