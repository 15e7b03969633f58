//go:build amd64 && !purego

package model

// binQuads16 (histbin_amd64.s) bins m ≤ 64 tile rows of a run of nq ≥ 1
// quads, each four adjacent value cells of one kind: row t's values of
// quad q are a[t·sa + 4q + l] − b[t·sb + 4q + l] for lanes l = 0..3
// (strides in bytes; b rows of +0 with stride 0 but for the
// differences), lane l's counters are h[(4q + l)·(histBins + 2):], and
// lo, inv and sum hold the 4·nq cells' ranges and sums. Each lane gets
// binValues's (inv > 0) or binPoint's (inv = 0) counts of the values
// inside the range, and sum[4q + l] += s0 + s1 with their partial sums;
// bit t of tails[4q + l] is set for a value of the lane in row t outside
// the range, which the kernel neither counts nor folds into the extremes
// (binQuads does), and clear otherwise.
//
//go:noescape
func binQuads16(h *uint16, a, b *float64, sa, sb, m, nq int, lo, inv, sum *float64, tails *uint64)
