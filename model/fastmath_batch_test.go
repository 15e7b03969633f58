package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// batchPaths are the two ways fexpBatch and flogBatch compute: the
// assembly kernels (when the processor and the build have them) and the
// Go loop (also what a purego build or a processor without AVX2 and FMA
// runs).
var batchPaths = []struct {
	name string
	asm  bool
}{{"asm", true}, {"go", false}}

// withBatchPath runs the batch functions on path's side for the rest of
// t, skipping t when the assembly is asked for and absent.
func withBatchPath(t testing.TB, asm bool) {
	if asm && !haveBatchAsm {
		t.Skip("no AVX2 and FMA kernels here (processor or build)")
	}
	old := useBatchAsm
	useBatchAsm = asm
	t.Cleanup(func() { useBatchAsm = old })
}

// batchKinds pairs each batch function with the scalar function whose
// bits it must reproduce.
var batchKinds = []struct {
	name   string
	batch  func(dst, x []float64)
	scalar func(float64) float64
}{
	{"fexp", fexpBatch, fexp},
	{"flog", flogBatch, flog},
}

// checkBatch runs batch on x and reports every element whose bits differ
// from scalar's (a NaN must be the same NaN).
func checkBatch(t *testing.T, batch func(dst, x []float64), scalar func(float64) float64, x []float64) {
	t.Helper()
	dst := make([]float64, len(x)+1)
	dst[len(x)] = 42 // the kernel must not write past len(x)
	batch(dst, x)
	bad := 0
	for i, v := range x {
		if want := scalar(v); math.Float64bits(dst[i]) != math.Float64bits(want) {
			if bad++; bad <= 10 {
				t.Errorf("element %d of %d: x = %v (%#x): batch %v (%#x), scalar %v (%#x)",
					i, len(x), v, math.Float64bits(v), dst[i], math.Float64bits(dst[i]), want, math.Float64bits(want))
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d elements differ in all", bad)
	}
	if dst[len(x)] != 42 {
		t.Errorf("wrote dst[%d] past the input's length", len(x))
	}
}

// batchRandom returns n random arguments spread over fexpCore's range
// (exp) or flogCore's (log): uniform, near 0 or 1, and for log random
// mantissas at every exponent.
func batchRandom(rng *rand.Rand, log bool, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch u := rng.Float64()*2 - 1; {
		case !log && i%3 == 0:
			x[i] = u * 5 // where the solver's exponents mostly are
		case !log:
			x[i] = u * 700
		case i%3 == 0:
			x[i] = 1 + u/16
		case i%3 == 1:
			x[i] = math.Exp(u * 693)
		default: // any mantissa, any exponent in [2^-1000, 2^1000)
			e := uint64(1023 - 1000 + rng.IntN(2000))
			x[i] = math.Float64frombits(e<<52 | rng.Uint64()>>12)
		}
	}
	return x
}

// batchEdges returns the edge arguments of fexp (log false) or flog: the
// ends of the cores' ranges and their neighbours, powers of two, zeros,
// subnormals, infinities, NaN and negative numbers (the fallbacks).
func batchEdges(log bool) []float64 {
	up, down := func(v float64) float64 { return math.Nextafter(v, math.Inf(1)) }, func(v float64) float64 { return math.Nextafter(v, math.Inf(-1)) }
	x := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, math.E, math.Inf(1), math.Inf(-1), math.NaN(),
		5e-324, -5e-324, 0x1p-1022, 1e-310, math.MaxFloat64, -math.MaxFloat64}
	if log {
		for _, v := range []float64{0x1p-1000, 0x1p1000} {
			x = append(x, v, up(v), down(v))
		}
		for e := -1074; e <= 1023; e++ {
			v := math.Ldexp(1, e)
			x = append(x, v, up(v), down(v))
		}
	} else {
		for _, v := range []float64{700, -700, 709, -745, 1000, -1000} {
			x = append(x, v, up(v), down(v))
		}
		for e := -60; e <= 9; e++ {
			v := math.Ldexp(1, e)
			x = append(x, v, -v, up(v), down(-v))
		}
		for k := -256 * 1010; k <= 256*1010; k += 97 { // around the table's nodes k·ln2/256
			v := float64(k) * math.Ln2 / expTabN
			x = append(x, v, up(v), down(v))
		}
	}
	return x
}

// TestBatchBitIdentical checks fexpBatch and flogBatch against fexp and
// flog bit for bit, on both paths: millions of random arguments over the
// cores' ranges, the edge values (each also alone among in-range
// neighbours, so that one out-of-range lane in a group of four is
// fixed), and every length 0..9 (the tail after the groups of four).
func TestBatchBitIdentical(t *testing.T) {
	n := 3_000_000
	if testing.Short() {
		n = 200_000
	}
	for _, path := range batchPaths {
		t.Run(path.name, func(t *testing.T) {
			withBatchPath(t, path.asm)
			for ki, kind := range batchKinds {
				log := kind.name == "flog"
				t.Run(kind.name+"/random", func(t *testing.T) {
					rng := rand.New(rand.NewPCG(11, uint64(ki)))
					checkBatch(t, kind.batch, kind.scalar, batchRandom(rng, log, n))
				})
				t.Run(kind.name+"/edges", func(t *testing.T) {
					edges := batchEdges(log)
					checkBatch(t, kind.batch, kind.scalar, edges)
					for lane := 0; lane < 4; lane++ {
						for _, v := range edges {
							x := []float64{0.5, 0.75, 1.25, 1.5}
							x[lane] = v
							checkBatch(t, kind.batch, kind.scalar, x)
						}
					}
				})
				t.Run(kind.name+"/lengths", func(t *testing.T) {
					rng := rand.New(rand.NewPCG(12, uint64(ki)))
					for l := 0; l <= 9; l++ {
						checkBatch(t, kind.batch, kind.scalar, batchRandom(rng, log, l))
					}
				})
			}
		})
	}
}

// FuzzExpLogBatch compares the batch functions with the scalar ones on
// groups of five arguments (a group of four and a tail), on both paths.
func FuzzExpLogBatch(f *testing.F) {
	f.Add(0.0, 1.0, -1.0, 699.9, 2.5)
	f.Add(1e-300, 0x1p-1000, 0x1p1000, 1.0, 3.0)
	f.Add(math.NaN(), math.Inf(1), -700.0, 700.0, 5e-324)
	f.Fuzz(func(t *testing.T, a, b, c, d, e float64) {
		x := []float64{a, b, c, d, e}
		for _, path := range batchPaths {
			if path.asm && !haveBatchAsm {
				continue
			}
			useBatchAsm = path.asm
			for _, kind := range batchKinds {
				checkBatch(t, kind.batch, kind.scalar, x)
			}
		}
		useBatchAsm = haveBatchAsm
	})
}

// benchBatch measures batch over 64 arguments (about an evaluation's
// routes) per iteration and reports the time per element.
func benchBatch(b *testing.B, batch func(dst, x []float64), x []float64) {
	dst := make([]float64, len(x))
	for b.Loop() {
		batch(dst, x)
	}
	sinkF = dst[0]
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
}

// batchBenchArgs are BenchmarkFexp's and BenchmarkFlog's arguments, 64 of
// them.
func batchBenchArgs(log bool) []float64 {
	x := make([]float64, 64)
	for k := range x {
		if log {
			x[k] = float64(k*16) + 1.5
		} else {
			x[k] = float64(k*16) * 0.001
		}
	}
	return x
}

func BenchmarkFexpBatch(b *testing.B) {
	for _, path := range batchPaths {
		b.Run(path.name, func(b *testing.B) {
			withBatchPath(b, path.asm)
			benchBatch(b, fexpBatch, batchBenchArgs(false))
		})
	}
}

func BenchmarkFlogBatch(b *testing.B) {
	for _, path := range batchPaths {
		b.Run(path.name, func(b *testing.B) {
			withBatchPath(b, path.asm)
			benchBatch(b, flogBatch, batchBenchArgs(true))
		})
	}
}

// checkAffine runs affineBatch on (a, b, x), into a separate dst and in
// place (dst = x, as eval calls it), and reports every element whose bits
// differ from the Go expression a + b*x. A NaN may be any NaN: which
// operand's payload an instruction passes on when both are NaN depends
// on the operands' order the compiler picks, which Go does not specify.
func checkAffine(t *testing.T, a, b, x []float64) {
	t.Helper()
	n := len(x)
	dst := make([]float64, n+1)
	dst[n] = 42 // the kernel must not write past len(x)
	affineBatch(dst[:n], a, b, x)
	in := append([]float64(nil), x...)
	affineBatch(in, a, b, in)
	bad := 0
	for i := range x {
		want := a[i] + b[i]*x[i]
		for _, got := range []float64{dst[i], in[i]} {
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				if bad++; bad <= 10 {
					t.Errorf("element %d of %d: %v + %v·%v: batch %v (%#x), Go %v (%#x)",
						i, n, a[i], b[i], x[i], got, math.Float64bits(got), want, math.Float64bits(want))
				}
			}
		}
	}
	if bad > 10 {
		t.Errorf("%d elements differ in all", bad)
	}
	if dst[n] != 42 {
		t.Errorf("wrote dst[%d] past the input's length", n)
	}
}

// TestAffineBatchBitIdentical checks affineBatch against a + b*x bit for
// bit on both paths: random triples where eval's exponents lie (ln β,
// 1 − σ, ln p_d) and over all magnitudes, where a fused multiply-add
// would round differently (b·x and a nearly cancelling), the edge values
// of the exp and log batches in every lane, and every length 0..9.
func TestAffineBatchBitIdentical(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	for _, path := range batchPaths {
		t.Run(path.name, func(t *testing.T) {
			withBatchPath(t, path.asm)
			rng := rand.New(rand.NewPCG(13, 0))
			a, b, x := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range x {
				switch i % 3 {
				case 0: // eval's exponents
					a[i], b[i], x[i] = rng.Float64()*20-10, -rng.Float64()*9, rng.Float64()*12
				case 1: // any magnitudes and signs
					a[i] = math.Float64frombits(rng.Uint64())
					b[i] = math.Float64frombits(rng.Uint64())
					x[i] = math.Float64frombits(rng.Uint64())
				default: // a ≈ −b·x: the product's rounding decides
					b[i], x[i] = rng.Float64()*4-2, rng.Float64()*4-2
					a[i] = -b[i]*x[i] + rng.Float64()*1e-12
				}
			}
			checkAffine(t, a, b, x)
			edges := append(batchEdges(false), batchEdges(true)...)
			for lane := 0; lane < 4; lane++ {
				for _, v := range edges {
					aa, bb, xx := []float64{1, 2, 3, 4, 5}, []float64{0.5, -1, 2, 3, 4}, []float64{1.25, 1.5, -2, 0.75, 1}
					aa[lane], bb[(lane+1)%4], xx[(lane+2)%4] = v, v, v
					checkAffine(t, aa, bb, xx)
				}
			}
			for l := 0; l <= 9; l++ {
				checkAffine(t, a[:l], b[:l], x[l:2*l])
			}
		})
	}
}

// FuzzAffineBatch compares affineBatch with a + b*x on two groups of four
// and a tail of one, on both paths.
func FuzzAffineBatch(f *testing.F) {
	f.Add(0.0, -1.0, 2.5, 1e308, math.Inf(1), 5e-324, math.NaN(), 3.0, math.Copysign(0, -1))
	f.Add(-3.2, -2.1, 7.5, 1.0, 1.0, 1.0, 0.1, 0.2, 0.3)
	f.Fuzz(func(t *testing.T, p, q, r, s, u, v, w, y, z float64) {
		vals := []float64{p, q, r, s, u, v, w, y, z}
		a, b, x := make([]float64, 9), make([]float64, 9), make([]float64, 9)
		for i := range a {
			a[i], b[i], x[i] = vals[i], vals[(i+3)%9], vals[(i+7)%9]
		}
		for _, path := range batchPaths {
			if path.asm && !haveBatchAsm {
				continue
			}
			useBatchAsm = path.asm
			checkAffine(t, a, b, x)
		}
		useBatchAsm = haveBatchAsm
	})
}
