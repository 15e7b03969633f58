//go:build !amd64 || purego

package model

// binQuads16 is never called in this build (useBinAsm is false).
func binQuads16(h *uint16, a, b *float64, sa, sb, m, nq int, lo, inv, sum *float64, tails *uint64) {
	panic("model: no AVX2 kernels in this build")
}
