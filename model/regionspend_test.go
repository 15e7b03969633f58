package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// spendRef is a region's price index and spending as eval computed them
// one region at a time before regionSpend (flog of W, then spend's three
// exps written out around fexpCore), kept here as the reference the
// batched regions must match bit for bit.
func spendRef(w *workspace, r int) (lnP, PQ, e, C float64) {
	W := w.W[r]
	if W == 0 {
		return 0, 0, w.eps[r], 0
	}
	lnP = flog(W) / (1 - w.sig[r])
	lnA, eps := w.lnA[r], w.eps[r]
	if !w.stk[r] || math.IsInf(lnA, -1) {
		return lnP, fexp(lnA + (1-eps)*lnP), eps, 0
	}
	C = fexp(lnA - eps*lnP)
	st := w.sBar[r] * fexp(-w.gam[r]*(lnP-w.lnPe[r]))
	P := fexp(lnP)
	u := w.phi12[r] * (st - w.sPrev[r]) / C
	du := -w.phi12[r]*w.gam[r]*st/C + u*eps
	f, fp := shipFactor(u)
	return lnP, P * C * f, eps - fp/f*du, C
}

// TestRegionSpendBitIdentical checks eval's regions in batches
// (regionSpend: one flogBatch of their sums of weights, one fexpBatch of
// their spending's exponents) against the scalar code they replaced
// (spendRef) and against spend itself, bit for bit, on both batch paths:
// regions with and without stocks, without demand (ln A = −Inf) or trade
// (W = 0), and sums and price indices far enough out that the log or an
// exp leaves its core's range (math.Log, math.Exp), NaN results included.
func TestRegionSpendBitIdentical(t *testing.T) {
	for _, bp := range batchPaths {
		t.Run(bp.name, func(t *testing.T) {
			withBatchPath(t, bp.asm)
			w := testPathSim(t, testSpec(pathMarket(), 1)).solver.ws
			R := w.R
			if R < 2 {
				t.Fatalf("test market has %d regions", R)
			}
			rng := rand.New(rand.NewPCG(14, 13))
			same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
			bad, stocks, wide := 0, 0, 0
			for trial := 0; trial < 20000; trial++ {
				for r := 0; r < R; r++ {
					w.stk[r] = rng.IntN(3) > 0
					w.lnA[r] = 3 * rng.NormFloat64()
					if rng.IntN(20) == 0 {
						w.lnA[r] = math.Inf(-1)
					}
					w.eps[r] = 1.5 * rng.Float64()
					w.sig[r] = 1.2 + 8*rng.Float64()
					w.gam[r] = 5 * rng.Float64()
					w.lnPe[r] = 2 * rng.NormFloat64()
					w.sBar[r], w.sPrev[r] = 10*rng.Float64(), 10*rng.Float64()
					w.phi12[r] = 12 * rng.Float64()
					switch k := rng.IntN(40); {
					case k == 0:
						w.W[r] = 0
					case k == 1:
						w.W[r] = math.Ldexp(1+rng.Float64(), -1010+rng.IntN(2030)) // either side of 2^±1000, subnormals
						wide++
					case k == 2:
						w.W[r] = math.Exp(700 * (2*rng.Float64() - 1)) // exps past ±700
						wide++
					default:
						w.W[r] = math.Exp(3 * rng.NormFloat64())
					}
					if w.stk[r] {
						stocks++
					}
				}
				w.regionSpend()
				for r := 0; r < R; r++ {
					lnP, PQ, e, C := spendRef(w, r)
					got := [4]float64{w.lnP[r], w.PQ[r], w.epsX[r], w.cons[r]}
					ok := same(got[0], lnP) && same(got[1], PQ) && same(got[2], e) && same(got[3], C)
					if w.W[r] != 0 {
						sPQ, se, sC := w.spend(r, lnP)
						ok = ok && same(sPQ, PQ) && same(se, e) && same(sC, C)
					}
					if !ok {
						if bad++; bad <= 5 {
							t.Errorf("trial %d region %d (W %v, stocks %v): ln P, P·X, e, C = %v, want %v",
								trial, r, w.W[r], w.stk[r], got, [4]float64{lnP, PQ, e, C})
						}
					}
				}
			}
			if bad > 5 {
				t.Errorf("%d regions differ in all", bad)
			}
			if stocks == 0 || wide == 0 {
				t.Errorf("covered %d regions with stocks, %d out of range", stocks, wide)
			}
		})
	}
}
