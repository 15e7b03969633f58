package model

import "math"

// luFactor factors A (n×n row-major) in place as P·A = L·U with partial
// pivoting, recording the pivots in piv. It reports false for a singular
// (or non-finite) matrix, and returns the first row of A's trailing block
// (luTail), which luSolveFactored takes. It does not allocate.
//
// Step k takes the largest |A[r][k]|, r ≥ k (the first of equals), as
// the pivot, swaps whole rows (luSwap), stores each row's multiplier
// A[r][k]·(1/A[k][k]) in place of A[r][k] and, unless it is zero,
// subtracts multiplier·(row k) from the row's columns k+1 … n−1. The
// steps are taken two at a time, so that an entry is loaded and stored
// once for both: step k first updates only column k+1, searching it for
// step k+1's pivot as it goes, then row k+1, and then every row below
// k+1 subtracts step k's term and then step k+1's from its columns
// k+2 … n−1 in one pass (subScaledPair; subScaledPairs does two such
// rows a turn). Every entry gets the same operations in the same order
// as one step and one row at a time (TestLUSameAsOneStepAtATime checks
// it bit for bit).
//
// The rows m … n−1 of the trailing block (luTail: zero in the columns
// before m) take no part in steps 0 … m−1: their entries in those
// columns, zero, cannot be a pivot, their multipliers are zero, and the
// plain algorithm would change nothing in them but store each zero
// multiplier as 0·(1/pivot), which luFactor leaves at 0. So it factors
// the leading m rows over their m steps, and then the trailing block
// alone (a Newton Jacobian's rows of quotas, facilities and segments
// at a bound are such rows: their diagonal alone). Where the trailing
// block is upper triangular, as those rows make it, its steps are
// luTriangular's.
func luFactor(A []float64, n int, piv []int) (tail int, ok bool) {
	A, piv = A[:n*n], piv[:n]
	m, tri := luTail(A, n)
	if !luSteps(A[:m*n], n, 0, m, piv) {
		return m, false
	}
	if tri {
		return m, luTriangular(A, n, m, piv)
	}
	return m, luSteps(A, n, m, n, piv)
}

// luTail returns the smallest m ≥ 1 such that rows m … n−1 of A (n×n
// row-major) are zero in columns 0 … m−1 (n when only m = n has it), and
// whether each of those rows is zero left of its diagonal (tri: the
// trailing block is upper triangular).
func luTail(A []float64, n int) (m int, tri bool) {
	m, tri = n, true
	lead := n // the least first nonzero column of rows r … n−1, or r when it is ≥ r
	for r := n - 1; r > 0 && lead > 0; r-- {
		// The first nonzero entry of row r before column min(lead, r),
		// or that column: four entries at a time while their bits, the
		// sign's left out (−0), are all zero.
		row := A[r*n : r*n+min(lead, r)]
		c := 0
		for ; len(row) >= 4; row = row[4:] {
			if (math.Float64bits(row[0])|math.Float64bits(row[1])|math.Float64bits(row[2])|math.Float64bits(row[3]))<<1 != 0 {
				break
			}
			c += 4
		}
		for _, v := range row {
			if v != 0 {
				break
			}
			c++
		}
		if lead = c; lead >= r {
			// Row r is zero left of its diagonal; the block stays
			// triangular if every row below it was (m was r+1).
			tri = tri && m == r+1
			m = r
		}
	}
	return m, tri
}

// luTriangular takes luSteps's steps m … n−1 on the rows m … n−1 of A
// when each of them is zero left of its diagonal (luTail's tri). The
// rows below step k's are zero in its column, so its pivot is the
// diagonal entry and no row changes but for the multipliers, which it
// stores as luSteps does: A[r][k]·(1/A[k][k]), a zero of either sign.
func luTriangular(A []float64, n, m int, piv []int) bool {
	for k := m; k < n; k++ {
		kk := k*n + k
		if !luSwap(A, n, piv, k, k, math.Abs(A[kk])) {
			return false
		}
		inv := 1 / A[kk]
		for i := kk + n; i < len(A); i += n { // i is A[r][k]'s index, r > k
			A[i] *= inv
		}
	}
	return true
}

// luSteps takes luFactor's steps k0 … k1−1 on the rows k0 … len(A)/n − 1
// of A (rows of n entries).
func luSteps(A []float64, n, k0, k1 int, piv []int) bool {
	for k := k0; k < k1; k += 2 {
		kk := k*n + k // A[k][k]
		if p, big := luPivot(A[kk:], n, k); !luSwap(A, n, piv, k, p, big) {
			return false
		}
		if k+1 == k1 {
			break
		}
		// Step k on column k+1, and step k+1's pivot search as it goes
		// (row k+1 first: a NaN there fails, as in luPivot).
		inv, u := 1/A[kk], A[kk+1]
		big, nbig, p := -1.0, 1.0, 0 // p is the pivot's row
		r := k + 1
		for i := uint(kk + n); i+1 < uint(len(A)); i += uint(n) { // i is A[r][k]'s index, r > k
			f := A[i] * inv
			A[i] = f
			if f != 0 {
				A[i+1] -= f * u
			}
			if v := A[i+1]; v > big || v < nbig { // |v| > big
				big, p = math.Abs(v), r
				nbig = -big
			}
			r++
		}
		k1 := kk + n + 1 // A[k+1][k+1]
		if math.IsNaN(A[k1]) {
			big = math.NaN()
		}
		if !luSwap(A, n, piv, k+1, p, big) {
			return false
		}
		rowk := A[kk+2 : k*n+n]
		row1 := A[k1+1 : k1+1+len(rowk)]
		if f := A[k1-1]; f != 0 {
			subScaled(row1, rowk, f)
		}
		inv = 1 / A[k1]
		// pend is the offset of a row's column k+2 waiting for a partner
		// (both its multipliers nonzero), −1 for none; nr the columns
		// the steps update.
		pend, nr := -1, len(rowk)
		var fp, gp float64
		for i := k1 + n; i < len(A); i += n { // i is A[r][k+1]'s index, r > k+1
			g := A[i] * inv
			A[i] = g
			f := A[i-1]
			switch {
			case f != 0 && g != 0:
				if pend < 0 {
					pend, fp, gp = i+1, f, g
					continue
				}
				if useLUAsm && nr > 0 {
					subPairsAVX2(&A[pend], &A[i+1], &rowk[0], &row1[0], nr, fp, gp, f, g)
				} else {
					subScaledPairs(A[pend:pend+nr], A[i+1:i+1+nr], rowk, row1, fp, gp, f, g)
				}
				pend = -1
			case f != 0:
				subScaled(A[i+1:i+1+nr], rowk, f)
			case g != 0:
				subScaled(A[i+1:i+1+nr], row1, g)
			}
		}
		if pend >= 0 {
			subScaledPair(A[pend:pend+nr], rowk, row1, fp, gp)
		}
	}
	return true
}

// luPivot returns step k's pivot row, the first r ≥ k with the largest
// |A[r][k]|, and that value (NaN when A[k][k] is NaN), given col = A[k·n+k:].
func luPivot(col []float64, n, k int) (p int, big float64) {
	big = math.Abs(col[0])
	nbig := -big
	p = k
	r := k + 1
	for i := uint(n); i < uint(len(col)); i += uint(n) {
		if v := col[i]; v > big || v < nbig { // |v| > big
			big, p = math.Abs(v), r
			nbig = -big
		}
		r++
	}
	return p, big
}

// luSwap records step k's pivot row p in piv[k] and swaps rows k and p.
// It reports false, and does neither, when the pivot's magnitude big is
// below 1e-300, infinite or NaN.
func luSwap(A []float64, n int, piv []int, k, p int, big float64) bool {
	if !(big > 1e-300) || math.IsInf(big, 0) {
		return false
	}
	piv[k] = p
	if p != k {
		rk, rp := A[k*n:k*n+n], A[p*n:p*n+n]
		rp = rp[:len(rk)]
		for c, v := range rk {
			rk[c], rp[c] = rp[c], v
		}
	}
	return true
}

// subScaled sets y[c] −= f·x[c] for every c of y.
func subScaled(y, x []float64, f float64) {
	x = x[:len(y)]
	for c, v := range x {
		y[c] -= f * v
	}
}

// subScaledPair sets y[c] = y[c] − f·x[c] − g·z[c] for every c of y: the
// two subtractions in that order, with one load and store of y[c].
func subScaledPair(y, x, z []float64, f, g float64) {
	x, z = x[:len(y)], z[:len(y)]
	for c, v := range y {
		y[c] = v - f*x[c] - g*z[c]
	}
}

// useLUAsm says luSteps updates two rows for two steps in subPairsAVX2
// (lu_amd64.s, four columns a turn), which gives every entry
// subScaledPairs's operations in its order (a multiply, then a
// subtraction). It starts as haveBatchAsm; tests set it to false to
// exercise the Go loop.
var useLUAsm = haveBatchAsm

// subScaledPairs is subScaledPair on y with f, g and on y2 with f2, g2,
// loading x[c] and z[c] once for both.
func subScaledPairs(y, y2, x, z []float64, f, g, f2, g2 float64) {
	y2, x, z = y2[:len(y)], x[:len(y)], z[:len(y)]
	for c, v := range y {
		a, b := x[c], z[c]
		y[c] = v - f*a - g*b
		y2[c] = y2[c] - f2*a - g2*b
	}
}

// luSolveFactored solves A·x = b in place (b becomes x) with the factors,
// pivots and trailing block's first row (tail) from luFactor. The rows of
// the trailing block skip the multipliers of the columns before tail,
// zero. It does not allocate.
func luSolveFactored(A []float64, n int, piv []int, tail int, b []float64) {
	A, piv, b = A[:n*n], piv[:n], b[:n]
	// Row interchanges first (whole rows were swapped in luFactor, so L
	// is stored in the final order), then L·y = P·b, then U·x = y.
	for k, p := range piv {
		if p != k {
			b[k], b[p] = b[p], b[k]
		}
	}
	for r := 1; r < n; r++ {
		c := 0
		if r >= tail {
			c = tail
		}
		b[r] = subDot(b[r], A[r*n:r*n+r], b, c)
	}
	for k := n - 1; k >= 0; k-- {
		row := A[k*n : k*n+n]
		b[k] = subDot(b[k], row, b, k+1) / row[k]
	}
}

// subDot returns s − x[c]·y[c] − x[c+1]·y[c+1] − … − x[m−1]·y[m−1], m =
// len(x) ≤ len(y), subtracting in that order (three terms a turn, small
// enough to be inlined, without index checks once it is).
func subDot(s float64, x, y []float64, c int) float64 {
	y = y[:len(x)]
	for ; c < len(x)-2; c += 3 {
		s = s - x[c]*y[c] - x[c+1]*y[c+1] - x[c+2]*y[c+2]
	}
	for ; c < len(x); c++ {
		s -= x[c] * y[c]
	}
	return s
}
