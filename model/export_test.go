package model

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync/atomic"
)

// MonthStart says how SolvePathMonth starts month t of a path: the
// facilities' ρ̂ and segments' z (in yCarry's order: facilities, then
// segments) and the FOB prices.
type MonthStart struct {
	// Cold forgets last month's ρ̂ and z (a plain solve's start: z = 0,
	// each facility cleared by bisection).
	Cold bool
	// Extrapolate starts ρ̂ and z at 2·last − the month before (additive
	// extrapolation, as commit 5c3c3c9 did), else at last month's.
	Extrapolate bool
	// ZAdd is added to every carried z (clamped at 0), RhoScale
	// multiplies every carried ρ̂ (0: 1), PriceScale every starting FOB
	// price (0: 1).
	ZAdd, RhoScale, PriceScale float64
}

// SolvePathMonth simulates spec's path up to the month before t as
// Simulate does, then solves month t from the start st and returns its
// Solution and Result (for tests of start invariance).
func SolvePathMonth(spec *Spec, t Month, st MonthStart) (*Solution, Result, error) {
	cal, err := Calibrate(spec.Market)
	if err != nil {
		return nil, Result{}, err
	}
	ps, err := newPathSim(cal, spec)
	if err != nil {
		return nil, Result{}, err
	}
	k0 := int(t - spec.Start)
	if k0 < 2 || k0 >= spec.Months() {
		return nil, Result{}, fmt.Errorf("month %v not in %v+2..%v", t, spec.Start, spec.End)
	}
	w := ps.solver.ws
	var before []float64
	for k := 0; k < k0; k++ {
		if k == k0-1 {
			before = append([]float64(nil), w.yCarry...)
		}
		ps.setPolicy(k, spec.Start+Month(k))
		if _, err := ps.solve(k, spec.Start+Month(k)); err != nil {
			return nil, Result{}, err
		}
	}
	ps.setPolicy(k0, t)
	if st.Cold {
		w.haveCarry = false
	}
	if w.haveCarry {
		nf := len(w.rho)
		for j := range w.yCarry {
			v := w.yCarry[j]
			if st.Extrapolate && len(before) == len(w.yCarry) {
				v += v - before[j]
			}
			if j < nf && st.RhoScale != 0 {
				v *= st.RhoScale
			}
			if j >= nf {
				v += st.ZAdd
			}
			w.yCarry[j] = max(0, v)
		}
	}
	if st.PriceScale != 0 {
		for i := range ps.start {
			ps.start[i] *= st.PriceScale
		}
	}
	res, err := ps.solve(k0, t)
	return ps.sol, res, err
}

// DrawSpecs returns clones of scen and cf with Monte Carlo draw d's values
// of unc applied, exactly as MonteCarlo draws them with opts.Seed = seed.
func DrawSpecs(scen, cf *Spec, unc []Uncertain, seed uint64, d int) (s, c *Spec, err error) {
	s, c, _, _, why := drawSpecs(scen, cf, unc, seed, d, nil)
	if why != "" {
		return nil, nil, fmt.Errorf("draw %d: %s", d, why)
	}
	return s, c, nil
}

// SetMCExactLimit sets the largest number of draws whose Monte Carlo
// percentiles are exact (MCExactMax) and returns a func that restores it:
// benchmarks of the histogram regime on few draws.
func SetMCExactLimit(v int) (restore func()) {
	old := mcExactLimit
	mcExactLimit = v
	return func() { mcExactLimit = old }
}

// DrawRow simulates Monte Carlo draw d of the pair (seed seed) as
// MonteCarlo's workers do, into a row and metrics prefilled with NaN,
// and returns them, the row's shared prefix (level cells) and why the
// draw failed ("" if it did not). With bound false no variable of the
// layout is bound to the row: every value is copied from the month's
// Solution with fillAll, and each month's fill writes every output of
// its Solution (mcRunner.fullFill), as a single run's.
func DrawRow(scen, cf *Spec, unc []Uncertain, seed uint64, d int, bound bool) (row, metrics []float64, pre int, why string) {
	cal, err := Calibrate(scen.Market)
	if err != nil {
		return nil, nil, 0, err.Error()
	}
	l := newMCLayout(cal, scen)
	if !bound {
		l.rest = l.rest[:0]
		for j := range l.vars {
			l.vars[j].bound = false
			l.rest = append(l.rest, l.vars[j])
		}
	}
	defs := metricDefs(cal.Market)
	r := &mcRunner{scen: scen, cf: cf, unc: unc, seed: seed, layout: l, acc: newMetricAcc(defs), fullFill: !bound}
	row, metrics = make([]float64, 2*l.cells()), make([]float64, len(defs))
	for _, v := range [][]float64{row, metrics} {
		for q := range v {
			v[q] = math.NaN()
		}
	}
	why, _ = r.draw(context.Background(), d, row, metrics)
	return row, metrics, r.pre, why
}

// BoundVariables returns the names of the variables a Monte Carlo draw of
// spec's market solves straight into its row (mcLayout.binds).
func BoundVariables(spec *Spec) ([]string, error) {
	cal, err := Calibrate(spec.Market)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, v := range newMCLayout(cal, spec).vars {
		if v.bound {
			names = append(names, v.def.Name)
		}
	}
	return names, nil
}

// CheckCurves makes every evaluation and every fill, until the returned
// func is called, check each participating supplier's supply curve and
// supply row against ones computed afresh (checkCurves, checkFillCurves)
// and call report with what differs. report must be safe for concurrent use (SimulatePair runs
// two paths at once); set it before starting the solves.
func CheckCurves(report func(msg string)) (stop func()) {
	evalCheck = func(w *workspace) {
		if msg := checkCurves(w); msg != "" {
			report(msg)
		}
	}
	fillCheck = func(w *workspace) {
		if msg := checkFillCurves(w); msg != "" {
			report("fill: " + msg)
		}
	}
	return func() { evalCheck, fillCheck = nil, nil }
}

// CheckCorridors makes every month's set-up, until the returned func is
// called, check each supplier's corridor capacities and costs against
// its policy's (prepareCorridors) and, for a supplier whose curve only
// the set-up prepares (not dyn), the curve's recorded inputs against
// them; report gets what differs. kept counts the set-ups that kept the
// last one's capacities and costs. Set it before starting the solves;
// report must be safe for concurrent use.
func CheckCorridors(report func(msg string), kept *atomic.Int64) (stop func()) {
	corridorCheck = func(w *workspace, pol *Policy, same bool) {
		if same {
			kept.Add(1)
		}
		for i := range w.sup {
			sp := &w.sup[i]
			for k := range sp.pcap {
				c, o := pol.CorridorCap[i][k], pol.CorridorCost[i][k]+w.c.adj[i][k]
				if f := sp.fac[k]; f >= 0 && w.fcap[f] == 0 {
					c = 0
				}
				if bitsDiffer(c, sp.pcap[k]) || bitsDiffer(o, sp.pcost[k]) {
					report(fmt.Sprintf("supplier %d corridor %d: capacity %v, cost %v; the policy's %v, %v (kept %v)", i, k, sp.pcap[k], sp.pcost[k], c, o, same))
					return
				}
				if !sp.dyn && (bitsDiffer(c, sp.lastCap[k]) || bitsDiffer(o, sp.lastCost[k])) {
					report(fmt.Sprintf("supplier %d corridor %d: the curve's inputs %v, %v; the policy's %v, %v (kept %v)", i, k, sp.lastCap[k], sp.lastCost[k], c, o, same))
					return
				}
			}
		}
	}
	return func() { corridorCheck = nil }
}

// checkFillCurves is checkCurves after fill's suppliers: each supplier
// with a segment on must have its curve in the plain order, every
// discount at its part p̃·zTie (dtie), whether fillSupplier sorted it
// again or kept the solver's.
func checkFillCurves(w *workspace) string {
	for _, i := range w.part {
		if sp := &w.sup[i]; sp.segOn && !slices.Equal(sp.disc, sp.dtie) {
			return fmt.Sprintf("supplier %d: discounts %v in the plain order, want %v", i, sp.disc, sp.dtie)
		}
	}
	return checkCurvesRows(w, false)
}

// checkCurves returns the first difference, bit for bit, between w's
// supply curves and supply rows at its last evaluation and those of a
// curve prepared afresh from the same corridor capacities and costs in
// force (no skip, no memo: the insertion sort from the input order and
// every threshold T_j = c_j + e^((ln C_j − ln B)/η) by the scalar fexp
// and flog), between each segment's e^(−z) and fexp(−z), and in the
// segment and facility rows (checkSegRows, checkFacRows); "" when none.
// A stale cached curve (inputs changed without a new sort or threshold)
// or a batched kernel off by a bit shows up here.
func checkCurves(w *workspace) string { return checkCurvesRows(w, true) }

// checkCurvesRows is checkCurves, with the supply, segment and facility
// rows checked only when rows (after fill's sort in the plain order they
// are the solver's).
func checkCurvesRows(w *workspace, rows bool) string {
	for _, i := range w.part {
		sp := &w.sup[i]
		caps, costs := sp.pcap, sp.pcost
		if sp.dyn {
			caps, costs = sp.ecap, sp.ecost
		}
		nk := len(caps)
		f := supplier{
			K: sp.K, cap: sp.cap, lnB: sp.lnB, eta: sp.eta, segOn: sp.segOn, pref: sp.pref, disc: sp.disc,
			ord: make([]int, nk), cost: make([]float64, nk), cum: make([]float64, nk), thr: make([]float64, nk),
			pos: make([]int, nk), lastCap: make([]float64, nk), lastCost: make([]float64, nk),
		}
		var tq thrQueue
		fs := []supplier{f}
		fs[0].prepareSupply(caps, costs, sp.shift, 0, &tq)
		f = fs[0]
		for j := range nk {
			f.thr[j] = f.cost[j]
			if f.cum[j] > 0 {
				f.thr[j] += fexp((flog(f.cum[j]) - f.lnB) / f.eta)
			}
		}
		same := func(a, b []float64) bool {
			for j := range a {
				if math.Float64bits(a[j]) != math.Float64bits(b[j]) {
					return false
				}
			}
			return len(a) == len(b)
		}
		switch {
		case !slices.Equal(f.ord, sp.ord):
			return fmt.Sprintf("supplier %d: order %v, afresh %v", i, sp.ord, f.ord)
		case !same(f.cost, sp.cost) || !same(f.cum, sp.cum):
			return fmt.Sprintf("supplier %d: costs %v, cumulative %v; afresh %v, %v", i, sp.cost, sp.cum, f.cost, f.cum)
		case !same(f.thr, sp.thr):
			return fmt.Sprintf("supplier %d: thresholds %v, afresh %v", i, sp.thr, f.thr)
		case math.Float64bits(f.smax) != math.Float64bits(sp.smax):
			return fmt.Sprintf("supplier %d: smax %v, afresh %v", i, sp.smax, f.smax)
		}
		if !rows || w.pinned[i] || (w.rs != nil && w.rs.on && w.rs.pform[i]) {
			continue
		}
		pt := w.supplyPrice(i)
		S, dS, pc := f.supplyAt(pt)
		if math.Float64bits(S) != math.Float64bits(w.S[i]) || math.Float64bits(dS) != math.Float64bits(sp.dq) || pc != w.piece[i] {
			return fmt.Sprintf("supplier %d at p̃ = %v: S, dS/dp̃, piece %v, %v, %v; afresh %v, %v, %v", i, pt, w.S[i], sp.dq, w.piece[i], S, dS, pc)
		}
	}
	base := w.segBase()
	for s := range w.segs {
		if sg := &w.segs[s]; sg.on && math.Float64bits(sg.e) != math.Float64bits(fexp(-w.y[base+s])) {
			return fmt.Sprintf("segment %d: e^(−z) %v, afresh %v", s, sg.e, fexp(-w.y[base+s]))
		}
	}
	if !rows {
		return ""
	}
	if msg := checkSegRows(w); msg != "" {
		return msg
	}
	return checkFacRows(w)
}

// bitsDiffer reports whether a and b differ in any bit.
func bitsDiffer(a, b float64) bool { return math.Float64bits(a) != math.Float64bits(b) }

// checkSegRows compares, bit for bit, what segPrices and segResiduals
// kept at the last evaluation with the plain computations they replace:
// each segment's routes' e^(−z) and FOB multiplier (1 − δ)·e^(−z), its
// tonnes X summed over its regions' open routes, the mine's marginal
// value v = marginalCost(S) by the scalar flog and fexp below capacity,
// and the corridor's flow t by segFlowRef (every term of the blend
// summed, none skipped).
func checkSegRows(w *workspace) string {
	R := w.R
	for s := range w.segs {
		sg := &w.segs[s]
		if !sg.on {
			continue
		}
		i, k := sg.i, sg.k
		sp := &w.sup[i]
		var X float64
		for _, r := range sg.reach {
			kk := i*R + r
			if bitsDiffer(w.ez[kk], sg.e) || bitsDiffer(w.omd[kk], (1-w.dlt[kk])*sg.e) {
				return fmt.Sprintf("segment %d, region %d: e^(−z) %v and FOB multiplier %v on the route; e^(−z) %v", s, r, w.ez[kk], w.omd[kk], sg.e)
			}
			if w.open[kk] && w.W[r] > 0 {
				X += w.x[kk]
			}
		}
		if bitsDiffer(X, sg.X) {
			return fmt.Sprintf("segment %d: tonnes %v, afresh %v", s, sg.X, X)
		}
		S := w.S[i]
		if S < min(sp.K, sp.cap) && bitsDiffer(sg.v, sp.marginalCost(S)) {
			return fmt.Sprintf("segment %d: marginal value %v, marginalCost(%v) %v", s, sg.v, S, sp.marginalCost(S))
		}
		if !sg.plain {
			if t, tc := segFlowRef(w, i, k, S); bitsDiffer(t, sg.t) || tc != sg.tcase {
				return fmt.Sprintf("segment %d: flow %v (case %d), every term summed %v (%d)", s, sg.t, sg.tcase, t, tc)
			}
		}
	}
	return ""
}

// PathMonthEval simulates spec's path as Simulate does up to and
// including month t and returns a func that evaluates the excess demand
// again at that month's solution (one workspace.eval, returning max |F|):
// BenchmarkEval's unit of work.
func PathMonthEval(spec *Spec, t Month) (eval func() float64, err error) {
	cal, err := Calibrate(spec.Market)
	if err != nil {
		return nil, err
	}
	ps, err := newPathSim(cal, spec)
	if err != nil {
		return nil, err
	}
	k0 := int(t - spec.Start)
	if k0 < 0 || k0 >= spec.Months() {
		return nil, fmt.Errorf("month %v not in %v..%v", t, spec.Start, spec.End)
	}
	for k := 0; k <= k0; k++ {
		ps.setPolicy(k, spec.Start+Month(k))
		if _, err := ps.solve(k, spec.Start+Month(k)); err != nil {
			return nil, err
		}
	}
	w := ps.solver.ws
	return func() float64 {
		maxF, _ := w.eval()
		return maxF
	}, nil
}

// checkFacRows compares, bit for bit, each facility's use at the last
// evaluation and facFlow's flow and derivatives for each of its users
// with facFlowRef (every term of the blend summed, none skipped).
func checkFacRows(w *workspace) string {
	for f := range w.rho {
		var u float64
		for _, us := range w.fu[f] {
			if w.closed[us.i] {
				continue
			}
			S := w.S[us.i]
			a, b, c := w.facFlow(us.i, us.k, S)
			ra, rb, rc := facFlowRef(w, us.i, us.k, S)
			if bitsDiffer(a, ra) || bitsDiffer(b, rb) || bitsDiffer(c, rc) {
				return fmt.Sprintf("facility %d, supplier %d: flow, ∂S, ∂c %v, %v, %v; every term summed %v, %v, %v", f, us.i, a, b, c, ra, rb, rc)
			}
			u += ra
		}
		if bitsDiffer(u, w.fuse[f]) {
			return fmt.Sprintf("facility %d: use %v, every term summed %v", f, w.fuse[f], u)
		}
	}
	return ""
}

// facFlowRef is facFlow with every corridor's term added, as written in
// its doc comment.
func facFlowRef(w *workspace, i, k int, S float64) (flow, dS, dc float64) {
	sp := &w.sup[i]
	ck := sp.cost[sp.pos[k]]
	kap := sp.capIn(k)
	g, dg := clampFlow(S, kap)
	flow, dS = g, dg
	var C float64
	for j, kk := range sp.ord {
		if kk == k {
			continue
		}
		C += sp.capIn(kk)
		P, dP := sp.tieStep(kk, j > sp.pos[k], ck-sp.cost[j])
		gl, dgl := clampFlow(S-C, kap)
		flow += P * (gl - g)
		dS += P * (dgl - dg)
		dc += dP * (gl - g)
		g, dg = gl, dgl
	}
	return flow, dS, dc
}

// segFlowRef is segFlow with every corridor's term added.
func segFlowRef(w *workspace, i, k int, S float64) (t float64, tc int8) {
	sp := &w.sup[i]
	kp := sp.capIn(k)
	ck := sp.cost[sp.pos[k]]
	g, _ := clampFlow(S, kp)
	t = g
	var C float64
	for j, kk := range sp.ord {
		if kk == k {
			continue
		}
		C += sp.capIn(kk)
		var P float64
		switch {
		case sp.pref[kk]:
			if j < sp.pos[k] {
				P = 1
			}
		case j < sp.pos[k]: // kk sorts ahead: k's cost less dtie
			P, _ = smoothStep(ck - sp.dtie[k] - sp.cost[j] - segTie - 0.5*tieWidth)
		default:
			P, _ = smoothStep(ck - sp.disc[k] - sp.cost[j] - segTie - 0.5*tieWidth)
		}
		gl, _ := clampFlow(S-C, kp)
		t += P * (gl - g)
		g = gl
	}
	switch {
	case t >= kp:
		return kp, 1
	case t <= 0:
		return 0, -1
	}
	return t, 0
}

// MCDrawsReuse runs draws 0 … n−1 of MonteCarlo's stream for seed on
// one worker twice, each draw's simulators new and each taking the last
// draw's storage (mcRunner.pair, newPairSimFrom), into fresh rows. It
// returns the first draw whose row, metrics, failure or shared prefix
// differ bit for bit between the two (−1: none) and how many draws took
// the last draw's storage.
func MCDrawsReuse(scen, cf *Spec, unc []Uncertain, seed uint64, n int) (differ, reused int, err error) {
	cal, err := Calibrate(scen.Market)
	if err != nil {
		return 0, 0, err
	}
	layout := newMCLayout(cal, scen)
	defs := metricDefs(cal.Market)
	C := layout.cells()
	mk := func() *mcRunner {
		return &mcRunner{scen: scen, cf: cf, unc: unc, seed: seed, layout: layout, acc: newMetricAcc(defs)}
	}
	a, b := mk(), mk()
	bits := func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
	}
	for d := 0; d < n; d++ {
		ra, rb := make([]float64, 2*C), make([]float64, 2*C)
		ma, mb := make([]float64, len(defs)), make([]float64, len(defs))
		a.pair, a.specs = nil, [2]*specMem{} // new simulators, the specs new clones
		fa, sa := a.draw(context.Background(), d, ra, ma)
		last := b.pair
		fb, sb := b.draw(context.Background(), d, rb, mb)
		if last != nil && b.pair != last && b.pair.s == last.s && b.pair.c == last.c {
			reused++
		}
		if fa != fb || sa != sb || a.pre != b.pre || a.rejected != b.rejected || !bits(ra, rb) || !bits(ma, mb) {
			return d, reused, nil
		}
	}
	return -1, reused, nil
}

// PolicyGenerationsHold steps the month policies of spec's path
// (pathSim.setPolicy, the draws' and the pair's) and checks what the
// generations promise: a month that keeps the last month's value
// generation (Policy.vgen) has every value but DemandScale's equal to
// the last month's bit for bit, and one that keeps the route generation
// (Policy.gen) its route fields. It returns the first month that breaks
// either (−1: none) and how many months kept each generation.
func PolicyGenerationsHold(spec *Spec) (bad, keptV, keptR int, err error) {
	cal, err := Calibrate(spec.Market)
	if err != nil {
		return 0, 0, 0, err
	}
	ps, err := newPathSim(cal, spec)
	if err != nil {
		return 0, 0, 0, err
	}
	fl := ps.pol.flat
	var demand [2]int
	route := make([]bool, len(fl.f)) // per value: a route field's
	for f := range policyFields {
		pf := &policyFields[f]
		if pf.bools != nil {
			continue
		}
		sp := fl.span[f]
		if pf.name == "demand_scale" {
			demand = sp
		}
		for k := sp[0]; k < sp[1]; k++ {
			route[k] = pf.shape == perRoute
		}
	}
	var lastF []float64
	var lastB []bool
	var gen, vgen uint64
	bad = -1
	for k := 0; k < spec.Months(); k++ {
		ps.setPolicy(k, spec.Start+Month(k))
		if k > 0 && (ps.pol.vgen == vgen || ps.pol.gen == gen) {
			sameV, sameR := slices.Equal(lastB, fl.b), slices.Equal(lastB, fl.b)
			for j, x := range fl.f {
				if math.Float64bits(x) == math.Float64bits(lastF[j]) {
					continue
				}
				if j < demand[0] || j >= demand[1] {
					sameV = false
				}
				if route[j] {
					sameR = false
				}
			}
			if ps.pol.vgen == vgen {
				keptV++
			}
			if ps.pol.gen == gen {
				keptR++
			}
			if bad < 0 && (ps.pol.vgen == vgen && !sameV || ps.pol.gen == gen && !sameR) {
				bad = k
			}
		}
		if ps.pol.vgen == 0 || ps.pol.gen == 0 {
			return k, keptV, keptR, nil
		}
		gen, vgen = ps.pol.gen, ps.pol.vgen
		lastF, lastB = slices.Clone(fl.f), slices.Clone(fl.b)
	}
	return bad, keptV, keptR, nil
}

// SetEagerWeights makes every evaluation scatter its routes' weights to
// w.w at once (eagerWeights) and returns a function that restores the
// lazy scatter.
func SetEagerWeights() (restore func()) {
	eagerWeights = true
	return func() { eagerWeights = false }
}

// workspaceDiff returns the first field in which a's Solver and
// workspace differ from b's (reflect.DeepEqual; "" when none does), all
// but the workspace's storage (mem).
func workspaceDiff(a, b *Solver) string {
	if a.Tol != b.Tol || a.MaxIter != b.MaxIter || a.MaxSweeps != b.MaxSweeps {
		return "the Solver's settings"
	}
	av, bv := reflect.ValueOf(a.ws).Elem(), reflect.ValueOf(b.ws).Elem()
	for f := 0; f < av.NumField(); f++ {
		name := av.Type().Field(f).Name
		if name == "mem" {
			continue
		}
		x := reflect.NewAt(av.Field(f).Type(), av.Field(f).Addr().UnsafePointer()).Elem().Interface()
		y := reflect.NewAt(bv.Field(f).Type(), bv.Field(f).Addr().UnsafePointer()).Elem().Interface()
		if !reflect.DeepEqual(x, y) {
			return name
		}
	}
	return ""
}

// SolverRenewal runs each spec's path in turn on one simulator, each
// next path's taking the last one's storage (newPathSimFrom, whose
// Solver is made anew in the last one's: newSolverFrom), and on a new
// simulator. It returns the first path whose renewed Solver differs
// from the new one's before the path (workspaceDiff: which field) or
// whose months' Solutions or Results differ bit for bit (−1, "": none),
// the most facilities and tied-corridor segments a workspace had, and
// how many paths' Solvers were made in the last one's storage.
func SolverRenewal(specs []*Spec) (bad int, field string, facilities, segments, renewals int, err error) {
	var old *pathSim
	for j, spec := range specs {
		cal, err := Calibrate(spec.Market)
		if err != nil {
			return 0, "", 0, 0, 0, err
		}
		fresh, err := newPathSim(cal, spec)
		if err != nil {
			return 0, "", 0, 0, 0, err
		}
		var last *Solver
		if old != nil {
			last = old.solver
		}
		renewed, err := newPathSimFrom(old, cal, spec)
		if err != nil {
			return 0, "", 0, 0, 0, err
		}
		if renewed.solver == last {
			renewals++
		}
		old = renewed
		facilities, segments = max(facilities, len(fresh.solver.ws.rho)), max(segments, len(fresh.solver.ws.segs))
		if d := workspaceDiff(renewed.solver, fresh.solver); d != "" {
			return j, d, facilities, segments, renewals, nil
		}
		var got, want [][]uint64
		for _, p := range []struct {
			ps  *pathSim
			out *[][]uint64
		}{{renewed, &got}, {fresh, &want}} {
			for k := 0; k < spec.Months(); k++ {
				t := spec.Start + Month(k)
				p.ps.setPolicy(k, t)
				res, err := p.ps.solve(k, t)
				if err != nil {
					return 0, "", 0, 0, 0, err
				}
				sol := p.ps.sol
				b := []uint64{math.Float64bits(sol.Benchmark), uint64(res.Status), uint64(res.Evaluations), uint64(res.Iterations), math.Float64bits(res.MaxResidual)}
				eachValue(sol, func(v *float64) { b = append(b, math.Float64bits(*v)) })
				*p.out = append(*p.out, b)
			}
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			return j, "", facilities, segments, renewals, nil
		}
	}
	return -1, "", facilities, segments, renewals, nil
}

// SlabPoison is the bit pattern PoisonSlabs has solutionSlab write into
// every float it carves: a quiet NaN whose payload no computation of
// fill produces.
const SlabPoison = 0x7ff8_dead_beef_0bad

// PoisonSlabs makes solutionSlab fill every float it carves with
// SlabPoison until the returned func is called, so that Unwritten can
// find what fill left unwritten in a stored Solution.
func PoisonSlabs() (restore func()) {
	slabPoison = SlabPoison
	return func() { slabPoison = 0 }
}

// Unwritten lists the float fields of s (every []float64 and [][]float64
// field, found by reflection, so a new output is checked too) that hold
// SlabPoison's bits somewhere, with the first index.
func Unwritten(s *Solution) []string {
	var out []string
	v := reflect.ValueOf(s).Elem()
	for f := 0; f < v.NumField(); f++ {
		name := v.Type().Field(f).Name
		switch x := v.Field(f).Interface().(type) {
		case []float64:
			if i := slices.IndexFunc(x, isPoison); i >= 0 {
				out = append(out, fmt.Sprintf("%s[%d]", name, i))
			}
		case [][]float64:
			for i, row := range x {
				if j := slices.IndexFunc(row, isPoison); j >= 0 {
					out = append(out, fmt.Sprintf("%s[%d][%d]", name, i, j))
					break
				}
			}
		}
	}
	return out
}

func isPoison(x float64) bool { return math.Float64bits(x) == SlabPoison }

// SetCycleSkip turns the bracketing fallback's cycle test (cycle.go) on
// or off, for tests that compare runs with and without it.
func SetCycleSkip(on bool) (restore func()) {
	old := cycleSkipOn
	cycleSkipOn = on
	return func() { cycleSkipOn = old }
}

// MCTol is the solver tolerance of Monte Carlo draws (mcTol).
const MCTol = mcTol

// SimulatePairTol simulates the pair scen, cf as SimulatePair does, each
// month solved to relative residual tol, and visits every month's
// Solutions (the simulators' own: copy what you keep).
func SimulatePairTol(scen, cf *Spec, tol float64, visit func(k int, t Month, s, c *Solution)) error {
	calS, calC, err := calibratePair(scen, cf)
	if err != nil {
		return err
	}
	p, err := newPairSim(scen, cf, calS, calC)
	if err != nil {
		return err
	}
	p.s.solver.Tol, p.c.solver.Tol = tol, tol
	return p.run(context.Background(), func(k int, t Month, ss, cs *Solution, rs, rc Result) error {
		if rs.Status != Converged || rc.Status != Converged {
			return fmt.Errorf("month %v: %v, %v", t, rs.Status, rc.Status)
		}
		visit(k, t, ss, cs)
		return nil
	})
}

// DrawCalibrations returns Monte Carlo draw d's specs (as DrawSpecs) and
// the Calibrated its run takes (calibratePairWith, as mcRunner.draw
// calls it), and which of them the conduct rule built while it checked
// the draw (drawSpecs: the run then calibrates that market no more).
func DrawCalibrations(scen, cf *Spec, unc []Uncertain, seed uint64, d int) (s, c *Spec, calS, calC *Calibrated, ruleS, ruleC bool, err error) {
	s, c, cal, _, why := drawSpecs(scen, cf, unc, seed, d, nil)
	if why != "" {
		return nil, nil, nil, nil, false, false, fmt.Errorf("draw %d: %s", d, why)
	}
	calS, calC, err = calibratePairWith(s, c, cal, true)
	return s, c, calS, calC, cal.s != nil && cal.s == calS, cal.c != nil && cal.c == calC, err
}

// MarketsEqual reports whether markets a and b hold the same values
// (marketsEqual).
func MarketsEqual(a, b *Market) bool { return marketsEqual(a, b) }

// SolvePathMonthAttempts simulates spec's path up to the month before t
// as Simulate does, then solves month t from the warm start with the
// Solver's MaxIter and MaxSweeps set to maxIter and maxSweeps, and
// returns its Solution and Result with the Result and FOB prices of each
// of its attempts, in order, when it made more than one (pathSim.solve).
func SolvePathMonthAttempts(spec *Spec, t Month, maxIter, maxSweeps int) (*Solution, Result, []Result, [][]float64, error) {
	cal, err := Calibrate(spec.Market)
	if err != nil {
		return nil, Result{}, nil, nil, err
	}
	ps, err := newPathSim(cal, spec)
	if err != nil {
		return nil, Result{}, nil, nil, err
	}
	k0 := int(t - spec.Start)
	if k0 < 0 || k0 >= spec.Months() {
		return nil, Result{}, nil, nil, fmt.Errorf("month %v not in %v..%v", t, spec.Start, spec.End)
	}
	for k := 0; k < k0; k++ {
		ps.setPolicy(k, spec.Start+Month(k))
		if _, err := ps.solve(k, spec.Start+Month(k)); err != nil {
			return nil, Result{}, nil, nil, err
		}
	}
	ps.setPolicy(k0, t)
	ps.solver.MaxIter, ps.solver.MaxSweeps = maxIter, maxSweeps
	var rs []Result
	var fobs [][]float64
	attemptCheck = func(res Result, sol *Solution) {
		rs = append(rs, res)
		fobs = append(fobs, append([]float64(nil), sol.FOB...))
	}
	defer func() { attemptCheck = nil }()
	res, err := ps.solve(k0, t)
	return ps.sol, res, rs, fobs, err
}

// PairPooled reports whether SimulatePair's pool holds a finished pair's
// simulators (for the next pair to take), leaving it as it was.
func PairPooled() bool {
	p, _ := pairPool.Get().(*pairSim)
	if p == nil {
		return false
	}
	pairPool.Put(p)
	return true
}
