package model

import (
	"context"
	"math/rand/v2"
)

// Entity is what a reported variable is indexed by.
type Entity int

const (
	EntityWorld    Entity = iota // one value
	EntitySupplier               // one per supplier
	EntityRegion                 // one per region
	EntityRoute                  // one per supplier×region, index i*len(Regions)+r
	EntityCorridor               // one per corridor, in supplier order then corridor order
)

// Variable is a reported variable: every CSV row, chart series and Monte
// Carlo band is one Variable of one entity in one month.
type Variable struct {
	Name   string // snake_case, e.g. "export_revenue"
	Unit   string // e.g. "$M/yr", "$/t", "Mt/yr", "fraction"
	Entity Entity
	Doc    string // one line
}

// Variables lists every reported variable, in output order. (The path
// issue fills it in; names are stable API used by CSV, charts and --metric.)
// Expected names: benchmark_price; fob_price, netback, sales, exports,
// export_revenue, market_share, capacity_use, producer_surplus_change,
// corridor_rent, quota_rent; price_index, demand, import_bill,
// consumer_surplus_change; flow, delivered_price; corridor_flow,
// corridor_capacity.
var Variables []Variable

// EntityNames returns the entity labels of kind e for c's market
// ("World"; supplier names; region names; "Canada→Brazil"; "Belarus/Klaipeda").
func EntityNames(c *Calibrated, e Entity) []string { return nil }

// Value returns variable v of entity index e in sol.
func (v Variable) Value(c *Calibrated, sol *Solution, e int) float64 { return 0 }

// Metric is a headline number of a Run: a scalar summary over the report
// window (Spec.ReportStart..Spec.End).
type Metric struct {
	Name  string // e.g. "revenue_change.Belarus", "benchmark_price_change"
	Unit  string // "$M", "$/t", "Mt/yr"
	Value float64
	Doc   string
}

// Metrics computes the headline metrics of run: at least the mean change in
// the benchmark price ($/t), mean change in each region's price index, and
// each supplier's cumulative change in FOB export revenue over the window
// ($M; a monthly step adds revenue/12).
func Metrics(run *Run) []Metric { return nil }

// Distribution is a parameter's uncertainty, drawn by inverse CDF so that a
// draw depends only on its uniform variate (reproducible with any number of
// workers).
type Distribution interface {
	Quantile(p float64) float64 // p in (0,1)
	Mean() float64
}

// Uncertain is a parameter drawn per Monte Carlo run.
type Uncertain struct {
	Name    string // its path in the scenario, e.g. "regions.Brazil.demand_elasticity"
	Unit    string
	Dist    Distribution
	Central float64 // value used when not drawing (the scenario's point value)
	// Apply sets the parameter to v on a Spec; it is called on the scenario
	// and on the counterfactual alike (common random numbers). It must
	// leave unrelated fields alone and must not keep s.
	Apply func(s *Spec, v float64) error
}

// Param is a numeric parameter that a sweep can set.
type Param struct {
	Name  string
	Unit  string
	Apply func(s *Spec, v float64) error
}

// MCOptions control MonteCarlo.
type MCOptions struct {
	Draws   int    // number of draws (> 0)
	Seed    uint64 // draw d uses rand.NewPCG(Seed, uint64(d)); same seed, same result
	Workers int    // goroutines; 0 means runtime.GOMAXPROCS(0)
	// Progress, if not nil, is called with the number of draws done (from
	// one goroutine at a time, in increasing order).
	Progress func(done, total int)
}

// Band summarises a variable's distribution across draws in one month.
type Band struct {
	Mean, P5, P25, P50, P75, P95 float64
}

// Series is one variable of one entity across months: levels of the
// scenario and differences scenario − counterfactual.
type Series struct {
	Variable string
	Entity   string
	Unit     string
	Level    []Band // per month, scenario
	CfLevel  []Band // per month, counterfactual
	Diff     []Band // per month, scenario − counterfactual
}

// TotalDist is the full distribution of a headline metric across the
// converged draws (in draw order).
type TotalDist struct {
	Metric string
	Unit   string
	Values []float64
	Band   Band
}

// MCResult is a Monte Carlo run's summary.
type MCResult struct {
	Draws     int
	Converged int // draws whose every month converged in both paths
	Failed    int // draws with any non-converged month; excluded from the bands and counted here
	Seed      uint64
	Months    []Month
	Series    []Series
	Totals    []TotalDist
}

// MonteCarlo draws the uncertain parameters opts.Draws times, recalibrates
// each draw to the base year, and simulates scenario and counterfactual with
// the same draw. Memory stays bounded in the number of draws.
func MonteCarlo(ctx context.Context, scenario, counterfactual *Spec, unc []Uncertain, opts MCOptions) (*MCResult, error) {
	_ = rand.NewPCG
	return nil, ErrNotImplemented
}

// SweepAxis is one swept parameter and its grid.
type SweepAxis struct {
	Param  Param
	Values []float64
}

// SweepResult holds metrics at every grid point (row-major over axes: the
// last axis varies fastest).
type SweepResult struct {
	Axes    []SweepAxis
	Metrics []string
	Units   []string
	Values  [][]float64 // [point][metric]
	Status  []Status    // per point: Converged unless some month failed
}

// Sweep runs scenario and counterfactual at every point of a 1-D or 2-D grid
// and records the named metrics.
func Sweep(ctx context.Context, scenario, counterfactual *Spec, axes []SweepAxis, metrics []string, workers int) (*SweepResult, error) {
	return nil, ErrNotImplemented
}

// TornadoBar is one parameter's one-at-a-time effect.
type TornadoBar struct {
	Param         string
	Low, High     float64 // parameter values (5th and 95th percentiles of its distribution)
	AtLow, AtHigh float64 // metric values
}

// Tornado is a one-at-a-time sensitivity analysis of one metric, bars
// sorted by |AtHigh − AtLow|, largest first.
type Tornado struct {
	Metric string
	Unit   string
	Base   float64 // metric with every parameter at its central value
	Bars   []TornadoBar
}

// Sensitivity sets each uncertain parameter to its low and high value with
// the others at their central values and records metric.
func Sensitivity(ctx context.Context, scenario, counterfactual *Spec, unc []Uncertain, metric string, workers int) (*Tornado, error) {
	return nil, ErrNotImplemented
}
