package backtest

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/potash-sim/potash/model"
)

// Stats summarises the fit of a modelled price path to the record over a
// window of months. Errors are of log prices, model minus record.
type Stats struct {
	From, To model.Month // window, inclusive
	N        int         // months with both a record and a model price
	// RMSE is the root mean squared error of the log price,
	// √(Σ (ln p̂_t − ln p_t)² / N); 0.10 is roughly a 10% typical error.
	RMSE float64
	// MeanError is the mean error of the log price, Σ (ln p̂_t − ln p_t)/N:
	// positive when the model is too high on average.
	MeanError float64
	// ChangeCorr is the correlation of monthly log changes
	// Δln p̂_t and Δln p_t over the months where both changes exist; NaN
	// (reported as "n/a") when either is constant or fewer than 3 pairs.
	ChangeCorr float64
}

// LogErrors returns ln(model_k) − ln(record_k) for every k where both are
// positive and finite, and the indexes used.
func LogErrors(modelv, record []float64) (errs []float64, idx []int) {
	for k := range modelv {
		if k >= len(record) {
			break
		}
		m, r := modelv[k], record[k]
		if ok(m) && ok(r) {
			errs = append(errs, math.Log(m)-math.Log(r))
			idx = append(idx, k)
		}
	}
	return errs, idx
}

func ok(v float64) bool { return v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) }

// RMSE returns √(Σ e²/n), NaN for no errors.
func RMSE(e []float64) float64 {
	if len(e) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range e {
		s += v * v
	}
	return math.Sqrt(s / float64(len(e)))
}

// Mean returns Σ e/n, NaN for no values.
func Mean(e []float64) float64 {
	if len(e) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range e {
		s += v
	}
	return s / float64(len(e))
}

// Corr returns the Pearson correlation of x and y (same length), NaN when
// fewer than 3 pairs or either has zero variance.
func Corr(x, y []float64) float64 {
	n := len(x)
	if n != len(y) || n < 3 {
		return math.NaN()
	}
	mx, my := Mean(x), Mean(y)
	var sxy, sxx, syy float64
	for k := range x {
		dx, dy := x[k]-mx, y[k]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ChangeCorr returns the correlation of monthly log changes of modelv and
// record: pairs (ln m_k − ln m_{k−1}, ln r_k − ln r_{k−1}) for every k where
// all four values are positive and finite.
func ChangeCorr(modelv, record []float64) float64 {
	var dx, dy []float64
	for k := 1; k < len(modelv) && k < len(record); k++ {
		if ok(modelv[k]) && ok(modelv[k-1]) && ok(record[k]) && ok(record[k-1]) {
			dx = append(dx, math.Log(modelv[k]/modelv[k-1]))
			dy = append(dy, math.Log(record[k]/record[k-1]))
		}
	}
	return Corr(dx, dy)
}

// Compare computes Stats of the model path against the record over months
// from..to (inclusive). months, modelv and record are aligned.
func Compare(months []model.Month, modelv, record []float64, from, to model.Month) Stats {
	var mv, rv []float64
	for k, t := range months {
		if t < from || t > to || k >= len(modelv) || k >= len(record) {
			continue
		}
		mv = append(mv, modelv[k])
		rv = append(rv, record[k])
	}
	e, _ := LogErrors(mv, rv)
	return Stats{From: from, To: to, N: len(e), RMSE: RMSE(e), MeanError: Mean(e), ChangeCorr: ChangeCorr(mv, rv)}
}

// TurningKind says whether a turning point is a peak or a trough.
type TurningKind int

const (
	Peak TurningKind = iota + 1
	Trough
)

func (k TurningKind) String() string {
	if k == Peak {
		return "peak"
	}
	return "trough"
}

// TurningPoint is a local extreme of a monthly series.
type TurningPoint struct {
	Kind  TurningKind
	Month model.Month
	Value float64
}

// TurningPoints returns the local peaks and troughs of v (months aligned):
// month k is a peak if v[k] is the largest value within ±half months (ties
// go to the earliest month) and strictly above the lowest value in that
// window by more than the relative amplitude minAmp (e.g. 0.1 = 10%);
// troughs likewise. Endpoints are not turning points. Non-finite values are
// skipped.
func TurningPoints(months []model.Month, v []float64, half int, minAmp float64) []TurningPoint {
	var out []TurningPoint
	for k := 1; k+1 < len(v); k++ {
		if !ok(v[k]) {
			continue
		}
		lo, hi := max(0, k-half), min(len(v)-1, k+half)
		isMax, isMin := true, true
		wmin, wmax := v[k], v[k]
		for j := lo; j <= hi; j++ {
			if j == k || !ok(v[j]) {
				continue
			}
			if v[j] > v[k] || (v[j] == v[k] && j < k) {
				isMax = false
			}
			if v[j] < v[k] || (v[j] == v[k] && j < k) {
				isMin = false
			}
			wmin, wmax = math.Min(wmin, v[j]), math.Max(wmax, v[j])
		}
		switch {
		case isMax && v[k] > wmin*(1+minAmp):
			out = append(out, TurningPoint{Kind: Peak, Month: months[k], Value: v[k]})
		case isMin && v[k]*(1+minAmp) < wmax:
			out = append(out, TurningPoint{Kind: Trough, Month: months[k], Value: v[k]})
		}
	}
	return out
}

// PeakIn returns the month and value of the highest finite positive value
// of v in calendar year y (earliest month on ties); ok is false when the
// year has no value.
func PeakIn(months []model.Month, v []float64, y int) (TurningPoint, bool) {
	best := TurningPoint{Kind: Peak, Value: math.Inf(-1)}
	found := false
	for k, t := range months {
		if t.Year() != y || k >= len(v) || !ok(v[k]) {
			continue
		}
		if v[k] > best.Value {
			best.Month, best.Value, found = t, v[k], true
		}
	}
	return best, found
}

// AnnualMean averages monthly values by calendar year (Mt/yr rates give
// the year's Mt), counting only finite values; years are ascending.
func AnnualMean(months []model.Month, v []float64) Annual {
	var a Annual
	var sum float64
	n := 0
	flush := func(y int) {
		if n > 0 {
			a.Years = append(a.Years, y)
			a.Values = append(a.Values, sum/float64(n))
		}
		sum, n = 0, 0
	}
	for k, t := range months {
		if k > 0 && t.Year() != months[k-1].Year() {
			flush(months[k-1].Year())
		}
		if k < len(v) && !math.IsNaN(v[k]) && !math.IsInf(v[k], 0) {
			sum += v[k]
			n++
		}
	}
	if len(months) > 0 {
		flush(months[len(months)-1].Year())
	}
	return a
}

// Kernel weighs the autocovariances of a long-run variance
// (DieboldMariano).
type Kernel int

const (
	// Uniform is Diebold and Mariano's truncated rectangular window: w_k = 1
	// for k ≤ L. It is exact for an h-step forecast's MA(h − 1) loss
	// differential with L = h − 1, but its estimate can be negative.
	Uniform Kernel = iota
	// Bartlett is Newey and West's (1987) triangular window,
	// w_k = 1 − k/(L + 1): never negative, biased towards zero.
	Bartlett
)

func (k Kernel) String() string {
	if k == Bartlett {
		return "Bartlett"
	}
	return "uniform"
}

// DMTest is the result of a Diebold–Mariano test of equal accuracy
// (DieboldMariano). When the test cannot be computed, Reason says why and
// Stat is 0 and P 1: never NaN.
type DMTest struct {
	N   int // loss differentials (periods)
	H   int // forecast horizon of the small-sample correction, steps
	Lag int // truncation lag L of the long-run variance
	// Kernel is the weighting of the autocovariances used; Fallback is
	// true when the uniform window's estimate was not positive and the
	// Bartlett weights were used instead.
	Kernel   Kernel
	Fallback bool
	// MeanDiff is d̄, the mean loss differential (ln², first forecast's
	// squared log error minus the second's; 0 when N = 0).
	MeanDiff float64
	// Stat is the corrected statistic DM* and P its two-sided p-value
	// against Student's t with N − 1 degrees of freedom.
	Stat, P float64
	// Reason says why the test was not computed ("" when it was).
	Reason string
}

// OK reports whether the test was computed.
func (r DMTest) OK() bool { return r.Reason == "" }

// DieboldMariano tests the equal accuracy of two forecasts of the same
// series from their log errors e1 and e2 (aligned, same length; ln of
// forecast minus ln of record) on squared-error loss (Diebold and
// Mariano 1995, "Comparing predictive accuracy", J. Bus. Econ. Stat.
// 13(3), 253–263), with the small-sample correction of Harvey, Leybourne
// and Newbold (1997, "Testing the equality of prediction mean squared
// errors", Int. J. Forecasting 13(2), 281–291):
//
//	d_t  = e1_t² − e2_t²                       (ln², t = 1..n)
//	d̄    = Σ d_t / n
//	γ̂_k  = Σ_{t=k+1..n} (d_t − d̄)(d_{t−k} − d̄) / n
//	V̂    = γ̂_0 + 2 Σ_{k=1..L} w_k γ̂_k           (long-run variance of d)
//	DM   = d̄ / √(V̂/n)
//	DM*  = DM · √((n + 1 − 2h + h(h − 1)/n) / n)
//	p    = 2 F_{n−1}(−|DM*|)                    (Student's t, n − 1 df)
//
// with w_k = 1 (kernel Uniform, DM's window for h-step forecasts, lag
// L = h − 1) or w_k = 1 − k/(L + 1) (Bartlett, Newey and West 1987,
// Econometrica 55(3), 703–708). When the uniform window's V̂ is not
// positive, the Bartlett weights of the same lag are used (Fallback).
// DM* and p are unitless; a positive DM* says the first forecast's mean
// squared log error is the larger. Swapping e1 and e2 flips the sign of
// DM* and keeps p.
//
// The test is not computed (Reason; Stat 0, P 1) when an error is not
// finite, n < 2, L ≥ n, the correction's factor is not positive (too few
// periods for h), the two losses are equal in every period, or d is
// constant (V̂ would be zero). Reason counts the loss differentials as
// periods (dieboldMarianoOver names them).
func DieboldMariano(e1, e2 []float64, h, lag int, kernel Kernel) DMTest {
	return dieboldMarianoOver("period", e1, e2, h, lag, kernel)
}

// dieboldMarianoOver is DieboldMariano with Reason counting the loss
// differentials in unit ("period", or "origin" for the rolling origins'
// forecasts: one differential per origin).
func dieboldMarianoOver(unit string, e1, e2 []float64, h, lag int, kernel Kernel) DMTest {
	r := DMTest{N: len(e1), H: h, Lag: lag, Kernel: kernel, P: 1}
	fail := func(why string) DMTest { r.Reason = why; return r }
	if len(e1) != len(e2) {
		return fail(fmt.Sprintf("%d errors against %d", len(e1), len(e2)))
	}
	if h < 1 || lag < 0 {
		return fail(fmt.Sprintf("horizon %d, lag %d", h, lag))
	}
	n := len(e1)
	d := make([]float64, n)
	scale := 0.0
	for t := range d {
		if math.IsNaN(e1[t]) || math.IsInf(e1[t], 0) || math.IsNaN(e2[t]) || math.IsInf(e2[t], 0) {
			return fail("an error is not finite")
		}
		d[t] = e1[t]*e1[t] - e2[t]*e2[t]
		scale = math.Max(scale, math.Abs(d[t]))
	}
	if n > 0 {
		r.MeanDiff = Mean(d)
	}
	switch {
	case n < 2:
		return fail(plural(n, unit) + ", too few")
	case lag >= n:
		return fail(fmt.Sprintf("%s, too few for lag %d", plural(n, unit), lag))
	}
	fn := float64(n)
	corr := (fn + 1 - 2*float64(h) + float64(h*(h-1))/fn) / fn
	if !(corr > 0) {
		return fail(fmt.Sprintf("%s, too few for h = %d", plural(n, unit), h))
	}
	if scale == 0 {
		return fail("the two forecasts' losses are equal in every period")
	}
	gamma := make([]float64, lag+1)
	for k := range gamma {
		for t := k; t < n; t++ {
			gamma[k] += (d[t] - r.MeanDiff) * (d[t-k] - r.MeanDiff)
		}
		gamma[k] /= fn
	}
	// A constant d has γ̂_0 = 0 up to the rounding of d̄.
	if gamma[0] <= (1e-12*scale)*(1e-12*scale) {
		return fail("the loss differential is constant: zero variance")
	}
	lrv := func(k Kernel) float64 {
		v := gamma[0]
		for j := 1; j <= lag; j++ {
			w := 1.0
			if k == Bartlett {
				w = 1 - float64(j)/float64(lag+1)
			}
			v += 2 * w * gamma[j]
		}
		return v
	}
	v := lrv(kernel)
	if !(v > 0) && kernel == Uniform {
		r.Kernel, r.Fallback = Bartlett, true
		v = lrv(Bartlett)
	}
	if !(v > 0) {
		return fail("the long-run variance estimate is not positive")
	}
	r.Stat = r.MeanDiff / math.Sqrt(v/fn) * math.Sqrt(corr)
	r.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: fn - 1}.CDF(-math.Abs(r.Stat))
	return r
}

// NeweyWestLag is the truncation lag floor(4·(n/100)^(2/9)) of Newey and
// West's (1994, "Automatic lag selection in covariance matrix
// estimation", Rev. Econ. Stud. 61(4), 631–653) rule for the Bartlett
// kernel: 2 for 5 to 27 periods, 3 for 28 to 99.
func NeweyWestLag(n int) int {
	if n <= 0 {
		return 0
	}
	return int(math.Floor(4 * math.Pow(float64(n)/100, 2.0/9)))
}
