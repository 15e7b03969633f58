//go:build !amd64 || purego

package model

// finiteAVX2 is never called in this build (haveBatchAsm is false).
func finiteAVX2(x *float64, n int) bool {
	panic("model: no AVX2 kernels in this build")
}
