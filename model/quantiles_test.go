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

// binValuesOneTest is binValues as one pass testing each value in
// order (the form before the fast bin test and the tails' second pass):
// the reference TestBinValues compares against.
func binValuesOneTest[T uint16 | uint32](h *[histBins + 2]T, src []float64, st int, lo, inv, mn, mx float64) (s0, s1, mn1, mx1 float64) {
	for t, i := 0, 0; i < len(src); t, i = t+1, i+st {
		v := src[i]
		if t&1 == 0 {
			s0 += v
		} else {
			s1 += v
		}
		if x := (v - lo) * inv; x >= 0 && x < histBins {
			h[1+int(x)]++
		} else {
			mn, mx = tailMinMax(mn, mx, v)
			h[binOf(v, lo, inv)]++
		}
	}
	return s0, s1, mn, mx
}

// TestBinValues checks that binValues gives the counts, partial sums and
// extremes of the one-test-per-value reference bit for bit, for values
// inside the range, on its bin edges (x = 0, 1, histBins − 1, histBins),
// just inside and outside it, zeros of both signs and tails far out, with
// strides 1 and 3 and odd and even counts, in both counter widths.
func TestBinValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		name        string
		lo, inv     float64
		spread, off float64 // values lo + off + spread·N(0, 1)
		edges       bool    // add the bin edges and their neighbours
	}{
		{"inside", 10, histBins / 20.0, 3, 10, false},
		{"tails both sides", 10, histBins / 20.0, 15, 10, false},
		{"edges", 10, histBins / 20.0, 1, 10, true},
		{"zero lo, signed zeros", 0, histBins / 2.0, 0.5, 1, true},
		{"negative range", -7.5, histBins / 0.25, 0.1, 0.1, true},
		{"tiny bins", 1e-3, histBins / 1e-12, 1e-12, 5e-13, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var vals []float64
			for k := 0; k < 200; k++ {
				vals = append(vals, tc.lo+tc.off+tc.spread*rng.NormFloat64())
			}
			if tc.edges {
				for _, x := range []float64{0, 1, 2, histBins - 1, histBins} {
					v := tc.lo + x/tc.inv
					vals = append(vals, v, math.Nextafter(v, math.Inf(-1)), math.Nextafter(v, math.Inf(1)))
				}
				vals = append(vals, 0, math.Copysign(0, -1), tc.lo, -1e300, 1e300)
			}
			rng.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
			for _, st := range []int{1, 3} {
				for _, n := range []int{1, 2, 63, 64, len(vals) / st} {
					src := vals[:(n-1)*st+1]
					mn0, mx0 := math.Inf(1), math.Inf(-1)
					if n == 63 {
						mn0, mx0 = tc.lo, tc.lo // extremes from earlier draws
					}
					var h16, r16 [histBins + 2]uint16
					var h32, r32 [histBins + 2]uint32
					got := [4]float64{}
					want := [4]float64{}
					got[0], got[1], got[2], got[3] = binValues(&h16, src, st, tc.lo, tc.inv, mn0, mx0)
					want[0], want[1], want[2], want[3] = binValuesOneTest(&r16, src, st, tc.lo, tc.inv, mn0, mx0)
					g32 := [4]float64{}
					g32[0], g32[1], g32[2], g32[3] = binValues(&h32, src, st, tc.lo, tc.inv, mn0, mx0)
					binValuesOneTest(&r32, src, st, tc.lo, tc.inv, mn0, mx0)
					for k := range got {
						if math.Float64bits(got[k]) != math.Float64bits(want[k]) || math.Float64bits(g32[k]) != math.Float64bits(want[k]) {
							t.Errorf("stride %d, %d values: result %d is %v (32-bit %v), want %v", st, n, k, got[k], g32[k], want[k])
						}
					}
					if h16 != r16 || h32 != r32 {
						t.Errorf("stride %d, %d values: counts\n%v\n%v, want\n%v", st, n, h16, h32, r16)
					}
					tails := 0
					for _, c := range []uint16{r16[0], r16[histBins+1]} {
						tails += int(c)
					}
					if tc.edges && n == len(vals)/st && st == 1 && tails == 0 {
						t.Errorf("no value in a tail: the case tests nothing of the tails")
					}
				}
			}
		})
	}
}

// TestBinPoint checks binPoint against updateCell's former loop for a
// zero-width range (one test per value, in order), bit for bit: values
// all equal to lo, a few others on either side, and zeros of both signs
// at lo = 0 (equal to lo, so in the point mass).
func TestBinPoint(t *testing.T) {
	oneTest := func(h *[histBins + 2]uint32, src []float64, st int, lo, mn, mx float64) (s0, s1, mn1, mx1 float64) {
		eq := uint32(0)
		for t, i := 0, 0; i < len(src); t, i = t+1, i+st {
			v := src[i]
			if t&1 == 0 {
				s0 += v
			} else {
				s1 += v
			}
			if v == lo {
				eq++
				continue
			}
			mn, mx = min(mn, v), max(mx, v)
			h[binOf(v, lo, 0)]++
		}
		h[1] += eq
		return s0, s1, mn, mx
	}
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name   string
		lo     float64
		others []float64 // put at positions 3, 10, 11, …
	}{
		{"all equal", 2.5, nil},
		{"one above", 2.5, []float64{2.75}},
		{"both sides", 2.5, []float64{1, 9, -4, 2.5000000000000004}},
		{"signed zeros", 0, []float64{negZero, negZero, 1e-300, -1e-300}},
		{"negative lo", -3, []float64{-3.5, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vals := make([]float64, 70)
			for k := range vals {
				vals[k] = tc.lo
			}
			for k, v := range tc.others {
				vals[3+7*k] = v
			}
			for _, st := range []int{1, 2} {
				for _, n := range []int{1, 2, 5, 35} {
					src := vals[:(n-1)*st+1]
					for _, start := range [][2]float64{{math.Inf(1), math.Inf(-1)}, {-1, 1}} {
						var h, r [histBins + 2]uint32
						var got, want [4]float64
						got[0], got[1], got[2], got[3] = binPoint(&h, src, st, tc.lo, start[0], start[1])
						want[0], want[1], want[2], want[3] = oneTest(&r, src, st, tc.lo, start[0], start[1])
						for k := range got {
							if math.Float64bits(got[k]) != math.Float64bits(want[k]) {
								t.Errorf("stride %d, %d values, start %v: result %d is %v, want %v", st, n, start, k, got[k], want[k])
							}
						}
						if h != r {
							t.Errorf("stride %d, %d values: counts %v, want %v", st, n, h, r)
						}
					}
				}
			}
		})
	}
}

// TestColumnsEqual checks columnsEqual against a plain loop: columns of
// 1 to 9 values (odd and even, add's two a turn) in tiles of widths 1
// to 5, equal, unequal at each position (by a value or by a zero's
// sign, which only the bitwise comparison sees), and the same tile
// passed as both.
func TestColumnsEqual(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for W := 1; W <= 5; W++ {
		for nd := 1; nd <= 9; nd++ {
			for off := 0; off < W; off++ {
				vs := make([]float64, nd*W)
				for k := range vs {
					vs[k] = float64(k%3) - 1 // zeros among them
				}
				for at := -1; at < nd; at++ {
					for _, other := range []float64{7, negZero} {
						vc := slices.Clone(vs)
						if at >= 0 {
							if other == negZero && vs[at*W+off] != 0 {
								continue
							}
							vc[at*W+off] = other
						}
						for _, bitwise := range []bool{false, true} {
							want := true
							for t := 0; t < nd; t++ {
								a, b := vs[t*W+off], vc[t*W+off]
								if bitwise && math.Float64bits(a) != math.Float64bits(b) || !bitwise && a != b {
									want = false
								}
							}
							if got := columnsEqual(vs, vc, off, W, nd, bitwise); got != want {
								t.Errorf("W %d, %d values from %d, %v at %d, bitwise %v: %v, want %v", W, nd, off, other, at, bitwise, got, want)
							}
						}
					}
				}
				if !columnsEqual(vs, vs, off, W, nd, true) {
					t.Errorf("W %d, %d values: a tile unequal to itself", W, nd)
				}
			}
		}
	}
}
