//go:build amd64 && !purego

package model

// binQuad16 (histbin_amd64.s) bins m ≤ 64 tile rows of four
// value cells of one kind at once: row t's values are a[t·sa + l] −
// b[t·sb + l] for lanes l = 0..3 (strides in bytes; b a row of +0 with
// stride 0 but for the differences), lane l's counters are h[l·(histBins
// + 2):], and lo, inv and sum hold the four cells' ranges and sums. Each
// lane gets binValues's (inv > 0) or binPoint's (inv = 0) counts of the
// values inside the range, and sum[l] += s0 + s1 with their partial
// sums; bit t of tails[l] is set for a value of lane l in row t outside
// the range, which the kernel neither counts nor folds into the extremes
// (binQuad does).
//
//go:noescape
func binQuad16(h *uint16, a, b *float64, sa, sb, m int, lo, inv, sum *[4]float64, tails *[4]uint64)
