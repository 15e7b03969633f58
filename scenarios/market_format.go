package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

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
	// Drivers are the recorded exogenous drivers of demand the market runs
	// on (drivers.go; docs/SCENARIOS.md, "Drivers"). Optional.
	Drivers *DriversFile `yaml:"drivers,omitempty" json:"drivers,omitempty"`
	// Facilities are logistics facilities whose capacity several
	// corridors share, possibly of several suppliers (a corridor names one
	// in its facility field). Optional.
	Facilities []FacilityFile `yaml:"facilities,omitempty" json:"facilities,omitempty"`
	// Coalitions are the groups of suppliers that may set their members'
	// quantities jointly (docs/MODEL.md, section 3.8). Optional.
	Coalitions []CoalitionFile `yaml:"coalitions,omitempty" json:"coalitions,omitempty"`
}

// CoalitionFile is a named group of suppliers (a cartel or a marketing
// agency) and its cooperation weight in the base year.
type CoalitionFile struct {
	Name    string   `yaml:"name" json:"name"`
	Label   string   `yaml:"label,omitempty" json:"label,omitempty"`
	Members []string `yaml:"members" json:"members" minItems:"2"` // supplier names, at least two
	// Weight is the cooperation weight in the base year, 0 to 1 (1: the
	// members set their quantities jointly; 0: each acts alone).
	Weight Num `yaml:"weight" json:"weight"`
}

// FacilityFile is a shared logistics facility (the Russian Baltic ports).
type FacilityFile struct {
	Name     string `yaml:"name" json:"name"`
	Label    string `yaml:"label,omitempty" json:"label,omitempty"`
	Capacity Num    `yaml:"capacity_mt" json:"capacity_mt"` // Mt/yr, shared by the corridors naming it
}

// DriversFile holds the market's demand drivers.
type DriversFile struct {
	CropPrices *CropDriverFile `yaml:"crop_prices,omitempty" json:"crop_prices,omitempty"`
}

// CropDriverFile is the affordability driver: each region's crop-price
// index, built from the embedded Pink Sheet crop prices with the region's
// weights (2020 = 1 for base-2020), shifts its demand at given prices by
// index^elasticity after lag_months. After the record ends the index is
// held at its last recorded value, changed by projection_pct over
// projection_ramp_months.
type CropDriverFile struct {
	Elasticity           Num               `yaml:"elasticity" json:"elasticity"`                                             // θ
	LagMonths            Num               `yaml:"lag_months" json:"lag_months"`                                             // L, months
	ProjectionPct        Num               `yaml:"projection_pct,omitempty" json:"projection_pct,omitempty"`                 // percent
	ProjectionRampMonths Num               `yaml:"projection_ramp_months,omitempty" json:"projection_ramp_months,omitempty"` // months
	Weights              []CropWeightsFile `yaml:"weights,omitempty" json:"weights,omitempty"`
}

// CropWeightsFile gives one region's weights of the crop-price index;
// regions not listed weigh the three crops equally.
type CropWeightsFile struct {
	Region   string `yaml:"region" json:"region"`
	Maize    Num    `yaml:"maize" json:"maize"`
	Soybeans Num    `yaml:"soybeans" json:"soybeans"`
	Wheat    Num    `yaml:"wheat" json:"wheat"`
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
	// MarginalCost is the base-year marginal cash cost of mine output at
	// the mine gate, $/t (from published cost figures): below the base
	// netback, the gap is the supplier's base rent (docs/MODEL.md,
	// section 4). Optional: without it, the marginal cost is the netback.
	MarginalCost Num `yaml:"marginal_cost_usd_per_t,omitempty" json:"marginal_cost_usd_per_t,omitempty"`
	// Domestic is the part of the base flow to region DomesticIn, Mt KCl/yr,
	// that is sales in the supplier's own country when that country is not
	// a model region (Canada, Russia, Belarus: inside their flow to Other).
	// The model counts it as domestic sales, not exports, as a fixed share
	// of that flow. Optional.
	Domestic   Num    `yaml:"domestic_mt,omitempty" json:"domestic_mt,omitempty"`
	DomesticIn string `yaml:"domestic_in,omitempty" json:"domestic_in,omitempty"` // region whose flow holds the domestic sales
	// Conduct is the conduct parameter in the base year, 0 to 1: 0 a
	// price-taker (the default), 1 a Cournot player (docs/MODEL.md,
	// sections 3.8 and 4.2). Optional.
	Conduct Num `yaml:"conduct,omitempty" json:"conduct,omitempty"`
	// ConductGapShare states the conduct as the share, 0 to 1, of the
	// base-year gap between the netback and the published marginal cost
	// that is conduct markup; the model derives the conduct from it at
	// the market's own elasticities (docs/MODEL.md, section 4.2).
	// Optional; not with Conduct.
	ConductGapShare Num `yaml:"conduct_gap_share,omitempty" json:"conduct_gap_share,omitempty"`
}

// CorridorFile is one export corridor.
type CorridorFile struct {
	Name     string `yaml:"name" json:"name"`
	Label    string `yaml:"label,omitempty" json:"label,omitempty"`
	Capacity Num    `yaml:"capacity_mt" json:"capacity_mt"`       // Mt/yr
	Cost     Num    `yaml:"cost_usd_per_t" json:"cost_usd_per_t"` // $/t
	// Serves lists the regions the corridor can carry tonnes to, each
	// with the corridor's own freight when it differs from the route's;
	// omitted: every region (docs/SCENARIOS.md, "Corridors and
	// facilities").
	Serves []ServeFile `yaml:"serves,omitempty" json:"serves,omitempty"`
	// Facility names a shared facility (facilities) whose capacity the
	// corridor's flow counts against. Optional.
	Facility string `yaml:"facility,omitempty" json:"facility,omitempty"`
}

// ServeFile is a region a corridor serves.
type ServeFile struct {
	Region string `yaml:"region" json:"region"`
	// Freight is the corridor's own freight to the region, $/t; omitted:
	// the route's freight_usd_per_t.
	Freight *Num `yaml:"freight_usd_per_t,omitempty" json:"freight_usd_per_t,omitempty"`
}

// RegionFile is one consuming market.
type RegionFile struct {
	Name   string `yaml:"name" json:"name"`
	Label  string `yaml:"label,omitempty" json:"label,omitempty"`
	Eps    Num    `yaml:"demand_elasticity" json:"demand_elasticity"`
	Sigma  Num    `yaml:"substitution_elasticity" json:"substitution_elasticity"`
	Adjust Num    `yaml:"demand_adjustment_per_month" json:"demand_adjustment_per_month"`
	Growth Num    `yaml:"demand_growth_pct_per_year" json:"demand_growth_pct_per_year"` // percent
	// Stocks of importers and distributors (docs/MODEL.md, section 10),
	// optional: without stock_to_use_months the region holds none.
	StockMonths   Num `yaml:"stock_to_use_months,omitempty" json:"stock_to_use_months,omitempty"`                             // months of use
	StockAdjust   Num `yaml:"stock_adjustment_per_month,omitempty" json:"stock_adjustment_per_month,omitempty"`               // φ, 1/month
	StockResponse Num `yaml:"stock_response,omitempty" json:"stock_response,omitempty"`                                       // β
	CarryCost     Num `yaml:"carrying_cost_pct_per_month,omitempty" json:"carrying_cost_pct_per_month,omitempty"`             // percent of value per month
	ExpectAdjust  Num `yaml:"price_expectation_speed_per_month,omitempty" json:"price_expectation_speed_per_month,omitempty"` // ω, 1/month
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

// UnmarshalYAML decodes a Num from a bare number or from a mapping
// {value, source, range}. Decoding is strict: an unknown key, a missing
// value, a range that is not two numbers or a non-finite number is an
// error carrying the line and column of the offending node.
func (n *Num) UnmarshalYAML(node *yaml.Node) error {
	switch node.Kind {
	case yaml.ScalarNode:
		v, err := parseNumScalar(node)
		if err != nil {
			return err
		}
		*n = Num{Value: v}
		return nil
	case yaml.MappingNode:
		var out Num
		seen := map[string]bool{}
		for k := 0; k+1 < len(node.Content); k += 2 {
			key, val := node.Content[k], node.Content[k+1]
			if seen[key.Value] {
				return numErrorf(key, "duplicate key %q", key.Value)
			}
			seen[key.Value] = true
			switch key.Value {
			case "value":
				v, err := parseNumScalar(val)
				if err != nil {
					return err
				}
				out.Value = v
			case "source":
				if val.Kind != yaml.ScalarNode {
					return numErrorf(val, "source must be a string")
				}
				out.Source = val.Value
			case "range":
				if val.Kind != yaml.SequenceNode || len(val.Content) != 2 {
					return numErrorf(val, "range must be a list of two numbers [min, max]")
				}
				var r [2]float64
				for j, c := range val.Content {
					v, err := parseNumScalar(c)
					if err != nil {
						return err
					}
					r[j] = v
				}
				if r[0] > r[1] {
					return numErrorf(val, "range [%g, %g]: min exceeds max", r[0], r[1])
				}
				out.Range = &r
			default:
				return numErrorf(key, "unknown key %q in number (want value, source, range)", key.Value)
			}
		}
		if !seen["value"] {
			return numErrorf(node, "number mapping has no value")
		}
		*n = out
		return nil
	case yaml.AliasNode:
		if node.Alias != nil {
			return n.UnmarshalYAML(node.Alias)
		}
	}
	return numErrorf(node, "want a number or a mapping {value, source, range}")
}

// MarshalYAML writes a Num as a bare number when it has neither source nor
// range, else as a flow mapping.
func (n Num) MarshalYAML() (any, error) {
	if n.Source == "" && n.Range == nil {
		return n.Value, nil
	}
	type plain Num
	node := &yaml.Node{}
	if err := node.Encode(plain(n)); err != nil {
		return nil, err
	}
	node.Style = yaml.FlowStyle
	return node, nil
}

// parseNumScalar parses a YAML scalar as a finite float64.
func parseNumScalar(node *yaml.Node) (float64, error) {
	if node.Kind != yaml.ScalarNode {
		return 0, numErrorf(node, "want a number")
	}
	if node.Tag != "" && node.Tag != "!!int" && node.Tag != "!!float" && node.ShortTag() != "!!int" && node.ShortTag() != "!!float" {
		return 0, numErrorf(node, "%q is not a number", node.Value)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(node.Value, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, numErrorf(node, "%q is not a finite number", node.Value)
	}
	return v, nil
}

// NumError is a decoding error of a Num, with the 1-based line and column
// of the offending YAML node.
type NumError struct {
	Line, Col int
	Msg       string
}

func (e *NumError) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg) }

// asNumError finds the *NumError in err: yaml v4 wraps the errors of
// UnmarshalYAML in a *yaml.LoadErrors, which errors.As sees only through
// its *yaml.LoadError.
func asNumError(err error) (*NumError, bool) {
	var ne *NumError
	if errors.As(err, &ne) {
		return ne, true
	}
	var le *yaml.LoadError
	if errors.As(err, &le) && errors.As(le, &ne) {
		return ne, true
	}
	return nil, false
}

func numErrorf(node *yaml.Node, format string, args ...any) error {
	return &NumError{Line: node.Line, Col: node.Column, Msg: fmt.Sprintf(format, args...)}
}
