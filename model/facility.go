package model

import "math"

// The solver's side of tied corridors and shared facilities (routes.go;
// docs/MODEL.md, section 3.9).
//
// Each facility f is one more unknown, its scaled shadow value
// ρ̂ = ρ/ρs (ρs: the mean base FOB price of the suppliers using it),
// stored at y[n + len(tq) + f] after the tariff-rate quotas; its residual
// is the mid-function form of the complementarity
//
//	Φ = ρ̂ − max(0, ρ̂ + g),   g = (U − K_F)/K_F,   U = Σ_users flow,
//
// zero exactly when ρ = 0 and U ≤ K_F, or U = K_F and ρ ≥ 0.

// rhoMax bounds a facility's scaled shadow value ρ̂ (ρ ≤ 1e4·ρs): far
// beyond any price, it keeps the bracketing finite.
const rhoMax = 1e4

// facUser is a corridor k of supplier i that uses a facility.
type facUser struct{ i, k int }

// setupFacilities sizes the per-facility state of w (newWorkspace).
func (w *workspace) setupFacilities() {
	c, m, mem := w.c, w.c.Market, w.mem
	nF := len(m.Facilities)
	vec := mem.f.take
	w.rho, w.fcap, w.fden, w.fscale, w.fuse = vec(nF), vec(nF), vec(nF), vec(nF), vec(nF)
	w.fmode, w.fhint = mem.i8.take(nF), vec(nF)
	w.fu = mem.fus.take(nF)
	for f, fc := range m.Facilities {
		w.fcap[f] = fc.Capacity
		w.fden[f] = max(fc.Capacity, scaleFloor)
	}
	total := 0
	for i := range m.Suppliers {
		total += len(m.Suppliers[i].Corridors)
	}
	for f := range w.fu { // room for each facility's users
		u := 0
		for _, fac := range c.facOf {
			for _, g := range fac {
				if g == f {
					u++
				}
			}
		}
		if u > 0 {
			w.fu[f] = mem.fu.take(u)[:0]
		}
	}
	ints, flts := mem.i.take(total), vec(2*total) // carved per supplier
	for i := range m.Suppliers {
		sp := &w.sup[i]
		nk := len(m.Suppliers[i].Corridors)
		sp.pos, ints = ints[:nk:nk], ints[nk:]
		sp.pcap, sp.pcost, flts = flts[:nk:nk], flts[nk:2*nk:2*nk], flts[2*nk:]
		sp.reach, sp.fac = c.reach[i], c.facOf[i]
		for k := 0; k < nk; k++ {
			if sp.reach[k] != nil || sp.fac[k] >= 0 {
				sp.dyn = true
			}
			if f := sp.fac[k]; f >= 0 {
				w.fu[f] = append(w.fu[f], facUser{i, k})
			}
		}
		if sp.dyn {
			e := vec(3 * nk)
			sp.ecap, sp.ecost, sp.tons, sp.lim = e[:nk:nk], e[nk:2*nk:2*nk], e[2*nk:], mem.b.take(nk)
		}
	}
	for f, us := range w.fu {
		w.fscale[f] = 100
		if len(us) > 0 {
			var s float64
			for _, u := range us {
				s += m.Suppliers[u.i].FOB
			}
			w.fscale[f] = s / float64(len(us))
		}
	}
}

// prepareCorridors sets supplier i's corridor capacities and costs under
// pol (own freights included; a corridor using a facility of capacity 0 is
// closed) and prepares its supply curve at them, its new thresholds queued
// in w.thq (the caller flushes it). same says that pol's corridor fields
// are those the capacities and costs were last set under (a path's month
// policy with the last set-up's value generation, Policy.vgen): they are
// kept, and a supplier whose corridors are not tied and use no facility
// (not dyn), whose curve only this set-up prepares, was last prepared at
// them, so its curve's inputs are not compared again.
func (w *workspace) prepareCorridors(pol *Policy, i int, same bool) {
	sp := &w.sup[i]
	if !same {
		for k := range sp.pcap {
			sp.pcap[k] = pol.CorridorCap[i][k]
			sp.pcost[k] = pol.CorridorCost[i][k] + w.c.adj[i][k]
			if f := sp.fac[k]; f >= 0 && w.fcap[f] == 0 {
				sp.pcap[k] = 0
			}
		}
	}
	sp.prepareSupplyKnown(sp.pcap, sp.pcost, sp.shift, i, &w.thq, same && !sp.dyn)
}

// flowsOf copies supplier i's flows at the last eval into w.xs (0 on
// routes that do not trade).
func (w *workspace) flowsOf(i int) {
	R := w.R
	open, x, W, xs := w.open[i*R:i*R+R], w.x[i*R:i*R+R], w.W[:R], w.xs[:R]
	for r := range xs {
		xs[r] = 0
		if open[r] && W[r] > 0 {
			xs[r] = x[r]
		}
	}
}

// refresh sets supplier i's corridor capacities and costs in force from
// its flows xs (per region): a tied corridor carries at most its regions'
// tonnes, a corridor using a facility costs its shadow value ρ more.
//
// A tied corridor with a segment on (segments.go) also costs p̃·(1 − e^(−z))
// at the supplier's effective price pt (the discount, kept in sp.disc), so
// that it nets its segment's price, and sorts ahead of a general corridor
// while its cost less the discount ties it within segTie (sortPref). Its
// base route rent e_k is not a cost: it caps the segment's price
// (segResiduals), and the fill, which sets the supplier's marginal
// corridor, sees the corridor's real cost. The tonnes of each tied
// corridor's regions are kept in sp.tons (a segment's X in
// segResiduals).
func (w *workspace) refresh(i int, xs []float64, pt float64) {
	w.refreshQueued(i, xs, pt)
	w.thq.flush(w.sup)
}

// refreshQueued is refresh with the supply curve's new thresholds left
// queued in w.thq, for eval to flush once for all its suppliers.
func (w *workspace) refreshQueued(i int, xs []float64, pt float64) {
	sp := &w.sup[i]
	pcap := sp.pcap
	nk := len(pcap)
	pcost, ecap, ecost := sp.pcost[:nk], sp.ecap[:nk], sp.ecost[:nk]
	tons, lim, reach, fac := sp.tons[:nk], sp.lim[:nk], sp.reach[:nk], sp.fac[:nk]
	limited := false
	for k, cp := range pcap {
		l := false
		if rc := reach[k]; rc != nil {
			var t float64
			for _, r := range rc {
				t += xs[r]
			}
			tons[k] = t
			if t < cp {
				cp, l = t, true
			}
		}
		lim[k] = l
		limited = limited || l
		ecap[k] = cp
		cost := pcost[k]
		if f := fac[k]; f >= 0 {
			cost += w.rho[f]
		}
		ecost[k] = cost
	}
	sp.reachLimited = limited
	if sp.segOn {
		pref, seg, disc, dtie := sp.pref[:nk], sp.seg[:nk], sp.disc[:nk], sp.dtie[:nk]
		for k, on := range pref {
			if on {
				d := pt * (1 - w.segs[seg[k]].e)
				disc[k], dtie[k] = d, min(d, pt*zTie)
				ecost[k] += d
			}
		}
	}
	sp.prepareSupply(ecap, ecost, sp.shift, i, &w.thq)
}

// tiedWeights lowers the Jacobian weights of supplier i's flows on a
// corridor piece (S = C_j) by the tied corridors among the full ones that
// are limited by their regions' tonnes: there S moves one for one with
// those tonnes.
func (w *workspace) tiedWeights(i int) {
	sp := &w.sup[i]
	if !sp.reachLimited {
		return
	}
	R := w.R
	for j := 0; j <= sp.jat; j++ {
		if k := sp.ord[j]; sp.lim[k] {
			for _, r := range sp.reach[k] {
				w.ca[i*R+r]--
				sp.caCut = true
			}
		}
	}
}

// tieWidth is the cost band, $/t, over which a corridor using a facility
// moves past another corridor of the same supplier in the cheapest-first
// fill: the split between two corridors whose costs are within it is a
// smooth blend of the two orders (docs/MODEL.md, section 3.9). Without it
// a facility's use would jump where its shadow value makes a user
// indifferent between the facility and its other corridors, and the
// equilibrium, often exactly there, could not be reached.
const tieWidth = 0.01

// smoothStep is the cubic step H(d) from 0 (d ≤ −tieWidth/2) to 1
// (d ≥ tieWidth/2), and its derivative.
func smoothStep(d float64) (H, dH float64) {
	t := d/tieWidth + 0.5
	switch {
	case t <= 0:
		return 0, 0
	case t >= 1:
		return 1, 0
	}
	return t * t * (3 - 2*t), 6 * t * (1 - t) / tieWidth
}

// tieStep returns smoothStep(d), d the cost of a facility corridor k less
// that of corridor kk (behind: kk sorts behind k), except for a tied corridor kk with a segment on: it
// sorts ahead of k in the fill while its cost less its segment's discount
// p̃·(1 − e^(−z)) ties it within segTie (sortPref), so its blend ends
// there: smoothStep(d + D + tieWidth/2 + segTie), with D its discount
// disc while it sorts ahead of k (H = 1 there) and, while k sorts ahead,
// only the part of it the solver cannot resolve, dtie = min(disc,
// p̃·zTie). Behind k, kk is dearer in force by its discount: where that
// is resolved the blend would put k's flow behind kk's segment while the
// supply curve, sorted, has k first, and a facility could clear on flows
// the curve does not give (docs/MODEL.md, section 3.9: a spurious root
// with a user's corridor netting more than the mine's marginal value and
// not full). At z within zTie, D is disc, as before. The discount moves
// with the prices and z, but d + disc does not; d + dtie does, by the
// discount, only where H is strictly between 0 and 1 behind kk: there
// disc − dtie < tieWidth + segTie.
func (sp *supplier) tieStep(kk int, behind bool, d float64) (H, dH float64) {
	if sp.segOn && sp.pref[kk] {
		var D float64
		if behind {
			D = sp.dtie[kk]
		} else {
			D = sp.disc[kk]
		}
		return smoothStep(d + D + 0.5*tieWidth + segTie)
	}
	return smoothStep(d)
}

// clampFlow returns min(max(v, 0), kap) and whether v is strictly inside.
func clampFlow(v, kap float64) (float64, float64) {
	switch {
	case v <= 0:
		return 0, 0
	case v >= kap:
		return kap, 0
	}
	return v, 1
}

// facFlow returns the flow of supplier i's corridor k (one using a
// facility) when it sells S, with its derivatives in S and in the
// corridor's cost. With the other corridors sorted by cost, C_l the
// capacity of the first l of them and g_l = min(max(S − C_l, 0), κ_k) the
// flow of k filled after them,
//
//	flow = g_0 + Σ_{l≥1} H(c_k − c_(l))·(g_l − g_{l−1})
//
// (the cheapest-first fill, blended over tieWidth where costs tie).
//
// A corridor l whose g_l and clampFlow's slope equal g_{l−1}'s adds
// P·0 = +0 to each sum (the costs are finite, so P and dP are), which
// leaves them as they are: its tieStep is skipped. That is most of
// them: k's flow moves only where S − C_l is within (0, κ_k).
func (w *workspace) facFlow(i, k int, S float64) (flow, dS, dc float64) {
	sp := &w.sup[i]
	jk := sp.pos[k]
	ck := sp.cost[jk]
	kap := sp.capIn(k)
	g, dg := clampFlow(S, kap)
	flow, dS = g, dg
	cum := sp.cum
	cost, ord := sp.cost[:len(cum)], sp.ord[:len(cum)]
	var C, prev float64
	for j, kk := range ord {
		cj := cum[j]
		cl := cj - prev // sp.capIn(kk): kk is at sorted position j
		prev = cj
		if kk == k {
			continue
		}
		C += cl
		gl, dgl := clampFlow(S-C, kap)
		if gl == g && dgl == dg {
			continue
		}
		P, dP := sp.tieStep(kk, j > jk, ck-cost[j])
		flow += P * (gl - g)
		dS += P * (dgl - dg)
		dc += dP * (gl - g)
		g, dg = gl, dgl
	}
	return flow, dS, dc
}

// capIn returns the capacity in force of corridor k (input order).
func (sp *supplier) capIn(k int) float64 {
	j := sp.pos[k]
	if j == 0 {
		return sp.cum[0]
	}
	return sp.cum[j] - sp.cum[j-1]
}

// facUse returns the use of facility f at the last eval, Mt/yr.
func (w *workspace) facUse(f int) float64 {
	var u float64
	for _, us := range w.fu[f] {
		if !w.closed[us.i] {
			v, _, _ := w.facFlow(us.i, us.k, w.S[us.i])
			u += v
		}
	}
	return u
}

// facResiduals computes Φ for every facility at the last eval, records the
// piece of its mid function, and adds to max |F| and Σ F².
func (w *workspace) facResiduals(maxF, ss float64) (float64, float64) {
	base := w.facBase()
	for f := range w.rho {
		u := w.facUse(f)
		w.fuse[f] = u
		g := (u - w.fcap[f]) / w.fden[f]
		rh := w.y[base+f]
		var v float64
		if rh+g <= 0 {
			v, w.fmode[f] = rh, -1
		} else {
			v, w.fmode[f] = -g, 0
		}
		w.F[base+f] = v
		ss += v * v
		if a := math.Abs(v); a > maxF {
			maxF = a
		}
	}
	return maxF, ss
}

// addFlowDeriv adds coef·∂x[i][r]/∂z to row for every unknown z: the
// active suppliers' log prices and the tariff-rate quotas' ψ in region r
// (section 3.5; the route's θ from the jacobian's first pass).
func (w *workspace) addFlowDeriv(row []float64, i, r int, coef float64) {
	n, R := w.n, w.R
	k := i*R + r
	W := w.W[r]
	if !w.open[k] || W == 0 || coef == 0 {
		return
	}
	x := w.x[k]
	sig := w.sig[r]
	se := (sig - w.epsX[r]) / W
	cnt := w.jn[r]
	for b, j := range w.jl[r*n : r*n+cnt] {
		kj := j*R + r
		row[w.ja[r*n+b]] += coef * x * se * w.w[kj] * w.th[kj]
	}
	row[w.apos[i]] -= coef * sig * x * w.th[k]
	if w.segOn > 0 {
		for _, j := range w.jl[r*n : r*n+cnt] {
			kj := j*R + r
			if col := w.rsegCol[kj]; col >= 0 {
				row[col] -= coef * x * se * w.w[kj] * w.th[kj]
			}
		}
		if col := w.rsegCol[k]; col >= 0 {
			row[col] += coef * sig * x * w.th[k]
		}
	}
	m := len(w.act)
	for t := range w.tq {
		if q := &w.tq[t]; q.r == r {
			row[m+t] += coef * x * se * w.w[q.k]
			if q.k == k {
				row[m+t] -= coef * sig * x
			}
		}
	}
}

// serves reports whether reach (nil: every region) holds r.
func serves(reach []int, r int) bool {
	if reach == nil {
		return true
	}
	for _, v := range reach {
		if v == r {
			return true
		}
	}
	return false
}

// facJacobian writes the facilities' columns in the suppliers' rows and
// their own rows into the N×N Jacobian (docs/MODEL.md, section 5). A
// user's flow through the facility (facFlow) moves with its sales S (own
// price; concessions and tied corridors through its flows; −ρs·S' with
// the ρ̂ of the facility its marginal corridor uses), with its own cost
// (ρs per unit of ρ̂), and with the capacities in force of the tied
// corridors before it that are limited by their regions' tonnes.
func (w *workspace) facJacobian(J []float64, N int) {
	R := w.R
	m := len(w.act)
	base := m + len(w.tq)
	for a, i := range w.act {
		sp := &w.sup[i]
		if !sp.dyn || w.piece[i] != pieceInterior {
			continue
		}
		if f := sp.fac[sp.ord[sp.jat]]; f >= 0 {
			J[a*N+base+f] += sp.dq * w.fscale[f] / w.sc[i]
		}
	}
	for f := range w.rho {
		col := base + f
		row := J[col*N : col*N+N]
		if w.fmode[f] != 0 {
			row[col] = 1 // Φ = ρ̂
			continue
		}
		cu := -1 / w.fden[f] // Φ = −(U − K)/K
		for _, us := range w.fu[f] {
			i, k := us.i, us.k
			if w.closed[i] || w.pinned[i] {
				continue
			}
			sp := &w.sup[i]
			S := w.S[i]
			_, dFS, dFc := w.facFlow(i, k, S)
			row[col] += cu * dFc * w.fscale[f]
			if sp.segOn {
				w.facDiscDeriv(row, i, k, S, cu)
			}
			if w.piece[i] == pieceInterior {
				row[w.apos[i]] += cu * dFS * w.dS[i]
				if f2 := sp.fac[sp.ord[sp.jat]]; f2 >= 0 {
					row[base+f2] -= cu * dFS * sp.dq * w.fscale[f2]
				}
				if w.phi[i] > 0 && sp.oml > 0 {
					// A strategic user's conduct markup moves p̃ with
					// every price (conductJacobian has set w.dmu).
					g := -cu * dFS * w.dS[i] / sp.oml
					d := w.dmu[i*w.n : i*w.n+w.n]
					for a, j := range w.act {
						row[a] += g * d[j]
					}
				}
			}
			var P, G []float64
			if sp.reachLimited {
				P, G = w.limitedSteps(i, k, S)
			}
			for r := 0; r < R; r++ {
				om := dFS * (1 - w.ca[i*R+r])
				if sp.reachLimited {
					om += limitedWeight(sp, k, r, P, G)
				}
				w.addFlowDeriv(row, i, r, cu*om)
			}
		}
	}
}

// facDiscDeriv adds coef·∂flow/∂u to row, flow facFlow's of supplier i's
// corridor k at sales S, for the unknowns u that move the resolved part
// disc − dtie of the discount of a tied corridor kk sorted behind k: its
// blend's argument d + dtie (tieStep) falls by it one for one, and
// disc − dtie = (p̃·(1 − e^(−z)) − p̃·zTie) moves with z (p̃·e^(−z)) and
// with the own price (by itself, p̃ ∝ p at a fixed average concession).
// Only where that blend is strictly inside its band (disc − dtie below
// tieWidth + segTie) is there a term.
func (w *workspace) facDiscDeriv(row []float64, i, k int, S, coef float64) {
	sp := &w.sup[i]
	jk := sp.pos[k]
	ord, cum := sp.ord[:len(sp.cum)], sp.cum
	for j := jk + 1; j < len(ord); j++ {
		kk := ord[j]
		if !sp.pref[kk] {
			continue
		}
		// Behind k, H is strictly inside its band only if the resolved
		// discount is below tieWidth + segTie (k sorts ahead).
		if r := sp.disc[kk] - sp.dtie[kk]; !(r > 0 && r < tieWidth+segTie) {
			continue
		}
		_, dP := sp.tieStep(kk, true, sp.cost[jk]-sp.cost[j])
		if dP == 0 {
			continue
		}
		// facFlow's g_{l−1} and g_l: the corridors before kk but k.
		kap := sp.capIn(k)
		g, _ := clampFlow(S-(cum[j-1]-kap), kap)
		gl, _ := clampFlow(S-(cum[j]-kap), kap)
		if gl != g {
			sg := &w.segs[sp.seg[kk]]
			v := -coef * dP * (gl - g)
			row[sg.col] += v * sg.pt * sg.e
			row[w.apos[i]] += v * (sp.disc[kk] - sp.dtie[kk])
		}
	}
}

// limitedSteps returns, for supplier i's corridor k (one using a facility)
// at sales S, what limitedWeight needs of each other corridor l in sorted
// order, the same for every region: H(c_k − c_(l)) in P and
// 1{0 < S − C_l < κ_k} in G (facFlow's terms). The slices are w's scratch.
func (w *workspace) limitedSteps(i, k int, S float64) (P, G []float64) {
	sp := &w.sup[i]
	jk := sp.pos[k]
	ck := sp.cost[jk]
	kap := sp.capIn(k)
	P, G = w.lwP[:0], w.lwG[:0]
	var C float64
	for j, kk := range sp.ord {
		if kk == k {
			continue
		}
		C += sp.capIn(kk)
		h, _ := sp.tieStep(kk, j > jk, ck-sp.cost[j])
		_, dg := clampFlow(S-C, kap)
		P, G = append(P, h), append(G, dg)
	}
	return P, G
}

// limitedWeight returns ∂flow_k/∂x[i][r] through the capacities in force
// of supplier sp's tied corridors limited by their regions' tonnes (facFlow
// with C_l moving one for one with those tonnes), given limitedSteps's P
// and G for corridor k.
func limitedWeight(sp *supplier, k, r int, P, G []float64) float64 {
	// ∂flow/∂x_r = Σ_{l≥1} H(c_k − c_(l))·(a_l − a_{l−1}), a_l = ∂g_l/∂x_r =
	// −1{0 < S − C_l < κ_k}·(the limited tied corridors among the first l
	// that serve r), a_0 = 0.
	var cnt, v, aPrev float64
	l := 0
	for _, kk := range sp.ord {
		if kk == k {
			continue
		}
		if sp.lim[kk] && serves(sp.reach[kk], r) {
			cnt++
		}
		a := -G[l] * cnt
		v += P[l] * (a - aPrev)
		aPrev = a
		l++
	}
	return v
}

// facExcess returns facility f's relative excess use (U − K_F)/K_F at
// scaled shadow value rh, every price and flow fixed (the function
// solveFac clears). It sets w.rho[f] and refreshes the users' corridors.
func (w *workspace) facExcess(f int, rh float64) float64 {
	w.rho[f] = rh * w.fscale[f]
	var U float64
	for _, us := range w.fu[f] {
		i := us.i
		if w.closed[i] {
			continue
		}
		sp := &w.sup[i]
		w.flowsOf(i)
		w.refresh(i, w.xs, w.supplyPrice(i))
		S := w.D[i]
		if !w.pinned[i] {
			S, _, _ = sp.supplyAt(w.supplyPrice(i))
		}
		v, _, _ := w.facFlow(i, us.k, S)
		U += v
	}
	w.evals++
	return (U - w.fcap[f]) / w.fden[f]
}

// solveFac clears facility f by safeguarded bisection in ρ̂ ∈ [0, rhoMax]
// with every price and flow fixed (the Gauss–Seidel fallback and the start
// of a solve): its use falls as ρ rises (a dearer slot moves the users'
// tonnes to their other corridors or cuts their output).
func (w *workspace) solveFac(f int, tol float64) {
	u := w.facBase() + f
	// The bisection's decisions are replayed (signKnown): regula falsi
	// steps (facNarrow) first narrow [kp, kn] around the root, from last
	// solve's root when there was one (fhint); the bisection then
	// evaluates g only between kp and kn.
	sk := signKnown{g: func(rh float64) float64 { return w.facExcess(f, rh) }, eps: 0.01 * tol}
	sk.reset()
	if h := w.fhint[f]; h > 0 {
		facHint(sk.at, &sk.kp, &sk.kn, h, sk.eps)
	}
	rh := 0.0
	if glo := sk.sign(0); glo > 0 {
		lo, hi := 0.0, max(2*w.y[u], 0.01)
		ghi := math.NaN()
		for hi < rhoMax {
			if ghi = sk.sign(hi); !(ghi > 0) {
				break
			}
			lo, glo, hi = hi, ghi, min(2*hi, rhoMax)
		}
		if hi < rhoMax && !(sk.kn-sk.kp <= 4e-16*(1+hi)) && !math.IsInf(glo, 0) && ghi <= 0 && !math.IsInf(ghi, 0) {
			// No hint, or a poor one: narrow within [lo, hi].
			facNarrow(sk.at, &sk.kp, &sk.kn, lo, hi, glo, ghi, sk.eps)
		}
		rh = sk.bisect(lo, hi)
		w.fhint[f] = rh
	}
	w.y[u] = rh
	w.rho[f] = rh * w.fscale[f]
}

// signKnown replays the bisection of a non-increasing g exactly while
// evaluating g only where its sign is not yet known: g > eps at every
// point left of one where it was (kp), and g < −eps right of one where
// it was (kn). Points gathered by facNarrow, facHint and facBand (through
// at) narrow [kp, kn] around the root first, so that most of the
// bisection's points fall outside it. The result is the plain
// bisection's, bit for bit: only the number of evaluations differs.
// Where g turns out not monotone within rounding (bad), nothing is
// inferred and every point is evaluated.
type signKnown struct {
	g      func(float64) float64
	eps    float64
	kp, kn float64
	bad    bool
}

// reset forgets what is known: no point yet.
func (sk *signKnown) reset() {
	sk.kp, sk.kn, sk.bad = math.Inf(-1), math.Inf(1), false
}

// at evaluates g at x and records its sign.
func (sk *signKnown) at(x float64) float64 {
	v := sk.g(x)
	sk.note(x, v)
	return v
}

// note records g(x) = v, evaluated by the caller.
func (sk *signKnown) note(x, v float64) {
	eps := sk.eps
	if v > eps && x >= sk.kn || v < -eps && x <= sk.kp || math.Abs(v) <= eps && (x <= sk.kp || x >= sk.kn) {
		sk.bad = true // not monotone within rounding: infer nothing
	}
	if v > eps {
		sk.kp = max(sk.kp, x)
	} else if v < -eps {
		sk.kn = min(sk.kn, x)
	}
}

// sign is g(x), or ±Inf where its sign is known.
func (sk *signKnown) sign(x float64) float64 {
	switch {
	case sk.bad:
		return sk.g(x)
	case x <= sk.kp:
		return math.Inf(1)
	case x >= sk.kn:
		return math.Inf(-1)
	}
	return sk.at(x)
}

// bisect bisects [lo, hi] (g(lo) > 0 ≥ g(hi)) for g's root with the
// signs known so far (bisectRoot on sk.sign): the same midpoints and
// result as bisecting g itself.
func (sk *signKnown) bisect(lo, hi float64) float64 {
	return bisectRoot(sk.sign, lo, hi, sk.eps)
}

// bisectRoot bisects [lo, hi] (g(lo) > 0 ≥ g(hi)) down to a few ulp, or
// to a point where |g| ≤ eps, at most bisectIter times, and returns the
// bracket's midpoint.
func bisectRoot(g func(float64) float64, lo, hi, eps float64) float64 {
	for it := 0; it < bisectIter && hi-lo > 4e-16*(1+hi); it++ {
		mid := 0.5 * (lo + hi)
		v := g(mid)
		if math.Abs(v) <= eps {
			lo, hi = mid, mid
			break
		}
		if v > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}

// facNarrow brackets the root of a non-increasing g on [lo, hi] (g(lo) =
// glo > 0 ≥ g(hi) = ghi) by the Illinois variant of regula falsi, for at
// most facNarrowIter evaluations, each recorded by gk in kp and kn; once
// it meets a point where |g| ≤ eps it probes outwards for the nearest
// points where |g| > eps on either side. It only gathers knowledge for
// signKnown.bisect: its own estimate of the root is never used.
func facNarrow(gk func(float64) float64, kp, kn *float64, lo, hi, glo, ghi, eps float64) {
	side, w0 := 0, hi-lo
	for it := 0; it < facNarrowIter && hi-lo > 4e-16*(1+hi); it++ {
		x := hi - ghi*(hi-lo)/(ghi-glo)
		if it%3 == 2 {
			// Safeguard: bisect when three steps did not halve the
			// bracket (regula falsi crawls on a steep smoothed tie).
			if hi-lo > 0.5*w0 {
				x = 0.5 * (lo + hi)
			}
			w0 = hi - lo
		}
		if !(x > lo && x < hi) {
			x = 0.5 * (lo + hi)
		}
		v := gk(x)
		if math.Abs(v) <= eps {
			// x is inside the band where the bisection stops: find its
			// edges, from the secant slope's estimate of its half-width.
			d := 4e-16 * (1 + math.Abs(x))
			if e := 2 * eps * (hi - lo) / (glo - ghi); e > d && e < hi-lo {
				d = e
			}
			facBand(gk, kp, kn, x, d, eps)
			return
		}
		if v > 0 {
			lo, glo = x, v
			if side > 0 {
				ghi *= 0.5
			}
			side = 1
		} else {
			hi, ghi = x, v
			if side < 0 {
				glo *= 0.5
			}
			side = -1
		}
	}
}

// facNarrowIter bounds the regula falsi evaluations of facNarrow.
const facNarrowIter = 40

// facHint gathers knowledge of a non-increasing g (recorded by gk in kp
// and kn) around h, last solve's root: it steps out from h by 1e-6·h,
// growing eightfold, until g changes sign, then narrows the bracket with
// facNarrow.
func facHint(gk func(float64) float64, kp, kn *float64, h, eps float64) {
	gh := gk(h)
	if math.Abs(gh) <= eps {
		facBand(gk, kp, kn, h, 4e-16*(1+h), eps)
		return
	}
	dir := 1.0
	if gh < 0 {
		dir = -1
	}
	x, gx := h, gh
	for d := 1e-6 * h; d < rhoMax; d *= 8 {
		y := max(0, x+dir*d)
		gy := gk(y)
		if math.Abs(gy) <= eps {
			facBand(gk, kp, kn, y, 4e-16*(1+y), eps)
			return
		}
		if (gy > 0) != (gx > 0) {
			lo, hi, glo, ghi := x, y, gx, gy
			if dir < 0 {
				lo, hi, glo, ghi = y, x, gy, gx
			}
			facNarrow(gk, kp, kn, lo, hi, glo, ghi, eps)
			return
		}
		if y == 0 {
			return
		}
		x, gx = y, gy
	}
}

// facBand probes outwards from x, where |g| ≤ eps, for the nearest points
// on either side where |g| > eps, starting d away and quadrupling.
func facBand(gk func(float64) float64, kp, kn *float64, x, d, eps float64) {
	for _, dir := range [2]float64{-1, 1} {
		e := d
		for k := 0; k < 20; k++ {
			y := x + dir*e
			if dir < 0 && y <= *kp || dir > 0 && y >= *kn {
				break
			}
			if math.Abs(gk(y)) > eps {
				break
			}
			e *= 4
		}
	}
}
