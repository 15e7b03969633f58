package model

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// TestLU checks luFactor/luSolveFactored against gonum/mat on random
// matrices that need pivoting.
func TestLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 3, 7, 11, 40} {
		a := make([]float64, n*n)
		b := make([]float64, n)
		for k := range a {
			a[k] = rng.NormFloat64()
		}
		if n > 1 {
			a[0] = 0 // forces a pivot
		}
		for k := range b {
			b[k] = rng.NormFloat64()
		}
		var want mat.VecDense
		if err := want.SolveVec(mat.NewDense(n, n, append([]float64(nil), a...)), mat.NewVecDense(n, append([]float64(nil), b...))); err != nil {
			t.Fatal(err)
		}
		piv := make([]int, n)
		if !luFactor(a, n, piv) {
			t.Fatalf("n=%d: singular", n)
		}
		luSolveFactored(a, n, piv, b)
		for k := range b {
			if !scalar.EqualWithinAbsOrRel(b[k], want.AtVec(k), 1e-10, 1e-10) {
				t.Errorf("n=%d: x[%d] = %g, gonum %g", n, k, b[k], want.AtVec(k))
			}
		}
	}
	if luFactor([]float64{1, 2, 2, 4}, 2, make([]int, 2)) {
		t.Error("singular matrix factored")
	}
}
