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
	// is built from (HistoryModel.SpecFor), in constant base-year
	// dollars (deflated by Level).
	Prices *scenarios.CropPrices
	// Level is the price level the record's dollars are deflated by
	// (nil: none); BaseYear its base.
	Level    *scenarios.PriceLevel
	BaseYear int
	// Weights, when not zero, replace every region's crop weights (a
	// variant); zero keeps the market's per-region weights.
	Weights CropWeights
	// Crop is the crop-price index with Weights (equal weights when
	// zero), 2020 = 1, from CropIndex: the reference index of the report.
	Crop Series
	// Gas is the European natural gas price in constant base-year
	// dollars, $/mmBtu.
	Gas Series
	// GasBase is the gas price's base-year average, $/mmBtu.
	GasBase float64
}

// PriceLevelAt returns the price level in month t relative to the base
// year (scenarios.PriceLevel.Monthly; 1 without a Level): the factor from
// the model's constant base-year dollars to current dollars.
func (d *Drivers) PriceLevelAt(t model.Month) float64 {
	if d == nil || d.Level == nil {
		return 1
	}
	v, err := d.Level.Monthly(t, d.BaseYear)
	if err != nil {
		return 1 // NewDrivers checked the base year
	}
	return v
}

// NewDrivers builds the drivers from the record r (in-sample or full) with
// crop weights w (zero: the market's weights by region) and base year
// baseYear. The crop and gas prices are deflated to constant baseYear
// dollars by r's CPI (when it has one), as the market's driver is.
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
	d := &Drivers{Weights: w, Crop: crop, Level: r.CPI.Clone(), BaseYear: baseYear}
	if d.Level != nil {
		if _, err := d.Level.Monthly(model.NewMonth(baseYear, 1), baseYear); err != nil {
			return nil, err
		}
	}
	if d.Prices, err = prices.Deflated(d.Level, baseYear); err != nil {
		return nil, err
	}
	d.Gas = r.Gas.clone()
	for k := range d.Gas.Values {
		d.Gas.Values[k] /= d.PriceLevelAt(d.Gas.Start + model.Month(k))
	}
	g, n := d.Gas.Mean(model.NewMonth(baseYear, 1), model.NewMonth(baseYear, 12))
	if n != 12 {
		return nil, fmt.Errorf("gas: %d of 12 monthly prices in %d", n, baseYear)
	}
	d.GasBase = g
	return d, nil
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
