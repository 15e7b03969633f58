//go:build amd64 && !purego

#include "textflag.h"

// func finiteAVX2(x *float64, n int) bool
// Reports whether x[0] … x[n−1] (n a multiple of 16) are all finite, as
// allFinite's loop does: v·0 is NaN for NaN and ±Inf and ±0 otherwise,
// summed in four vector accumulators (16 values a turn); the sums are
// NaN exactly when a value was not finite.
TEXT ·finiteAVX2(SB), NOSPLIT, $0-17
	MOVQ   x+0(FP), SI
	MOVQ   n+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4 // zero
	XORQ   AX, AX

finiteLoop:
	CMPQ   AX, CX
	JGE    finiteDone
	VMULPD (SI)(AX*8), Y4, Y5
	VMULPD 32(SI)(AX*8), Y4, Y6
	VMULPD 64(SI)(AX*8), Y4, Y7
	VMULPD 96(SI)(AX*8), Y4, Y8
	VADDPD Y5, Y0, Y0
	VADDPD Y6, Y1, Y1
	VADDPD Y7, Y2, Y2
	VADDPD Y8, Y3, Y3
	ADDQ   $16, AX
	JMP    finiteLoop

finiteDone:
	VADDPD    Y1, Y0, Y0
	VADDPD    Y3, Y2, Y2
	VADDPD    Y2, Y0, Y0
	VCMPPD    $3, Y0, Y0, Y1 // unordered: a NaN lane
	VMOVMSKPD Y1, AX
	VZEROUPPER
	TESTL     AX, AX
	SETEQ     ret+16(FP)
	RET
