//go:build amd64 && !purego

package model

// subPairsAVX2 sets y[c] = y[c] − fy·x[c] − gy·z[c] and y2[c] = y2[c] −
// fy2·x[c] − gy2·z[c] for every c < n, in that order of operations
// (lu_amd64.s): subScaledPairs's loop, four columns a turn and then one
// at a time. The four rows must not overlap.
//
//go:noescape
func subPairsAVX2(y, y2, x, z *float64, n int, fy, gy, fy2, gy2 float64)

// rankRowsAVX2 is rankRows (newton.go) on J with na columns, the m rows
// listed at rows with their factors c and d, and the span columns of v
// from column a0: each row's entries take c·v then d in rankRows's order
// of operations (lu_amd64.s), four columns a turn.
//
//go:noescape
func rankRowsAVX2(J *float64, na int, rows *int, c, d *float64, m int, v *float64, span, a0 int)
