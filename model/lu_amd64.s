//go:build amd64 && !purego

#include "textflag.h"

// LU elimination kernels (lu.go) in AVX2, four columns a turn. Each lane
// takes the Go loop's operations in its order, a multiply and then a
// subtraction (never fused), so every entry gets the Go code's bits. In
// Go's operand order "VSUBPD a, b, c" is c = b − a.

// func subPairsAVX2(y, y2, x, z *float64, n int, fy, gy, fy2, gy2 float64)
// y[c] = y[c] − fy·x[c] − gy·z[c] and y2[c] = y2[c] − fy2·x[c] − gy2·z[c]
// for c < n: four columns a turn, then the last n mod 4 one at a time.
TEXT ·subPairsAVX2(SB), NOSPLIT, $0-72
	MOVQ y+0(FP), DI
	MOVQ y2+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ z+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSD fy+40(FP), Y0
	VBROADCASTSD gy+48(FP), Y1
	VBROADCASTSD fy2+56(FP), Y2
	VBROADCASTSD gy2+64(FP), Y3
	XORQ AX, AX
	MOVQ CX, DX
	ANDQ $-4, DX // the columns taken four at a time

pairsLoop:
	CMPQ AX, DX
	JGE  pairsTail
	VMOVUPD (R8)(AX*8), Y4  // x
	VMOVUPD (R9)(AX*8), Y5  // z
	VMOVUPD (DI)(AX*8), Y6  // y
	VMOVUPD (SI)(AX*8), Y7  // y2
	VMULPD  Y4, Y0, Y8
	VSUBPD  Y8, Y6, Y6      // y − f·x
	VMULPD  Y5, Y1, Y9
	VSUBPD  Y9, Y6, Y6      // − g·z
	VMOVUPD Y6, (DI)(AX*8)
	VMULPD  Y4, Y2, Y10
	VSUBPD  Y10, Y7, Y7     // y2 − f2·x
	VMULPD  Y5, Y3, Y11
	VSUBPD  Y11, Y7, Y7     // − g2·z
	VMOVUPD Y7, (SI)(AX*8)
	ADDQ    $4, AX
	JMP     pairsLoop

pairsTail:
	CMPQ   AX, CX
	JGE    pairsDone
	VMOVSD (R8)(AX*8), X4
	VMOVSD (R9)(AX*8), X5
	VMOVSD (DI)(AX*8), X6
	VMOVSD (SI)(AX*8), X7
	VMULSD X4, X0, X8
	VSUBSD X8, X6, X6
	VMULSD X5, X1, X9
	VSUBSD X9, X6, X6
	VMOVSD X6, (DI)(AX*8)
	VMULSD X4, X2, X10
	VSUBSD X10, X7, X7
	VMULSD X5, X3, X11
	VSUBSD X11, X7, X7
	VMOVSD X7, (SI)(AX*8)
	INCQ   AX
	JMP    pairsTail

pairsDone:
	VZEROUPPER
	RET

// func rankRowsAVX2(J *float64, na int, rows *int, c, d *float64, m int, v *float64, span, a0 int)
// For each of the m rows a = rows[b] of the na-column matrix J:
// J[a][a0+q] = J[a][a0+q] + c[b]·v[q] for q < span (four columns a turn,
// then one at a time), then J[a][a] = J[a][a] − d[b]: rankRows's loop
// (jacobian), a multiply and then an addition (never fused).
TEXT ·rankRowsAVX2(SB), NOSPLIT, $0-72
	MOVQ J+0(FP), DI
	MOVQ na+8(FP), R8
	SHLQ $3, R8          // a row's bytes
	MOVQ rows+16(FP), SI
	MOVQ c+24(FP), R9
	MOVQ d+32(FP), R10
	MOVQ v+48(FP), R12
	MOVQ span+56(FP), DX
	ANDQ $-4, DX         // the columns taken four at a time
	MOVQ a0+64(FP), R13
	SHLQ $3, R13         // a0's offset in a row
	XORQ BX, BX          // b

rowsLoop:
	CMPQ  BX, m+40(FP)
	JGE   rowsDone
	MOVQ  (SI)(BX*8), R11 // a
	MOVQ  R11, AX
	IMULQ R8, AX
	ADDQ  DI, AX          // &J[a][0]
	ADDQ  R13, AX         // &J[a][a0]
	VBROADCASTSD (R9)(BX*8), Y0
	XORQ  CX, CX

colsLoop:
	CMPQ    CX, DX
	JGE     colsTail
	VMOVUPD (R12)(CX*8), Y1
	VMULPD  Y1, Y0, Y1
	VADDPD  (AX)(CX*8), Y1, Y1
	VMOVUPD Y1, (AX)(CX*8)
	ADDQ    $4, CX
	JMP     colsLoop

colsTail:
	CMPQ   CX, span+56(FP)
	JGE    rowDiag
	VMOVSD (R12)(CX*8), X1
	VMULSD X1, X0, X1
	VADDSD (AX)(CX*8), X1, X1
	VMOVSD X1, (AX)(CX*8)
	INCQ   CX
	JMP    colsTail

rowDiag:
	SUBQ   R13, AX             // &J[a][0]
	VMOVSD (AX)(R11*8), X2
	VSUBSD (R10)(BX*8), X2, X2 // J[a][a] − d[b]
	VMOVSD X2, (AX)(R11*8)
	INCQ   BX
	JMP    rowsLoop

rowsDone:
	VZEROUPPER
	RET
