package model

import (
	"fmt"
	"math"
)

// fill writes every output of the solve at w.y into sol (docs/MODEL.md,
// section 6 "Outputs"). It does not allocate.
func (w *workspace) fill(sol *Solution, pol *Policy) {
	c, m := w.c, w.c.Market
	n, R := w.n, w.R

	// Per supplier.
	for i := 0; i < n; i++ {
		sp := &w.sup[i]
		home := c.Home[i]
		corr := m.Suppliers[i].Corridors
		for k := range corr {
			sol.CorridorFlow[i][k] = 0
			sol.CorridorUse[i][k] = 0
		}
		if sol.CorridorCap != nil && len(sol.CorridorCap[i]) == len(corr) {
			copy(sol.CorridorCap[i], pol.CorridorCap[i])
		}
		sol.CorridorRent[i], sol.CapacityRent[i], sol.QuotaRent[i] = 0, 0, 0
		if w.closed[i] {
			p := reservationPrice(sp)
			sol.FOB[i] = p
			sol.Netback[i] = 0
			sol.MarginalCost[i] = 0
			sol.Sales[i], sol.Exports[i], sol.Revenue[i], sol.ExportRev[i], sol.CapacityUse[i] = 0, 0, 0, 0, 0
			sol.Binding[i] = BindClosed
			sol.ProducerSurplus[i] = producerSurplusChange(sp, 0, 0, 0, c.netRev0[i], c.S0[i])
			for r := 0; r < R; r++ {
				sol.Flow[i][r] = 0
			}
			continue
		}
		p := w.p[i]
		sol.FOB[i] = p
		var S, xh float64
		for r := 0; r < R; r++ {
			k := i*R + r
			x := 0.0
			if w.open[k] {
				x = w.x[k]
			}
			sol.Flow[i][r] = x
			S += x
			if r == home {
				xh = x
			}
		}
		sol.Sales[i] = S
		sol.Exports[i] = math.Max(0, S-xh)
		sol.Revenue[i] = p * S
		sol.ExportRev[i] = p * sol.Exports[i]
		if sp.K > 0 {
			sol.CapacityUse[i] = S / sp.K
		} else {
			sol.CapacityUse[i] = 0
		}
		// Corridor flows, cheapest first; net logistics revenue.
		left := S
		var netRev float64
		for j, k := range sp.ord {
			capk := sp.cum[j]
			if j > 0 {
				capk -= sp.cum[j-1]
			}
			f := math.Min(left, capk)
			if f < 0 {
				f = 0
			}
			sol.CorridorFlow[i][k] = f
			if capk > 0 {
				sol.CorridorUse[i][k] = f / capk
			}
			netRev += (p - sp.cost[j]) * f
			left -= f
		}
		js := sp.lastCorridor(S)
		m := p
		if js >= 0 {
			m = p - sp.cost[js]
		}
		mc := sp.marginalCost(S)
		sol.Netback[i] = m
		sol.MarginalCost[i] = mc
		piece := w.piece[i] // from the last eval, at this point
		rent := math.Max(0, (m-mc)*S)
		switch piece {
		case pieceCorridor:
			sol.Binding[i] = BindCorridor
			sol.CorridorRent[i] = rent
		case pieceCapacity:
			sol.Binding[i] = BindCapacity
			sol.CapacityRent[i] = rent
		case pieceQuota:
			sol.Binding[i] = BindQuota
			sol.QuotaRent[i] = rent
		default:
			sol.Binding[i] = BindNone
		}
		sol.ProducerSurplus[i] = producerSurplusChange(sp, S, mc, netRev, c.netRev0[i], c.S0[i])
	}

	// Per route: delivered prices (also for banned routes).
	for i := 0; i < n; i++ {
		for r := 0; r < R; r++ {
			k := i*R + r
			sol.Delivered[i][r] = (sol.FOB[i] + w.fr[k]) * w.tau1[k]
		}
	}

	// Tariff-rate quota rents, kept by the importing region.
	clear(sol.TRQRent)
	for t := range w.tq {
		q := &w.tq[t]
		sol.TRQRent[q.r] += w.trqRent(q.k, sol.FOB[q.i], sol.Flow[q.i][q.r])
	}

	// Per region.
	for r := 0; r < R; r++ {
		var bill float64
		for i := 0; i < n; i++ {
			if c.Home[i] != r {
				bill += sol.Delivered[i][r] * sol.Flow[i][r]
			}
		}
		sol.ImportBill[r] = bill
		if w.W[r] > 0 {
			P := fexp(w.lnP[r])
			Q := w.PQ[r] / P
			sol.Traded[r] = true
			sol.PriceIndex[r] = P
			sol.Demand[r] = Q
			sol.ConsumerSurplus[r] = consumerSurplusChange(c.P0[r], P, Q, w.eps[r])
			continue
		}
		// No open variety: no trade, no price, no demand. The consumer
		// surplus change is the base expenditure lost (the exact loss is
		// unbounded for ε ≤ 1, which has no finite choke price).
		sol.Traded[r] = false
		sol.PriceIndex[r] = 0
		sol.Demand[r] = 0
		sol.ConsumerSurplus[r] = -c.P0[r] * c.Q0[r]
	}
	sol.Benchmark = sol.PriceIndex[c.Bench]
}

// reservationPrice is the FOB price of a supplier that cannot sell: the
// price at which its netback is zero on its cheapest open corridor (the
// cheapest corridor if none is open), floored at 0.
func reservationPrice(sp *supplier) float64 {
	nk := len(sp.cost)
	if nk == 0 {
		return 0
	}
	j := sp.lastCorridor(0)
	if j < 0 {
		j = 0
	}
	return math.Max(0, sp.cost[j])
}

// producerSurplusChange returns the change in producer surplus from the
// base year, $M/yr, along the mine cost curve in force (B, η; short-run
// B_t, η_t with a Lag):
//
//	ΔPS = Σ_k (p − c_k)·flow_k − Σ_k (p0 − c0_k)·flow0_k − ∫_{S0}^{S} MC(q) dq,
//	∫_0^S MC(q) dq = η/(η+1)·S·MC(S),  MC(q) = (q/B)^(1/η).
//
// mc is MC(S); MC(S0) is precomputed in sp.mc0 (the base netback m0 in
// the long run).
func producerSurplusChange(sp *supplier, S, mc, netRev, netRev0, S0 float64) float64 {
	k := sp.eta / (sp.eta + 1)
	cost := k * (S*mc - S0*sp.mc0)
	v := netRev - netRev0 - cost
	if !finite(v) {
		return 0
	}
	return v
}

// consumerSurplusChange returns the change in consumer surplus from the
// base price index P0 to P along the isoelastic demand curve in force
// through (P, Q) with elasticity ε, $M/yr (closed form):
//
//	ΔCS = ∫_P^{P0} Q·(P/t)^ε dt = Q·P·((P0/P)^(1−ε) − 1)/(1 − ε),  ε ≠ 1
//	ΔCS = Q·P·ln(P0/P),                                           ε = 1
func consumerSurplusChange(P0, P, Q, eps float64) float64 {
	if !(P > 0) || Q == 0 {
		return 0
	}
	l := flog(P0 / P)
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
