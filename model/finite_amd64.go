//go:build amd64 && !purego

package model

// finiteAVX2 reports whether x[0] … x[n−1] are all finite, n a multiple
// of 16 (finite_amd64.s): allFinite's test, four lanes a turn. Called
// only when haveBatchAsm.
//
//go:noescape
func finiteAVX2(x *float64, n int) bool
