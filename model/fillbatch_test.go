package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFillBatchesBitIdentical checks fill's batches against the scalar
// calls they replaced, bit for bit: regionExps' price index fexp(ln P),
// long-run quantity fexp(ln A_LR − ε·flog P) (0 without A_LR) and
// flog(P0/P) for each region that trades, and mineCosts' long-run and
// in-force mine marginal costs (with and without a Lag, zero sales). The
// inputs reach the batch kernels' fallbacks (underflowing and
// overflowing exps, a zero price index) and their padded lanes (counts
// that are not multiples of four).
func TestFillBatchesBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 5))
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
	checked := 0
	for _, asm := range []bool{false, true} {
		if asm && !haveBatchAsm {
			continue
		}
		useBatchAsm = asm
		for R := 1; R <= 9; R++ {
			for range 50 {
				regs := make([]Region, R)
				c := &Calibrated{Market: &Market{Regions: regs}, P0: make([]float64, R)}
				w := &workspace{c: c, R: R, W: make([]float64, R), lnP: make([]float64, R), lnALR: make([]float64, R), rgFill: make([]float64, 7*batchLen(R))}
				for r := range R {
					regs[r].Eps = rng.Float64() * 2
					c.P0[r] = 100 + 500*rng.Float64()
					w.lnP[r] = math.Log(c.P0[r]) + rng.NormFloat64()
					if rng.IntN(8) == 0 {
						w.lnP[r] = -800 // P = 0
					}
					w.lnALR[r] = rng.NormFloat64() * 5
					switch rng.IntN(6) {
					case 0:
						w.lnALR[r] = math.Inf(-1)
					case 1:
						w.lnALR[r] = 710 + rng.Float64()*100 // beyond the kernel's range
					}
					if rng.IntN(5) > 0 {
						w.W[r] = 1
					}
				}
				P, Q, L := w.regionExps()
				for r := range R {
					if !(w.W[r] > 0) {
						continue
					}
					p := fexp(w.lnP[r])
					q := 0.0
					if !math.IsInf(w.lnALR[r], -1) {
						q = fexp(w.lnALR[r] - regs[r].Eps*flog(p))
					}
					if !same(P[r], p) || !same(Q[r], q) {
						t.Fatalf("asm %v R=%d region %d: P %v Q %v, scalar %v %v", asm, R, r, P[r], Q[r], p, q)
					}
					if p > 0 && q != 0 && !same(L[r], flog(c.P0[r]/p)) {
						t.Fatalf("asm %v R=%d region %d: flog(P0/P) %v, scalar %v", asm, R, r, L[r], flog(c.P0[r]/p))
					}
					if got, want := consumerSurplusFrom(P[r], Q[r], regs[r].Eps, L[r]), consumerSurplusChange(c.P0[r], p, q, regs[r].Eps); !same(got, want) {
						t.Fatalf("asm %v R=%d region %d: consumer surplus %v, scalar %v", asm, R, r, got, want)
					}
					checked++
				}
			}
		}
		for n := 1; n <= 13; n++ {
			for range 50 {
				w := &workspace{n: n, sup: make([]supplier, n), supFill: make([]float64, 6*batchLen(n))}
				rs := make([]routeSums, n)
				for i := range n {
					sp := &w.sup[i]
					sp.lnBLR, sp.etaLR = rng.NormFloat64()*3, 0.2+rng.Float64()*3
					sp.lnB, sp.eta = sp.lnBLR, sp.etaLR
					if rng.IntN(2) == 0 { // a Lag: the short-run curve differs
						sp.lnB, sp.eta = sp.lnBLR+rng.NormFloat64(), 0.05+rng.Float64()
					}
					rs[i].S = math.Exp(rng.NormFloat64() * 3)
					switch rng.IntN(6) {
					case 0:
						rs[i].S = 0
					case 1:
						rs[i].S = 1e300 // an exp beyond the kernel's range
					}
				}
				lr, sr := w.mineCosts(rs)
				for i := range n {
					sp, S := &w.sup[i], rs[i].S
					wl, ws := 0.0, 0.0
					if S > 0 {
						wl, ws = fexp((flog(S)-sp.lnBLR)/sp.etaLR), sp.marginalCost(S)
					}
					if !same(lr[i], wl) || !same(sr[i], ws) {
						t.Fatalf("asm %v n=%d supplier %d (S %v): %v %v, scalar %v %v", asm, n, i, S, lr[i], sr[i], wl, ws)
					}
					checked++
				}
			}
		}
	}
	useBatchAsm = haveBatchAsm
	if checked < 2000 {
		t.Fatalf("only %d values checked", checked)
	}
}
