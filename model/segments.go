package model

import "math"

// Route-level scarcity rents on tied corridors (docs/MODEL.md, section
// 3.4, "Route-level scarcity rents").
//
// Each tied corridor k of a price-taking supplier i (one that serves only
// the regions R_k) is a segment with one more unknown, its log discount
// z_k ≥ 0, stored at y[n + len(tq) + len(rho) + s] after the facilities:
// the FOB price on the routes into R_k is p·e^(−z_k). In the supplier's
// one-price fill (section 3.4) the corridor costs
//
//	c_k + p̃·(1 − e^(−z_k))
//
// so that it nets its segment's price less its cost, p̃·e^(−z_k) − c_k,
// and keeps its capacity in force κ' = min(κ_k, X_k), X_k its segment's
// tonnes. It sorts ahead of a general corridor while its cost less the
// discount p̃·(1 − e^(−z_k)) ties it within segTie (supplier.sortPref),
// and its flow t_k is blended just past that point (segFlow). The base
// route rent e_k (baseRouteRent) is no cost: it is the most the segment
// pays above its competitive price v + c_k, through r_k below. The row
// is the facilities' mid form
//
//	Φ = z − max(0, z + g),
//	g = min( r_k/p0, (κ_k − X_k)/κ_k ) − (κ' − t_k)/κ_k,
//	r_k = p̃·e^(−z_k) − c_k − e_k − v,
//
// t_k the corridor's flow in the fill (segFlow), p0 the supplier's base
// FOB price and v the mine's marginal value: MC(S) below capacity, else the netback
// of the corridor carrying the last tonne. So a segment with room pays
// min(p̃, v + c_k + e_k): its general price while the general corridors'
// margin p̃ − v is below c_k + e_k, and the rent it earns, p̃ − v − c_k,
// falls with that margin when a cheaper general corridor becomes the
// supplier's marginal one.

const (
	// zMax bounds a segment's log discount z (a segment price above
	// e^(−30) ≈ 1e-13 of the general one).
	zMax = 30.0
	// segTie is the cost band, $/t, within which a tied corridor with a
	// segment sorts ahead of a general corridor in the fill (its cost less
	// its segment's discount against the other's), so that it carries its
	// segment where the split between them is free. It covers rounding
	// where the two net v alike and keeps the gap in g it leaves,
	// segTie/p0, far below the solver's tolerance.
	segTie = 1e-11
	// zTie bounds the part of a segment's discount, p̃·zTie, that the
	// plain order (plainOrder, and the fill Solution reports) does not
	// count against the tied corridor: a converged solve knows z only to
	// within its tolerance. At z = 0 the row is Φ = z where g ≤ −z, and
	// a z of 3.4e-14 gives a discount p̃·z of 1.6e-11 $/t at p̃ = 480,
	// past segTie: Germany's Domestic corridor, when its base route rent
	// was carried as a cost (20 $/t, as Hamburg), then reported 1.33
	// instead of 2.09 Mt/yr in us-relief-2025's 2021-07, by the start
	// values alone (TestPathMonthStartInvariant). At a root with z > 0
	// where the tied corridor and a general one both have room, its cost
	// in force equals the general one's exactly (both net v), and z off
	// by 1e-12 flipped the order (TestPlainFillDiscountNoise). zTie is
	// ten times the loosest tolerance a solve uses (mcTol); p̃·zTie is
	// under 1e-6 $/t at these prices.
	zTie = 1e-9
)

// segment is a tied corridor k of supplier i with its own FOB price.
type segment struct {
	i, k  int
	reach []int   // regions it serves
	ek    float64 // base route rent e_k, $/t (Calibrated.segRent)
	on    bool    // an unknown in this solve (a price-taker that sells, κ_k > 0)
	col   int     // position among the unknowns when on

	// At the last eval.
	e     float64 // e^(−z)
	X, t  float64 // the segment's tonnes, the corridor's flow in the fill
	v, g  float64 // the mine's marginal value, $/t, and g
	pt    float64 // p̃ of the supplier
	mode  int8    // −1: Φ = z (g ≤ −z), 0: Φ = −g
	minA  bool    // g's min is its rent term
	tcase int8    // −1: t = 0, 0: t moves (with S or, in the blend, its cost), 1: t = κ'
	vlast int     // sorted position of the corridor whose netback is v, or −1 (v = MC(S))
	plain bool    // t is the plain fill's (plainFlow: at capacity or cap)
}

// baseRouteRent returns the base route rent e_k of a tied corridor cr of
// supplier i serving reach, $/t: c_{j*} − c_k (cstar = c_{j*} = p0 − m0,
// ck its base cost with its own-freight cost) when it has room in the
// base year (its regions buy less than its capacity) and is cheaper than
// the marginal corridor j*, else 0. The one-price base data give it that
// rent per tonne: its segment pays export parity, the general price,
// e_k above its competitive price v + c_k. Like the base markup L, the
// model keeps it as the most the segment pays above its competitive
// price (segResiduals' r_k), not as a cost: where the general
// corridors' margin p̃ − v falls (a cheaper general corridor becomes
// marginal) the segment pays the general price and the rent falls with
// it (docs/MODEL.md, section 3.4, "The base year").
func baseRouteRent(m *Market, i int, reach []int, cr Corridor, cstar, ck float64) float64 {
	if reach == nil || cr.Facility != "" {
		return 0
	}
	var x float64
	for _, r := range reach {
		x += m.Flows[i][r]
	}
	if x >= cr.Capacity {
		return 0
	}
	return max(0, cstar-ck)
}

// setupSegments lists the tied corridors (newWorkspace).
func (w *workspace) setupSegments() {
	c, m, mem := w.c, w.c.Market, w.mem
	tied := func(i, k int) bool { return c.reach[i][k] != nil && c.facOf[i][k] < 0 }
	nS := 0
	for i := range m.Suppliers {
		for k := range m.Suppliers[i].Corridors {
			if tied(i, k) {
				nS++
			}
		}
	}
	if nS == 0 {
		return
	}
	w.segs = mem.seg.take(nS)[:0]
	for i := range m.Suppliers {
		sp := &w.sup[i]
		nk := len(m.Suppliers[i].Corridors)
		for k := 0; k < nk; k++ {
			if !tied(i, k) {
				continue
			}
			if sp.seg == nil {
				sp.seg, sp.pref, sp.disc, sp.dtie, sp.pord = mem.i.take(nk), mem.b.take(nk), mem.f.take(nk), mem.f.take(nk), mem.i.take(nk)
				sp.erent = mem.f.take(nk)
				for kk := range sp.seg {
					sp.seg[kk] = -1
				}
			}
			sp.seg[k] = len(w.segs)
			sp.erent[k] = c.segRent[i][k]
			w.segs = append(w.segs, segment{i: i, k: k, reach: c.reach[i][k], ek: c.segRent[i][k], e: 1})
		}
	}
	nR := w.n * w.R
	v := mem.i.take(3*nR + w.R + len(w.segs))
	w.rsegCol, w.jsb, w.jsn, w.smi = v[:nR:nR], v[nR:3*nR:3*nR], v[3*nR:3*nR+w.R:3*nR+w.R], v[3*nR+w.R:]
	nb := batchLen(len(w.segs))
	f := mem.f.take(4 * nb)
	w.sgx, w.sge, w.smx, w.smy = f[:nb:nb], f[nb:2*nb:2*nb], f[2*nb:3*nb:3*nb], f[3*nb:]
	for k := range w.rsegCol {
		w.rsegCol[k] = -1
	}
}

// prepareSegments switches the segments on for this solve: those of
// participating suppliers whose corridor is open, when no supplier is
// strategic. Under a conduct in force every supplier keeps one price per
// supplier: the conduct markup (section 3.8) is defined on one price, and
// a strategic seller's rivals' segment prices would enter it.
func (w *workspace) prepareSegments() {
	w.segOn = 0
	w.sgOK = false // the routes are reset to e^(−z) = 1, as sg.e below
	for s := range w.segs {
		sg := &w.segs[s]
		sp := &w.sup[sg.i]
		sg.on = !w.closed[sg.i] && len(w.strat) == 0 && sp.pcap[sg.k] > 0
		sg.e = 1
		sp.pref[sg.k], sp.disc[sg.k], sp.dtie[sg.k] = sg.on, 0, 0
		sp.ready = false // the order's tie rule may have changed
		if sg.on {
			w.segOn++
		}
	}
	for i := range w.sup {
		sp := &w.sup[i]
		sp.segOn = false
		for _, on := range sp.pref {
			sp.segOn = sp.segOn || on
		}
	}
}

// segBase returns the index in y of the first segment's z.
func (w *workspace) segBase() int { return w.facBase() + len(w.rho) }

// facBase is the index of the first facility's unknown ρ̂ in y and F,
// after the suppliers' log prices and the quotas' ψ.
func (w *workspace) facBase() int { return w.n + len(w.tq) }

// segPrices sets e^(−z) of every segment on and the FOB multiplier
// (1 − δ)·e^(−z) of its routes from y, the exps in one batch (fexpBatch;
// a segment off and the padding lanes take a discarded e^0). The batch's
// arguments stay in w.sgx: when none moved, bit for bit, since the last
// batch after the month's set-up (w.sgOK, which prepareSegments clears
// when the routes are reset to e^(−z) = 1), every e^(−z) and route is
// what the batch would give again and nothing is done; a segment whose
// e^(−z) is unchanged keeps its routes (most stay at z = 0).
func (w *workspace) segPrices() {
	R, base := w.R, w.segBase()
	nS := len(w.segs)
	x, e := w.sgx[:batchLen(nS)], w.sge[:batchLen(nS)]
	moved := !w.sgOK
	for s := range w.segs {
		v := 0.0
		if w.segs[s].on {
			v = -w.y[base+s]
		}
		if math.Float64bits(v) != math.Float64bits(x[s]) {
			x[s], moved = v, true
		}
	}
	if !moved {
		return
	}
	w.sgOK = true
	fexpBatch(e, x)
	for s := range w.segs {
		sg := &w.segs[s]
		e := e[s]
		if !sg.on || math.Float64bits(e) == math.Float64bits(sg.e) {
			continue
		}
		sg.e = e
		for _, r := range sg.reach {
			k := sg.i*R + r
			w.ez[k] = e
			w.omd[k] = (1 - w.dlt[k]) * e
		}
	}
}

// segSupplyPrice returns p̃ = p·(1 − δ̄)·(1 − L) of supplier i at FOB p
// with flows xs (per region).
func (w *workspace) segSupplyPrice(i int, p float64, xs []float64) float64 {
	R := w.R
	var D, Dd float64
	dlt := w.dlt[i*R : i*R+R]
	dlt = dlt[:len(xs)]
	for r, x := range xs {
		D += x
		Dd += x * dlt[r]
	}
	pt := p * w.sup[i].oml
	if D > 0 {
		pt *= 1 - Dd/D
	}
	return pt
}

// segMarginalCosts sets w.smy[a], for the a-th supplier with a segment
// on (w.smi[a], in the segments' order), to its mine marginal cost
// marginalCost(S) when it sells S below capacity and cap (else 0, unused),
// the logs and the exps in one batch each (flogBatch, fexpBatch; the
// other lanes and the padding take a discarded log of 1), so the same
// bits as marginalCost one by one.
func (w *workspace) segMarginalCosts() {
	x, sup := w.smx, w.smi
	n, vi := 0, -1
	for s := range w.segs {
		sg := &w.segs[s]
		if !sg.on || sg.i == vi {
			continue
		}
		vi = sg.i
		sup[n], x[n] = vi, 1
		if sp, S := &w.sup[vi], w.S[vi]; S > 0 && S < min(sp.K, sp.cap) {
			x[n] = S
		}
		n++
	}
	nb := batchLen(n)
	x, y := x[:nb], w.smy[:nb]
	for a := n; a < nb; a++ {
		x[a] = 1
	}
	flogBatch(y, x)
	for a, i := range sup[:n] {
		sp := &w.sup[i]
		x[a] = 0
		if S := w.S[i]; S > 0 && S < min(sp.K, sp.cap) {
			x[a] = (y[a] - sp.lnB) / sp.eta
		}
	}
	fexpBatch(y, x)
	for a, i := range sup[:n] {
		if !(w.S[i] > 0) {
			y[a] = 0
		}
	}
}

// segResiduals computes Φ for every segment on at the last eval, records
// its pieces for segJacobian, and adds to max |F| and Σ F². The mine's
// marginal value v (and the corridor setting it) is one per supplier:
// the segments are listed supplier by supplier (setupSegments), so a
// supplier's second segment takes its first one's; the marginal costs
// are taken first, in one batch (segMarginalCosts). A segment's tonnes X
// are its corridor's regions' flows as refreshQueued summed them
// (sp.tons): eval refreshes every participating tied supplier at the
// flows these residuals see.
func (w *workspace) segResiduals(maxF, ss float64) (float64, float64) {
	m, base := w.c.Market, w.segBase()
	w.segMarginalCosts()
	a := -1                    // the lane of supplier vi in segMarginalCosts' batch
	vi, vv, vvl := -1, 0.0, -1 // the supplier whose v, vl are vv, vvl
	// The arrays sliced once: the segments' unknowns and residuals, and
	// the per-supplier arrays to n (one bounds check of i).
	segs, n := w.segs, w.n
	zs, Fs := w.y[base:base+len(segs)], w.F[base:base+len(segs)]
	sup, SA, pA, dbar := w.sup[:n], w.S[:n], w.p[:n], w.dbar[:n]
	for s := range segs {
		sg := &segs[s]
		if !sg.on {
			continue
		}
		i, k := sg.i, sg.k
		sp := &sup[i]
		X := sp.tons[k]
		kap := sp.pcap[k]
		ks := max(kap, scaleFloor)
		kp := sp.capIn(k)
		S := SA[i]
		pt := pA[i] * (1 - dbar[i]) * sp.oml // supplyPrice
		if i != vi {
			a++
			vi, vv, vvl = i, 0, -1
			if S < min(sp.K, sp.cap) {
				vv = w.smy[a] // sp.marginalCost(S)
			} else if vvl = sp.marginalUsed(S); vvl >= 0 {
				vv = pt - sp.cost[vvl] - sp.plainRent(sp.ord[vvl])
			}
		}
		v, vl := vv, vvl
		var t float64
		var tc int8
		plain := vl >= 0
		if plain {
			// At capacity or cap the corridor carrying the last tonne in
			// the fill sorted by cost in force, a tied corridor's with its
			// base route rent (plainOrder), sets v, and k's flow is
			// that fill's too: sortPref may keep k first while it is
			// dearer than a corridor with room, where its flow would
			// otherwise be κ' and its row a spurious root (r = 0 when k
			// is that corridor).
			t, tc = sp.plainFlow(k, S)
		} else {
			t, tc = w.segFlow(i, k, S)
		}
		rr := pt*sg.e - (sp.pcost[k] + sp.shift + sg.ek) - v
		a, b := rr/m.Suppliers[i].FOB, (kap-X)/ks
		g := min(a, b) - (kp-t)/ks
		sg.X, sg.t, sg.v, sg.g, sg.pt, sg.minA, sg.tcase, sg.vlast, sg.plain = X, t, v, g, pt, a <= b, tc, vl, plain
		z := zs[s]
		var f float64
		if z+g <= 0 {
			f, sg.mode = z, -1
		} else {
			f, sg.mode = -g, 0
		}
		Fs[s] = f
		ss += f * f
		if af := math.Abs(f); af > maxF {
			maxF = af
		}
	}
	return maxF, ss
}

// segFlow returns the flow t of supplier i's tied corridor k (a segment
// on) when it sells S: the cheapest-first fill's, except that where k is
// dearer than a general corridor l by less than tieWidth beyond the tie
// band segTie, the fill is blended linearly between k before l and k
// after l (segRamp). With the other corridors in sorted order, C_l the
// capacity in force of the first l of them and g_l = min(max(S − C_l, 0),
// κ'),
//
//	t = g_0 + Σ_{l≥1} P_l·(g_l − g_{l−1})
//
// with P_l = 1 for a corridor before k and 0 after it, the ramp for a
// general corridor in the band. Without the blend t would jump from κ' to
// the rest of S where k moves past l, at the segment's root (k nets v
// exactly where it ties the marginal corridor): g would have no zero and
// Newton would cycle. With it, g is continuous and t = κ' at the root, so
// the row's solution is unchanged. tc is 1 when t = κ', −1 when t = 0,
// else 0.
func (w *workspace) segFlow(i, k int, S float64) (t float64, tc int8) {
	sp := &w.sup[i]
	kp := sp.capIn(k)
	ck := sp.cost[sp.pos[k]]
	// k's cost less its discount against a corridor it sorts ahead of
	// (P = 0 there), less only dtie against one ahead of it (tieStep).
	cu := ck - sp.disc[k]
	g, _ := clampFlow(S, kp)
	t = g
	cum := sp.cum
	cost, ord, pref := sp.cost[:len(cum)], sp.ord[:len(cum)], sp.pref
	jk := sp.pos[k]
	var C, prev float64
	for j, kk := range ord {
		cj := cum[j]
		cl := cj - prev // sp.capIn(kk): kk is at sorted position j
		prev = cj
		if kk == k {
			continue
		}
		C += cl
		gl, _ := clampFlow(S-C, kp)
		if gl == g {
			continue // P·0 = +0: t as it is (facFlow)
		}
		var P float64
		if pref[kk] {
			if j < jk {
				P = 1
			}
		} else {
			c := cu
			if j < jk {
				c = ck - sp.dtie[k]
			}
			P, _ = smoothStep(c - cost[j] - segTie - 0.5*tieWidth)
		}
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

// segFlowDeriv adds coef·∂t/∂u to row for every unknown u, t = segFlow's
// flow of segment sg's corridor: through S (segAddS), through k's cost in
// force c_k + p̃·(1 − e^(−z)) (own price, z), through a blended
// general corridor's cost (a facility's ρ̂), and through κ' = min(κ, X)
// where the corridor is limited by its segment's tonnes.
func (w *workspace) segFlowDeriv(row []float64, sg *segment, coef float64) {
	i, k := sg.i, sg.k
	sp := &w.sup[i]
	kp := sp.capIn(k)
	S := w.S[i]
	ck := sp.cost[sp.pos[k]]
	cu, ct := ck-sp.disc[k], ck-sp.dtie[k] // segFlow's
	g, dg := clampFlow(S, kp)
	h := 0.0
	if S >= kp {
		h = 1
	}
	dS, dk := dg, h
	// dd: ∂t/∂(disc − dtie) of k, through the blends against the general
	// corridors ahead of k (ct = its cost less dtie moves with it).
	dd := 0.0
	res := sp.disc[k] > sp.dtie[k]
	var C float64
	nf := len(w.act) + len(w.tq)
	for j, kk := range sp.ord {
		if kk == k {
			continue
		}
		C += sp.capIn(kk)
		var P, dP float64
		switch {
		case sp.pref[kk]:
			if j < sp.pos[k] {
				P = 1
			}
		case j < sp.pos[k]:
			P, dP = smoothStep(ct - sp.cost[j] - segTie - 0.5*tieWidth)
		default:
			P, dP = smoothStep(cu - sp.cost[j] - segTie - 0.5*tieWidth)
		}
		gl, dgl := clampFlow(S-C, kp)
		hl := 0.0
		if S-C >= kp {
			hl = 1
		}
		dS += P * (dgl - dg)
		dk += P * (hl - h)
		if dP != 0 {
			if f := sp.fac[kk]; f >= 0 {
				row[nf+f] -= coef * dP * (gl - g) * w.fscale[f]
			}
			if res && j < sp.pos[k] {
				dd += dP * (gl - g)
			}
		}
		g, dg, h = gl, dgl, hl
	}
	if dd != 0 {
		// disc − dtie = p̃·(1 − e^(−z)) − p̃·zTie: ∂/∂z = p̃·e^(−z), and
		// ∂/∂ln p = disc − dtie at a fixed average concession.
		row[sg.col] += coef * dd * sg.pt * sg.e
		row[w.apos[i]] += coef * dd * (sp.disc[k] - sp.dtie[k])
	}
	if dS != 0 {
		w.segAddS(row, i, coef*dS)
	}
	if dk != 0 && sp.lim[k] {
		w.segAddX(row, sg, coef*dk)
	}
}

// segAddS adds coef·∂S_i/∂u to row for every unknown u: through the own
// price on an interior piece (and the marginal corridor's facility value
// or segment discount), and through the flows where S moves with them
// (concessions, tied corridors limited by their regions' tonnes: the
// weights 1 − ca).
func (w *workspace) segAddS(row []float64, i int, coef float64) {
	sp := &w.sup[i]
	R := w.R
	if w.piece[i] == pieceInterior {
		row[w.apos[i]] += coef * w.dS[i]
		kk := sp.ord[sp.jat]
		if f := sp.fac[kk]; f >= 0 {
			row[len(w.act)+len(w.tq)+f] -= coef * sp.dq * w.fscale[f]
		}
		if sp.seg != nil {
			if s2 := sp.seg[kk]; s2 >= 0 && w.segs[s2].on {
				sg := &w.segs[s2]
				row[sg.col] -= coef * sp.dq * sg.pt * sg.e
			}
		}
	}
	for r := 0; r < R; r++ {
		if c := 1 - w.ca[i*R+r]; c != 0 {
			w.addFlowDeriv(row, i, r, coef*c)
		}
	}
}

// segAddX adds coef·∂X_s/∂u to row, X_s the segment's tonnes.
func (w *workspace) segAddX(row []float64, sg *segment, coef float64) {
	for _, r := range sg.reach {
		w.addFlowDeriv(row, sg.i, r, coef)
	}
}

// segJacobian writes the segments' columns in the suppliers' rows (the
// supply side: a marginal tied corridor's cost moves with z; the flows'
// side is written with the price columns by jacobian and addFlowDeriv)
// and their own rows into the N×N Jacobian (docs/MODEL.md, section 5).
func (w *workspace) segJacobian(J []float64, N int) {
	for a, i := range w.act {
		sp := &w.sup[i]
		if !sp.segOn || w.piece[i] != pieceInterior {
			continue
		}
		if s := sp.seg[sp.ord[sp.jat]]; s >= 0 && w.segs[s].on {
			sg := &w.segs[s]
			J[a*N+sg.col] += sp.dq * sg.pt * sg.e / w.sc[i]
		}
	}
	for s := range w.segs {
		sg := &w.segs[s]
		if !sg.on {
			continue
		}
		row := J[sg.col*N : sg.col*N+N]
		if sg.mode != 0 || w.pinned[sg.i] {
			row[sg.col] = 1 // Φ = z (or a pinned seller's segment: approximate)
			continue
		}
		i, k := sg.i, sg.k
		sp := &w.sup[i]
		ks := max(sp.pcap[k], scaleFloor)
		if sg.minA {
			// Φ = −r/p0 + …, r = p̃·e^(−z) − c_k − e_k − v.
			cA := -1 / w.c.Market.Suppliers[i].FOB
			row[w.apos[i]] += cA * sg.pt * sg.e
			row[sg.col] -= cA * sg.pt * sg.e
			if sg.vlast < 0 {
				if S := w.S[i]; S > 0 {
					w.segAddS(row, i, -cA*sg.v/(sp.eta*S))
				}
			} else {
				// v = p̃ − c_last: ∂r = −∂v.
				kk := sp.ord[sg.vlast]
				dv := sg.pt
				if f := sp.fac[kk]; f >= 0 {
					row[len(w.act)+len(w.tq)+f] += cA * w.fscale[f]
				}
				if sp.seg != nil {
					if s2 := sp.seg[kk]; s2 >= 0 && w.segs[s2].on {
						s2g := &w.segs[s2]
						dv = sg.pt * s2g.e
						row[s2g.col] += cA * sg.pt * s2g.e
					}
				}
				row[w.apos[i]] -= cA * dv
			}
		} else {
			w.segAddX(row, sg, 1/ks) // Φ = −(κ − X)/κ + …
		}
		// + (κ' − t)/κ, κ' = min(κ, X).
		if sg.tcase != 1 {
			if sp.lim[k] {
				w.segAddX(row, sg, 1/ks)
			}
			if sg.tcase == 0 && !sg.plain {
				w.segFlowDeriv(row, sg, -1/ks) // plainFlow at S = K moves with neither
			}
		}
	}
}

// plainOrder sorts sp.pord by cost in force with the tie rule at z = 0
// (sortPref with every discount 0), except that a tied corridor's
// discount up to p̃·zTie (dtie) is not counted and its base route rent
// e_k is (plainRent). At capacity or cap, S = K whatever the fill, and
// this order serves only the segment rows (segResiduals): the last
// corridor in it has the lowest netback net of the route rents, the
// mine's marginal value v. Where a tied corridor's netback net of e_k is
// the lowest, it comes last, carries what its supplier's capacity leaves
// after the general corridors, and its row clears its segment to that
// (r = 0 there, so the flow term decides).
func (sp *supplier) plainOrder() []int {
	po := sp.pord
	for k := range po {
		po[k] = k
	}
	cost := func(k int) float64 { return sp.cost[sp.pos[k]] + sp.plainRent(k) }
	less := func(a, b int) bool {
		ca, cb := cost(a), cost(b)
		switch {
		case sp.pref[a] == sp.pref[b]:
			return ca < cb
		case sp.pref[a]:
			return ca-sp.dtie[a] <= cb+segTie
		}
		return ca < cb-sp.dtie[b]-segTie
	}
	for a := 1; a < len(po); a++ {
		for b := a; b > 0 && less(po[b], po[b-1]); b-- {
			po[b], po[b-1] = po[b-1], po[b]
		}
	}
	return po
}

// plainRent returns the base route rent e_k of corridor k when it is a
// tied corridor with a segment on, else 0.
func (sp *supplier) plainRent(k int) float64 {
	if sp.pref[k] {
		return sp.erent[k]
	}
	return 0
}

// marginalUsed returns the sorted position (in sp.ord) of the corridor
// that carries supplier sp's last tonne S in the plain order (plainOrder),
// or −1: sp's last corridor unless sortPref keeps a tied corridor with a
// segment ahead of a cheaper one. At capacity or cap the mine's marginal
// value v is its netback.
func (sp *supplier) marginalUsed(S float64) int {
	last := sp.lastCorridor(S)
	if last < 0 || !sp.segOn {
		return last
	}
	var C float64
	j := -1
	for _, k := range sp.plainOrder() {
		C += sp.capIn(k)
		if C > 0 {
			j = sp.pos[k]
			if C >= S {
				break
			}
		}
	}
	return j
}

// plainFlow returns the flow of tied corridor k when supplier sp sells S
// in the plain order (plainOrder), with tc as segFlow's.
func (sp *supplier) plainFlow(k int, S float64) (t float64, tc int8) {
	var before float64
	for _, kk := range sp.plainOrder() {
		if kk == k {
			break
		}
		before += sp.capIn(kk)
	}
	kp := sp.capIn(k)
	t = S - before
	switch {
	case t >= kp:
		return kp, 1
	case t <= 0:
		return 0, -1
	}
	return t, 0
}

// segExcess returns segment s's g at log discount z, every price fixed
// (the function solveSeg clears).
func (w *workspace) segExcess(s int, z float64) float64 {
	w.y[w.segBase()+s] = z
	w.eval()
	return w.segs[s].g
}

// solveSeg clears segment s by bisection in z ∈ [0, zMax], every other
// unknown fixed (the Gauss–Seidel fallback): z = 0 when g(0) ≤ 0, zMax
// when g(zMax) > 0, else the root of g, which falls as z rises (a cheaper
// segment buys more and nets less). Each g is an evaluation: the
// bisection's decisions are replayed (signKnown) after regula falsi
// steps (facNarrow) have narrowed the bracket, so that only the points
// between the nearest ones of known sign are evaluated; z is the plain
// bisection's, bit for bit.
func (w *workspace) solveSeg(s int, tol float64) {
	u := w.segBase() + s
	z := 0.0
	if g0 := w.segExcess(s, 0); g0 > 0 {
		z = zMax
		if gm := w.segExcess(s, zMax); gm <= 0 {
			sk := signKnown{g: func(z float64) float64 { return w.segExcess(s, z) }, eps: 0.01 * tol}
			sk.reset()
			sk.note(0, g0)
			sk.note(zMax, gm)
			facNarrow(sk.at, &sk.kp, &sk.kn, 0, zMax, g0, gm, sk.eps)
			z = sk.bisect(0, zMax)
		}
	}
	w.y[u] = z
}

// segStepCleared reports whether segment s's g, every price fixed,
// changes sign within a few units in the last place of the segment's log
// price ln p − z (8 ulp of max(1, |z|), as stepCleared's): its row clears
// on a step of g narrower than the resolution of z, where |Φ| cannot
// reach the tolerance (western-ban-russia's 2026-08 at a carrying cost
// of 0.12 %/month: the segment's tonnes X, and the mine's marginal value
// v with them, step by 2e-12 Mt/yr between neighbouring z, g by 5.6e-12
// across 0). It evaluates at the two neighbours and leaves z as it was;
// the caller evaluates again.
func (w *workspace) segStepCleared(s int) bool {
	u := w.segBase() + s
	z := w.y[u]
	d := stepWidth(z)
	gl := w.segExcess(s, max(0, z-d))
	gh := w.segExcess(s, min(zMax, z+d))
	w.y[u] = z
	return gl >= 0 && gh <= 0
}

// segStepsCleared reports, when every row but segments' is within tol
// and each segment row beyond it clears on a step (segStepCleared), the
// largest residual of the other rows and how many segment rows are on a
// step (n > 0); else n = 0. Its evaluations leave the point as it was.
func (w *workspace) segStepsCleared(tol float64) (maxOther float64, n int) {
	base := w.segBase()
	w.segCand = w.segCand[:0]
	for _, u := range w.unk {
		a := math.Abs(w.F[u])
		if u < base {
			if a > tol {
				return 0, 0
			}
			maxOther = max(maxOther, a)
		} else if a > tol {
			w.segCand = append(w.segCand, u-base)
		}
	}
	if len(w.segCand) == 0 {
		return 0, 0
	}
	for _, s := range w.segCand {
		if sg := &w.segs[s]; sg.mode != 0 || !w.segStepCleared(s) {
			w.eval()
			return 0, 0
		}
	}
	w.eval()
	return maxOther, len(w.segCand)
}
