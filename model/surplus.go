package model

import (
	"fmt"
	"math"
)

// fill writes every output of the solve at w.y into sol (docs/MODEL.md,
// section 6 "Outputs"), but for a Monte Carlo draw's solve (drawFill)
// the facilities' FacilityValue and FacilityUse, which its bands, totals
// and checks never read. It does not allocate.
func (w *workspace) fill(sol *Solution, pol *Policy) {
	c, m := w.c, w.c.Market
	n, R := w.n, w.R

	// Per route: flows and prices (also for banned routes), and each
	// region's sums over its routes, supplier after supplier (the sums of
	// CFR value and price paid in CFRPrice and PricePaid until they are
	// divided by the tonnes); each supplier's sums over its routes in the
	// same pass (routeSums, in route order: a route without flow adds
	// zero), then its other outputs (fillSupplier).
	tonnes, imports, bill := sol.Tonnes[:R], sol.Imports[:R], sol.ImportBill[:R]
	tariff, rent, risk, conc := sol.TariffRevenue[:R], sol.TRQRent[:R], sol.RiskCost[:R], sol.ConcessionReceived[:R]
	cfrSum, paidSum := sol.CFRPrice[:R], sol.PricePaid[:R]
	for _, v := range [...][]float64{tonnes, imports, bill, tariff, rent, risk, conc, cfrSum, paidSum} {
		clear(v)
	}
	for i := 0; i < n; i++ {
		p := w.p[i]
		closed := w.closed[i]
		if closed {
			p = reservationPrice(&w.sup[i])
		}
		sol.FOB[i] = p
		k0 := i * R
		flow, cfr, del := sol.Flow[i][:R], sol.CFR[i][:R], sol.Delivered[i][:R]
		open, xs, omd, fr := w.open[k0:k0+R], w.x[k0:k0+R], w.omd[k0:k0+R], w.fr[k0:k0+R]
		tau1, risk0, gov, ez, dlt := w.tau1[k0:k0+R], w.risk[k0:k0+R], w.gov[k0:k0+R], w.ez[k0:k0+R], w.dlt[k0:k0+R]
		home, domReg, domShare := c.Home[i], c.domReg[i], c.domShare[i]
		quotas := w.hasTRQ(k0, k0+R)
		var rs routeSums
		for r := 0; r < R; r++ {
			x := 0.0
			if open[r] && !closed {
				x = xs[r]
			}
			fob := p * omd[r] // FOB value per tonne received
			pi := fob + fr[r]
			flow[r] = x
			cfr[r] = pi
			del[r] = pi * tau1[r]
			if x == 0 {
				continue
			}
			tonnes[r] += x
			cfrSum[r] += pi * x
			paidSum[r] += pi * (tau1[r] - risk0[r]) * x
			risk[r] += pi * risk0[r] * x
			tariff[r] += pi * gov[r] * x
			cx := p * ez[r] * dlt[r] * x
			conc[r] += cx
			rs.S += x
			rs.rev += fob * x
			rs.conc += cx
			rs.segd += p * (1 - dlt[r]) * (1 - ez[r]) * x // the segments' discounts (segments.go)
			if quotas {
				if g, q, ok := w.trqSplit(k0+r, pi, x); ok {
					tariff[r] += g
					rent[r] += q
				}
			}
			if home != r {
				imp := x
				if domReg == r {
					imp -= domShare * x
					rs.dom += domShare * x
					rs.domRev += domShare * p * omd[r] * x
				}
				imports[r] += imp
				bill[r] += pi * imp
			} else {
				rs.dom += x
				rs.domRev += fob * x
			}
		}
		w.fillRS[i] = rs
	}
	lr, sr := w.mineCosts(w.fillRS[:n])
	for i := 0; i < n; i++ {
		w.fillSupplier(sol, pol, i, &w.fillRS[i], lr[i], sr[i])
	}
	if fillCheck != nil {
		fillCheck(w)
	}

	// Per region: the price index, the long-run curve's quantity and
	// the log in the consumer surplus, in batches (regionExps).
	Pv, Qv, Lv := w.regionExps()
	for r := 0; r < R; r++ {
		cfr, paid := cfrSum[r], paidSum[r]
		sol.CFRPrice[r], sol.PricePaid[r] = 0, 0
		// The long-run demand curve in force, s·A·P^(−ε): consumer
		// surplus is measured on it (section 6).
		eps := m.Regions[r].Eps
		if w.W[r] > 0 {
			P := Pv[r]
			sol.Traded[r] = true
			sol.PriceIndex[r] = P
			sol.Demand[r] = w.PQ[r] / P
			if t := tonnes[r]; t > 0 {
				sol.CFRPrice[r], sol.PricePaid[r] = cfr/t, paid/t
			}
			sol.ConsumerSurplus[r] = consumerSurplusFrom(P, Qv[r], eps, Lv[r])
			w.fillStocks(sol, r)
			continue
		}
		// No open variety: no trade, no price, no demand. The consumer
		// surplus is the base-price expenditure lost on the long-run curve
		// in force (the exact loss is unbounded for ε ≤ 1, which has no
		// finite choke price).
		sol.Traded[r] = false
		sol.PriceIndex[r], sol.Demand[r] = 0, 0
		sol.ConsumerSurplus[r] = 0
		if !math.IsInf(w.lnALR[r], -1) {
			sol.ConsumerSurplus[r] = -math.Exp(w.lnALR[r] + (1-eps)*math.Log(c.P0[r]))
		}
		w.fillStocks(sol, r)
	}
	sol.Benchmark = sol.CFRPrice[c.Bench]
	if w.drawFill {
		return
	}
	for f := range w.rho {
		sol.FacilityValue[f] = w.rho[f]
		sol.FacilityUse[f] = w.facUse(f)
	}
}

// regionExps returns, for each region that trades (W > 0), fill's
// price index P = fexp(ln P), the quantity on the long-run demand curve
// in force Q = fexp(ln A_LR − ε·flog(P)) (0 when A_LR is 0) and
// flog(P0/P) (consumerSurplusFrom), taken in three batches (fexpBatch,
// flogBatch: bit for bit the scalar calls) so that the regions' chains
// overlap. The other regions' entries are placeholders fill does not
// read. The slices are w.rgFill's, valid until the next call.
func (w *workspace) regionExps() (P, Q, L []float64) {
	c, R := w.c, w.R
	nb := batchLen(R)
	buf := w.rgFill[:5*nb]
	x, P, Q, l2 := buf[:nb], buf[nb:2*nb], buf[2*nb:3*nb], buf[3*nb:5*nb]
	for r := range x {
		x[r] = 0
		if r < R && w.W[r] > 0 {
			x[r] = w.lnP[r]
		}
	}
	fexpBatch(P, x)
	x2 := w.rgFill[5*nb : 7*nb]
	for r := range nb {
		x2[r], x2[nb+r] = 1, 1
		if r < R && w.W[r] > 0 {
			x2[r], x2[nb+r] = P[r], c.P0[r]/P[r]
		}
	}
	flogBatch(l2, x2)
	for r := range x {
		x[r] = 0
		if r < R && w.W[r] > 0 && !math.IsInf(w.lnALR[r], -1) {
			x[r] = w.lnALR[r] - c.Market.Regions[r].Eps*l2[r]
		}
	}
	fexpBatch(Q, x)
	for r := range R {
		if math.IsInf(w.lnALR[r], -1) {
			Q[r] = 0
		}
	}
	return P, Q, l2[nb:]
}

// mineCosts returns each supplier's long-run mine marginal cost
// (S/B)^(1/η) and its marginal cost on the curve in force (marginalCost),
// at its sales S = rs[i].S, zero where S ≤ 0: one log and an exp for each
// curve, taken in batches over the suppliers (flogBatch, fexpBatch: bit
// for bit the scalar calls) so that their chains overlap; where the two
// curves are the same (no Lag) the second is the first. The slices are
// w.supFill's, valid until the next call.
func (w *workspace) mineCosts(rs []routeSums) (lr, sr []float64) {
	n := len(rs)
	nb := batchLen(n)
	buf := w.supFill[:6*nb]
	x, l, a, e := buf[:nb], buf[nb:2*nb], buf[2*nb:4*nb], buf[4*nb:6*nb]
	for i := range x {
		x[i] = 1
		if i < n && rs[i].S > 0 {
			x[i] = rs[i].S
		}
	}
	flogBatch(l, x)
	for i := range x {
		a[i], a[nb+i] = 0, 0
		if i < n && rs[i].S > 0 {
			sp := &w.sup[i]
			a[i] = (l[i] - sp.lnBLR) / sp.etaLR
			if !sp.sameCurves() {
				a[nb+i] = (l[i] - sp.lnB) / sp.eta
			}
		}
	}
	fexpBatch(e, a)
	lr, sr = e[:n], e[nb:nb+n]
	for i := range rs {
		switch {
		case !(rs[i].S > 0):
			lr[i], sr[i] = 0, 0
		case w.sup[i].sameCurves():
			sr[i] = lr[i]
		}
	}
	return lr, sr
}

// hasTRQ reports whether a route k0 ≤ k < k1 has a tariff-rate quota in
// force in this solve (trqAt), so that fill looks the quotas up only on
// the routes of a supplier that has one.
func (w *workspace) hasTRQ(k0, k1 int) bool {
	for t := range w.tq {
		if k := w.tq[t].k; k >= k0 && k < k1 {
			return true
		}
	}
	return false
}

// routeSums are a supplier's sums over its routes (fill's route pass):
// sales S, revenue Σ p·(1 − δ)·x, concessions paid, domestic sales and
// their revenue, and the segments' discounts.
type routeSums struct {
	S, rev, conc, dom, domRev, segd float64
}

// fillSupplier writes supplier i's outputs: sales and their split, revenue
// and its uses, corridor flows, rents and producer surplus (docs/MODEL.md,
// section 6), from its sums over its routes rs (fill). The rents add up to
// the producer surplus:
//
//	NetbackRevenue − ExportTax = MarkupRent + (scarcity rent) + AdjustmentRent
//	                           + MineRent + RouteRent + FacilityRent + C(S),
//	C(S) = η/(η+1)·S·MC(S) on the long-run curve, MC(S) = (S/B)^(1/η).
func (w *workspace) fillSupplier(sol *Solution, pol *Policy, i int, rs *routeSums, mlr, msr float64) {
	c, m := w.c, w.c.Market
	sp := &w.sup[i]
	corr := m.Suppliers[i].Corridors
	cflow, cuse := sol.CorridorFlow[i][:len(corr)], sol.CorridorUse[i][:len(corr)]
	if sol.CorridorCap != nil && len(sol.CorridorCap[i]) == len(corr) {
		copy(sol.CorridorCap[i], pol.CorridorCap[i])
	}
	ps0 := c.netRev0[i] - c.cost0[i]
	if w.closed[i] {
		clear(cflow)
		clear(cuse)
		sol.FOBReceived[i] = sol.FOB[i]
		zero(sol, i)
		sol.Binding[i] = BindClosed
		sol.ProducerSurplus[i] = -ps0
		return
	}
	if sp.segOn {
		// Report the fill in plain cost order (the tie rule at z = 0,
		// sortPref, with a discount up to p̃·zTie not counted:
		// plainOrder): the solver's rule keeps a discounted tied corridor
		// first, which changes no flow at a solution but would change
		// which corridor carries the last tonne when all are full.
		// Where every discount is within p̃·zTie (dtie = disc, as at
		// z = 0), the plain order is the solver's: the curve the last
		// evaluation prepared at these capacities and costs is the one
		// a new sort would give, so it is kept (TestSupplyCurvesFresh
		// checks the curves after the fill: fillCheck).
		if !sameBits(sp.disc, sp.dtie) {
			copy(sp.disc, sp.dtie)
			sp.ready = false
			sp.prepareSupply(sp.ecap, sp.ecost, sp.shift, i, &w.thq)
			w.thq.flush(w.sup)
		}
	}
	p := w.p[i]
	S, rev, conc, dom, domRev, segd := rs.S, rs.rev, rs.conc, rs.dom, rs.domRev, rs.segd
	sol.Sales[i] = S
	sol.DomesticSales[i] = dom
	sol.Exports[i] = max(0, S-dom)
	sol.Revenue[i] = rev
	sol.ExportRev[i] = max(0, rev-domRev)
	sol.ConcessionPaid[i] = conc
	if sp.K > 0 {
		sol.CapacityUse[i] = S / sp.K
	} else {
		sol.CapacityUse[i] = 0
	}
	pbar := p // average FOB received
	if S > 0 {
		pbar = rev / S
	}
	sol.FOBReceived[i] = pbar

	// Corridor flows, cheapest first; logistics costs; the inframarginal
	// logistics rent against the corridor carrying the last tonne.
	// On a corridor step (the market clears where corridors up to jat
	// are full) the last tonne is on corridor jat, whichever side of
	// C_jat the sales S land on within the solver's tolerance: the next
	// corridor carries nothing.
	Sl := S
	if w.piece[i] == pieceCorridor && sp.jat < len(sp.cum) {
		Sl = min(S, sp.cum[sp.jat])
	}
	js := sp.lastCorridor(Sl)
	cstar := 0.0
	if js >= 0 {
		cstar = sp.cost[js]
	}
	// Corridors using a facility carry facFlow (the cheapest-first fill,
	// blended where costs tie); the others are filled cheapest first with
	// the rest.
	left := S
	if sp.dyn {
		for k, fi := range sp.fac {
			if fi >= 0 {
				v, _, _ := w.facFlow(i, k, S)
				cflow[k] = v
				left -= v
			}
		}
	}
	var logi, route, fac float64
	for j, k := range sp.ord {
		f := cflow[k]
		rho := 0.0
		if sp.dyn && sp.fac[k] >= 0 {
			rho = w.rho[sp.fac[k]]
		} else {
			if sp.segOn && sp.pref[k] {
				// A segment's corridor costs p̃·(1 − e^(−z)) more in the
				// fill than it pays: with rho, nobody is paid it.
				sg := &w.segs[sp.seg[k]]
				rho = sg.pt * (1 - sg.e)
			}
			f = max(0, min(left, sp.capIn(k)))
			cflow[k] = f
			left -= f
		}
		cuse[k] = 0
		if pc := sp.pcap[k]; pc > 0 {
			cuse[k] = f / pc
		}
		// A facility's shadow value is in the corridor's cost in force
		// (the fill), but nobody is paid it: the supplier keeps it as
		// its facility rent.
		logi += (sp.cost[j] - sp.tax - rho) * f
		if sp.dyn && sp.fac[k] >= 0 {
			fac += rho * f
			route += (cstar - sp.cost[j]) * f
		} else {
			route += (cstar - sp.cost[j] + rho) * f
		}
	}

	sol.FacilityRent[i] = fac
	tax := sp.tax * S
	nr := rev - logi
	sol.LogisticsCost[i] = logi
	sol.ExportTax[i] = tax
	sol.NetbackRevenue[i] = nr
	sol.Netback[i] = 0
	if S > 0 {
		sol.Netback[i] = nr / S
	}

	// Rents. m̃ = p̄·(1 − L − μ) − c_j* is the effective netback of the
	// last tonne, the price the mine-supply curve sees (oml = 1 − L − μ;
	// μ = 0 for a price-taker).
	meff := pbar*sp.oml - cstar
	if segd > 0 {
		// Segments (segments.go): the fill's costs in force include a
		// segment corridor's discount p̃·(1 − e^(−z)), so m̃ is on the
		// price before the discounts, and the route rents are net of
		// them, at (1 − L − μ) (the base markup rent is on revenue received).
		meff = (rev+segd)/S*sp.oml - cstar
		route -= sp.oml * segd
	}
	sol.MarginalCost[i] = mlr
	sol.MarkupRent[i] = (1 - sp.oml) * pbar * S
	sol.ConductMarkup[i] = w.mu[i]
	sol.CorridorRent[i], sol.CapacityRent[i], sol.QuotaRent[i] = 0, 0, 0
	var scarce float64
	switch w.piece[i] { // from the last eval, at this point
	case pieceCorridor:
		sol.Binding[i] = BindCorridor
		scarce = (meff - msr) * S
		sol.CorridorRent[i] = scarce
	case pieceCapacity:
		sol.Binding[i] = BindCapacity
		scarce = (meff - msr) * S
		sol.CapacityRent[i] = scarce
	case pieceQuota:
		sol.Binding[i] = BindQuota
		scarce = (meff - msr) * S
		sol.QuotaRent[i] = scarce
	default:
		sol.Binding[i] = BindNone
	}
	sol.AdjustmentRent[i] = (meff-mlr)*S - scarce
	k := sp.etaLR / (sp.etaLR + 1)
	sol.MineRent[i] = (1 - k) * S * mlr
	sol.RouteRent[i] = route
	v := nr - tax - k*S*mlr - ps0
	if !finite(v) {
		v = 0
	}
	sol.ProducerSurplus[i] = v
}

// fillCheck, when set (tests only: CheckCurves), is called after fill's
// suppliers, with their curves in the plain order.
var fillCheck func(w *workspace)

// sameBits reports whether a and b hold the same values bit for bit.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if math.Float64bits(v) != math.Float64bits(b[k]) {
			return false
		}
	}
	return true
}

// zero clears supplier i's quantities, revenues and rents.
func zero(sol *Solution, i int) {
	for _, f := range [...]*[]float64{&sol.Netback, &sol.MarginalCost, &sol.Sales, &sol.Exports, &sol.DomesticSales,
		&sol.Revenue, &sol.ExportRev, &sol.NetbackRevenue, &sol.LogisticsCost, &sol.ExportTax, &sol.ConcessionPaid,
		&sol.CapacityUse, &sol.MarkupRent, &sol.ConductMarkup, &sol.CorridorRent, &sol.CapacityRent, &sol.QuotaRent,
		&sol.AdjustmentRent, &sol.MineRent, &sol.RouteRent, &sol.FacilityRent} {
		(*f)[i] = 0
	}
}

// reservationPrice is the list FOB price of a supplier that cannot sell:
// the price at which its effective netback p·(1 − L − μ) − c is zero on its
// cheapest open corridor (the cheapest corridor if none is open), floored
// at 0.
func reservationPrice(sp *supplier) float64 {
	nk := len(sp.cost)
	if nk == 0 {
		return 0
	}
	j := sp.lastCorridor(0)
	if j < 0 {
		j = 0
	}
	return max(0, sp.cost[j]) / sp.oml
}

// consumerSurplusChange returns the consumer surplus at price index P
// measured from the base index P0 along the isoelastic demand curve
// through (P, Q) with elasticity ε, $M/yr (closed form):
//
//	CS = ∫_P^{P0} Q·(P/t)^ε dt = Q·P·((P0/P)^(1−ε) − 1)/(1 − ε),  ε ≠ 1
//	CS = Q·P·ln(P0/P),                                           ε = 1
func consumerSurplusChange(P0, P, Q, eps float64) float64 {
	if !(P > 0) || Q == 0 {
		return 0
	}
	return consumerSurplusFrom(P, Q, eps, flog(P0/P))
}

// consumerSurplusFrom is consumerSurplusChange given l = flog(P0/P) (fill
// takes the logs in a batch); it returns 0 when P ≤ 0 or Q = 0, where l
// is not read.
func consumerSurplusFrom(P, Q, eps, l float64) float64 {
	if !(P > 0) || Q == 0 {
		return 0
	}
	e := 1 - eps
	var v float64
	if math.Abs(e*l) < 1e-300 || e == 0 {
		v = Q * P * l
	} else {
		v = Q * P * math.Expm1(e*l) / e
	}
	if !finite(v) {
		return 0
	}
	return v
}

// checkPlausible marks a converged res Implausible when a supplier that
// sells has an FOB price, or a region that trades a price index, outside
// [PlausibleMin, PlausibleMax] times its base-year value.
func (w *workspace) checkPlausible(res *Result, sol *Solution) {
	c, m := w.c, w.c.Market
	bad := func(what string, v, base float64) {
		res.Status = Implausible
		res.Reason = fmt.Sprintf("%s %.4g $/t is %.3g times its base-year %.4g $/t, outside the plausible %g–%g times: the shock is too large or too sudden for the model (a step cut of supply spikes prices for a month; phase it in with ramp_months)",
			what, v, v/base, base, PlausibleMin, PlausibleMax)
	}
	for i := range m.Suppliers {
		if w.closed[i] {
			continue
		}
		if p, p0 := sol.FOB[i], m.Suppliers[i].FOB; !(p >= PlausibleMin*p0 && p <= PlausibleMax*p0) {
			bad(m.Suppliers[i].Name+": FOB price", p, p0)
			return
		}
	}
	for r := range m.Regions {
		if !sol.Traded[r] {
			continue
		}
		if P, P0 := sol.PriceIndex[r], c.P0[r]; !(P >= PlausibleMin*P0 && P <= PlausibleMax*P0) {
			bad(m.Regions[r].Name+": price index", P, P0)
			return
		}
	}
}
