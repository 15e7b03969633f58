package model

import "math"

// Tariff-rate quotas in the solver (docs/MODEL.md, section 3.7).
//
// A tariff-rate quota on route k = (i, r) charges the in-quota rate t_in
// on the first Q̄ Mt/yr and the out-of-quota rate t_out ≥ t_in above. The
// price buyers in r pay for the variety is p_d = (p_i + f)·(1 + τ + ϑ),
// with the effective rate ϑ ∈ [t_in, t_out] the complementarity
//
//	x < Q̄  ⇒ ϑ = t_in        (quota not filled)
//	x > Q̄  ⇒ ϑ = t_out       (over-quota imports pay the high rate)
//	t_in < ϑ < t_out ⇒ x = Q̄ (the quota binds; the gap is the quota rent)
//
// Each such route adds one unknown, ψ = ln(1 + τ + ϑ) ∈ [lo, hi], stored
// at y[n+t]; its residual is the mid-function form of the complementarity
//
//	Φ = ψ − mid(lo, hi, ψ + g),   g = (x − Q̄)/Q̄,
//
// which is zero exactly at the solutions above and semismooth, so Newton
// uses its generalised Jacobian (the piece in force) and the line search
// and bracketing fallback handle the kinks as they do those of S(p): the
// fallback clears ψ by safeguarded bisection on [lo, hi], where g is
// strictly decreasing in ψ (x falls as its own delivered price rises).

// trq is one tariff-rate quota in force on an open route.
type trq struct {
	k, i, r   int     // route i*R + r, its supplier and region
	lo, hi    float64 // ln(1 + τ + t_in), ln(1 + τ + t_out)
	tin, tout float64 // the in-quota and out-of-quota rates
	quota     float64 // Q̄, Mt/yr (> 0)
	mode      int8    // piece of the mid function at the last eval: −1 lo, 0 middle, +1 hi
	// warm says ψ starts at the last month's value (carryTRQ) rather
	// than at lo, so the start of the solve need not clear it.
	warm bool
}

// trqCarry is a converged tariff-rate quota's ψ on route k, whose
// extrapolation starts the same quota in the next month of a path
// (workspace.psiCarry).
type trqCarry struct {
	k   int
	psi carried
}

// carryTRQ starts each quota of this solve that was in force in the last
// converged one (same route) at its ψ extrapolated from there, clamped to
// this month's [lo, hi], and marks it warm. Both lists are in route order.
func (w *workspace) carryTRQ() {
	j := 0
	for t := range w.tq {
		q := &w.tq[t]
		var c carried
		if j, c, q.warm = findTRQCarry(w.psiCarry, j, q.k); q.warm {
			w.y[w.n+t] = min(max(c.start, q.lo), q.hi)
		}
	}
}

// findTRQCarry looks for route k's quota in cs, a list in route order,
// from index j on (callers walk routes in increasing order): it returns
// the index to go on from, the quota's carry and whether there was one.
func findTRQCarry(cs []trqCarry, j, k int) (int, carried, bool) {
	for j < len(cs) && cs[j].k < k {
		j++
	}
	if j < len(cs) && cs[j].k == k {
		return j, cs[j].psi, true
	}
	return j, carried{}, false
}

// trqAt returns the tariff-rate quota of route k in force in this solve,
// or nil.
func (w *workspace) trqAt(k int) *trq {
	for t := range w.tq {
		if w.tq[t].k == k {
			return &w.tq[t]
		}
	}
	return nil
}

// prepareTRQ registers the tariff-rate quota on route k (supplier i,
// region r) with wedge factor t1 = 1 + τ0 + Wedge and returns the route's
// starting wedge factor. A route with no quota, equal rates, a zero quota
// or that cannot trade gets a fixed factor and no unknown.
func (w *workspace) prepareTRQ(pol *Policy, i, r, k int, t1 float64, trades bool) (float64, error) {
	q, tin, tout := pol.TRQQuota[i][r], pol.TRQIn[i][r], pol.TRQOut[i][r]
	if tin == 0 && tout == 0 {
		return t1, nil
	}
	m := w.c.Market
	if tout < tin {
		return 0, &FieldError{Field: "policy.trq_out[" + m.Suppliers[i].Name + "][" + m.Regions[r].Name + "]", Msg: "the out-of-quota rate is below the in-quota rate", Kind: ErrInvalidPolicy}
	}
	if !(t1+tin > 0) {
		return 0, &FieldError{Field: "policy.trq_in[" + m.Suppliers[i].Name + "][" + m.Regions[r].Name + "]",
			Msg: "makes the total wedge ≤ −100%", Kind: ErrInvalidPolicy}
	}
	switch {
	case math.IsInf(q, 1) || tout == tin || !trades:
		return t1 + tin, nil
	case q == 0:
		return t1 + tout, nil
	}
	lo, hi := math.Log(t1+tin), math.Log(t1+tout)
	w.tq = append(w.tq, trq{k: k, i: i, r: r, lo: lo, hi: hi, tin: tin, tout: tout, quota: q})
	w.y[w.n+len(w.tq)-1] = lo
	return t1 + tin, nil
}

// trqResiduals sets tau1 of every tariff-rate-quota route from its
// unknown (before the flows are computed).
func (w *workspace) trqPrices() {
	for t := range w.tq {
		w.tau1[w.tq[t].k] = math.Exp(w.y[w.n+t])
	}
}

// trqResiduals computes Φ for every tariff-rate quota at the flows of the
// last eval, records the piece in force, and adds to max |F| and Σ F².
func (w *workspace) trqResiduals(maxF, ss float64) (float64, float64) {
	for t := range w.tq {
		q := &w.tq[t]
		psi := w.y[w.n+t]
		g := (w.x[q.k] - q.quota) / q.quota
		var f float64
		switch v := psi + g; {
		case v >= q.hi:
			f, q.mode = psi-q.hi, 1
		case v <= q.lo:
			f, q.mode = psi-q.lo, -1
		default:
			f, q.mode = -g, 0
		}
		w.F[w.n+t] = f
		ss += f * f
		if a := math.Abs(f); a > maxF {
			maxF = a
		}
	}
	return maxF, ss
}

// trqJacobian adds the tariff-rate quotas' columns to the suppliers' rows
// and writes their own rows, in the N×N Jacobian J (N = len(w.unk);
// docs/MODEL.md, section 5). With c[v][z] = ∂ln p_d[v]/∂z (θ for a
// supplier's price, 1 for a quota's own ψ) and s the expenditure share,
//
//	∂x[u]/∂z = x[u]·(−σ·c[u][z] + (σ−ε)·Σ_v s[v]·c[v][z]).
func (w *workspace) trqJacobian(J []float64, N int) {
	n, R, m := w.n, w.R, len(w.act)
	for t := range w.tq {
		q := &w.tq[t]
		r := q.r
		W := w.W[r]
		if W == 0 {
			continue
		}
		sig, se := w.sig[r], (w.sig[r]-w.epsX[r])/W
		col := m + t
		// Column t in the rows of the active suppliers selling in r.
		cnt := w.jn[r]
		for b, i := range w.jl[r*n : r*n+cnt] {
			xi := w.ca[i*R+r] * w.x[i*R+r] / w.sc[i]
			a := w.ja[r*n+b]
			J[a*N+col] += xi * se * w.w[q.k]
			if i == q.i {
				J[a*N+col] -= sig * xi
			}
		}
		// Row t.
		row := J[col*N : col*N+N]
		if q.mode != 0 {
			row[col] = 1 // Φ = ψ − lo or ψ − hi
			continue
		}
		coef := -w.x[q.k] / q.quota // Φ = −(x − Q̄)/Q̄
		for b, j := range w.jl[r*n : r*n+cnt] {
			kj := j*R + r
			row[w.ja[r*n+b]] += coef * se * w.w[kj] * w.th[kj]
			if j == q.i {
				row[w.ja[r*n+b]] -= coef * sig * w.th[kj]
			}
			if w.segOn > 0 {
				if col := w.rsegCol[kj]; col >= 0 {
					row[col] -= coef * se * w.w[kj] * w.th[kj]
					if j == q.i {
						row[col] += coef * sig * w.th[kj]
					}
				}
			}
		}
		for u := range w.tq {
			if w.tq[u].r == r {
				row[m+u] += coef * se * w.w[w.tq[u].k]
			}
		}
		row[col] -= coef * sig
	}
}

// solveTRQ clears tariff-rate quota t by safeguarded Newton–bisection in
// ψ on [lo, hi], every price fixed (the Gauss–Seidel fallback and the
// start of a solve). g(ψ) = (x − Q̄)/Q̄ is strictly decreasing in ψ: ψ = lo
// when g(lo) ≤ 0, hi when g(hi) ≥ 0, else the root.
func (w *workspace) solveTRQ(t int, tol float64) {
	q := &w.tq[t]
	n, R, r := w.n, w.R, q.r
	wA := w.weights()
	var wo float64
	for _, j := range w.rl[r*n : r*n+w.rn[r]] {
		if kj := j*R + r; kj != q.k {
			wo += wA[kj]
		}
	}
	pf := w.p[q.i]*w.omd[q.k] + w.fr[q.k]
	om := 1 - w.sig[r]
	g := func(psi float64) (float64, float64) {
		pd := pf * fexp(psi)
		wk := fexp(w.lnb[q.k] + om*flog(pd))
		W := wo + wk
		lnP := flog(W) / om
		PQ, e, _ := w.spend(r, lnP)
		x := wk / W * PQ / pd
		s := wk / W
		w.evals++
		return (x - q.quota) / q.quota, x / q.quota * (-w.sig[r] + (w.sig[r]-e)*s)
	}
	psi := q.lo
	if gl, _ := g(q.lo); gl > 0 {
		psi = q.hi
		if gh, _ := g(q.hi); gh < 0 {
			lo, hi := q.lo, q.hi
			psi = min(max(w.y[n+t], lo), hi)
			v, dv := g(psi)
			for it := 0; it < bisectIter; it++ {
				if math.Abs(v) <= 0.01*tol || hi-lo <= 4e-16*(1+math.Abs(psi)) {
					break
				}
				if v > 0 {
					lo = psi
				} else {
					hi = psi
				}
				next := psi - v/dv
				if !(dv < 0) || !(next > lo && next < hi) {
					next = 0.5 * (lo + hi)
				}
				psi = next
				v, dv = g(psi)
			}
		}
	}
	w.y[n+t] = psi
	w.tau1[q.k] = math.Exp(psi)
	wA[q.k] = math.Exp(w.lnb[q.k] + om*math.Log(pf*w.tau1[q.k]))
}

// clampU clamps the value of unknown u: a log price to its bounds, a
// quota's ψ to [lo, hi].
func (w *workspace) clampU(u int, v float64) float64 {
	if u < w.n {
		return clampY(v)
	}
	if u >= w.segBase() {
		return min(max(v, 0), zMax) // a segment's z
	}
	if u >= w.n+len(w.tq) {
		return min(max(v, 0), rhoMax) // a facility's ρ̂
	}
	q := &w.tq[u-w.n]
	return min(max(v, q.lo), q.hi)
}

// trqSplit returns what buyers pay on route k above its other rates, at
// CFR price pi and flow x, split between the importing region's
// government (the quota's own rates: t_in on the tonnes inside the quota,
// t_out on those above it) and the importers holding the quota (the rent
// (ϑ − t_in)·π on the tonnes inside it), $M/yr. ok is false when the
// route has no tariff-rate quota unknown in this solve.
func (w *workspace) trqSplit(k int, pi, x float64) (gov, rent float64, ok bool) {
	q := w.trqAt(k)
	if q == nil {
		return 0, 0, false
	}
	in := min(x, q.quota)
	theta := w.tau1[k] - math.Exp(q.lo) + q.tin
	gov = pi * (q.tin*in + q.tout*max(0, x-q.quota))
	rent = max(0, pi*(theta-q.tin)*in)
	return gov, rent, true
}
