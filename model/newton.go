package model

import (
	"fmt"
	"math"
	"slices"
)

// Numerical constants of the solver (docs/MODEL.md, section 5 "Solver").
const (
	// lnPriceMin and lnPriceMax bound the log FOB price during iterations
	// ($1e-6/t to $1e8/t): far outside any plausible equilibrium, they keep
	// exp from under- or overflowing.
	lnPriceMin = -13.815510557964274 // ln 1e-6
	lnPriceMax = 18.420680743952367  // ln 1e8
	// maxLogStep caps one Newton step in log price (a factor e² ≈ 7.4).
	maxLogStep = 2.0
	// armijo is the sufficient-decrease constant of the line search.
	armijo = 1e-4
	// maxHalvings bounds the backtracking steps of the line search.
	maxHalvings = 40
	// lagQuantityFloor is the floor, as a fraction of base quantities, applied to
	// last month's quantities in the partial-adjustment curves (a supplier
	// or market at zero last month could otherwise never restart).
	lagQuantityFloor = 1e-3
	// scaleFloor is the floor of the residual scale max(S0[i], scaleFloor).
	scaleFloor = 1e-9
	// sweepNewtonEvery is the number of Gauss–Seidel sweeps between two
	// attempts to resume Newton.
	sweepNewtonEvery = 4
	// maxUnpins bounds how often pinned suppliers (workspace.pinned) are
	// released again in one solve.
	maxUnpins = 10
	// chordRatio decides when Newton reuses the last LU factors (a chord
	// step) instead of forming a new Jacobian: after a step that cut
	// max|F| by a factor r, the next step is a chord step when r ≤
	// chordRatio, or when max|F|·r (one more step at that rate) is within
	// the tolerance. A chord step that fails the Armijo test is redone
	// with a fresh Jacobian. Along a path the factors of the last month's
	// final Jacobian start the next month (workspace.carryLU).
	chordRatio = 0.003
	// maxLight bounds the rounds of a solve with segments on in which
	// the quotas, facilities and segments alone are cleared after Newton
	// stops, before the Gauss–Seidel sweeps (workspace.clearAux).
	maxLight = 2
	// maxIdleRounds bounds the bracketing fallback's rounds (each of
	// sweepNewtonEvery sweeps, then Newton again while iterations remain)
	// in a row that do not lower the best max|F| of the solve: such
	// rounds cycle (a tie of two corridors on a supplier's margin) and
	// the solve stops as Stalled, for the rescue and the restarts from
	// other starts (Solver.Solve, pathSim.solve), instead of running out
	// the sweeps. Every fallback that converged in us-relief-2025's
	// 10,000 draws lowered its best max|F| in each round; in the tests
	// of model, scenarios and backtest one went 101 rounds without
	// before its rescue converged (TestRescueCournotFacilityStall's
	// joint cartel, which fails with a bound of 101), the others at most
	// 27. Rounds that return to a state a recent round started from are
	// not run (the cycle test, cycle.go): they count as run, so this
	// bound ends a solve as before; it ends the drifting ones (a round
	// that repeats all but the last bits of a facility's ρ̂), which the
	// cycle test cannot prove to cycle.
	maxIdleRounds = 128
	// bisectIter bounds the safeguarded Newton–bisection steps of one
	// one-dimensional solve.
	bisectIter = 200
	// kinkBisect bounds the bisections of a Newton step's length across
	// a facility's kink (workspace.kinkSearch), and kinkShare ends them
	// once the facility's residual is below this share of max |F|.
	// kinkGiveUp ends them when none of the first kinkGiveUp points
	// passed the Armijo test with less Σ F² than the step the
	// backtracking found: every search of the 13 built-in pairs that
	// improved on it did so within its first three.
	kinkBisect = 12
	kinkShare  = 0.5
	kinkGiveUp = 4
)

// States of workspace.J.
const (
	jacNone = iota
	jacFresh
	jacFactored
)

// workspace is the Solver's preallocated state.
type workspace struct {
	c    *Calibrated
	n, R int
	// mem is the storage of the slices newWorkspaceIn makes.
	mem *wsMem

	// Per route, flat i*R+r.
	open []bool    // tradable in this solve: β > 0 and not banned
	tau1 []float64 // 1 + τ0 + Wedge + κ (+ the tariff-rate quota's rate)
	gov  []float64 // the tariff rate the importer's government collects: τ0 + Wedge (+ a collapsed quota's rate)
	risk []float64 // risk cost κ
	omd  []float64 // the FOB multiplier (1 − δ)·e^(−z): δ the seller's concession, z its segment's log discount (segments.go)
	dlt  []float64 // δ, the seller's concession
	ez   []float64 // e^(−z) of the route's segment (1 outside segments)
	ca   []float64 // Jacobian weight of the route's flow in its supplier's row (1 without concessions)
	fr   []float64 // freight f
	lnb  []float64 // ln β
	w    []float64 // β·p_d^(1−σ); stale after an eval until weights() (wStale)
	x    []float64 // flow
	th   []float64 // θ = p(1−δ)/(p(1−δ)+f) = ∂ln p_d/∂ln p

	// Per region.
	sig, eps, lnA []float64 // σ, ε in force, ln(A in force) (−Inf: no demand)
	lnALR         []float64 // ln(s·A): the long-run demand curve in force (welfare, section 6)
	W, lnP, PQ    []float64 // Σ w, ln price index, expenditure P·Q
	epsX          []float64 // −∂ln X/∂ln P of shipments at the last eval (ε in force without stocks)
	// Stocks (stocks.go): stk says region r holds stocks in this solve.
	stk                                 []bool
	sPrev, lnPe, sBar, gam, phi12, cons []float64
	wo                                  []float64 // Σ_{j≠i} w (Gauss–Seidel)
	// wu[r] = Σ_{j partner of i} w[j][r]/tau1[j][r] at othersSum(i)
	// when ownMu is on and i has partners (ownExcess's partner value).
	wu []float64
	// ownMu makes ownExcess take a strategic supplier's conduct markup
	// at the trial price, others fixed (markupAt), instead of holding it
	// at the last eval's: on in the last attempt at a solve that stalled
	// with a Cournot seller (markupRetry; docs/MODEL.md, section 5).
	ownMu bool
	// rl[r*n : r*n+rn[r]] lists the participating suppliers (active or
	// pinned) with an open route into region r; jl/ja[r*n : r*n+jn[r]]
	// the active ones among them and their active positions (Jacobian).
	rl, rn     []int
	jl, ja, jn []int
	// With segments on, jsb[r*2n : r*2n+jsn[r]] lists the routes into r
	// whose segment's z is an unknown, as pairs: the route's position in
	// jl's list for r and the segment's column (jacobian).
	jsb, jsn []int
	// The routes of rl one after another (region by region), for eval's
	// batched log and exp (fexpBatch, flogBatch): their ln β, 1 − σ and
	// place (set with rl: routeLists; nrl routes in all) and eval's
	// scratch for their delivered prices, exponents and exps.
	rlnb, rom        []float64
	rat              []routeAt
	nrl              int
	rpd, rlog, rexpw []float64
	// wStale says the routes' weights of the last eval are in rexpw
	// (at their places rat) and not yet in w: eval leaves them there,
	// and weights() scatters them when something reads or writes w.
	wStale bool
	// eval's scratch for the regions' batched log and exps: each
	// region's W and ln W (batchLen(R)), its spending's exponents and
	// their exps (spendArgs; batchLen(3R)).
	rgW, rglnW, rgArg, rgExp []float64
	rlPart                   []int // w.part when routeLists last ran
	// rgFill is fill's scratch for the regions' batches (regionExps,
	// 7·batchLen(R)); fillRS and supFill its scratch for the suppliers:
	// their sums over their routes, and the mine costs' batches
	// (mineCosts, 6·batchLen(n)).
	rgFill, supFill []float64
	fillRS          []routeSums
	// rlGen counts routeLists' runs; alGen and alUnk are rlGen and
	// w.unk when activeLists last built jl, ja, jn, jsb, jsn and rsegCol,
	// which depend on nothing else (the segments' reach is fixed, and
	// the pinned suppliers are the participating ones not in w.unk).
	rlGen, alGen int
	alUnk        []int

	// Per supplier.
	sup    []supplier
	closed []bool
	part   []int // participating suppliers: not closed
	act    []int // active suppliers: participating and not pinned (the unknowns)
	pinned []bool
	// A supplier is pinned when its market clears on a step of S(p)
	// narrower than the resolution of p (η_t tiny at a netback near 0):
	// its price is fixed there and its sales equal its demand.
	y     []float64
	p     []float64
	D, S  []float64
	dS    []float64 // ∂S/∂ln p at a fixed average concession
	dbar  []float64 // δ̄: the supplier's average concession, Σ_r δ·x / D
	conc  []bool    // the supplier grants a concession on some open route
	piece []supplyPiece
	sc    []float64 // residual scale max(S0, scaleFloor)
	F     []float64 // scaled residual (D − S)/sc
	ybest []float64
	ytry  []float64
	dy    []float64 // Newton step, by position among the unknowns

	// Tariff-rate quotas in force (trq.go): each is one more unknown, its
	// ψ in y[n+t] (and ybest, ytry, F alike). unk lists every unknown:
	// the active suppliers (act), then n+t for each quota t; ny = n +
	// len(tq) bounds the used part of y.
	tq  []trq
	unk []int
	ny  int

	// Shared facilities (facility.go): each is one more unknown after the
	// quotas, its scaled shadow value ρ̂ in y[n+len(tq)+f].
	rho    []float64   // ρ, $/t, at the last eval
	fcap   []float64   // K_F, Mt/yr
	fden   []float64   // max(K_F, scaleFloor): the residual's scale
	fscale []float64   // ρs: ρ = ρ̂·ρs, $/t
	fuse   []float64   // use at the last eval, Mt/yr
	fmode  []int8      // piece of the mid function at the last eval: −1 (ρ = 0) or 0 (U = K_F)
	fu     [][]facUser // the corridors using each facility
	fhint  []float64   // ρ̂ at the last solveFac that found it binding (0: none): where the next one looks first
	// Segments of tied corridors (segments.go): each one on is one more
	// unknown after the facilities, its log discount z in
	// y[n+len(tq)+len(rho)+s]. rsegCol is, per route, the position of its
	// segment's z among the unknowns (−1: none).
	segs    []segment
	segCand []int // segStepsCleared's segments beyond the tolerance
	segOn   int
	rsegCol []int
	sgx     []float64 // segPrices' batch: −z per segment (padded)
	sge     []float64 // and e^(−z)
	sgOK    bool      // every segment's e^(−z) and routes are fexp(sgx) (segPrices)
	smi     []int     // segMarginalCosts' batch: the suppliers with a segment on
	smx     []float64 // its arguments (padded)
	smy     []float64 // and their marginal costs

	xs []float64 // per-region scratch: one supplier's flows

	// The supply curves' thresholds waiting for their batched log and exp
	// (prepareSupply, thrQueue.flush).
	thq thrQueue
	// eval's supply rows (supplyBatch): per active supplier, p̃, the
	// netback m on its curve, and the batched log's and exp's arguments
	// and results (padded to whole lanes).
	spt, sm, sx, sy []float64

	// facF0 holds each facility's residual at the start of a Newton
	// step (kinkSearch).
	facF0 []float64

	// Newton linear algebra on the unknowns, N×N row-major (N = len(unk)).
	J    []float64
	piv  []int
	tail int   // the first row of the factors' trailing block (luFactor)
	apos []int // position of supplier i among the active ones
	// jstate says what w.J holds: jacNone, jacFresh (the Jacobian at the
	// current point) or jacFactored (LU factors of an earlier Jacobian,
	// reused for chord steps near the solution).
	jstate int
	tu     []float64 // Jacobian scratch: a region's terms spread over its active positions
	tv     []float64
	jc, jd []float64 // Jacobian scratch: a region's rows' factors (rankRows)
	// lwP and lwG are facJacobian's scratch (limitedSteps): a facility
	// user's blend weights and flow slopes along its sorted corridors.
	lwP, lwG []float64

	// Market conduct (conduct.go): φ, coalition index (−1: none) and
	// cooperation weight λ per supplier; the strategic participants (φ >
	// 0); their conduct markups μ and 1 − L (before μ); ∂μ_i/∂ln p_j flat
	// i*n+j; scratch per supplier.
	phi, lam, mu, oml0 []float64
	coal, strat        []int
	dmu                []float64
	cdD, cdE, cdN      []float64

	// rc is the route set-up of the last prepare, reused while the policy
	// does not change (routeCache).
	rc routeCache
	// corPol and corVgen are the policy and its value generation
	// (Policy.vgen) the suppliers' corridor capacities and costs (pcap,
	// pcost) were last set under (prepareCorridors; vgen 0: none).
	corPol  *Policy
	corVgen uint64
	// plx and ply are prepare's batch of logs, arguments and results: per
	// region its demand scale, lagged demand and expected price, per
	// supplier its lagged supply and starting price (1 where none), then
	// padding to the kernel's lanes. lnStart is ply's starting prices.
	plx, ply, lnStart []float64

	// rs is the state of the rescue (rescue.go), nil until its first use.
	rs *rescueState
	// cyc holds the bracketing fallback's last round starts, for its
	// cycle test (cycle.go), nil until a solve's first fallback round.
	cyc *cycleState

	evals int
	// drawFill: the solves are a Monte Carlo draw's (mcRunner.draw),
	// whose bands, totals and checks never read the facilities' outputs
	// (FacilityValue, FacilityUse): fill leaves them as they are. A
	// single run's Solutions are complete.
	drawFill bool
	// carryLU lets a solve start with chord steps on the factors the last
	// solve left in J (jstate jacFactored), when its unknowns (luUnk,
	// those of the factored Jacobian) are the same: set for the solvers
	// of a path, whose months are solved in order.
	carryLU bool
	luUnk   []int
	// yCarry holds, with carryLU, the last converged solve's facility
	// values ρ̂ and segment discounts z (0 for a segment off), the next
	// solve's start for them (haveCarry) instead of 0 and the
	// start-of-solve clearing of the facilities.
	yCarry    []float64
	haveCarry bool
	// auxCarry holds, with haveCarry, each facility's ρ̂ and each
	// segment's z (0 for a segment off) of the last converged solve, with
	// its change from the solve before and the start yCarry takes
	// (keepCarry).
	auxCarry []carried
	// psiCarry holds, with haveCarry, the tariff-rate quotas of the last
	// converged solve: route and ψ, in the order of w.tq (psiNext is
	// keepCarry's scratch).
	psiCarry, psiNext []trqCarry
	// failSup is the supplier whose own excess demand had no root within
	// the price bounds in the last sweep (−1: none); failHigh says it was
	// excess demand at the upper bound.
	failSup  int
	failHigh bool
}

func newWorkspace(c *Calibrated) *workspace {
	return newWorkspaceIn(new(workspace), c, newWSMem())
}

// newWorkspaceIn makes w a new workspace for c (all of w is written),
// its storage carved from mem.
func newWorkspaceIn(w *workspace, c *Calibrated, mem *wsMem) *workspace {
	m := c.Market
	n, R := len(m.Suppliers), len(m.Regions)
	nF := len(m.Facilities)
	vec, ints, bools := mem.f.take, mem.i.take, mem.b.take
	*w = workspace{
		c: c, n: n, R: R, mem: mem,
		open: bools(n * R), tau1: vec(n * R), gov: vec(n * R), risk: vec(n * R), omd: vec(n * R), ca: vec(n * R),
		dlt: vec(n * R), ez: vec(n * R),
		fr: vec(n * R), lnb: vec(n * R),
		w: vec(n * R), x: vec(n * R), th: vec(n * R),
		sig: vec(R), eps: vec(R), lnA: vec(R), lnALR: vec(R), W: vec(R), lnP: vec(R), PQ: vec(R), wo: vec(R), wu: vec(R), epsX: vec(R),
		stk: bools(R), sPrev: vec(R), lnPe: vec(R), sBar: vec(R), gam: vec(R), phi12: vec(R), cons: vec(R),
		rl: ints(n * R), rn: ints(R), jl: ints(n * R), ja: ints(n * R), jn: ints(R),
		rlnb: vec(n * R), rom: vec(n * R), rpd: vec(n * R), rlog: vec(n * R), rexpw: vec(n * R),
		rat: mem.rat.take(n * R),
		rgW: vec(batchLen(R)), rglnW: vec(batchLen(R)), rgArg: vec(batchLen(3 * R)), rgExp: vec(batchLen(3 * R)),
		rgFill: vec(7 * batchLen(R)), fillRS: mem.rsum.take(n), supFill: vec(6 * batchLen(n)),
		sup: mem.sup.take(n), closed: bools(n), act: ints(n)[:0], part: ints(n)[:0], pinned: bools(n),
		y: vec(n + n*R + nF), p: vec(n), D: vec(n), S: vec(n), dS: vec(n), dbar: vec(n), conc: bools(n), piece: mem.piece.take(n),
		sc: vec(n), F: vec(n + n*R + nF), ybest: vec(n + n*R + nF), ytry: vec(n + n*R + nF), dy: vec(n + nF),
		J: vec((n + nF) * (n + nF)), piv: ints(n + nF), apos: ints(n), tu: vec(n), tv: vec(n), jc: vec(n), jd: vec(n),
		unk: ints(n + nF)[:0], tq: make([]trq, 0), xs: vec(R),
		phi: vec(n), lam: vec(n), mu: vec(n), oml0: vec(n), coal: ints(n), strat: ints(n)[:0],
		dmu: vec(n * n), cdD: vec(n), cdE: vec(n), cdN: vec(n),
		rc:  routeCache{sells: bools(n)},
		plx: vec(batchLen(3*R + 2*n)), ply: vec(batchLen(3*R + 2*n)),
	}
	for i := range w.coal {
		w.coal[i] = -1
	}
	for g, co := range m.Coalitions {
		for _, name := range co.Members {
			if i := m.SupplierIndex(name); i >= 0 {
				w.coal[i] = g
			}
		}
	}
	for i := range m.Suppliers {
		for r := 0; r < R; r++ {
			w.fr[i*R+r] = m.Freight[i][r]
			w.lnb[i*R+r] = c.lnBeta[i*R+r]
		}
		nk := len(m.Suppliers[i].Corridors)
		w.sup[i] = supplier{ord: ints(nk), cost: vec(nk), cum: vec(nk), thr: vec(nk), lastCap: vec(nk), lastCost: vec(nk)}
		q := vec(2 * nk)
		w.sup[i].qcum, w.sup[i].qinv = q[:nk:nk], q[nk:]
		w.sc[i] = max(c.S0[i], scaleFloor)
	}
	nk, nkMax := 0, 0
	for i := range m.Suppliers {
		nk += len(m.Suppliers[i].Corridors)
		nkMax = max(nkMax, len(m.Suppliers[i].Corridors))
	}
	w.lwP, w.lwG = vec(nkMax), vec(nkMax)
	w.thq = thrQueue{at: mem.thr.take(nk)[:0], x: vec(batchLen(nk))[:0], y: vec(batchLen(nk))}
	w.spt, w.sm, w.sx, w.sy = vec(n), vec(n), vec(batchLen(n)), vec(batchLen(n))
	w.setupFacilities()
	w.setupSegments()
	if nS := len(w.segs); nS > 0 {
		w.y, w.F = vec(n+n*R+nF+nS), vec(n+n*R+nF+nS)
		w.ybest, w.ytry = vec(n+n*R+nF+nS), vec(n+n*R+nF+nS)
	}
	for k := range w.ez {
		w.ez[k] = 1
	}
	return w
}

func (w *workspace) checkSolution(sol *Solution) error {
	if sol == nil || len(sol.FOB) != w.n || len(sol.PriceIndex) != w.R || len(sol.Flow) != w.n ||
		len(sol.CorridorFlow) != w.n || len(sol.Binding) != w.n || (sol.CorridorCap != nil && len(sol.CorridorCap) != w.n) ||
		len(sol.FacilityValue) != len(w.rho) || len(sol.FacilityUse) != len(w.rho) {
		return &FieldError{Msg: "model: Solution not made by NewSolution for this market", Kind: ErrInvalidSolver}
	}
	return nil
}

// carver hands out zeroed slices carved from a few large allocations
// (newWorkspace's hundred-odd vectors, made for every path and Monte
// Carlo draw): each slice's capacity is its length, so an append never
// runs into its neighbour. A carver that keeps its allocations (keep)
// hands them out again after rewind, cleared, in the order they were
// made: the same takes give slices of the same lengths at the same
// places, each zeroed as a new one (wsMem).
type carver[T any] struct {
	buf []T // the rest of the current chunk
	// chunked: takes of up to carveChunk/4 share chunks of carveChunk
	// (the zero carver gives each take its own).
	chunked bool
	// keep: the chunks are kept (chunks) and handed out again from
	// chunks[next] on.
	keep   bool
	chunks [][]T
	next   int
}

// carveChunk is the length of carver's allocations (longer slices get
// their own).
const carveChunk = 512

// take returns a zeroed slice of length k.
func (c *carver[T]) take(k int) []T {
	if !c.chunked || k > carveChunk/4 {
		return c.chunk(k)
	}
	if k > len(c.buf) {
		c.buf = c.chunk(carveChunk)
	}
	v := c.buf[:k:k]
	c.buf = c.buf[k:]
	return v
}

// chunk returns a zeroed slice of length and capacity k: the next kept
// chunk, cleared, when it is long enough, else a new one (kept in its
// place).
func (c *carver[T]) chunk(k int) []T {
	if !c.keep {
		return make([]T, k)
	}
	if c.next < len(c.chunks) && cap(c.chunks[c.next]) >= k {
		v := c.chunks[c.next][:k:k]
		clear(v)
		c.next++
		return v
	}
	v := make([]T, k)
	if c.next < len(c.chunks) {
		c.chunks[c.next] = v
	} else {
		c.chunks = append(c.chunks, v)
	}
	c.next++
	return v
}

// rewind lets the kept chunks be handed out again: every slice taken
// before must no longer be used.
func (c *carver[T]) rewind() { c.buf, c.next = nil, 0 }

// keepChunks makes c keep its chunks (carver.keep).
func (c *carver[T]) keepChunks() { c.keep = true }

// memCarver is a carver of any element type, as the storages wsMem and
// specMem hold them: their each hands every carver to one function.
type memCarver interface {
	keepChunks()
	rewind()
}

// wsMem is the storage of a workspace's slices (newWorkspaceIn,
// setupFacilities, setupSegments), a carver per element type, each
// keeping its chunks. A Monte Carlo worker's next draw makes its
// workspaces in the last draw's (newSolverFrom): rewound, the same
// takes hand out the same chunks again, zeroed, so that the new
// workspace is a new one's value for value without its hundred-odd
// allocations. (The slices a solve grows later, such as the carried
// values' and the rescue's, start nil as in a new workspace.)
type wsMem struct {
	f     carver[float64]
	i     carver[int]
	b     carver[bool]
	i8    carver[int8]
	sup   carver[supplier]
	piece carver[supplyPiece]
	rat   carver[routeAt]
	rsum  carver[routeSums]
	thr   carver[thrPos]
	seg   carver[segment]
	fu    carver[facUser]
	fus   carver[[]facUser]
}

// newWSMem returns an empty wsMem whose carvers keep their chunks, the
// numbers' sharing them.
func newWSMem() *wsMem {
	m := &wsMem{}
	m.each(memCarver.keepChunks)
	m.f.chunked, m.i.chunked, m.b.chunked, m.i8.chunked = true, true, true, true
	return m
}

// rewind rewinds every carver of m (carver.rewind): the workspace made
// in m before must no longer be used.
func (m *wsMem) rewind() { m.each(memCarver.rewind) }

// each calls f with each carver of m.
func (m *wsMem) each(f func(memCarver)) {
	f(&m.f)
	f(&m.i)
	f(&m.b)
	f(&m.i8)
	f(&m.sup)
	f(&m.piece)
	f(&m.rat)
	f(&m.rsum)
	f(&m.thr)
	f(&m.seg)
	f(&m.fu)
	f(&m.fus)
}

// prepare validates pol, lag and start and sets up the per-solve state.
func (w *workspace) prepare(pol *Policy, lag *Lag, start []float64) error {
	c, m := w.c, w.c.Market
	n, R := w.n, w.R
	// The routes' set-up is the last prepare's while the policy's route
	// fields are the same (routeCache).
	keep := w.rc.samePolicy(pol, m)
	if err := w.rc.check(pol, m, keep); err != nil {
		return err
	}
	if lag != nil && (len(lag.Supply) != n || len(lag.Demand) != R ||
		(lag.Stocks != nil && (len(lag.Stocks) != R || len(lag.Expect) != R))) {
		return &FieldError{Field: "lag", Msg: fmt.Sprintf("%d supplies, %d demands, %d stocks and %d expected prices, want %d, %d, %d and %d (or no stocks)",
			len(lag.Supply), len(lag.Demand), len(lag.Stocks), len(lag.Expect), n, R, R, R), Kind: ErrInvalidPolicy}
	}
	if start != nil && len(start) != n {
		return &FieldError{Field: "start", Msg: fmt.Sprintf("%d prices, want %d", len(start), n), Kind: ErrInvalidPolicy}
	}
	// The month's logs are taken in one batch (flogBatch: flog's bits),
	// their arguments gathered as the inputs are checked (prepareStocks,
	// then the suppliers below).
	lx, ly := w.plx[:batchLen(3*R+2*n)], w.ply[:batchLen(3*R+2*n)]
	lds, ldem, lpe, lsup, lstart := lx[:R], lx[R:2*R], lx[2*R:3*R], lx[3*R:3*R+n], lx[3*R+n:3*R+2*n]
	// The per-region and per-supplier slices cut to R and n once, so
	// that one bounds check of r, of i, covers them.
	regs, sups := m.Regions[:R], m.Suppliers[:n]
	dsA, s0 := pol.DemandScale[:R], c.S0[:n]
	if err := w.prepareStocks(pol, lag, lds, ldem, lpe); err != nil {
		return err
	}
	for i := range sups {
		lsup[i] = 1
		if lag != nil {
			q := lag.Supply[i]
			if !finite(q) || q < 0 {
				return &FieldError{Field: "lag.supply[" + sups[i].Name + "]", Msg: fmt.Sprintf("%v must be a finite number ≥ 0", q), Kind: ErrInvalidPolicy}
			}
			lsup[i] = max(q, lagQuantityFloor*s0[i])
		}
		if start != nil && start[i] > 0 && finite(start[i]) {
			lstart[i] = start[i]
		} else {
			lstart[i] = sups[i].FOB
		}
	}
	for k := 3*R + 2*n; k < len(lx); k++ {
		lx[k] = 1 // padding
	}
	flogBatch(ly, lx)
	lnds, lndem, lnpe, lnsup := ly[:R], ly[R:2*R], ly[2*R:3*R], ly[3*R:3*R+n]
	w.lnStart = ly[3*R+n : 3*R+2*n]
	cLnA, sig, eps, lnALR, lnAw, stk, lnPe := c.lnA[:R], w.sig[:R], w.eps[:R], w.lnALR[:R], w.lnA[:R], w.stk[:R], w.lnPe[:R]
	for r := range regs {
		reg := &regs[r]
		ds := dsA[r]
		sig[r] = reg.Sigma
		lnA := math.Inf(-1)
		switch {
		case ds == 1:
			lnA = cLnA[r]
		case ds > 0:
			lnA = cLnA[r] + lnds[r]
		}
		eps[r] = reg.Eps
		lnALR[r] = lnA
		if lag != nil {
			mu := reg.Adjust
			lnA = (1-mu)*lndem[r] + mu*lnA
			eps[r] = mu * reg.Eps
		}
		lnAw[r] = lnA
		if stk[r] {
			lnPe[r] = lnpe[r]
		}
	}
	// A policy with the value generation of the last corridors' set-up
	// has their capacities and costs (prepareCorridors).
	sameCor := pol == w.corPol && pol.vgen != 0 && pol.vgen == w.corVgen
	ecA, caA, csA, taxA := pol.ExportCap[:n], pol.CapacityAdd[:n], pol.CostShift[:n], pol.ExportTax[:n]
	cLnB, markup, pinned, oml0, supW := c.lnB[:n], c.Markup[:n], w.pinned[:n], w.oml0[:n], w.sup[:n]
	for i := range sups {
		pinned[i] = false
		s := &sups[i]
		sp := &supW[i]
		sp.K = max(0, s.Capacity+caA[i])
		sp.cap = ecA[i]
		sp.lnB = cLnB[i]
		sp.lnBLR = cLnB[i]
		sp.eta = s.Eta
		sp.etaLR = s.Eta
		sp.oml = 1 - markup[i]
		oml0[i] = sp.oml
		sp.tax = taxA[i]
		if lag != nil {
			lam := s.Adjust
			sp.lnB = (1-lam)*lnsup[i] + lam*sp.lnB
			sp.eta = lam * s.Eta
		}
		sp.shift = csA[i] + sp.tax
		w.prepareCorridors(pol, i, sameCor)
	}
	w.corPol, w.corVgen = pol, pol.vgen // vgen 0: never the same (sameCor)
	if corridorCheck != nil {
		corridorCheck(w, pol, sameCor)
	}
	w.thq.flush(w.sup)
	keep = keep && w.rc.sameDemand(w.lnA) && w.rc.sameSupply(w.sup)
	w.act = w.act[:0]
	w.part = w.part[:0]
	if keep {
		w.rc.restoreTRQ(w)
		w.rc.resetRoutes(w)
	} else {
		w.rc.ok = false // until the routes below are set up
		w.tq = w.tq[:0]
	}
	dbar, closed, sellsA, yA, lnSt := w.dbar[:n], w.closed[:n], w.rc.sells[:n], w.y[:n], w.lnStart[:n]
	for i := range supW {
		dbar[i] = 0
		sells := sellsA[i]
		if !keep {
			var err error
			if sells, err = w.prepareRoutes(pol, i); err != nil {
				return err
			}
			sellsA[i] = sells
		}
		closed[i] = !sells || !(supW[i].smax > 0)
		if closed[i] {
			continue
		}
		w.act = append(w.act, i)
		w.part = append(w.part, i)
		yA[i] = clampY(lnSt[i])
	}
	if !keep {
		w.rc.save(w, pol)
	}
	// The route lists depend only on the open routes and the
	// participating suppliers: with the route set-up kept, they are the
	// last prepare's.
	if !keep || !slices.Equal(w.rlPart, w.part) {
		w.routeLists()
	}
	w.prepareConduct(pol)
	carried := w.carryLU && w.haveCarry
	if carried {
		w.carryTRQ()
	}
	for f := range w.rho {
		w.y[n+len(w.tq)+f] = 0
		if carried {
			w.y[n+len(w.tq)+f] = w.yCarry[f]
		}
		w.rho[f] = 0
	}
	w.ny = n + len(w.tq) + len(w.rho)
	if len(w.segs) > 0 {
		w.prepareSegments()
		for s := range w.segs {
			w.y[w.ny+s] = 0
			if carried && w.segs[s].on {
				w.y[w.ny+s] = w.yCarry[len(w.rho)+s]
			}
		}
		w.ny += len(w.segs)
	}
	carry := w.carryLU && w.jstate == jacFactored
	if N := len(w.part) + len(w.tq) + len(w.rho) + w.segOn; len(w.J) < N*N {
		carry = false
		// More unknowns than suppliers: size the Newton storage once for
		// this many quotas (later solves reuse it).
		w.newtonStorage(N)
	}
	w.activeLists()
	if carry && slices.Equal(w.luUnk, w.unk) {
		w.jstate = jacFactored
	}
	return nil
}

// newtonStorage gives w new zeroed Newton storage J, piv and dy for N
// unknowns, taken from its storage (wsMem): a Monte Carlo worker's next
// draw takes it again.
func (w *workspace) newtonStorage(N int) {
	w.J, w.piv, w.dy = w.mem.f.take(N*N), w.mem.i.take(N), w.mem.f.take(N)
}

// routeLists sets w.rl and w.rn, the participating suppliers with an
// open route into each region, and those routes' ln β, 1 − σ and place
// one after another in the same order (w.rlnb, w.rom, w.rat; w.nrl of
// them) for eval's batched passes.
func (w *workspace) routeLists() {
	w.weights() // the last eval's weights, at the places they had
	n, R := w.n, w.R
	m := 0
	for r := 0; r < R; r++ {
		om := 1 - w.sig[r]
		cnt := 0
		for _, i := range w.part {
			if k := i*R + r; w.open[k] {
				w.rl[r*n+cnt] = i
				w.rlnb[m], w.rom[m] = w.lnb[k], om
				w.rat[m] = routeAt{k: int32(k), i: int32(i)}
				cnt++
				m++
			}
		}
		w.rn[r] = cnt
	}
	w.nrl = m
	w.rlPart = append(w.rlPart[:0], w.part...)
	w.rlGen++
}

// prepareRoutes sets supplier i's routes under pol: open, wedges, risk
// cost, concessions and tariff-rate quotas (appended to w.tq); sells says
// it trades on some open route into a region with demand.
func (w *workspace) prepareRoutes(pol *Policy, i int) (sells bool, err error) {
	c, m := w.c, w.c.Market
	R := w.R
	s := &m.Suppliers[i]
	sp := &w.sup[i]
	w.conc[i] = false
	// Supplier i's rows, sliced to R once (pol.check made the shape).
	wdI, rcI, banI, cnI := pol.Wedge[i][:R], pol.RiskCost[i][:R], pol.Ban[i][:R], pol.Concession[i][:R]
	tinI, toutI, mwI := pol.TRQIn[i][:R], pol.TRQOut[i][:R], m.Wedge[i][:R]
	k0 := i * R
	openI, routeI, lnA := w.open[k0:k0+R], c.route[k0:k0+R], w.lnA[:R]
	tau1I, riskI, govI := w.tau1[k0:k0+R], w.risk[k0:k0+R], w.gov[k0:k0+R]
	omdI, dltI, ezI, caI := w.omd[k0:k0+R], w.dlt[k0:k0+R], w.ez[k0:k0+R], w.ca[k0:k0+R]
	for r := 0; r < R; r++ {
		k := i*R + r
		wd := wdI[r]
		kappa := rcI[r]
		t1 := 1 + mwI[r] + wd + kappa
		if !(t1 > 0) {
			return false, &FieldError{Field: "policy.wedge[" + s.Name + "][" + m.Regions[r].Name + "]", Msg: fmt.Sprintf("%g makes the total wedge %g ≤ −100%%", wd, t1-1), Kind: ErrInvalidPolicy}
		}
		openI[r] = routeI[r] && !banI[r]
		trades := openI[r] && !math.IsInf(lnA[r], -1)
		if trades {
			sells = true
		}
		nq := len(w.tq)
		t1q := t1 // no tariff-rate quota on the route (prepareTRQ's first case)
		if tinI[r] != 0 || toutI[r] != 0 {
			if t1q, err = w.prepareTRQ(pol, i, r, k, t1, trades && sp.smax > 0); err != nil {
				return false, err
			}
		}
		tau1I[r] = t1q
		riskI[r] = kappa
		govI[r] = t1q - 1 - kappa // a quota collapsed to one rate is a tariff
		if len(w.tq) > nq {
			govI[r] = t1 - 1 - kappa // the quota's own rates are split in fill (trqSplit)
		}
		d := cnI[r]
		omdI[r] = 1 - d
		dltI[r] = d
		ezI[r] = 1
		caI[r] = 1
		if d > 0 && openI[r] {
			w.conc[i] = true
		}
	}
	return sells, nil
}

// copyLU makes w's LU factors, and whether a solve may start from them
// (jstate, luUnk), those of src: a counterfactual path going on by itself
// from the scenario's state (pairSim).
func (w *workspace) copyLU(src *workspace) {
	w.yCarry = append(w.yCarry[:0], src.yCarry...)
	w.psiCarry = append(w.psiCarry[:0], src.psiCarry...)
	w.auxCarry = append(w.auxCarry[:0], src.auxCarry...)
	w.haveCarry = src.haveCarry
	w.jstate = jacNone
	if src.jstate != jacFactored {
		return
	}
	if len(w.J) < len(src.J) {
		w.newtonStorage(len(src.piv))
	}
	na := len(src.luUnk)
	copy(w.J[:na*na], src.J[:na*na])
	copy(w.piv[:na], src.piv[:na])
	w.tail = src.tail
	w.luUnk = append(w.luUnk[:0], src.luUnk...)
	w.jstate = jacFactored
}

// carried is an unknown of a path's last converged month: its value v,
// its change d from the month before (0 when not known) and the start
// extrapolated for the next month.
type carried struct{ v, d, start float64 }

// next returns the carry of value v after c, the last month's (ok false
// when there was none): d = v − c.v and the start v + predictStep(d,
// c.d), the extrapolation pathSim.advance applies to prices, additively.
func (c carried) next(v float64, ok bool) carried {
	if !ok {
		return carried{v: v, start: v}
	}
	d := v - c.v
	return carried{v: v, d: d, start: v + predictStep(d, c.d)}
}

// keepCarry records the facility values, segment discounts and
// tariff-rate quotas' ψ of a converged solve, with the next solve's
// start for each (yCarry, psiCarry), or forgets them. ψ starts
// extrapolated (carried.next). A facility's ρ̂ and a segment's z start
// extrapolated the same way where they and the value a month before are
// inside their bounds (> 0) and the start is too; a facility's move
// stops at its users' corridor ties (facTieClip), across which its row is
// nearly a step; else they start where they ended. Carried unchanged
// where they move, they set the start residual of the months after the
// events (max |F| ≈ 2·10⁻³ in the facility's and its users' rows from
// 2026-05 in us-relief-2025's draws); extrapolated everywhere, past the
// ties and bounds, they moved a corridor split on a kink (Germany's
// Hamburg and Domestic corridors in 2021-07 of us-relief-2025) by 57 %
// and sent months at RussianBalticPorts' tie into long line searches.
func (w *workspace) keepCarry(converged bool) {
	had := w.haveCarry
	w.haveCarry = false
	if !w.carryLU || !converged || len(w.rho)+len(w.segs)+len(w.tq) == 0 {
		return
	}
	w.psiNext = w.psiNext[:0]
	var last []trqCarry // the last month's quotas, if it is carried
	if had {
		last = w.psiCarry
	}
	j := 0
	for t := range w.tq {
		k := w.tq[t].k
		var c carried
		var ok bool
		j, c, ok = findTRQCarry(last, j, k)
		w.psiNext = append(w.psiNext, trqCarry{k: k, psi: c.next(w.y[w.n+t], ok)})
	}
	w.psiCarry, w.psiNext = w.psiNext, w.psiCarry
	w.yCarry = w.yCarry[:0]
	base := w.facBase()
	if !had {
		w.auxCarry = w.auxCarry[:0]
	}
	// The facilities' ρ̂, then the segments' z (yCarry's order).
	nf := len(w.rho)
	for u := 0; u < nf+len(w.segs); u++ {
		v, hi := w.y[base+u], zMax
		if u < nf {
			hi = rhoMax
		} else if !w.segs[u-nf].on {
			v = 0
		}
		c := carried{v: v, start: v}
		if u < len(w.auxCarry) {
			last := w.auxCarry[u]
			c.d = v - last.v
			step := predictStep(c.d, last.d)
			if u < nf {
				step = w.facTieClip(u, step)
			}
			if v > 0 && last.v > 0 && v+step > 0 && v+step < hi {
				c.start = v + step
			}
			w.auxCarry[u] = c
		} else {
			w.auxCarry = append(w.auxCarry, c)
		}
		w.yCarry = append(w.yCarry, c.start)
	}
	w.haveCarry = true
}

// facTieClip returns the part of a move dr of facility f's ρ̂ that stays
// short of its users' corridor ties, at the last eval's costs: for each
// user's facility corridor and each other corridor of that user (not
// through f), a = the cost difference that tieStep blends over tieWidth.
// Where the move takes a from one side of its blend to the other, or
// into it, the move is cut at the tie itself (a = 0); where a sits inside
// a blend that the move would leave, there is no move.
func (w *workspace) facTieClip(f int, dr float64) float64 {
	shift := dr * w.fscale[f]
	t := 1.0
	for _, us := range w.fu[f] {
		if w.closed[us.i] {
			continue
		}
		sp := &w.sup[us.i]
		ck := sp.cost[sp.pos[us.k]]
		cost, ord := sp.cost[:len(sp.cum)], sp.ord[:len(sp.cum)]
		for j, kk := range ord {
			if kk == us.k || sp.fac[kk] == f {
				continue
			}
			a := ck - cost[j]
			if sp.segOn && sp.pref[kk] { // tieStep's argument
				D := sp.disc[kk]
				if j > sp.pos[us.k] {
					D = sp.dtie[kk]
				}
				a += D + 0.5*tieWidth + segTie
			}
			if s0 := tieSide(a); s0 != tieSide(a+shift) {
				if s0 == 0 {
					return 0
				}
				t = min(t, -a/shift)
			}
		}
	}
	return t * dr
}

// tieSide says where a cost difference a lies against smoothStep's blend:
// −1 below it, 0 inside, 1 above.
func tieSide(a float64) int {
	switch {
	case a <= -0.5*tieWidth:
		return -1
	case a >= 0.5*tieWidth:
		return 1
	}
	return 0
}

// activeLists rebuilds the active positions, the unknowns and the
// Jacobian's per-region lists from w.act. The per-region lists (and
// rsegCol) are kept when the route lists (rlGen) and the unknowns are
// those they were built from: a path's months mostly solve for the same
// unknowns over the same routes.
func (w *workspace) activeLists() {
	n, R := w.n, w.R
	w.jstate = jacNone
	for a, i := range w.act {
		w.apos[i] = a
	}
	w.unk = append(w.unk[:0], w.act...)
	for t := range w.tq {
		w.unk = append(w.unk, w.n+t)
	}
	for f := range w.rho {
		w.unk = append(w.unk, w.n+len(w.tq)+f)
	}
	base := w.segBase()
	for s := range w.segs {
		if sg := &w.segs[s]; sg.on {
			sg.col = len(w.unk)
			w.unk = append(w.unk, base+s)
		}
	}
	if w.alGen == w.rlGen && w.alUnk != nil && slices.Equal(w.alUnk, w.unk) {
		return
	}
	w.alGen, w.alUnk = w.rlGen, append(w.alUnk[:0], w.unk...)
	if len(w.segs) > 0 {
		for k := range w.rsegCol {
			w.rsegCol[k] = -1
		}
		for s := range w.segs {
			if sg := &w.segs[s]; sg.on {
				for _, r := range sg.reach {
					w.rsegCol[sg.i*R+r] = sg.col
				}
			}
		}
	}
	for r := 0; r < R; r++ {
		cnt := 0
		for _, i := range w.rl[r*n : r*n+w.rn[r]] {
			if !w.pinned[i] {
				w.jl[r*n+cnt] = i
				w.ja[r*n+cnt] = w.apos[i]
				cnt++
			}
		}
		w.jn[r] = cnt
		if w.segOn > 0 {
			sb := w.jsb[2*r*n : 2*r*n]
			for bb, j := range w.jl[r*n : r*n+cnt] {
				if col := w.rsegCol[j*R+r]; col >= 0 {
					sb = append(sb, bb, col)
				}
			}
			w.jsn[r] = len(sb)
		}
	}
}

// pin fixes supplier i's price (see workspace.pinned).
func (w *workspace) pin(i int) {
	w.pinned[i] = true
	k := 0
	for _, j := range w.act {
		if j != i {
			w.act[k] = j
			k++
		}
	}
	w.act = w.act[:k]
	w.activeLists()
}

// pinStepCleared pins every active supplier whose residual exceeds tol
// and whose market clears on a step of S(p) narrower than the price
// resolution (stepCleared), only among those with only[i] when only is
// not nil, and reports whether it pinned one.
func (w *workspace) pinStepCleared(tol float64, only []bool) bool {
	pinnedAny := false
	for a := 0; a < len(w.act); a++ {
		if i := w.act[a]; (only == nil || only[i]) && math.Abs(w.F[i]) > tol && w.stepCleared(i) {
			w.pin(i)
			pinnedAny = true
			a--
		}
	}
	return pinnedAny
}

// firstStalePin is the first pinned supplier whose market no longer
// clears on its step, or −1 if there is none.
func (w *workspace) firstStalePin() int {
	for _, i := range w.part {
		if w.pinned[i] && !w.stepCleared(i) {
			return i
		}
	}
	return -1
}

// unpinStale makes active again every pinned supplier whose market no
// longer clears on its step, and reports whether there was one.
func (w *workspace) unpinStale() bool {
	if len(w.act) == len(w.part) {
		return false
	}
	stale := false
	for _, i := range w.part {
		if w.pinned[i] && !w.stepCleared(i) {
			w.pinned[i] = false
			stale = true
		}
	}
	if stale {
		w.act = w.act[:0]
		for _, i := range w.part {
			if !w.pinned[i] {
				w.act = append(w.act, i)
			}
		}
		w.activeLists()
	}
	return stale
}

// stepCleared reports whether supplier i's own excess demand, others'
// prices fixed, changes sign within a few units in the last place of its
// log price: its market clears on a supply step the price cannot resolve.
func (w *workspace) stepCleared(i int) bool {
	w.othersSum(i)
	y := w.y[i]
	d := stepWidth(y)
	gl, _ := w.ownExcess(i, y-d)
	gh, _ := w.ownExcess(i, y+d)
	return gl >= 0 && gh <= 0
}

// stepWidth is the half-width around an unknown y within which a row
// that changes sign counts as clearing on a step the unknown cannot
// resolve (stepCleared, segStepCleared): 8 units in the last place of
// max(1, |y|).
func stepWidth(y float64) float64 {
	return 8 * 2.220446049250313e-16 * max(1, math.Abs(y))
}

// othersSum sets w.wo[r] = Σ_{j≠i} w[j][r] over participating suppliers.
func (w *workspace) othersSum(i int) {
	R, wA := w.R, w.weights()
	for r := 0; r < R; r++ {
		var wo float64
		for _, j := range w.part {
			if j != i && w.open[j*R+r] {
				wo += wA[j*R+r]
			}
		}
		w.wo[r] = wo
	}
	if !w.ownMu || !(w.phi[i] > 0) || w.coal[i] < 0 || w.lam[i] == 0 {
		return
	}
	n := w.n
	for r := 0; r < R; r++ {
		var wu float64
		for _, j := range w.rl[r*n : r*n+w.rn[r]] {
			if ok, _ := w.partners(i, j); ok {
				k := j*R + r
				wu += wA[k] / w.tau1[k]
			}
		}
		w.wu[r] = wu
	}
}

// keepBest records the current point as the best so far.
func (w *workspace) keepBest() { copy(w.ybest[:w.ny], w.y[:w.ny]) }

func clampY(y float64) float64 {
	if y < lnPriceMin {
		return lnPriceMin
	}
	if y > lnPriceMax {
		return lnPriceMax
	}
	return y
}

// eval computes demand, supply and the scaled residual F at w.y (active
// suppliers). It returns max_i |F_i| and Σ F_i². The Jacobian at the same
// point is computed by jacobian.
func (w *workspace) eval() (maxF, ss float64) {
	w.evals++
	n, R := w.n, w.R
	pA, DA, yA := w.p[:n], w.D[:n], w.y[:n]
	for _, i := range w.part {
		pA[i] = fexpCore(yA[i]) // y is clamped to [ln 1e-6, ln 1e8]
		DA[i] = 0
	}
	if len(w.tq) > 0 {
		w.trqPrices()
	}
	if w.segOn > 0 {
		w.segPrices()
	}
	// The per-route arrays sliced to one length, so that one bounds
	// check covers them all.
	nR := n * R
	omd, fr, tau1 := w.omd[:nR], w.fr[:nR], w.tau1[:nR]
	xA := w.x[:nR]
	// Three passes over the routes, so that the independent chains of
	// latency (log → exp per route, log → exp per region) overlap instead
	// of running one after another. The first stores each route's p_d
	// in rpd, the routes one after another (w.rl's order, at their
	// places w.rat), and takes every route's exponent
	// ln β + (1−σ)·ln p_d with one batched log and one batched
	// multiply-add (flogBatch, affineBatch: four routes an instruction
	// where the processor has AVX2); the second takes their
	// exps (fexpBatch) and sums W region by region in the same order as
	// one pass would (bit-identical); then every region's price index
	// and spending (regionSpend: their logs and exps in batches too);
	// the third sets the flows.
	m := w.nrl
	rat := w.rat[:m]
	rpd, rlog, rexpw := w.rpd[:m], w.rlog[:m], w.rexpw[:m]
	routePrices(rpd, rat, pA, omd, fr, tau1)
	flogBatch(rlog, rpd)
	affineBatch(rlog, w.rlnb[:m], w.rom[:m], rlog) // ln β + (1−σ)·ln p_d
	fexpBatch(rexpw, rlog)
	regionSums(w.W[:R], rexpw, w.rn[:R])
	w.wStale = true // the weights go to w.w when read (weights)
	if eagerWeights {
		w.weights()
	}
	w.regionSpend()
	m = 0
	WA, PQA := w.W[:R], w.PQ[:R]
	for r, cnt := range w.rn[:R] {
		if W := WA[r]; W != 0 {
			routeFlows(xA, DA, PQA[r]/W, rexpw, rpd, rat, m, m+cnt)
		}
		m += cnt
	}
	if len(w.rho) > 0 {
		base := n + len(w.tq)
		for f := range w.rho {
			w.rho[f] = w.y[base+f] * w.fscale[f]
		}
	}
	sup := w.sup[:n]
	for _, i := range w.part {
		if sp := &sup[i]; sp.dyn {
			w.flowsOf(i)
			pt := 0.0
			if sp.segOn {
				pt = w.segSupplyPrice(i, pA[i], w.xs)
			}
			w.refreshQueued(i, w.xs, pt)
		}
	}
	w.thq.flush(w.sup)
	if len(w.act) < len(w.part) {
		for _, i := range w.part {
			if w.pinned[i] {
				w.S[i], w.dS[i], w.piece[i], w.F[i] = w.D[i], 0, pieceInterior, 0
			}
		}
	}
	if len(w.strat) > 0 {
		w.markups()
	}
	resc := w.rs != nil && w.rs.on
	w.supplyBatch()
	// The per-supplier arrays sliced to n once, so that one bounds check
	// of i covers them, and the batch's to the active suppliers.
	act := w.act
	spt, sm, sy := w.spt[:len(act)], w.sm[:len(act)], w.sy[:len(act)]
	SA, dSA, pcA := w.S[:n], w.dS[:n], w.piece[:n]
	scA, FA, concA := w.sc[:n], w.F[:n], w.conc[:n]
	for ai, i := range act {
		sp := &sup[i]
		pt := spt[ai] // the effective supply price p̃
		S, dS, pc := sp.supplyFrom(sp.jat, sm[ai], sy[ai])
		dSp := dS * pt
		sp.dq = dS
		if sp.segOn && pc == pieceInterior {
			// A marginal tied corridor's cost moves with p̃: its netback
			// is p̃·e^(−z) − c_k − e_k.
			if s := sp.seg[sp.ord[sp.jat]]; s >= 0 && w.segs[s].on {
				e := w.segs[s].e
				dSp *= e
				dS *= e
			}
		}
		SA[i], dSA[i], pcA[i] = S, dSp, pc
		if sp.dyn && !concA[i] && sp.caCut {
			// Weights tiedWeights lowered at an earlier evaluation (the
			// others are 1: prepare sets them so, and only tiedWeights
			// lowers them).
			clear1(w.ca[i*R : i*R+R])
			sp.caCut = false
		}
		if concA[i] {
			w.concessionWeights(i, dS*sp.oml*pA[i])
		}
		if sp.dyn && pc == pieceCorridor {
			w.tiedWeights(i)
		}
		f := (DA[i] - S) / scA[i]
		if resc && w.rs.pform[i] {
			f = w.priceForm(i, pt)
			SA[i] = DA[i]
		}
		FA[i] = f
		ss += f * f
		if a := math.Abs(f); a > maxF {
			maxF = a
		}
	}
	if len(w.tq) > 0 {
		maxF, ss = w.trqResiduals(maxF, ss)
	}
	if len(w.rho) > 0 {
		maxF, ss = w.facResiduals(maxF, ss)
	}
	if w.segOn > 0 {
		maxF, ss = w.segResiduals(maxF, ss)
	}
	if evalCheck != nil {
		evalCheck(w)
	}
	return maxF, ss
}

// clear1 sets every element of v to 1.
func clear1(v []float64) {
	for k := range v {
		v[k] = 1
	}
}

// regionSpend sets each region's log price index ln P = ln W/(1 − σ),
// spending P·X, elasticity of shipments and consumption at the sums of
// weights w.W (spend's values, bit for bit): the regions' ln W in one
// flogBatch, their spending's exponents (spendArgs) in one fexpBatch,
// so that the regions' chains run side by side.
func (w *workspace) regionSpend() {
	R := w.R
	nb := batchLen(R)
	Ws, lnW := w.rgW[:nb], w.rglnW[:nb]
	// The per-region arrays sliced to R once (one bounds check of r).
	W, lnPs, PQs, cons, epsX, eps, sig := w.W[:R], w.lnP[:R], w.PQ[:R], w.cons[:R], w.epsX[:R], w.eps[:R], w.sig[:R]
	for r := range Ws {
		Ws[r] = 1 // padding, and regions without trade: a discarded log
		if r < R && W[r] != 0 {
			Ws[r] = W[r]
		}
	}
	flogBatch(lnW, Ws)
	arg := w.rgArg
	na := 0
	for r, Wr := range W {
		if Wr == 0 {
			lnPs[r], PQs[r], cons[r], epsX[r] = 0, 0, 0, eps[r]
			continue
		}
		lnP := lnW[r] / (1 - sig[r])
		lnPs[r] = lnP
		na += w.spendArgs(r, lnP, arg[na:])
	}
	nb = batchLen(na)
	for j := na; j < nb; j++ {
		arg[j] = 0
	}
	x := w.rgExp[:nb]
	fexpBatch(x, arg[:nb])
	j := 0
	for r, Wr := range W {
		if Wr == 0 {
			continue
		}
		PQ, e, C, used := w.spendFrom(r, x[j:])
		j += used
		PQs[r], epsX[r], cons[r] = PQ, e, C
	}
}

// routeAt is a route's place in the per-route arrays, k = i*R + r, and
// its supplier i.
type routeAt struct{ k, i int32 }

// routePrices sets each listed route's delivered price
// p_d = (p_i·(1−δ)·e^(−z) + f)·(1 + τ) into rpd[m] (the route at[m]):
// eval's first route pass. It is not inlined, so that its few live
// values stay in registers (in eval's body the loop index is spilled).
//
//go:noinline
func routePrices(rpd []float64, at []routeAt, p, omd, fr, tau1 []float64) {
	rpd = rpd[:len(at)]
	fr, tau1 = fr[:len(omd)], tau1[:len(omd)]
	for m, a := range at {
		k := a.k
		rpd[m] = (p[a.i]*omd[k] + fr[k]) * tau1[k]
	}
}

// regionSums sets W[r] to the sum of the weights of region r's routes,
// the rn[r] entries of wr after those of the regions before it, in their
// order: eval's second route pass (not inlined, as routePrices).
//
//go:noinline
func regionSums(W, wr []float64, rn []int) {
	m := 0
	for r, cnt := range rn {
		var s float64
		for _, v := range wr[m : m+cnt] {
			s += v
		}
		m += cnt
		W[r] = s
	}
}

// weights brings w.w up to date with the last eval's route weights
// (each route's β·p_d^(1−σ) from rexpw to its place, wStale) and
// returns it. eval leaves them in its batch buffer, since most
// evaluations are followed by another before anything reads w.w: every
// reader (jacobian, markupOf, othersSum, solveTRQ) and writer (setOwn,
// solveTRQ) of w.w, and routeLists before it moves the places, calls it
// first.
func (w *workspace) weights() []float64 {
	if w.wStale {
		w.wStale = false
		m := w.nrl
		scatterTo(w.w, w.rexpw[:m], w.rat[:m])
	}
	return w.w
}

// eagerWeights, when set (tests only: TestLazyWeightsSameResults), has
// eval scatter its routes' weights to w.w at once, as it did before
// weights.
var eagerWeights bool

// scatterTo sets wf[at[m].k] = wr[m] for every m.
func scatterTo(wf, wr []float64, at []routeAt) {
	wr = wr[:len(at)]
	for m, a := range at {
		wf[a.k] = wr[m]
	}
}

// routeFlows sets the flows x = w·c/p_d of the routes at[lo:hi] (one
// region's, c = P·X/W its spending over its sum of weights; wr and pd
// their weights and delivered prices) into x[k] and adds each to its
// supplier's demand D[i]: eval's third route pass (not inlined, as
// routePrices).
//
//go:noinline
func routeFlows(x, D []float64, c float64, wr, pd []float64, at []routeAt, lo, hi int) {
	at = at[:hi]
	wr, pd = wr[:hi], pd[:hi]
	for m := lo; m < hi; m++ {
		a := at[m]
		xk := wr[m] * c / pd[m]
		x[a.k] = xk
		D[a.i] += xk
	}
}

// evalCheck, when set (tests only: CheckCurves), is called at the end of
// every evaluation.
var evalCheck func(w *workspace)

// corridorCheck, when set (tests only: CheckCorridors), is called after
// every prepare's corridors' set-up, with whether it kept the last one's
// capacities and costs (prepareCorridors' same).
var corridorCheck func(w *workspace, pol *Policy, same bool)

// supplyPrice returns supplier i's effective supply price
// p̃ = p·(1 − δ̄)·(1 − L − μ), $/t, at the current prices, average
// concession δ̄ and markups (docs/MODEL.md, table of symbols and section
// 3.4): the price its supply curve is read at.
func (w *workspace) supplyPrice(i int) float64 {
	return w.p[i] * (1 - w.dbar[i]) * w.sup[i].oml
}

// supplyBatch prepares eval's supply rows: for each active supplier a
// (w.act[a]) its effective supply price p̃ (concessions averaged first)
// into w.spt[a], its position on the curve (curvePos: sp.jat, and the
// netback m into w.sm[a]) and its mine supply B·m^η into w.sy[a] (m > 0),
// the logs and the exps in one batch each (flogBatch, fexpBatch; m ≤ 0
// and the padding lanes take a discarded log of 1), so that eval's
// supplyFrom gives what supplyAt(p̃) would, bit for bit.
func (w *workspace) supplyBatch() {
	act, n := w.act, w.n
	na := len(act)
	nb := batchLen(na)
	pts, ms, x, y := w.spt[:na], w.sm[:na], w.sx[:nb], w.sy[:nb]
	xa, ya := x[:na], y[:na]
	// The per-supplier arrays sliced to n once (one bounds check of i).
	sup, conc, p, dbar := w.sup[:n], w.conc[:n], w.p[:n], w.dbar[:n]
	for a, i := range act {
		sp := &sup[i]
		if conc[i] {
			w.concessionAvg(i)
		}
		pt := p[i] * (1 - dbar[i]) * sp.oml // supplyPrice
		_, m := sp.curvePos(pt)
		pts[a], ms[a], xa[a] = pt, m, 1
		if m > 0 {
			xa[a] = m
		}
	}
	for a := na; a < nb; a++ {
		x[a] = 1
	}
	flogBatch(y, x)
	for a, i := range act {
		sp := &sup[i]
		xa[a] = sp.lnB + sp.eta*ya[a]
	}
	fexpBatch(y, x)
}

// jacobian fills w.J with ∂F_a/∂ln p_b over active suppliers at the point
// of the last eval (docs/MODEL.md, section 5):
//
//	∂x[i][r]/∂ln p_j = x[i][r]·(−σ·δ_ij·θ[i][r] + (σ−ε)·s[j][r]·θ[j][r])
//	∂S[i]/∂ln p_i   = p_i·S'(p_i)
//
// with s[j][r] = w[j][r]/W[r] the expenditure share and θ = p/(p+f).
func (w *workspace) jacobian() {
	n, R, na := w.n, w.R, len(w.unk)
	J := w.J[:na*na]
	for k := range J {
		J[k] = 0
	}
	nR := n * R
	omd, fr, th, wA, xA, ca := w.omd[:nR], w.fr[:nR], w.th[:nR], w.weights()[:nR], w.x[:nR], w.ca[:nR]
	// The per-region and per-supplier arrays sliced once (one bounds
	// check of r, of a supplier).
	Ws, jn, sigs, epsX := w.W[:R], w.jn[:R], w.sig[:R], w.epsX[:R]
	pA, scA := w.p[:n], w.sc[:n]
	for r, W := range Ws {
		if W == 0 {
			continue
		}
		cnt := jn[r]
		list := w.jl[r*n : r*n+cnt]
		al := w.ja[r*n : r*n+cnt]
		al = al[:len(list)]
		tv := w.tv[:len(list)]
		sig := sigs[r]
		se := (sig - epsX[r]) / W
		for b, j := range list {
			k := j*R + r
			pj := pA[j] * omd[k]
			t := pj / (pj + fr[k])
			th[k] = t
			tv[b] = wA[k] * t
		}
		// The routes into r whose segment's z is an unknown (few), as
		// pairs: the route's position in list, the segment's column.
		var sb []int
		if w.segOn > 0 {
			sb = w.jsb[2*r*n : 2*r*n+w.jsn[r]]
		}
		// al is ascending: the row's columns are one slice from al[0].
		// With gaps (a supplier without a route into r) tv is spread
		// over it with zeros in the gaps (tu), which adds c1·0 to the
		// entries between: the same values.
		a0, span := 0, 0
		if cnt > 0 {
			a0, span = al[0], al[cnt-1]-al[0]+1
		}
		full := tv
		if span > cnt {
			full = w.tu[:span]
			clear(full)
			for bb, aj := range al {
				full[aj-a0] = tv[bb]
			}
		}
		// Each row's factors: c1 for the rank-one terms, sig·xi·θ for
		// its own price's.
		cv, dv := w.jc[:len(list)], w.jd[:len(list)]
		for b, i := range list {
			k := i*R + r
			xi := ca[k] * xA[k] / scA[i] // rows scaled as F; ca weighs the flow's effect on the supplier's concession
			cv[b] = xi * se
			dv[b] = sig * xi * th[k]
		}
		if useJacAsm && cnt > 0 {
			rankRowsAVX2(&J[0], na, &al[0], &cv[0], &dv[0], cnt, &full[0], len(full), a0)
		} else {
			rankRows(J, na, al, cv, dv, full, a0)
		}
		// A segment's z lowers its routes' prices: its column is their
		// price derivatives with the opposite sign. The segments'
		// columns follow the suppliers', so these entries are none of
		// rankRows's, and each route's segment has a column of its own:
		// an entry takes one term of the first loop, then (the route's
		// own row) one of the second.
		for q := 0; q+1 < len(sb); q += 2 {
			t, col := tv[sb[q]], sb[q+1]
			for b, a := range al {
				J[a*na+col] -= cv[b] * t
			}
		}
		for q := 0; q+1 < len(sb); q += 2 {
			b, col := sb[q], sb[q+1]
			J[al[b]*na+col] += dv[b]
		}
	}
	dSA := w.dS[:n]
	for a, i := range w.act {
		J[a*na+a] -= dSA[i] / scA[i]
	}
	if len(w.strat) > 0 {
		w.conductJacobian(J, na)
	}
	if len(w.tq) > 0 {
		w.trqJacobian(J, na)
	}
	if len(w.rho) > 0 {
		w.facJacobian(J, na)
	}
	if w.segOn > 0 {
		w.segJacobian(J, na)
	}
	w.jstate = jacFresh
}

// rankRows adds, to each row a = rows[b] of the na-column matrix J, the
// rank-one terms c[b]·v over the columns from a0 (J[a][a0+q] += c[b]·v[q]),
// then subtracts d[b] from its diagonal entry: jacobian's region terms.
// rankRowsAVX2 does the same operations in the same order, four columns a
// turn.
func rankRows(J []float64, na int, rows []int, c, d, v []float64, a0 int) {
	for b, a := range rows {
		row := J[a*na : a*na+na]
		seg := row[a0 : a0+len(v)]
		for q, x := range v {
			seg[q] += c[b] * x
		}
		row[a] -= d[b]
	}
}

// useJacAsm says jacobian adds its region terms in rankRowsAVX2
// (lu_amd64.s). It starts as haveBatchAsm; tests set it to false to
// exercise rankRows.
var useJacAsm = haveBatchAsm

// solve runs damped Newton, falling back to Gauss–Seidel with per-supplier
// safeguarded bisection when Newton stalls, and returns the report.
func (w *workspace) solve(tol float64, maxIter, maxSweeps int) Result {
	w.evals = 0
	w.failSup = -1
	res := Result{Status: NotStarted}
	if len(w.part) == 0 {
		res.Status = Converged
		return res
	}
	maxF, ss := w.eval()
	fac := len(w.rho) > 0 && !(w.carryLU && w.haveCarry)
	cold := fac
	for t := range w.tq {
		cold = cold || !w.tq[t].warm
	}
	if cold && maxF > tol {
		// Start each quota's ψ and each facility's ρ̂ at its clearing
		// value for the starting prices (its regime, and the rent when
		// it binds); a path's facilities and quotas start at last
		// month's ρ̂ and ψ instead (yCarry, psiCarry).
		for t := range w.tq {
			if !w.tq[t].warm {
				w.solveTRQ(t, tol)
			}
		}
		for f := range w.rho {
			if fac {
				w.solveFac(f, tol)
			}
		}
		maxF, ss = w.eval()
	}
	if maxF > tol && w.jstate != jacFactored {
		w.jacobian()
	}
	best := maxF
	w.keepBest()
	newtonIters, sweeps, unpins, light := 0, 0, 0, 0
	// idle counts the fallback rounds in a row that did not lower best
	// (in their sweeps or in the Newton steps before them); idleBest is
	// best at the end of the last round.
	idle, idleBest := 0, math.Inf(1)
	rounds := 0 // fallback rounds so far (cycleSkip)
	for {
		if maxF <= tol {
			// Every pinned market must still clear on its step at the
			// final prices; unpin those that do not and go on.
			if unpins < maxUnpins && w.unpinStale() {
				unpins++
				res.SegmentSteps = 0
				maxF, ss = w.eval()
				w.jacobian()
				best = maxF
				w.keepBest()
				continue
			}
			res.Status = Converged
			break
		}
		// Newton phase.
		for newtonIters < maxIter && maxF > tol {
			newtonIters++
			var ok bool
			maxF, ss, ok = w.newtonStep(maxF, ss, tol)
			if maxF < best {
				best = maxF
				w.keepBest()
			}
			if !ok {
				break
			}
		}
		if maxF <= tol {
			continue // converged: the loop head checks pinned suppliers
		}
		if w.segOn > 0 {
			// A segment's row that clears on a step of its tonnes
			// narrower than the resolution of its discount cannot
			// reach the tolerance: with every other row within it,
			// the month is cleared (Result.SegmentSteps).
			if mo, ns := w.segStepsCleared(tol); ns > 0 {
				maxF, res.SegmentSteps = mo, ns
				continue
			}
		}
		if light < maxLight && newtonIters < maxIter && w.segOn > 0 {
			// With segments on, Newton stopped at a kink of a quota's,
			// facility's or segment's row (a facility whose users are
			// all on corridor pieces has a zero row): clear those rows
			// alone, prices fixed, and try Newton again before the
			// sweeps.
			light++
			w.clearAux(tol)
			maxF, ss = w.eval()
			if maxF < best {
				best = maxF
				w.keepBest()
			}
			if maxF > tol {
				w.jacobian()
			}
			continue
		}
		// A fallback round starts here. Where its state is one of the
		// last rounds' starts, the rounds repeat: skip them (cycle.go).
		cur := roundStart{ni: newtonIters, sweeps: sweeps, idle: idle, light: light, unpins: unpins, na: len(w.act), segSteps: res.SegmentSteps}
		newtonIters, sweeps, idle = w.cycleSkip(rounds, cur, maxIter, maxSweeps)
		rounds++
		if idleStop := idle >= maxIdleRounds; sweeps >= maxSweeps || idleStop {
			if newtonIters >= maxIter && !idleStop {
				res.Status = IterationLimit
			} else {
				res.Status = Stalled
			}
			break
		}
		// Bracketing fallback: a few Gauss–Seidel sweeps, then Newton again.
		res.Fallback = true
		failed := false
		for k := 0; k < sweepNewtonEvery && sweeps < maxSweeps; k++ {
			sweeps++
			if !w.sweep(tol) {
				failed = true
				break
			}
		}
		maxF, ss = w.eval()
		if maxF > tol && !failed {
			// Markets that clear on a step of S(p) narrower than the
			// price resolution cannot reach the tolerance: pin them.
			if w.pinStepCleared(tol, nil) {
				maxF, ss = w.eval()
			}
		}
		if maxF > tol {
			w.jacobian()
		}
		if maxF < best {
			best = maxF
			w.keepBest()
		}
		if idle++; best < idleBest {
			idle, idleBest = 0, best
		}
		if failed && maxF > tol {
			res.Status = Failure
			break
		}
	}
	stale := -1
	if res.Status == Converged && len(w.act) < len(w.part) {
		if stale = w.firstStalePin(); stale >= 0 {
			res.Status = Stalled // pinned and unpinned maxUnpins times
		}
	}
	if res.Status == IterationLimit || res.Status == Stalled {
		// The last resort: steep suppliers in price form (rescue.go).
		mf, it, ok := w.rescue(tol)
		newtonIters += it
		if ok {
			res.Status, res.Rescued, maxF, stale = Converged, true, mf, -1
		}
	}
	for _, i := range w.part {
		if w.pinned[i] {
			res.Steps++
		}
	}
	if res.Status != Converged {
		copy(w.y[:w.ny], w.ybest[:w.ny])
		maxF, _ = w.eval()
	}
	res.Iterations = newtonIters + sweeps
	res.MaxResidual = maxF
	if res.Status != Converged {
		res.Reason = w.reason(res)
	}
	if stale >= 0 {
		// Its residual was held at 0 on the step: report its own excess
		// demand at the final prices instead.
		w.othersSum(stale)
		g, _ := w.ownExcess(stale, w.y[stale])
		res.MaxResidual = max(res.MaxResidual, max(math.Abs(g)/w.sc[stale], 2*tol))
		res.Reason = fmt.Sprintf("%s: its market clears only on a step of its supply curve that moved away %d times (relative excess demand %.3g)", w.c.Market.Suppliers[stale].Name, maxUnpins, math.Abs(g)/w.sc[stale])
	}
	res.Evaluations = w.evals // last: the stale supplier's ownExcess above is one
	return res
}

// reason explains a failed solve by the supplier with the largest residual.
func (w *workspace) reason(res Result) string {
	if i := w.failSup; i >= 0 {
		name := w.c.Market.Suppliers[i].Name
		if w.failHigh {
			return fmt.Sprintf("%s: excess demand even at the price bound 1e8 $/t, others' prices fixed (no finite equilibrium: demand too inelastic for the supply left)", name)
		}
		return fmt.Sprintf("%s: excess supply even at the price floor 1e-6 $/t, others' prices fixed (no equilibrium at a positive price: negative logistics cost?)", name)
	}
	worst, fmax := -1, -1.0
	for _, i := range w.unk {
		if a := math.Abs(w.F[i]); a > fmax {
			worst, fmax = i, a
		}
	}
	if worst < 0 {
		return res.Status.String()
	}
	m := w.c.Market
	if s := worst - w.segBase(); s >= 0 && len(w.segs) > 0 {
		sg := &w.segs[s]
		return fmt.Sprintf("segment of %s's corridor %s: residual %.3g after %d iterations (%v)", m.Suppliers[sg.i].Name, m.Suppliers[sg.i].Corridors[sg.k].Name, fmax, res.Iterations, res.Status)
	}
	if f := worst - w.n - len(w.tq); f >= 0 {
		return fmt.Sprintf("facility %s: residual %.3g after %d iterations (%v)", m.Facilities[f].Name, fmax, res.Iterations, res.Status)
	}
	if worst >= w.n {
		q := &w.tq[worst-w.n]
		return fmt.Sprintf("tariff-rate quota %s→%s: residual %.3g after %d iterations (%v)", m.Suppliers[q.i].Name, m.Regions[q.r].Name, fmax, res.Iterations, res.Status)
	}
	return fmt.Sprintf("%s: relative residual %.3g after %d iterations (%v)", m.Suppliers[worst].Name, fmax, res.Iterations, res.Status)
}

// newtonStep takes one damped Newton step from w.y (with F current, and J
// current or factored) and leaves F, and J where another step is needed,
// current at the new point. ok is false when no sufficient decrease was
// found (the caller falls back).
func (w *workspace) newtonStep(mf0, ss, tol float64) (maxF, ssNew float64, ok bool) {
	na := len(w.unk)
	if w.jstate == jacNone {
		w.jacobian()
	}
	chord := w.jstate == jacFactored
	if w.jstate == jacFresh {
		var ok bool
		if w.tail, ok = luFactor(w.J[:na*na], na, w.piv[:na]); !ok {
			w.jstate = jacNone
			mf, s2 := w.eval()
			return mf, s2, false
		}
		w.jstate = jacFactored
		w.luUnk = append(w.luUnk[:0], w.unk...)
	}
	unk, dy, F := w.unk, w.dy[:na], w.F
	for a, u := range unk {
		dy[a] = -F[u]
	}
	luSolveFactored(w.J[:na*na], na, w.piv[:na], w.tail, dy)
	var big float64
	for _, v := range dy {
		if v := math.Abs(v); v > big || math.IsNaN(v) {
			big = v
		}
	}
	if math.IsNaN(big) || math.IsInf(big, 0) {
		mf, s2 := w.eval()
		w.jacobian()
		return mf, s2, false
	}
	if big > maxLogStep {
		s := maxLogStep / big
		for a := range dy {
			dy[a] *= s
		}
	}
	y, ytry := w.y, w.ytry
	for _, u := range unk {
		ytry[u] = y[u]
	}
	fb := w.facBase()
	w.facF0 = append(w.facF0[:0], w.F[fb:fb+len(w.rho)]...)
	// A facility whose residual a trial step overshot across its kink
	// (flipped sign and grew), and the shortest such step.
	over, overAlpha := -1, 0.0
	alpha := 1.0
	for h := 0; h < maxHalvings; h++ {
		if !w.stepTo(alpha) {
			break
		}
		mf, s2 := w.eval()
		if over >= 0 && !chord && len(w.strat) == 0 && mf > tol && s2 <= (1-armijo*alpha)*ss && w.facSide(over) {
			alpha, mf, s2 = w.kinkSearch(over, alpha, overAlpha, mf, s2, ss, tol)
		}
		if s2 <= (1-armijo*alpha)*ss || mf <= tol {
			// Keep the factors for a chord step while they contract
			// fast, or while one more step at this rate would end.
			if r := mf / mf0; mf > tol && r > chordRatio && mf*r > tol {
				w.jacobian()
			}
			return mf, s2, true
		}
		if chord {
			// The chord step failed: redo it with a fresh Jacobian.
			for _, u := range w.unk {
				w.y[u] = w.ytry[u]
			}
			w.eval()
			w.jacobian()
			return w.newtonStep(mf0, ss, tol)
		}
		for f := range w.rho {
			if over >= 0 && f != over {
				continue
			}
			if v, v0 := w.F[fb+f], w.facF0[f]; v0 != 0 && !w.facSide(f) && (over >= 0 || math.Abs(v) > math.Abs(v0)) {
				over, overAlpha = f, alpha
				break
			}
		}
		alpha *= 0.5
	}
	for _, u := range w.unk {
		w.y[u] = w.ytry[u]
	}
	mf, s2 := w.eval()
	w.jacobian()
	return mf, s2, false
}

// stepTo sets the unknowns to w.ytry + alpha·w.dy, clamped, and reports
// whether any of them moved. The unknowns are listed by kind
// (activeLists): the active suppliers' log prices first, clamped by
// clampY directly, then the quotas', facilities' and segments' unknowns,
// whose bounds clampU holds.
func (w *workspace) stepTo(alpha float64) bool {
	moved := false
	unk, dy := w.unk, w.dy[:len(w.unk)]
	y, ytry := w.y, w.ytry
	na := len(w.act)
	for a, u := range unk[:na] {
		v := clampY(ytry[u] + alpha*dy[a])
		moved = moved || v != y[u]
		y[u] = v
	}
	for a := na; a < len(unk); a++ {
		u := unk[a]
		v := w.clampU(u, ytry[u]+alpha*dy[a])
		moved = moved || v != y[u]
		y[u] = v
	}
	return moved
}

// facSide reports whether facility f's residual at the last eval has
// the sign it had at the start of the Newton step (w.facF0; a zero start
// has none: false).
func (w *workspace) facSide(f int) bool {
	v, v0 := w.F[w.facBase()+f], w.facF0[f]
	return v0 != 0 && (v > 0) == (v0 > 0)
}

// kinkSearch is newtonStep's line search across facility f's kink. The
// rent ρ̂ that clears a facility sits on a tie blend of its users'
// corridors (smoothStep over tieWidth), nearly a step in ρ̂: from below
// it Newton's step overshoots far past it (us-relief-2025 in 2024-11: ρ
// from 0.7 to 62 $/t, the root at 9.99), the facility's residual flips
// sign and grows, and backtracking accepts a step short of the kink,
// from which the next Newton step overshoots again (six Jacobians and 66
// evaluations that month). Between lo, a step length on the start's
// side of the kink that passed the Armijo test (eval current, max |F|
// mf, Σ F² s2), and hi, one past it, kinkSearch bisects the step length
// on the sign of f's residual for at most kinkBisect evaluations, until
// its residual is below kinkShare of max |F| or max |F| ≤ tol, or
// after kinkGiveUp evaluations none of which improved on lo: where the
// Jacobian that aimed the step missed the other rows' response to the
// kink, the step's other unknowns stay off their roots however close to
// the kink it gets (eu-relief's 2026-07 and 2026-08: the supplier rows
// stay at 9·10⁻² and 7.5·10⁻² while twelve bisections close in on
// RussianBalticPorts' tie for Russia, and the next Jacobian, taken at
// lo, solves the month). It returns the step length with the least Σ F² among those that pass the
// Armijo test, with the unknowns and the evaluation there. newtonStep
// skips it with strategic sellers (conduct): their markups move the
// users' netbacks with every price, so the sign of the facility's
// residual along the step no longer brackets its kink, and the changed
// path left two stalls of TestRescueCournotFacilityStall where the
// rescue could not solve them.
func (w *workspace) kinkSearch(f int, lo, hi, mf, s2, ss, tol float64) (alpha, mfBest, s2Best float64) {
	u := w.facBase() + f
	alpha, mfBest, s2Best = lo, mf, s2
	last, lo0 := lo, lo
	for it := 0; it < kinkBisect; it++ {
		mid := 0.5 * (lo + hi)
		w.stepTo(mid)
		m, s := w.eval()
		last = mid
		if s <= (1-armijo*mid)*ss && s < s2Best {
			alpha, mfBest, s2Best = mid, m, s
		}
		if w.facSide(f) {
			lo = mid
		} else {
			hi = mid
		}
		if m <= tol || alpha == mid && math.Abs(w.F[u]) < kinkShare*m {
			break
		}
		if alpha == lo0 && it+1 >= kinkGiveUp {
			break // nothing better near the kink along this step
		}
	}
	if last != alpha {
		w.stepTo(alpha)
		mfBest, s2Best = w.eval()
	}
	return alpha, mfBest, s2Best
}

// sweep is one Gauss–Seidel sweep: each active supplier's own market is
// cleared exactly (to rounding) holding the others' prices fixed. It
// returns false when some supplier's excess demand has no root in the
// price bounds (no equilibrium exists).
func (w *workspace) sweep(tol float64) bool {
	w.eval()
	ok := true
	for _, i := range w.act {
		if !w.solveOwn(i, tol) {
			ok = false
		}
	}
	w.clearAux(tol)
	return ok
}

// clearAux clears each tariff-rate quota, facility and segment on by its
// one-dimensional bracketing, in that order, every price fixed.
func (w *workspace) clearAux(tol float64) {
	for t := range w.tq {
		w.solveTRQ(t, tol)
	}
	for f := range w.rho {
		w.solveFac(f, tol)
	}
	for s := range w.segs {
		if w.segs[s].on {
			w.solveSeg(s, tol)
		}
	}
}

// ownExcess returns supplier i's excess demand D_i − S_i at log price y,
// and its derivative with respect to y, holding other suppliers' index
// contributions w.wo fixed. A Cournot seller's conduct markup is held at
// its value at the last eval, or, with w.ownMu, taken at y (markupAt:
// its perceived elasticity and its partners' value, w.wu, at the trial
// price; the slope dg leaves its change out).
func (w *workspace) ownExcess(i int, y float64) (g, dg float64) {
	R := w.R
	p := fexp(y)
	var D, dD, Dd float64
	sp := &w.sup[i]
	strat := w.ownMu && w.phi[i] > 0
	var mE, mN float64 // the markup's D·E and Σ θ·g·U (markupAt)
	for r := 0; r < R; r++ {
		k := i*R + r
		w.xs[r] = 0
		if !w.open[k] {
			continue
		}
		om := 1 - w.sig[r]
		pf := p*w.omd[k] + w.fr[k]
		pd := pf * w.tau1[k]
		wi := fexp(w.lnb[k] + om*flog(pd))
		W := w.wo[r] + wi
		lnP := flog(W) / om
		PQ, e, _ := w.spend(r, lnP)
		x := wi / W * PQ / pd
		s := wi / W
		w.xs[r] = x
		D += x
		Dd += x * w.dlt[k]
		dD += x * (p * w.omd[k] / pf) * (-w.sig[r] + (w.sig[r]-e)*s)
		if strat && x != 0 {
			// routeConduct and partnerValue at the trial price: a
			// partner's x·(p(1−δ) + f) is w/W·PQ/tau1.
			th := p * w.omd[k] / pf
			sig, eps := w.sig[r], w.c.Market.Regions[r].Eps
			var g float64
			if den := eps + s*(sig-eps); den > 0 {
				g = s * (sig - eps) / den
			}
			mE += x * th * sig * (1 - g)
			if g != 0 && w.coal[i] >= 0 && w.lam[i] != 0 {
				mN += th * g * w.lam[i] * PQ / W * w.wu[r]
			}
		}
	}
	// A conduct markup held at its value at the last eval, or taken at
	// the trial price.
	pt := p * sp.oml
	if strat {
		pt = p * (w.oml0[i] - w.markupAt(i, p, D, mE, mN))
	}
	if D > 0 {
		pt *= 1 - Dd/D
	}
	if sp.dyn {
		w.refresh(i, w.xs, pt)
	}
	S, dS, _ := sp.supplyAt(pt)
	w.evals++
	// dg leaves out the change of the average concession with the own
	// price (a safeguarded Newton step only needs a slope of the right sign).
	return D - S, dD - dS*pt
}

// solveOwn clears supplier i's market by safeguarded Newton–bisection in
// its log price, others fixed, and updates w.y[i] and the region sums.
func (w *workspace) solveOwn(i int, tol float64) bool {
	w.othersSum(i)
	sc := w.sc[i]
	y := w.y[i]
	g, _ := w.ownExcess(i, y)
	var lo, hi float64
	if g > 0 {
		lo = y
		for step := 0.25; ; step *= 2 {
			yy := min(y+step, lnPriceMax)
			gg, _ := w.ownExcess(i, yy)
			if gg <= 0 {
				hi = yy
				break
			}
			lo = yy
			if yy >= lnPriceMax {
				w.setOwn(i, lnPriceMax)
				w.failSup, w.failHigh = i, true
				return false
			}
		}
	} else if g < 0 {
		hi = y
		for step := 0.25; ; step *= 2 {
			yy := max(y-step, lnPriceMin)
			gg, _ := w.ownExcess(i, yy)
			if gg >= 0 {
				lo = yy
				break
			}
			hi = yy
			if yy <= lnPriceMin {
				w.setOwn(i, lnPriceMin)
				w.failSup, w.failHigh = i, false
				return false
			}
		}
	} else {
		w.setOwn(i, y)
		return true
	}
	// Invariant: g(lo) > 0 ≥ g(hi) (or = at lo), root in [lo, hi].
	y = 0.5 * (lo + hi)
	g, dg := w.ownExcess(i, y)
	for it := 0; it < bisectIter; it++ {
		if math.Abs(g)/sc <= 0.01*tol || hi-lo <= 4e-16*(1+math.Abs(y)) {
			break
		}
		if g > 0 {
			lo = y
		} else {
			hi = y
		}
		yn := y - g/dg
		if !(dg < 0) || !(yn > lo && yn < hi) {
			yn = 0.5 * (lo + hi)
		}
		y = yn
		g, dg = w.ownExcess(i, y)
	}
	w.setOwn(i, y)
	return true
}

// setOwn sets supplier i's log price and refreshes its CES terms.
func (w *workspace) setOwn(i int, y float64) {
	R, wA := w.R, w.weights()
	w.y[i] = y
	p := fexp(y)
	w.p[i] = p
	for r := 0; r < R; r++ {
		k := i*R + r
		if !w.open[k] {
			continue
		}
		pd := (p*w.omd[k] + w.fr[k]) * w.tau1[k]
		wA[k] = fexp(w.lnb[k] + (1-w.sig[r])*flog(pd))
	}
}

// concessionAvg sets δ̄ = Σ_r δ·x / D for supplier i at the flows of the
// current eval (0 when it sells nothing).
func (w *workspace) concessionAvg(i int) {
	R := w.R
	var Dd float64
	for r := 0; r < R; r++ {
		if k := i*R + r; w.open[k] {
			Dd += w.x[k] * w.dlt[k]
		}
	}
	w.dbar[i] = 0
	if D := w.D[i]; D > 0 {
		w.dbar[i] = Dd / D
	}
}

// concessionWeights sets the Jacobian weights of supplier i's flows when
// it grants concessions: supply responds to p̃ = p·(1 − δ̄)·(1 − L), and δ̄
// moves with the mix of flows, ∂δ̄/∂z = Σ_r (δ_r − δ̄)·∂x_r/∂z / D, so
// ∂(D − S)/∂z = Σ_r (1 + g·(δ_r − δ̄)/D)·∂x_r/∂z − S'·p̃·∂ln p/∂z with
// g = S'(p̃)·(1 − L)·p (docs/MODEL.md, section 5).
func (w *workspace) concessionWeights(i int, g float64) {
	R := w.R
	D := w.D[i]
	for r := 0; r < R; r++ {
		k := i*R + r
		w.ca[k] = 1
		if w.open[k] && D > 0 && g != 0 {
			w.ca[k] = 1 + g*(w.dlt[k]-w.dbar[i])/D
		}
	}
}
