package model

import (
	"context"
	"fmt"
	"math"
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
	s, c, _, why := drawSpecs(scen, cf, unc, seed, d)
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
// Solution with fillAll.
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
	r := &mcRunner{scen: scen, cf: cf, unc: unc, seed: seed, layout: l, acc: newMetricAcc(defs)}
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
