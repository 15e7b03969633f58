package model

import "math"

// The solver's last resort (docs/MODEL.md, section 5, step 5): a Newton solve in
// which every supplier on a steep piece of its supply curve clears its
// market in price form.
//
// With a small short-run supply elasticity η_t = λ·η, the mine supply
// q(m) = B_t·m^η_t on the corridor on the margin is nearly flat in the
// mine margin m = p̃ − c until m is within a hair of 0, where it drops to
// the capacity of the cheaper corridors. A month whose demand lies between
// the two clears on that near-step: m is 1e-5 … 1e-11 $/t, S'(p̃) = η_t·S/m
// is enormous, and the quantity residual D − S(p̃) changes by more than the
// tolerance between two neighbouring float64 prices. Newton in ln p then
// crawls (its linearization holds only within m of the point) and the
// Gauss–Seidel fallback cannot close the loop between the supplier's own
// price and what it depends on: a Cournot seller's markup μ(p), which moves
// p̃ = p·(1 − δ̄)·(1 − L − μ) with every price, and a shared facility's
// shadow value ρ, which moves the corridor's cost c with the seller's own
// tonnes through it.
//
// In price form the same market-clearing condition reads
//
//	R_i = (p̃_i − c_k − q⁻¹(D_i)) / (10⁻³·p0_i) = 0,   q⁻¹(x) = (x/B_t)^(1/η_t)
//
// with k the corridor that carries D_i's last tonne when the rescue
// starts (supplier.lastCorridor) and p0_i the base FOB price: zero exactly
// where q(p̃ − c_k) = D_i, and nearly linear in every unknown where the
// quantity form is nearly a step. Such a supplier's sales are its demand
// (S = D) in the facilities' use. The Jacobian is taken by central
// differences (the rescue runs only after the ordinary solve has failed,
// so its cost does not matter), which also carries the markups'
// derivatives with respect to the tariff-rate quotas' unknowns that the
// analytic Jacobian leaves out.
//
// When the rescue converges, the ordinary residuals are evaluated again: a
// price-form supplier whose quantity residual is still above the tolerance
// clears on a step narrower than the price resolution and is pinned there
// (workspace.pinned), as the ordinary solve would have done had it reached
// the point; a few ordinary Newton steps then polish what is left. A
// solve that converges without the rescue never reaches it, so its result
// is unchanged bit for bit.

const (
	// rescueSteep is the supply elasticity ∂ln S/∂ln p̃ = η_t·p̃/m, at
	// the margin m = q⁻¹(D) where the mines would supply the demand D,
	// above which a supplier clears its market in price form in the
	// rescue.
	rescueSteep = 10
	// rescueIter bounds the Newton iterations of one round of the
	// rescue.
	rescueIter = 100
	// rescueRounds bounds the rounds of the rescue (workspace.rescue).
	rescueRounds = 3
	// rescueGate is the largest residual of the price-form system at
	// which the rescue hands back to the ordinary residuals (handBack).
	// It only decides whether to try: the price-form rows can stop at a
	// rounding floor above Solver.Tol, and the solve converges only when
	// the ordinary residuals then meet Solver.Tol.
	rescueGate = 1e-6
	// rescueFDStep is the relative step of the central differences of the
	// rescue's Jacobian.
	rescueFDStep = 1e-7
	// rescuePolish bounds the ordinary Newton steps taken from the
	// rescue's solution.
	rescuePolish = 10
	// rescuePriceScale scales the price form's residual: R_i is the gap
	// p̃ − c − q⁻¹(D) in thousandths of the base FOB price, so that
	// Newton drives it down to the rounding of p̃ (a few 1e-15 $/t), where
	// a step can be told from the price resolution, before the quantity
	// residuals' rounding stops the line search.
	rescuePriceScale = 1e-3
	// maxExpArg caps the exponent of q⁻¹ (e^700 ≈ 1e304 $/t: finite).
	maxExpArg = 700
)

// rescueState is the rescue's per-workspace state, made on its first use.
type rescueState struct {
	on    bool      // eval uses the price form for the suppliers in pform
	pform []bool    // supplier i clears in price form
	prev  []bool    // pform of the last round
	pfk   []int     // the corridor (input index) on its margin
	fp    []float64 // central-difference scratch, per unknown
	fm    []float64
	ybest []float64
}

// priceForm returns R_i at effective price pt (eval, rescue on).
func (w *workspace) priceForm(i int, pt float64) float64 {
	sp := &w.sup[i]
	c := sp.cost[sp.pos[w.rs.pfk[i]]]
	var h float64
	if D := w.D[i]; D > 0 {
		h = math.Exp(min((math.Log(D)-sp.lnB)/sp.eta, maxExpArg))
	}
	return (pt - c - h) / (rescuePriceScale * w.c.Market.Suppliers[i].FOB)
}

// rescue runs the price-form Newton solve from the best point of the
// ordinary solve (w.ybest) and reports whether it converged; on success
// w.y holds the solution, the ordinary residuals are current (pinned
// suppliers included) and maxF is their maximum. Otherwise w.y is left at
// the ordinary solve's best point. iters counts its Newton steps.
//
// A price-form solution on which the ordinary residuals do not clear (a
// supplier's demand moved past its capacity or off the corridor it was
// given) starts another round, with the suppliers classified again at
// that point, at most rescueRounds in all and only while the
// classification changes.
func (w *workspace) rescue(tol float64) (maxF float64, iters int, ok bool) {
	if w.rs == nil {
		nu := len(w.y)
		w.rs = &rescueState{pform: make([]bool, w.n), prev: make([]bool, w.n), pfk: make([]int, w.n)}
		w.rs.fp, w.rs.fm, w.rs.ybest = make([]float64, nu), make([]float64, nu), make([]float64, nu)
	}
	rs := w.rs
	if len(rs.fp) < len(w.unk) {
		rs.fp, rs.fm = make([]float64, len(w.unk)), make([]float64, len(w.unk))
	}
	if len(rs.ybest) < w.ny {
		rs.ybest = make([]float64, w.ny)
	}
	for i := range rs.pform {
		rs.pform[i] = false
	}
	copy(w.y[:w.ny], w.ybest[:w.ny])
	for round := 0; round < rescueRounds; round++ {
		// Every participant is an unknown again: the price form
		// replaces the pins.
		w.unpinAll()
		w.eval()
		if !w.classifySteep(tol) {
			break
		}
		it, conv := w.rescueNewton(tol)
		iters += it
		if !conv {
			break
		}
		if mf, ok := w.handBack(tol); ok {
			return mf, iters, true
		}
	}
	copy(w.y[:w.ny], w.ybest[:w.ny])
	w.unpinAll()
	w.eval()
	return 0, iters, false
}

// unpinAll makes every participating supplier an unknown again.
func (w *workspace) unpinAll() {
	if len(w.act) == len(w.part) {
		return
	}
	for _, i := range w.part {
		w.pinned[i] = false
	}
	w.act = append(w.act[:0], w.part...)
	w.activeLists()
}

// classifySteep sets rs.pform and rs.pfk at the point of the last eval:
// a supplier on an interior piece, or on a corridor piece whose market
// does not clear, and whose demand D is within its supply's reach, clears
// in price form when its supply is steep at D (rescueSteep). It reports
// whether some supplier does and the classification differs from the
// last round's.
func (w *workspace) classifySteep(tol float64) bool {
	rs := w.rs
	copy(rs.prev, rs.pform)
	for i := range rs.pform {
		rs.pform[i] = false
	}
	steep, changed := false, false
	for _, i := range w.act {
		sp := &w.sup[i]
		D := w.D[i]
		pc := w.piece[i]
		if !(sp.eta > 0) || !(D > 0) || D > sp.smax || pc != pieceInterior && (pc != pieceCorridor || math.Abs(w.F[i]) <= tol) {
			continue
		}
		// The corridor that carries D's last tonne, and the margin m
		// at which the mines supply D: steep there?
		j := sp.lastCorridor(D)
		if j < 0 {
			continue
		}
		m := math.Exp(min((math.Log(D)-sp.lnB)/sp.eta, maxExpArg))
		if sp.eta*(sp.cost[j]+m) > rescueSteep*m {
			rs.pform[i], rs.pfk[i] = true, sp.ord[j]
			steep = true
		}
	}
	for i := range rs.pform {
		if rs.pform[i] != rs.prev[i] {
			changed = true
		}
	}
	return steep && changed
}

// rescueNewton runs Newton on the price-form system from w.y and reports
// its iterations and whether it came within rescueGate; w.y is left at its
// best point, with the ordinary residuals (rescue off) not yet evaluated.
func (w *workspace) rescueNewton(tol float64) (iters int, conv bool) {
	rs := w.rs
	rs.on = true
	defer func() { rs.on = false }()
	mf, ss := w.eval()
	best, bestSS := mf, ss
	copy(rs.ybest[:w.ny], w.y[:w.ny])
	na := len(w.unk)
	for iters < rescueIter && mf > 0 {
		iters++
		w.fdJacobian()
		var ok bool
		if w.tail, ok = luFactor(w.J[:na*na], na, w.piv[:na]); !ok {
			break
		}
		for a, u := range w.unk {
			w.dy[a] = -w.F[u]
		}
		luSolveFactored(w.J[:na*na], na, w.piv[:na], w.tail, w.dy[:na])
		var big float64
		for a := 0; a < na; a++ {
			if v := math.Abs(w.dy[a]); v > big || math.IsNaN(v) {
				big = v
			}
		}
		if !finite(big) {
			break
		}
		if big > maxLogStep {
			for a := 0; a < na; a++ {
				w.dy[a] *= maxLogStep / big
			}
		}
		for _, u := range w.unk {
			w.ytry[u] = w.y[u]
		}
		accepted := false
		alpha := 1.0
		for h := 0; h < maxHalvings; h++ {
			for a, u := range w.unk {
				w.y[u] = w.clampU(u, w.ytry[u]+alpha*w.dy[a])
			}
			m2, s2 := w.eval()
			if s2 <= (1-armijo*alpha)*ss {
				mf, ss, accepted = m2, s2, true
				break
			}
			alpha *= 0.5
		}
		if !accepted {
			break
		}
		if ss < bestSS {
			best, bestSS = mf, ss
			copy(rs.ybest[:w.ny], w.y[:w.ny])
		}
		if mf <= 1e-3*tol {
			break
		}
	}
	copy(w.y[:w.ny], rs.ybest[:w.ny])
	return iters, best <= rescueGate
}

// handBack evaluates the ordinary residuals at the rescue's solution, pins
// the price-form suppliers whose market clears on a step the price cannot
// resolve, polishes with at most rescuePolish ordinary Newton steps, and
// reports max |F| and whether it is within the tolerance with every pinned
// market still clearing on its step.
func (w *workspace) handBack(tol float64) (float64, bool) {
	rs := w.rs
	mf, ss := w.eval()
	if mf > tol {
		if w.pinStepCleared(tol, rs.pform) {
			mf, ss = w.eval()
		}
	}
	if mf > tol {
		w.jacobian()
		for k := 0; k < rescuePolish && mf > tol; k++ {
			var stepOK bool
			mf, ss, stepOK = w.newtonStep(mf, ss, tol)
			if !stepOK {
				break
			}
		}
	}
	if !(mf <= tol) {
		return mf, false
	}
	// The polish moved the others' prices: every pinned market must
	// still clear on its step.
	if len(w.act) < len(w.part) {
		if w.firstStalePin() >= 0 {
			return mf, false
		}
		mf, _ = w.eval()
	}
	return mf, mf <= tol
}

// fdJacobian sets w.J to the central-difference Jacobian of the residuals
// of eval at w.y (the rescue's price form included) and leaves the point's
// residuals current.
func (w *workspace) fdJacobian() {
	na := len(w.unk)
	rs := w.rs
	for b, ub := range w.unk {
		y0 := w.y[ub]
		h := rescueFDStep * max(1, math.Abs(y0))
		yp, ym := w.clampU(ub, y0+h), w.clampU(ub, y0-h)
		w.y[ub] = yp
		w.eval()
		for a, ua := range w.unk {
			rs.fp[a] = w.F[ua]
		}
		w.y[ub] = ym
		w.eval()
		for a, ua := range w.unk {
			rs.fm[a] = w.F[ua]
		}
		w.y[ub] = y0
		d := yp - ym
		for a := range w.unk {
			v := 0.0
			if d > 0 {
				v = (rs.fp[a] - rs.fm[a]) / d
			}
			w.J[a*na+b] = v
		}
	}
	w.eval()
	w.jstate = jacNone
}
