//go:build !amd64 || purego

package model

// binQuad16 is never called in this build (useBinAsm is false).
func binQuad16(h *uint16, a, b *float64, sa, sb, m int, lo, inv, sum *[4]float64, tails *[4]uint64) {
	panic("model: no AVX2 kernels in this build")
}
