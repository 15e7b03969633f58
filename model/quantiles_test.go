package model

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkBandStoreAdd merges one block of mcBlock draws of a base-market
// sized layout (41,000 level cells: ~380 series × 108 months) into the
// histograms: the Monte Carlo's per-block bookkeeping. Two thirds of the
// counterfactual cells equal the scenario's (months before the policies
// differ), as in us-relief-2025.
func BenchmarkBandStoreAdd(b *testing.B) {
	const C = 41000
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([][]float64, mcBlock)
	ok := make([]bool, mcBlock)
	for d := range rows {
		rows[d] = make([]float64, 2*C)
		for c := 0; c < C; c++ {
			v := 100 + 10*rng.NormFloat64()
			rows[d][c] = v
			if c < 2*C/3 {
				rows[d][C+c] = v
			} else {
				rows[d][C+c] = v + rng.NormFloat64()
			}
		}
		ok[d] = true
	}
	st := newBandStore(C, 1)
	st.startHistograms(rows, ok)
	b.ResetTimer()
	for b.Loop() {
		st.add(rows, ok)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/mcBlock/1e3, "µs/draw")
}
