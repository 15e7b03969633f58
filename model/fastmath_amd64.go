//go:build amd64 && !purego

package model

import (
	"math"

	"golang.org/x/sys/cpu"
)

// haveBatchAsm says the processor runs fastmath_amd64.s's kernels.
var haveBatchAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// fexpAVX2 sets dst[i] = fexpCore(x[i]) for every i < len(x), which must
// be a multiple of 4 and at most len(dst); c is fexpVec and tab expTab.
// It reports whether every x[i] lay in (−700, 700), fexpCore's range; the
// other lanes hold garbage.
//
//go:noescape
func fexpAVX2(dst, x []float64, c *[11]vec4, tab *[expTabN]uint64) (ok bool)

// flogAVX2 sets dst[i] = flogCore(x[i]) like fexpAVX2, with c flogVec
// and the tables inv logInv and lc logC; ok reports whether every x[i]
// lay in [2^-1000, 2^1000], flogCore's range.
//
//go:noescape
func flogAVX2(dst, x []float64, c *[14]vec4, inv, lc *[logTabN]float64) (ok bool)

// vec4 is a float64 (or its bits) in each lane of a 256-bit vector: the
// assembly kernels' constants, read as memory operands.
type vec4 [4]uint64

// bcast returns x in every lane.
func bcast(x float64) vec4 {
	b := math.Float64bits(x)
	return vec4{b, b, b, b}
}

// bcastBits returns the bits b in every lane.
func bcastBits(b uint64) vec4 { return vec4{b, b, b, b} }

// fexpVec holds fexpCore's constants for fexpAVX2, as the Go code rounds
// them to float64; the offsets (32 bytes each) are those of
// fastmath_amd64.s.
var fexpVec = [11]vec4{
	bcast(expInvLn2N),      // 0
	bcast(expShift),        // 32
	bcast(expLn2Hi),        // 64
	bcast(expLn2Lo),        // 96
	bcast(1),               // 128
	bcast(0.5),             // 160
	bcast(1.0 / 6),         // 192
	bcast(1.0 / 24),        // 224
	bcast(-700),            // 256: the range fexp hands to fexpCore
	bcast(700),             // 288
	bcastBits(expTabN - 1), // 320: the table index mask
}

// flogVec holds flogCore's constants for flogAVX2, like fexpVec.
var flogVec = [14]vec4{
	bcastBits(logTabN - 1),              // 0: the table index mask
	bcastBits(1<<52 - 1),                // 32: the mantissa's bits
	bcastBits(1023 << 52),               // 64: the exponent bits of 1
	bcast(-1),                           // 96
	bcastBits(math.Float64bits(0x1p52)), // 128: the bits of 2^52
	bcast(0x1p52 + 1023),                // 160
	bcast(0.2),                          // 192
	bcast(0.25),                         // 224
	bcast(1.0 / 3),                      // 256
	bcast(0.5),                          // 288
	bcast(1),                            // 320
	bcast(math.Ln2),                     // 352
	bcast(0x1p-1000),                    // 384: the range flog hands to flogCore
	bcast(0x1p1000),                     // 416
}

// affineAVX2 sets dst[i] = a[i] + b[i]*x[i] for every i < n, a multiple
// of 4 (fastmath_amd64.s): the multiply and the addition each rounded
// once, as Go rounds a + b*x on amd64 (GOAMD64=v1 fuses nothing), so
// every element has the Go expression's bits. dst may be x.
//
//go:noescape
func affineAVX2(dst, a, b, x *float64, n int)
