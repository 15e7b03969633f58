package model

import (
	"strings"
	"unsafe"
)

// noZeroFloats returns n float64s whose values are whatever the memory
// last held: Go's make zeroes what it allocates, and for the stored
// Solutions of a path (solutionSlab, about 0.75 MB a us-relief-2025 pair)
// that clearing is a second pass over memory that workspace.fill then
// writes in full. The storage is a strings.Builder's buffer, which the
// runtime allocates without zeroing (it holds no pointers, so the garbage
// collector never reads it); should a Go release zero it, the slice is
// only zeroed as make's, and every value is the same. The caller must
// write every element before any is read.
func noZeroFloats(n int) []float64 {
	if n <= 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(8 * n)
	b.WriteByte(0) // String's data pointer is the buffer's only when not empty
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.StringData(b.String()))), n)
}

// slabPoison, when not 0 (tests only: PoisonSlabs), is the bit pattern
// solutionSlab writes into every float it carves, so that a test can
// find any that fill left unwritten.
var slabPoison uint64
