package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
)

// This file implements the parameter path language shared by
// market.overrides, --set, sweeps and uncertainty:
//
//	market.regions.NAME.FIELD
//	market.suppliers.NAME.FIELD
//	market.suppliers.NAME.corridors.CORRIDOR.FIELD
//	market.routes.FROM.TO.FIELD
//	market.coalitions.NAME.FIELD
//	events.ID.FIELD
//	horizon.start | horizon.end | horizon.report_from
//
// FIELD names are the YAML keys; '*' in place of a name matches every name.

// bound is a valid interval for a parameter, in the unit of the file.
type bound struct {
	lo, hi   float64
	loStrict bool // lo itself is not allowed
}

func (b bound) ok(v float64) bool {
	if b.loStrict && v <= b.lo {
		return false
	}
	return v >= b.lo && v <= b.hi
}

func (b bound) String() string {
	switch {
	case math.IsInf(b.hi, 1) && b.loStrict:
		return fmt.Sprintf("> %g", b.lo)
	case math.IsInf(b.hi, 1):
		return fmt.Sprintf("≥ %g", b.lo)
	}
	if b.loStrict {
		return fmt.Sprintf("in (%g, %g]", b.lo, b.hi)
	}
	return fmt.Sprintf("in [%g, %g]", b.lo, b.hi)
}

// outOfRange is the one wording of a value outside its valid range, in a
// file, a --set or an override alike: "NAME = V is outside its valid
// range: must be in [a, b]". The diagnostic's location (file:line:col or
// --set, and the field's path) comes before it.
func outOfRange(name string, v float64, valid bound) string {
	return fmt.Sprintf("%s = %g is outside its valid range: must be %s", name, v, valid)
}

// inward returns b with its finite ends rounded to digits significant
// digits towards its inside, for a message: every value it shows is
// valid.
func (b bound) inward(digits int) bound {
	round := func(x float64, up bool) float64 {
		if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
			return x
		}
		p := math.Pow(10, float64(digits-1)-math.Floor(math.Log10(math.Abs(x))))
		if up {
			return math.Ceil(x*p) / p
		}
		return math.Floor(x*p) / p
	}
	return bound{lo: round(b.lo, true), hi: round(b.hi, false), loStrict: b.loStrict}
}

// rangeBound is model range r in file units (r times scale), rounded to
// 12 significant digits (0.07·100 is 7, not 7.000000000000001).
func rangeBound(r model.Range, scale float64) bound {
	round := func(x float64) float64 {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(x*scale, 'g', 12, 64), 64)
		return v
	}
	return bound{lo: round(r.Lo), hi: round(r.Hi)}
}

var nonNeg = bound{lo: 0, hi: math.Inf(1)}

// Valid ranges of the market's levels (prices, costs, tonnes): sane
// envelopes within which the built-ins converge with every value of the
// field at the bound (TestValidRangesWork). A market must also calibrate:
// a netback ≤ 0 or a capacity below base sales is a located error.
var (
	maxPrice   = bound{lo: 0, hi: 1000, loStrict: true} // FOB, $/t: 950 at base-2020 1.2.0 (bpc-reunion stopped at the iteration limit at 990 and 1000); at 1.3.0 1000 works on every built-in
	maxCost    = bound{lo: 0, hi: 1000}                 // corridor cost, $/t
	maxFreight = bound{lo: 0, hi: 450}                  // freight, $/t: 120 until model 0.6.1 (from 123.8 on every route the conduct built-ins' fitted conduct no longer calibrated); with the conduct stated as the gap (0.6.2) every 5 $/t from 120 to 475 on every route works on every built-in (the frontier 476: eu-relief stalls in 2024-11)
	maxTonnes  = bound{lo: 0, hi: 1000}                 // capacities and flows, Mt/yr (world trade is ~70)
)

// mfield is a market field: its key, unit, valid bound (file units), the
// scale from file to model units, and accessors on model.Market by index
// (a: supplier or region; b: region or corridor).
type mfield struct {
	key   string
	unit  string
	valid bound
	scale float64
	get   func(m *model.Market, a, b int) float64
	set   func(m *model.Market, a, b int, v float64)
	num   func(f *MarketFile, a, b int) *Num
}

var regionFields = []mfield{
	{"demand_elasticity", "", rangeBound(model.RangeEps(), 1), 1,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].Eps },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].Eps = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].Eps }},
	{"substitution_elasticity", "", rangeBound(model.RangeSigma(), 1), 1,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].Sigma },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].Sigma = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].Sigma }},
	{"demand_adjustment_per_month", "1/month", rangeBound(model.RangeDemandAdjust(), 1), 1,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].Adjust },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].Adjust = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].Adjust }},
	{"demand_growth_pct_per_year", "%/yr", rangeBound(model.RangeGrowth(), 100), 0.01,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].Growth },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].Growth = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].Growth }},
	{"stock_to_use_months", "months", rangeBound(model.RangeStockMonths(), 1), 1,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].StockMonths },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].StockMonths = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].StockMonths }},
	{"stock_adjustment_per_month", "1/month", rangeBound(model.RangeStockAdjust(), 1), 1,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].StockAdjust },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].StockAdjust = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].StockAdjust }},
	{"stock_response", "", rangeBound(model.RangeStockResponse(), 1), 1,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].StockResponse },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].StockResponse = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].StockResponse }},
	{"carrying_cost_pct_per_month", "%/month", rangeBound(model.RangeCarryCost(), 100), 0.01,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].CarryCost },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].CarryCost = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].CarryCost }},
	{"price_expectation_speed_per_month", "1/month", rangeBound(model.RangeExpectAdjust(), 1), 1,
		func(m *model.Market, r, _ int) float64 { return m.Regions[r].ExpectAdjust },
		func(m *model.Market, r, _ int, v float64) { m.Regions[r].ExpectAdjust = v },
		func(f *MarketFile, r, _ int) *Num { return &f.Regions[r].ExpectAdjust }},
}

var supplierFields = []mfield{
	{"fob_usd_per_t", "$/t", maxPrice, 1,
		func(m *model.Market, i, _ int) float64 { return m.Suppliers[i].FOB },
		func(m *model.Market, i, _ int, v float64) { m.Suppliers[i].FOB = v },
		func(f *MarketFile, i, _ int) *Num { return &f.Suppliers[i].FOB }},
	{"capacity_mt", "Mt/yr", maxTonnes, 1,
		func(m *model.Market, i, _ int) float64 { return m.Suppliers[i].Capacity },
		func(m *model.Market, i, _ int, v float64) { m.Suppliers[i].Capacity = v },
		func(f *MarketFile, i, _ int) *Num { return &f.Suppliers[i].Capacity }},
	{"supply_elasticity", "", rangeBound(model.RangeEta(), 1), 1,
		func(m *model.Market, i, _ int) float64 { return m.Suppliers[i].Eta },
		func(m *model.Market, i, _ int, v float64) { m.Suppliers[i].Eta = v },
		func(f *MarketFile, i, _ int) *Num { return &f.Suppliers[i].Eta }},
	{"supply_adjustment_per_month", "1/month", rangeBound(model.RangeSupplyAdjust(), 1), 1,
		func(m *model.Market, i, _ int) float64 { return m.Suppliers[i].Adjust },
		func(m *model.Market, i, _ int, v float64) { m.Suppliers[i].Adjust = v },
		func(f *MarketFile, i, _ int) *Num { return &f.Suppliers[i].Adjust }},
	{"marginal_cost_usd_per_t", "$/t", maxCost, 1,
		func(m *model.Market, i, _ int) float64 { return m.Suppliers[i].MarginalCost },
		func(m *model.Market, i, _ int, v float64) { m.Suppliers[i].MarginalCost = v },
		func(f *MarketFile, i, _ int) *Num { return &f.Suppliers[i].MarginalCost }},
	{"conduct", "", rangeBound(model.RangeConduct(), 1), 1,
		func(m *model.Market, i, _ int) float64 { return m.Suppliers[i].Conduct },
		// Either form of a supplier's conduct replaces the other
		// (replaceConduct): a draw, a sweep or a tornado of one states it.
		func(m *model.Market, i, _ int, v float64) {
			m.Suppliers[i].Conduct, m.Suppliers[i].ConductGapShare = v, 0
		},
		func(f *MarketFile, i, _ int) *Num { return &f.Suppliers[i].Conduct }},
	{"conduct_gap_share", "", rangeBound(model.RangeConduct(), 1), 1,
		func(m *model.Market, i, _ int) float64 { return m.Suppliers[i].ConductGapShare },
		func(m *model.Market, i, _ int, v float64) {
			m.Suppliers[i].ConductGapShare, m.Suppliers[i].Conduct = v, 0
		},
		func(f *MarketFile, i, _ int) *Num { return &f.Suppliers[i].ConductGapShare }},
}

var coalitionFields = []mfield{
	{"weight", "", rangeBound(model.RangeConduct(), 1), 1,
		func(m *model.Market, g, _ int) float64 { return m.Coalitions[g].Weight },
		func(m *model.Market, g, _ int, v float64) { m.Coalitions[g].Weight = v },
		func(f *MarketFile, g, _ int) *Num { return &f.Coalitions[g].Weight }},
}

var corridorFields = []mfield{
	{"capacity_mt", "Mt/yr", maxTonnes, 1,
		func(m *model.Market, i, k int) float64 { return m.Suppliers[i].Corridors[k].Capacity },
		func(m *model.Market, i, k int, v float64) { m.Suppliers[i].Corridors[k].Capacity = v },
		func(f *MarketFile, i, k int) *Num { return &f.Suppliers[i].Corridors[k].Capacity }},
	{"cost_usd_per_t", "$/t", maxCost, 1,
		func(m *model.Market, i, k int) float64 { return m.Suppliers[i].Corridors[k].Cost },
		func(m *model.Market, i, k int, v float64) { m.Suppliers[i].Corridors[k].Cost = v },
		func(f *MarketFile, i, k int) *Num { return &f.Suppliers[i].Corridors[k].Cost }},
}

// facilityFields' accessors take the facility's index (a) only.
var facilityFields = []mfield{
	{"capacity_mt", "Mt/yr", maxTonnes, 1,
		func(m *model.Market, f, _ int) float64 { return m.Facilities[f].Capacity },
		func(m *model.Market, f, _ int, v float64) { m.Facilities[f].Capacity = v },
		func(mf *MarketFile, f, _ int) *Num { return &mf.Facilities[f].Capacity }},
}

// routeFields' num accessor takes the index of the RouteFile (a) only.
var routeFields = []mfield{
	{"flow_mt", "Mt/yr", maxTonnes, 1,
		func(m *model.Market, i, r int) float64 { return m.Flows[i][r] },
		func(m *model.Market, i, r int, v float64) { m.Flows[i][r] = v },
		func(f *MarketFile, k, _ int) *Num { return &f.Routes[k].Flow }},
	{"freight_usd_per_t", "$/t", maxFreight, 1,
		func(m *model.Market, i, r int) float64 { return m.Freight[i][r] },
		func(m *model.Market, i, r int, v float64) { m.Freight[i][r] = v },
		func(f *MarketFile, k, _ int) *Num { return &f.Routes[k].Freight }},
	{"wedge_pct", "%", rangeBound(model.RangeWedge(), 100), 0.01,
		func(m *model.Market, i, r int) float64 { return m.Wedge[i][r] },
		func(m *model.Market, i, r int, v float64) { m.Wedge[i][r] = v },
		func(f *MarketFile, k, _ int) *Num { return &f.Routes[k].Wedge }},
}

func fieldKeys(fs []mfield) []string {
	ks := make([]string, len(fs))
	for i, f := range fs {
		ks[i] = f.key
	}
	return ks
}

func findField(fs []mfield, key string) (mfield, bool) {
	for _, f := range fs {
		if f.key == key {
			return f, true
		}
	}
	return mfield{}, false
}

// mtarget is one concrete market parameter.
type mtarget struct {
	path  string // concrete path with the "market." prefix
	field mfield
	// names: supplier/region (a), region/corridor (b); route index in the
	// file for routes.
	kind       string // "regions", "suppliers", "corridors", "routes", "facilities"
	nameA      string
	nameB      string
	fileA      int
	fileB      int
	fileRoute  int
	fileNumPtr *Num
}

// pathError is an error in a path with an optional suggestion already in
// its text.
type pathError struct{ msg string }

func (e *pathError) Error() string { return e.msg }

func perr(format string, args ...any) error { return &pathError{fmt.Sprintf(format, args...)} }

func supplierNamesOf(f *MarketFile) []string {
	ns := make([]string, len(f.Suppliers))
	for i, s := range f.Suppliers {
		ns[i] = s.Name
	}
	return ns
}

func regionNamesOf(f *MarketFile) []string {
	ns := make([]string, len(f.Regions))
	for i, s := range f.Regions {
		ns[i] = s.Name
	}
	return ns
}

func corridorNamesOf(s *SupplierFile) []string {
	ns := make([]string, len(s.Corridors))
	for i, c := range s.Corridors {
		ns[i] = c.Name
	}
	return ns
}

// corridorIndex returns the index of s's corridor called name or, as a
// user may type a corridor as the charts spell it, labelled name
// ("Klaipėda" for Klaipeda); -1 when none is (or two share the label).
func corridorIndex(s *SupplierFile, name string) int {
	if k := slices.Index(corridorNamesOf(s), name); k >= 0 {
		return k
	}
	k := -1
	for i, c := range s.Corridors {
		if c.Label != "" && c.Label == name {
			if k >= 0 {
				return -1
			}
			k = i
		}
	}
	return k
}

// matchNames returns the indices of names matched by pat ('*' matches all).
func matchNames(names []string, pat, what string) ([]int, error) {
	if pat == "*" {
		idx := make([]int, len(names))
		for i := range names {
			idx[i] = i
		}
		if len(idx) == 0 {
			return nil, perr("no %ss to match '*'", what)
		}
		return idx, nil
	}
	if i := slices.Index(names, pat); i >= 0 {
		return []int{i}, nil
	}
	return nil, perr("unknown %s '%s'%s", what, pat, didYouMean(pat, names))
}

// expandMarketPath expands a market path (without the "market." prefix)
// against f.
func expandMarketPath(f *MarketFile, path string) ([]mtarget, error) {
	parts := strings.Split(path, ".")
	colls := []string{"regions", "suppliers", "routes", "drivers", "facilities", "coalitions"}
	if len(parts) == 0 || slices.Index(colls, parts[0]) < 0 {
		return nil, perr("unknown market collection '%s'%s (paths: market.regions.NAME.FIELD, market.suppliers.NAME.FIELD, market.suppliers.NAME.corridors.CORRIDOR.FIELD, market.routes.FROM.TO.FIELD, market.facilities.NAME.FIELD, market.drivers.crop_prices.FIELD, market.coalitions.NAME.weight)", parts[0], didYouMean(parts[0], colls))
	}
	var out []mtarget
	switch parts[0] {
	case "facilities":
		if len(parts) != 3 {
			return nil, perr("expected market.facilities.NAME.FIELD")
		}
		fd, ok := findField(facilityFields, parts[2])
		if !ok {
			return nil, perr("unknown facility field '%s'%s", parts[2], didYouMean(parts[2], fieldKeys(facilityFields)))
		}
		names := make([]string, len(f.Facilities))
		for k, fc := range f.Facilities {
			names[k] = fc.Name
		}
		idx, err := matchNames(names, parts[1], "facility")
		if err != nil {
			return nil, err
		}
		for _, k := range idx {
			out = append(out, mtarget{path: "market.facilities." + names[k] + "." + fd.key, field: fd, kind: "facilities", nameA: names[k], fileA: k, fileNumPtr: fd.num(f, k, 0)})
		}
	case "coalitions":
		if len(parts) != 3 {
			return nil, perr("expected market.coalitions.NAME.FIELD")
		}
		fd, ok := findField(coalitionFields, parts[2])
		if !ok {
			return nil, perr("unknown coalition field '%s'%s", parts[2], didYouMean(parts[2], fieldKeys(coalitionFields)))
		}
		names := make([]string, len(f.Coalitions))
		for g, co := range f.Coalitions {
			names[g] = co.Name
		}
		idx, err := matchNames(names, parts[1], "coalition")
		if err != nil {
			return nil, err
		}
		for _, g := range idx {
			out = append(out, mtarget{path: "market.coalitions." + names[g] + "." + fd.key, field: fd, kind: "coalitions", nameA: names[g], fileA: g, fileNumPtr: fd.num(f, g, 0)})
		}
	case "drivers":
		if len(parts) != 3 || parts[1] != "crop_prices" {
			return nil, perr("expected market.drivers.crop_prices.FIELD (%s)", strings.Join(driverFieldKeys(), ", "))
		}
		fd, ok := findDriverField(parts[2])
		if !ok {
			return nil, perr("unknown crop-price driver field '%s'%s", parts[2], didYouMean(parts[2], driverFieldKeys()))
		}
		if f.Drivers == nil || f.Drivers.CropPrices == nil {
			return nil, perr("the market has no crop-price driver (market.drivers.crop_prices)")
		}
		out = append(out, mtarget{path: "market.drivers.crop_prices." + fd.key, kind: "drivers",
			field: mfield{key: fd.key, unit: fd.unit, valid: fd.valid, scale: 1}, nameA: fd.key, fileNumPtr: fd.num(f.Drivers.CropPrices)})
	case "regions":
		if len(parts) != 3 {
			return nil, perr("expected market.regions.NAME.FIELD")
		}
		fd, ok := findField(regionFields, parts[2])
		if !ok {
			return nil, perr("unknown region field '%s'%s", parts[2], didYouMean(parts[2], fieldKeys(regionFields)))
		}
		idx, err := matchNames(regionNamesOf(f), parts[1], "region")
		if err != nil {
			return nil, err
		}
		for _, r := range idx {
			out = append(out, mtarget{path: "market.regions." + f.Regions[r].Name + "." + fd.key, field: fd, kind: "regions", nameA: f.Regions[r].Name, fileA: r, fileNumPtr: fd.num(f, r, 0)})
		}
	case "suppliers":
		if len(parts) == 3 {
			fd, ok := findField(supplierFields, parts[2])
			if !ok {
				return nil, perr("unknown supplier field '%s'%s", parts[2], didYouMean(parts[2], append(fieldKeys(supplierFields), "corridors")))
			}
			idx, err := matchNames(supplierNamesOf(f), parts[1], "supplier")
			if err != nil {
				return nil, err
			}
			for _, i := range idx {
				out = append(out, mtarget{path: "market.suppliers." + f.Suppliers[i].Name + "." + fd.key, field: fd, kind: "suppliers", nameA: f.Suppliers[i].Name, fileA: i, fileNumPtr: fd.num(f, i, 0)})
			}
			return out, nil
		}
		if len(parts) != 5 || parts[2] != "corridors" {
			return nil, perr("expected market.suppliers.NAME.FIELD or market.suppliers.NAME.corridors.CORRIDOR.FIELD")
		}
		fd, ok := findField(corridorFields, parts[4])
		if !ok {
			return nil, perr("unknown corridor field '%s'%s", parts[4], didYouMean(parts[4], fieldKeys(corridorFields)))
		}
		idx, err := matchNames(supplierNamesOf(f), parts[1], "supplier")
		if err != nil {
			return nil, err
		}
		for _, i := range idx {
			s := &f.Suppliers[i]
			pat := parts[3]
			if k := corridorIndex(s, pat); k >= 0 {
				pat = s.Corridors[k].Name // "Klaipėda": Klaipeda
			}
			ks, err := matchNames(corridorNamesOf(s), pat, "corridor of "+s.Name)
			if err != nil {
				if parts[1] == "*" && parts[3] != "*" {
					continue // a wildcard supplier matches those that have the corridor
				}
				return nil, err
			}
			for _, k := range ks {
				out = append(out, mtarget{path: "market.suppliers." + s.Name + ".corridors." + s.Corridors[k].Name + "." + fd.key, field: fd, kind: "corridors", nameA: s.Name, nameB: s.Corridors[k].Name, fileA: i, fileB: k, fileNumPtr: fd.num(f, i, k)})
			}
		}
		if len(out) == 0 {
			return nil, perr("no supplier has a corridor '%s'", parts[3])
		}
	case "routes":
		if len(parts) != 4 {
			return nil, perr("expected market.routes.FROM.TO.FIELD")
		}
		fd, ok := findField(routeFields, parts[3])
		if !ok {
			return nil, perr("unknown route field '%s'%s", parts[3], didYouMean(parts[3], fieldKeys(routeFields)))
		}
		is, err := matchNames(supplierNamesOf(f), parts[1], "supplier")
		if err != nil {
			return nil, err
		}
		rs, err := matchNames(regionNamesOf(f), parts[2], "region")
		if err != nil {
			return nil, err
		}
		for _, i := range is {
			for _, r := range rs {
				k := -1
				for j, rt := range f.Routes {
					if rt.From == f.Suppliers[i].Name && rt.To == f.Regions[r].Name {
						k = j
						break
					}
				}
				if k < 0 {
					if parts[1] == "*" || parts[2] == "*" {
						continue
					}
					return nil, perr("no route %s → %s in the market (routes not listed cannot trade)", f.Suppliers[i].Name, f.Regions[r].Name)
				}
				out = append(out, mtarget{path: "market.routes." + f.Suppliers[i].Name + "." + f.Regions[r].Name + "." + fd.key, field: fd, kind: "routes", nameA: f.Suppliers[i].Name, nameB: f.Regions[r].Name, fileRoute: k, fileNumPtr: fd.num(f, k, 0)})
			}
		}
		if len(out) == 0 {
			return nil, perr("no route matches %s", path)
		}
	}
	return out, nil
}

// modelIndices returns the indices of t in m (by name).
func (t mtarget) modelIndices(m *model.Market) (int, int, error) {
	switch t.kind {
	case "regions":
		r := m.RegionIndex(t.nameA)
		if r < 0 {
			return 0, 0, fmt.Errorf("no region %s", t.nameA)
		}
		return r, 0, nil
	case "suppliers":
		i := m.SupplierIndex(t.nameA)
		if i < 0 {
			return 0, 0, fmt.Errorf("no supplier %s", t.nameA)
		}
		return i, 0, nil
	case "coalitions":
		g := m.CoalitionIndex(t.nameA)
		if g < 0 {
			return 0, 0, fmt.Errorf("no coalition %s", t.nameA)
		}
		return g, 0, nil
	case "corridors":
		i := m.SupplierIndex(t.nameA)
		k := m.CorridorIndex(i, t.nameB)
		if k < 0 {
			return 0, 0, fmt.Errorf("no corridor %s/%s", t.nameA, t.nameB)
		}
		return i, k, nil
	case "facilities":
		f := m.FacilityIndex(t.nameA)
		if f < 0 {
			return 0, 0, fmt.Errorf("no facility %s", t.nameA)
		}
		return f, 0, nil
	case "routes":
		i, r := m.SupplierIndex(t.nameA), m.RegionIndex(t.nameB)
		if i < 0 || r < 0 {
			return 0, 0, fmt.Errorf("no route %s→%s", t.nameA, t.nameB)
		}
		return i, r, nil
	}
	return 0, 0, fmt.Errorf("bad target %s", t.path)
}

// efield is an event field addressable by events.ID.FIELD: one of the
// fields every event has (start, end, ramps, label) or a field of its
// instrument (instrumentTable).
type efield struct {
	key   string
	unit  string // "month", "months", "%", "Mt/yr", "$/t", "" for strings
	valid bound
	str   bool    // a string field (supplier, region, name, label)
	inst  *ifield // the instrument's field, nil for the common ones
}

// commonFields are the fields of every event; ramp fields only of
// instruments that ramp.
var commonFields = []efield{
	{key: "start", unit: "month"},
	{key: "end", unit: "month"},
	{key: "ramp_months", unit: "months", valid: nonNeg},
	{key: "ramp_out_months", unit: "months", valid: nonNeg},
	{key: "label", str: true},
}

// fieldsFor lists the fields an event of instrument kind (a YAML key) has.
func fieldsFor(kind string) []efield {
	in := instrumentByKey(kind)
	var out []efield
	for _, f := range commonFields {
		if strings.HasPrefix(f.key, "ramp") && (in == nil || !in.ramp) {
			continue
		}
		out = append(out, f)
	}
	if in == nil {
		return out
	}
	for k := range in.fields {
		f := &in.fields[k]
		if f.role == roleSeries {
			continue // a list: written in the file, not a path
		}
		out = append(out, efield{key: f.key, unit: f.unit, valid: f.valid, str: f.role != roleNumber, inst: f})
	}
	return out
}

func eventFieldKeys(kind string) []string {
	var ks []string
	for _, f := range fieldsFor(kind) {
		ks = append(ks, f.key)
	}
	return ks
}

func findEventField(kind, key string) (efield, bool) {
	for _, f := range fieldsFor(kind) {
		if f.key == key {
			return f, true
		}
	}
	return efield{}, false
}

// eventKind returns the single instrument of e ("" if none or several).
func eventKind(e *EventFile) string {
	if in := instrumentOf(e); in != nil {
		return in.key
	}
	return ""
}

// setField sets field key of e from text (a --set value). It returns an
// error naming what was expected.
func (e *EventFile) setField(key, text string) error {
	kind := eventKind(e)
	fd, ok := findEventField(kind, key)
	if !ok {
		return perr("event '%s' (%s) has no field '%s'%s", e.ID, kind, key, didYouMean(key, eventFieldKeys(kind)))
	}
	switch key {
	case "start", "end":
		if key == "end" && strings.EqualFold(strings.TrimSpace(text), "never") {
			text = "" // as the web page's "never": the event never ends
		}
		if _, err := model.ParseMonth(text); err != nil && !(key == "end" && text == "") {
			if key == "end" {
				return perr("expected a month YYYY-MM, or never, got '%s'", text)
			}
			return perr("expected a month YYYY-MM, got '%s'", text)
		}
		if key == "start" {
			e.Start = text
		} else {
			e.End = text
		}
		return nil
	case "ramp_months", "ramp_out_months":
		n, err := strconv.Atoi(text)
		if err != nil {
			return perr("expected a whole number of months, got '%s'", text)
		}
		if key == "ramp_months" {
			e.RampMonths = n
		} else {
			e.RampOutMonths = n
		}
		return nil
	case "label":
		e.Label = text
		return nil
	}
	return fd.inst.set(instrumentOf(e).value(e), text)
}

func parseNumber(text string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not a finite number")
	}
	return v, nil
}

// ParseParamValue parses a value for the parameter at path as --set would:
// a month "YYYY-MM" for month fields (events.ID.start/end, horizon.*),
// returned as the model.Month number, else a number in the path's unit.
// Sweeps use it to read grid values.
func ParseParamValue(path, text string) (float64, error) {
	parts := strings.Split(path, ".")
	last := parts[len(parts)-1]
	if (parts[0] == "events" && (last == "start" || last == "end")) || parts[0] == "horizon" {
		m, err := model.ParseMonth(text)
		if err != nil {
			return 0, err
		}
		return float64(m), nil
	}
	return parseNumber(text)
}
