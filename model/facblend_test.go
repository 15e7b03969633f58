package model

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// blendBehindState prepares routedTestMarket with Belarus's Klaipėda
// closed and its RussianPorts (through the facility) raised to 12 Mt/yr,
// then sets its ChinaRail segment's discount to disc $/t and the
// facility's ρ so that RussianPorts costs gap $/t less in force than
// ChinaRail's cost less its discount (c_k − c_kk + disc = −gap): the side
// of sortPref's tie where RussianPorts sorts ahead. It returns the
// workspace at the last eval and Belarus's index.
func blendBehindState(t *testing.T, disc, gap float64) (*workspace, int, int) {
	t.Helper()
	m := routedTestMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	bel := m.SupplierIndex("Belarus")
	pol := NewPolicy(m)
	pol.CorridorCap[bel][0], pol.CorridorCap[bel][1] = 0, 12
	w := NewSolver(c).ws
	if err := w.prepare(pol, nil, nil); err != nil {
		t.Fatal(err)
	}
	sp := &w.sup[bel]
	s := -1
	if sp.seg != nil {
		s = sp.seg[2]
	}
	if s < 0 || !w.segs[s].on {
		t.Fatal("Belarus's ChinaRail segment is off")
	}
	for range 3 { // disc = p̃·(1 − e^(−z)) at the p̃ of the last eval
		w.eval()
		w.y[w.segBase()+s] = -math.Log1p(-disc / w.segs[s].pt)
		rho := sp.pcost[2] - sp.pcost[1] - gap
		w.y[w.facBase()] = rho / w.fscale[0]
	}
	w.eval()
	return w, bel, s
}

// TestFacilityBlendBehindDiscount checks tieStep and segFlow where a
// facility corridor k (Belarus's RussianPorts) sorts ahead of a tied
// corridor kk whose segment is discounted (ChinaRail), within tieWidth of
// sortPref's tie: kk is dearer in force by about its discount, so where
// that is resolved (disc > dtie) both flows are the sorted fill's, as the
// supply curve has them (docs/MODEL.md, section 3.9, "A spurious root").
// The blend toward kk ahead once made the facility clear on flows the
// curve does not give (us-relief-2025's draws 3,179 and 7,533,
// TestFacilityCornerOneRoot).
func TestFacilityBlendBehindDiscount(t *testing.T) {
	// sameFlow: the flows against the sorted fill, Mt/yr (exact but for
	// rounding in the sums).
	const sameFlow = 1e-12
	for _, tc := range []struct{ disc, gap float64 }{
		{0.05, 0.001}, {0.05, 0.009}, {5, 0.001}, {5, 0.005}, {16.5, 0.009},
	} {
		t.Run(fmt.Sprintf("disc%g/gap%g", tc.disc, tc.gap), func(t *testing.T) {
			w, bel, _ := blendBehindState(t, tc.disc, tc.gap)
			sp := &w.sup[bel]
			if sp.pos[1] > sp.pos[2] {
				t.Fatalf("RussianPorts sorts behind ChinaRail: costs %v", sp.ecost)
			}
			if !(sp.disc[2] > sp.dtie[2]) {
				t.Fatalf("discount %g not resolved (dtie %g)", sp.disc[2], sp.dtie[2])
			}
			S := w.S[bel]
			// The sorted fill: every corridor before k's position first.
			fill := func(k int) float64 {
				var before float64
				for _, kk := range sp.ord[:sp.pos[k]] {
					before += sp.capIn(kk)
				}
				f, _ := clampFlow(S-before, sp.capIn(k))
				return f
			}
			ahead, behind := fill(1), min(max(S-sp.capIn(2)-sp.capIn(0), 0), sp.capIn(1))
			if scalar.EqualWithinAbs(ahead, behind, 1e-3) {
				t.Fatalf("the two orders give RussianPorts %g and %g: no test", ahead, behind)
			}
			if got, _, _ := w.facFlow(bel, 1, S); !scalar.EqualWithinAbs(got, ahead, sameFlow) {
				t.Errorf("RussianPorts carries %.12g in the facility's row; the sorted fill %.12g (behind ChinaRail: %.12g)", got, ahead, behind)
			}
			if got, _ := w.segFlow(bel, 2, S); !scalar.EqualWithinAbs(got, fill(2), sameFlow) {
				t.Errorf("ChinaRail carries %.12g in its segment's row; the sorted fill %.12g", got, fill(2))
			}
		})
	}
}

// TestJacobianBlendBehindDiscount checks the Jacobian's terms through a
// resolved discount below tieWidth (facDiscDeriv, segFlowDeriv): with
// RussianPorts ahead of ChinaRail and inside tieStep's blend, the
// facility's and the segment's rows move with ChinaRail's z and
// Belarus's price; every entry against central differences.
func TestJacobianBlendBehindDiscount(t *testing.T) {
	const (
		h = 1e-7 // step in the unknowns
		// rel: the central difference's agreement, relative to 1 + |J|.
		rel = 1e-5
	)
	for _, tc := range []struct{ disc, gap float64 }{{0.004, 0.002}, {0.006, 0.002}} {
		t.Run(fmt.Sprintf("disc%g/gap%g", tc.disc, tc.gap), func(t *testing.T) {
			w, bel, s := blendBehindState(t, tc.disc, tc.gap)
			sp := &w.sup[bel]
			k, kk := 1, 2
			H, dH := sp.tieStep(kk, sp.pos[kk] > sp.pos[k], sp.cost[sp.pos[k]]-sp.cost[sp.pos[kk]])
			if sp.pos[k] > sp.pos[kk] || H <= 0 || H >= 1 || dH == 0 {
				t.Fatalf("not inside the blend behind ChinaRail: positions %v, H %g", sp.pos, H)
			}
			w.jacobian()
			N := len(w.unk)
			J := append([]float64(nil), w.J[:N*N]...)
			y0 := append([]float64(nil), w.y[:w.ny]...)
			Fp, Fm := make([]float64, N), make([]float64, N)
			rows := []int{len(w.act) + len(w.tq), w.segs[s].col} // the facility's and the segment's
			nonzero := 0
			for b, u := range w.unk {
				for sign, F := range [][]float64{Fp, Fm} {
					copy(w.y[:w.ny], y0)
					w.y[u] += h * float64(1-2*sign)
					w.eval()
					for a, v := range w.unk {
						F[a] = w.F[v]
					}
				}
				for _, a := range rows {
					fd := (Fp[a] - Fm[a]) / (2 * h)
					if got := J[a*N+b]; !scalar.EqualWithinAbs(got, fd, rel*(1+math.Abs(fd))) {
						t.Errorf("J[%d][%d] = %.9g, central difference %.9g", a, b, got, fd)
					}
					if b == w.segs[s].col && fd != 0 {
						nonzero++
					}
				}
			}
			if nonzero == 0 {
				t.Error("no row moves with ChinaRail's z: no test")
			}
		})
	}
}
