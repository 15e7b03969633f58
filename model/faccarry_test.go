package model

import (
	"fmt"
	"math"
	"testing"
)

// TestFacTieClip: the move of a facility's ρ̂ that keepCarry extrapolates
// stops at the first of its users' corridor ties it would cross
// (facTieClip). On random routed markets with a facility, at random
// prices, for moves of either sign and many sizes, each cost difference a
// between a user's facility corridor and another of its corridors (not
// through the facility; a segment's preferred corridor shifted as
// tieStep shifts it), read by the corridors' input positions, must not be
// carried from one side of its blend past the tie (a = 0) nor out of a
// blend it is in; a move that takes no a across a blend's edge is kept
// whole; a cut move ends at a tie. Some moves must be cut, some kept.
func TestFacTieClip(t *testing.T) {
	var cut, whole int
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng, m, w := randomRoutedWorkspace(t, seed, 91, true)
			for trial := 0; trial < 5; trial++ {
				for _, i := range w.part {
					w.y[i] = clampY(math.Log(m.Suppliers[i].FOB) + 0.4*(rng.Float64()-0.5))
				}
				for f := range w.rho {
					w.y[w.facBase()+f] = 0.5 * rng.Float64()
				}
				w.eval()
				for f := range w.rho {
					for _, size := range []float64{1e-6, 1e-4, 1e-2, 0.1, 0.5} {
						dr := size * (2*rng.Float64() - 1)
						got := w.facTieClip(f, dr)
						if got*dr < 0 || math.Abs(got) > math.Abs(dr) {
							t.Fatalf("move %g clipped to %g", dr, got)
						}
						crosses, atTie := false, false
						for _, us := range w.fu[f] {
							if w.closed[us.i] {
								continue
							}
							sp := &w.sup[us.i]
							for kk := range sp.pos {
								if kk == us.k || sp.fac[kk] == f || sp.pos[kk] >= len(sp.cum) {
									continue // the same corridor, the facility's own, or one not in the fill
								}
								a := sp.cost[sp.pos[us.k]] - sp.cost[sp.pos[kk]]
								if sp.segOn && sp.pref[kk] {
									a += sp.disc[kk] + 0.5*tieWidth + segTie
								}
								half := 0.5 * tieWidth
								full, moved := a+dr*w.fscale[f], a+got*w.fscale[f]
								if (a <= -half) != (full <= -half) || (a >= half) != (full >= half) {
									crosses = true
								}
								eps := 1e-9 * (1 + math.Abs(a))
								if math.Abs(moved) <= eps {
									atTie = true
									continue
								}
								if math.Abs(a) < half && math.Abs(moved-a) > eps && (moved <= -half || moved >= half) {
									t.Errorf("seed %d: a = %g inside its blend moved out to %g (move %g of %g)", seed, a, moved, got, dr)
								}
								if a*moved < 0 {
									t.Errorf("seed %d: a = %g carried past the tie to %g (move %g of %g)", seed, a, moved, got, dr)
								}
							}
						}
						switch {
						case !crosses:
							if got != dr {
								t.Errorf("seed %d: move %g crosses no blend's edge, clipped to %g", seed, dr, got)
							}
							whole++
						case got != dr:
							if got != 0 && !atTie {
								t.Errorf("seed %d: move %g cut to %g, not at a tie", seed, dr, got)
							}
							cut++
						}
					}
				}
			}
		})
	}
	if cut == 0 || whole == 0 {
		t.Errorf("%d moves cut, %d kept whole: the cases do not test both", cut, whole)
	}
	t.Logf("%d moves cut at a tie, %d kept whole", cut, whole)
}
