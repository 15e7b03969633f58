package backtest

import (
	"fmt"
	"math"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// CropWeights are the weights of a crop-price index, summing to 1
// (scenarios.CropWeights).
type CropWeights = scenarios.CropWeights

// DefaultCropWeights weights maize, soybeans and wheat equally
// (scenarios.EqualCropWeights): the reference index of the back-test's
// report and of FitOptions.Weights when a variant overrides the market's
// per-region weights.
var DefaultCropWeights = scenarios.EqualCropWeights

// CropPrices returns r's maize, soybean and wheat prices as one block of
// months (the Pink Sheet publishes them together).
func (r *Record) CropPrices() (*scenarios.CropPrices, error) {
	if r.Maize.Start != r.Soybeans.Start || r.Maize.Start != r.Wheat.Start ||
		r.Maize.Len() != r.Soybeans.Len() || r.Maize.Len() != r.Wheat.Len() {
		return nil, fmt.Errorf("crop prices: maize, soybeans and wheat cover different months")
	}
	return &scenarios.CropPrices{Start: r.Maize.Start, Maize: append([]float64(nil), r.Maize.Values...),
		Soybeans: append([]float64(nil), r.Soybeans.Values...), Wheat: append([]float64(nil), r.Wheat.Values...)}, nil
}

// CropIndex returns the crop-price index of r with weights w
// (scenarios.CropIndex, the index the market's driver uses):
//
//	I_t = Σ_c w_c · p_c,t / p̄_c,base
//
// over c ∈ {maize, soybeans, wheat}, where p̄_c,base is crop c's average
// price over the twelve months of baseYear. With weights summing to 1 the
// index averages exactly 1 over baseYear. The index covers the months in
// which all three prices are published; it is an error if the weights are
// negative or do not sum to 1, or a crop has no price in the base year.
func CropIndex(r *Record, w CropWeights, baseYear int) (Series, error) {
	p, err := r.CropPrices()
	if err != nil {
		return Series{}, err
	}
	start, v, err := scenarios.CropIndex(p, w, baseYear)
	if err != nil {
		return Series{}, err
	}
	return Series{Start: start, Values: v}, nil
}

// Drivers are the recorded, exogenous drivers the back-test feeds the
// model besides the scenario's events.
type Drivers struct {
	// Prices are the recorded crop prices the market's crop-price driver
	// is built from (HistoryModel.SpecFor).
	Prices *scenarios.CropPrices
	// Weights, when not zero, replace every region's crop weights (a
	// variant); zero keeps the market's per-region weights.
	Weights CropWeights
	// Crop is the crop-price index with Weights (equal weights when
	// zero), 2020 = 1, from CropIndex: the reference index of the report.
	Crop Series
	// Gas is the European natural gas price, $/mmBtu.
	Gas Series
	// GasBase is the gas price's base-year average, $/mmBtu.
	GasBase float64
}

// NewDrivers builds the drivers from the record r (in-sample or full) with
// crop weights w (zero: the market's weights by region) and base year
// baseYear.
func NewDrivers(r *Record, w CropWeights, baseYear int) (*Drivers, error) {
	ref := w
	if ref == (CropWeights{}) {
		ref = DefaultCropWeights
	}
	crop, err := CropIndex(r, ref, baseYear)
	if err != nil {
		return nil, err
	}
	prices, err := r.CropPrices()
	if err != nil {
		return nil, err
	}
	g, n := r.Gas.Mean(model.NewMonth(baseYear, 1), model.NewMonth(baseYear, 12))
	if n != 12 {
		return nil, fmt.Errorf("gas: %d of 12 monthly prices in %d", n, baseYear)
	}
	return &Drivers{Prices: prices, Weights: w, Crop: crop, Gas: r.Gas.clone(), GasBase: g}, nil
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
