package backtest

import (
	"fmt"
	"math"

	"github.com/potash-sim/potash/model"
)

// CropWeights are the weights of the crop-price index, summing to 1.
type CropWeights struct {
	Maize, Soybeans, Wheat float64
}

// DefaultCropWeights weights maize, soybeans and wheat equally. The
// project's data hold no crop-by-crop shares of potash use, so the index
// takes no position between the three field crops the Pink Sheet prices
// (docs/BACKTEST.md, "Demand drivers").
var DefaultCropWeights = CropWeights{Maize: 1.0 / 3, Soybeans: 1.0 / 3, Wheat: 1.0 / 3}

// CropIndex returns the crop-price index
//
//	I_t = Σ_c w_c · p_c,t / p̄_c,base
//
// over c ∈ {maize, soybeans, wheat}, where p̄_c,base is crop c's average
// price over the twelve months of baseYear. With weights summing to 1 the
// index averages exactly 1 over baseYear. The index covers the months in
// which all three prices are published (from the latest start to the
// earliest end); it is an error if the weights are negative or do not sum
// to 1 (±1e-9), or a crop has no price in the base year.
func CropIndex(r *Record, w CropWeights, baseYear int) (Series, error) {
	if w.Maize < 0 || w.Soybeans < 0 || w.Wheat < 0 || math.Abs(w.Maize+w.Soybeans+w.Wheat-1) > 1e-9 {
		return Series{}, fmt.Errorf("crop weights %+v: want non-negative weights summing to 1", w)
	}
	crops := []struct {
		name string
		s    Series
		w    float64
	}{{"maize", r.Maize, w.Maize}, {"soybeans", r.Soybeans, w.Soybeans}, {"wheat", r.Wheat, w.Wheat}}
	from, to := model.Month(math.MinInt32), model.Month(math.MaxInt32)
	base := make([]float64, len(crops))
	for k, c := range crops {
		from = max(from, c.s.Start)
		to = min(to, c.s.End())
		m, n := c.s.Mean(model.NewMonth(baseYear, 1), model.NewMonth(baseYear, 12))
		if n != 12 {
			return Series{}, fmt.Errorf("crop index: %s has %d of 12 monthly prices in %d", c.name, n, baseYear)
		}
		base[k] = m
	}
	out := Series{Start: from}
	for t := from; t <= to; t++ {
		v := 0.0
		for k, c := range crops {
			p, ok := c.s.At(t)
			if !ok {
				return Series{}, fmt.Errorf("crop index: %s price missing in %v", c.name, t)
			}
			v += c.w * p / base[k]
		}
		out.Values = append(out.Values, v)
	}
	return out, nil
}

// Drivers are the recorded, exogenous drivers the back-test feeds the
// model besides the scenario's events.
type Drivers struct {
	// Crop is the crop-price index (2020 = 1), from CropIndex.
	Crop Series
	// Gas is the European natural gas price, $/mmBtu.
	Gas Series
	// GasBase is the gas price's base-year average, $/mmBtu.
	GasBase float64
}

// NewDrivers builds the drivers from the record r (in-sample or full) with
// crop weights w and base year baseYear.
func NewDrivers(r *Record, w CropWeights, baseYear int) (*Drivers, error) {
	crop, err := CropIndex(r, w, baseYear)
	if err != nil {
		return nil, err
	}
	g, n := r.Gas.Mean(model.NewMonth(baseYear, 1), model.NewMonth(baseYear, 12))
	if n != 12 {
		return nil, fmt.Errorf("gas: %d of 12 monthly prices in %d", n, baseYear)
	}
	return &Drivers{Crop: crop, Gas: r.Gas.clone(), GasBase: g}, nil
}

// DemandSeries returns the monthly demand shift of the crop-price driver
// from month start through end: s_t = I(t − L)^θ − 1, a fraction (the
// Value of an EventDemand month by month). θ is the elasticity of
// fertilizer demand at given potash prices with respect to the crop-price
// index, L ≥ 0 the lag in months between crop prices and fertilizer
// purchases. A fractional lag interpolates linearly between months:
// I(t − L) = (1 − f)·I_{t−n} + f·I_{t−n−1} with n = ⌊L⌋, f = L − n.
// Months whose lagged index is not published hold the nearest published
// value (the index's first value before it starts, its last after it ends).
func DemandSeries(crop Series, theta, lag float64, start, end model.Month) []float64 {
	if lag < 0 || math.IsNaN(lag) {
		lag = 0
	}
	n := math.Floor(lag)
	f := lag - n
	out := make([]float64, 0, int(end-start)+1)
	for t := start; t <= end; t++ {
		a := t - model.Month(n)
		i := (1-f)*crop.clampedAt(a) + f*crop.clampedAt(a-1)
		out = append(out, math.Pow(i, theta)-1)
	}
	return out
}

// GasCostSeries returns the monthly cost shift, $/t, of a producer using
// intensity mmBtu of gas per tonne KCl when the gas price moves from its
// base-year average: c_t = intensity · (g_t − ḡ_base). Months without a
// published price hold the nearest published value.
func GasCostSeries(d *Drivers, intensity float64, start, end model.Month) []float64 {
	out := make([]float64, 0, int(end-start)+1)
	for t := start; t <= end; t++ {
		out = append(out, intensity*(d.Gas.clampedAt(t)-d.GasBase))
	}
	return out
}

// clampedAt returns the value at t, or the nearest published value before
// the first or after the last month (NaN only if s has no value at all).
func (s Series) clampedAt(t model.Month) float64 {
	if v, ok := s.At(t); ok {
		return v
	}
	if t < s.Start {
		for k := 0; k < len(s.Values); k++ {
			if !math.IsNaN(s.Values[k]) {
				return s.Values[k]
			}
		}
		return math.NaN()
	}
	k := int(t - s.Start)
	if k >= len(s.Values) {
		k = len(s.Values) - 1
	}
	for ; k >= 0; k-- {
		if !math.IsNaN(s.Values[k]) {
			return s.Values[k]
		}
	}
	return math.NaN()
}
