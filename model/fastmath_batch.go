package model

import "math"

// Batched fexp and flog: the same cores (fastmath.go) over a slice, four
// lanes at a time in AVX2 and FMA assembly on amd64 processors that have
// both (fastmath_amd64.s), element by element in Go elsewhere. Every
// element is bit for bit what fexp or flog returns for it
// (fastmath_batch_test.go), so a caller may swap a loop of fexp or flog
// calls for one batch call without moving any result.

// useBatchAsm says fexpBatch and flogBatch run the assembly kernels. It
// starts as haveBatchAsm (the processor has AVX2 and FMA and the build
// has the kernels); tests set it to false to exercise the Go path.
var useBatchAsm = haveBatchAsm

// fexpBatch sets dst[i] = fexp(x[i]) for every i < len(x). dst must be at
// least as long as x and must not overlap it.
func fexpBatch(dst, x []float64) {
	dst = dst[:len(x)]
	i := 0
	if useBatchAsm {
		i = len(x) &^ 3
		// The kernel runs fexpCore on every lane; when some lane lies
		// outside (−700, 700) (or is NaN), fexp calls math.Exp there.
		if !fexpAVX2(dst[:i], x[:i], &fexpVec, &expTab) {
			for j, a := range x[:i] {
				if !(a > -700 && a < 700) {
					dst[j] = math.Exp(a)
				}
			}
		}
	}
	for ; i < len(x); i++ {
		dst[i] = fexp(x[i])
	}
}

// flogBatch sets dst[i] = flog(x[i]) for every i < len(x). dst must be at
// least as long as x and must not overlap it.
func flogBatch(dst, x []float64) {
	dst = dst[:len(x)]
	i := 0
	if useBatchAsm {
		i = len(x) &^ 3
		// As in fexpBatch: flog calls math.Log outside [2^-1000, 2^1000].
		if !flogAVX2(dst[:i], x[:i], &flogVec, &logInv, &logC) {
			for j, a := range x[:i] {
				if !(a >= 0x1p-1000 && a <= 0x1p1000) {
					dst[j] = math.Log(a)
				}
			}
		}
	}
	for ; i < len(x); i++ {
		dst[i] = flog(x[i])
	}
}

// affineBatch sets dst[i] = a[i] + b[i]*x[i] for every i < len(dst): the
// multiply and then the addition, each correctly rounded, four lanes an
// instruction where the processor has AVX2 (affineAVX2), with the bits of
// the Go expression. a, b and x must be at least as long as dst; dst may
// be x.
func affineBatch(dst, a, b, x []float64) {
	n := len(dst)
	a, b, x = a[:n], b[:n], x[:n]
	i := 0
	if useBatchAsm && n >= 4 {
		i = n &^ 3
		affineAVX2(&dst[0], &a[0], &b[0], &x[0], i)
	}
	for ; i < n; i++ {
		dst[i] = a[i] + b[i]*x[i]
	}
}
