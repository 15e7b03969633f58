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
	st.startHistograms(rows, ok, nil)
	b.ResetTimer()
	for b.Loop() {
		st.add(rows, ok, nil)
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

// TestBandStoreSharedPrefix checks that rows whose counterfactual half is
// left unwritten over a shared prefix (pre, as mcRunner.draw leaves it:
// here NaN, as stale values of an earlier draw could be) give every band
// bit for bit as the full rows do, in the exact regime and with
// histograms, with prefixes that differ between rows, chunks inside and
// across tiles, and a failed row whose short prefix must not count.
func TestBandStoreSharedPrefix(t *testing.T) {
	const C = 3*tileCells + 17
	rng := rand.New(rand.NewPCG(3, 5))
	newRows := func(n int) (full, holed [][]float64, pre []int, ok []bool) {
		for d := 0; d < n; d++ {
			p := C/2 + rng.IntN(C/3) // the row's shared prefix in level cells
			if d%5 == 0 {
				p = tileCells - 1 + d // some rows share less (row 0 all but a chunk's last cell)
			}
			row := make([]float64, 2*C)
			for c := 0; c < C; c++ {
				row[c] = 50 + 10*rng.NormFloat64()
				row[C+c] = row[c]
				if c >= p {
					row[C+c] += rng.NormFloat64()
				}
			}
			h := slices.Clone(row)
			for c := 0; c < p; c++ {
				h[C+c] = math.NaN()
			}
			full, holed = append(full, row), append(holed, h)
			pre = append(pre, p)
			ok = append(ok, d != 3)
		}
		pre[3] = 0 // the failed row
		return full, holed, pre, ok
	}
	same := func(t *testing.T, got, want []Band) {
		t.Helper()
		for j := range want {
			if g, w := fmt.Sprint(got[j]), fmt.Sprint(want[j]); g != w {
				t.Fatalf("value cell %d: %s, want %s", j, g, w)
			}
		}
	}
	t.Run("exact", func(t *testing.T) {
		full, holed, pre, ok := newRows(40)
		a, b := newBandStore(C, 2), newBandStore(C, 3)
		a.exact, a.exactOK = full, ok
		b.exact, b.exactOK, b.exactPre = holed, ok, pre
		same(t, b.bands(), a.bands())
	})
	t.Run("histograms", func(t *testing.T) {
		a, b := newBandStore(C, 2), newBandStore(C, 3)
		for blk := 0; blk < 4; blk++ {
			full, holed, pre, ok := newRows(mcBlock)
			if blk == 0 {
				a.startHistograms(full, ok, nil)
				b.startHistograms(holed, ok, pre)
				continue
			}
			a.add(full, ok, nil)
			b.add(holed, ok, pre)
		}
		same(t, b.bands(), a.bands())
	})
}
