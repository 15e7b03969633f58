package model

import (
	"fmt"
	"math"
)

// Stocks held by importers and distributors (docs/MODEL.md, section 10).
//
// With a Lag that carries stocks (Lag.Stocks, Lag.Expect), a region's
// demand for shipments X is its consumption C (partial adjustment, §3.6)
// plus 12 times the month's change in stocks, and the stock follows a
// stock-demand function of its price index against the expected price:
//
//	S*  = k·h·C̄·(P/Pᵉ)^(−γ),   γ = β/c              (stock demand; h = Policy.StockScale)
//	ΔS  = φ·(S* − S_{t−1})                            (partial adjustment)
//	X   = C·f(12·ΔS/C)                                 (shipFactor)
//	S_t = S_{t−1} + (X − C)/12                         (stock accounting)
//
// f(u) = 1 + u for u ≥ −½ and ½·e^(2u+1) below: a month cannot ship less
// than nothing, so a draw of more than half a month's use is damped
// smoothly (S_t stays at or above the rule's stock, hence positive).

// shipKnee is the draw, as a fraction of the month's consumption, below
// which shipFactor damps the stock draw.
const shipKnee = -0.5

// shipFactor returns f(u) and f'(u): shipments as a multiple of
// consumption when the stock rule asks for a change of u·C/12.
func shipFactor(u float64) (f, fp float64) {
	if u >= shipKnee {
		return 1 + u, 1
	}
	f = (1 + shipKnee) * math.Exp((u-shipKnee)/(1+shipKnee))
	return f, f / (1 + shipKnee)
}

// StockGamma returns the elasticity γ = β/c of region g's stock target
// to its price against the expected price (0 without stocks).
func StockGamma(g *Region) float64 {
	if !(g.StockMonths > 0) || !(g.CarryCost > 0) {
		return 0
	}
	return g.StockResponse / g.CarryCost
}

// hasStocks reports whether region g holds stocks.
func hasStocks(g *Region) bool { return g.StockMonths > 0 }

// prepareStocks checks, region by region, the lagged demand (when lag
// is set) and the lag's stocks and expected price, and sets each
// region's stock terms for this solve: the lag's stocks and expected
// price, the target's scale k·h·C̄ = k·h·s·Q0 (s·h the demand scale s in
// force times the stock-target scale h, Policy.StockScale) and the
// rule's coefficients; stk[r] says the region holds stocks this solve.
// It writes the arguments of prepare's logs: lds the demand scale
// (1 where it is 1 or not positive), ldem the lagged demand floored at
// lagQuantityFloor of the base (1 without a lag), lpe the expected price
// Pᵉ, whose log prepare then writes to w.lnPe[r] where the region holds
// stocks (1 elsewhere).
func (w *workspace) prepareStocks(pol *Policy, lag *Lag, lds, ldem, lpe []float64) error {
	c := w.c
	R := w.R
	// The per-region slices cut to R once (one bounds check of r).
	regs, dsA, ssA, q0 := c.Market.Regions[:R], pol.DemandScale[:R], pol.StockScale[:R], c.Q0[:R]
	lds, ldem, lpe = lds[:R], ldem[:R], lpe[:R]
	stk, cons, sBar, sPrev, gam, phi12 := w.stk[:R], w.cons[:R], w.sBar[:R], w.sPrev[:R], w.gam[:R], w.phi12[:R]
	var lstk, lexp []float64
	if lag != nil && lag.Stocks != nil {
		lstk, lexp = lag.Stocks[:R], lag.Expect[:R]
	}
	for r := range regs {
		g := &regs[r]
		ds := dsA[r]
		lds[r], ldem[r], lpe[r] = 1, 1, 1
		if ds > 0 && ds != 1 {
			lds[r] = ds
		}
		if lag != nil {
			q := lag.Demand[r]
			if !finite(q) || q < 0 {
				return &FieldError{Field: "lag.demand[" + g.Name + "]", Msg: fmt.Sprintf("%v must be a finite number ≥ 0", q), Kind: ErrInvalidPolicy}
			}
			ldem[r] = max(q, lagQuantityFloor*q0[r])
		}
		stk[r] = false
		cons[r] = 0
		sBar[r] = g.StockMonths / 12 * max(ds*ssA[r], 0) * q0[r]
		if lstk == nil || !hasStocks(g) {
			continue
		}
		s, pe := lstk[r], lexp[r]
		if !finite(s) || s < 0 {
			return &FieldError{Field: "lag.stocks[" + g.Name + "]", Msg: "must be a finite number ≥ 0", Kind: ErrInvalidPolicy}
		}
		if !finite(pe) || !(pe > 0) {
			return &FieldError{Field: "lag.expect[" + g.Name + "]", Msg: "must be a finite price > 0", Kind: ErrInvalidPolicy}
		}
		stk[r] = true
		sPrev[r] = s
		gam[r] = StockGamma(g)
		phi12[r] = 12 * g.StockAdjust
		lpe[r] = pe
	}
	return nil
}

// spend returns region r's spending on shipments P·X at log price index
// lnP, the elasticity e = −∂ln X/∂ln P (ε in force without stocks) and
// the consumption C (0 without stocks): spendFrom of the fexp of
// spendArgs' exponents (eval takes those of all regions in one batch:
// regionSpend).
func (w *workspace) spend(r int, lnP float64) (PQ, e, C float64) {
	var a, x [3]float64
	k := w.spendArgs(r, lnP, a[:])
	for j, v := range a[:k] {
		x[j] = fexp(v)
	}
	PQ, e, C, _ = w.spendFrom(r, x[:k])
	return PQ, e, C
}

// spendArgs writes the exponents whose exps region r's spending at log
// price index lnP takes into a and returns how many: without stocks one,
// ln A + (1−ε)·ln P (the spending P·X itself); with stocks three,
// ln A − ε·ln P (the consumption C), −γ·(ln P − ln Pᵉ) (the stock target
// over its scale k·h·C̄) and ln P.
func (w *workspace) spendArgs(r int, lnP float64, a []float64) int {
	lnA, eps := w.lnA[r], w.eps[r]
	if !w.stk[r] || math.IsInf(lnA, -1) {
		a[0] = lnA + (1-eps)*lnP
		return 1
	}
	a = a[:3]
	a[0], a[1], a[2] = lnA-eps*lnP, -w.gam[r]*(lnP-w.lnPe[r]), lnP
	return 3
}

// spendFrom returns spend's P·X, e and C from the exps x of spendArgs'
// exponents, and how many of x it used.
func (w *workspace) spendFrom(r int, x []float64) (PQ, e, C float64, used int) {
	eps := w.eps[r]
	if !w.stk[r] || math.IsInf(w.lnA[r], -1) {
		return x[0], eps, 0, 1
	}
	x = x[:3]
	C, st, P := x[0], w.sBar[r]*x[1], x[2]
	u := w.phi12[r] * (st - w.sPrev[r]) / C
	du := -w.phi12[r]*w.gam[r]*st/C + u*eps // ∂u/∂ln P
	f, fp := shipFactor(u)
	return P * C * f, eps - fp/f*du, C, 3
}

// fillStocks writes region r's consumption and end-of-month stocks into
// sol (Demand holds the shipments): with stocks the accounting identity
// S_t = S_{t−1} + (X − C)/12; without a stock Lag the long run, C = X and
// S = S* = k·C̄ (P = Pᵉ).
func (w *workspace) fillStocks(sol *Solution, r int) {
	X := sol.Demand[r]
	if !w.stk[r] {
		sol.Consumption[r] = X
		sol.Stocks[r] = w.sBar[r]
		return
	}
	C := 0.0
	if sol.Traded[r] {
		C = w.cons[r]
	}
	sol.Consumption[r] = C
	sol.Stocks[r] = w.sPrev[r] + (X-C)/12
}

// checkStocks validates region reg's stock parameters (field prefix f).
func checkStocks(f field, reg *Region) error {
	if err := checkRange(f.dot(".stock_months"), reg.StockMonths, domainStockMonths); err != nil {
		return err
	}
	if !(reg.StockMonths > 0) {
		return nil
	}
	for _, c := range []struct {
		name string
		v    float64
		rg   Range
	}{
		{".stock_adjust", reg.StockAdjust, domainStockAdjust},
		{".stock_response", reg.StockResponse, domainStockResponse},
		{".carry_cost", reg.CarryCost, domainCarryCost},
		{".expect_adjust", reg.ExpectAdjust, domainExpectAdjust},
	} {
		if err := checkRange(f.dot(c.name), c.v, c.rg); err != nil {
			return err
		}
	}
	return nil
}

// maxCyclePeriod is the longest period, in months, of a root pair that
// StockCycle counts as a cycle.
const maxCyclePeriod = 120

// maxStockCycleRadius is the largest modulus of the stock cycle's root
// pair (StockCycle) that the valid parameter sets may reach.
const maxStockCycleRadius = 0.95

// MaxStockCycleRadius returns the largest valid modulus |z| of a region's
// stock-cycle root pair (StockCycle): the joint rule on the demand speed
// μ, the demand elasticity ε, the stock speed φ and response β, the
// carrying cost c, the stock-to-use ratio k and the expectation speed ω
// (docs/MODEL.md §9.1, "The stock-cycle rule"). At |z| ≤ 0.95 a cycle
// loses at least half its amplitude within 14 months; the constant was
// found by a sweep of us-relief-2025's box of draws (docs/MODEL.md §9.1;
// TestStockCycleCorners): at the crop rule's edge (θ = 1.2, ε = 0.4)
// with the other parameters at the ends of their intervals, the crop
// boom of 2021-22 starts cycles that stay below 10 times the base at
// |z| = 0.9625 and pass 25 times at 0.967.
func MaxStockCycleRadius() float64 { return maxStockCycleRadius }

// StockCycleOK reports whether region g keeps the stock-cycle rule:
// StockCycle's modulus at most MaxStockCycleRadius (true for a region
// without stocks).
func StockCycleOK(g *Region) bool {
	r, _ := StockCycle(g)
	return r <= maxStockCycleRadius
}

// StockCycle returns the modulus and the period (months) of the
// oscillatory root pair of region g's linearised monthly stock cycle
// (docs/MODEL.md §9.1, "The stock-cycle rule"), and 0, 0 when the region
// holds no stocks or its roots are all real (no cycle). With supply held
// fixed (the short-run supply response λ·η is left out: the region's
// worst case), the deviations from the long run of log consumption c,
// relative stocks s = S/S̄ − 1 and the log expected price e follow, with
// K = 12k the stock-to-use ratio in months and γ = β/c (StockGamma),
//
//	p_t     = [(1−μ)·c_{t−1} − K·φ·s_{t−1} + K·φ·γ·e_t] / (μ·ε + K·φ·γ)   (shipments = supply)
//	c_t     = (1−μ)·c_{t−1} − μ·ε·p_t                                      (partial adjustment)
//	s_t     = (1−φ)·s_{t−1} − φ·γ·(p_t − e_t)                               (stock rule)
//	e_{t+1} = (1−ω)·e_t + ω·p_t                                            (expectations)
//
// a linear map of (c_{t−1}, s_{t−1}, e_t) whose complex root pair z is
// the inventory cycle: its amplitude changes by the factor |z| a month,
// with period 2π/arg z. A pair whose period exceeds maxCyclePeriod (ten
// years) is not counted: it does not turn round within a scenario's
// horizon (it is the slow approach of stocks and expectations when φ and
// ω are both small), and it makes no cycle.
//
// The roots are those of the map's characteristic cubic (cubicPair),
// not of a general eigen solver: every Monte Carlo candidate checks each
// region, and gonum's lapack64.Geev took three quarters of a pilot
// (model.Truncation). TestStockCycleGeev checks them against Geev's.
func StockCycle(g *Region) (radius, period float64) {
	gam := StockGamma(g)
	if !(gam > 0) || !(g.StockAdjust > 0) {
		return 0, 0
	}
	mu, eps, phi, om, K := g.Adjust, g.Eps, g.StockAdjust, g.ExpectAdjust, g.StockMonths
	D := mu*eps + K*phi*gam
	a := [3]float64{(1 - mu) / D, -K * phi / D, K * phi * gam / D} // p_t = a·y
	var m [3][3]float64
	for j := range 3 {
		var y [3]float64
		y[j] = 1
		p := a[j]
		m[0][j] = (1-mu)*y[0] - mu*eps*p
		m[1][j] = (1-phi)*y[1] - phi*gam*(p-y[2])
		m[2][j] = (1-om)*y[2] + om*p
	}
	re, im, ok := cubicPair(m)
	if !ok {
		return 0, 0
	}
	if !finite(re) || !finite(im) {
		return math.Inf(1), 0
	}
	if per := 2 * math.Pi / math.Atan2(im, re); per <= maxCyclePeriod {
		return math.Hypot(re, im), per
	}
	return 0, 0
}

// cubicPair returns the complex eigenvalue re + i·im (im > 0) of the 3×3
// matrix m, and whether m has one (false when its eigenvalues are all
// real). The eigenvalues are the roots of the characteristic cubic
// λ³ + c₂λ² + c₁λ + c₀ (c₂ = −tr m, c₁ the sum of its principal 2×2
// minors, c₀ = −det m). In depressed form (λ = x − c₂/3: x³ − 3Q·x − 2R,
// Q = (c₂² − 3c₁)/9, R = (2c₂³ − 9c₂c₁ + 27c₀)/54) the cubic has a
// complex pair when R² > Q³, and its real root is then A + B − c₂/3 with
// A = −sgn(R)·∛(|R| + √(R² − Q³)) and B = Q/A (Cardano's formula in the
// form of Press et al., Numerical Recipes, §5.6, which takes the cube
// root of the larger of the two sums, free of cancellation). The real
// root r is polished by a Newton step on the cubic, and the pair is that
// of the quadratic left by dividing it out: λ² + b₁λ + b₀, b₁ = c₂ + r,
// b₀ = c₁ + r·b₁, or −c₀/r where r is the larger root (r² > |c₁ + r·b₁|,
// the smaller rounding error of the two), re = −b₁/2, im = √(b₀ − b₁²/4).
func cubicPair(m [3][3]float64) (re, im float64, ok bool) {
	c2 := -(m[0][0] + m[1][1] + m[2][2])
	c1 := m[0][0]*m[1][1] - m[0][1]*m[1][0] + m[0][0]*m[2][2] - m[0][2]*m[2][0] + m[1][1]*m[2][2] - m[1][2]*m[2][1]
	c0 := -(m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0]))
	Q := (c2*c2 - 3*c1) / 9
	R := (2*c2*c2*c2 - 9*c2*c1 + 27*c0) / 54
	disc := R*R - Q*Q*Q
	if !(disc > 0) {
		return 0, 0, false
	}
	A := -math.Copysign(math.Cbrt(math.Abs(R)+math.Sqrt(disc)), R)
	B := 0.0
	if A != 0 {
		B = Q / A
	}
	r := A + B - c2/3
	// One Newton step (kept when it lowers the residual): more change
	// nothing measurable (TestStockCycleGeev).
	if f, fp := ((r+c2)*r+c1)*r+c0, (3*r+2*c2)*r+c1; f != 0 && fp != 0 {
		if rn := r - f/fp; math.Abs(((rn+c2)*rn+c1)*rn+c0) < math.Abs(f) {
			r = rn
		}
	}
	b1 := c2 + r
	b0 := c1 + r*b1
	if r*r > math.Abs(b0) {
		b0 = -c0 / r
	}
	q := b0 - b1*b1/4
	if !(q > 0) {
		return 0, 0, false
	}
	return -b1 / 2, math.Sqrt(q), true
}
