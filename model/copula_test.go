package model_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/potash-sim/potash/model"
)

const (
	// copulaDraws is the sample of the property test.
	copulaDraws = 20000
	// corrTol bounds |sample − target| of a correlation of the normal
	// scores over copulaDraws draws: a sample correlation's standard
	// error is (1 − r²)/√n ≤ 0.0071 at n = 20,000; 0.025 is 3.5 of them.
	corrTol = 0.025
	// ksTol is the Kolmogorov–Smirnov bound of a marginal over
	// copulaDraws draws at the 0.1 % level: 1.95/√n.
	ksTol = 0.0138
)

func TestNewCopulaErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    [][]float64
		want string
	}{
		{"empty", nil, "empty"},
		{"not square", [][]float64{{1, 0.5}, {0.5}}, "not square: row 2 has 1 entries, want 2"},
		{"entry above 1", [][]float64{{1, 1.2}, {1.2, 1}}, "entry (1, 2) = 1.2 is not in [-1, 1]"},
		{"NaN", [][]float64{{1, math.NaN()}, {math.NaN(), 1}}, "entry (1, 2) = NaN"},
		{"diagonal", [][]float64{{1, 0.5}, {0.5, 0.9}}, "diagonal entry (2, 2) = 0.9 is not 1"},
		{"not symmetric", [][]float64{{1, 0.5}, {0.4, 1}}, "not symmetric: entry (2, 1) = 0.4, entry (1, 2) = 0.5"},
		{"contradictory", [][]float64{{1, 0.9, 0.9}, {0.9, 1, 0}, {0.9, 0, 1}}, "not positive definite: its smallest eigenvalue is -0.273"},
		{"singular", [][]float64{{1, 1}, {1, 1}}, "not positive definite: its smallest eigenvalue is 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := model.NewCopula(tc.r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("NewCopula(%v) = %v, want an error containing %q", tc.r, err, tc.want)
			}
		})
	}
	t.Run("within tolerance", func(t *testing.T) {
		c, err := model.NewCopula([][]float64{{1 + 1e-10, 0.5}, {0.5 + 1e-10, 1}})
		if err != nil {
			t.Fatal(err)
		}
		if m := c.Matrix(); m[0][0] != 1 || m[0][1] != m[1][0] {
			t.Errorf("Matrix() = %v, want symmetric with a unit diagonal", m)
		}
	})
}

// recorder is an Uncertain whose Apply records the values drawn (the
// draw's, as the spec is not changed) into *got.
func recorder(name string, d model.Distribution, got *float64) model.Uncertain {
	return model.Uncertain{Name: name, Dist: d, Central: d.Mean(), Apply: func(_ *model.Spec, v float64) error {
		*got = v
		return nil
	}}
}

// copulaSetup returns three uncertain parameters of different marginals
// correlated by r (nil: no copula), their recorded values and CDFs.
func copulaSetup(t testing.TB, r [][]float64) ([]model.Uncertain, []float64, []func(float64) float64) {
	t.Helper()
	un, err := model.NewUniform(0.1, 0.6)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := model.NewLogNormal(-1, 0.4, 0, math.Inf(1))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := model.NewTriangular(1, 2, 5)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 3)
	unc := []model.Uncertain{recorder("u", un, &got[0]), recorder("ln", ln, &got[1]), recorder("tri", tr, &got[2])}
	cdfs := []func(float64) float64{
		distuv.Uniform{Min: 0.1, Max: 0.6}.CDF,
		distuv.LogNormal{Mu: -1, Sigma: 0.4}.CDF,
		distuv.NewTriangle(1, 5, 2, nil).CDF,
	}
	if r != nil {
		c, err := model.NewCopula(r)
		if err != nil {
			t.Fatal(err)
		}
		// Rows in another order than the slice: the copula's row 0 is
		// unc[2].
		for k, row := range []int{1, 2, 0} {
			unc[k].Copula, unc[k].CopulaRow = c, row
		}
	}
	return unc, got, cdfs
}

// drawAll returns n draws (rows) of unc's values as MonteCarlo draws
// them with seed 1 (DrawSpecs).
func drawAll(t testing.TB, unc []model.Uncertain, got []float64, n int) [][]float64 {
	t.Helper()
	sc := loadBuiltin(t, "us-relief-2025")
	out := make([][]float64, n)
	for d := range out {
		if _, _, err := model.DrawSpecs(sc.Spec, sc.Counterfactual, unc, 1, d); err != nil {
			t.Fatal(err)
		}
		out[d] = slices.Clone(got)
	}
	return out
}

// TestCopulaDraws checks the Gaussian copula's draws: the normal scores
// Φ⁻¹(F(x)) of the draws have the target correlations and each marginal
// is its distribution (Kolmogorov–Smirnov).
func TestCopulaDraws(t *testing.T) {
	// Rows: tri, u, ln (copulaSetup's order of rows).
	r := [][]float64{{1, 0.96, -0.5}, {0.96, 1, -0.4}, {-0.5, -0.4, 1}}
	unc, got, cdfs := copulaSetup(t, r)
	draws := drawAll(t, unc, got, copulaDraws)
	rowOf := []int{1, 2, 0}
	scores := make([][]float64, 3)
	for k := range scores {
		x := make([]float64, copulaDraws)
		for d := range draws {
			x[d] = draws[d][k]
		}
		t.Run(fmt.Sprintf("marginal %s", unc[k].Name), func(t *testing.T) {
			xs := slices.Clone(x)
			slices.Sort(xs)
			ks := 0.0
			for i, v := range xs {
				f := cdfs[k](v)
				ks = max(ks, math.Abs(f-float64(i)/copulaDraws), math.Abs(f-float64(i+1)/copulaDraws))
			}
			if ks > ksTol {
				t.Errorf("Kolmogorov–Smirnov distance %.4g > %g", ks, ksTol)
			}
		})
		scores[k] = make([]float64, copulaDraws)
		for d, v := range x {
			scores[k][d] = distuv.UnitNormal.Quantile(cdfs[k](v))
		}
	}
	for a := range 3 {
		for b := a + 1; b < 3; b++ {
			t.Run(fmt.Sprintf("correlation %s %s", unc[a].Name, unc[b].Name), func(t *testing.T) {
				want := r[rowOf[a]][rowOf[b]]
				if c := stat.Correlation(scores[a], scores[b], nil); !scalar.EqualWithinAbs(c, want, corrTol) {
					t.Errorf("correlation of the normal scores %.4f, want %g ± %g", c, want, corrTol)
				}
			})
		}
	}
}

// TestCopulaIdentity checks that an identity matrix draws the values of
// no copula bit for bit, and that the first member of a group (row 0)
// always does.
func TestCopulaIdentity(t *testing.T) {
	const n = 500
	indep, gotI, _ := copulaSetup(t, nil)
	want := drawAll(t, indep, gotI, n)
	ident, gotE, _ := copulaSetup(t, [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})
	if got := drawAll(t, ident, gotE, n); !reflect.DeepEqual(got, want) {
		t.Errorf("identity copula: the draws differ from those of no copula")
	}
	corr, gotC, _ := copulaSetup(t, [][]float64{{1, 0.7, 0.2}, {0.7, 1, 0.3}, {0.2, 0.3, 1}})
	got := drawAll(t, corr, gotC, n)
	same := 0
	for d := range got {
		if got[d][2] != want[d][2] { // unc[2] holds row 0
			t.Fatalf("draw %d: the copula's first member %v, want %v as drawn without it", d, got[d][2], want[d][2])
		}
		if got[d][0] == want[d][0] {
			same++
		}
	}
	if same > n/100 {
		t.Errorf("%d of %d draws of a correlated member are those without the copula", same, n)
	}
}

// TestCopulaPlanErrors checks that MonteCarlo refuses copulas whose rows
// the slice does not hold once each.
func TestCopulaPlanErrors(t *testing.T) {
	sc := loadBuiltin(t, "us-relief-2025")
	c, err := model.NewCopula([][]float64{{1, 0.5}, {0.5, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		rows []int // per Uncertain; -2: no copula
		want string
	}{
		{"row outside", []int{0, 2, -2}, "copula row 2 is outside its copula's 2 rows"},
		{"row twice", []int{0, 0, -2}, "both hold row 0"},
		{"row missing", []int{-2, 1, -2}, "no uncertain parameter holds row 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unc, _, _ := copulaSetup(t, nil)
			for k, row := range tc.rows {
				if row != -2 {
					unc[k].Copula, unc[k].CopulaRow = c, row
				}
			}
			_, err := model.MonteCarlo(context.Background(), sc.Spec, sc.Counterfactual, unc, model.MCOptions{Draws: 1, Seed: 1})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("MonteCarlo = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestMonteCarloCopulaWorkers checks that correlated draws are
// bit-identical for a seed whatever the number of workers, and that the
// copula moves them.
func TestMonteCarloCopulaWorkers(t *testing.T) {
	s, c, unc := omegaBox(t, 0.02, 0.1)
	sc := loadBuiltin(t, "us-relief-2025")
	base := make([]float64, len(sc.Spec.Market.Regions))
	for r := range base {
		base[r] = sc.Spec.Market.Regions[r].StockResponse
	}
	beta, err := model.NewUniform(0.5, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	unc = append(unc, model.Uncertain{Name: "β scale", Dist: beta, Central: 1, Apply: func(sp *model.Spec, v float64) error {
		for r := range sp.Market.Regions {
			sp.Market.Regions[r].StockResponse = base[r] * v
		}
		return nil
	}})
	run := func(unc []model.Uncertain, workers int) *model.MCResult {
		res, err := model.MonteCarlo(context.Background(), s, c, unc, model.MCOptions{Draws: 2*64 + 5, Seed: 3, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	indep := run(unc, 1)
	cop, err := model.NewCopula([][]float64{{1, -0.9}, {-0.9, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for k := range unc {
		unc[k].Copula, unc[k].CopulaRow = cop, k
	}
	one := run(unc, 1)
	for _, w := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d workers", w), func(t *testing.T) {
			if got := run(unc, w); !reflect.DeepEqual(got, one) {
				t.Errorf("the result differs from 1 worker's")
			}
		})
	}
	if reflect.DeepEqual(one.Totals, indep.Totals) {
		t.Errorf("the copula left the draws' totals as without it")
	}
}

// ExampleCopula_Correlate correlates two uniform variates with r = 0.8:
// the first is kept, the second moves towards it.
func ExampleCopula_Correlate() {
	c, err := model.NewCopula([][]float64{{1, 0.8}, {0.8, 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	u := []float64{0.9, 0.5}
	c.Correlate(u, nil)
	fmt.Printf("%.4f %.4f\n", u[0], u[1])
	_, err = model.NewCopula([][]float64{{1, 0.9, 0.9}, {0.9, 1, 0}, {0.9, 0, 1}})
	fmt.Println(err)
	// Output:
	// 0.9000 0.8474
	// copula: the correlation matrix is not positive definite: its smallest eigenvalue is -0.273 (at least 1e-09 is needed); some correlations contradict each other
}

// BenchmarkCopulaCorrelate is the copula's cost per candidate of a group
// of three (Correlate), against a draw's milliseconds.
func BenchmarkCopulaCorrelate(b *testing.B) {
	c, err := model.NewCopula([][]float64{{1, 0.96, -0.5}, {0.96, 1, -0.4}, {-0.5, -0.4, 1}})
	if err != nil {
		b.Fatal(err)
	}
	u, z := make([]float64, 3), make([]float64, 3)
	for b.Loop() {
		u[0], u[1], u[2] = 0.3, 0.6, 0.9
		c.Correlate(u, z)
	}
}
