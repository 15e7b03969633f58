//go:build amd64 && !purego

#include "textflag.h"

// AVX2 kernel of binQuads (quantiles.go): the histograms of a run of
// quads, each four adjacent value cells of one kind, binned a quad at a
// time, a tile row (the quad's four adjacent values of one draw) a turn,
// two rows a loop. Per lane they do what binValues's and binPoint's first
// passes do per value cell: the two partial sums (even and odd rows, each
// in order), and a count in slot 1 + ⌊x⌋ for a value with x = (v − lo)·inv
// in [0, histBins) (a lane with inv = 0: slot 1 for a value equal to lo).
// Every other value is a tail: the kernel sets bit t of the lane's tails
// word for one in row t, and binQuads counts and folds those in order.
// Operands are in Go's order: the destination last, "VSUBPD a, b, c" is
// c = b − a.
//
// A lane with inv = 0 multiplies v − lo by 2^1000 and then 2^100 (the
// others by inv and then 1, which changes no bit): with lo finite
// (quadFits), v = lo gives +0, in slot 1; v > lo gives at least
// 2^−1074·2^1100 = 2^26 (v − lo, exact, is nonzero) or +∞, v < lo a
// negative x: both tails, as binPoint has it.
//
// Registers: DI the counters of the quad's lane 0, SI and DX the rows of
// a and b, R8 and R9 their strides in bytes, CX the row, Y10 lo, Y11 and
// Y13 the quad's two multipliers, Y7, Y8 and Y9 the constants 2^1000,
// 2^100 and 1, Y12 zero, Y14 histBins, Y0 and Y1 the partial sums, R11
// the lanes counted in this row, AX, BX, R12, R13 the four lanes' ⌊x⌋,
// R10 where the rare path returns to. The quad's a, b, lo, inv, sum and
// tails pointers are kept in the argument slots and stepped a quad
// (32 bytes) at a time.

// BINSETUP loads the strides and sets the constants. 0x7e7… is 2^1000,
// 0x463… 2^100, 0x3ff… 1, 0x406… histBins = 128.
#define BINSETUP \
	MOVQ h+0(FP), DI; \
	MOVQ sa+24(FP), R8; \
	MOVQ sb+32(FP), R9; \
	VXORPD Y12, Y12, Y12; \
	MOVQ $0x7e70000000000000, AX; \
	MOVQ AX, X7; \
	VBROADCASTSD X7, Y7; \
	MOVQ $0x4630000000000000, AX; \
	MOVQ AX, X8; \
	VBROADCASTSD X8, Y8; \
	MOVQ $0x3ff0000000000000, AX; \
	MOVQ AX, X9; \
	VBROADCASTSD X9, Y9; \
	MOVQ $0x4060000000000000, AX; \
	MOVQ AX, X14; \
	VBROADCASTSD X14, Y14

// BINQUAD starts a quad: its rows, its ranges and multipliers (inv and 1,
// or 2^1000 and 2^100 in a lane with inv = 0), its tails words cleared,
// the sums and the row cleared.
#define BINQUAD \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), DX; \
	MOVQ lo+56(FP), AX; \
	VMOVUPD (AX), Y10; \
	MOVQ inv+64(FP), AX; \
	VMOVUPD (AX), Y11; \
	VCMPPD $0x00, Y12, Y11, Y2; \
	VBLENDVPD Y2, Y7, Y11, Y11; \
	VBLENDVPD Y2, Y8, Y9, Y13; \
	MOVQ tails+80(FP), AX; \
	VMOVUPD Y12, (AX); \
	VXORPD Y0, Y0, Y0; \
	VXORPD Y1, Y1, Y1; \
	XORQ CX, CX

// BINROW(acc) reads row CX's four values v = a − b (b is a row of +0
// but for the differences), adds them to the partial sum acc, forms x,
// sets in R11 the lanes with x >= 0 (_CMP_GE_OQ) and x < histBins
// (_CMP_LT_OQ), and their ⌊x⌋ in AX, BX, R12 and R13 (garbage in a
// lane not counted); then it steps a and b to the next row.
#define BINROW(acc) \
	VMOVUPD (SI), Y2; \
	VSUBPD (DX), Y2, Y2; \
	VADDPD Y2, acc, acc; \
	VSUBPD Y10, Y2, Y3; \
	VMULPD Y11, Y3, Y3; \
	VMULPD Y13, Y3, Y3; \
	VCMPPD $0x1d, Y12, Y3, Y4; \
	VCMPPD $0x11, Y14, Y3, Y5; \
	VANDPD Y5, Y4, Y4; \
	VMOVMSKPD Y4, R11; \
	VCVTTPD2DQY Y3, X6; \
	VMOVD X6, AX; \
	VPEXTRD $1, X6, BX; \
	VPEXTRD $2, X6, R12; \
	VPEXTRD $3, X6, R13; \
	ADDQ R8, SI; \
	ADDQ R9, DX

// BINCOUNT counts the four lanes of a row whose values are all in
// range: slot 1 + ⌊x⌋ of each lane's counters (lane l's at
// DI + l·(histBins + 2)·2 bytes).
#define BINCOUNT \
	INCW 2(DI)(AX*2); \
	INCW 262(DI)(BX*2); \
	INCW 522(DI)(R12*2); \
	INCW 782(DI)(R13*2)

// BINDONE adds s0 + s1 to the quad's sum (sum + (s0 + s1), as
// updateCell adds them) and steps to the next quad: its counters
// (4·(histBins + 2)·2 bytes on) and its a, b, lo, inv, sum and tails
// (32 bytes on).
#define BINDONE \
	VADDPD Y1, Y0, Y0; \
	MOVQ sum+72(FP), AX; \
	VMOVUPD (AX), Y1; \
	VADDPD Y0, Y1, Y1; \
	VMOVUPD Y1, (AX); \
	ADDQ $1040, DI; \
	ADDQ $32, a+8(FP); \
	ADDQ $32, b+16(FP); \
	ADDQ $32, lo+56(FP); \
	ADDQ $32, inv+64(FP); \
	ADDQ $32, sum+72(FP); \
	ADDQ $32, tails+80(FP)

// BINTAILS sets bit t of the quad's tails[l] for each lane l not counted in R11,
// with t = CX + R10&1 (R10: 0 the first row of a pair, 1 the second, 2
// a last odd row). It uses AX and R12.
#define BINTAILS \
	MOVQ R10, AX; \
	ANDQ $1, AX; \
	ADDQ CX, AX; \
	MOVQ tails+80(FP), R12; \
	NOTQ R11; \
	BTQ  $0, R11; \
	JCC  2(PC); \
	BTSQ AX, 0(R12); \
	BTQ  $1, R11; \
	JCC  2(PC); \
	BTSQ AX, 8(R12); \
	BTQ  $2, R11; \
	JCC  2(PC); \
	BTSQ AX, 16(R12); \
	BTQ  $3, R11; \
	JCC  2(PC); \
	BTSQ AX, 24(R12)

// BINRETURN goes back to the row after the one the rare path took (R10).
#define BINRETURN \
	CMPQ R10, $1; \
	JLT  row1; \
	JEQ  pairdone; \
	JMP  done

// BINPREFETCH16 prefetches the 16-bit counters of the quad after next (17 cache
// lines from h + 2·4·130·2 bytes): the merge streams the counters from
// memory, and the kernel takes about as long as the memory does to
// bring them.
#define BINPREFETCH16 \
	PREFETCHT0 2080(DI); \
	PREFETCHT0 2144(DI); \
	PREFETCHT0 2208(DI); \
	PREFETCHT0 2272(DI); \
	PREFETCHT0 2336(DI); \
	PREFETCHT0 2400(DI); \
	PREFETCHT0 2464(DI); \
	PREFETCHT0 2528(DI); \
	PREFETCHT0 2592(DI); \
	PREFETCHT0 2656(DI); \
	PREFETCHT0 2720(DI); \
	PREFETCHT0 2784(DI); \
	PREFETCHT0 2848(DI); \
	PREFETCHT0 2912(DI); \
	PREFETCHT0 2976(DI); \
	PREFETCHT0 3040(DI); \
	PREFETCHT0 3104(DI)

// func binQuads16(h *uint16, a, b *float64, sa, sb, m, nq int, lo, inv, sum *float64, tails *uint64)
// Quad q's lane l's slot s is h[(4q + l)·(histBins + 2) + s].
TEXT ·binQuads16(SB), NOSPLIT, $0-88
	BINSETUP

quad:
	BINQUAD
	BINPREFETCH16

pair:
	LEAQ 1(CX), R10
	CMPQ R10, m+40(FP)
	JGE  last
	BINROW(Y0)
	CMPQ R11, $15
	JNE  some0
	BINCOUNT

row1:
	BINROW(Y1)
	CMPQ R11, $15
	JNE  some1
	BINCOUNT

pairdone:
	ADDQ $2, CX
	JMP  pair

last:
	CMPQ CX, m+40(FP)
	JGE  done
	BINROW(Y0)
	CMPQ R11, $15
	JNE  some2
	BINCOUNT

done:
	BINDONE
	DECQ nq+48(FP)
	JGT  quad
	VZEROUPPER
	RET

some0:
	MOVQ $0, R10
	JMP  some

some1:
	MOVQ $1, R10
	JMP  some

some2:
	MOVQ $2, R10

some: // the lanes counted, one by one; then the others' tail bits
	BTQ  $0, R11
	JCC  2(PC)
	INCW 2(DI)(AX*2)
	BTQ  $1, R11
	JCC  2(PC)
	INCW 262(DI)(BX*2)
	BTQ  $2, R11
	JCC  2(PC)
	INCW 522(DI)(R12*2)
	BTQ  $3, R11
	JCC  2(PC)
	INCW 782(DI)(R13*2)
	BINTAILS
	BINRETURN
