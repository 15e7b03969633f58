//go:build !amd64 || purego

package model

// haveBatchAsm is false: this build has no assembly kernels, and
// fexpBatch and flogBatch call fexp and flog element by element.
const haveBatchAsm = false

// vec4 is fastmath_amd64.go's vector of constants; here only a type.
type vec4 [4]uint64

// Stand-ins for the kernels' constants, which this build does not use.
var (
	fexpVec [11]vec4
	flogVec [14]vec4
)

// fexpAVX2 is never called in this build (useBatchAsm is false).
func fexpAVX2(dst, x []float64, c *[11]vec4, tab *[expTabN]uint64) bool {
	panic("model: no AVX2 kernels in this build")
}

// flogAVX2 is never called in this build (useBatchAsm is false).
func flogAVX2(dst, x []float64, c *[14]vec4, inv, lc *[logTabN]float64) bool {
	panic("model: no AVX2 kernels in this build")
}

// affineAVX2 is never called in this build (useBatchAsm is false).
func affineAVX2(dst, a, b, x *float64, n int) {
	panic("model: no AVX2 kernels in this build")
}
