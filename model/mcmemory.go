package model

// MCMemory estimates the memory, in bytes, that MonteCarlo holds at its
// peak for draws draws of scenario (whose market calibrates to cal, e.g.
// the Cal of a Path of the central run) on workers goroutines (0: one per
// CPU): the rows kept for exact percentiles, or else the rows of a block
// and the spare ones (mcSpareRows) and the histograms (16-bit counters,
// at most one set per value cell: the months the counterfactual shares
// with the scenario have none of their own), the bands returned, and the
// totals (8 bytes per metric and draw). It counts live data only, as
// docs/MODEL.md §9.2 does; the Go runtime's garbage-collection headroom
// comes on top (the resident set is typically 1.5 to 2 times this).
func MCMemory(cal *Calibrated, scenario *Spec, draws, workers int) int64 {
	if cal == nil || cal.Market == nil || scenario == nil || draws <= 0 {
		return 0
	}
	l := newMCLayout(cal, scenario)
	c := int64(l.cells())
	v := 3 * c // value cells: both levels and the difference
	d := int64(draws)
	var b int64
	if draws <= exactCap(l.cells()) {
		b += d * 2 * c * 8 // every draw's rows
		b += d * 8 * 2     // one cell's sorted values (per worker, small)
	} else {
		b += (mcBlock + mcSpareRows) * 2 * c * 8 // the rows of a block and the spares (mcPipe)
		b += 5 * v * 8                           // lo, inv, min, max, sum per value cell
		b += v * (histBins + 2) * 2              // 16-bit counters (the few carries beyond them are small)
		if workers <= 0 {
			workers = 2
		}
		b += int64(workers) * 2 * mcBlock * (tileCells + tilePad) * 8
	}
	b += v * 6 * 8                                      // the bands returned
	b += 2 * 8 * int64(len(metricDefs(cal.Market))) * d // totals and their sorted copies
	return b
}
