package model

import (
	"fmt"
	"math"
	"math/cmplx"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// stockCycleBufs holds StockCycle's buffers: the matrix, the
// eigenvalues and Geev's workspace (every value written before it is
// read).
var stockCycleBufs = sync.Pool{New: func() any { return new([]float64) }}

// stockCycleWork is the workspace lapack64.Geev asks for to find the
// eigenvalues of a 3×3 matrix (StockCycle), asked once.
var stockCycleWork = sync.OnceValue(func() int {
	var a [9]float64
	var wr, wi [3]float64
	work := []float64{0}
	lapack64.Geev(lapack.LeftEVNone, lapack.RightEVNone, blas64.General{Rows: 3, Cols: 3, Stride: 3, Data: a[:]}, wr[:], wi[:], blas64.General{}, blas64.General{}, work, -1)
	return int(work[0])
})

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
func StockCycle(g *Region) (radius, period float64) {
	gam := StockGamma(g)
	if !(gam > 0) || !(g.StockAdjust > 0) {
		return 0, 0
	}
	mu, eps, phi, om, K := g.Adjust, g.Eps, g.StockAdjust, g.ExpectAdjust, g.StockMonths
	D := mu*eps + K*phi*gam
	a := [3]float64{(1 - mu) / D, -K * phi / D, K * phi * gam / D} // p_t = a·y
	// The map's eigenvalues as mat.Eigen.Factorize finds them (its
	// lapack64.Geev call: no eigenvectors, the workspace Geev asks for)
	// without its copies, in a pooled buffer (every Monte Carlo candidate
	// checks each region).
	lw := stockCycleWork()
	bp := stockCycleBufs.Get().(*[]float64)
	defer stockCycleBufs.Put(bp)
	if len(*bp) < 15+lw {
		*bp = make([]float64, 15+lw)
	}
	buf := *bp
	m, wr, wi, work := blas64.General{Rows: 3, Cols: 3, Stride: 3, Data: buf[:9:9]}, buf[9:12:12], buf[12:15:15], buf[15:]
	for j := range 3 {
		var y [3]float64
		y[j] = 1
		p := a[j]
		m.Data[j] = (1-mu)*y[0] - mu*eps*p
		m.Data[3+j] = (1-phi)*y[1] - phi*gam*(p-y[2])
		m.Data[6+j] = (1-om)*y[2] + om*p
	}
	if lapack64.Geev(lapack.LeftEVNone, lapack.RightEVNone, m, wr, wi, blas64.General{}, blas64.General{}, work, lw) != 0 {
		return math.Inf(1), 0
	}
	for k := range wr {
		z := complex(wr[k], wi[k])
		if imag(z) <= 0 {
			continue
		}
		r, per := cmplx.Abs(z), 2*math.Pi/cmplx.Phase(z)
		if per <= maxCyclePeriod && r > radius {
			radius, period = r, per
		}
	}
	return radius, period
}
