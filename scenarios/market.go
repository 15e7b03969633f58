package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v4"

	"github.com/potash-sim/potash/model"
)

// DefaultMarket is the embedded base dataset scenarios use by default.
const DefaultMarket = "base-2020"

//go:generate go run ./internal/basedata/cmd/rasgen -ref data/reference -market data/base-2020.yaml

//go:embed data/*.yaml
var datasetFS embed.FS

// BaseMarket returns the embedded base dataset called name (e.g.
// "base-2020") converted to a model.Market.
func BaseMarket(name string) (*model.Market, error) {
	f, err := BaseMarketFile(name)
	if err != nil {
		return nil, err
	}
	m, err := f.Market()
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", name, joinWith(ErrInvalidMarketFile, err))
	}
	return m, nil
}

// BaseMarketFile returns the embedded base dataset called name as parsed
// from its YAML (with every number's source). Each call returns a fresh
// deep copy that the caller may modify; the YAML is parsed once.
func BaseMarketFile(name string) (*MarketFile, error) {
	datasetMu.Lock()
	defer datasetMu.Unlock()
	if f, ok := datasetCache[name]; ok {
		return f.Clone(), nil
	}
	data, err := datasetFS.ReadFile("data/" + name + ".yaml")
	if err != nil {
		return nil, wrapf(ErrUnknownDataset, "scenarios: no embedded dataset %q (have %s)", name, strings.Join(BaseDatasets(), ", "))
	}
	f, err := ParseMarketFile("builtin:"+name+".yaml", data)
	if err != nil {
		return nil, err
	}
	datasetCache[name] = f
	return f.Clone(), nil
}

var (
	datasetMu    sync.Mutex
	datasetCache = map[string]*MarketFile{}
)

// Clone returns a deep copy of f.
func (f *MarketFile) Clone() *MarketFile {
	if f == nil {
		return nil
	}
	c := *f
	c.Sources = append([]SourceRef(nil), f.Sources...)
	c.Suppliers = make([]SupplierFile, len(f.Suppliers))
	for i, s := range f.Suppliers {
		s.FOB, s.Capacity, s.Eta, s.Adjust, s.Domestic = s.FOB.clone(), s.Capacity.clone(), s.Eta.clone(), s.Adjust.clone(), s.Domestic.clone()
		s.MarginalCost, s.Conduct, s.ConductGapShare = s.MarginalCost.clone(), s.Conduct.clone(), s.ConductGapShare.clone()
		cs := make([]CorridorFile, len(s.Corridors))
		for k, cr := range s.Corridors {
			cr.Capacity, cr.Cost = cr.Capacity.clone(), cr.Cost.clone()
			if cr.Serves != nil {
				sv := make([]ServeFile, len(cr.Serves))
				for j, v := range cr.Serves {
					if v.Freight != nil {
						fr := v.Freight.clone()
						v.Freight = &fr
					}
					sv[j] = v
				}
				cr.Serves = sv
			}
			cs[k] = cr
		}
		if s.Corridors == nil {
			cs = nil
		}
		s.Corridors = cs
		c.Suppliers[i] = s
	}
	c.Regions = make([]RegionFile, len(f.Regions))
	for r, g := range f.Regions {
		g.Eps, g.Sigma, g.Adjust, g.Growth = g.Eps.clone(), g.Sigma.clone(), g.Adjust.clone(), g.Growth.clone()
		g.StockMonths, g.StockAdjust, g.StockResponse = g.StockMonths.clone(), g.StockAdjust.clone(), g.StockResponse.clone()
		g.CarryCost, g.ExpectAdjust = g.CarryCost.clone(), g.ExpectAdjust.clone()
		c.Regions[r] = g
	}
	c.Routes = make([]RouteFile, len(f.Routes))
	for k, rt := range f.Routes {
		rt.Flow, rt.Freight, rt.Wedge = rt.Flow.clone(), rt.Freight.clone(), rt.Wedge.clone()
		c.Routes[k] = rt
	}
	c.Drivers = f.Drivers.clone()
	if f.Facilities != nil {
		c.Facilities = make([]FacilityFile, len(f.Facilities))
		for k, fc := range f.Facilities {
			fc.Capacity = fc.Capacity.clone()
			c.Facilities[k] = fc
		}
	}
	if f.Coalitions != nil {
		c.Coalitions = make([]CoalitionFile, len(f.Coalitions))
		for g, co := range f.Coalitions {
			co.Members = append([]string(nil), co.Members...)
			co.Weight = co.Weight.clone()
			c.Coalitions[g] = co
		}
	}
	if f.Suppliers == nil {
		c.Suppliers = nil
	}
	if f.Regions == nil {
		c.Regions = nil
	}
	if f.Routes == nil {
		c.Routes = nil
	}
	return &c
}

// clone returns a deep copy of d (nil for nil).
func (d *DriversFile) clone() *DriversFile {
	if d == nil {
		return nil
	}
	c := &DriversFile{}
	if cp := d.CropPrices; cp != nil {
		cc := *cp
		cc.Elasticity, cc.LagMonths = cp.Elasticity.clone(), cp.LagMonths.clone()
		cc.ProjectionPct, cc.ProjectionRampMonths = cp.ProjectionPct.clone(), cp.ProjectionRampMonths.clone()
		cc.Weights = nil
		for _, w := range cp.Weights {
			w.Maize, w.Soybeans, w.Wheat = w.Maize.clone(), w.Soybeans.clone(), w.Wheat.clone()
			cc.Weights = append(cc.Weights, w)
		}
		c.CropPrices = &cc
	}
	return c
}

// clone copies n's range so that the copy shares nothing with n.
func (n Num) clone() Num {
	if n.Range != nil {
		r := *n.Range
		n.Range = &r
	}
	return n
}

// BaseDatasets lists the embedded dataset names, sorted.
func BaseDatasets() []string { return yamlNames(datasetFS, "data") }

// ParseMarketFile decodes a whole market from YAML, strictly: unknown keys
// are errors. file names the input in error messages, which carry line and
// column ("file:line:col: ...").
func ParseMarketFile(file string, data []byte) (*MarketFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, wrapf(ErrInvalidMarketFile, "%s: %v", file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, wrapf(ErrInvalidMarketFile, "%s: empty market file", file)
	}
	root := doc.Content[0]
	if err := checkKeys(root, reflect.TypeOf(MarketFile{}), ""); err != nil {
		return nil, wrapf(ErrInvalidMarketFile, "%s:%v", file, err)
	}
	var f MarketFile
	if err := root.Decode(&f); err != nil {
		if ne, ok := asNumError(err); ok {
			return nil, wrapf(ErrInvalidMarketFile, "%s:%d:%d: %s", file, ne.Line, ne.Col, ne.Msg)
		}
		var le *yaml.LoadError
		if errors.As(err, &le) {
			return nil, wrapf(ErrInvalidMarketFile, "%s:%d:%d: %s", file, le.Mark.Line, le.Mark.Column, le.Message)
		}
		return nil, wrapf(ErrInvalidMarketFile, "%s: %v", file, err)
	}
	return &f, nil
}

var numType = reflect.TypeOf(Num{})

// checkKeys reports the first mapping key in n that the struct type t has
// no yaml field for, as "line:col: path: unknown key ...". Num values check
// themselves when decoded.
func checkKeys(n *yaml.Node, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == numType:
		return nil
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for k, c := range n.Content {
			if err := checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, k)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		var names []string
		for k := 0; k < t.NumField(); k++ {
			tag := strings.Split(t.Field(k).Tag.Get("yaml"), ",")[0]
			if tag != "" && tag != "-" {
				fields[tag] = t.Field(k).Type
				names = append(names, tag)
			}
		}
		for k := 0; k+1 < len(n.Content); k += 2 {
			key := n.Content[k]
			p := key.Value
			if path != "" {
				p = path + "." + key.Value
			}
			ft, ok := fields[key.Value]
			if !ok {
				return fmt.Errorf("%d:%d: %s: unknown key %q (want one of %s)", key.Line, key.Column, p, key.Value, strings.Join(names, ", "))
			}
			if err := checkKeys(n.Content[k+1], ft, p); err != nil {
				return err
			}
		}
	}
	return nil
}

// Market converts f to a model.Market: percent fields (wedge_pct,
// demand_growth_pct_per_year) become fractions; routes fill the Flows,
// Freight and Wedge matrices (routes not listed are zero). It checks what
// the format alone can check (names present and unique, routes and homes
// naming known suppliers and regions, finite non-negative numbers) and
// returns an error naming the field path, e.g.
// `suppliers[Belarus].corridors[Klaipeda].capacity_mt: -1 is negative`.
// Economic validity (σ > 1, netbacks > 0, ...) is model.Calibrate's job.
func (f *MarketFile) Market() (*model.Market, error) {
	if f == nil {
		return nil, wrapf(ErrInvalidMarketFile, "market: nil market file")
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	num := func(field string, n Num, lo, hi float64) float64 {
		v := n.Value
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			bad(field, "%g is not a finite number", v)
		case v < lo:
			if lo == 0 {
				bad(field, "%g is negative", v)
			} else {
				bad(field, "%g is below %g", v, lo)
			}
		case v > hi:
			bad(field, "%g exceeds %g", v, hi)
		}
		if n.Range != nil && (n.Range[0] > n.Range[1] || math.IsNaN(n.Range[0]) || math.IsNaN(n.Range[1])) {
			bad(field+".range", "[%g, %g] is not a range", n.Range[0], n.Range[1])
		}
		return v
	}
	inf := math.Inf(1)

	m := &model.Market{Name: f.Name, Version: f.Version, BaseYear: f.BaseYear, Benchmark: f.Benchmark}
	if len(f.Suppliers) == 0 {
		bad("suppliers", "no suppliers")
	}
	if len(f.Regions) == 0 {
		bad("regions", "no regions")
	}

	regionIdx := map[string]int{}
	for r, rf := range f.Regions {
		p := fmt.Sprintf("regions[%s]", rf.Name)
		if rf.Name == "" {
			p = fmt.Sprintf("regions[%d]", r)
			bad(p+".name", "missing")
		} else if _, dup := regionIdx[rf.Name]; dup {
			bad(p+".name", "duplicate region %q", rf.Name)
		}
		regionIdx[rf.Name] = r
		m.Regions = append(m.Regions, model.Region{
			Name:   rf.Name,
			Label:  rf.Label,
			Eps:    num(p+".demand_elasticity", rf.Eps, 0, inf),
			Sigma:  num(p+".substitution_elasticity", rf.Sigma, 0, inf),
			Adjust: num(p+".demand_adjustment_per_month", rf.Adjust, 0, 1),
			Growth: num(p+".demand_growth_pct_per_year", rf.Growth, -100, inf) / 100,

			StockMonths:   num(p+".stock_to_use_months", rf.StockMonths, 0, inf),
			StockAdjust:   num(p+".stock_adjustment_per_month", rf.StockAdjust, 0, 1),
			StockResponse: num(p+".stock_response", rf.StockResponse, 0, inf),
			CarryCost:     num(p+".carrying_cost_pct_per_month", rf.CarryCost, 0, inf) / 100,
			ExpectAdjust:  num(p+".price_expectation_speed_per_month", rf.ExpectAdjust, 0, 1),
		})
	}
	if f.Benchmark == "" {
		bad("benchmark", "missing (name of the region whose price index is the benchmark)")
	} else if _, ok := regionIdx[f.Benchmark]; !ok && len(f.Regions) > 0 {
		bad("benchmark", "unknown region %q", f.Benchmark)
	}

	supplierIdx := map[string]int{}
	for i, sf := range f.Suppliers {
		p := fmt.Sprintf("suppliers[%s]", sf.Name)
		if sf.Name == "" {
			p = fmt.Sprintf("suppliers[%d]", i)
			bad(p+".name", "missing")
		} else if _, dup := supplierIdx[sf.Name]; dup {
			bad(p+".name", "duplicate supplier %q", sf.Name)
		}
		supplierIdx[sf.Name] = i
		if sf.Home != "" {
			if _, ok := regionIdx[sf.Home]; !ok {
				bad(p+".home", "unknown region %q", sf.Home)
			}
		}
		s := model.Supplier{
			Name:     sf.Name,
			Label:    sf.Label,
			Home:     sf.Home,
			FOB:      num(p+".fob_usd_per_t", sf.FOB, 0, inf),
			Capacity: num(p+".capacity_mt", sf.Capacity, 0, inf),
			Eta:      num(p+".supply_elasticity", sf.Eta, 0, inf),
			Adjust:   num(p+".supply_adjustment_per_month", sf.Adjust, 0, 1),
		}
		s.MarginalCost = num(p+".marginal_cost_usd_per_t", sf.MarginalCost, 0, inf)
		s.Domestic = num(p+".domestic_mt", sf.Domestic, 0, inf)
		s.DomesticIn = sf.DomesticIn
		s.Conduct = num(p+".conduct", sf.Conduct, 0, 1)
		s.ConductGapShare = num(p+".conduct_gap_share", sf.ConductGapShare, 0, 1)
		if s.Conduct != 0 && s.ConductGapShare != 0 {
			bad(p+".conduct_gap_share", "%g with conduct %g: state the conduct or the share of the base gap it takes, not both", s.ConductGapShare, s.Conduct)
		}
		switch {
		case sf.DomesticIn != "" && len(f.Regions) > 0:
			if _, ok := regionIdx[sf.DomesticIn]; !ok {
				bad(p+".domestic_in", "unknown region %q", sf.DomesticIn)
			}
		case s.Domestic > 0:
			bad(p+".domestic_in", "missing: name the region whose flow holds the %g Mt/yr of domestic sales", s.Domestic)
		}
		if len(sf.Corridors) == 0 {
			bad(p+".corridors", "no corridors (every supplier needs at least one)")
		}
		seen := map[string]bool{}
		for k, cf := range sf.Corridors {
			cp := fmt.Sprintf("%s.corridors[%s]", p, cf.Name)
			if cf.Name == "" {
				cp = fmt.Sprintf("%s.corridors[%d]", p, k)
				bad(cp+".name", "missing")
			} else if seen[cf.Name] {
				bad(cp+".name", "duplicate corridor %q", cf.Name)
			}
			seen[cf.Name] = true
			cr := model.Corridor{
				Name:     cf.Name,
				Label:    cf.Label,
				Capacity: num(cp+".capacity_mt", cf.Capacity, 0, inf),
				Cost:     num(cp+".cost_usd_per_t", cf.Cost, 0, inf),
				Facility: cf.Facility,
			}
			for j, sv := range cf.Serves {
				sp := fmt.Sprintf("%s.serves[%d]", cp, j)
				if _, ok := regionIdx[sv.Region]; !ok && len(f.Regions) > 0 {
					bad(sp+".region", "unknown region %q", sv.Region)
				}
				v := model.Serve{Region: sv.Region}
				if sv.Freight != nil {
					v.Own, v.Freight = true, num(sp+".freight_usd_per_t", *sv.Freight, 0, inf)
				}
				cr.Serves = append(cr.Serves, v)
			}
			if cf.Facility != "" && !slices.ContainsFunc(f.Facilities, func(fc FacilityFile) bool { return fc.Name == cf.Facility }) {
				bad(cp+".facility", "unknown facility %q", cf.Facility)
			}
			s.Corridors = append(s.Corridors, cr)
		}
		m.Suppliers = append(m.Suppliers, s)
	}

	for k, fc := range f.Facilities {
		p := fmt.Sprintf("facilities[%s]", fc.Name)
		if fc.Name == "" {
			p = fmt.Sprintf("facilities[%d]", k)
			bad(p+".name", "missing")
		}
		m.Facilities = append(m.Facilities, model.Facility{Name: fc.Name, Label: fc.Label, Capacity: num(p+".capacity_mt", fc.Capacity, 0, inf)})
	}

	member := map[string]string{}
	for g, cf := range f.Coalitions {
		p := fmt.Sprintf("coalitions[%s]", cf.Name)
		if cf.Name == "" {
			p = fmt.Sprintf("coalitions[%d]", g)
			bad(p+".name", "missing")
		}
		co := model.Coalition{Name: cf.Name, Label: cf.Label, Weight: num(p+".weight", cf.Weight, 0, 1)}
		if len(cf.Members) < 2 {
			bad(p+".members", "%d member(s): a coalition needs at least two (a lone seller is a Cournot player: set its conduct)", len(cf.Members))
		}
		for _, name := range cf.Members {
			if _, ok := supplierIdx[name]; !ok {
				bad(p+".members", "unknown supplier %q", name)
			} else if other, dup := member[name]; dup {
				bad(p+".members", "%s is a member of coalition %s already (a supplier belongs to at most one)", name, other)
			}
			member[name] = cf.Name
			co.Members = append(co.Members, name)
		}
		m.Coalitions = append(m.Coalitions, co)
	}

	ns, nr := len(m.Suppliers), len(m.Regions)
	m.Flows, m.Freight, m.Wedge = matrix(ns, nr), matrix(ns, nr), matrix(ns, nr)
	seenRoute := map[[2]int]bool{}
	for k, rt := range f.Routes {
		p := fmt.Sprintf("routes[%s→%s]", rt.From, rt.To)
		i, iok := supplierIdx[rt.From]
		r, rok := regionIdx[rt.To]
		if !iok {
			bad(fmt.Sprintf("routes[%d].from", k), "unknown supplier %q", rt.From)
		}
		if !rok {
			bad(fmt.Sprintf("routes[%d].to", k), "unknown region %q", rt.To)
		}
		flow := num(p+".flow_mt", rt.Flow, 0, inf)
		freight := num(p+".freight_usd_per_t", rt.Freight, 0, inf)
		wedge := num(p+".wedge_pct", rt.Wedge, -100, inf) / 100
		if !iok || !rok {
			continue
		}
		if seenRoute[[2]int{i, r}] {
			bad(p, "duplicate route")
			continue
		}
		seenRoute[[2]int{i, r}] = true
		m.Flows[i][r], m.Freight[i][r], m.Wedge[i][r] = flow, freight, wedge
	}
	if len(errs) > 0 {
		return nil, joinWith(ErrInvalidMarketFile, errs...)
	}
	return m, nil
}

func matrix(n, m int) [][]float64 {
	a := make([][]float64, n)
	for i := range a {
		a[i] = make([]float64, m)
	}
	return a
}
