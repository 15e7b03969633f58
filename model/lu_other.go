//go:build !amd64 || purego

package model

// subPairsAVX2 is never called in this build (useLUAsm is false).
func subPairsAVX2(y, y2, x, z *float64, n int, fy, gy, fy2, gy2 float64) {
	panic("model: no AVX2 kernels in this build")
}

// rankRowsAVX2 is never called in this build (useJacAsm is false).
func rankRowsAVX2(J *float64, na int, rows *int, c, d *float64, m int, v *float64, span, a0 int) {
	panic("model: no AVX2 kernels in this build")
}
