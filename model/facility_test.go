package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// bisectFac is solveFac's root as a plain bisection computes it,
// evaluating facExcess at every midpoint: the reference its faster
// replay must reproduce bit for bit.
func bisectFac(w *workspace, f int, tol float64) float64 {
	u := w.facBase() + f
	g := func(rh float64) float64 { return w.facExcess(f, rh) }
	if !(g(0) > 0) {
		return 0
	}
	lo, hi := 0.0, math.Max(2*w.y[u], 0.01)
	for hi < rhoMax && g(hi) > 0 {
		lo, hi = hi, math.Min(2*hi, rhoMax)
	}
	return bisectRoot(g, lo, hi, 0.01*tol)
}

// TestSolveFacReplaysBisection: solveFac, which evaluates the facility's
// excess use only where its sign is not known yet, returns exactly the
// plain bisection's root, whatever its hint (none, the root itself, near
// it, far from it), on random routed markets under random shocks at
// random prices, and uses fewer evaluations.
func TestSolveFacReplaysBisection(t *testing.T) {
	var plain, fast, cases int
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng, m, w := randomRoutedWorkspace(t, seed, 77, true)
			for trial := 0; trial < 10; trial++ {
				for _, i := range w.part {
					w.y[i] = clampY(math.Log(m.Suppliers[i].FOB) + 0.4*(rng.Float64()-0.5))
				}
				w.eval()
				for f := range w.rho {
					u := w.facBase() + f
					for _, tol := range []float64{DefaultTol, mcTol} {
						y0 := w.y[u]
						e0 := w.evals
						want := bisectFac(w, f, tol)
						plain += w.evals - e0
						for _, hint := range []float64{0, want, want * (1 + 1e-9), want * 0.97, want * 1.5, 3, 1e-7} {
							w.y[u], w.fhint[f] = y0, hint
							e0 = w.evals
							w.solveFac(f, tol)
							if hint == want {
								fast += w.evals - e0
								cases++
							}
							if got := w.y[u]; math.Float64bits(got) != math.Float64bits(want) {
								t.Errorf("trial %d, tol %g, hint %g: ρ̂ = %v, bisection %v", trial, tol, hint, got, want)
							}
							if w.rho[f] != want*w.fscale[f] {
								t.Errorf("trial %d: ρ = %v, want ρ̂·ρs = %v", trial, w.rho[f], want*w.fscale[f])
							}
						}
						w.y[u] = y0
					}
				}
			}
		})
	}
	if cases == 0 || fast >= plain {
		t.Errorf("%d cases: %d evaluations with a hint, %d by plain bisection", cases, fast, plain)
	}
	t.Logf("%d cases: %d evaluations with last root as hint, %d by plain bisection", cases, fast, plain)
}

// bisectSeg is solveSeg's discount as a plain bisection computes it,
// evaluating segExcess at every midpoint: the reference its replay must
// reproduce bit for bit.
func bisectSeg(w *workspace, s int, tol float64) float64 {
	if !(w.segExcess(s, 0) > 0) {
		return 0
	}
	if !(w.segExcess(s, zMax) <= 0) {
		return zMax
	}
	return bisectRoot(func(z float64) float64 { return w.segExcess(s, z) }, 0, zMax, 0.01*tol)
}

// TestSolveSegReplaysBisection: solveSeg, which evaluates a segment's g
// only where its sign is not known yet, returns exactly the plain
// bisection's discount on random routed markets at random prices and
// discounts, and uses fewer evaluations where it bisects.
func TestSolveSegReplaysBisection(t *testing.T) {
	var plain, fast, cases int
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng, m, w := randomRoutedWorkspace(t, seed, 91, false)
			for trial := 0; trial < 10; trial++ {
				for _, i := range w.part {
					w.y[i] = clampY(math.Log(m.Suppliers[i].FOB) + 0.6*(rng.Float64()-0.5))
				}
				for s := range w.segs {
					if w.segs[s].on {
						w.y[w.segBase()+s] = 0.3 * rng.Float64()
					}
				}
				for s := range w.segs {
					if !w.segs[s].on {
						continue
					}
					u := w.segBase() + s
					for _, tol := range []float64{DefaultTol, mcTol} {
						z0 := w.y[u]
						e0 := w.evals
						want := bisectSeg(w, s, tol)
						np := w.evals - e0
						w.y[u] = z0
						e0 = w.evals
						w.solveSeg(s, tol)
						if want > 0 && want < zMax {
							plain += np
							fast += w.evals - e0
							cases++
						}
						if got := w.y[u]; math.Float64bits(got) != math.Float64bits(want) {
							t.Errorf("trial %d, tol %g: z = %v, bisection %v", trial, tol, got, want)
						}
						w.y[u] = z0
					}
				}
			}
		})
	}
	if cases == 0 || fast >= plain {
		t.Errorf("%d bisections: %d evaluations replayed, %d by plain bisection", cases, fast, plain)
	}
	t.Logf("%d bisections: %d evaluations replayed, %d by plain bisection", cases, fast, plain)
}

// randomRoutedWorkspace prepares a workspace for a random routed market
// under a random shock, drawn from the stream (seed, stream); with
// facility set it skips the test when the market has no facility. The
// returned rng goes on from the draws.
func randomRoutedWorkspace(t *testing.T, seed, stream uint64, facility bool) (*rand.Rand, *Market, *workspace) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, stream))
	m := randomMarket(rng, 2+rng.IntN(5), 1+rng.IntN(5))
	withRoutes(rng, m)
	if facility && len(m.Facilities) == 0 {
		t.Skip("no facility")
	}
	c := withRandomCosts(t, rng, m)
	pol := NewPolicy(c.Market)
	randomShock(rng, c, pol)
	w := newWorkspace(c)
	if err := w.prepare(pol, nil, nil); err != nil {
		t.Fatal(err)
	}
	return rng, m, w
}
