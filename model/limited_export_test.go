package model

import "fmt"

// CheckLimitedWeights makes every evaluation, until the returned func is
// called, compare for each facility user with limited tied corridors
// (supplier.reachLimited) and every region the weight facJacobian takes
// (limitedWeight on limitedSteps's terms, found once for all regions)
// with limitedWeightOneRegion's, bit for bit, and call report with each
// that differs and count with the number compared. Both must be safe for
// concurrent use (SimulatePair runs two paths at once).
func CheckLimitedWeights(report func(msg string), count func(n int)) (stop func()) {
	evalCheck = func(w *workspace) {
		n := 0
		for f := range w.rho {
			for _, us := range w.fu[f] {
				i, k := us.i, us.k
				sp := &w.sup[i]
				if w.closed[i] || !sp.reachLimited {
					continue
				}
				S := w.S[i]
				P, G := w.limitedSteps(i, k, S)
				for r := 0; r < w.R; r++ {
					got, want := limitedWeight(sp, k, r, P, G), w.limitedWeightOneRegion(i, k, r, S)
					if got != want || 1/got != 1/want {
						report(fmt.Sprintf("supplier %d corridor %d region %d: limitedWeight %v, one region at a time %v", i, k, r, got, want))
					}
					n++
				}
			}
		}
		count(n)
	}
	return func() { evalCheck = nil }
}

// limitedWeightOneRegion is limitedWeight as it was before limitedSteps:
// the blend weights and flow slopes found again for each region.
func (w *workspace) limitedWeightOneRegion(i, k, r int, S float64) float64 {
	sp := &w.sup[i]
	ck := sp.cost[sp.pos[k]]
	kap := sp.capIn(k)
	var C, cnt, v, aPrev float64
	for j, kk := range sp.ord {
		if kk == k {
			continue
		}
		C += sp.capIn(kk)
		if sp.lim[kk] && serves(sp.reach[kk], r) {
			cnt++
		}
		P, _ := sp.tieStep(kk, j > sp.pos[k], ck-sp.cost[j])
		_, dg := clampFlow(S-C, kap)
		a := -dg * cnt
		v += P * (a - aPrev)
		aPrev = a
	}
	return v
}
