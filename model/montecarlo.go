package model

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
)

const (
	// mcBlock is the number of draws computed between two merges into
	// the percentile store. Fixed, so results do not depend on workers.
	mcBlock = 64
	// mcExactBytes bounds the memory of the rows kept for exact
	// percentiles (and the pilot of the histograms).
	mcExactBytes = 160 << 20
	// mcTol is the solver tolerance of Monte Carlo draws (relative
	// market-clearing residual; single runs use DefaultTol 1e-12). Against
	// 1e-12 it saves 9 % of the draws' evaluations and 12 % of their Newton
	// iterations (us-relief-2025); over 1,000 draws it moves no band figure
	// of at least 1 % of its series' largest value by more than 1.2e-7
	// relative, over 10,000 (histograms, and, before 7 Dec 2026, two draws that
	// reached a spurious root in one month: docs/MODEL.md §3.9) up to 3e-3,
	// within the bands' sampling error (docs/MODEL.md §9.1). 1e-9 would save 3.7 % of the evaluations and
	// move 1,000 draws' bands by up to 2.5e-4 (docs/SPEED.md).
	mcTol = 1e-10
	// MCExactMax is the largest number of draws whose percentiles are
	// exact whatever the market size; bigger markets keep fewer (see
	// exactCap).
	MCExactMax = 2048
)

// mcExactLimit is MCExactMax; tests lower it to exercise the histograms.
var mcExactLimit = MCExactMax

// exactCap returns how many draws may keep their rows (at least one
// block): the percentiles are exact up to this many draws.
func exactCap(cells int) int {
	n := mcExactBytes / (16 * max(cells, 1))
	return max(min(n, mcExactLimit), mcBlock)
}

// mcSeries is one reported series: variable j of entity e.
type mcSeries struct {
	def    *varDef
	e      int
	entity string
}

// mcLayout fixes the reported series and months of a run. In a draw's
// row, month k holds the series from k·len(series); variable j's entities
// are contiguous from vars[j].off.
type mcLayout struct {
	series []mcSeries
	vars   []mcVar
	// rest are the variables that are not bound (mcVar.bound), which
	// mcRunner.draw writes into the row from each month's Solution.
	rest   []mcVar
	months int
	from   int // first month of the report window
}

type mcVar struct {
	def    *varDef
	off, n int
	// bound: the variable is a Solution field (varDef.field), which a
	// draw's months are solved straight into (mcLayout.binds); false for
	// a variable computed from several fields, or a second variable of
	// the same field.
	bound bool
}

func newMCLayout(cal *Calibrated, spec *Spec) *mcLayout {
	l := &mcLayout{months: spec.Months(), from: reportFrom(spec)}
	probe := NewSolution(cal) // to tell the fields apart
	bound := map[any]bool{}
	for j := range varDefs {
		d := &varDefs[j]
		names := EntityNames(cal, d.Entity)
		v := mcVar{def: d, off: len(l.series), n: len(names)}
		if f := fieldOf(&d.field, probe); f != nil && !bound[f] {
			v.bound, bound[f] = true, true
		} else {
			l.rest = append(l.rest, v)
		}
		l.vars = append(l.vars, v)
		for e := range names {
			l.series = append(l.series, mcSeries{def: d, e: e, entity: names[e]})
		}
	}
	return l
}

// fieldOf returns sf's field of sol (a *[]float64 or *[][]float64), or
// nil when sf names none.
func fieldOf(sf *solField, sol *Solution) any {
	switch {
	case sf.vec != nil:
		return sf.vec(sol)
	case sf.mat != nil:
		return sf.mat(sol)
	}
	return nil
}

// solBind is one slice of a Solution that a bound variable's values are
// (the field, or one row of it) and their place in a month of a row,
// off … end−1 (end − off the slice's length, never 0).
type solBind struct {
	p        *[]float64
	off, end int
}

// binds appends to b sol's slices of the layout's bound variables, each
// cut to a capacity of its length. bindMonth then points them at a month
// of a row, so that Solve writes the month's values of those variables
// there, as fillAll would copy them (TestDrawRowsBound). Empty slices
// are left as they are: they have nothing to write.
func (l *mcLayout) binds(sol *Solution, b []solBind) []solBind {
	bind := func(f *[]float64, off int) {
		if n := len(*f); n > 0 {
			*f = (*f)[:n:n]
			b = append(b, solBind{f, off, off + n})
		}
	}
	for _, v := range l.vars {
		if !v.bound {
			continue
		}
		if v.def.field.vec != nil {
			bind(v.def.field.vec(sol), v.off)
			continue
		}
		rows, off := *v.def.field.mat(sol), v.off
		for i := range rows {
			bind(&rows[i], off)
			off += len(rows[i])
		}
	}
	return b
}

// bindMonth points each slice of b at its values in month (a row from a
// month's first value), keeping its length and capacity (binds made
// them equal).
func bindMonth(b []solBind, month []float64) {
	for _, x := range b {
		*x.p = month[x.off:x.end:x.end]
	}
}

// cells is the number of level cells per path: series × months.
func (l *mcLayout) cells() int { return len(l.series) * l.months }

// errDrawFailed stops a draw's simulation at its first non-converged month.
var errDrawFailed = errors.New("draw failed")

// mcRunner simulates draws on one goroutine.
type mcRunner struct {
	scen, cf *Spec
	unc      []Uncertain
	seed     uint64
	layout   *mcLayout
	acc      *metricAcc
	rejected int // candidates the last draw rejected (drawSpecs)
	// pre is the last draw's shared prefix in level cells: its months
	// before the first the counterfactual solves on its own, times the
	// series (every month when it never does).
	pre int
	// bindS, bindC are the draw's Solutions' slices bound to its row
	// (mcLayout.binds), kept for the next draw's.
	bindS, bindC []solBind
	// drivers are scen's and cf's driverTables, made at the first draw.
	drivers *[2]*driverTable
	// pair is the last draw's simulators, whose storage the next draw's
	// take (newPairSimFrom).
	pair *pairSim
	// specs are two storages of a draw's clones (drawSpecs), pairSpecs
	// the one pair's specs are in: a draw clones its candidates into the
	// other, as pair holds its specs until newPairSimFrom replaces it.
	specs     [2]*specMem
	pairSpecs int
	// fullFill (tests: DrawRow) has the draw's months fill every output
	// of their Solutions, as a single run's; otherwise fill leaves out
	// what no band, total or check reads (workspace.drawFill).
	fullFill bool
}

// draw simulates draw d into row (2·cells values) and mrow (metrics). It
// returns "" on success, else why the draw failed and the status of the
// failure (Failure when no month's status applies). The row's
// counterfactual half is written from r.pre on: the months before, which
// the counterfactual shares with the scenario, are the scenario half's
// (bandStore.forTiles reads them there).
func (r *mcRunner) draw(ctx context.Context, d int, row, mrow []float64) (string, Status) {
	t := 1 - r.pairSpecs
	if r.specs[t] == nil {
		r.specs[t] = newSpecMem()
	}
	s, c, cal, rejected, why := drawSpecs(r.scen, r.cf, r.unc, r.seed, d, r.specs[t])
	r.rejected = rejected
	if why != "" {
		return why, Failure
	}
	if s.Start != r.scen.Start || s.End != r.scen.End || c.Start != r.cf.Start || c.End != r.cf.End {
		return "an uncertain parameter changes the horizon", Failure
	}
	calS, calC, err := calibratePairWith(s, c, cal, true) // s and c are the draw's clones
	if err != nil {
		return err.Error(), Failure
	}
	p, err := newPairSimFrom(r.pair, s, c, calS, calC)
	if err != nil {
		r.pair = nil // it may have taken part of the last pair's storage
		return err.Error(), Failure
	}
	r.pair, r.pairSpecs = p, t
	p.s.solver.Tol, p.c.solver.Tol = mcTol, mcTol
	p.s.solver.ws.drawFill, p.c.solver.ws.drawFill = !r.fullFill, !r.fullFill
	if r.drivers == nil {
		r.drivers = &[2]*driverTable{newDriverTable(r.scen), newDriverTable(r.cf)}
	}
	p.s.useDrivers(r.drivers[0])
	p.c.useDrivers(r.drivers[1])
	l := r.layout
	C := l.cells()
	ns := len(l.series)
	// Each month is solved into the row (binds, bindMonth): the scenario's
	// into month k of the row, the counterfactual's own months into its
	// half.
	solS, solC := p.s.sol, p.c.sol
	r.bindS, r.bindC = l.binds(solS, r.bindS[:0]), l.binds(solC, r.bindC[:0])
	p.s.into = func(k int) *Solution { bindMonth(r.bindS, row[k*ns:]); return solS }
	p.c.into = func(k int) *Solution { bindMonth(r.bindC, row[C+k*ns:]); return solC }
	r.acc.reset()
	r.pre = C
	failure, fstatus := "", Converged
	finite := true // every value written so far is finite
	err = p.run(ctx, func(k int, t Month, ss, cs *Solution, rs, rc Result) error {
		if rs.Status != Converged || rc.Status != Converged {
			which, res := "scenario", rs
			if rs.Status == Converged {
				which, res = "counterfactual", rc
			}
			failure, fstatus = fmt.Sprintf("%s, month %v: %v (residual %.3g): %s", which, t, res.Status, res.MaxResidual, res.Reason), res.Status
			return errDrawFailed
		}
		base := k * ns
		for _, v := range l.rest {
			o := base + v.off
			v.def.fillAll(calS, ss, row[o:o+v.n])
		}
		finite = finite && allFinite(row[base:base+ns])
		if cs != ss { // not a shared month: the counterfactual is its own
			r.pre = min(r.pre, base)
			for _, v := range l.rest {
				o := base + v.off
				v.def.fillAll(calC, cs, row[C+o:C+o+v.n])
			}
			finite = finite && allFinite(row[C+base:C+base+ns])
		}
		if k >= l.from {
			r.acc.add(ss, cs)
		}
		return nil
	})
	if failure != "" {
		return failure, fstatus
	}
	if err != nil {
		return err.Error(), Failure
	}
	if !finite { // name the first value, in row order (a shared month's counterfactual is its scenario's)
		for q, v := range row {
			if q >= C && q < C+r.pre {
				continue
			}
			if !distFinite(v) {
				q %= C
				se := &l.series[q%ns]
				return fmt.Sprintf("month %v: %s of %s is not finite", r.scen.Start+Month(q/ns), se.def.Name, se.entity), Failure
			}
		}
	}

	r.acc.values(mrow)
	if err := checkBounds(r.acc.defs, mrow); err != nil {
		return err.Error(), Failure
	}
	return "", Failure
}

// allFinite reports whether every value of x is finite, with one
// multiply-add per value (four independent sums): v·0 is NaN for NaN and
// ±Inf, 0 otherwise. mcRunner.draw checks each month's values as they
// are written, while they are in the cache. Where the processor has
// AVX2 (haveBatchAsm), whole turns of 16 values are tested by
// finiteAVX2, the same sums four lanes at a time.
func allFinite(x []float64) bool {
	if n := len(x) &^ 15; haveBatchAsm && n > 0 {
		if !finiteAVX2(&x[0], n) {
			return false
		}
		x = x[n:]
	}
	var z0, z1, z2, z3 float64
	for ; len(x) >= 4; x = x[4:] {
		z0 += x[0] * 0
		z1 += x[1] * 0
		z2 += x[2] * 0
		z3 += x[3] * 0
	}
	for _, v := range x {
		z0 += v * 0
	}
	return z0+z1+z2+z3 == 0
}

// drawSpecs returns clones of scen and cf with draw d's values of unc
// applied (MonteCarlo's stream: rand.NewPCG(seed, d), one uniformOpen
// variate per Uncertain in order per candidate; the draw is the first
// candidate that keeps the joint rules, JointRules, of at most
// MaxDrawCandidates), the number of candidates rejected before it, or why
// a value could not be applied or no candidate kept the rules. cal holds
// the Calibrated of the draw's markets that the conduct rule built
// (drawRulesCal; the draw's clones are handed over, so each keeps its
// market as calibratePairOwn's would): the draw's run takes them
// instead of calibrating again. mem, when not nil, is rewound for each
// candidate and holds its clones (Spec.cloneIn): those of an earlier
// call must no longer be used.
func drawSpecs(scen, cf *Spec, unc []Uncertain, seed uint64, d int, mem *specMem) (s, c *Spec, cal pairCal, rejected int, why string) {
	rng := rand.New(rand.NewPCG(seed, uint64(d)))
	gs, err := copulaPlan(unc)
	if err != nil {
		return nil, nil, pairCal{}, 0, err.Error()
	}
	if mem == nil {
		mem = new(specMem) // not kept: every clone new, as Clone makes it
	}
	for {
		mem.rewind()
		s, c = scen.cloneIn(mem), cf.cloneIn(mem)
		if why := applyCandidate(rng, s, c, unc, gs); why != "" {
			return nil, nil, pairCal{}, rejected, why
		}
		_, broken, cal := drawRulesCal(s, c, true)
		if broken == "" {
			return s, c, cal, rejected, ""
		}
		if rejected++; rejected == MaxDrawCandidates {
			return nil, nil, pairCal{}, rejected, fmt.Sprintf("all %d candidates break a joint rule (the last: %s)", MaxDrawCandidates, broken)
		}
	}
}

// uniformOpen returns a uniform variate in (0, 1).
func uniformOpen(rng *rand.Rand) float64 {
	for {
		if u := rng.Float64(); u > 0 {
			return u
		}
	}
}

// MonteCarlo draws the uncertain parameters opts.Draws times, recalibrates
// each draw to the base year, and simulates scenario and counterfactual with
// the same draw (common random numbers). Draw d uses
// rand.NewPCG(opts.Seed, d): for each Uncertain in order one uniform
// variate u in (0,1) and the value Dist.Quantile(u), applied to clones of
// both Specs (the variates of the members of a Copula correlated first,
// Copula.Correlate: Uncertain.Copula); a candidate that breaks a joint rule (JointRules) is
// rejected and the next is drawn from the same stream (a prior truncated
// by the rules; MCResult.Rejected counts them). A draw with a non-converged month in either path (or a
// calibration error, or a non-finite output) is counted in Failed and
// left out of every band and total.
//
// Bands cover every Variable × entity × month (levels of both paths and
// differences); Totals hold every headline metric (MetricList) per
// converged draw. Percentiles are exact up to exactCap draws (MCExactMax
// for small markets) and come from fixed-bin histograms beyond (accuracy
// in docs/MODEL.md, section 9). Memory is bounded in the number of draws
// except for the Totals (8 bytes × metrics × draws). Results are
// bit-identical for a seed whatever opts.Workers.
func MonteCarlo(ctx context.Context, scenario, counterfactual *Spec, unc []Uncertain, opts MCOptions) (*MCResult, error) {
	if opts.Draws <= 0 {
		return nil, optionErr("monte carlo: draws %d must be positive", opts.Draws)
	}
	if err := checkSpec(scenario); err != nil {
		return nil, err
	}
	if err := checkSpec(counterfactual); err != nil {
		return nil, err
	}
	for k, u := range unc {
		if u.Dist == nil || u.Apply == nil {
			return nil, optionErr("monte carlo: uncertain parameter %d (%s) has no distribution or no Apply", k, u.Name)
		}
	}
	if _, err := copulaPlan(unc); err != nil {
		return nil, err
	}
	// Check the set-up once with every parameter at its central value.
	s0, c0 := scenario.Clone(), counterfactual.Clone()
	for _, u := range unc {
		if err := u.Apply(s0, u.Central); err != nil {
			return nil, fmt.Errorf("monte carlo: %s: %w", u.Name, err)
		}
		if err := u.Apply(c0, u.Central); err != nil {
			return nil, fmt.Errorf("monte carlo: %s (counterfactual): %w", u.Name, err)
		}
	}
	cal0, calC0, err := calibratePair(s0, c0)
	if err != nil {
		return nil, err
	}
	if _, err := newPairSim(s0, c0, cal0, calC0); err != nil {
		return nil, err
	}

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	layout := newMCLayout(cal0, scenario)
	defs := metricDefs(cal0.Market)
	C := layout.cells()
	capN := exactCap(C)
	draws := opts.Draws
	store := newBandStore(C, workers)
	exactRegime := draws <= capN
	if exactRegime {
		store.exact = make([][]float64, draws)
		store.exactOK = make([]bool, draws)
		store.exactPre = make([]int, draws)
		buf := make([]float64, draws*2*C)
		for d := range store.exact {
			store.exact[d] = buf[d*2*C : (d+1)*2*C : (d+1)*2*C]
		}
	}

	runners := make([]*mcRunner, workers)
	for w := range runners {
		runners[w] = &mcRunner{
			scen: scenario, cf: counterfactual, unc: unc, seed: opts.Seed,
			layout: layout, acc: newMetricAcc(defs),
		}
	}

	res := &MCResult{Draws: draws, Seed: opts.Seed, Months: make([]Month, layout.months)}
	for k := range res.Months {
		res.Months[k] = scenario.Start + Month(k)
	}
	nm := len(defs)
	totals := make([][]float64, nm)
	for m := range totals {
		totals[m] = make([]float64, 0, draws)
	}

	// The draws run on the workers (mcPipe); each finished block is
	// merged here, in block order, while the next blocks' draws run.
	pipe := newMCPipe(draws, nm, C, store.exact)
	err = pipe.run(ctx, runners, func(b *mcBlockBuf) {
		d0, nb := b.block*mcBlock, b.n
		d1 := d0 + nb
		// In draw order: failures and totals.
		for j := 0; j < nb; j++ {
			res.Rejected += b.rejected[j]
			ok := b.fail[j] == ""
			b.ok[j] = ok
			if !ok {
				res.Failed++
				if res.FirstFailure == "" {
					res.FirstFailure = fmt.Sprintf("draw %d: %s", d0+j, b.fail[j])
				}
				res.Failures = append(res.Failures, DrawFailure{Draw: d0 + j, Status: b.status[j], Reason: b.fail[j]})
				continue
			}
			res.Converged++
			for m := 0; m < nm; m++ {
				totals[m] = append(totals[m], b.m[j*nm+m])
			}
		}
		// Merge into the percentile store. The pilot of the histograms
		// is the first block with a converged draw.
		switch {
		case exactRegime:
			copy(store.exactOK[d0:d1], b.ok[:nb])
			copy(store.exactPre[d0:d1], b.pre[:nb])
		case !store.started():
			if res.Converged > 0 {
				store.startHistograms(b.rows[:nb], b.ok[:nb], b.pre[:nb])
			}
		default:
			store.add(b.rows[:nb], b.ok[:nb], b.pre[:nb])
		}
		if opts.Progress != nil {
			opts.Progress(d1, draws)
		}
	})
	if err != nil {
		return nil, err
	}

	// Assemble the bands.
	bands := store.bands()
	res.Exact = exactRegime
	ns := len(layout.series)
	res.Series = make([]Series, ns)
	for q, se := range layout.series {
		sr := Series{
			Variable: se.def.Name,
			Entity:   se.entity,
			Unit:     se.def.Unit,
			Level:    make([]Band, layout.months),
			CfLevel:  make([]Band, layout.months),
			Diff:     make([]Band, layout.months),
		}
		for k := 0; k < layout.months; k++ {
			c := k*ns + q
			sr.Level[k] = bands[c]
			sr.CfLevel[k] = bands[C+c]
			sr.Diff[k] = bands[2*C+c]
		}
		res.Series[q] = sr
	}
	res.Totals = make([]TotalDist, nm)
	parallelCells(workers, nm, 1, func(_, m0, m1 int) {
		for m := m0; m < m1; m++ {
			vals := totals[m]
			band := exactBand(append([]float64(nil), vals...))
			res.Totals[m] = TotalDist{Metric: defs[m].Name, Unit: defs[m].Unit, Values: vals, Band: band}
		}
	})
	return res, nil
}

// SeriesOf returns the series of variable name for entity (e.g.
// "export_revenue", "Belarus"), or nil.
func (r *MCResult) SeriesOf(variable, entity string) *Series {
	for k := range r.Series {
		if r.Series[k].Variable == variable && r.Series[k].Entity == entity {
			return &r.Series[k]
		}
	}
	return nil
}

// Total returns the distribution of headline metric name, or nil.
func (r *MCResult) Total(metric string) *TotalDist {
	for k := range r.Totals {
		if r.Totals[k].Metric == metric {
			return &r.Totals[k]
		}
	}
	return nil
}
