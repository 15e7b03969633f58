package scenarios

// This file defines the YAML format of a scenario file (version 1). The
// struct tags drive both the strict decoder (decode.go) and the JSON Schema
// (schema.go): `yaml` names the key, `doc` describes it (with its unit),
// `req:"true"` marks a required key and `enum` lists allowed values.
// docs/SCENARIOS.md is the reference for users.

// File is one scenario file.
type File struct {
	Name         string            `yaml:"name,omitempty" doc:"Scenario name; defaults to the file's base name without extension."`
	Title        string            `yaml:"title,omitempty" doc:"One-line title shown in listings and chart titles."`
	Description  string            `yaml:"description,omitempty" doc:"What the scenario asks and how it answers it."`
	Sources      []string          `yaml:"sources,omitempty" doc:"Citations or links for the scenario's assumptions; numbers that are assumed say 'estimated'."`
	Extends      string            `yaml:"extends,omitempty" doc:"A built-in scenario name, or a path (ending in .yaml/.yml or containing '/') relative to this file, whose market, horizon and events this scenario inherits."`
	Market       *MarketRef        `yaml:"market,omitempty" doc:"The market the scenario runs on; default: the parent's market with extends, else the embedded base-2020 dataset."`
	Horizon      *HorizonFile      `yaml:"horizon,omitempty" doc:"Simulated months; each key defaults to the parent's with extends."`
	Step         string            `yaml:"step,omitempty" enum:"monthly" doc:"Time step; only 'monthly' for now."`
	Events       []EventFile       `yaml:"events,omitempty" doc:"Timeline of instruments; an event whose id equals an inherited one replaces it."`
	RemoveEvents []string          `yaml:"remove_events,omitempty" doc:"With extends: ids of inherited events to drop."`
	CompareTo    string            `yaml:"compare_to,omitempty" doc:"Another scenario (built-in name or relative path) whose events form the counterfactual, run on this scenario's market and horizon. Default: this scenario without its own events, removals and replacements (the parent with extends; no events otherwise)."`
	Uncertainty  []UncertainFile   `yaml:"uncertainty,omitempty" doc:"Parameters drawn per Monte Carlo run, by path."`
	Correlations []CorrelationFile `yaml:"correlations,omitempty" doc:"Groups of uncertain parameters drawn together: the correlation matrix of their normal scores (a Gaussian copula); each keeps its own distribution. With extends, a group replaces the inherited groups that share a parameter with it."`
	// Counterfactual is how a resolved scenario (scenario.resolved.yaml)
	// carries its counterfactual, so that it reruns to the same numbers.
	Counterfactual *CounterfactualFile `yaml:"counterfactual,omitempty" doc:"The counterfactual written out: its name and events, run on this scenario's market and horizon. Instead of compare_to; potash writes it in scenario.resolved.yaml so that the resolved scenario reruns to the same numbers."`
}

// CounterfactualFile is a counterfactual written out in full.
type CounterfactualFile struct {
	Name        string      `yaml:"name,omitempty" doc:"Name of the counterfactual in outputs; default: the scenario's name with ' (counterfactual)'."`
	Description string      `yaml:"description,omitempty" doc:"What the counterfactual is."`
	Events      []EventFile `yaml:"events" req:"true" doc:"The counterfactual's events (an empty list: no events)."`
}

// MarketRef names the market: an embedded dataset with overrides, or a
// whole market inline.
type MarketRef struct {
	Base      string             `yaml:"base,omitempty" doc:"Embedded dataset name, e.g. base-2020."`
	Overrides map[string]float64 `yaml:"overrides,omitempty" doc:"Parameter path (market.* paths, with or without the 'market.' prefix; '*' matches every name) to value, in the path's unit. Wildcard paths are applied before specific ones."`
	Inline    *MarketFile        `yaml:"inline,omitempty" doc:"A whole market written inline, instead of base."`
}

// HorizonFile is the simulated window.
type HorizonFile struct {
	Start      string `yaml:"start,omitempty" unit:"month" doc:"First simulated month, YYYY-MM (the path starts from the base-year equilibrium)."`
	End        string `yaml:"end,omitempty" unit:"month" doc:"Last simulated month, YYYY-MM, inclusive."`
	ReportFrom string `yaml:"report_from,omitempty" unit:"month" doc:"First month of the window over which headline metrics are computed, YYYY-MM; default: start."`
}

// EventFile is one event: exactly one instrument key, a start month and
// optional end and ramps.
type EventFile struct {
	ID    string `yaml:"id" req:"true" doc:"Unique id (letters, digits, '-' and '_'); used by remove_events, --set and uncertainty paths (events.ID.FIELD)."`
	Label string `yaml:"label,omitempty" doc:"Short label for chart markers; default: the id."`

	// Instruments: exactly one is set. Each is one entry of the
	// instrument table (instruments.go).
	Ban         *BanEvent         `yaml:"ban,omitempty" doc:"Close the route supplier→region (the variety drops out of the region's price index). Cannot ramp."`
	Wedge       *WedgeEvent       `yaml:"wedge,omitempty" doc:"Add an import tariff on supplier→region, percent of the CFR price; the importing region's government collects it."`
	ExportCap   *ExportCapEvent   `yaml:"export_cap,omitempty" doc:"Cap supplier's total sales (a quota), Mt/yr."`
	Corridor    *CorridorEvent    `yaml:"corridor,omitempty" doc:"Resize (0 closes) and/or re-price one of supplier's export corridors."`
	Capacity    *CapacityEvent    `yaml:"capacity,omitempty" doc:"Add production capacity (negative: an outage), Mt/yr."`
	Demand      *DemandEvent      `yaml:"demand,omitempty" doc:"Shift a region's demand at given prices, percent."`
	CropPrices  *CropPricesEvent  `yaml:"crop_prices,omitempty" doc:"Shock the market's crop-price driver in a region (or all), percent; it moves demand with the driver's elasticity and lag."`
	StockTarget *StockTargetEvent `yaml:"stock_target,omitempty" doc:"Raise (or lower) the stock cover importers and distributors in a region (or all) aim for, percent of their normal stock: precautionary stock-building ahead of an announced disruption; its ramp-out runs the cover down."`
	Cost        *CostEvent        `yaml:"cost,omitempty" doc:"Add to every unit cost of a supplier, $/t."`
	TariffQuota *TariffQuotaEvent `yaml:"tariff_quota,omitempty" doc:"Set a tariff-rate quota on supplier→region: in_pct on imports up to quota_mt Mt/yr, out_pct above; the quota rent goes to the importers."`
	Concession  *ConcessionEvent  `yaml:"concession,omitempty" doc:"Set the price concession a seller grants on supplier→region, percent of its FOB price: a transfer to buyers (a level; never a premium)."`
	RiskCost    *RiskCostEvent    `yaml:"risk_cost,omitempty" doc:"Set the buyers' risk cost on supplier→region, percent of the CFR price: sanction risk, compliance, insurance; nobody collects it (a level)."`
	ExportTax   *ExportTaxEvent   `yaml:"export_tax,omitempty" doc:"Add an export tax on a supplier's sales, $/t; its government collects it."`
	Conduct     *ConductEvent     `yaml:"conduct,omitempty" doc:"Set a supplier's conduct parameter, 0 (price-taker) to 1 (Cournot): how much of its market power it uses (a level)."`
	Coalition   *CoalitionEvent   `yaml:"coalition,omitempty" doc:"Form (weight 1) or break up (weight 0) one of the market's coalitions, e.g. BPC: its members set their quantities jointly (a level)."`

	Start         string `yaml:"start" req:"true" unit:"month" doc:"First month in force, YYYY-MM."`
	End           string `yaml:"end,omitempty" unit:"month" doc:"First month no longer in force, YYYY-MM; default: never ends."`
	RampMonths    int    `yaml:"ramp_months,omitempty" unit:"months" min:"0" doc:"Phase-in months: intensity (t−start+1)/ramp_months until 1; 0 = a step."`
	RampOutMonths int    `yaml:"ramp_out_months,omitempty" unit:"months" min:"0" doc:"Phase-out months after end; 0 = a step."`
}

// UncertainFile is one uncertain parameter.
type UncertainFile struct {
	Param string   `yaml:"param" req:"true" doc:"Parameter path: market.regions.NAME.FIELD, market.suppliers.NAME.FIELD, market.suppliers.NAME.corridors.CORRIDOR.FIELD, market.routes.FROM.TO.FIELD or events.ID.FIELD; '*' matches every name (one draw sets them all)."`
	Dist  string   `yaml:"dist" req:"true" enum:"uniform,triangular,normal,lognormal" doc:"Distribution: uniform(min,max), triangular(min,mode,max), normal(mean,sd), lognormal(mu,sigma); lower/upper truncate."`
	Min   *float64 `yaml:"min,omitempty" doc:"uniform, triangular: lower end, in the parameter's unit."`
	Mode  *float64 `yaml:"mode,omitempty" doc:"triangular: most likely value."`
	Max   *float64 `yaml:"max,omitempty" doc:"uniform, triangular: upper end."`
	Mean  *float64 `yaml:"mean,omitempty" doc:"normal: mean."`
	SD    *float64 `yaml:"sd,omitempty" doc:"normal: standard deviation (> 0)."`
	Mu    *float64 `yaml:"mu,omitempty" doc:"lognormal: mean of the log."`
	Sigma *float64 `yaml:"sigma,omitempty" doc:"lognormal: standard deviation of the log (> 0)."`
	Lower *float64 `yaml:"lower,omitempty" doc:"Truncate below (any distribution)."`
	Upper *float64 `yaml:"upper,omitempty" doc:"Truncate above (any distribution)."`
}

// CorrelationFile is one group of correlated uncertain parameters.
type CorrelationFile struct {
	Params []string    `yaml:"params" req:"true" minItems:"2" doc:"Two or more params of the uncertainty list, exactly as written there; a param is in at most one group."`
	Matrix [][]float64 `yaml:"matrix" req:"true" minItems:"2" doc:"Correlation matrix of the params' normal scores Φ⁻¹(F(x)), one row per param in the order of params: symmetric, 1 on the diagonal, entries in [-1, 1], positive definite."`
}
