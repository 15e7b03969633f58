package backtest

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// Names of the parameters HistoryModel estimates.
const (
	ParamCropElasticity = "crop_demand_elasticity"
	ParamCropLag        = "crop_lag_months"
	ParamDemandAdjust   = "demand_adjustment_per_month"
	ParamSupplyAdjust   = "supply_adjustment_per_month"
	ParamDiscount       = "belarus_discount_pct"
	ParamDemandElast    = "demand_elasticity"
	ParamSupplyElast    = "supply_elasticity"
	ParamStockAdjust    = "stock_adjustment_per_month"
	ParamStockResponse  = "stock_response"
	ParamExpectAdjust   = "price_expectation_speed_per_month"
	ParamPrecaution     = "precautionary_stock_pct"
)

// PrecautionEventID is the id of the history scenario's precautionary
// stock-building (a stock_target event), whose size the back-test
// estimates.
const PrecautionEventID = "precautionary-stocks"

// RangePrecautionPct: the rise of importers' and distributors' stock
// target ahead of the announced disruption, percent of their normal stock
// (0 = none; 100 = cover doubled, two months of use more with the
// dataset's two months).
var RangePrecautionPct = model.Range{Lo: 0, Hi: 100}

// HistoryScenario is the built-in scenario the back-test simulates.
const HistoryScenario = "history"

// DiscountEventID is the id of the history scenario's sanction-discount
// wedge on Belarus's sales, whose size the back-test estimates.
const DiscountEventID = "belarus-discount"

// GasEventID is the id of the gas-cost driver HistoryModel adds to the
// scenario's events, suffixed ".SUPPLIER".
const GasEventID = "backtest-gas-cost"

// Documented ranges of the estimated parameters (docs/BACKTEST.md,
// "Fitted parameters").
var (
	// RangeCropElasticity: elasticity of potash demand at given potash
	// prices with respect to crop prices (estimated: no estimate in the
	// project's sources). 0 = crop prices do not matter, 1 = purchases
	// move in proportion to crop prices, 1.5 more than is plausible.
	RangeCropElasticity = model.Range{Lo: 0, Hi: 1.5}
	// RangeCropLag: months from crop prices to potash purchases; 0 (spot
	// crop prices move purchases at once) to 6 (two quarters ahead of
	// planting).
	RangeCropLag = model.Range{Lo: 0, Hi: 6}
	// RangeDemandAdjust and RangeSupplyAdjust: monthly partial-adjustment
	// speeds μ and λ, the base dataset's documented ranges (base-2020:
	// demand 0.03–0.5, supply 0.03–0.3 per month; 0.03 is a half-life of
	// 23 months, 0.3 one of 1.9 months).
	RangeDemandAdjust = model.Range{Lo: 0.03, Hi: 0.5}
	RangeSupplyAdjust = model.Range{Lo: 0.03, Hi: 0.3}
	// RangeDiscountPct: the discount buyers demanded from Belarusian
	// potash, percent of the delivered price (the scenario's uncertainty
	// truncates it to 0–40%).
	RangeDiscountPct = model.Range{Lo: 0, Hi: 40}
	// RangeDemandElast: the long-run price elasticity of demand ε, set
	// for all regions; the base dataset's documented range (0.1–0.8).
	RangeDemandElast = model.Range{Lo: 0.1, Hi: 0.8}
	// RangeSupplyElast: the long-run price elasticity of mine supply η,
	// set for all suppliers; the history scenario's uncertainty range
	// (triangular 0.3–3 around the dataset's 1).
	RangeSupplyElast = model.Range{Lo: 0.3, Hi: 3}
	// RangeStockAdjust, RangeStockResponse and RangeExpectAdjust: the
	// stocks' adjustment speed φ, response β and the speed ω of the
	// expected price, set for all regions; the base dataset's documented
	// ranges (docs/MODEL.md, section 10).
	RangeStockAdjust   = model.Range{Lo: 0.05, Hi: 1}
	RangeStockResponse = model.Range{Lo: 0.006, Hi: 0.06}
	RangeExpectAdjust  = model.Range{Lo: 0.02, Hi: 0.15}
)

// HistoryModel is the potash model of a history scenario as a back-test
// Model: the scenario's Spec with its recorded events (the sanctions
// factor), its market's crop-price driver (Spec.Drivers, rebuilt from the
// record the back-test is given, with the fitted elasticity and lag), and
// the gas cost of gas-using producers added as events (EventCost with a
// Series).
type HistoryModel struct {
	// Spec is the scenario's path specification (market, events, start).
	// HistoryModel never modifies it.
	Spec *model.Spec
	// Crop is the market's crop-price driver (its per-region weights and
	// projection); SpecFor builds its events from the Drivers' prices.
	// NewHistoryModel sets equal weights for every region; LoadHistory
	// the scenario's.
	Crop *scenarios.CropDriver
	// GasIntensity is gas use per tonne KCl by supplier name, mmBtu/t; a
	// supplier not listed has none.
	GasIntensity map[string]float64
	// Hash is the scenario's hash (shown on the chart), if known.
	Hash string

	params []Param
	idx    map[string]int // parameter index by name
	disc   int            // index of the discount event in Spec.Events, or −1
	prec   int            // index of the precautionary-stocks event, or −1
}

// DefaultGasIntensityGermany is the estimated gas use of German potash
// production (gas-fired steam for hot leaching and crystallisation,
// drying), mmBtu per t KCl: an order-of-magnitude estimate (plausible
// range 1–4) with no source in the project's data; docs/BACKTEST.md shows
// that the driver's contribution to the benchmark price is negligible
// across that range.
const DefaultGasIntensityGermany = 2.0

// NewHistoryModel returns the back-test model of spec with the default
// drivers. The parameters are the crop-demand elasticity and lag, the
// long-run demand elasticity and the monthly adjustment speeds of demand
// and supply (one each, common to all regions and suppliers), and the size
// of the sanction discount when spec has an event "belarus-discount" of
// kind EventWedge.
func NewHistoryModel(spec *model.Spec) (*HistoryModel, error) {
	if spec == nil || spec.Market == nil {
		return nil, fmt.Errorf("backtest: history model needs a spec with a market")
	}
	crop := &scenarios.CropDriver{}
	for range spec.Market.Regions {
		crop.Weights = append(crop.Weights, DefaultCropWeights)
	}
	for _, r := range spec.Market.Regions {
		crop.Regions = append(crop.Regions, r.Name)
	}
	h := &HistoryModel{
		Spec:         spec,
		Crop:         crop,
		GasIntensity: map[string]float64{"Germany": DefaultGasIntensityGermany},
		disc:         -1,
		prec:         -1,
		idx:          map[string]int{},
	}
	mkt := spec.Market
	stocks := false
	for _, r := range mkt.Regions {
		stocks = stocks || r.StockMonths > 0
	}
	// The search starts from fixed priors, not from the dataset's values
	// (which are the published estimates): the estimate does not depend on
	// what the dataset holds.
	const mu, lambda, eps, eta, phi, beta, omega, disc = 0.1, 0.1, 0.3, 1, 0.3, 0.024, 0.05, 15
	clamp := func(v float64, r model.Range) float64 { return math.Min(math.Max(v, r.Lo), r.Hi) }
	h.params = []Param{
		{Name: ParamCropElasticity, Unit: "1", Range: RangeCropElasticity, Start: 0.5, Symbol: "θ",
			Doc: "elasticity of potash demand (at given potash prices) to the crop-price index",
			Why: "estimated: no estimate in the project's sources; 0 = crop prices do not matter, 1 = purchases move in proportion to crop prices, the top more than we consider plausible"},
		{Name: ParamCropLag, Unit: "months", Range: RangeCropLag, Start: 2, Symbol: "L",
			Doc: "lag from crop prices to potash demand (fractional lags interpolate)",
			Why: "from spot crop prices moving purchases at once to two quarters ahead of planting"},
		{Name: ParamDemandElast, Unit: "1", Range: RangeDemandElast, Start: clamp(eps, RangeDemandElast), Symbol: "ε",
			Doc: "long-run price elasticity of demand ε, all regions",
			Why: "the base dataset's prior range (docs/DATA.md)"},
		{Name: ParamDemandAdjust, Unit: "per month", Range: RangeDemandAdjust, Start: clamp(mu, RangeDemandAdjust), Symbol: "μ",
			Doc: "monthly partial-adjustment speed μ of demand, all regions",
			Why: "the base dataset's prior range; " + halfLives(RangeDemandAdjust)},
		{Name: ParamSupplyElast, Unit: "1", Range: RangeSupplyElast, Start: clamp(eta, RangeSupplyElast), Symbol: "η",
			Doc: "long-run price elasticity of mine supply η, all suppliers",
			Why: "the history scenario's prior uncertainty range (before the fit)"},
		{Name: ParamSupplyAdjust, Unit: "per month", Range: RangeSupplyAdjust, Start: clamp(lambda, RangeSupplyAdjust), Symbol: "λ",
			Doc: "monthly partial-adjustment speed λ of mine supply, all suppliers",
			Why: "the base dataset's prior range; " + halfLives(RangeSupplyAdjust)},
	}
	if stocks {
		h.params = append(h.params,
			Param{Name: ParamStockAdjust, Unit: "per month", Range: RangeStockAdjust, Start: clamp(phi, RangeStockAdjust), Symbol: "φ",
				Doc: "monthly speed φ at which stocks move to their target, all regions",
				Why: "the base dataset's documented range (docs/MODEL.md §10); " + halfLives(RangeStockAdjust)},
			Param{Name: ParamStockResponse, Unit: "1", Range: RangeStockResponse, Start: clamp(beta, RangeStockResponse), Symbol: "β",
				Doc: "elasticity β of stocks to the convenience yield (γ = β/c), all regions",
				Why: "the base dataset's documented range; the stock target's price elasticity is γ = β/c with the carrying cost c (docs/MODEL.md §10)"},
			Param{Name: ParamExpectAdjust, Unit: "per month", Range: RangeExpectAdjust, Start: clamp(omega, RangeExpectAdjust), Symbol: "ω",
				Doc: "monthly speed ω of the expected (normal) price, all regions",
				Why: "the base dataset's documented range: faster expectations make the stock rule cycle (docs/MODEL.md §10.2)"})
	}
	for k, e := range spec.Events {
		if e.ID == DiscountEventID && e.Kind == model.EventRiskCost && !e.Relative {
			h.disc = k
			h.params = append(h.params, Param{Name: ParamDiscount, Unit: "%", Range: RangeDiscountPct,
				Start: clamp(disc, RangeDiscountPct),
				Doc:   "risk cost buyers bear on Belarusian potash (percent of the CFR price, all its sales)",
				Why:   "the history scenario's prior uncertainty range for its belarus-discount risk cost"})
			break
		}
	}
	for k, e := range spec.Events {
		if e.ID == PrecautionEventID && e.Kind == model.EventStockTarget && stocks {
			h.prec = k
			h.params = append(h.params, Param{Name: ParamPrecaution, Unit: "%", Range: RangePrecautionPct,
				Start: 30,
				Doc:   "rise of the stock target of importers and distributors ahead of the announced disruption (percent of their normal stock)",
				Why:   "estimated: from none to cover doubled (the scenario's precautionary-stocks event); no figure in the project's sources"})
			break
		}
	}
	for j, p := range h.params {
		h.idx[p.Name] = j
	}
	return h, nil
}

// halfLives describes a monthly adjustment speed's range r as the
// half-lives of a gap at its ends (ln ½ / ln(1 − speed) months; a speed
// of 1 closes the gap at once).
func halfLives(r model.Range) string {
	hl := func(v float64) string {
		if v >= 1 {
			return "at once"
		}
		if h := fmt.Sprintf("%.2g", math.Log(0.5)/math.Log(1-v)); h != "1" {
			return h + " months"
		}
		return "1 month"
	}
	return "a half-life of " + hl(r.Lo) + " at the bottom, " + hl(r.Hi) + " at the top"
}

// Params returns the estimated parameters.
func (h *HistoryModel) Params() []Param { return append([]Param(nil), h.params...) }

// startValues returns the parameters' starting values.
func (h *HistoryModel) startValues() []float64 {
	v := make([]float64, len(h.params))
	for j, p := range h.params {
		v[j] = p.Start
	}
	return v
}

// SpecFor returns the Spec simulated for theta, drivers d, last month end
// and factor switches on: a deep copy of h.Spec with the parameters
// applied, the scenario's events kept only with FactorSanctions, and the
// driver events of the factors switched on appended.
func (h *HistoryModel) SpecFor(theta []float64, d *Drivers, end model.Month, on Factors) (*model.Spec, error) {
	if len(theta) != len(h.params) {
		return nil, fmt.Errorf("backtest: %d parameter values for %d parameters", len(theta), len(h.params))
	}
	for j, p := range h.params {
		if math.IsNaN(theta[j]) || !p.Range.Contains(theta[j]) {
			return nil, fmt.Errorf("backtest: %s = %g outside [%g, %g]", p.Name, theta[j], p.Range.Lo, p.Range.Hi)
		}
	}
	val := func(name string) float64 { return theta[h.idx[name]] }
	s := h.Spec.Clone()
	s.End = end
	if s.ReportStart > end {
		s.ReportStart = s.Start
	}
	for r := range s.Market.Regions {
		g := &s.Market.Regions[r]
		g.Adjust = val(ParamDemandAdjust)
		g.Eps = val(ParamDemandElast)
		if j, ok := h.idx[ParamStockAdjust]; ok && g.StockMonths > 0 {
			g.StockAdjust, g.StockResponse, g.ExpectAdjust = theta[j], val(ParamStockResponse), val(ParamExpectAdjust)
		}
	}
	for i := range s.Market.Suppliers {
		s.Market.Suppliers[i].Adjust = val(ParamSupplyAdjust)
		s.Market.Suppliers[i].Eta = val(ParamSupplyElast)
	}
	if h.disc >= 0 {
		s.Events[h.disc].Value = val(ParamDiscount) / 100
	}
	if h.prec >= 0 {
		s.Events[h.prec].Value = val(ParamPrecaution) / 100
	}
	if on&FactorSanctions == 0 {
		s.Events = nil
	}
	s.Drivers = nil
	if on&FactorDemand != 0 && d != nil {
		crop := *h.Crop
		if d.Weights != (CropWeights{}) {
			crop.Weights = nil
			for range crop.Regions {
				crop.Weights = append(crop.Weights, d.Weights)
			}
		}
		evs, err := crop.Events(d.Prices, s.Market.BaseYear)
		if err != nil {
			return nil, fmt.Errorf("backtest: crop-price driver: %w", err)
		}
		s.Drivers = evs
		scenarios.SetCropDriverParams(s, val(ParamCropElasticity), val(ParamCropLag))
	}
	if on&FactorGas != 0 && d != nil {
		for i, sup := range s.Market.Suppliers {
			in, ok := h.GasIntensity[sup.Name]
			if !ok || in == 0 {
				continue
			}
			series := GasCostSeries(d, in, s.Start, end)
			s.Events = append(s.Events, model.Event{
				ID: GasEventID + "." + sup.Name, Label: "gas costs", Kind: model.EventCost,
				Supplier: i, Region: -1, Start: s.Start, Value: series[len(series)-1], Series: series,
			})
		}
	}
	return s, nil
}

// Simulate runs the model for theta from the spec's first month through
// end and returns the benchmark price in current dollars (the model's
// base-year dollars times d's price level) and the exports of every
// supplier (the model's exports: sales less domestic sales, as FAOSTAT
// counts them).
func (h *HistoryModel) Simulate(ctx context.Context, theta []float64, d *Drivers, end model.Month, on Factors) (*Sim, error) {
	s, err := h.SpecFor(theta, d, end, on)
	if err != nil {
		return nil, err
	}
	p, err := model.Simulate(ctx, s)
	if err != nil {
		return nil, err
	}
	// Months that converged to implausible prices (the one-month spikes of
	// step shocks under partial adjustment, issue 14) still fit the record.
	sim := &Sim{Months: append([]model.Month(nil), p.Months...), Exports: map[string][]float64{}, Failed: p.Failed - p.Implausible}
	// The model's dollars are the base year's; the record's are current:
	// the benchmark is reflated by the price level (held after the last
	// year d knows).
	sim.Price = make([]float64, len(p.Sol))
	for k, sol := range p.Sol {
		sim.Price[k] = sol.Benchmark * d.PriceLevelAt(p.Months[k])
	}
	for i, sup := range s.Market.Suppliers {
		x := make([]float64, len(p.Sol))
		for k, sol := range p.Sol {
			if i < len(sol.Exports) {
				x[k] = sol.Exports[i]
			}
		}
		sim.Exports[sup.Name] = x
	}
	sim.StockMonths = stockMonths(s.Market, p.Sol)
	return sim, nil
}

// CropWeightsText describes the crop weights of the market's driver, e.g.
// "Brazil maize 0.25/soybeans 0.75/wheat 0.00, other regions equal".
func (h *HistoryModel) CropWeightsText() string {
	var own []string
	for r, w := range h.Crop.Weights {
		if w != DefaultCropWeights {
			own = append(own, fmt.Sprintf("%s maize %.2f/soybeans %.2f/wheat %.2f", h.Crop.Regions[r], w.Maize, w.Soybeans, w.Wheat))
		}
	}
	if len(own) == 0 {
		return "every region maize, soybeans, wheat equally"
	}
	if len(own) == len(h.Crop.Weights) {
		return strings.Join(own, "; ")
	}
	return strings.Join(own, "; ") + "; other regions equal weights"
}

// Markers returns the scenario's recorded events as chart markers: one per
// event start inside from..to, labelled with the event's label (or id).
func (h *HistoryModel) Markers(from, to model.Month) []EventMark {
	return plots.EventMarkers(h.Spec.Events, from, to)
}

// EventMark is an event shown on the chart.
type EventMark = plots.Marker

// stockMonths returns the stocks of importers and distributors of every
// region at the end of each month of sols in months of that month's use,
// 12·Σ_r S_r / Σ_r C_r, or nil when no region of m holds stocks.
func stockMonths(m *model.Market, sols []*model.Solution) []float64 {
	held := false
	for _, r := range m.Regions {
		held = held || r.StockMonths > 0
	}
	if !held {
		return nil
	}
	out := make([]float64, len(sols))
	for k := range sols {
		var s, c float64
		for r := range m.Regions {
			s += sols[k].Stocks[r]
			c += sols[k].Consumption[r]
		}
		out[k] = math.NaN()
		if c > 0 {
			out[k] = 12 * s / c
		}
	}
	return out
}

// WithEvent returns a copy of h whose scenario event id is changed by f
// (a variant of its timing; the copy's Spec is a deep copy, h is not
// changed).
func (h *HistoryModel) WithEvent(id string, f func(e *model.Event)) (*HistoryModel, error) {
	c := *h
	c.Spec = h.Spec.Clone()
	for k := range c.Spec.Events {
		if c.Spec.Events[k].ID == id {
			f(&c.Spec.Events[k])
			if err := model.ValidateEvents(c.Spec.Market, c.Spec.Events); err != nil {
				return nil, err
			}
			return &c, nil
		}
	}
	return nil, fmt.Errorf("backtest: the scenario has no event %q", id)
}
