package model

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

// Metric is a headline number of a Run: a scalar summary over the report
// window (Spec.ReportStart..Spec.End).
type Metric struct {
	Name  string // e.g. "revenue_change.Belarus", "benchmark_price_change"
	Unit  string // "$M", "$/t", "Mt/yr"
	Value float64
	Doc   string
	// Missing is set when no month of the window has a value: a price of
	// a region that did not trade in any month (Value is then 0). Show it
	// as "n/a".
	Missing bool
}

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
	// Copula, when not nil, correlates the draws of this parameter with
	// those of the other Uncertain of the slice that share it (a Gaussian
	// copula, NewCopula; docs/MODEL.md §9.1, "Correlated draws"); CopulaRow is its row of the
	// copula's correlation matrix. Each row is held by exactly one
	// Uncertain of the slice. Its marginal distribution stays Dist.
	Copula    *Copula
	CopulaRow int
}

// Param is a numeric parameter that a sweep can set. Sweep calls Apply on
// clones of the scenario and of the counterfactual alike; an Apply for a
// change of the scenario alone must leave the counterfactual unchanged.
type Param struct {
	Name string
	// Unit is the unit of the values; UnitMonth means a value is a Month
	// (messages print it as YYYY-MM).
	Unit  string
	Apply func(s *Spec, v float64) error
}

// UnitMonth is the Param.Unit of a month-valued parameter.
const UnitMonth = "month"

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
	// Exact is true when every percentile was computed from all draws
	// sorted (draws ≤ the exact cap); false when from histograms.
	Exact bool
	// FirstFailure explains the first failed draw ("draw 17: scenario,
	// month 2024-03: iteration limit ..."), "" when none failed.
	FirstFailure string
	Months       []Month
	Series       []Series
	Totals       []TotalDist

	// Rejected counts the candidates drawn and rejected because they
	// broke a joint rule (JointRules), over all draws: each draw is the
	// first candidate of its stream that keeps the rules, so
	// Rejected/(Rejected+Draws) is the share of the box the rules cut
	// away, measured on this run's streams (docs/MODEL.md §9.1).
	Rejected int

	// Failures lists every failed draw, in draw order (len(Failures) ==
	// Failed). The converged draws are the others, in the order of the
	// Totals' Values.
	Failures []DrawFailure
}

// DrawFailure is a Monte Carlo draw left out of the bands and totals.
type DrawFailure struct {
	Draw int // d: the draw's random stream is rand.NewPCG(Seed, d), d from 0
	// Status is the solver's status in the first month that did not
	// converge (Failure also for a draw whose parameters could not be
	// applied or calibrated, or whose output was not finite).
	Status Status
	Reason string // e.g. "scenario, month 2024-03: iteration limit (residual 3e-05): ..."
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

// TornadoBar is one parameter's one-at-a-time effect.
type TornadoBar struct {
	Param string
	// Low and High are the parameter values run: the 5th and 95th
	// percentiles of its distribution, truncated along its axis when the
	// joint rules cut it (LowCut, HighCut; docs/MODEL.md §9.4).
	Low, High     float64
	AtLow, AtHigh float64 // metric values
	// StatedLow and StatedHigh are the 5th and 95th percentiles of the
	// stated distribution: Low and High unless a side is cut.
	StatedLow, StatedHigh float64
	// LowCut and HighCut name the joint rule (RuleStockCycle, RuleCrop)
	// that cuts the distribution below and above the central value, ""
	// when none does. When either side is cut both ends are percentiles
	// of the truncated distribution, so an end moves from its stated
	// value even when only the other side is cut.
	LowCut, HighCut string
}

// Tornado is a one-at-a-time sensitivity analysis of one metric, bars
// sorted by |AtHigh − AtLow|, largest first.
type Tornado struct {
	Metric string
	Unit   string
	Base   float64 // metric with every parameter at its central value
	Bars   []TornadoBar
	// Failed counts runs (of 1 + 2·len(Bars)) with a non-converged month;
	// their metric is still reported.
	Failed int
}
