package model

import (
	"math"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"
)

// Percentile machinery for Monte Carlo bands (docs/MODEL.md, section 9).
//
// Every draw produces one row of 2·C values: C scenario levels, then C
// counterfactual levels (C = reported series × months). Each row gives
// three "value cells" per level cell: scenario, counterfactual and the
// difference. A bandStore summarises them as Bands.
//
// Up to exactCap draws every row is kept and the percentiles are exact
// (sorted, stat.Quantile with stat.LinInterp). With more draws the first
// block of mcBlock draws is a pilot: it sets, per value cell, a fixed range
// [lo, hi] (the pilot's min and max widened by histPad of their spread on
// each side) split into histBins equal bins, with an underflow and an
// overflow bin whose outer edges are the exact running min and max. Every
// converged draw then adds one count per value cell. Counts, min and max
// do not depend on the order in which draws are added; means are summed
// per cell in draw order. So the bands are bit-identical for a given seed
// whatever the number of workers.

const (
	histBins = 128  // bins inside the pilot range: a power of two (binValues)
	histPad  = 0.25 // pilot range widened by this fraction of its spread on each side
)

// histBins must be a power of two: binValues masks a bin's index with
// histBins − 1 (a constant index out of range here otherwise).
var _ = [1]struct{}{}[histBins&(histBins-1)]

// quantileLevels are the percentiles of a Band.
var quantileLevels = [5]float64{0.05, 0.25, 0.5, 0.75, 0.95}

// bandStore accumulates the per-draw rows. Value cell j = kind·C + c:
// kind 0 the scenario level of level cell c, 1 the counterfactual's, 2
// their difference.
type bandStore struct {
	cells   int // C: level cells per path
	workers int

	// exact regime: every row kept
	exact    [][]float64
	exactOK  []bool
	exactPre []int // per row: shared prefix in level cells (forTiles); nil for none

	// histogram regime (nil until started)
	lo, inv  []float64 // per value cell: range start and bins per unit (0: zero-width range)
	min, max []float64 // per value cell: extremes of the values outside [lo, lo + histBins/inv]
	sum      []float64
	// pages hold the counts, histBins + 2 16-bit counters per value cell
	// (underflow, bins, overflow), a page per kind and chunk of tileCells
	// level cells (page kind·np + c/tileCells, np pages a kind; hist). A
	// page of counterfactuals or differences whose cells are all shared
	// is nil until one of them stops being shared (unshare). Counts above
	// a counter's range are carried (flush): carry holds them by counter
	// (value cell·(histBins + 2) + slot), carried marks the value cells
	// that have any.
	pages   [][]uint16
	np      int
	carry   map[int]uint32
	carried []bool
	carryMu *sync.Mutex // for carry and carried while add's goroutines unshare
	flushed int         // n at the last flush
	n       int         // converged draws added
	shared  []bool      // per level cell: counterfactual equal to scenario in every draw so far
	scratch [][]float64
}

func newBandStore(cells, workers int) *bandStore {
	return &bandStore{cells: cells, workers: max(workers, 1), carryMu: new(sync.Mutex)}
}

// parallelCells runs f over [0, n) split into chunks, on workers
// goroutines; w is the goroutine's index. f must only touch its own cells.
func parallelCells(workers, n, chunk int, f func(w, j0, j1 int)) {
	if workers <= 1 || n <= chunk {
		for j0 := 0; j0 < n; j0 += chunk {
			f(0, j0, min(j0+chunk, n))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j0 := int(next.Add(int64(chunk))) - chunk
				if j0 >= n {
					return
				}
				f(w, j0, min(j0+chunk, n))
			}
		}()
	}
	wg.Wait()
}

// tileCells is the number of level cells copied into a tile at a time:
// a tile of 2 × draws × tileCells floats stays in the L2 cache.
const (
	tileCells = 256
	tilePad   = 8
)

// forTiles calls f for chunks of level cells [c0, c1) with the converged
// rows' values copied into tiles: vs[t·W + c − c0] (scenario) and vc
// (counterfactual) for the t-th converged row. The tile stride W is
// c1 − c0 + tilePad, so that a column of the tile does not map onto a few
// cache sets.
//
// pre[d] (nil: none) is the number of leading level cells of rows[d]
// whose counterfactual value is the scenario's (the months a draw's
// counterfactual shares with its scenario, mcRunner.draw): their
// counterfactual half is not read, the scenario's values stand in for it,
// and a chunk inside every converged row's prefix gets vc = vs (f only
// reads the tiles).
func (b *bandStore) forTiles(rows [][]float64, ok []bool, pre []int, f func(c0, c1, W, nd int, vs, vc []float64)) {
	var live [][]float64
	var livePre []int
	minPre := b.cells
	for d, row := range rows {
		if ok[d] {
			live = append(live, row)
			p := 0
			if pre != nil {
				p = pre[d]
			}
			livePre = append(livePre, p)
			minPre = min(minPre, p)
		}
	}
	nd := len(live)
	if nd == 0 {
		return
	}
	if len(b.scratch) < b.workers || len(b.scratch[0]) < 2*nd*tileCells {
		b.scratch = make([][]float64, b.workers)
		for w := range b.scratch {
			b.scratch[w] = make([]float64, 2*max(nd, mcBlock)*(tileCells+tilePad))
		}
	}
	C := b.cells
	parallelCells(b.workers, C, tileCells, func(w, c0, c1 int) {
		W := c1 - c0 + tilePad
		vs := b.scratch[w][: nd*W : nd*W]
		vc := b.scratch[w][nd*W : 2*nd*W]
		for t, row := range live {
			copy(vs[t*W:t*W+c1-c0], row[c0:c1])
		}
		if c1 <= minPre {
			f(c0, c1, W, nd, vs, vs)
			return
		}
		for t, row := range live {
			p := min(max(livePre[t], c0), c1)
			copy(vc[t*W:t*W+p-c0], vs[t*W:t*W+p-c0])
			copy(vc[t*W+p-c0:t*W+c1-c0], row[C+p:C+c1])
		}
		f(c0, c1, W, nd, vs, vc)
	})
}

// startHistograms builds the bins from the pilot rows (the converged ones
// among rows; pre as in forTiles) and adds the pilot to them.
func (b *bandStore) startHistograms(rows [][]float64, ok []bool, pre []int) {
	V := 3 * b.cells
	b.lo = make([]float64, V)
	b.inv = make([]float64, V)
	b.min = make([]float64, V)
	b.max = make([]float64, V)
	b.sum = make([]float64, V)
	b.shared = make([]bool, b.cells)
	for j := range b.min {
		b.min[j], b.max[j] = math.Inf(1), math.Inf(-1)
	}
	C := b.cells
	b.forTiles(rows, ok, pre, func(c0, c1, W, nd int, vs, vc []float64) {
		diff := make([]float64, nd)
		for c := c0; c < c1; c++ {
			off := c - c0
			b.shared[c] = histShare && columnsEqual(vs, vc, off, W, nd, false)
			for t := range diff {
				diff[t] = vs[t*W+off] - vc[t*W+off]
			}
			b.setRange(c, vs[off:], W, nd)
			b.setRange(C+c, vc[off:], W, nd)
			b.setRange(2*C+c, diff, 1, nd)
		}
	})
	b.np = (C + tileCells - 1) / tileCells
	b.pages = make([][]uint16, 3*b.np)
	for p := range b.np {
		b.page(0, p)
		for c := p * tileCells; c < min((p+1)*tileCells, C); c++ {
			if !b.shared[c] {
				b.page(1, p)
				b.page(2, p)
				break
			}
		}
	}
	b.add(rows, ok, pre)
}

// page returns the counters of the kind's page p (level cells
// p·tileCells … (p + 1)·tileCells − 1), allocating them (zero) if they
// are not yet.
func (b *bandStore) page(kind, p int) []uint16 {
	const S = histBins + 2
	q := &b.pages[kind*b.np+p]
	if *q == nil {
		*q = make([]uint16, (min((p+1)*tileCells, b.cells)-p*tileCells)*S)
	}
	return *q
}

// hist returns the counters of the n value cells j, …, j + n − 1 of
// one kind and chunk (one page). A shared cell's counterfactual and
// difference counters mean nothing (nil when their page is).
func (b *bandStore) hist(j, n int) []uint16 {
	const S = histBins + 2
	kind, c := j/b.cells, j%b.cells
	pg := b.pages[kind*b.np+c/tileCells]
	if pg == nil {
		return nil
	}
	o := c % tileCells * S
	return pg[o : o+n*S : o+n*S]
}

// histShare says whether the histograms share a level cell's
// counterfactual with its scenario while they agree (add); tests turn it
// off to compare with histograms that keep every cell's own.
var histShare = true

// setRange sets value cell j's bins from the pilot's nd values src[0],
// src[st], …: their min and max widened by histPad of the spread on each
// side (a zero-width range leaves inv 0).
func (b *bandStore) setRange(j int, src []float64, st, nd int) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for t := 0; t < nd; t++ {
		v := src[t*st]
		lo, hi = min(lo, v), max(hi, v) // as math.Min and math.Max
	}
	pad := histPad * (hi - lo)
	b.lo[j] = lo - pad
	if w := hi - lo + 2*pad; w > 0 {
		b.inv[j] = histBins / w
	}
}

// columnsEqual reports whether the nd values of vs and vc at off,
// off + W, … are equal: by == (zeros of either sign are equal), or bit
// for bit when bitwise (a zero's sign counts). The same tile passed as
// both (forTiles: a chunk every draw shares) is equal without a look, as
// its values are finite (the draws' rows are checked).
func columnsEqual(vs, vc []float64, off, W, nd int, bitwise bool) bool {
	if nd <= 0 || len(vs) > 0 && len(vc) > 0 && &vs[0] == &vc[0] {
		return true
	}
	end := off + (nd-1)*W + 1
	vs, vc = vs[off:end], vc[off:end:end]
	if bitwise {
		for i := 0; i < len(vs); i += W {
			if math.Float64bits(vs[i]) != math.Float64bits(vc[i]) {
				return false
			}
		}
		return true
	}
	// add's check of every shared cell beyond the draws' common prefix:
	// a loop of its own, two values a turn.
	i := 0
	for ; i+W < len(vs); i += 2 * W {
		if vs[i] != vc[i] || vs[i+W] != vc[i+W] {
			return false
		}
	}
	return i >= len(vs) || vs[i] == vc[i]
}

func tileValue(kind int, vs, vc []float64, k int) float64 {
	switch kind {
	case 0:
		return vs[k]
	case 1:
		return vc[k]
	}
	return vs[k] - vc[k]
}

// add adds the converged rows (pre as in forTiles) to the histograms.
// Each value cell's sum is accumulated in row order, so the result does
// not depend on workers.
//
// While a level cell's counterfactual value has equalled its scenario
// value in every draw so far (months before the two paths' policies
// differ), its counterfactual histogram is not filled (shared[c]) and its
// difference is a run of exact zeros, which is not stored either: the
// pilot's differences were zeros, so its range is the point 0 and its
// histogram n counts in slot 1, with no extremes and a sum of +0
// (histBand). At the first draw where they differ the scenario's counts,
// min, max and sum are copied to the counterfactual (they are its own,
// since every value so far was equal), the difference's point mass is
// written into its counters, and both are filled from then on. This
// changes no result. A quad of four cells (from the chunk's start) with
// a cell that is not shared has all four counterfactuals and differences
// binned (the kernel's four lanes), quads of shared cells none: a shared
// cell's counts, extremes and counterfactual sum mean nothing until
// unshare overwrites them (flush leaves them), and its difference's sum
// stays +0 either way (binned, it adds zeros: its values are in the
// pilot's point range, so no extreme either).
func (b *bandStore) add(rows [][]float64, ok []bool, pre []int) {
	nd := 0
	for d := range rows {
		if ok[d] {
			nd++
		}
	}
	if b.n+nd > b.flushed+histFlushAt {
		b.flush()
	}
	prior := b.n
	b.n += nd
	b.forTiles(rows, ok, pre, func(c0, c1, W, nd int, vs, vc []float64) {
		var vals [mcBlock]float64
		for c := c0; c < c1; c++ {
			if b.shared[c] && !columnsEqual(vs, vc, c-c0, W, nd, false) {
				b.unshare(c, prior)
			}
		}
		b.updateCells(0, c0, c0, c1, vs, vc, W, nd, &vals)
		if b.hist(b.cells+c0, 1) == nil {
			return // every cell of the chunk is shared
		}
		// The counterfactuals and differences of the runs of quads (four
		// cells from c0) with a cell that is not shared.
		for ca := c0; ca < c1; {
			for ca < c1 && b.quadShared(ca, min(ca+4, c1)) {
				ca += 4
			}
			cb := ca
			for cb < c1 && !b.quadShared(cb, min(cb+4, c1)) {
				cb = min(cb+4, c1)
			}
			if ca < cb {
				b.updateCells(1, c0, ca, cb, vs, vc, W, nd, &vals)
				b.updateCells(2, c0, ca, cb, vs, vc, W, nd, &vals)
			}
			ca = cb
		}
	})
}

// quadShared reports whether the level cells [c, e) are all shared.
func (b *bandStore) quadShared(c, e int) bool {
	for _, sh := range b.shared[c:e] {
		if !sh {
			return false
		}
	}
	return true
}

// unshare gives level cell c's counterfactual its own histogram: a copy
// of the scenario's counts, carries, min, max and sum (its own, since
// every value so far was equal), and its difference the point mass of
// the prior draws' zeros in slot 1, before any is updated with the block
// where they first differ.
func (b *bandStore) unshare(c, prior int) {
	const S = histBins + 2
	C, p := b.cells, c/tileCells
	b.page(1, p)
	b.page(2, p)
	j0, j1, j2 := c, C+c, 2*C+c
	copy(b.hist(j1, 1), b.hist(j0, 1))
	b.min[j1], b.max[j1], b.sum[j1] = b.min[j0], b.max[j0], b.sum[j0]
	b.carryMu.Lock()
	defer b.carryMu.Unlock()
	if b.carried != nil && b.carried[j0] {
		for s := range S {
			if v, ok := b.carry[j0*S+s]; ok {
				b.carry[j1*S+s] = v
			}
		}
		b.carried[j1] = true
	}
	h := b.hist(j2, 1)
	clear(h)
	h[1] = uint16(b.carryOver(j2*S+1, prior))
	b.shared[c] = false
}

// histFlushAt is the number of draws counted between two flushes and
// histCarry the unit they carry: after a flush every counter is below
// histCarry, so histCarry − 1 + histFlushAt ≤ 65,535 keeps every
// 16-bit counter in range. Variables so that tests can exercise the
// carries.
var histFlushAt, histCarry = 1 << 15, 1 << 15

// flush carries the multiples of histCarry of every counter into carry,
// before more than histFlushAt draws are counted since the last flush
// (runs of more than 32,768 draws). Few counters ever reach it (a value
// cell's bins share its draws; a point mass, where every draw agrees, has
// one), so the 16-bit counters hold the counts of any number of draws in
// half the memory of 32-bit ones, and the merge streams half the bytes.
func (b *bandStore) flush() {
	const S = histBins + 2
	C := b.cells
	for q, pg := range b.pages {
		kind, p := q/b.np, q%b.np
		for i, v := range pg {
			c := p*tileCells + i/S
			if int(v) >= histCarry && (kind == 0 || !b.shared[c]) { // a shared cell's are not counts (add)
				j := kind*C + c
				pg[i] = uint16(b.carryOver(j*S+i%S, int(v)))
			}
		}
	}
	b.flushed = b.n
}

// carryOver adds the multiples of histCarry in count v to counter k's
// carry and returns the rest (below histCarry).
func (b *bandStore) carryOver(k, v int) int {
	const S = histBins + 2
	if v < histCarry {
		return v
	}
	if b.carry == nil {
		b.carry, b.carried = map[int]uint32{}, make([]bool, len(b.lo))
	}
	b.carry[k] += uint32(v - v%histCarry)
	b.carried[k/S] = true
	return v % histCarry
}

// started reports whether the histograms exist.
func (b *bandStore) started() bool { return b.pages != nil }

// useBinAsm says updateCells bins four value cells at a time with the
// AVX2 kernel binQuads16 (histbin_amd64.s; the processor
// has AVX2 and the build is not purego); tests turn it off to compare
// with the Go loops, which give the same bits.
var useBinAsm = haveBatchAsm

// updateCells adds the nd tile values of value cells kind·C + c, c in
// [ca, cb) (within a chunk from c0, as forTiles hands it), to their
// histograms: four cells a turn from ca with binQuads where the kernels
// run, each run of quads that fit in one call, the others with update.
func (b *bandStore) updateCells(kind, c0, ca, cb int, vs, vc []float64, W, nd int, vals *[mcBlock]float64) {
	j0 := kind * b.cells
	c := ca
	if useBinAsm {
		for c+4 <= cb {
			n := 0 // quads from c that fit
			for c+4*n+4 <= cb && n < tileCells/4 && quadFits(b.lo[j0+c+4*n:], b.inv[j0+c+4*n:]) {
				n++
			}
			if n > 0 {
				binQuads(b, j0+c, n, kind, vs, vc, c-c0, W, nd)
				c += 4 * n
				continue
			}
			for l := range 4 {
				b.update(j0+c+l, kind, vs, vc, c+l-c0, W, nd, vals)
			}
			c += 4
		}
	}
	for ; c < cb; c++ {
		b.update(j0+c, kind, vs, vc, c-c0, W, nd, vals)
	}
}

// quadFits reports whether binQuads's kernel can bin the four value cells
// with ranges lo[:4], inv[:4]: a zero-width range (inv 0) must lie at a
// finite lo (one at ±∞, from a pilot spread beyond float64's range, goes
// to update).
func quadFits(lo, inv []float64) bool {
	for l := range 4 {
		if inv[l] == 0 && math.IsInf(lo[l], 0) {
			return false
		}
	}
	return true
}

// zeroRow is the row binQuads subtracts (stride 0) from a level's values:
// a run's quads step along it.
var zeroRow [tileCells]float64

// binQuads is updateCell for the 4·nq value cells j, …, j + 4·nq − 1
// (nq ≤ tileCells/4 quads) of the kind, at offsets off, … of the tiles:
// one kernel call (per 64 rows) counts the values inside each cell's range
// (a tile row of a quad's four cells a turn, the differences formed as
// they are read) and adds the partial sums; the values it reports outside
// the range are then counted and folded into the extremes in row order
// (foldTail), as binValues's and binPoint's second passes do. Every
// count, extreme and sum has updateCell's bits.
func binQuads(b *bandStore, j, nq, kind int, vs, vc []float64, off, W, nd int) {
	const S = histBins + 2
	n := 4 * nq
	h := b.hist(j, n)
	lo, inv, sum := b.lo[j:j+n], b.inv[j:j+n], b.sum[j:j+n]
	var tailBuf [tileCells]uint64
	tails := tailBuf[:n]
	for t0 := 0; t0 < nd; t0 += mcBlock {
		m := min(nd-t0, mcBlock)
		k := t0*W + off
		end := k + (m-1)*W + n // past the last row's values
		a, sub, sb := &vs[k:end][0], &zeroRow[:n][0], 0
		switch kind {
		case 1:
			a = &vc[k:end][0]
		case 2:
			sub, sb = &vc[k:end][0], 8*W
		}
		binQuads16(&h[0], a, sub, 8*W, sb, m, nq, &lo[0], &inv[0], &sum[0], &tails[0])
		for l, ts := range tails {
			if ts == 0 {
				continue // most cells of most runs: no tail
			}
			hl := (*[S]uint16)(h[l*S:])
			for ; ts != 0; ts &= ts - 1 {
				v := tileValue(kind, vs, vc, k+bits.TrailingZeros64(ts)*W+l)
				b.min[j+l], b.max[j+l] = foldTail(hl, v, lo[l], inv[l], b.min[j+l], b.max[j+l])
			}
		}
	}
}

// binQuads's tails are bits of a uint64 per lane: a chunk of mcBlock rows
// must fit (a constant index out of range here otherwise).
var _ = [1]struct{}{}[mcBlock/65]

// update adds the nd tile values of value cell j (of the given kind, at
// offset off in tiles of width W) to its histogram, min, max and sum.
func (b *bandStore) update(j, kind int, vs, vc []float64, off, W, nd int, vals *[mcBlock]float64) {
	updateCell(b, b.hist(j, 1), j, kind, vs, vc, off, W, nd, vals)
}

func updateCell[T uint16 | uint32](b *bandStore, cnt []T, j, kind int, vs, vc []float64, off, W, nd int, vals *[mcBlock]float64) {
	lo, inv := b.lo[j], b.inv[j]
	mn, mx, sm := b.min[j], b.max[j], b.sum[j]
	for t0 := 0; t0 < nd; t0 += mcBlock {
		m := min(nd-t0, mcBlock)
		src, st := tileColumn(kind, vs, vc, t0*W+off, W, m, vals)
		// Two partial sums break the dependency chain of the additions:
		// s0 takes the even draws, s1 the odd ones, in order, so the sum
		// is still reproducible.
		var s0, s1 float64
		if inv == 0 {
			s0, s1, mn, mx = binPoint((*[histBins + 2]T)(cnt), src, st, lo, mn, mx)
			sm += s0 + s1
			continue
		}
		s0, s1, mn, mx = binValues((*[histBins + 2]T)(cnt), src, st, lo, inv, mn, mx)
		sm += s0 + s1
	}
	b.min[j], b.max[j], b.sum[j] = mn, mx, sm
}

// tileColumn returns the m values of a value cell of the kind from
// position k of the tiles, as src[0], src[st], …, src[(m − 1)·st]: read
// in place (levels, st = W), or (differences) gathered into vals first
// (st = 1).
func tileColumn(kind int, vs, vc []float64, k, W, m int, vals *[mcBlock]float64) (src []float64, st int) {
	switch kind {
	case 0:
		src = vs[k:]
	case 1:
		src = vc[k:]
	default:
		diffColumn(vals[:m], vs, vc, k, W)
		return vals[:m], 1
	}
	return src[:(m-1)*W+1], W
}

// diffColumn writes the differences vs[q] − vc[q] at q = k, k + W, …
// into out. It is not inlined: in updateCell's loop the compiler spilled
// and reloaded five registers a value.
//
//go:noinline
func diffColumn(out, vs, vc []float64, k, W int) {
	q := k
	for t := range out {
		out[t] = vs[q] - vc[q]
		q += W
	}
}

// binValues counts the values src[0], src[st], … into their slots of h,
// two a turn, with the range [lo, lo + histBins/inv) split into bins
// (inv > 0). A value outside the range goes to its tail slot, whose outer
// edge is the exact min or max: it returns the extremes mn and mx updated
// by those values, and the sums of the even-numbered and the odd-numbered
// values, each in order (updateCell's partial sums).
//
// The first pass sums every value and counts those inside the range; a
// value x = (v − lo)·inv whose truncation k is 1 to histBins − 1 is in bin
// 1 + k after one test, and only the others (x < 1 or x ≥ histBins; a
// float outside int's range converts to an int outside it too) are tested
// as floats. If any value was a tail, a second pass (binTails) counts the
// tails and folds their extremes in order, as one pass testing each value
// would (the counts do not depend on the order).
func binValues[T uint16 | uint32](h *[histBins + 2]T, src []float64, st int, lo, inv, mn, mx float64) (s0, s1, mn1, mx1 float64) {
	hs := h[:] // one nil check; the masked indices below are provably in range
	tails := false
	i := 0
	for ; i+st < len(src); i += 2 * st {
		v0, v1 := src[i], src[i+st]
		s0 += v0
		s1 += v1
		x0, x1 := (v0-lo)*inv, (v1-lo)*inv
		if k := int(x0); uint(k-1) < histBins-1 {
			hs[1+k&(histBins-1)]++
		} else if x0 >= 0 && x0 < histBins {
			hs[1]++ // 0 ≤ x < 1
		} else {
			tails = true
		}
		if k := int(x1); uint(k-1) < histBins-1 {
			hs[1+k&(histBins-1)]++
		} else if x1 >= 0 && x1 < histBins {
			hs[1]++
		} else {
			tails = true
		}
	}
	if i < len(src) {
		v := src[i]
		s0 += v
		if x := (v - lo) * inv; x >= 0 && x < histBins {
			hs[1+int(x)&(histBins-1)]++
		} else {
			tails = true
		}
	}
	if tails {
		mn, mx = binTails(h, src, st, lo, inv, mn, mx)
	}
	return s0, s1, mn, mx
}

// binTails is binValues's second pass: it counts the values src[0],
// src[st], … outside the range (x = (v − lo)·inv not in [0, histBins))
// into their slots (binOf) and returns the extremes mn and mx updated by
// them, in order (tailMinMax).
func binTails[T uint16 | uint32](h *[histBins + 2]T, src []float64, st int, lo, inv, mn, mx float64) (mn1, mx1 float64) {
	for i := 0; i < len(src); i += st {
		v := src[i]
		if x := (v - lo) * inv; !(x >= 0 && x < histBins) {
			mn, mx = foldTail(h, v, lo, inv, mn, mx)
		}
	}
	return mn, mx
}

// binPoint is binValues for a zero-width range (inv 0, a pilot where
// every draw agreed): a value equal to lo counts in slot 1, any other in
// its tail slot with the extremes folded in (as builtin min and max). The
// first pass sums the values two a turn and notes whether any differs
// from lo; only then does a second pass (pointOthers) count and fold
// those, in order.
func binPoint[T uint16 | uint32](h *[histBins + 2]T, src []float64, st int, lo, mn, mx float64) (s0, s1, mn1, mx1 float64) {
	other := false
	i := 0
	for ; i+st < len(src); i += 2 * st {
		v0, v1 := src[i], src[i+st]
		s0 += v0
		s1 += v1
		other = other || v0 != lo || v1 != lo
	}
	if i < len(src) {
		v := src[i]
		s0 += v
		other = other || v != lo
	}
	n := (len(src) + st - 1) / st // the values
	if other {
		var k int
		mn, mx, k = pointOthers(h, src, st, lo, mn, mx)
		n -= k
	}
	h[1] += T(n)
	return s0, s1, mn, mx
}

// pointOthers is binPoint's second pass: it counts the values src[0],
// src[st], … other than lo into their tail slots and returns the
// extremes mn and mx updated by them in order (builtin min and max), and
// how many there were.
func pointOthers[T uint16 | uint32](h *[histBins + 2]T, src []float64, st int, lo, mn, mx float64) (mn1, mx1 float64, n int) {
	for i := 0; i < len(src); i += st {
		if v := src[i]; v != lo {
			mn, mx = foldTail(h, v, lo, 0, mn, mx)
			n++
		}
	}
	return mn, mx, n
}

// foldTail counts a value v outside value cell's range (lo, inv) into its
// tail slot and returns the extremes mn and mx updated by it: as
// tailMinMax for a range of bins, as builtin min and max for a zero-width
// one (inv 0: binPoint's).
func foldTail[T uint16 | uint32](h *[histBins + 2]T, v, lo, inv, mn, mx float64) (mn1, mx1 float64) {
	if inv == 0 {
		mn, mx = min(mn, v), max(mx, v)
	} else {
		mn, mx = tailMinMax(mn, mx, v)
	}
	h[binOf(v, lo, inv)]++
	return mn, mx
}

// tailMinMax returns the extremes mn and mx updated by a value v outside
// the bins (as v < mn and v > mx compare: a zero keeps the sign of the
// extreme it equals).
func tailMinMax(mn, mx, v float64) (float64, float64) {
	if v < mn {
		mn = v
	}
	if v > mx {
		mx = v
	}
	return mn, mx
}

// binOf returns the histogram slot of v: 0 below lo, 1..histBins inside,
// histBins+1 above. With a zero-width range (inv 0) v == lo goes to bin 1.
func binOf(v, lo, inv float64) int {
	if v < lo {
		return 0
	}
	if inv == 0 {
		if v == lo {
			return 1
		}
		return histBins + 1
	}
	x := (v - lo) * inv
	if x >= histBins {
		if x == histBins { // the top edge belongs to the last bin
			return histBins
		}
		return histBins + 1
	}
	return 1 + int(x)
}

// histBand returns value cell j's band from its counts.
func (b *bandStore) histBand(j int) Band {
	if b.n == 0 {
		return Band{}
	}
	const S = histBins + 2
	var cnt [S]float64
	b.counts(j, &cnt)
	w := 0.0
	if b.inv[j] > 0 {
		w = 1 / b.inv[j]
	}
	var q [len(quantileLevels)]float64
	histQuantiles(&q, float64(b.n), cnt[:], b.lo[j], w, b.min[j], b.max[j])
	return Band{Mean: b.sum[j] / float64(b.n), P5: q[0], P25: q[1], P50: q[2], P75: q[3], P95: q[4]}
}

// counts sets cnt to value cell j's counts with their carries (the
// difference of a shared cell: n counts in slot 1, as add has it).
func (b *bandStore) counts(j int, cnt *[histBins + 2]float64) {
	const S = histBins + 2
	if c := j - 2*b.cells; c >= 0 && b.shared[c] {
		cnt[1] = float64(b.n)
		return
	}
	for k, c := range b.hist(j, 1) {
		cnt[k] = float64(c)
	}
	if b.carried != nil && b.carried[j] {
		for k := range cnt {
			cnt[k] += float64(b.carry[j*S+k])
		}
	}
}

// histQuantiles sets q[k] to the quantileLevels[k]-quantile of the
// histogram cnt of n draws, interpolated linearly within the slot holding
// the p·n-th draw (slotQuantile). Slot edges: [min, lo] for the
// underflow, bins of width w from lo, [lo + histBins·w, max] for the
// overflow, where min and max are the exact extremes of the values
// outside the range (the only values they track). With w = 0 (a pilot
// where every draw agreed) slot 1 is a point mass at lo, returned
// exactly. One pass over the slots: the levels increase, so each is in
// the slot of the one before or a later one.
func histQuantiles(q *[len(quantileLevels)]float64, n float64, cnt []float64, lo, w, mn, mx float64) {
	k := 0
	var cum float64
	for s, c := range cnt {
		if c == 0 {
			continue
		}
		for ; k < len(q) && cum+c >= quantileLevels[k]*n; k++ {
			q[k] = slotQuantile(s, quantileLevels[k]*n, cum, c, lo, w, mn, mx)
		}
		if k == len(q) {
			return
		}
		cum += c
	}
	for ; k < len(q); k++ {
		q[k] = lo + histBins*w
	}
}

// slotQuantile interpolates linearly the draw target within slot s,
// which holds c draws after cum (histQuantiles' edges).
func slotQuantile(s int, target, cum, c, lo, w, mn, mx float64) float64 {
	var a, z float64
	switch s {
	case 0:
		a, z = mn, lo
	case histBins + 1:
		a, z = lo+histBins*w, mx
	default:
		a = lo + float64(s-1)*w
		z = a + w
	}
	f := (target - cum) / c
	if f < 0 {
		f = 0
	}
	return a + f*(z-a)
}

// exactBand returns the band of values (sorted in place). Values all
// equal bit for bit need no sort: every percentile is the value
// (linInterpQuantile's x[i] − t·(x[i] − x[i−1]) is x − t·(+0) = x).
func exactBand(values []float64) Band {
	if len(values) == 0 {
		return Band{}
	}
	var s float64
	x0 := math.Float64bits(values[0])
	same := true
	for _, v := range values {
		s += v
		same = same && math.Float64bits(v) == x0
	}
	band := Band{Mean: s / float64(len(values))}
	if same {
		v := values[0]
		band.P5, band.P25, band.P50, band.P75, band.P95 = v, v, v, v, v
		return band
	}
	slices.Sort(values)
	q := [5]*float64{&band.P5, &band.P25, &band.P50, &band.P75, &band.P95}
	for k, p := range quantileLevels {
		*q[k] = linInterpQuantile(p, values)
	}
	return band
}

// linInterpQuantile is stat.Quantile(p, stat.LinInterp, x, nil) for
// sorted x, written x[i] − t·(x[i] − x[i−1]) instead of t·x[i−1] +
// (1 − t)·x[i]: the same number, but exactly x[i] where x[i−1] = x[i] and
// never outside [x[i−1], x[i]], so that the percentiles of many equal
// values stay equal and in order (the other form can land one unit in the
// last place above them).
func linInterpQuantile(p float64, x []float64) float64 {
	fidx := p * float64(len(x))
	for i := range x {
		if float64(i+1) >= fidx {
			if i == 0 {
				return x[0]
			}
			t := float64(i+1) - fidx
			return x[i] - t*(x[i]-x[i-1])
		}
	}
	return x[len(x)-1]
}

// bands returns the band of every value cell (3 per level cell), from the
// exact rows or the histograms.
func (b *bandStore) bands() []Band {
	V := 3 * b.cells
	out := make([]Band, V)
	if b.started() {
		C := b.cells
		parallelCells(b.workers, V, 1024, func(_, j0, j1 int) {
			for j := j0; j < j1; j++ {
				if j >= C && j < 2*C && b.shared[j-C] {
					continue
				}
				out[j] = b.histBand(j)
			}
		})
		for c, sh := range b.shared {
			if sh {
				out[C+c] = out[c]
			}
		}
		return out
	}
	C := b.cells
	b.forTiles(b.exact, b.exactOK, b.exactPre, func(c0, c1, W, nd int, vs, vc []float64) {
		buf := make([]float64, nd)
		for c := c0; c < c1; c++ {
			off := c - c0
			for kind := 0; kind < 3; kind++ {
				if kind == 1 && columnsEqual(vs, vc, off, W, nd, true) {
					// The counterfactual's values are the scenario's bit for
					// bit: the same band, and a difference of nd exact zeros
					// (x − x = +0), whose band is the zero Band.
					out[C+c] = out[c]
					break
				}
				for t := range buf {
					buf[t] = tileValue(kind, vs, vc, t*W+off)
				}
				out[kind*C+c] = exactBand(buf)
			}
		}
	})
	return out
}
