package model

// varDef is a reported variable with the functions extracting it: get
// one entity; fill (optional) writes every entity into dst in entity order.
type varDef struct {
	Variable
	get  func(c *Calibrated, sol *Solution, e int) float64
	fill func(c *Calibrated, sol *Solution, dst []float64)
	// field, when set, is the Solution field that holds the variable's
	// values in entity order, a vector or rows flattened row after row
	// (vecVar, matVar): a Monte Carlo draw solves its months straight
	// into its row through it (mcLayout.bind) instead of copying them
	// there with fill. Solve writes every field of a Solution
	// (TestSolveWritesEveryField; a draw's leaves out the facilities'
	// FacilityValue and FacilityUse, workspace.drawFill, which no
	// variable reads: TestDrawRowsBound), so a variable that is a field
	// needs nothing else; one computed from several fields leaves it nil.
	field solField
	// priced: a price or quantity of a region that has none when the
	// region does not trade (Variable.Reported).
	priced bool
}

// vecVar is a variable stored as a per-supplier or per-region vector.
func vecVar(v Variable, f func(s *Solution) *[]float64) varDef {
	return varDef{Variable: v,
		get:   func(c *Calibrated, s *Solution, e int) float64 { return (*f(s))[e] },
		fill:  func(c *Calibrated, s *Solution, dst []float64) { copy(dst, *f(s)) },
		field: solField{vec: f}}
}

// matVar is a variable stored as rows (routes [i][r] or corridors [i][k]),
// flattened row after row.
func matVar(v Variable, f func(s *Solution) *[][]float64) varDef {
	get := func(c *Calibrated, s *Solution, e int) float64 {
		for _, row := range *f(s) {
			if e < len(row) {
				return row[e]
			}
			e -= len(row)
		}
		return 0
	}
	fill := func(c *Calibrated, s *Solution, dst []float64) {
		for _, row := range *f(s) {
			dst = dst[copy(dst, row):]
		}
	}
	return varDef{Variable: v, get: get, fill: fill, field: solField{mat: f}}
}

// varDefs is the registry behind Variables, in output order. Names are
// stable API (CSV columns, chart series, Monte Carlo bands, serve).
var varDefs = []varDef{
	{Variable: Variable{"benchmark_price", "$/t", EntityWorld, "benchmark price: the average CFR transaction price per tonne in the benchmark region (Brazil CFR, as the World Bank Pink Sheet quotes it); none when the region does not trade"},
		get:    func(c *Calibrated, s *Solution, e int) float64 { return s.Benchmark },
		priced: true},

	vecVar(Variable{"fob_price", "$/t", EntitySupplier, "average FOB price received per tonne, after concessions (FOB revenue / sales)"},
		func(s *Solution) *[]float64 { return &s.FOBReceived }),
	vecVar(Variable{"netback", "$/t", EntitySupplier, "average mine netback per tonne: FOB revenue less logistics costs, per tonne sold"},
		func(s *Solution) *[]float64 { return &s.Netback }),
	vecVar(Variable{"marginal_cost", "$/t", EntitySupplier, "long-run mine marginal cost of the month's output (S/B)^(1/η), at the mine gate"},
		func(s *Solution) *[]float64 { return &s.MarginalCost }),
	vecVar(Variable{"sales", "Mt/yr", EntitySupplier, "tonnes sold, S[i], domestic sales included"},
		func(s *Solution) *[]float64 { return &s.Sales }),
	vecVar(Variable{"exports", "Mt/yr", EntitySupplier, "tonnes exported: sales less domestic sales (as in export statistics)"},
		func(s *Solution) *[]float64 { return &s.Exports }),
	vecVar(Variable{"revenue", "$M/yr", EntitySupplier, "FOB revenue received on all sales, after concessions (annual rate)"},
		func(s *Solution) *[]float64 { return &s.Revenue }),
	vecVar(Variable{"export_revenue", "$M/yr", EntitySupplier, "FOB revenue received on exports (annual rate): the value export statistics record"},
		func(s *Solution) *[]float64 { return &s.ExportRev }),
	vecVar(Variable{"netback_revenue", "$M/yr", EntitySupplier, "mine netback revenue: FOB revenue on all sales, home and export, less the cost of rail, ports and transit to the FOB point and any cost shift in force (annual rate): what the mines earn"},
		func(s *Solution) *[]float64 { return &s.NetbackRevenue }),
	vecVar(Variable{"export_tax", "$M/yr", EntitySupplier, "export tax paid to the supplier's government (annual rate)"},
		func(s *Solution) *[]float64 { return &s.ExportTax }),
	vecVar(Variable{"concession_paid", "$M/yr", EntitySupplier, "price concessions granted to buyers, a transfer to them (annual rate)"},
		func(s *Solution) *[]float64 { return &s.ConcessionPaid }),
	{Variable: Variable{"market_share", "fraction", EntitySupplier, "share of world exports (exports / Σ exports)"},
		get: marketShare, fill: marketShareFill},
	vecVar(Variable{"capacity_use", "fraction", EntitySupplier, "production capacity utilisation S/K"},
		func(s *Solution) *[]float64 { return &s.CapacityUse }),
	vecVar(Variable{"producer_surplus", "$M/yr", EntitySupplier, "producer surplus measured from the base year, not a level: the month's netback revenue less export tax less the long-run variable mine cost, minus the same in the base year (0 in a month like the base year); only the difference, scenario − counterfactual, is the producer's welfare change"},
		func(s *Solution) *[]float64 { return &s.ProducerSurplus }),
	vecVar(Variable{"markup_rent", "$M/yr", EntitySupplier, "markup rent: the base markup (the base-year gap between netback and marginal cost, held as a share of the FOB price) and the conduct markup of a Cournot player, times the FOB price received and sales"},
		func(s *Solution) *[]float64 { return &s.MarkupRent }),
	vecVar(Variable{"corridor_rent", "$M/yr", EntitySupplier, "scarcity rent earned because export corridors are full"},
		func(s *Solution) *[]float64 { return &s.CorridorRent }),
	vecVar(Variable{"capacity_rent", "$M/yr", EntitySupplier, "scarcity rent earned because production capacity binds"},
		func(s *Solution) *[]float64 { return &s.CapacityRent }),
	vecVar(Variable{"quota_rent", "$M/yr", EntitySupplier, "scarcity rent earned because an export cap binds"},
		func(s *Solution) *[]float64 { return &s.QuotaRent }),
	vecVar(Variable{"facility_rent", "$M/yr", EntitySupplier, "the supplier's share of the scarcity rent of full shared facilities (the Russian Baltic ports): its tonnes through them times their shadow value"},
		func(s *Solution) *[]float64 { return &s.FacilityRent }),
	vecVar(Variable{"adjustment_rent", "$M/yr", EntitySupplier, "short-run quasi-rent: output has not yet adjusted to the price (negative after a fall)"},
		func(s *Solution) *[]float64 { return &s.AdjustmentRent }),
	{Variable: Variable{"inframarginal_rent", "$M/yr", EntitySupplier, "inframarginal rent: low-cost mines and corridors cheaper than the marginal one earn more than the marginal tonne"},
		get: func(c *Calibrated, s *Solution, e int) float64 { return s.MineRent[e] + s.RouteRent[e] },
		fill: func(c *Calibrated, s *Solution, dst []float64) {
			for i := range dst {
				dst[i] = s.MineRent[i] + s.RouteRent[i]
			}
		}},

	priced(vecVar(Variable{"price_paid", "$/t", EntityRegion, "average price buyers pay per tonne: CFR plus import tariffs and quota premia (risk costs not included); none when the region does not trade"},
		func(s *Solution) *[]float64 { return &s.PricePaid })),
	priced(vecVar(Variable{"cfr_price", "$/t", EntityRegion, "average CFR transaction price per tonne (what sellers invoice, after concessions); none when the region does not trade"},
		func(s *Solution) *[]float64 { return &s.CFRPrice })),
	vecVar(Variable{"tonnes", "Mt/yr", EntityRegion, "tonnes bought: the physical tonnes shipped into the region (its use plus the change in its stocks)"},
		func(s *Solution) *[]float64 { return &s.Tonnes }),
	vecVar(Variable{"imports", "Mt/yr", EntityRegion, "tonnes bought from suppliers based outside the region"},
		func(s *Solution) *[]float64 { return &s.Imports }),
	priced(vecVar(Variable{"ces_price_index", "$/t", EntityRegion, "CES price index P[r] of effective delivered prices (risk costs included): the model's unit cost of the region's potash bundle, a modelling device; none when the region does not trade"},
		func(s *Solution) *[]float64 { return &s.PriceIndex })),
	priced(vecVar(Variable{"ces_quantity", "Mt/yr", EntityRegion, "CES quantity index X[r] of the shipments into the region (base-year tonnes): the model's composite, not tonnes; none when the region does not trade"},
		func(s *Solution) *[]float64 { return &s.Demand })),
	vecVar(Variable{"consumption", "Mt/yr", EntityRegion, "use by farmers (CES quantity, base-year tonnes): shipments less 12 × the month's change in stocks"},
		func(s *Solution) *[]float64 { return &s.Consumption }),
	vecVar(Variable{"stocks", "Mt", EntityRegion, "stocks held by the region's importers and distributors at the end of the month (CES quantity, base-year tonnes)"},
		func(s *Solution) *[]float64 { return &s.Stocks }),
	vecVar(Variable{"import_bill", "$M/yr", EntityRegion, "import bill: CFR value of the tonnes bought from suppliers based elsewhere"},
		func(s *Solution) *[]float64 { return &s.ImportBill }),
	vecVar(Variable{"tariff_revenue", "$M/yr", EntityRegion, "import tariffs collected by the region's government (tariff-rate quotas' own rates included)"},
		func(s *Solution) *[]float64 { return &s.TariffRevenue }),
	vecVar(Variable{"trq_rent", "$M/yr", EntityRegion, "quota rent of tariff-rate quotas on imports into the region, kept by its importers"},
		func(s *Solution) *[]float64 { return &s.TRQRent }),
	vecVar(Variable{"risk_cost", "$M/yr", EntityRegion, "risk costs buyers bear on sanctioned potash (compliance, insurance): a deadweight cost nobody collects"},
		func(s *Solution) *[]float64 { return &s.RiskCost }),
	vecVar(Variable{"concession_received", "$M/yr", EntityRegion, "price concessions received from sellers, a transfer to buyers"},
		func(s *Solution) *[]float64 { return &s.ConcessionReceived }),
	vecVar(Variable{"consumer_surplus", "$M/yr", EntityRegion, "consumer surplus measured from the base-year price, not a level: the area left of the month's long-run demand curve between the base-year price index and the month's (0 at the base-year price, whatever the demand); only the difference, scenario − counterfactual, is the buyers' welfare change"},
		func(s *Solution) *[]float64 { return &s.ConsumerSurplus }),
	{Variable: Variable{"traded", "fraction", EntityRegion, "1 when some supplier can serve the region, 0 when none can (then it has no price and no demand); in Monte Carlo bands, the share of draws"},
		get: func(c *Calibrated, s *Solution, e int) float64 { return b2f(s.Traded[e]) },
		fill: func(c *Calibrated, s *Solution, dst []float64) {
			for r, t := range s.Traded {
				dst[r] = b2f(t)
			}
		}},

	matVar(Variable{"flow", "Mt/yr", EntityRoute, "tonnes shipped on the route x[i][r]"},
		func(s *Solution) *[][]float64 { return &s.Flow }),
	matVar(Variable{"delivered_price", "$/t", EntityRoute, "effective delivered price: CFR × (1 + tariff + quota premium + risk cost), what enters the CES index"},
		func(s *Solution) *[][]float64 { return &s.Delivered }),

	matVar(Variable{"corridor_flow", "Mt/yr", EntityCorridor, "tonnes carried by an export corridor"},
		func(s *Solution) *[][]float64 { return &s.CorridorFlow }),
	matVar(Variable{"corridor_use", "fraction", EntityCorridor, "corridor utilisation flow/capacity (0 for a closed corridor)"},
		func(s *Solution) *[][]float64 { return &s.CorridorUse }),
	{Variable: Variable{"corridor_capacity", "Mt/yr", EntityCorridor, "corridor capacity in force"},
		get: corridorCapacity, fill: corridorCapacityFill,
		// A Solution from NewSolution has CorridorCap, and Solve copies
		// the capacities in force into it: there the field is the variable.
		field: solField{mat: func(s *Solution) *[][]float64 { return &s.CorridorCap }}},
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
// prices and CES indexes of a region that does not trade (Solution.Traded
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
