//go:build !amd64 || purego

package model

// subPairsAVX2 is never called in this build (useLUAsm is false).
func subPairsAVX2(y, y2, x, z *float64, n int, fy, gy, fy2, gy2 float64) {
	panic("model: no AVX2 kernels in this build")
}
