package backtest

import (
	"math"

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
