package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/stat"
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

// TestLinInterpQuantile checks linInterpQuantile against gonum's
// stat.Quantile with LinInterp on random samples (equal within a few ulp),
// and that percentiles of samples with many equal values are those values
// exactly and in order (gonum's form can land one ulp above them).
func TestLinInterpQuantile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < 60; n++ {
		x := make([]float64, n)
		for k := range x {
			x[k] = 200 + rng.NormFloat64()
		}
		slices.Sort(x)
		for _, p := range []float64{0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 1} {
			if got, want := linInterpQuantile(p, x), stat.Quantile(p, stat.LinInterp, x, nil); !scalar.EqualWithinULP(got, want, 4) {
				t.Errorf("n %d p %g: %v, gonum %v", n, p, got, want)
			}
		}
	}
	v := 219.99999999999991
	x := []float64{v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, 219.99999999999994}
	prev := math.Inf(-1)
	for _, p := range []float64{0.05, 0.25, 0.5, 0.75, 0.95} {
		q := linInterpQuantile(p, x)
		if q != v || q < prev {
			t.Errorf("p %g: %.17g, want %.17g", p, q, v)
		}
		prev = q
	}
}

// TestExactBandConstant checks that exactBand's shortcut for values equal
// bit for bit gives the band the sort gives, bit for bit, and that zeros
// of both signs still go through the sort.
func TestExactBandConstant(t *testing.T) {
	sorted := func(x []float64) Band {
		var s float64
		for _, v := range x {
			s += v
		}
		y := append([]float64(nil), x...)
		slices.Sort(y)
		b := Band{Mean: s / float64(len(y))}
		q := [5]*float64{&b.P5, &b.P25, &b.P50, &b.P75, &b.P95}
		for k, p := range quantileLevels {
			*q[k] = linInterpQuantile(p, y)
		}
		return b
	}
	bits := func(b Band) [6]uint64 {
		return [6]uint64{math.Float64bits(b.Mean), math.Float64bits(b.P5), math.Float64bits(b.P25), math.Float64bits(b.P50), math.Float64bits(b.P75), math.Float64bits(b.P95)}
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -219.99999999999991, 5e-324, math.MaxFloat64 / 1e3} {
		for _, n := range []int{1, 2, 3, 64, 100} {
			x := make([]float64, n)
			for k := range x {
				x[k] = v
			}
			t.Run(fmt.Sprintf("%g×%d", v, n), func(t *testing.T) {
				if got, want := exactBand(append([]float64(nil), x...)), sorted(x); bits(got) != bits(want) {
					t.Errorf("%+v, sorted %+v", got, want)
				}
			})
		}
	}
	x := []float64{0, math.Copysign(0, -1), 0, math.Copysign(0, -1)}
	if got, want := exactBand(append([]float64(nil), x...)), sorted(x); bits(got) != bits(want) {
		t.Errorf("mixed zeros: %+v, sorted %+v", got, want)
	}
}
