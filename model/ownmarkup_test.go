package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestOwnExcessMarkupAtTrialPrice checks the fallback's one-dimensional
// excess demand of a Cournot seller with its markup taken at the trial
// price (workspace.ownMu, markupAt): moving the seller's own log price
// by d, others fixed, ownExcess must give the excess demand D − S that a
// full evaluation at that point gives, markup, coalition partners' value
// and concessions included, on random markets with conduct, coalitions
// and sanction instruments, long and short run. With the markup held at
// the last evaluation's (ownMu off), it does not.
func TestOwnExcessMarkupAtTrialPrice(t *testing.T) {
	checked, moved := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 47))
			m := randomMarket(rng, 2+rng.IntN(6), 1+rng.IntN(5))
			withRandomCosts(t, rng, m)
			c := withRandomConduct(t, rng, m)
			pol := NewPolicy(m)
			if seed%2 == 0 {
				randomSanctions(rng, c, pol)
			}
			if len(pol.Cooperation) > 0 && seed%3 == 0 {
				pol.Cooperation[0] = rng.Float64()
			}
			var lag *Lag
			if seed%4 == 0 {
				lag = bruteLag(rng, c)
			}
			w := NewSolver(c).ws
			if err := w.prepare(pol, lag, nil); err != nil {
				t.Fatal(err)
			}
			for _, i := range w.act {
				w.y[i] += 0.2 * (rng.Float64() - 0.5)
			}
			y0 := append([]float64(nil), w.y[:w.ny]...)
			for _, i := range w.strat {
				if w.pinned[i] {
					continue
				}
				for _, d := range []float64{-0.05, 0.03} {
					copy(w.y[:w.ny], y0)
					w.eval()
					mu0 := w.mu[i]
					got := map[bool]float64{}
					for _, on := range []bool{true, false} {
						w.ownMu = on
						w.othersSum(i)
						got[on], _ = w.ownExcess(i, y0[i]+d)
					}
					w.ownMu = false
					w.y[i] = y0[i] + d
					w.eval()
					want := w.D[i] - w.S[i]
					scale := math.Max(1, math.Max(w.D[i], w.S[i]))
					if math.Abs(got[true]-want) > 1e-9*scale {
						t.Errorf("supplier %d, d %g: ownExcess %.12g, eval %.12g (μ %.6g → %.6g)", i, d, got[true], want, mu0, w.mu[i])
					}
					checked++
					if math.Abs(got[false]-want) > 1e-6*scale {
						moved++
					}
				}
			}
		})
	}
	if checked < 60 || moved < checked/2 {
		t.Errorf("%d points checked, %d where the held markup misses: want at least 60, and half", checked, moved)
	}
	t.Logf("%d points checked, %d where the held markup misses", checked, moved)
}
