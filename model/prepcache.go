package model

import (
	"math"
	"sync/atomic"
)

// routeCache keeps what prepare's route set-up (prepareRoutes) derived
// from a policy, so that the next prepare under the same route policy
// keeps it instead of setting up every route again and re-checking the
// fields it reads. The set-up depends on the policy's per-route fields
// (Ban, Wedge, Concession, RiskCost and the tariff-rate quotas'), on which
// regions have demand (lnA = −Inf or not), on which suppliers have some
// supply (smax > 0) and on the workspace's market. The route fields are
// the same when the policy is the same *Policy with the same nonzero
// generation (Policy.gen): a path's month policy keeps its generation
// while the events in force of the instruments that write route fields
// are the same (pathSim.generation), so it changes only in the months
// such an event ramps, starts or ends, while the other instruments
// (capacities, costs, demand, stocks) and the drivers may move the
// other fields, which prepare reads every time.
type routeCache struct {
	ok    bool    // the fields below are those of the last prepare's route set-up
	pol   *Policy // the policy it was made under
	gen   uint64  // and its generation then
	noDem []bool  // per region: lnA = −Inf
	some  []bool  // per supplier: smax > 0
	sells []bool  // per supplier: prepareRoutes' result
	tq    []trq   // the tariff-rate quotas as prepareRoutes made them
	// tau1 is w.tau1 as prepareRoutes left it (a solve moves the
	// quotas' routes: trqPrices).
	tau1 []float64
	// vpol and vgen are the policy the last check passed whole and its
	// value generation then (Policy.vgen; vpol nil: none).
	vpol *Policy
	vgen uint64
}

// policyGen hands out policy generations (Policy.gen), unique in the
// process.
var policyGen atomic.Uint64

// samePolicy reports whether pol is the flat policy of m the cached
// set-up was made under, with the same route fields.
func (rc *routeCache) samePolicy(pol *Policy, m *Market) bool {
	return rc.ok && pol != nil && pol == rc.pol && pol.gen != 0 && pol.gen == rc.gen && pol.flat != nil && pol.flat.m == m
}

// check is pol.check(m), but what an earlier prepare checked is not
// checked again: when pol is the policy the last check passed with the
// same value generation (Policy.vgen), only DemandScale, the one field
// its months move without a new one; otherwise, when keep (samePolicy),
// all but the route fields. An error is the one check returns.
func (rc *routeCache) check(pol *Policy, m *Market, keep bool) error {
	if pol != nil && pol == rc.vpol && pol.vgen != 0 && pol.vgen == rc.vgen && pol.flat != nil && pol.flat.m == m {
		if demandScaleCheck.firstBad(pol.DemandScale) >= 0 {
			return pol.checkFields(m)
		}
		return nil
	}
	var err error
	switch {
	case !keep:
		err = pol.check(m)
	case pol.flat.firstBadRun(false) >= 0:
		err = pol.checkFields(m)
	}
	if err == nil && pol.vgen != 0 {
		rc.vpol, rc.vgen = pol, pol.vgen
	}
	return err
}

// demandScaleCheck is the check of Policy.DemandScale's values.
var demandScaleCheck = func() valid {
	for f := range policyFields {
		if pf := &policyFields[f]; pf.name == "demand_scale" {
			return pf.check
		}
	}
	panic("model: no demand_scale policy field")
}()

// sameDemand reports whether the regions with no demand (lnA = −Inf) are
// the cached ones.
func (rc *routeCache) sameDemand(lnA []float64) bool {
	if len(lnA) != len(rc.noDem) {
		return false
	}
	for r, no := range rc.noDem {
		if math.IsInf(lnA[r], -1) != no {
			return false
		}
	}
	return true
}

// sameSupply reports whether the suppliers with some supply (smax > 0)
// are the cached ones.
func (rc *routeCache) sameSupply(sup []supplier) bool {
	if len(sup) != len(rc.some) {
		return false
	}
	for i, some := range rc.some {
		if sup[i].smax > 0 != some {
			return false
		}
	}
	return true
}

// save records w's route set-up, just made by prepareRoutes under pol
// (rc.sells already written), when pol has a generation.
func (rc *routeCache) save(w *workspace, pol *Policy) {
	if pol.gen == 0 || pol.flat == nil || pol.flat.m != w.c.Market {
		rc.ok = false
		return
	}
	rc.pol, rc.gen = pol, pol.gen
	rc.noDem = rc.noDem[:0]
	for _, l := range w.lnA[:w.R] {
		rc.noDem = append(rc.noDem, math.IsInf(l, -1))
	}
	rc.some = rc.some[:0]
	for i := range w.sup {
		rc.some = append(rc.some, w.sup[i].smax > 0)
	}
	rc.tq = append(rc.tq[:0], w.tq...)
	rc.tau1 = append(rc.tau1[:0], w.tau1...)
	rc.ok = true
}

// resetRoutes undoes on every route, as the last prepare left it, what a
// solve changes: the segments' e^(−z) and FOB multipliers (segPrices) and
// the concessions' Jacobian weights (concessionWeights, tiedWeights);
// restoreTRQ the quotas' rates. One pass over all routes: the route
// set-up is kept for every supplier or for none.
func (rc *routeCache) resetRoutes(w *workspace) {
	nr := w.n * w.R
	ez, ca, omd, dlt := w.ez[:nr], w.ca[:nr], w.omd[:nr], w.dlt[:nr]
	for k := range ez {
		ez[k] = 1
		ca[k] = 1
		omd[k] = 1 - dlt[k]
	}
}

// restoreTRQ puts back the tariff-rate quotas of the cached set-up and
// their routes' rates, the only ones of w.tau1 a solve moves (trqPrices,
// solveTRQ), and starts each quota's ψ at its lower bound, as prepareTRQ
// does.
func (rc *routeCache) restoreTRQ(w *workspace) {
	w.tq = append(w.tq[:0], rc.tq...)
	for t := range w.tq {
		w.y[w.n+t] = w.tq[t].lo
		k := w.tq[t].k
		w.tau1[k] = rc.tau1[k]
	}
}
