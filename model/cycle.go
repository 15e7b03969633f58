package model

import "math"

// The bracketing fallback's cycle test (docs/MODEL.md, section 5, step 3).
//
// A round of the fallback (workspace.solve) is sweepNewtonEvery
// Gauss–Seidel sweeps, an evaluation (pinning the markets that clear on
// a step), a Jacobian, then Newton steps while iterations remain. What a
// round does is a function of the state at its start: the unknowns' bits
// w.y[:w.ny] and the pinned suppliers, the counters aside. Where a
// round starts from the bits a round within the last cycleKeep started
// from, the rounds between repeat, bit for bit, until a counter ends them:
// the Newton iterations left (a round whose Newton steps would reach
// maxIter does fewer), the sweeps left, or the bound on idle rounds
// (maxIdleRounds; no repeated round can lower the solve's best max|F|,
// as every value it finds was compared with the best once already).
// cycleSkip then sets the state and the counters to those of the first
// round a counter changes, without running the rounds in between: the
// solve reports what running them would have, its evaluations
// (Result.Evaluations) aside.

// cycleSkipOn turns the cycle test on; tests turn it off to compare.
var cycleSkipOn = true

// cycleKeep is how many of the fallback's last round starts the cycle
// test compares with: the longest cycle it finds.
const cycleKeep = 16

// roundStart is a fallback round's counters at its start (and a hash of
// its unknowns' bits).
type roundStart struct {
	h                       uint64
	ni, sweeps, idle, light int
	unpins, na, segSteps    int
}

// cycleState holds the last cycleKeep round starts of a solve's fallback,
// round r at r % cycleKeep, and their unknowns (ys, ny each).
type cycleState struct {
	ny     int
	starts [cycleKeep]roundStart
	ys     []float64
}

// yHash hashes the bits of w.y[:w.ny].
func (w *workspace) yHash() uint64 {
	h := uint64(14695981039346656037)
	for _, v := range w.y[:w.ny] {
		h = (h ^ math.Float64bits(v)) * 1099511628211
		h ^= h >> 29
	}
	return h
}

// cycleSkip records round r's start cur (its unknowns in w.y) and, where
// the unknowns' bits and the pinned suppliers are those of a round j
// among the last cycleKeep, and rounds j … r−1 ran whole sweeps
// without pinning, unpinning or a light round, moves w.y and the
// counters to the start of the first round from r on that would run
// differently or stop: the one whose Newton steps would reach maxIter,
// whose sweeps would pass maxSweeps, or at which the solve stops (idle
// rounds or sweeps used up). It returns the Newton iterations, sweeps
// and idle rounds there (cur's when nothing repeats).
func (w *workspace) cycleSkip(r int, cur roundStart, maxIter, maxSweeps int) (ni, sweeps, idle int) {
	if !cycleSkipOn {
		return cur.ni, cur.sweeps, cur.idle
	}
	cs := w.cyc
	if cs == nil || cs.ny < w.ny {
		cs = &cycleState{ny: w.ny, ys: make([]float64, cycleKeep*w.ny)}
		w.cyc = cs
	}
	ny := w.ny
	cur.h = w.yHash()
	y := w.y[:ny]
	j := -1
	for q := r - 1; q >= 0 && q >= r-cycleKeep; q-- {
		s := &cs.starts[q%cycleKeep]
		if s.h != cur.h || s.na != cur.na || s.unpins != cur.unpins || s.light != cur.light || s.segSteps != cur.segSteps {
			continue
		}
		yq := cs.ys[q%cycleKeep*ny:][:ny]
		same := true
		for i, v := range y {
			if math.Float64bits(v) != math.Float64bits(yq[i]) {
				same = false
				break
			}
		}
		if same {
			j = q
			break
		}
	}
	// The rounds j … r−1 must have run alike: whole sweeps, the same
	// pinned suppliers (pins are only added, unpins counted), no light
	// round, the same segment steps.
	for q := j; q >= 0 && q < r; q++ {
		s, next := &cs.starts[q%cycleKeep], cur
		if q+1 < r {
			next = cs.starts[(q+1)%cycleKeep]
		}
		if next.sweeps-s.sweeps != sweepNewtonEvery || s.na != cur.na || s.unpins != cur.unpins || s.light != cur.light || s.segSteps != cur.segSteps {
			j = -1
		}
	}
	ni, sweeps, idle = cur.ni, cur.sweeps, cur.idle
	if j >= 0 {
		// Round r + t runs as round j + t%P does: its Newton steps take
		// c = ni(q+1) − ni(q) of that round q, its sweeps
		// sweepNewtonEvery, and it adds an idle round.
		P := r - j
		t := 0
		for ; ; t++ {
			if idle >= maxIdleRounds || sweeps+sweepNewtonEvery > maxSweeps {
				break
			}
			q := j + t%P
			nq := cur.ni
			if q+1 < r {
				nq = cs.starts[(q+1)%cycleKeep].ni
			}
			c := nq - cs.starts[q%cycleKeep].ni
			if c > 0 && ni+c >= maxIter {
				break
			}
			ni, sweeps, idle = ni+c, sweeps+sweepNewtonEvery, idle+1
		}
		if t > 0 {
			q := j + t%P
			copy(y, cs.ys[q%cycleKeep*ny:][:ny])
			cur = cs.starts[q%cycleKeep]
			cur.ni, cur.sweeps, cur.idle = ni, sweeps, idle
		}
	}
	cs.starts[r%cycleKeep] = cur
	copy(cs.ys[r%cycleKeep*ny:][:ny], y)
	return ni, sweeps, idle
}
