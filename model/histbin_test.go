package model

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// quadRanges are value cells' ranges (lo, inv) for the binQuads tests:
// ordinary bins, tiny and wide ones, a negative range, zero-width ranges
// (inv 0: a pilot where every draw agreed, lo 0 for a difference) and
// lo = −∞ with inv 0 (a pilot spread beyond float64's range).
var quadRanges = [][2]float64{
	{10, histBins / 20.0},
	{1e-3, histBins / 1e-12},
	{-7.5, histBins / 0.25},
	{0, histBins / 2.0},
	{-1e300, histBins / 1e300},
	{2.5, 0},
	{0, 0},
	{math.Inf(-1), 0},
}

// quadValue draws a finite value (as every draw's are) for a cell of
// range r: inside it, on a bin edge or next to one, equal to lo, a zero
// of either sign, or far out.
func quadValue(rng *rand.Rand, r [2]float64) float64 {
	if v := quadValue1(rng, r); !math.IsInf(v, 0) {
		return v
	}
	return rng.NormFloat64()
}

func quadValue1(rng *rand.Rand, r [2]float64) float64 {
	lo, inv := r[0], r[1]
	w := 1.0
	if inv > 0 {
		w = histBins / inv
	}
	switch rng.IntN(10) {
	case 0:
		e := []float64{0, 1, 2, histBins - 1, histBins}[rng.IntN(5)]
		v := lo + e*w/histBins
		return []float64{v, math.Nextafter(v, math.Inf(-1)), math.Nextafter(v, math.Inf(1))}[rng.IntN(3)]
	case 1:
		return lo
	case 2:
		return math.Copysign(0, float64(rng.IntN(2))-0.5)
	case 3:
		return []float64{-1e300, 1e300, lo - w, lo + 2*w, math.MaxFloat64, -math.MaxFloat64}[rng.IntN(6)]
	}
	return lo + w*rng.Float64()
}

// quadTile fills tiles of nd rows and width W for cells C: the
// scenario's values, and the counterfactual's equal to them, apart by a
// value of the difference's range, or drawn on their own.
func quadTile(rng *rand.Rand, b *bandStore, nd, W int) (vs, vc []float64) {
	C := b.cells
	vs, vc = make([]float64, nd*W), make([]float64, nd*W)
	for t := 0; t < nd; t++ {
		for c := 0; c < C; c++ {
			rs := [2]float64{b.lo[c], b.inv[c]}
			rc := [2]float64{b.lo[C+c], b.inv[C+c]}
			rd := [2]float64{b.lo[2*C+c], b.inv[2*C+c]}
			v := quadValue(rng, rs)
			vs[t*W+c] = v
			switch rng.IntN(4) {
			case 0:
				vc[t*W+c] = v
			case 1:
				if vc[t*W+c] = v - quadValue(rng, rd); math.IsInf(vc[t*W+c], 0) {
					vc[t*W+c] = v
				}
			default:
				vc[t*W+c] = quadValue(rng, rc)
			}
		}
	}
	return vs, vc
}

// quadStore returns a started bandStore of C level cells (a multiple of
// four, at most tileCells: one page a kind) with random ranges from
// quadRanges, counts, extremes and sums.
func quadStore(rng *rand.Rand, C int) *bandStore {
	V := 3 * C
	b := newBandStore(C, 1)
	b.lo, b.inv = make([]float64, V), make([]float64, V)
	b.min, b.max, b.sum = make([]float64, V), make([]float64, V), make([]float64, V)
	b.shared = make([]bool, C)
	for j := 0; j < V; j++ {
		r := quadRanges[rng.IntN(len(quadRanges))]
		b.lo[j], b.inv[j] = r[0], r[1]
		b.min[j], b.max[j] = math.Inf(1), math.Inf(-1)
		if rng.IntN(3) == 0 {
			b.min[j], b.max[j] = -1, 1 // extremes from earlier draws
		}
		b.sum[j] = []float64{0, math.Copysign(0, -1), rng.NormFloat64()}[rng.IntN(3)]
	}
	b.np = 1
	b.pages = make([][]uint16, 3)
	for kind := range 3 {
		for i, h := 0, b.page(kind, 0); i < len(h); i++ {
			h[i] = uint16(rng.IntN(3))
		}
	}
	return b
}

// cloneStore copies a bandStore's histograms.
func cloneStore(b *bandStore) *bandStore {
	c := *b
	c.lo, c.inv = slices.Clone(b.lo), slices.Clone(b.inv)
	c.min, c.max, c.sum = slices.Clone(b.min), slices.Clone(b.max), slices.Clone(b.sum)
	c.pages = make([][]uint16, len(b.pages))
	for p, pg := range b.pages {
		c.pages[p] = slices.Clone(pg)
	}
	c.carry = maps.Clone(b.carry)
	c.carried = slices.Clone(b.carried)
	c.shared = slices.Clone(b.shared)
	c.scratch = nil
	return &c
}

// sameStores reports the first difference between two bandStores'
// histograms (counts, extremes and sums bit for bit), or "".
func sameStores(a, b *bandStore) string {
	for _, f := range []struct {
		name string
		x, y []float64
	}{{"min", a.min, b.min}, {"max", a.max, b.max}, {"sum", a.sum, b.sum}} {
		for j := range f.x {
			if math.Float64bits(f.x[j]) != math.Float64bits(f.y[j]) {
				return fmt.Sprintf("%s of value cell %d: %v, want %v", f.name, j, f.x[j], f.y[j])
			}
		}
	}
	if !slices.Equal(a.shared, b.shared) {
		return "shared cells differ"
	}
	const S = histBins + 2
	for j := range a.lo {
		if c := j - a.cells; c >= 0 && a.shared[c%a.cells] {
			continue // a shared cell's counterfactual and difference are not stored
		}
		x, y := a.hist(j, 1), b.hist(j, 1)
		for k := range S {
			cx, cy := int(x[k]), int(y[k])
			if a.carried != nil && a.carried[j] {
				cx += int(a.carry[j*S+k])
			}
			if b.carried != nil && b.carried[j] {
				cy += int(b.carry[j*S+k])
			}
			if cx != cy {
				return fmt.Sprintf("count %d of value cell %d: %d, want %d", k, j, cx, cy)
			}
		}
	}
	return ""
}

// countsOff reports the first value cell of a started store whose counts
// (carries included; a shared cell's difference as histBand reads it)
// do not add up to the draws added, or "".
func countsOff(b *bandStore) string {
	const S = histBins + 2
	for j := range b.lo {
		if c := j - b.cells; c >= 0 && c < b.cells && b.shared[c] {
			continue // a shared counterfactual has the scenario's
		}
		var cnt [S]float64
		b.counts(j, &cnt)
		total := 0.0
		for _, v := range cnt {
			total += v
		}
		if total != float64(b.n) {
			return fmt.Sprintf("value cell %d: %g counts, %d draws", j, total, b.n)
		}
	}
	return ""
}

// TestBinQuad checks updateCells's binQuads against update (binValues
// and binPoint per value cell) bit for bit: counts, extremes (tails
// folded in order, zeros' signs) and sums, for the three kinds, quads
// mixing every range of quadRanges, values on bin edges, equal to lo,
// zeros of both signs and far tails, 1 to 130 draws (more than a block:
// two chunks), with counts carried or not. updateCells bins the cells
// a quad a call, and in runs of quads (one kernel call a run, broken by
// quads the kernel cannot take) with 0 to 3 cells left over.
func TestBinQuad(t *testing.T) {
	if !haveBatchAsm {
		t.Skip("no AVX2 kernels here (processor or build)")
	}
	rng := rand.New(rand.NewPCG(14, 1))
	const C = 24
	kernel, runs := 0, 0 // quads binned by the kernel (the others by update); runs of two or more
	for _, carried := range []bool{false, true} {
		for _, nd := range []int{1, 2, 3, 7, 64, 65, 130} {
			for rep := 0; rep < 20; rep++ {
				b := quadStore(rng, C)
				if carried {
					b.carryOver(rng.IntN(3*C*(histBins+2)), 3*histCarry)
				}
				W := C + tilePad
				vs, vc := quadTile(rng, b, nd, W)
				for kind := 0; kind < 3; kind++ {
					quads, whole, want := cloneStore(b), cloneStore(b), cloneStore(b)
					var vals [mcBlock]float64
					run := 0
					for c := 0; c < C; c += 4 {
						quads.updateCells(kind, 0, c, c+4, vs, vc, W, nd, &vals)
						if quadFits(b.lo[kind*C+c:], b.inv[kind*C+c:]) {
							kernel++
							if run++; run == 2 {
								runs++
							}
						} else {
							run = 0
						}
						for l := 0; l < 4; l++ {
							want.update(kind*C+c+l, kind, vs, vc, c+l, W, nd, &vals)
						}
					}
					r := rep % 4 // cells left over for update
					whole.updateCells(kind, 0, 0, C-r, vs, vc, W, nd, &vals)
					whole.updateCells(kind, 0, C-r, C, vs, vc, W, nd, &vals)
					if d := sameStores(quads, want); d != "" {
						t.Fatalf("quad by quad: carried %v, %d draws, kind %d, case %d: %s", carried, nd, kind, rep, d)
					}
					if d := sameStores(whole, want); d != "" {
						t.Fatalf("in runs: carried %v, %d draws, kind %d, case %d, %d left over: %s", carried, nd, kind, rep, r, d)
					}
				}
			}
		}
	}
	if kernel < 1000 || runs < 300 {
		t.Errorf("the kernel binned only %d of 5040 quads, %d runs of two or more", kernel, runs)
	}
}

// TestBandStoreAddAsm checks that add gives the same histograms with the
// kernels (useBinAsm) as with the Go loops, over blocks whose cells have
// shared prefixes, point ranges, tails and cells that stop being shared,
// with chunks of four cells and remainders, and counts carried (a flush
// before each block, a carry every 16 counts).
func TestBandStoreAddAsm(t *testing.T) {
	if !haveBatchAsm {
		t.Skip("no AVX2 kernels here (processor or build)")
	}
	defer func(f, u int) { histFlushAt, histCarry = f, u }(histFlushAt, histCarry)
	histFlushAt, histCarry = mcBlock, 16
	const C = tileCells + 37
	rng := rand.New(rand.NewPCG(14, 2))
	newRows := func(n, blk int) (rows [][]float64, pre []int, ok []bool) {
		for d := 0; d < n; d++ {
			p := C/3 + rng.IntN(C/3)
			if blk == 0 {
				p = C // the pilot shares every cell
			}
			row := make([]float64, 2*C)
			for c := 0; c < C; c++ {
				switch {
				case c%7 == 0: // a point range: every draw agrees, but for a few
					row[c] = 3
					if blk > 1 && rng.IntN(50) == 0 {
						row[c] = 3 + rng.NormFloat64()
					}
				case c%11 == 0:
					row[c] = math.Copysign(0, float64(rng.IntN(2))-0.5)
				default:
					row[c] = 50 + 10*rng.NormFloat64()*float64(1+blk)
				}
				row[C+c] = row[c]
				if c >= p {
					row[C+c] += rng.NormFloat64()
				}
			}
			rows, pre = append(rows, row), append(pre, p)
			ok = append(ok, rng.IntN(20) != 0)
		}
		return rows, pre, ok
	}
	a, b := newBandStore(C, 2), newBandStore(C, 1)
	for blk := 0; blk < 5; blk++ {
		rows, pre, ok := newRows(mcBlock, blk)
		for _, s := range []struct {
			st  *bandStore
			asm bool
		}{{a, true}, {b, false}} {
			useBinAsm = s.asm
			if blk == 0 {
				s.st.startHistograms(rows, ok, pre)
			} else {
				s.st.add(rows, ok, pre)
			}
		}
		useBinAsm = haveBatchAsm
		if d := sameStores(a, b); d != "" {
			t.Fatalf("block %d: %s", blk, d)
		}
		if d := countsOff(a); d != "" {
			t.Fatalf("block %d: %s", blk, d)
		}
	}
	if len(a.carry) == 0 || len(a.carry) != len(b.carry) {
		t.Fatalf("%d and %d counters carried: the test misses the carries", len(a.carry), len(b.carry))
	}
}

// FuzzBinQuad compares binQuads with update on a quad of cells whose
// range and values come from the fuzzer: lanes 0–2 have the range (lo,
// inv), lane 3 the zero-width range at lo; lane l's value in draw t is
// the ((t + l) mod 8)-th of v0…v4, lo, −v0, v1 + d, the
// counterfactual's that less d·t; n sets the draws, kind the kind.
func FuzzBinQuad(f *testing.F) {
	f.Add(10.0, histBins/20.0, 0.0, 11.0, 14.5, 30.0, math.Copysign(0, -1), 0.25, uint8(5), uint8(2))
	f.Add(0.0, 0.0, 2.5, 2.5, 1e300, -1e300, 0.0, 1.0, uint8(64), uint8(0))
	f.Add(-7.5, histBins/0.25, -7.5, -7.25, -7.4999, 0.0, 5e-324, -1e-300, uint8(65), uint8(1))
	f.Fuzz(func(t *testing.T, lo, inv, v0, v1, v2, v3, v4, d float64, n, kind uint8) {
		if !haveBatchAsm {
			t.Skip("no AVX2 kernels here")
		}
		vals8 := []float64{v0, v1, v2, v3, v4, lo, -v0, v1 + d}
		for _, x := range append(vals8, lo, inv, d) {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return // the draws' values are finite (checked as they are written)
			}
		}
		if !(inv >= 0) || inv > 0 && (math.IsInf(histBins/inv, 0) || histBins/inv == 0) {
			return // setRange's inv is 0 or histBins over a finite positive width
		}
		const C = 4
		nd := 1 + int(n)%130
		rng := rand.New(rand.NewPCG(uint64(n), uint64(kind)))
		b := quadStore(rng, C)
		k := int(kind) % 3
		for l := 0; l < 4; l++ {
			j := k*C + l
			b.lo[j], b.inv[j] = lo, inv
			if l == 3 {
				b.inv[j] = 0 // one lane a point range
			}
		}
		W := C + 1
		vs, vc := make([]float64, nd*W), make([]float64, nd*W)
		for t := 0; t < nd; t++ {
			for l := 0; l < 4; l++ {
				vs[t*W+l] = vals8[(t+l)%8]
				vc[t*W+l] = vs[t*W+l] - d*float64(t)
			}
		}
		got, want := cloneStore(b), cloneStore(b)
		var vals [mcBlock]float64
		binQuads(got, k*C, 1, k, vs, vc, 0, W, nd)
		for l := 0; l < 4; l++ {
			want.update(k*C+l, k, vs, vc, l, W, nd, &vals)
		}
		if dif := sameStores(got, want); dif != "" {
			t.Fatalf("kind %d, %d draws: %s", k, nd, dif)
		}
	})
}
