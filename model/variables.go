package model

// varDef is a reported variable with the functions extracting it: get
// one entity; fill (optional) writes every entity into dst in entity order.
type varDef struct {
	Variable
	get  func(c *Calibrated, sol *Solution, e int) float64
	fill func(c *Calibrated, sol *Solution, dst []float64)
	// priced: a price or quantity of a region that has none when the
	// region does not trade (Variable.Reported).
	priced bool
}

// vecVar is a variable stored as a per-supplier or per-region vector.
func vecVar(v Variable, f func(s *Solution) []float64) varDef {
	return varDef{v,
		func(c *Calibrated, s *Solution, e int) float64 { return f(s)[e] },
		func(c *Calibrated, s *Solution, dst []float64) { copy(dst, f(s)) }, false}
}

// matVar is a variable stored as rows (routes [i][r] or corridors [i][k]),
// flattened row after row.
func matVar(v Variable, f func(s *Solution) [][]float64) varDef {
	get := func(c *Calibrated, s *Solution, e int) float64 {
		for _, row := range f(s) {
			if e < len(row) {
				return row[e]
			}
			e -= len(row)
		}
		return 0
	}
	fill := func(c *Calibrated, s *Solution, dst []float64) {
		for _, row := range f(s) {
			dst = dst[copy(dst, row):]
		}
	}
	return varDef{v, get, fill, false}
}

// varDefs is the registry behind Variables, in output order. Names are
// stable API (CSV columns, chart series, Monte Carlo bands, serve).
var varDefs = []varDef{
	{Variable{"benchmark_price", "$/t", EntityWorld, "benchmark price: the benchmark region's CES price index (Brazil CFR)"},
		func(c *Calibrated, s *Solution, e int) float64 { return s.Benchmark }, nil, true},

	vecVar(Variable{"fob_price", "$/t", EntitySupplier, "FOB export price p[i]"},
		func(s *Solution) []float64 { return s.FOB }),
	vecVar(Variable{"netback", "$/t", EntitySupplier, "mine netback m[i]: FOB price less the cost of the corridor carrying the last tonne"},
		func(s *Solution) []float64 { return s.Netback }),
	vecVar(Variable{"marginal_cost", "$/t", EntitySupplier, "mine marginal cost (S/B)^(1/η)"},
		func(s *Solution) []float64 { return s.MarginalCost }),
	vecVar(Variable{"sales", "Mt/yr", EntitySupplier, "total sales S[i], domestic included"},
		func(s *Solution) []float64 { return s.Sales }),
	vecVar(Variable{"exports", "Mt/yr", EntitySupplier, "sales outside the supplier's home region"},
		func(s *Solution) []float64 { return s.Exports }),
	vecVar(Variable{"export_revenue", "$M/yr", EntitySupplier, "FOB export revenue p·exports (annual rate)"},
		func(s *Solution) []float64 { return s.ExportRev }),
	vecVar(Variable{"revenue", "$M/yr", EntitySupplier, "FOB revenue on all sales p·S (annual rate)"},
		func(s *Solution) []float64 { return s.Revenue }),
	{Variable{"market_share", "fraction", EntitySupplier, "share of world exports (exports / Σ exports)"},
		marketShare, marketShareFill, false},
	vecVar(Variable{"capacity_use", "fraction", EntitySupplier, "production capacity utilisation S/K"},
		func(s *Solution) []float64 { return s.CapacityUse }),
	vecVar(Variable{"producer_surplus_change", "$M/yr", EntitySupplier, "producer surplus change from the base year"},
		func(s *Solution) []float64 { return s.ProducerSurplus }),
	vecVar(Variable{"corridor_rent", "$M/yr", EntitySupplier, "rent earned because export corridors are full"},
		func(s *Solution) []float64 { return s.CorridorRent }),
	vecVar(Variable{"capacity_rent", "$M/yr", EntitySupplier, "rent earned because production capacity binds"},
		func(s *Solution) []float64 { return s.CapacityRent }),
	vecVar(Variable{"quota_rent", "$M/yr", EntitySupplier, "rent earned because an export cap binds"},
		func(s *Solution) []float64 { return s.QuotaRent }),

	priced(vecVar(Variable{"price_index", "$/t", EntityRegion, "CES price index P[r] (delivered, CFR); none when the region does not trade"},
		func(s *Solution) []float64 { return s.PriceIndex })),
	priced(vecVar(Variable{"demand", "Mt/yr", EntityRegion, "quantity demanded Q[r]; none when the region does not trade"},
		func(s *Solution) []float64 { return s.Demand })),
	vecVar(Variable{"import_bill", "$M/yr", EntityRegion, "import bill: delivered value of flows from suppliers based elsewhere"},
		func(s *Solution) []float64 { return s.ImportBill }),
	vecVar(Variable{"consumer_surplus_change", "$M/yr", EntityRegion, "consumer surplus change from the base year"},
		func(s *Solution) []float64 { return s.ConsumerSurplus }),
	vecVar(Variable{"trq_rent", "$M/yr", EntityRegion, "quota rent of tariff-rate quotas on imports into the region, kept by its importers"},
		func(s *Solution) []float64 { return s.TRQRent }),
	{Variable{"traded", "fraction", EntityRegion, "1 when some supplier can serve the region, 0 when none can (then it has no price and no demand); in Monte Carlo bands, the share of draws"},
		func(c *Calibrated, s *Solution, e int) float64 { return b2f(s.Traded[e]) },
		func(c *Calibrated, s *Solution, dst []float64) {
			for r, t := range s.Traded {
				dst[r] = b2f(t)
			}
		}, false},

	matVar(Variable{"flow", "Mt/yr", EntityRoute, "bilateral flow x[i][r]"},
		func(s *Solution) [][]float64 { return s.Flow }),
	matVar(Variable{"delivered_price", "$/t", EntityRoute, "delivered price p[i][r] = (p[i] + f[i][r])·(1 + τ[i][r])"},
		func(s *Solution) [][]float64 { return s.Delivered }),

	matVar(Variable{"corridor_flow", "Mt/yr", EntityCorridor, "tonnes carried by an export corridor"},
		func(s *Solution) [][]float64 { return s.CorridorFlow }),
	matVar(Variable{"corridor_use", "fraction", EntityCorridor, "corridor utilisation flow/capacity (0 for a closed corridor)"},
		func(s *Solution) [][]float64 { return s.CorridorUse }),
	{Variable{"corridor_capacity", "Mt/yr", EntityCorridor, "corridor capacity in force"},
		corridorCapacity, corridorCapacityFill, false},
}

// priced marks d as having no value when its region does not trade.
func priced(d varDef) varDef { d.priced = true; return d }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Variables returns every reported variable, in output order (a new
// slice: the registry itself cannot be changed). Names are stable API
// used by CSV, charts, Monte Carlo bands and --metric.
func Variables() []Variable {
	v := make([]Variable, len(varDefs))
	for j := range varDefs {
		v[j] = varDefs[j].Variable
	}
	return v
}

// Reported reports whether variable v of entity e has a value in sol: the
// price index and demand of a region that does not trade (Solution.Traded
// false), and the benchmark price when the benchmark region does not, have
// none. Writers leave those rows out (their Value is 0, never NaN).
func (v Variable) Reported(c *Calibrated, sol *Solution, e int) bool {
	d := lookupDef(v.Name)
	if d == nil || !d.priced {
		return true
	}
	if d.Entity == EntityWorld {
		e = c.Bench
	}
	return e >= 0 && e < len(sol.Traded) && sol.Traded[e]
}

func lookupDef(name string) *varDef {
	for j := range varDefs {
		if varDefs[j].Name == name {
			return &varDefs[j]
		}
	}
	return nil
}

// LookupVariable returns the reported variable called name.
func LookupVariable(name string) (Variable, bool) {
	if d := lookupDef(name); d != nil {
		return d.Variable, true
	}
	return Variable{}, false
}

// EntityCount returns the number of entities of kind e in c's market.
func EntityCount(c *Calibrated, e Entity) int {
	m := c.Market
	switch e {
	case EntityWorld:
		return 1
	case EntitySupplier:
		return len(m.Suppliers)
	case EntityRegion:
		return len(m.Regions)
	case EntityRoute:
		return len(m.Suppliers) * len(m.Regions)
	case EntityCorridor:
		n := 0
		for _, s := range m.Suppliers {
			n += len(s.Corridors)
		}
		return n
	}
	return 0
}

// EntityNames returns the entity labels of kind e for c's market
// ("World"; supplier names; region names; "Canada→Brazil";
// "Belarus/Klaipeda").
func EntityNames(c *Calibrated, e Entity) []string {
	m := c.Market
	switch e {
	case EntityWorld:
		return []string{"World"}
	case EntitySupplier:
		out := make([]string, len(m.Suppliers))
		for i, s := range m.Suppliers {
			out[i] = s.Name
		}
		return out
	case EntityRegion:
		out := make([]string, len(m.Regions))
		for r, g := range m.Regions {
			out[r] = g.Name
		}
		return out
	case EntityRoute:
		out := make([]string, 0, len(m.Suppliers)*len(m.Regions))
		for _, s := range m.Suppliers {
			for _, g := range m.Regions {
				out = append(out, s.Name+"→"+g.Name)
			}
		}
		return out
	case EntityCorridor:
		var out []string
		for _, s := range m.Suppliers {
			for _, k := range s.Corridors {
				out = append(out, s.Name+"/"+k.Name)
			}
		}
		return out
	}
	return nil
}

// Value returns variable v of entity index e in sol (0 for an unknown
// variable or an index out of range).
func (v Variable) Value(c *Calibrated, sol *Solution, e int) float64 {
	d := lookupDef(v.Name)
	if d == nil || e < 0 || e >= EntityCount(c, d.Entity) {
		return 0
	}
	return d.get(c, sol, e)
}

// corridorAt maps a flat corridor index (supplier order, then corridor
// order) to supplier i and corridor k.
func corridorAt(c *Calibrated, e int) (i, k int) {
	for i, s := range c.Market.Suppliers {
		if e < len(s.Corridors) {
			return i, e
		}
		e -= len(s.Corridors)
	}
	return -1, -1
}

func marketShare(c *Calibrated, s *Solution, e int) float64 {
	var tot float64
	for _, x := range s.Exports {
		tot += x
	}
	if tot <= 0 {
		return 0
	}
	return s.Exports[e] / tot
}

// corridorCapacity returns the capacity in force: Solution.CorridorCap
// when filled (every Solution of a Path or Monte Carlo draw), else
// flow/use when the corridor carries tonnes, else the base capacity.
func corridorCapacity(c *Calibrated, s *Solution, e int) float64 {
	i, k := corridorAt(c, e)
	if i < len(s.CorridorCap) && k < len(s.CorridorCap[i]) {
		return s.CorridorCap[i][k]
	}
	if u := s.CorridorUse[i][k]; u > 0 {
		return s.CorridorFlow[i][k] / u
	}
	return c.Market.Suppliers[i].Corridors[k].Capacity
}

func marketShareFill(c *Calibrated, s *Solution, dst []float64) {
	var tot float64
	for _, x := range s.Exports {
		tot += x
	}
	for i, x := range s.Exports {
		if tot > 0 {
			dst[i] = x / tot
		} else {
			dst[i] = 0
		}
	}
}

func corridorCapacityFill(c *Calibrated, s *Solution, dst []float64) {
	if len(s.CorridorCap) == len(c.Market.Suppliers) {
		for _, row := range s.CorridorCap {
			dst = dst[copy(dst, row):]
		}
		return
	}
	for e := range dst {
		dst[e] = corridorCapacity(c, s, e)
	}
}

// fillAll writes every entity of d into dst (EntityCount values).
func (d *varDef) fillAll(c *Calibrated, s *Solution, dst []float64) {
	if d.fill != nil {
		d.fill(c, s, dst)
		return
	}
	for e := range dst {
		dst[e] = d.get(c, s, e)
	}
}
