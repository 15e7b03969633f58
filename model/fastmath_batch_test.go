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
