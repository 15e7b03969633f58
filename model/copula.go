package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
)

// Correlated uncertainty (docs/MODEL.md §9.1, "Correlated draws"): the parameters of a group
// share a Gaussian copula. Their normal scores z_i = Φ⁻¹(F_i(x_i)) are
// jointly normal with correlation matrix R; each keeps its marginal F_i.
// A Monte Carlo candidate draws its uniform variates exactly as without
// correlations (one uniformOpen per Uncertain, in order), then maps a
// group's: z = Φ⁻¹(u), z' = L·z (R = L·Lᵀ, Cholesky), u' = Φ(z').

const (
	// CopulaTol is the tolerance of a correlation matrix's symmetry and
	// unit diagonal: |R_ij − R_ji| and |R_ii − 1| at most CopulaTol.
	// NewCopula uses the symmetrised matrix with a unit diagonal.
	CopulaTol = 1e-9
	// CopulaMinEigen is the smallest eigenvalue a correlation matrix may
	// have: one below it is not positive definite (or so nearly singular
	// that its Cholesky factor amplifies rounding).
	CopulaMinEigen = 1e-9
)

// Copula is a Gaussian copula of n uncertain parameters: their draws are
// correlated through the correlation matrix R of their normal scores.
// Uncertain.Copula points the members of a group at their Copula and
// Uncertain.CopulaRow says which row of R is theirs. Make one with
// NewCopula; it is read-only and may be shared between goroutines.
type Copula struct {
	n int
	r []float64 // R, row-major n×n, symmetrised with a unit diagonal
	l []float64 // its lower Cholesky factor L, row-major n×n
	// keep[i]: row i of L is e_i, so member i's variate is kept as drawn
	// (always the first member; every member of an identity matrix).
	keep []bool
}

// NewCopula returns the Gaussian copula of correlation matrix r (n×n,
// n ≥ 1): square, symmetric and with a unit diagonal to CopulaTol, entries
// in [−1, 1], and positive definite (smallest eigenvalue at least
// CopulaMinEigen; the error gives the smallest eigenvalue).
func NewCopula(r [][]float64) (*Copula, error) {
	n := len(r)
	if n == 0 {
		return nil, distErr("copula: empty correlation matrix")
	}
	c := &Copula{n: n, r: make([]float64, n*n), l: make([]float64, n*n), keep: make([]bool, n)}
	for i, row := range r {
		if len(row) != n {
			return nil, distErr("copula: the correlation matrix is not square: row %d has %d entries, want %d", i+1, len(row), n)
		}
		for j, v := range row {
			if math.IsNaN(v) || (i != j && math.Abs(v) > 1) { // the diagonal: below
				return nil, distErr("copula: entry (%d, %d) = %g is not in [-1, 1]", i+1, j+1, v)
			}
		}
	}
	for i := range n {
		if math.Abs(r[i][i]-1) > CopulaTol {
			return nil, distErr("copula: diagonal entry (%d, %d) = %g is not 1", i+1, i+1, r[i][i])
		}
		c.r[i*n+i] = 1
		for j := range i {
			if math.Abs(r[i][j]-r[j][i]) > CopulaTol {
				return nil, distErr("copula: the correlation matrix is not symmetric: entry (%d, %d) = %g, entry (%d, %d) = %g", i+1, j+1, r[i][j], j+1, i+1, r[j][i])
			}
			v := (r[i][j] + r[j][i]) / 2
			c.r[i*n+j], c.r[j*n+i] = v, v
		}
	}
	if ev := MinEigen(c.Matrix()); !(ev >= CopulaMinEigen) {
		return nil, distErr("copula: the correlation matrix is not positive definite: its smallest eigenvalue is %.3g (at least %g is needed); some correlations contradict each other", ev, float64(CopulaMinEigen))
	}
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(n, slices.Clone(c.r))) {
		return nil, distErr("copula: the correlation matrix is not positive definite (Cholesky failed)")
	}
	var lt mat.TriDense
	ch.LTo(&lt)
	for i := range n {
		unit := true
		for j := 0; j <= i; j++ {
			v := lt.At(i, j)
			if i == j {
				// A row whose other entries are 0 has L_ii = √1 = 1
				// exactly; keep it so.
				unit = unit && v == 1
			} else {
				unit = unit && v == 0
			}
			c.l[i*n+j] = v
		}
		c.keep[i] = unit
	}
	return c, nil
}

// MinEigen returns the smallest eigenvalue of the symmetric matrix r
// (NaN when the decomposition fails).
func MinEigen(r [][]float64) float64 {
	n := len(r)
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, r[i][j])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(s, false) {
		return math.NaN()
	}
	return slices.Min(es.Values(nil))
}

// Size returns the number of parameters of the copula.
func (c *Copula) Size() int { return c.n }

// Matrix returns a copy of the copula's correlation matrix R (symmetrised,
// unit diagonal).
func (c *Copula) Matrix() [][]float64 {
	out := make([][]float64, c.n)
	for i := range out {
		out[i] = slices.Clone(c.r[i*c.n : (i+1)*c.n])
	}
	return out
}

// Correlate maps the independent uniform variates u (one per member, in
// row order; each in (0, 1)) to the copula's correlated ones, in place:
// z_i = Φ⁻¹(u_i), z' = L·z, u_i = Φ(z'_i), clamped to [2⁻⁵³, 1 − 2⁻⁵³]
// (the range of a uniformOpen variate, so no draw reaches further into
// a tail than an independent one can). A member whose row of L is e_i
// (the first member; every member of an identity matrix) keeps its
// variate bit for bit. z is scratch of at least len(u) values (nil:
// allocated).
func (c *Copula) Correlate(u, z []float64) {
	if len(u) != c.n {
		panic(fmt.Sprintf("model: Copula.Correlate of %d variates, the copula has %d", len(u), c.n))
	}
	if len(z) < c.n {
		z = make([]float64, c.n)
	}
	for i, v := range u {
		z[i] = mathext.NormalQuantile(v)
	}
	for i := range c.n {
		if c.keep[i] {
			continue
		}
		row := c.l[i*c.n : i*c.n+i+1]
		s := 0.0
		for j, lij := range row {
			s += lij * z[j]
		}
		u[i] = normalCDFOpen(s)
	}
}

// normalCDFOpen is Φ(z) clamped to [2⁻⁵³, 1 − 2⁻⁵³].
func normalCDFOpen(z float64) float64 {
	const tiny = 0x1p-53
	p := 0.5 * math.Erfc(-z/math.Sqrt2)
	return min(max(p, tiny), 1-tiny)
}

// copulaGroup is one copula of a []Uncertain with its members' indexes
// (idx[i] is the Uncertain of row i).
type copulaGroup struct {
	c   *Copula
	idx []int
}

// copulaPlan finds the copulas of unc: nil when no Uncertain has one.
// Every row of a copula must be held by exactly one Uncertain of unc.
func copulaPlan(unc []Uncertain) ([]copulaGroup, error) {
	var gs []copulaGroup
	for k := range unc {
		u := &unc[k]
		if u.Copula == nil {
			continue
		}
		g := slices.IndexFunc(gs, func(g copulaGroup) bool { return g.c == u.Copula })
		if g < 0 {
			g = len(gs)
			idx := make([]int, u.Copula.n)
			for i := range idx {
				idx[i] = -1
			}
			gs = append(gs, copulaGroup{c: u.Copula, idx: idx})
		}
		if u.CopulaRow < 0 || u.CopulaRow >= u.Copula.n {
			return nil, optionErr("monte carlo: uncertain parameter %d (%s): copula row %d is outside its copula's %d rows", k, u.Name, u.CopulaRow, u.Copula.n)
		}
		if j := gs[g].idx[u.CopulaRow]; j >= 0 {
			return nil, optionErr("monte carlo: uncertain parameters %d (%s) and %d (%s) both hold row %d of a copula", j, unc[j].Name, k, u.Name, u.CopulaRow)
		}
		gs[g].idx[u.CopulaRow] = k
	}
	for _, g := range gs {
		if i := slices.Index(g.idx, -1); i >= 0 {
			return nil, optionErr("monte carlo: no uncertain parameter holds row %d of a copula of %d rows", i, g.c.n)
		}
	}
	return gs, nil
}

// applyCopulaCandidate is applyCandidate with copulas gs (not empty):
// the same variates of rng's stream, each group's correlated (Correlate)
// before the values are applied.
func applyCopulaCandidate(rng *rand.Rand, s, c *Spec, unc []Uncertain, gs []copulaGroup) string {
	var ubuf, gbuf, zbuf [16]float64
	us := ubuf[:0]
	for range unc {
		us = append(us, uniformOpen(rng))
	}
	for _, g := range gs {
		gu := gbuf[:0]
		for _, k := range g.idx {
			gu = append(gu, us[k])
		}
		g.c.Correlate(gu, zbuf[:])
		for i, k := range g.idx {
			us[k] = gu[i]
		}
	}
	for k := range unc {
		if why := applyValue(&unc[k], s, c, unc[k].Dist.Quantile(us[k])); why != "" {
			return why
		}
	}
	return ""
}
