package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// luTol is the relative and absolute tolerance of an LU solution against
// gonum/mat's on the well-conditioned random matrices below.
const luTol = 1e-10

// luCase is a test matrix: its order and a fill of its n·n entries.
type luCase struct {
	name string
	n    int
	fill func(rng *rand.Rand, a []float64, n int)
}

// denseFill draws every entry from N(0, 1) and zeroes A[0][0], so that
// the first step has to pivot.
func denseFill(rng *rand.Rand, a []float64, n int) {
	for k := range a {
		a[k] = rng.NormFloat64()
	}
	if n > 1 {
		a[0] = 0
	}
}

// sparseFill leaves about a third of the entries zero (some −0), so that
// many multipliers are zero, and makes the diagonal large enough for the
// matrix to be well conditioned.
func sparseFill(rng *rand.Rand, a []float64, n int) {
	for k := range a {
		switch rng.IntN(6) {
		case 0:
			a[k] = 0
		case 1:
			a[k] = math.Copysign(0, -1)
		default:
			a[k] = rng.NormFloat64()
		}
	}
	for k := 0; k < n; k++ {
		a[k*n+k] += math.Copysign(float64(n), a[k*n+k])
	}
}

// jacobianFill has the shape of a Newton Jacobian of us-relief-2025
// (19 unknowns): the first n−7 rows (suppliers, a quota, a facility)
// dense, the last seven (segments and quotas at a bound) zero but for
// their diagonal, one of them with a tiny entry in column 0.
func jacobianFill(rng *rand.Rand, a []float64, n int) {
	clear(a)
	dense := max(n-7, 1)
	for r := 0; r < dense; r++ {
		for c := 0; c < n; c++ {
			a[r*n+c] = rng.NormFloat64()
		}
		a[r*n+r] -= 4
	}
	for r := dense; r < n; r++ {
		a[r*n+r] = 1 + rng.Float64()
	}
	if dense+1 < n {
		a[(dense+1)*n] = -1e-13
	}
}

// triangularFill is jacobianFill with its trailing rows upper
// triangular: each row's diagonal of either sign, entries right of it,
// and zeros of either sign left of it (one row's the tiny entry in
// column 0, and one of them sometimes not zero left of its diagonal, so
// that the block is not triangular).
func triangularFill(rng *rand.Rand, a []float64, n int) {
	jacobianFill(rng, a, n)
	for r := max(n-7, 1); r < n; r++ {
		for c := 0; c < n; c++ {
			switch {
			case c < r && a[r*n+c] == 0:
				a[r*n+c] = math.Copysign(0, float64(rng.IntN(2))-0.5)
			case c > r && rng.IntN(2) == 0:
				a[r*n+c] = rng.NormFloat64()
			}
		}
		a[r*n+r] = math.Copysign(a[r*n+r], float64(rng.IntN(2))-0.5)
	}
	if r := n - 2; r > max(n-7, 1) && rng.IntN(3) == 0 {
		a[r*n+r-1] = rng.NormFloat64()
	}
}

var luCases = []luCase{
	{"dense-1", 1, denseFill},
	{"dense-2", 2, denseFill},
	{"dense-3", 3, denseFill},
	{"dense-7", 7, denseFill},
	{"dense-11", 11, denseFill},
	{"dense-40", 40, denseFill},
	{"sparse-6", 6, sparseFill},
	{"sparse-19", 19, sparseFill},
	{"sparse-33", 33, sparseFill},
	{"jacobian-18", 18, jacobianFill},
	{"jacobian-19", 19, jacobianFill},
	{"triangular-19", 19, triangularFill},
}

// TestLU checks luFactor/luSolveFactored against gonum/mat's LU solution.
func TestLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range luCases {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.n
			a := make([]float64, n*n)
			tc.fill(rng, a, n)
			b := make([]float64, n)
			for k := range b {
				b[k] = rng.NormFloat64()
			}
			var want mat.VecDense
			if err := want.SolveVec(mat.NewDense(n, n, append([]float64(nil), a...)), mat.NewVecDense(n, append([]float64(nil), b...))); err != nil {
				t.Fatal(err)
			}
			piv := make([]int, n)
			tail, ok := luFactor(a, n, piv)
			if !ok {
				t.Fatal("singular")
			}
			luSolveFactored(a, n, piv, tail, b)
			for k := range b {
				if !scalar.EqualWithinAbsOrRel(b[k], want.AtVec(k), luTol, luTol) {
					t.Errorf("x[%d] = %g, gonum %g", k, b[k], want.AtVec(k))
				}
			}
		})
	}
}

// TestLUSingular checks that luFactor refuses singular and non-finite
// matrices.
func TestLUSingular(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		n    int
		a    []float64
	}{
		{"rank-1", 2, []float64{1, 2, 2, 4}},
		{"zero", 1, []float64{0}},
		{"tiny-pivot", 2, []float64{1e-301, 0, 0, 1}},
		{"zero-column", 3, []float64{1, 0, 2, 3, 0, 4, 5, 0, 6}},
		{"equal-rows", 3, []float64{1, 2, 3, 4, 5, 6, 1, 2, 3}},
		{"singular-after-pair", 4, []float64{2, 1, 1, 1, 1, 3, 1, 2, 3, 4, 2, 3, 6, 8, 4, 6}},
		{"inf", 2, []float64{inf, 1, 1, 1}},
		{"nan-diagonal", 2, []float64{nan, 1, 0, 1}},
		{"nan-second-pivot", 3, []float64{4, 0, 0, 0, nan, 0, 0, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := luFactor(tc.a, tc.n, make([]int, tc.n)); ok {
				t.Error("factored")
			}
		})
	}
}

// luFactorRef is luFactor one step and one row at a time: the same pivot
// rule, multipliers and skipped rows. luFactor must match it bit for bit.
func luFactorRef(A []float64, n int, piv []int) bool {
	for k := 0; k < n; k++ {
		p, big := k, math.Abs(A[k*n+k])
		for r := k + 1; r < n; r++ {
			if v := math.Abs(A[r*n+k]); v > big {
				big, p = v, r
			}
		}
		if !(big > 1e-300) || math.IsInf(big, 0) {
			return false
		}
		piv[k] = p
		for c := 0; c < n; c++ {
			A[k*n+c], A[p*n+c] = A[p*n+c], A[k*n+c]
		}
		inv := 1 / A[k*n+k]
		for r := k + 1; r < n; r++ {
			f := A[r*n+k] * inv
			A[r*n+k] = f
			if f == 0 {
				continue
			}
			for c := k + 1; c < n; c++ {
				A[r*n+c] -= f * A[k*n+c]
			}
		}
	}
	return true
}

// luSolveRef is luSolveFactored one term at a time.
func luSolveRef(A []float64, n int, piv []int, b []float64) {
	for k := 0; k < n; k++ {
		b[k], b[piv[k]] = b[piv[k]], b[k]
	}
	for r := 0; r < n; r++ {
		for c := 0; c < r; c++ {
			b[r] -= A[r*n+c] * b[c]
		}
	}
	for r := n - 1; r >= 0; r-- {
		for c := r + 1; c < n; c++ {
			b[r] -= A[r*n+c] * b[c]
		}
		b[r] /= A[r*n+r]
	}
}

// TestLUSameAsOneStepAtATime checks that luFactor and luSolveFactored
// give bit for bit the factors, pivots and solutions of the plain
// algorithm (luFactorRef, luSolveRef), −0 included, for every order
// from 1 to 24 and every fill, right-hand sides without −0. The one
// exception is the multipliers of the trailing block's rows in the
// columns before it (luTail), zero in both: the plain algorithm stores
// 0·(1/pivot), −0 for a negative pivot, luFactor leaves the zero it
// found. A right-hand side's −0 can then come out +0 in the plain
// algorithm and −0 in luSolveFactored, or the other way round, where a
// solution's entry is zero; Newton adds it to an unknown, where
// either sign gives the same sum.
func TestLUSameAsOneStepAtATime(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	tails := 0      // factorizations with a trailing block
	triangular := 0 // trailing blocks of two rows or more that luTriangular factors
	same := func(x, y []float64) int {
		for k := range x {
			if math.Float64bits(x[k]) != math.Float64bits(y[k]) {
				return k
			}
		}
		return -1
	}
	type fillKind struct {
		name string
		f    func(rng *rand.Rand, a []float64, n int)
		asm  bool // useLUAsm
	}
	var fills []fillKind
	for _, asm := range []bool{false, true} {
		if asm && !haveBatchAsm {
			continue
		}
		for _, f := range []fillKind{{"dense", denseFill, asm}, {"sparse", sparseFill, asm}, {"jacobian", jacobianFill, asm}, {"triangular", triangularFill, asm}} {
			if asm {
				f.name += " avx2"
			}
			fills = append(fills, f)
		}
	}
	defer func(v bool) { useLUAsm = v }(useLUAsm)
	for _, fill := range fills {
		useLUAsm = fill.asm
		t.Run(fill.name, func(t *testing.T) {
			for n := 1; n <= 24; n++ {
				for range 20 {
					a := make([]float64, n*n)
					fill.f(rng, a, n)
					ref := append([]float64(nil), a...)
					piv, pref := make([]int, n), make([]int, n)
					wantM, wantTri := luTailRef(a, n)
					if m, tri := luTail(a, n); m != wantM || tri != wantTri {
						t.Fatalf("n=%d: luTail %d, %v, want %d, %v", n, m, tri, wantM, wantTri)
					}
					if wantTri && wantM < n-1 {
						triangular++
					}
					tail, ok := luFactor(a, n, piv)
					okRef := luFactorRef(ref, n, pref)
					if ok != okRef {
						t.Fatalf("n=%d: luFactor %v, reference %v", n, ok, okRef)
					}
					if !ok {
						continue
					}
					if tail < n {
						tails++
					}
					for r := tail; r < n; r++ {
						for c := 0; c < tail; c++ {
							if k := r*n + c; a[k] != 0 || ref[k] != 0 {
								t.Fatalf("n=%d: trailing row %d's multiplier %d = %v, reference %v", n, r, c, a[k], ref[k])
							}
							a[r*n+c] = ref[r*n+c]
						}
					}
					if k := same(a, ref); k >= 0 {
						t.Fatalf("n=%d: factor entry %d = %v, reference %v", n, k, a[k], ref[k])
					}
					for r := tail; r < n; r++ {
						for c := 0; c < tail; c++ {
							a[r*n+c] = math.NaN() // luSolveFactored must not read them
						}
					}
					for k := range piv {
						if piv[k] != pref[k] {
							t.Fatalf("n=%d: pivot %d = %d, reference %d", n, k, piv[k], pref[k])
						}
					}
					b := make([]float64, n)
					for k := range b {
						if rng.IntN(4) > 0 {
							b[k] = rng.NormFloat64()
						}
					}
					bref := append([]float64(nil), b...)
					luSolveFactored(a, n, piv, tail, b)
					luSolveRef(ref, n, pref, bref)
					if k := same(b, bref); k >= 0 {
						t.Fatalf("n=%d: x[%d] = %v, reference %v", n, k, b[k], bref[k])
					}
				}
			}
		})
	}
	if tails == 0 {
		t.Error("no matrix had a trailing block: the test misses luFactor's second part")
	}
	if triangular == 0 {
		t.Error("no trailing block was triangular: the test misses luTriangular")
	}
}

// luTailRef is luTail by its definition: the smallest m ≥ 1 with rows
// m … n−1 zero in columns 0 … m−1, and whether each of those rows is
// zero left of its diagonal.
func luTailRef(A []float64, n int) (int, bool) {
	m := n
	for k := 1; k < n; k++ {
		zero := true
		for r := k; r < n && zero; r++ {
			for c := 0; c < k; c++ {
				if A[r*n+c] != 0 {
					zero = false
					break
				}
			}
		}
		if zero {
			m = k
			break
		}
	}
	for r := m; r < n; r++ {
		for c := 0; c < r; c++ {
			if A[r*n+c] != 0 {
				return m, false
			}
		}
	}
	return m, true
}

// BenchmarkLUFactor19 factors a matrix of the shape of us-relief-2025's
// Newton Jacobian (19 unknowns, jacobianFill).
func BenchmarkLUFactor19(b *testing.B) {
	const n = 19
	a := make([]float64, n*n)
	jacobianFill(rand.New(rand.NewPCG(1, 2)), a, n)
	work, piv := make([]float64, n*n), make([]int, n)
	for b.Loop() {
		copy(work, a)
		if _, ok := luFactor(work, n, piv); !ok {
			b.Fatal("singular")
		}
	}
}

// BenchmarkLUSolve19 solves with the factors of BenchmarkLUFactor19's
// matrix.
func BenchmarkLUSolve19(b *testing.B) {
	const n = 19
	a := make([]float64, n*n)
	jacobianFill(rand.New(rand.NewPCG(1, 2)), a, n)
	piv, rhs, x := make([]int, n), make([]float64, n), make([]float64, n)
	tail, ok := luFactor(a, n, piv)
	if !ok {
		b.Fatal("singular")
	}
	for k := range rhs {
		rhs[k] = float64(k%5) - 2
	}
	for b.Loop() {
		copy(x, rhs)
		luSolveFactored(a, n, piv, tail, x)
	}
}
