package backtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/potash-sim/potash/model"
)

// Param is a parameter the back-test estimates.
type Param struct {
	Name  string      // e.g. "crop_demand_elasticity"
	Unit  string      // e.g. "1", "per month", "%"
	Doc   string      // one line: what it is and why the range
	Range model.Range // documented plausible range; the fit stays inside it
	Start float64     // starting value of the search (the prior central value)
	// Symbol is the parameter's symbol in docs/MODEL.md (e.g. "θ"), if
	// any, and Why says where Range comes from (docs/BACKTEST.md's
	// fitting table, generated from Params).
	Symbol, Why string
}

// Factors switches groups of inputs on (bit set) or off, for the
// decomposition of the 2021–22 rise.
type Factors uint8

const (
	// FactorSanctions is the scenario's recorded events (sanctions,
	// the Klaipėda halt, rerouting, quotas).
	FactorSanctions Factors = 1 << iota
	// FactorDemand is the crop-price demand driver.
	FactorDemand
	// FactorGas is the European gas cost driver.
	FactorGas

	// AllFactors switches every group on.
	AllFactors = FactorSanctions | FactorDemand | FactorGas
)

// factorNames are the decomposition's names of the factor bits, in bit order.
var factorNames = []string{"sanctions", "crop demand", "gas costs"}

// Sim is one simulated path.
type Sim struct {
	Months []model.Month
	// Price is the model's benchmark price (Brazil's CES price index), $/t
	// in current dollars (the history model reflates its base-year dollars).
	Price []float64
	// Exports are monthly export rates by supplier name, Mt/yr.
	Exports map[string][]float64
	// StockMonths, when not nil, are the stocks of importers and
	// distributors of all regions at the end of each month in months of
	// that month's use, 12·Σ_r S_r / Σ_r C_r (docs/MODEL.md, section 10).
	StockMonths []float64
	// Failed counts months whose solve did not converge.
	Failed int
}

// Model is what the back-test fits: a map from a parameter vector (in the
// order of Params) and the recorded drivers to a simulated monthly path
// from the model's first month through end. Implementations must be
// deterministic.
type Model interface {
	Params() []Param
	Simulate(ctx context.Context, theta []float64, d *Drivers, end model.Month, on Factors) (*Sim, error)
}

// FitOptions control Fit.
type FitOptions struct {
	// From is the first month of the objective; 2020-01 when zero (the
	// first month of the Brazil CFR definition).
	From model.Month
	// MaxEvals bounds the number of model simulations of each search
	// (one per starting point); 200 when zero.
	MaxEvals int
	// Weights, when not zero, replace the crop weights of every region's
	// crop-price index; zero keeps the market's per-region weights.
	Weights CropWeights
	// BaseYear of the driver indexes and of the export changes; 2020 when
	// zero.
	BaseYear int
	// ExportSuppliers, when not empty, adds their annual export changes to
	// the objective: ExportWeight · Σ_{s,y} (ln(X̂_sy/X̂_s,base) −
	// ln(X_sy/X_s,base))² over the in-sample years after the base year with
	// a record (FAOSTAT), X̂ the model's average export rate of the year.
	// Changes, not levels, so that the calibration's level differences
	// from FAOSTAT do not count.
	ExportSuppliers []string
	// ExportWeight weighs one squared annual log change like that many
	// squared monthly log price errors (0: exports not fitted).
	ExportWeight float64
	// Start, when not nil, is where the first search starts instead of
	// the parameters' Start values (one value per parameter, each inside
	// its range): a rolling-origin fit starts from the published
	// estimate. The reported start (FitResult.Start) stays the
	// parameters'.
	Start []float64
	// ExtraStarts are further starting points of the search besides the
	// parameters' Start values, each a fraction u in (0, 1): every
	// parameter at lo + u·(hi − lo). Fit keeps the best estimate; the
	// objective has several local minima.
	ExtraStarts []float64
	// MaxSpike, when positive, constrains the fit to parameters whose
	// simulated benchmark path has no month further than MaxSpike
	// (relative) from the mean of its two neighbours: the objective adds
	// SpikePenalty·(excess)² for each month beyond it (issue 14's no-spike
	// criterion, which the built-ins must meet with the estimates).
	MaxSpike     float64
	SpikePenalty float64
	// NoIntervals skips the confidence intervals (2 simulations per
	// parameter): the rolling-origin fits do not report them.
	NoIntervals bool
	// PriorWeight λ, when positive, makes the fit a penalised least
	// squares (a MAP estimate with a Gaussian prior on every parameter):
	// the objective adds λ·PriorSigma2·Σ_j ((θ_j − θ0_j)/s_j)², with θ0_j
	// the parameter's Start (the documented prior central value, never
	// FitOptions.Start) and s_j = PriorScale·(hi_j − lo_j). Dividing the
	// objective by PriorSigma2 gives SSR/σ² + λ·Σ((θ−θ0)/s)²: with λ = 1
	// the log posterior of a Gaussian likelihood of variance σ².
	PriorWeight float64
	// PriorSigma2 is σ², the residual variance the prior is weighed
	// against (a documented value fixed before the fit).
	PriorSigma2 float64
	// ConvergeIterations is the number of Nelder–Mead iterations over
	// which the best objective must fall by less than 1e-7 (absolute or
	// relative) for a search to count as converged: 40 when zero.
	ConvergeIterations int
	// PriorScale is s_j as a fraction of each parameter's range: 1/4 (the
	// documented range spans ±2 prior standard deviations) when zero.
	PriorScale float64
}

// priorScale returns s_j of parameter p (FitOptions.PriorWeight).
func (o *FitOptions) priorScale(p Param) float64 {
	f := o.PriorScale
	if f <= 0 {
		f = 0.25
	}
	return f * (p.Range.Hi - p.Range.Lo)
}

// priorSquares returns λ·σ²·Σ_j ((θ_j − θ0_j)/s_j)² (0 without a prior).
func (o *FitOptions) priorSquares(params []Param, theta []float64) float64 {
	if o.PriorWeight <= 0 {
		return 0
	}
	var s float64
	for j, p := range params {
		d := (theta[j] - p.Start) / o.priorScale(p)
		s += d * d
	}
	return o.PriorWeight * o.PriorSigma2 * s
}

func (o *FitOptions) defaults() {
	if o.From == 0 {
		o.From = model.NewMonth(2020, 1)
	}
	if o.MaxEvals <= 0 {
		o.MaxEvals = 200
	}
	if o.BaseYear == 0 {
		o.BaseYear = 2020
	}
}

// FitResult reports an estimation.
type FitResult struct {
	Params []Param
	Start  []float64 // starting values
	Values []float64 // estimates, each inside its Param.Range
	// AtBound names parameters whose estimate lies within 1% of the width
	// of their range from a bound: the fit wanted to go further.
	AtBound []string

	From, To model.Month // months of the objective, inclusive
	N        int         // months in the objective
	// SSR is the objective at the estimate: PriceSSR + ExportWeight ·
	// ExportSSR; StartSSR the same at the starting values.
	SSR, StartSSR float64
	// PriceSSR is Σ (ln p̂_t − ln p_t)² at the estimate.
	PriceSSR float64
	// PriorSSR is the prior's part of SSR (FitOptions.PriorWeight).
	PriorSSR float64
	// ExportSSR is the sum of squared errors of the annual log export
	// changes over ExportN supplier-years (0 when exports are not fitted).
	ExportSSR    float64
	ExportN      int
	ExportWeight float64
	// SE and CI are the estimates' posterior standard errors and 95%
	// intervals (posterior: the Laplace approximation at the estimate,
	// the likelihood's information divided by Kappa; NaN SE and the
	// whole range as CI for a parameter the record does not identify),
	// each CI cut at the parameter's documented range; Cov is the
	// covariance matrix in the parameters' units (NaN rows for such a
	// parameter).
	SE  []float64
	CI  [][2]float64
	Cov [][]float64
	// Rho is the lag-1 autocorrelation of the monthly log price
	// residuals at the estimate and Kappa = ARInflation(Rho).
	Rho, Kappa float64
	// IntervalEvaluations counts the simulations of the intervals (not in
	// Evaluations).
	IntervalEvaluations int
	Evaluations         int    // model simulations, all searches
	Status              string // Nelder–Mead's status of the best search
	// Searches reports every search, the first from the parameters' Start
	// values, then one per FitOptions.ExtraStarts.
	Searches []Search
}

// Search is one Nelder–Mead search of a Fit.
type Search struct {
	Start, Values []float64
	SSR           float64 // objective at Values
	Evaluations   int
	// Status is gonum/optimize's status of the search (Converged tells a
	// convergence from a stop at FitOptions.MaxEvals), with " (start
	// kept: no improvement)" when the search ended above its start.
	Status string
}

// Converged reports whether a search's status (Search.Status,
// FitResult.Status, Forecast.Status) is one at which gonum/optimize found
// a minimum (!optimize.Status.Early(): the sum of squares stopped
// falling, the simplex shrank to a point, …) rather than a stop before
// one (Early: FunctionEvaluationLimit, the search used its
// FitOptions.MaxEvals simulations and its estimate is the best point
// found, not a minimum; Failure; …). A status gonum does not name is not
// a convergence.
func Converged(status string) bool {
	s, ok := parseStatus(status)
	return ok && s != optimize.NotTerminated && !s.Early()
}

// parseStatus returns the gonum/optimize.Status a search's status names:
// its first word (Search.Status may carry a note after it).
func parseStatus(status string) (optimize.Status, bool) {
	name, _, _ := strings.Cut(status, " ")
	for s := optimize.NotTerminated; s <= optimize.HessianEvaluationLimit; s++ {
		if s.String() == name {
			return s, true
		}
	}
	return 0, false
}

// penalty is the objective of a parameter vector whose simulation fails
// or does not converge: larger than any plausible sum of squared log
// errors, so the search moves away from it.
const penalty = 1e6

// Fit estimates m's parameters by least squares on log prices: it
// minimises Σ_t (ln p̂_t(θ) − ln p_t)² over the in-sample months from
// opts.From to in.Cut()−1 with gonum/optimize's Nelder–Mead, at most
// opts.MaxEvals simulations. Bounds are kept by a logistic transform,
// θ_j = lo_j + (hi_j − lo_j)/(1 + e^(−z_j)), searching over z unbounded,
// so every estimate lies inside its documented range. The drivers are
// built from the in-sample record only; the model is simulated through
// in.Cut()−1 only.
func Fit(ctx context.Context, m Model, in *InSample, opts FitOptions) (*FitResult, error) {
	opts.defaults()
	rec := in.Record()
	d, err := NewDrivers(rec, opts.Weights, opts.BaseYear)
	if err != nil {
		return nil, err
	}
	end := in.Cut() - 1
	if end < opts.From {
		return nil, fmt.Errorf("fit: cut-off %v leaves no months from %v", in.Cut(), opts.From)
	}
	params := m.Params()
	if len(params) == 0 {
		return nil, errors.New("fit: model has no parameters")
	}
	for _, p := range params {
		if !(p.Range.Lo < p.Range.Hi) || !p.Range.Contains(p.Start) {
			return nil, fmt.Errorf("fit: parameter %s: start %g outside range [%g, %g]", p.Name, p.Start, p.Range.Lo, p.Range.Hi)
		}
	}
	res := &FitResult{Params: params, From: opts.From, To: end}
	for _, p := range params {
		res.Start = append(res.Start, p.Start)
	}

	// objective returns the fit's objective at theta and counts the
	// simulation in *evals; a failed simulation's error goes to *simErr.
	// Searches run concurrently, each with its own counter.
	objective := func(theta []float64, evals *int, simErr *error) float64 {
		*evals++
		sim, err := m.Simulate(ctx, theta, d, end, AllFactors)
		if err != nil {
			if ctx.Err() != nil || *simErr == nil {
				*simErr = err
			}
			return penalty
		}
		if sim.Failed > 0 {
			return penalty
		}
		ssr, n := sumSquares(sim, rec.Potash, opts.From, end)
		if n == 0 {
			return penalty
		}
		if opts.ExportWeight > 0 {
			e, _ := exportSquares(sim, rec, opts.ExportSuppliers, opts.BaseYear)
			ssr += opts.ExportWeight * e
		}
		if opts.MaxSpike > 0 {
			ssr += opts.SpikePenalty * spikeExcess(sim.Price, opts.MaxSpike)
		}
		ssr += opts.priorSquares(params, theta)
		if math.IsNaN(ssr) || math.IsInf(ssr, 0) {
			return penalty
		}
		return ssr
	}

	var startEvals int
	var simErr error
	res.StartSSR = objective(res.Start, &startEvals, &simErr)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if res.StartSSR >= penalty {
		if simErr != nil {
			return nil, fmt.Errorf("fit: simulation at the starting values: %w", simErr)
		}
		return nil, errors.New("fit: simulation at the starting values did not converge")
	}
	// One Nelder–Mead search from start; returns the estimate, its
	// objective and the search's status.
	search := func(start []float64) ([]float64, float64, string, int, error) {
		var evals int
		var simErr error
		startSSR := objective(start, &evals, &simErr)
		z0 := make([]float64, len(params))
		for j, p := range params {
			z0[j] = toZ(start[j], p.Range)
		}
		theta := make([]float64, len(params))
		problem := optimize.Problem{Func: func(z []float64) float64 {
			if ctx.Err() != nil {
				return penalty
			}
			for j, p := range params {
				theta[j] = fromZ(z[j], p.Range)
			}
			return objective(theta, &evals, &simErr)
		}}
		settings := &optimize.Settings{
			FuncEvaluations: max(1, opts.MaxEvals-2), // + the start and the final recomputation
			Converger:       &optimize.FunctionConverge{Absolute: 1e-7, Relative: 1e-7, Iterations: cmp.Or(opts.ConvergeIterations, 40)},
		}
		out, err := optimize.Minimize(problem, z0, settings, &optimize.NelderMead{SimplexSize: 1})
		if ctx.Err() != nil {
			return nil, 0, "", 0, ctx.Err()
		}
		if err != nil && out == nil {
			return nil, 0, "", 0, fmt.Errorf("fit: %w", err)
		}
		status := out.Status.String()
		vals := make([]float64, len(params))
		for j, p := range params {
			vals[j] = fromZ(out.X[j], p.Range)
		}
		// Recompute at the estimate: the reported objective is that of
		// the reported values (identical unless the transform rounds).
		ssr := objective(vals, &evals, &simErr)
		if ssr > startSSR {
			// Never report something worse than the start.
			copy(vals, start)
			ssr = startSSR
			status += " (start kept: no improvement)"
		}
		return vals, ssr, status, evals, nil
	}

	first := res.Start
	if opts.Start != nil {
		if len(opts.Start) != len(params) {
			return nil, fmt.Errorf("fit: %d starting values for %d parameters", len(opts.Start), len(params))
		}
		for j, p := range params {
			if !p.Range.Contains(opts.Start[j]) {
				return nil, fmt.Errorf("fit: parameter %s: start %g outside range [%g, %g]", p.Name, opts.Start[j], p.Range.Lo, p.Range.Hi)
			}
		}
		first = opts.Start
	}
	starts := [][]float64{first}
	for _, u := range opts.ExtraStarts {
		if !(u > 0 && u < 1) {
			return nil, fmt.Errorf("fit: extra start %g: want a fraction of every range in (0, 1)", u)
		}
		st := make([]float64, len(params))
		for j, p := range params {
			st[j] = p.Range.Lo + u*(p.Range.Hi-p.Range.Lo)
		}
		starts = append(starts, st)
	}
	// The searches are independent: they run concurrently (at most
	// GOMAXPROCS at a time), and the best is chosen in the order of
	// starts, so the result does not depend on the scheduling.
	type searchOut struct {
		vals   []float64
		ssr    float64
		status string
		evals  int
		err    error
	}
	outs := make([]searchOut, len(starts))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for k, st := range starts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			o := &outs[k]
			o.vals, o.ssr, o.status, o.evals, o.err = search(st)
		}()
	}
	wg.Wait()
	evals := startEvals
	for k, st := range starts {
		o := outs[k]
		if o.err != nil {
			return nil, o.err
		}
		evals += o.evals
		res.Searches = append(res.Searches, Search{Start: st, Values: o.vals, SSR: o.ssr, Evaluations: o.evals, Status: o.status})
		if k == 0 || o.ssr < res.SSR {
			res.Values, res.SSR, res.Status = o.vals, o.ssr, o.status
		}
	}
	res.Evaluations = evals
	sim, err := m.Simulate(ctx, res.Values, d, end, AllFactors)
	if err != nil {
		return nil, fmt.Errorf("fit: simulation at the estimate: %w", err)
	}
	res.PriceSSR, res.N = sumSquares(sim, rec.Potash, opts.From, end)
	res.PriorSSR = opts.priorSquares(params, res.Values)
	if opts.ExportWeight > 0 {
		res.ExportSSR, res.ExportN = exportSquares(sim, rec, opts.ExportSuppliers, opts.BaseYear)
		res.ExportWeight = opts.ExportWeight
	}
	for j, p := range params {
		w := p.Range.Hi - p.Range.Lo
		if res.Values[j]-p.Range.Lo < 0.01*w || p.Range.Hi-res.Values[j] < 0.01*w {
			res.AtBound = append(res.AtBound, p.Name)
		}
	}
	if !opts.NoIntervals {
		resid := func(theta []float64) ([]float64, error) {
			sim, err := m.Simulate(ctx, theta, d, end, AllFactors)
			if err != nil {
				return nil, err
			}
			if sim.Failed > 0 {
				return nil, errors.New("did not converge")
			}
			return residuals(sim, rec, opts, end), nil
		}
		var prec []float64 // the prior's precision of each parameter, λ/s_j²
		if opts.PriorWeight > 0 {
			for _, p := range params {
				s := opts.priorScale(p)
				prec = append(prec, opts.PriorWeight/(s*s))
			}
		}
		pst, err := posterior(resid, params, res.Values, prec, res.N)
		if err != nil {
			return nil, fmt.Errorf("fit: confidence intervals: %w", err)
		}
		res.SE, res.CI, res.Cov, res.Rho, res.Kappa = pst.se, pst.ci, pst.cov, pst.rho, pst.kappa
		res.IntervalEvaluations = 2*len(params) + 1
	}
	return res, nil
}

// residuals returns the fit's residual vector at sim: the monthly log
// price errors of the objective, then √w times each annual log export
// change error, so that Σ r² is the objective.
func residuals(sim *Sim, rec *Record, opts FitOptions, end model.Month) []float64 {
	var out []float64
	for k, t := range sim.Months {
		if t < opts.From || t > end || k >= len(sim.Price) {
			continue
		}
		r, okr := rec.Potash.At(t)
		if !okr || !ok(sim.Price[k]) {
			continue
		}
		out = append(out, math.Log(sim.Price[k])-math.Log(r))
	}
	if opts.ExportWeight > 0 {
		sw := math.Sqrt(opts.ExportWeight)
		for _, name := range opts.ExportSuppliers {
			x, okx := sim.Exports[name]
			if !okx {
				continue
			}
			ann := annualFull(sim.Months, x)
			mb, ok1 := ann.At(opts.BaseYear)
			rb, ok2 := rec.Exports[name].At(opts.BaseYear)
			if !ok1 || !ok2 || !(mb > 0) || !(rb > 0) {
				continue
			}
			for k, y := range ann.Years {
				rv, okr := rec.Exports[name].At(y)
				if y <= opts.BaseYear || !okr || !(rv > 0) || !(ann.Values[k] > 0) {
					continue
				}
				out = append(out, sw*(math.Log(ann.Values[k]/mb)-math.Log(rv/rb)))
			}
		}
	}
	return out
}

// posteriorFit is what posterior returns.
type posteriorFit struct {
	se  []float64
	ci  [][2]float64
	cov [][]float64
	// rho is the lag-1 autocorrelation of the monthly price residuals,
	// kappa = ARInflation(rho) the factor their information is divided by.
	rho, kappa float64
}

// ARInflation returns κ = (1 + ρ)/(1 − ρ), the variance inflation of the
// mean of an AR(1) series with lag-1 autocorrelation ρ (the long-run
// variance over the variance): n autocorrelated months carry the
// information of about n/κ independent ones. ρ is taken in [0, 0.95]: a
// negative autocorrelation does not narrow the intervals, and κ stays at
// most 39.
func ARInflation(rho float64) float64 {
	if !(rho > 0) {
		return 1
	}
	rho = math.Min(rho, 0.95)
	return (1 + rho) / (1 - rho)
}

// lagOneAutocorr returns the lag-1 autocorrelation of e,
// Σ_t (e_t − ē)(e_{t−1} − ē) / Σ_t (e_t − ē)² (0 for fewer than 3 values).
func lagOneAutocorr(e []float64) float64 {
	if len(e) < 3 {
		return 0
	}
	var mean float64
	for _, v := range e {
		mean += v
	}
	mean /= float64(len(e))
	var num, den float64
	for t, v := range e {
		den += (v - mean) * (v - mean)
		if t > 0 {
			num += (v - mean) * (e[t-1] - mean)
		}
	}
	if !(den > 0) {
		return 0
	}
	return num / den
}

// ciStep is the central-difference step of the residuals' Jacobian, as a
// fraction of each parameter's documented range.
const ciStep = 1e-3

// posterior returns the standard errors, the 95% intervals and the
// covariance of the estimate theta from the Laplace (Gauss–Newton)
// approximation at it, in θ's units (docs/BACKTEST.md, "Uncertainty of
// the estimates"). With J the Jacobian of the residuals (central
// differences, one-sided at a bound), its first nPrice rows the monthly
// log price errors and the rest the weighted export changes, s² =
// Σr²/(n − p) and κ = ARInflation(ρ) of the price residuals' lag-1
// autocorrelation ρ, the precision is
//
//	H = (J_pᵀJ_p/κ + J_xᵀJ_x)/s² + diag(prec),
//
// prec the prior's precision of each parameter, λ/s_j² (nil without a
// prior), and the covariance H⁻¹. Without κ (the monthly errors taken as
// independent) the likelihood's part would be JᵀJ/s², Gallant's
// (Nonlinear Statistical Models, 1987, ch. 1) asymptotic covariance; the
// autocorrelated months carry less information, and κ divides it. The
// intervals are theta ± 1.96·se cut at each parameter's range. Without a
// prior, a parameter whose column of J is (numerically) zero is not
// identified: NaN se and covariance, its whole range as the interval.
func posterior(resid func([]float64) ([]float64, error), params []Param, theta []float64, prec []float64, nPrice int) (posteriorFit, error) {
	p := len(params)
	var out posteriorFit
	r0, err := resid(theta)
	if err != nil {
		return out, err
	}
	n := len(r0)
	nPrice = min(max(nPrice, 0), n)
	J := mat.NewDense(n, p, nil)
	th := append([]float64(nil), theta...)
	for j, pr := range params {
		h := ciStep * (pr.Range.Hi - pr.Range.Lo)
		lo, hi := math.Max(theta[j]-h, pr.Range.Lo), math.Min(theta[j]+h, pr.Range.Hi)
		th[j] = hi
		rp, err := resid(th)
		if err != nil {
			return out, err
		}
		th[j] = lo
		rm, err := resid(th)
		if err != nil {
			return out, err
		}
		th[j] = theta[j]
		if len(rp) != n || len(rm) != n {
			return out, errors.New("residuals change length with the parameters")
		}
		for i := range n {
			J.Set(i, j, (rp[i]-rm[i])/(hi-lo))
		}
	}
	var ss float64
	for _, v := range r0 {
		ss += v * v
	}
	s2 := ss / float64(max(1, n-p))
	out.rho = lagOneAutocorr(r0[:nPrice])
	out.kappa = ARInflation(out.rho)
	out.se = make([]float64, p)
	out.ci = make([][2]float64, p)
	out.cov = make([][]float64, p)
	for j, pr := range params {
		out.se[j] = math.NaN()
		out.ci[j] = [2]float64{pr.Range.Lo, pr.Range.Hi}
		out.cov[j] = make([]float64, p)
		for k := range p {
			out.cov[j][k] = math.NaN()
		}
	}
	// Identified parameters: columns with a non-negligible norm.
	var keep []int
	for j := range p {
		if prec != nil || mat.Norm(J.ColView(j), 2) > 1e-9 {
			keep = append(keep, j)
		}
	}
	if len(keep) == 0 || !(s2 > 0) {
		return out, nil
	}
	// H over the kept columns.
	H := mat.NewSymDense(len(keep), nil)
	for a, j := range keep {
		for b, k := range keep[:a+1] {
			var sp, sx float64
			for i := range n {
				v := J.At(i, j) * J.At(i, k)
				if i < nPrice {
					sp += v
				} else {
					sx += v
				}
			}
			h := (sp/out.kappa + sx) / s2
			if a == b && prec != nil {
				h += prec[j]
			}
			H.SetSym(a, b, h)
		}
	}
	var chol mat.Cholesky
	cov := mat.NewSymDense(len(keep), nil)
	if !chol.Factorize(H) || chol.InverseTo(cov) != nil {
		return out, nil
	}
	for a, j := range keep {
		for b, k := range keep {
			out.cov[j][k] = cov.At(a, b)
		}
		v := cov.At(a, a)
		if !(v >= 0) {
			continue
		}
		out.se[j] = math.Sqrt(v)
		pr := params[j]
		out.ci[j] = [2]float64{math.Max(pr.Range.Lo, theta[j]-1.96*out.se[j]), math.Min(pr.Range.Hi, theta[j]+1.96*out.se[j])}
	}
	return out, nil
}

// spikeExcess returns Σ_t max(0, |p_t / ((p_{t−1} + p_{t+1})/2) − 1| − limit)²
// over the months of p with both neighbours.
func spikeExcess(p []float64, limit float64) float64 {
	var s float64
	for k := 1; k+1 < len(p); k++ {
		m := (p[k-1] + p[k+1]) / 2
		if !(m > 0) {
			continue
		}
		if d := math.Abs(p[k]/m-1) - limit; d > 0 {
			s += d * d
		}
	}
	return s
}

// RMSE returns the in-sample root mean squared log price error at the
// estimate.
func (r *FitResult) RMSE() float64 {
	if r.N == 0 {
		return math.NaN()
	}
	return math.Sqrt(r.PriceSSR / float64(r.N))
}

// exportSquares returns Σ (ln(X̂_sy/X̂_s,b) − ln(X_sy/X_s,b))² over the
// suppliers and the years y > base that the record and the simulation
// both hold in full, and their number.
func exportSquares(sim *Sim, rec *Record, suppliers []string, base int) (float64, int) {
	var s float64
	n := 0
	for _, name := range suppliers {
		x, ok := sim.Exports[name]
		if !ok {
			continue
		}
		ann := annualFull(sim.Months, x)
		mb, ok1 := ann.At(base)
		rb, ok2 := rec.Exports[name].At(base)
		if !ok1 || !ok2 || !(mb > 0) || !(rb > 0) {
			continue
		}
		for k, y := range ann.Years {
			if y <= base {
				continue
			}
			rv, ok := rec.Exports[name].At(y)
			mv := ann.Values[k]
			if !ok || !(rv > 0) || !(mv > 0) {
				continue
			}
			e := math.Log(mv/mb) - math.Log(rv/rb)
			s += e * e
			n++
		}
	}
	return s, n
}

// annualFull is AnnualMean restricted to years with all twelve months.
func annualFull(months []model.Month, v []float64) Annual {
	var out Annual
	for _, y := range AnnualMean(months, v).Years {
		n := 0
		for _, t := range months {
			if t.Year() == y {
				n++
			}
		}
		if n == 12 {
			a := AnnualMean(months, v)
			val, _ := a.At(y)
			out.Years = append(out.Years, y)
			out.Values = append(out.Values, val)
		}
	}
	return out
}

// sumSquares returns Σ (ln p̂_t − ln p_t)² over months from..to where both
// exist, and their number.
func sumSquares(sim *Sim, rec Series, from, to model.Month) (float64, int) {
	var s float64
	n := 0
	for k, t := range sim.Months {
		if t < from || t > to || k >= len(sim.Price) {
			continue
		}
		r, okr := rec.At(t)
		if !okr || !ok(sim.Price[k]) {
			continue
		}
		e := math.Log(sim.Price[k]) - math.Log(r)
		s += e * e
		n++
	}
	return s, n
}

// toZ maps v in (lo, hi) to the real line: the inverse of fromZ. Values at
// the bounds map to ±8 (0.03% of the width from the bound).
func toZ(v float64, r model.Range) float64 {
	u := (v - r.Lo) / (r.Hi - r.Lo)
	u = math.Min(math.Max(u, 1/(1+math.Exp(8))), 1/(1+math.Exp(-8)))
	return math.Log(u / (1 - u))
}

// fromZ maps z to lo + (hi − lo)/(1 + e^(−z)), always inside [lo, hi].
func fromZ(z float64, r model.Range) float64 {
	v := r.Lo + (r.Hi-r.Lo)/(1+math.Exp(-z))
	return math.Min(math.Max(v, r.Lo), r.Hi)
}
