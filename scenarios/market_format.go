package scenarios

// This file defines the YAML format of a market (the embedded base dataset,
// or a market written inline in a scenario). Every number may be written
// as a bare number or as a Num mapping that names its source:
//
//	fob_usd_per_t: 210
//	fob_usd_per_t: {value: 210, source: "estimated: ...", range: [150, 300]}

// Num is a number with an optional source and documented plausible range.
// In YAML it is either a scalar or a mapping {value, source, range}.
type Num struct {
	Value  float64     `yaml:"value" json:"value"`
	Source string      `yaml:"source,omitempty" json:"source,omitempty"`
	Range  *[2]float64 `yaml:"range,omitempty" json:"range,omitempty"`
}

// MarketFile is a whole market.
type MarketFile struct {
	Name      string         `yaml:"name" json:"name"`
	Version   string         `yaml:"version" json:"version"`
	BaseYear  int            `yaml:"base_year" json:"base_year"`
	Benchmark string         `yaml:"benchmark" json:"benchmark"` // region name
	Notes     string         `yaml:"notes,omitempty" json:"notes,omitempty"`
	Sources   []SourceRef    `yaml:"sources,omitempty" json:"sources,omitempty"`
	Suppliers []SupplierFile `yaml:"suppliers" json:"suppliers"`
	Regions   []RegionFile   `yaml:"regions" json:"regions"`
	Routes    []RouteFile    `yaml:"routes" json:"routes"`
}

// SourceRef is a citation that numbers can refer to by ID in their source
// text ("faostat-2020: ...").
type SourceRef struct {
	ID       string `yaml:"id" json:"id"`
	Citation string `yaml:"citation" json:"citation"`
	URL      string `yaml:"url,omitempty" json:"url,omitempty"`
}

// SupplierFile is one producing country.
type SupplierFile struct {
	Name      string         `yaml:"name" json:"name"`
	Label     string         `yaml:"label,omitempty" json:"label,omitempty"`
	Home      string         `yaml:"home,omitempty" json:"home,omitempty"` // region of domestic sales
	FOB       Num            `yaml:"fob_usd_per_t" json:"fob_usd_per_t"`
	Capacity  Num            `yaml:"capacity_mt" json:"capacity_mt"` // Mt KCl/yr
	Eta       Num            `yaml:"supply_elasticity" json:"supply_elasticity"`
	Adjust    Num            `yaml:"supply_adjustment_per_month" json:"supply_adjustment_per_month"`
	Corridors []CorridorFile `yaml:"corridors" json:"corridors"`
}

// CorridorFile is one export corridor.
type CorridorFile struct {
	Name     string `yaml:"name" json:"name"`
	Label    string `yaml:"label,omitempty" json:"label,omitempty"`
	Capacity Num    `yaml:"capacity_mt" json:"capacity_mt"`       // Mt/yr
	Cost     Num    `yaml:"cost_usd_per_t" json:"cost_usd_per_t"` // $/t
}

// RegionFile is one consuming market.
type RegionFile struct {
	Name   string `yaml:"name" json:"name"`
	Label  string `yaml:"label,omitempty" json:"label,omitempty"`
	Eps    Num    `yaml:"demand_elasticity" json:"demand_elasticity"`
	Sigma  Num    `yaml:"substitution_elasticity" json:"substitution_elasticity"`
	Adjust Num    `yaml:"demand_adjustment_per_month" json:"demand_adjustment_per_month"`
	Growth Num    `yaml:"demand_growth_pct_per_year" json:"demand_growth_pct_per_year"` // percent
}

// RouteFile is one supplier→region route's base flow, freight and wedge.
// Routes not listed have zero base flow and cannot trade.
type RouteFile struct {
	From    string `yaml:"from" json:"from"`
	To      string `yaml:"to" json:"to"`
	Flow    Num    `yaml:"flow_mt" json:"flow_mt"`                         // Mt/yr
	Freight Num    `yaml:"freight_usd_per_t" json:"freight_usd_per_t"`     // $/t
	Wedge   Num    `yaml:"wedge_pct,omitempty" json:"wedge_pct,omitempty"` // percent
}
