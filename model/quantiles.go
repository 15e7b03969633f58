package model

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/stat"
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
// exactCap draws are a pilot: they set, per value cell, a fixed range
// [lo, hi] (the pilot's min and max widened by histPad of their spread on
// each side) split into histBins equal bins, with an underflow and an
// overflow bin whose outer edges are the exact running min and max. Every
// converged draw then adds one count per value cell. Counts, min and max
// do not depend on the order in which draws are added; means are summed
// per cell in draw order. So the bands are bit-identical for a given seed
// whatever the number of workers.

const (
	histBins = 128  // bins inside the pilot range
	histPad  = 0.05 // pilot range widened by this fraction of its spread on each side
)

// quantileLevels are the percentiles of a Band.
var quantileLevels = [5]float64{0.05, 0.25, 0.5, 0.75, 0.95}

// bandStore accumulates the per-draw rows.
type bandStore struct {
	cells   int // C: level cells per path
	workers int

	// exact phase
	exact   [][]float64 // rows of the first exactCap draws (nil after the pilot)
	exactOK []bool

	// histogram phase (nil until the pilot is done)
	lo, inv  []float64 // per value cell: range start and bins per unit
	min, max []float64
	sum      []float64
	count    []uint32 // (histBins+2) per value cell: underflow, bins, overflow
	n        int      // converged draws added
}

func newBandStore(cells, workers int) *bandStore {
	return &bandStore{cells: cells, workers: workers}
}

// value returns value cell j (3 per level cell: scenario, counterfactual,
// difference) of row.
func (b *bandStore) value(row []float64, j int) float64 {
	c, kind := j/3, j%3
	switch kind {
	case 0:
		return row[c]
	case 1:
		return row[b.cells+c]
	}
	return row[c] - row[b.cells+c]
}

// parallelCells runs f over [0, n) split into chunks of cells, on b.workers
// goroutines. f must only touch its own cells.
func parallelCells(workers, n int, f func(j0, j1 int)) {
	const chunk = 1024
	if workers <= 1 || n <= chunk {
		f(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j0 := int(next.Add(chunk)) - chunk
				if j0 >= n {
					return
				}
				f(j0, min(j0+chunk, n))
			}
		}()
	}
	wg.Wait()
}

// startHistograms builds the bins from the pilot rows (the converged ones
// among rows) and adds the pilot to them.
func (b *bandStore) startHistograms(rows [][]float64, ok []bool) {
	V := 3 * b.cells
	b.lo = make([]float64, V)
	b.inv = make([]float64, V)
	b.min = make([]float64, V)
	b.max = make([]float64, V)
	b.sum = make([]float64, V)
	b.count = make([]uint32, V*(histBins+2))
	parallelCells(b.workers, V, func(j0, j1 int) {
		for j := j0; j < j1; j++ {
			lo, hi := math.Inf(1), math.Inf(-1)
			for d, row := range rows {
				if !ok[d] {
					continue
				}
				v := b.value(row, j)
				lo = math.Min(lo, v)
				hi = math.Max(hi, v)
			}
			if lo > hi { // no converged pilot draw
				lo, hi = 0, 0
			}
			pad := histPad * (hi - lo)
			b.lo[j] = lo - pad
			if w := hi - lo + 2*pad; w > 0 {
				b.inv[j] = histBins / w
			}
			b.min[j], b.max[j] = math.Inf(1), math.Inf(-1)
		}
	})
	b.add(rows, ok)
}

// add adds the converged rows, in order, to the histograms.
func (b *bandStore) add(rows [][]float64, ok []bool) {
	for d := range rows {
		if ok[d] {
			b.n++
		}
	}
	V := 3 * b.cells
	parallelCells(b.workers, V, func(j0, j1 int) {
		// 8 value cells at a time: rows are read one cache line at a
		// time while 8 histograms stay in cache.
		for g := j0; g < j1; g += 8 {
			ge := min(g+8, j1)
			for d, row := range rows {
				if !ok[d] {
					continue
				}
				for j := g; j < ge; j++ {
					v := b.value(row, j)
					b.sum[j] += v
					if v < b.min[j] {
						b.min[j] = v
					}
					if v > b.max[j] {
						b.max[j] = v
					}
					b.count[j*(histBins+2)+binOf(v, b.lo[j], b.inv[j])]++
				}
			}
		}
	})
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

// histBand returns value cell j's band from its histogram.
func (b *bandStore) histBand(j int) Band {
	if b.n == 0 {
		return Band{}
	}
	band := Band{Mean: b.sum[j] / float64(b.n)}
	q := [5]*float64{&band.P5, &band.P25, &band.P50, &band.P75, &band.P95}
	cnt := b.count[j*(histBins+2) : (j+1)*(histBins+2)]
	lo, mn, mx := b.lo[j], b.min[j], b.max[j]
	w := 0.0
	if b.inv[j] > 0 {
		w = 1 / b.inv[j]
	}
	for k, p := range quantileLevels {
		*q[k] = histQuantile(p, float64(b.n), cnt, lo, w, mn, mx)
	}
	return band
}

// histQuantile interpolates the p-quantile linearly within the histogram
// slot holding the p·n-th draw. Slot edges: [min, lo], bins of width w
// from lo, [lo + histBins·w, max]. The result is clamped to [min, max], so
// a cell where every draw agrees returns that value exactly.
func histQuantile(p, n float64, cnt []uint32, lo, w, mn, mx float64) float64 {
	if mn == mx {
		return mn
	}
	target := p * n
	var cum float64
	for s, c := range cnt {
		if c == 0 {
			continue
		}
		cf := float64(c)
		if cum+cf >= target {
			var a, z float64
			switch s {
			case 0:
				a, z = mn, math.Min(lo, mx)
			case histBins + 1:
				a, z = math.Max(lo+histBins*w, mn), mx
			default:
				a = lo + float64(s-1)*w
				z = a + w
			}
			x := a + (target-cum)/cf*(z-a)
			return math.Min(math.Max(x, mn), mx)
		}
		cum += cf
	}
	return mx
}

// exactBand returns the band of values (sorted in place).
func exactBand(values []float64) Band {
	if len(values) == 0 {
		return Band{}
	}
	var s float64
	for _, v := range values {
		s += v
	}
	band := Band{Mean: s / float64(len(values))}
	slices.Sort(values)
	q := [5]*float64{&band.P5, &band.P25, &band.P50, &band.P75, &band.P95}
	for k, p := range quantileLevels {
		*q[k] = stat.Quantile(p, stat.LinInterp, values, nil)
	}
	return band
}

// bands returns the band of every value cell (3 per level cell), from the
// exact rows or the histograms.
func (b *bandStore) bands() []Band {
	V := 3 * b.cells
	out := make([]Band, V)
	if b.count != nil {
		parallelCells(b.workers, V, func(j0, j1 int) {
			for j := j0; j < j1; j++ {
				out[j] = b.histBand(j)
			}
		})
		return out
	}
	parallelCells(b.workers, V, func(j0, j1 int) {
		buf := make([]float64, 0, len(b.exact))
		for j := j0; j < j1; j++ {
			buf = buf[:0]
			for d, row := range b.exact {
				if b.exactOK[d] {
					buf = append(buf, b.value(row, j))
				}
			}
			out[j] = exactBand(buf)
		}
	})
	return out
}
