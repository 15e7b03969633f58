//go:build amd64 && !purego

#include "textflag.h"

// AVX2 and FMA kernels for fexpBatch and flogBatch (fastmath_batch.go):
// fexpCore and flogCore (fastmath.go) four lanes at a time, with the
// same operations in the same order, so that every lane has the bits of
// the Go code. Go on amd64 (GOAMD64=v1) rounds a*b+c twice, so a plain
// multiply-add is VMULPD then VADDPD here; the one fused operation is
// flogCore's math.FMA, which VFMADD213PD rounds the same way (once). The
// constants are read as 256-bit memory operands from fexpVec and flogVec
// (fastmath_amd64.go, which lists the offsets). Operands are in Go's order: the
// destination last, "VSUBPD a, b, c" is c = b − a.

// func fexpAVX2(dst, x []float64, c *[11]vec4, tab *[expTabN]uint64) (ok bool)
TEXT ·fexpAVX2(SB), NOSPLIT, $0-65
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ c+48(FP), AX   // fexpVec
	MOVQ tab+56(FP), R8 // expTab
	VPCMPEQQ Y15, Y15, Y15 // Y15: the lanes in range so far (all ones)
	SHRQ $2, CX            // groups of four
	JZ   expdone

exploop:
	VMOVUPD (SI), Y0 // Y0 = x

	// In range: -700 < x && x < 700 (false for NaN), ANDed into Y15.
	VCMPPD $0x1e, 256(AX), Y0, Y1 // x > -700 (_CMP_GT_OQ)
	VCMPPD $0x11, 288(AX), Y0, Y2 // x < 700 (_CMP_LT_OQ)
	VANDPD Y2, Y1, Y1
	VANDPD Y1, Y15, Y15

	// kf := x*expInvLn2N + expShift; k is kf's low 32 bits.
	VMULPD 0(AX), Y0, Y1
	VADDPD 32(AX), Y1, Y1 // Y1 = kf (bits kept for k)

	// kf -= expShift
	VSUBPD 32(AX), Y1, Y2 // Y2 = kf − expShift

	// r := (x - kf*expLn2Hi) - kf*expLn2Lo
	VMULPD 64(AX), Y2, Y3
	VSUBPD Y3, Y0, Y3
	VMULPD 96(AX), Y2, Y2
	VSUBPD Y2, Y3, Y3 // Y3 = r

	// p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24)))), innermost first
	VMULPD 224(AX), Y3, Y2 // r*(1/24)
	VADDPD 192(AX), Y2, Y2 // 1/6 + …
	VMULPD Y2, Y3, Y2
	VADDPD 160(AX), Y2, Y2 // 0.5 + …
	VMULPD Y2, Y3, Y2
	VADDPD 128(AX), Y2, Y2 // 1 + …
	VMULPD Y2, Y3, Y2
	VADDPD 128(AX), Y2, Y2 // Y2 = p

	// expTab[k&255]: a gather with every lane enabled (mask all ones);
	// as fast here as four scalar loads (0.9 ns an element), and fewer
	// instructions.
	VPAND      320(AX), Y1, Y3 // Y3 = k & 255 (the low byte of kf's bits)
	VPCMPEQQ   Y4, Y4, Y4
	VPXOR      Y5, Y5, Y5
	VPGATHERQQ Y4, (R8)(Y3*8), Y5 // Y5 = expTab[k&255]

	// + uint64(k>>8)<<52: k = int64(int32(low 32 bits)), and only the
	// low 12 bits of k>>8 survive the shift by 52, so an arithmetic
	// shift of the low doubleword (VPSRAD) gives the same bits.
	VPSRAD $8, Y1, Y1
	VPSLLQ $52, Y1, Y1
	VPADDQ Y1, Y5, Y5

	// Float64frombits(…) * p
	VMULPD  Y2, Y5, Y5
	VMOVUPD Y5, (DI)

	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  exploop

expdone:
	VMOVMSKPD Y15, AX // one bit per lane: in range
	CMPQ      AX, $15
	SETEQ     ok+64(FP)
	VZEROUPPER
	RET

// func flogAVX2(dst, x []float64, c *[14]vec4, inv, lc *[logTabN]float64) (ok bool)
TEXT ·flogAVX2(SB), NOSPLIT, $0-73
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	MOVQ c+48(FP), AX   // flogVec
	MOVQ inv+56(FP), R8 // logInv
	MOVQ lc+64(FP), R9  // logC
	VPCMPEQQ Y15, Y15, Y15 // Y15: the lanes in range so far (all ones)

	// The minuends of the series' subtractions stay in registers (a
	// memory operand can only be the subtrahend).
	VMOVUPD 224(AX), Y14 // 0.25
	VMOVUPD 256(AX), Y13 // 1/3
	VMOVUPD 288(AX), Y12 // 0.5
	VMOVUPD 320(AX), Y11 // 1
	SHRQ    $2, CX       // groups of four
	JZ      logdone

logloop:
	VMOVUPD (SI), Y0 // Y0 = x, and b := Float64bits(x)

	// In range: x >= 2^-1000 && x <= 2^1000 (false for NaN).
	VCMPPD $0x1d, 384(AX), Y0, Y1 // x >= 2^-1000 (_CMP_GE_OQ)
	VCMPPD $0x12, 416(AX), Y0, Y2 // x <= 2^1000 (_CMP_LE_OQ)
	VANDPD Y2, Y1, Y1
	VANDPD Y1, Y15, Y15

	// j := (b >> 44) & 255
	VPSRLQ $44, Y0, Y1
	VPAND  0(AX), Y1, Y1 // Y1 = j

	// logInv[j] and logC[j]: the four indices moved to general
	// registers and eight scalar loads, which measured faster here than
	// two gathers (1.12 against 1.30 ns an element, BenchmarkFlogBatch).
	VMOVQ        X1, R10
	VPEXTRQ      $1, X1, R11
	VEXTRACTI128 $1, Y1, X2
	VMOVQ        X2, R12
	VPEXTRQ      $1, X2, R13
	VMOVSD       (R8)(R10*8), X3
	VMOVHPD      (R8)(R11*8), X3, X3
	VMOVSD       (R8)(R12*8), X2
	VMOVHPD      (R8)(R13*8), X2, X2
	VINSERTF128  $1, X2, Y3, Y3 // Y3 = logInv[j]
	VMOVSD       (R9)(R10*8), X4
	VMOVHPD      (R9)(R11*8), X4, X4
	VMOVSD       (R9)(R12*8), X2
	VMOVHPD      (R9)(R13*8), X2, X2
	VINSERTF128  $1, X2, Y4, Y4 // Y4 = logC[j]

	// r := math.FMA(Float64frombits(b&(1<<52-1)|1023<<52), logInv[j], -1)
	VPAND       32(AX), Y0, Y5
	VPOR        64(AX), Y5, Y5 // Y5 = m in [1, 2)
	VFMADD213PD 96(AX), Y3, Y5 // Y5 = r = m·logInv[j] − 1, rounded once

	// float64(int64(b>>52) - 1023): the exponent field E ORed into the
	// mantissa of 2^52 is 2^52 + E; minus 2^52 + 1023, exactly.
	VPSRLQ $52, Y0, Y6
	VPOR   128(AX), Y6, Y6
	VSUBPD 160(AX), Y6, Y6 // Y6 = e

	// logC[j] + r*(1-r*(0.5-r*(1.0/3-r*(0.25-r*0.2)))), innermost first
	VMULPD 192(AX), Y5, Y7 // r*0.2
	VSUBPD Y7, Y14, Y7     // 0.25 − …
	VMULPD Y7, Y5, Y7
	VSUBPD Y7, Y13, Y7     // 1/3 − …
	VMULPD Y7, Y5, Y7
	VSUBPD Y7, Y12, Y7     // 0.5 − …
	VMULPD Y7, Y5, Y7
	VSUBPD Y7, Y11, Y7     // 1 − …
	VMULPD Y7, Y5, Y7      // r*(…)
	VADDPD Y7, Y4, Y7      // logC[j] + …

	// e*math.Ln2 + (…)
	VMULPD  352(AX), Y6, Y6
	VADDPD  Y7, Y6, Y6
	VMOVUPD Y6, (DI)

	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  logloop

logdone:
	VMOVMSKPD Y15, AX // one bit per lane: in range
	CMPQ      AX, $15
	SETEQ     ok+72(FP)
	VZEROUPPER
	RET

// func affineAVX2(dst, a, b, x *float64, n int)
// dst[i] = a[i] + b[i]*x[i] for every i < n (a multiple of 4), four
// lanes a turn: the multiply, then the addition, each rounded as Go
// (GOAMD64=v1) rounds them; dst may be x.
TEXT ·affineAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ x+24(FP), R8
	MOVQ n+32(FP), CX
	SHRQ $2, CX // groups of four
	JZ   afdone

afloop:
	VMOVUPD (DX), Y0
	VMULPD  (R8), Y0, Y0 // b·x (b the first operand, as in Go's code)
	VMOVUPD (SI), Y1
	VADDPD  Y0, Y1, Y0   // a + b·x (a the first operand)
	VMOVUPD Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, DI
	DECQ    CX
	JNZ     afloop

afdone:
	VZEROUPPER
	RET
