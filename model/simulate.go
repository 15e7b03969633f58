package model

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// pathSim steps one path. It holds one Policy, one Solver and one Solution
// for the whole path, so a month allocates nothing.
type pathSim struct {
	cal    *Calibrated
	spec   *Spec
	solver *Solver
	pol    *Policy
	base   *Policy   // the base-year policy each month's starts from
	sol    *Solution // the month's Solution: the workspace's own, or into's
	// into, if not nil, returns the Solution month k is solved into (a
	// path's stored month), so that it need not be copied there.
	into  func(k int) *Solution
	lag   Lag
	start []float64 // warm start for the next month
	retry []float64 // a failed month's other starts (retryScales)
	prev  []float64 // last month's FOB prices
	step  []float64 // last month's relative price change p_{t−1}/p_{t−2} − 1
	gstep []float64 // monthly demand-trend factor (1 + g_r)^(1/12)
	gcur  []float64 // demand-trend factor of the current month
	// ex, ey and eom are advance's batch of the expected prices' logs
	// and exps (batchLen(R) each).
	ex, ey, eom []float64
	// gen and vgen are the generations of the last month's policy
	// (Policy.gen, Policy.vgen), and force, force0 the events
	// setEventsFrom applied in this month and the last (generation).
	gen, vgen     uint64
	force, force0 []appliedEvent
	// drivers holds the demand drivers' last factors (setEventsFrom's
	// memo), one per event of spec.Events and spec.Drivers.
	drivers []driverMemo
}

func newPathSim(cal *Calibrated, spec *Spec) (*pathSim, error) {
	return newPathSimFrom(nil, cal, spec)
}

// newPathSimFrom is newPathSim taking old's policies, Solution and
// vectors (an earlier Monte Carlo draw's simulator, which it replaces:
// old must not be used again) when cal's market has old's shape
// (sameShape) and spec as many events and drivers; nil, or another
// shape: all new but the Solver. What it takes is written whole before it is read:
// the base policy here (Policy.Reset), the month's policy from it at
// every month (setEventsFrom's copy), the Solution by every solve
// (TestSolveWritesEveryField), the lags, starts and trend factors by
// reset, advance's batch scratch by every advance; the drivers' memo is
// cleared. The Solver is made anew in old's whatever the shape
// (newSolverFrom).
func newPathSimFrom(old *pathSim, cal *Calibrated, spec *Spec) (*pathSim, error) {
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	if err := ValidateEvents(cal.Market, spec.Events); err != nil {
		return nil, fmt.Errorf("%s: %w", specName(spec), err)
	}
	if err := ValidateEvents(cal.Market, spec.Drivers); err != nil {
		return nil, fmt.Errorf("%s: drivers: %w", specName(spec), err)
	}
	n, R := len(cal.Market.Suppliers), len(cal.Market.Regions)
	nd := len(spec.Events) + len(spec.Drivers)
	var oldSolver *Solver
	if old != nil {
		oldSolver = old.solver
	}
	ps := old
	if old != nil && sameShape(old.cal.Market, cal.Market) && len(old.drivers) == nd {
		*ps = pathSim{
			cal: cal, spec: spec, solver: newSolverFrom(oldSolver, cal),
			pol: old.pol, base: old.base, sol: old.sol, lag: old.lag,
			start: old.start, retry: old.retry, prev: old.prev, step: old.step, gstep: old.gstep, gcur: old.gcur,
			ex: old.ex, ey: old.ey, eom: old.eom,
			force: old.force[:0], force0: old.force0[:0], drivers: old.drivers,
		}
		clear(ps.drivers)
		for _, p := range [2]*Policy{ps.pol, ps.base} {
			p.flat.m, p.gen, p.vgen = cal.Market, 0, 0
		}
		ps.base.Reset(cal.Market)
	} else {
		ps = &pathSim{
			cal:     cal,
			spec:    spec,
			solver:  newSolverFrom(oldSolver, cal),
			pol:     newFlatPolicy(cal.Market),
			base:    newFlatPolicy(cal.Market),
			sol:     NewSolution(cal),
			lag:     Lag{Supply: make([]float64, n), Demand: make([]float64, R), Stocks: make([]float64, R), Expect: make([]float64, R)},
			start:   make([]float64, n),
			retry:   make([]float64, n),
			prev:    make([]float64, n),
			step:    make([]float64, n),
			gstep:   make([]float64, R),
			gcur:    make([]float64, R),
			drivers: make([]driverMemo, nd),
		}
		e := make([]float64, 3*batchLen(R))
		ps.ex, ps.ey, ps.eom = e[:batchLen(R)], e[batchLen(R):2*batchLen(R)], e[2*batchLen(R):]
	}
	for r, g := range cal.Market.Regions {
		ps.gstep[r] = GrowthFactor(g.Growth, 1)
	}
	ps.solver.ws.carryLU = true
	ps.reset()
	return ps, nil
}

// useDrivers lets ps read the whole-month levels of its lagged events
// from tab (nil: none), a driverTable of a spec whose events and drivers
// are ps's in the same places: each event whose levels are tab's, bit
// for bit (sameLevels), reads tab's.
func (ps *pathSim) useDrivers(tab *driverTable) {
	l := eventList{ps.spec.Events, ps.spec.Drivers}
	if tab == nil || l.len() != len(tab.ev) {
		return
	}
	for j := range tab.ev {
		if tab.lv[j] != nil && sameLevels(l.at(j), tab.ev[j]) {
			ps.drivers[j].lv, ps.drivers[j].x0 = tab.lv[j], tab.x0
		}
	}
}

func checkSpec(spec *Spec) error {
	if spec == nil || spec.Market == nil {
		return &FieldError{Field: "spec", Msg: "no market", Kind: ErrInvalidSpec}
	}
	if spec.End < spec.Start {
		return &FieldError{Field: specName(spec), Msg: fmt.Sprintf("horizon end %v before start %v", spec.End, spec.Start), Kind: ErrInvalidSpec}
	}
	if spec.ReportStart != 0 && (spec.ReportStart < spec.Start || spec.ReportStart > spec.End) {
		return &FieldError{Field: specName(spec), Msg: fmt.Sprintf("report window start %v outside the horizon %v..%v", spec.ReportStart, spec.Start, spec.End), Kind: ErrInvalidSpec}
	}
	return nil
}

func specName(s *Spec) string {
	if s.Name != "" {
		return s.Name
	}
	return "scenario"
}

// reset puts the path back at the base-year equilibrium: last month's
// quantities are the base year's, prices start from the base FOB prices.
func (ps *pathSim) reset() {
	copy(ps.lag.Supply, ps.cal.S0)
	copy(ps.lag.Demand, ps.cal.Q0)
	copy(ps.lag.Expect, ps.cal.P0)
	for r := range ps.lag.Stocks {
		ps.lag.Stocks[r] = ps.cal.Market.Regions[r].StockMonths / 12 * ps.cal.Q0[r]
	}
	for i := range ps.start {
		ps.start[i] = ps.cal.Market.Suppliers[i].FOB
		ps.prev[i] = ps.start[i]
		ps.step[i] = 0
	}
	for r := range ps.gcur {
		ps.gcur[r] = 1
	}
	ps.gen, ps.vgen = 0, 0
}

// setPolicy writes month k's policy (t = Start + k) into ps.pol: the
// events (setEvents) and the demand trend, whose factor is carried from
// month to month, g_k = g_{k−1}·(1 + g)^(1/12), instead of GrowthFactor's
// closed form (1 + g)^(k/12) (equal within rounding, ~1e-14 after 108
// months). Months must come in order from k = 0 after reset.
func (ps *pathSim) setPolicy(k int, t Month) {
	cur := ps.force[:0]
	setEventsFrom(ps.pol, ps.base, ps.cal, ps.spec, t, &cur, ps.drivers)
	ps.pol.gen, ps.pol.vgen = ps.generation(cur)
	for r, f := range ps.gcur {
		if k > 0 {
			f *= ps.gstep[r]
			ps.gcur[r] = f
		}
		if f != 1 {
			ps.pol.DemandScale[r] *= f
		}
	}
}

// generation returns the generations (Policy.gen, Policy.vgen) of the
// policy setEventsFrom just wrote from ps.base, which applied the events
// cur (as setEventsFrom lists them; cur is ps.force's storage), each the
// last month's when what it stands for is: gen while the events of the
// instruments that write route fields (Ban, Wedge, Concession, RiskCost,
// the quotas') are the last month's (the route fields are then the
// same), vgen while every event listed is (every field but DemandScale,
// which the drivers and the demand trend move, is then the same); a new
// one otherwise. (An event of unknown kind cannot get here:
// setEventsFrom cannot apply it, and ValidateEvents rejects it.)
func (ps *pathSim) generation(cur []appliedEvent) (gen, vgen uint64) {
	if ps.vgen == 0 || !sameForce(cur, ps.force0) {
		ps.vgen = policyGen.Add(1)
		if ps.gen == 0 || !sameRouteForce(cur, ps.force0) {
			ps.gen = policyGen.Add(1)
		}
	}
	ps.force, ps.force0 = ps.force0, cur
	return ps.gen, ps.vgen
}

// solve solves month k (t = Start + k), whose policy is in ps.pol, into
// ps.sol (into(k) when set) and carries its quantities and prices into
// the next month.
func (ps *pathSim) solve(k int, t Month) (Result, error) {
	if ps.into != nil {
		ps.sol = ps.into(k)
	}
	res, err := ps.solver.Solve(ps.pol, &ps.lag, ps.start, ps.sol)
	ps.solver.best.have = false
	for a := 0; err == nil && a < len(retryScales) && (res.Status == IterationLimit || res.Status == Stalled); a++ {
		// The month stopped short of a root from the extrapolated prices
		// (advance), from the carried facility values and segment
		// discounts and from a cold start (Solver.Solve). Where a
		// segment's corridor and a facility's corridor tie on a
		// supplier's margin at the root, a band of starting prices a few
		// percent wide sends Newton and the sweeps into a cycle between
		// the two corridors' orders (us-relief-2025's draws 3558 of seed
		// 1 and 6230 of seed 3 in 2023-07: Belarus's ChinaRail and
		// RussianPorts through RussianBalticPorts, the month the
		// facility starts to bind): solve it again, cold, from starts
		// outside that band. A month that converged, has no root within
		// the price bounds (Failure) or an implausible one is solved
		// exactly as before.
		ps.solver.noteAttempt(res, ps.sol)
		first := res
		for i, p := range ps.start {
			ps.retry[i] = p * retryScales[a]
		}
		ps.solver.ws.jstate = jacNone // the failed solve's factors
		res, err = ps.solver.Solve(ps.pol, &ps.lag, ps.retry, ps.sol)
		res.addAttempt(first)
	}
	if w := ps.solver.ws; err == nil && w.markupRetry(res) {
		// Every start stopped short of a root, the fallback holding a
		// Cournot seller's markup fixed while it cleared the seller's
		// market: solve it once more from the warm start, cold, with
		// the markup taken at the trial price (workspace.ownMu).
		ps.solver.noteAttempt(res, ps.sol)
		first := res
		w.ownMu, w.jstate = true, jacNone
		res, err = ps.solver.Solve(ps.pol, &ps.lag, ps.start, ps.sol)
		w.ownMu = false
		res.addAttempt(first)
	}
	if err != nil {
		return res, fmt.Errorf("%s, month %v: %w", specName(ps.spec), t, err)
	}
	// A month that failed from every start returns the attempt that
	// came closest to a root.
	ps.solver.pickBest(&res, ps.sol)
	ps.advance(ps.sol)
	return res, nil
}

// retryScales are the starts, relative to the warm start, from which
// pathSim.solve solves a month again, cold, after it failed from the warm
// start: 3 % below, then 3 % above, outside the band of starts a few
// percent wide that fails at a tie between a segment's and a facility's
// corridors; then 10 % above, for a Cournot seller whose effective price
// p̃ = p·(1 − δ̄)·(1 − L − μ) starts just below the corridor on its margin
// at the root. With a conduct markup near its bound (μ ≈ 0.88 of the
// price), a few percent of p move p̃ across that corridor's cost: below
// it, its supply sits on a flat corridor piece and a shared facility its
// full corridors use has a zero row, so Newton's Jacobian sees no supply
// response, and the fallback, which holds the markup at its value at the
// last evaluation while it clears the seller's own market, overshoots
// (bpc-reunion with a tariff of 375–500 % on all of Canada's sales, in
// 2026-11: Russia's price to 5 times the root, RussianBalticPorts' ρ to
// 215 $/t; TestCournotCornerRestart). From 10 % above, the seller starts
// on the corridor's interior piece and Newton converges in about ten
// iterations to the root the other starts that converge reach. A month
// that converges from an earlier start never gets here: its result is
// unchanged bit for bit. (The last attempt, workspace.markupRetry, which
// takes the seller's markup at the trial price in the fallback, also
// converges there from the warm start; the restart stays so that those
// months keep their results.)
var retryScales = [...]float64{0.97, 1.03, 1.1}

// predictStep is next month's predicted change after this month's d and
// last month's d0: d·(d/d0) when 0 < d/d0 < 1 (a geometric approach to
// the long run, as partial adjustment gives), else d. pathSim.advance
// applies it to the FOB prices' relative changes, carried.next to the
// quotas' ψ additively.
func predictStep(d, d0 float64) float64 {
	if d0 != 0 {
		if q := d / d0; q > 0 && q < 1 {
			return d * q
		}
	}
	return d
}

// advance makes sol last month's equilibrium: S_{t−1} = sales, C_{t−1} =
// consumption (Solve floors them at lagQuantityFloor of the base year),
// the stocks S_{t−1} and the next month's expected price Pᵉ. The
// next month's warm start extrapolates each FOB price: with
// d = p_t/p_{t−1} − 1 and d0 the change a month before, the predicted
// change is d·(d/d0) when 0 < d/d0 < 1 (a geometric approach to the long
// run, as partial adjustment gives), else d; clamped to ±5%. This saves
// Newton iterations. Non-finite values (never expected) keep the previous
// month's.
func (ps *pathSim) advance(sol *Solution) {
	// The per-supplier and per-region slices cut to one length each, so
	// that one bounds check covers them.
	n, R := len(sol.Sales), len(sol.Consumption)
	fob, sup, start, prev, step := sol.FOB[:n], ps.lag.Supply[:n], ps.start[:n], ps.prev[:n], ps.step[:n]
	for i, s := range sol.Sales {
		if distFinite(s) {
			sup[i] = s
		}
		if p := fob[i]; distFinite(p) && p > 0 {
			d := p/prev[i] - 1 // this month's relative change
			g := max(-0.05, min(0.05, predictStep(d, step[i])))
			start[i] = p * (1 + g)
			prev[i] = p
			step[i] = d
		}
	}
	// Adaptive expectations: ln Pᵉ_{t+1} = (1 − ω)·ln Pᵉ_t + ω·ln P_t,
	// that is Pᵉ_{t+1} = Pᵉ_t·e^(ω·ln(P_t/Pᵉ_t)), the regions' logs and
	// exps in one batch each (flog's and fexp's bits); a region that does
	// not adjust, and the padding, takes ω = 0 and a discarded log of 1.
	x, y, om := ps.ex, ps.ey[:len(ps.ex)], ps.eom[:len(ps.ex)]
	for r := range x {
		x[r], om[r] = 1, 0
	}
	stocks, pidx, regs := sol.Stocks[:R], sol.PriceIndex[:R], ps.cal.Market.Regions[:R]
	dem, stk, expect := ps.lag.Demand[:R], ps.lag.Stocks[:R], ps.lag.Expect[:R]
	xr, omr := x[:R], om[:R]
	for r, q := range sol.Consumption {
		if distFinite(q) {
			dem[r] = q
		}
		if s := stocks[r]; distFinite(s) && s >= 0 {
			stk[r] = s
		}
		if P, o := pidx[r], regs[r].ExpectAdjust; o > 0 && P > 0 && distFinite(P) {
			xr[r], omr[r] = P/expect[r], o
		}
	}
	flogBatch(y, x)
	for r := range x {
		x[r] = om[r] * y[r]
	}
	fexpBatch(y, x)
	yr := y[:R]
	for r, e := range expect {
		if omr[r] > 0 {
			expect[r] = e * yr[r]
		}
	}
}

// carryFrom gives ps the state src carries into its next month (lag,
// warm start, price changes): a counterfactual that shared every month
// so far with its scenario (same calibrated market, same policies) would
// have advanced exactly as the scenario did, so it is advanced only once
// it goes on by itself (pairSim).
func (ps *pathSim) carryFrom(src *pathSim) {
	copy(ps.lag.Supply, src.lag.Supply)
	copy(ps.lag.Demand, src.lag.Demand)
	copy(ps.lag.Stocks, src.lag.Stocks)
	copy(ps.lag.Expect, src.lag.Expect)
	copy(ps.start, src.start)
	copy(ps.prev, src.prev)
	copy(ps.step, src.step)
}

// pairSim steps a scenario and its counterfactual in lockstep. While both
// share the calibrated market and every month so far had identical
// policies, the counterfactual month is the scenario month (same inputs,
// same solution) and is not solved again.
type pairSim struct {
	s, c *pathSim
	// shared is the first month whose events in force differ
	// (firstDiffering): before it the counterfactual's policy is the
	// scenario's and is not built nor compared.
	shared int
	// cMain says, while a counterfactual month of runSplit's is solved,
	// whether the scenario's goroutine solves it (splitChain): written
	// and read only by the chain's holder. cCarve is how many of the
	// counterfactual's stored Solutions that holder would have carved at
	// once when the next is not yet (0: the rest).
	cMain  bool
	cCarve int
	// helpGate, if not nil, is called by runSplit's second goroutine
	// before it looks for the chain (tests: a goroutine that comes late).
	helpGate func()
}

func newPairSim(scen, cf *Spec, calS, calC *Calibrated) (*pairSim, error) {
	return newPairSimFrom(nil, scen, cf, calS, calC)
}

// newPairSimFrom is newPairSim taking old's storage where it fits
// (newPathSimFrom: an earlier Monte Carlo draw's pair, which it
// replaces; nil: all new).
func newPairSimFrom(old *pairSim, scen, cf *Spec, calS, calC *Calibrated) (*pairSim, error) {
	if scen.Start != cf.Start || scen.End != cf.End {
		return nil, &FieldError{Msg: fmt.Sprintf("scenario %v..%v and counterfactual %v..%v must share the horizon", scen.Start, scen.End, cf.Start, cf.End), Kind: ErrInvalidSpec}
	}
	var oldS, oldC *pathSim
	if old != nil {
		oldS, oldC = old.s, old.c
	}
	s, err := newPathSimFrom(oldS, calS, scen)
	if err != nil {
		return nil, err
	}
	c, err := newPathSimFrom(oldC, calC, cf)
	if err != nil {
		return nil, err
	}
	return &pairSim{s: s, c: c, shared: firstDiffering(scen, cf)}, nil
}

// sameShape reports whether markets a and b give policies and Solutions
// of one shape: as many suppliers, regions, coalitions and facilities,
// and each supplier as many corridors.
func sameShape(a, b *Market) bool {
	if len(a.Suppliers) != len(b.Suppliers) || len(a.Regions) != len(b.Regions) ||
		len(a.Coalitions) != len(b.Coalitions) || len(a.Facilities) != len(b.Facilities) {
		return false
	}
	for i := range a.Suppliers {
		if len(a.Suppliers[i].Corridors) != len(b.Suppliers[i].Corridors) {
			return false
		}
	}
	return true
}

// setCf sets the counterfactual's policy of month k after the scenario's
// (pathSim.setPolicy) and reports whether the pair still shares its
// months: same says whether it did until month k − 1. Before p.shared the
// two policies are equal by construction (same events in force, same
// calibrated market, the same demand trend), so only the trend factor is
// carried over.
func (p *pairSim) setCf(k int, t Month, same bool) bool {
	if same && k < p.shared {
		copy(p.c.gcur, p.s.gcur)
		return true
	}
	p.c.setPolicy(k, t)
	return same && policiesEqual(p.s.pol, p.c.pol)
}

// pairVisit receives month k (t = Start+k) of both paths. The solutions
// are the simulators' workspaces: copy what you keep.
type pairVisit func(k int, t Month, ss, cs *Solution, rs, rc Result) error

func (p *pairSim) run(ctx context.Context, visit pairVisit) error {
	p.s.reset()
	p.c.reset()
	same := p.s.cal == p.c.cal
	spec := p.s.spec
	for k, n := 0, spec.Months(); k < n; k++ {
		if k%12 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		t := spec.Start + Month(k)
		p.s.setPolicy(k, t)
		wasSame := same
		if same = p.setCf(k, t, same); wasSame && !same {
			// The counterfactual goes on by itself from here: it starts
			// from the scenario's carried state (carryFrom, copyLU).
			p.c.carryFrom(p.s)
			p.c.solver.ws.copyLU(p.s.solver.ws)
		}
		rs, err := p.s.solve(k, t)
		if err != nil {
			return err
		}
		rc, cs := rs, p.s.sol
		if !same {
			if rc, err = p.c.solve(k, t); err != nil {
				return err
			}
			cs = p.c.sol
		}
		if err := visit(k, t, p.s.sol, cs, rs, rc); err != nil {
			return err
		}
	}
	return nil
}

// runSplit steps the pair like run, but from the first month whose
// policies differ (or month 0 when the markets differ) the
// counterfactual's months are a chain of their own (splitChain), run a
// month at a time by whichever of two goroutines holds it: a second
// goroutine takes it as soon as it can, and this one, which steps the
// scenario, runs a month of it between two of its own while the chain is
// free (the second goroutine not started yet, or its core busy) and takes
// it back at the end when more than a little of it is left. The two
// paths share nothing but the read-only calibrated markets and specs, and
// each chain's months run in order, so every number is the one run
// gives. onS receives each scenario month, with shared true while the
// counterfactual's month is the scenario's; onC each of the
// counterfactual's own months, on the goroutine that solved it (p.cMain
// says which while it runs). The solutions are the simulators' (into's
// when set).
//
// The second goroutine is started splitLead months before the month the
// policies are expected to part (p.shared), runs ahead (nil: nothing)
// unless the chain has started without it, and then waits for the split,
// spinning (splitHandoff.wait), so that the wake-up of the idle core and
// ahead's work are done by the time the scenario reaches the split
// instead of after it. When the paths part sooner (different markets) it
// is started at the split and ahead is not run.
func (p *pairSim) runSplit(ctx context.Context, ahead func(), onS func(k int, shared bool, rs Result), onC func(k int, rc Result)) error {
	p.s.reset()
	p.c.reset()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	same := p.s.cal == p.c.cal
	spec := p.s.spec
	n := spec.Months()
	split := -1
	var wg sync.WaitGroup
	h := newSplitHandoff()
	ch := &splitChain{p: p, ctx: ctx, cancel: cancel, on: onC, n: n, wake: make(chan struct{}, 1), gone: make(chan struct{}, 1)}
	started := false
	start := func(early bool) {
		started = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			if early && ahead != nil && ch.state.Load() == chainUnsplit {
				ahead()
			}
			if h.wait() < 0 {
				return // the scenario stopped before the paths parted
			}
			if p.helpGate != nil {
				p.helpGate()
			}
			ch.help()
		}()
	}
	// stop ends the second goroutine's part early: no split, or the
	// chain let go after its month.
	stop := func() {
		h.give(-1) // no effect once the split was given
		ch.back.Store(true)
		ch.poke()
		wg.Wait()
	}
	for k := 0; k < n; k++ {
		if k%12 == 0 && ctx.Err() != nil {
			stop()
			if ch.err != nil { // the counterfactual's error cancelled ctx
				return ch.err
			}
			return ctx.Err()
		}
		if !started && same && p.shared < n && k >= p.shared-splitLead {
			start(true)
		}
		t := spec.Start + Month(k)
		p.s.setPolicy(k, t)
		if split < 0 {
			if same = p.setCf(k, t, same); !same {
				split = k
				if p.c.cal == p.s.cal { // else it starts from its own market
					p.c.carryFrom(p.s)
				}
				p.c.solver.ws.copyLU(p.s.solver.ws)
				ch.k0, ch.k = k, k
				ch.left.Store(int32(n - k))
				// With one P the second goroutine runs only once this
				// one blocks: the chain is left to finish, in one go.
				ch.interleave = runtime.GOMAXPROCS(0) > 1
				ch.state.Store(chainFree)
				if !started {
					start(false)
				}
				h.give(split)
			}
		}
		rs, err := p.s.solve(k, t)
		if err != nil {
			cancel()
			stop()
			return err
		}
		onS(k, split < 0, rs)
		if split >= 0 {
			ch.tryMonth()
		}
	}
	if split >= 0 {
		ch.finish()
	}
	h.give(-1)
	wg.Wait()
	return ch.err
}

// splitLead is how many months before the expected split runSplit starts
// the counterfactual's goroutine, and splitSpin how long that goroutine
// spins for the split before it blocks. Measured on the 2-core
// development machine (us-relief-2025's pair, about 21 µs a scenario
// month): a goroutine started at the split began about 115 µs later (the
// idle core's wake-up), and carving the counterfactual's 37 stored
// Solutions took 120–180 µs more, so the scenario waited 290–370 µs for
// the counterfactual at the end; started 12 months ahead, the
// goroutine spins about 110 µs and the wait is 90–170 µs. On the 2-vCPU
// host of 7 Dec 2026 (about 28 µs a scenario month) the start took
// 90–130 µs in the quickest tenth of 300 pairs' traces but a median
// 0.9–1.0 ms under a load average of 7–20 (the other vCPU busy), when
// the old runSplit, which left the counterfactual's months to this
// goroutine, waited a median 0.83–0.85 ms for them at the end; the
// chain (splitChain) now bounds that wait by a month.
const (
	splitLead = 12
	splitSpin = 2 * time.Millisecond
)

// splitChain is the counterfactual's months from the split on, as a
// chain that one goroutine at a time runs a month of (state): the
// holder owns p.c, k and err until it lets the chain go.
type splitChain struct {
	p      *pairSim
	ctx    context.Context
	cancel context.CancelFunc
	on     func(k int, rc Result)
	n      int // the horizon's months
	state  atomic.Int32
	// back says that the scenario's goroutine has finished its months
	// and wants the chain: the second goroutine lets it go after its
	// month.
	back atomic.Bool
	// left is the number of months not yet solved (n − k), for the
	// scenario's goroutine to read while another holds the chain.
	left atomic.Int32
	// waiting says that the second goroutine blocks on wake for the
	// chain; gone receives one value when it lets the chain go or ends
	// it.
	waiting atomic.Bool
	wake    chan struct{}
	gone    chan struct{}
	// interleave says whether the scenario's goroutine runs months of
	// the chain between its own (tryMonth): with more than one P.
	interleave bool
	k0, k      int   // the split, and the next month to solve
	err        error // the error that stopped the chain
}

// The states of a splitChain.
const (
	chainUnsplit int32 = iota // before the split: nothing to run
	chainFree                 // no one holds it
	chainMain                 // the scenario's goroutine runs a month of it
	chainHelper               // the second goroutine holds it
	chainDone                 // every month solved, or stopped by an error
)

// chainSpin is how long the second goroutine spins for the chain while
// the scenario's goroutine runs a month of it before it blocks.
const chainSpin = 100 * time.Microsecond

// mainCarve is how many of the counterfactual's stored Solutions the
// scenario's goroutine carves at once (pairSim.cCarve) when it runs a
// month of the chain between two of its own before the second goroutine
// has carved them: few, so that carving stays off its critical path.
const mainCarve = 4

// chainTakeBack is how many months must be left of the chain, when the
// scenario's goroutine has solved its own and the second goroutine holds
// the chain, for the scenario's goroutine to take it over.
const chainTakeBack = 3

// month solves the chain's next month and reports whether the chain is
// over (its last month solved, or an error in ch.err).
func (ch *splitChain) month() bool {
	k, ps := ch.k, ch.p.c
	t := ps.spec.Start + Month(k)
	if k > ch.k0 {
		if k%12 == 0 && ch.ctx.Err() != nil {
			ch.err = ch.ctx.Err()
			return true
		}
		ps.setPolicy(k, t)
	}
	res, err := ps.solve(k, t)
	if err != nil {
		ch.err = err
		ch.cancel()
		return true
	}
	ch.on(k, res)
	ch.k++
	ch.left.Store(int32(ch.n - ch.k))
	return ch.k >= ch.n
}

// tryMonth runs, on the scenario's goroutine, the chain's next month if
// no one holds the chain.
func (ch *splitChain) tryMonth() {
	if !ch.interleave {
		return
	}
	one := true
	if ch.hold(chainMain, mainCarve, func() bool { m := one; one = false; return m }) {
		ch.poke()
	}
}

// hold takes the chain if no one holds it, as holder (chainMain or
// chainHelper), carving carve of the counterfactual's stored Solutions
// at a time (pairSim.cCarve; 0: the rest), runs its months while more
// says so, and lets it go: chainDone once its last month is solved or
// an error stopped it, else chainFree. It reports whether it took the
// chain.
func (ch *splitChain) hold(holder int32, carve int, more func() bool) bool {
	if !ch.state.CompareAndSwap(chainFree, holder) {
		return false
	}
	ch.p.cMain, ch.p.cCarve = holder == chainMain, carve
	done := false
	for !done && more() {
		done = ch.month()
	}
	if done {
		ch.state.Store(chainDone)
	} else {
		ch.state.Store(chainFree)
	}
	return true
}

// poke wakes the second goroutine if it blocks for the chain (help).
func (ch *splitChain) poke() {
	if ch.waiting.Load() {
		select {
		case ch.wake <- struct{}{}:
		default:
		}
	}
}

// finish runs the rest of the chain on the scenario's goroutine, whose
// own months are done: what the second goroutine does not hold, and
// what it holds when more than chainTakeBack months are left (it lets
// the chain go after its month). Else it returns, and the caller waits
// for the second goroutine.
func (ch *splitChain) finish() {
	for {
		switch ch.state.Load() {
		case chainDone:
			return
		case chainFree:
			if !ch.hold(chainMain, 0, func() bool { return true }) {
				continue
			}
			ch.poke()
			return
		case chainHelper:
			if ch.left.Load() <= chainTakeBack && !ch.back.Load() {
				return
			}
			ch.back.Store(true)
			<-ch.gone // it lets the chain go after its month, or ends it
		}
	}
}

// help runs the chain on the second goroutine: it takes the chain when
// it is free and runs it to its end, unless the scenario's goroutine
// asks for it back (back). While the scenario's goroutine runs a month
// of it, it spins for at most chainSpin, then blocks until poked, so
// that it does not take CPU from that goroutine on a loaded machine.
func (ch *splitChain) help() {
	var spinUntil time.Time
	for i := 0; !ch.back.Load(); i++ {
		switch ch.state.Load() {
		case chainDone:
			return
		case chainFree:
			if !ch.hold(chainHelper, 0, func() bool { return !ch.back.Load() }) {
				continue
			}
			ch.gone <- struct{}{}
			return
		}
		// The scenario's goroutine runs a month of it.
		if i == 0 {
			spinUntil = time.Now().Add(chainSpin)
		}
		if i%16 == 15 && time.Now().After(spinUntil) {
			ch.waiting.Store(true)
			if ch.state.Load() == chainMain && !ch.back.Load() {
				<-ch.wake
			}
			ch.waiting.Store(false)
			i = -1
			continue
		}
		runtime.Gosched()
	}
}

// splitHandoff passes the month the paths part from runSplit's goroutine
// to the counterfactual's: give publishes it once (the first call counts;
// a negative month says they never part), wait returns it.
type splitHandoff struct {
	at    atomic.Int64 // −1 until given; then the month, or −2 for none
	once  sync.Once
	ready chan struct{} // closed by give
}

func newSplitHandoff() *splitHandoff {
	h := &splitHandoff{ready: make(chan struct{})}
	h.at.Store(-1)
	return h
}

// give publishes month k (k < 0: none); calls after the first do nothing.
func (h *splitHandoff) give(k int) {
	h.once.Do(func() {
		if k < 0 {
			k = -2
		}
		h.at.Store(int64(k))
		close(h.ready)
	})
}

// wait returns the given month, or −1 for none. It spins, yielding to
// other goroutines (runtime.Gosched), for at most splitSpin, then blocks
// until give.
func (h *splitHandoff) wait() int {
	deadline := time.Now().Add(splitSpin)
	for i := 0; h.at.Load() == -1; i++ {
		if i%64 == 63 && time.Now().After(deadline) {
			<-h.ready
			break
		}
		runtime.Gosched()
	}
	if k := h.at.Load(); k >= 0 {
		return int(k)
	}
	return -1
}

// calibratePair calibrates the scenario's market, and the
// counterfactual's when its values differ (they should not: common
// parameters), sharing one Calibrated otherwise.
func calibratePair(scen, cf *Spec) (calS, calC *Calibrated, err error) {
	return calibratePairOwn(scen, cf, false)
}

// calibratePairOwn is calibratePair; own says that the caller hands both
// specs' markets over (calibrate): a Monte Carlo draw's.
func calibratePairOwn(scen, cf *Spec, own bool) (calS, calC *Calibrated, err error) {
	return calibratePairWith(scen, cf, pairCal{}, own)
}

// calibratePairWith is calibratePairOwn taking the Calibrated of either
// market that is built already (a Monte Carlo draw's conduct rule's,
// drawSpecs; nil: none), so that it calibrates only the others.
func calibratePairWith(scen, cf *Spec, have pairCal, own bool) (calS, calC *Calibrated, err error) {
	if scen == nil || scen.Market == nil || cf == nil || cf.Market == nil {
		return nil, nil, &FieldError{Field: "spec", Msg: "no market", Kind: ErrInvalidSpec}
	}
	if calS = have.s; calS == nil {
		if calS, err = calibrate(scen.Market, own); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", specName(scen), err)
		}
	}
	if marketsEqual(scen.Market, cf.Market) {
		return calS, calS, nil
	}
	if calC = have.c; calC == nil {
		if calC, err = calibrate(cf.Market, own); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", specName(cf), err)
		}
	}
	return calS, calC, nil
}

func newPath(spec *Spec, cal *Calibrated, tmpl *Solution) *Path {
	n := spec.Months()
	p := &Path{
		Spec:    spec,
		Cal:     cal,
		Months:  make([]Month, n),
		Sol:     solutionSlab(tmpl, n),
		Results: make([]Result, n),
	}
	for k := range p.Months {
		p.Months[k] = spec.Start + Month(k)
	}
	return p
}

// newPathLazy is newPath without the Solutions' storage: the caller
// fills Sol (SimulatePair shares the months a counterfactual has in
// common with its scenario and carves the rest when they start).
func newPathLazy(spec *Spec, cal *Calibrated) *Path {
	n := spec.Months()
	p := &Path{Spec: spec, Cal: cal, Months: make([]Month, n), Sol: make([]*Solution, n), Results: make([]Result, n)}
	for k := range p.Months {
		p.Months[k] = spec.Start + Month(k)
	}
	return p
}

// count records month k's solver report.
func (p *Path) count(k int, res Result) {
	p.Results[k] = res
	if res.Status != Converged {
		p.Failed++
	}
	if res.Status == Implausible {
		p.Implausible++
	}
}

// solutionSlab returns n Solutions shaped like tmpl, carved from a few
// large allocations. workspace.fill writes every float of a stored
// Solution whatever the month's outcome (TestSlabFullyWritten), so no
// stored value is a leftover zero.
func solutionSlab(tmpl *Solution, n int) []*Solution {
	per, rows := 0, 0
	for f := range solFields {
		sf := &solFields[f]
		if sf.vec != nil {
			per += len(*sf.vec(tmpl))
			continue
		}
		m := *sf.mat(tmpl)
		rows += len(m)
		for _, r := range m {
			per += len(r)
		}
	}
	floats := make([]float64, n*per)
	if slabPoison != 0 {
		fill(floats, math.Float64frombits(slabPoison))
	}
	heads := make([][]float64, n*rows)
	binds := make([]Binding, n*len(tmpl.Binding))
	traded := make([]bool, n*len(tmpl.Traded))
	sols := make([]Solution, n)
	out := make([]*Solution, n)
	ns, nr, nf := len(tmpl.FOB), len(tmpl.Tonnes), len(tmpl.FacilityValue)
	lens := make([]int, len(tmpl.CorridorFlow)+len(tmpl.Flow))
	cor, route := lens[:len(tmpl.CorridorFlow)], lens[len(tmpl.CorridorFlow):]
	for i, r := range tmpl.CorridorFlow {
		cor[i] = len(r)
	}
	for i, r := range tmpl.Flow {
		route[i] = len(r)
	}
	for k := range sols {
		s := &sols[k]
		floats, heads = carveSolution(s, floats, heads, ns, nr, nf, cor, route)
		l := len(tmpl.Binding)
		s.Binding = binds[:l:l]
		binds = binds[l:]
		l = len(tmpl.Traded)
		s.Traded = traded[:l:l]
		traded = traded[l:]
		out[k] = s
	}
	if len(floats) != 0 || len(heads) != 0 {
		panic("model: carveSolution is out of step with solFields")
	}
	return out
}

// marketsEqual reports whether a and b hold the same values (every field
// Calibrate reads), without reflection.
func marketsEqual(a, b *Market) bool {
	if a == b {
		return true
	}
	if a.Name != b.Name || a.Version != b.Version || a.BaseYear != b.BaseYear || a.Benchmark != b.Benchmark ||
		len(a.Suppliers) != len(b.Suppliers) || len(a.Regions) != len(b.Regions) {
		return false
	}
	for i := range a.Suppliers {
		x, y := &a.Suppliers[i], &b.Suppliers[i]
		if x.Name != y.Name || x.Label != y.Label || x.Home != y.Home || x.FOB != y.FOB || x.Capacity != y.Capacity ||
			x.Eta != y.Eta || x.Adjust != y.Adjust || x.MarginalCost != y.MarginalCost || x.Domestic != y.Domestic ||
			x.DomesticIn != y.DomesticIn || x.Conduct != y.Conduct || x.ConductGapShare != y.ConductGapShare || len(x.Corridors) != len(y.Corridors) {
			return false
		}
		for k := range x.Corridors {
			u, v := &x.Corridors[k], &y.Corridors[k]
			if u.Name != v.Name || u.Label != v.Label || u.Capacity != v.Capacity || u.Cost != v.Cost ||
				u.Facility != v.Facility || !slices.Equal(u.Serves, v.Serves) {
				return false
			}
		}
	}
	for r := range a.Regions {
		if a.Regions[r] != b.Regions[r] {
			return false
		}
	}
	if len(a.Coalitions) != len(b.Coalitions) {
		return false
	}
	for g := range a.Coalitions {
		x, y := &a.Coalitions[g], &b.Coalitions[g]
		if x.Name != y.Name || x.Label != y.Label || x.Weight != y.Weight || !slices.Equal(x.Members, y.Members) {
			return false
		}
	}
	if !slices.Equal(a.Facilities, b.Facilities) {
		return false
	}
	return matrixEqual(a.Flows, b.Flows) && matrixEqual(a.Freight, b.Freight) && matrixEqual(a.Wedge, b.Wedge)
}

func matrixEqual(a, b [][]float64) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// SamePolicy reports whether a and b, over the same months, apply the
// same events and drivers in force in every month (firstDiffering), an
// event that changes nothing (noOp) counting as none: run on one market,
// their paths are then equal and every difference between them is zero.
// The scenarios package warns of such a pair.
func SamePolicy(a, b *Spec) bool {
	if a.Start != b.Start || a.End != b.End {
		return false
	}
	x, y := *a, *b
	x.Events, y.Events = withoutNoOps(a.Events), withoutNoOps(b.Events)
	return firstDiffering(&x, &y) == x.Months()
}

// withoutNoOps returns evs without the events that change nothing (noOp).
func withoutNoOps(evs []Event) []Event {
	var out []Event
	for _, e := range evs {
		if !e.noOp() {
			out = append(out, e)
		}
	}
	return out
}

// firstDiffering returns the first month (counted from a.Start) in which
// a and b apply different events or drivers in force — instrument,
// target, intensity or value, in the order setEvents applies them — or
// a's number of months when they never do. Before it the two months'
// policies are equal, setEvents being a function of these alone (they
// may still be equal from it on). An event of unknown kind counts as
// differing from month 0 (its spec is rejected when the pair starts).
//
// The events (then drivers) the two lists begin and end with alike, bit
// for bit (sameEvent), apply alike in every month, in the same places of
// the two months' lists, so only the ones between are listed and
// compared month by month: in a Monte Carlo draw most of a scenario's
// and its counterfactual's events and every driver are such (the
// drivers' lagged levels were most of the cost).
func firstDiffering(a, b *Spec) int {
	la, lb := eventList{a.Events, a.Drivers}, eventList{b.Events, b.Drivers}
	for _, l := range [2]eventList{la, lb} {
		for i := 0; i < l.len(); i++ {
			if !l.at(i).Kind.known() {
				return 0
			}
		}
	}
	p := 0 // the common prefix
	for p < la.len() && p < lb.len() && sameEvent(la.at(p), lb.at(p)) {
		p++
	}
	q := 0 // the common suffix, after the prefix
	for p+q < la.len() && p+q < lb.len() && sameEvent(la.at(la.len()-1-q), lb.at(lb.len()-1-q)) {
		q++
	}
	n := a.Months()
	// Before the first month one of the events between is listed (its
	// Start, or every month for a lagged one), both lists are empty.
	first := min(la.firstListed(p, la.len()-q, a.Start), lb.firstListed(p, lb.len()-q, a.Start))
	var xa, xb []appliedEvent
	for k := max(0, min(n, int(first-a.Start))); k < n; k++ {
		t := a.Start + Month(k)
		xa = la.inForce(p, la.len()-q, t, xa)
		xb = lb.inForce(p, lb.len()-q, t, xb)
		if !sameForce(xa, xb) {
			return k
		}
	}
	return n
}

// sameEvent reports whether e and f are the same event bit for bit
// (every field but ID and Label, which apply does not read), so that
// setEvents applies them alike in every month.
func sameEvent(e, f *Event) bool {
	bits := math.Float64bits
	return e.Kind == f.Kind && e.Supplier == f.Supplier && e.Region == f.Region && e.Corridor == f.Corridor &&
		e.Coalition == f.Coalition && bits(e.Value) == bits(f.Value) && bits(e.From) == bits(f.From) &&
		e.HasFrom == f.HasFrom && e.Relative == f.Relative &&
		bits(e.Aux[0]) == bits(f.Aux[0]) && bits(e.Aux[1]) == bits(f.Aux[1]) &&
		e.Start == f.Start && e.End == f.End && e.RampIn == f.RampIn && e.RampOut == f.RampOut &&
		slices.EqualFunc(e.Series, f.Series, func(x, y float64) bool { return bits(x) == bits(y) })
}

// eventList is a spec's events and then its drivers, in the order
// setEvents applies them.
type eventList struct{ ev, dr []Event }

func (l eventList) len() int { return len(l.ev) + len(l.dr) }

func (l eventList) at(i int) *Event {
	if i < len(l.ev) {
		return &l.ev[i]
	}
	return &l.dr[i-len(l.ev)]
}

// sameForce reports whether a and b apply the same events alike
// (appliedEvent.same), in the same order.
func sameForce(a, b []appliedEvent) bool {
	if len(a) != len(b) {
		return false
	}
	for j := range a {
		if !a[j].same(&b[j]) {
			return false
		}
	}
	return true
}

// sameRouteForce is sameForce of the events of a and b whose instruments
// write route fields (instrument.routes).
func sameRouteForce(a, b []appliedEvent) bool {
	j := 0
	for k := range a {
		if !instruments[a[k].e.Kind].routes {
			continue
		}
		for j < len(b) && !instruments[b[j].e.Kind].routes {
			j++
		}
		if j == len(b) || !a[k].same(&b[j]) {
			return false
		}
		j++
	}
	for ; j < len(b); j++ {
		if instruments[b[j].e.Kind].routes {
			return false
		}
	}
	return true
}

// appliedEvent is an event as setEvents applies it in one month.
type appliedEvent struct {
	e    *Event
	w, v float64
}

// same reports whether x and y write the same into a policy (every field
// an instrument's apply reads).
func (x *appliedEvent) same(y *appliedEvent) bool {
	a, b := x.e, y.e
	if a == b { // one event (a path's months): its fields are its own
		return x.w == y.w && x.v == y.v
	}
	return x.w == y.w && x.v == y.v && a.Kind == b.Kind && a.Supplier == b.Supplier && a.Region == b.Region &&
		a.Corridor == b.Corridor && a.Coalition == b.Coalition && a.HasFrom == b.HasFrom && a.From == b.From &&
		a.Relative == b.Relative && a.Aux == b.Aux
}

// firstListed returns the first month from start in which inForce can
// list one of the events i0 … i1−1 of l: start when one is lagged
// (listed every month), else the earliest Start (start + 1<<30 when there
// is none): an event is not in force before it starts (Intensity).
func (l eventList) firstListed(i0, i1 int, start Month) Month {
	first := start + 1<<30
	for i := i0; i < i1; i++ {
		e := l.at(i)
		if instruments[e.Kind].lagged {
			return start
		}
		first = min(first, max(start, e.Start))
	}
	return first
}

// inForce lists into out the events i0 … i1−1 of l that setEvents
// applies in month t, with their intensities and values. Their kinds
// must be known.
func (l eventList) inForce(i0, i1 int, t Month, out []appliedEvent) []appliedEvent {
	out = out[:0]
	for i := i0; i < i1; i++ {
		e := l.at(i)
		var w, v float64
		if instruments[e.Kind].lagged {
			w, v = 1, e.DriverLevel(t)
		} else if w = e.Intensity(t); w != 0 {
			v = e.ValueAt(t)
		}
		if w != 0 {
			out = append(out, appliedEvent{e, w, v})
		}
	}
	return out
}
