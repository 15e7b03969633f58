package model

// Market is the static description of the world potash market in its base
// year: who supplies whom, at what prices, through which export corridors,
// with which elasticities. It is plain data; Calibrate turns it into a
// Calibrated market. Index i runs over Suppliers, r over Regions.
type Market struct {
	Name     string // dataset name, e.g. "base-2020"
	Version  string // dataset version, e.g. "1.0.0"
	BaseYear int    // calendar year the base flows and prices describe

	// Benchmark is the name of the region whose CES price index is the
	// benchmark price (Brazil: the Pink Sheet's potassium chloride price is
	// Brazil CFR since January 2020).
	Benchmark string

	Suppliers []Supplier
	Regions   []Region

	// Flows[i][r] is the base-year flow x0 from supplier i to region r, Mt/yr.
	// Domestic sales are flows too (China→China). A zero flow is a route that
	// cannot trade (its CES weight is zero).
	Flows [][]float64
	// Freight[i][r] is the freight f from supplier i's export port to region
	// r, $/t.
	Freight [][]float64
	// Wedge[i][r] is the base ad-valorem wedge τ0 on the route, a fraction.
	Wedge [][]float64

	// Coalitions are the named groups of suppliers that may set their
	// members' quantities jointly (a cartel such as BPC, a marketing agency
	// such as Canpotex), with the cooperation weight in force in the base
	// year (docs/MODEL.md, section 3.8). A supplier belongs to at most one.
	// nil: none.
	Coalitions []Coalition

	// Facilities are logistics facilities shared by several corridors,
	// possibly of several suppliers (the Russian Baltic ports carry
	// Russia's exports and Belarus's rerouted tonnes): the corridors that
	// name one share its capacity (docs/MODEL.md, section 3.9).
	Facilities []Facility
}

// Coalition is a named group of suppliers that may set their quantities
// jointly (docs/MODEL.md, section 3.8).
type Coalition struct {
	Name    string
	Label   string   // display name, Name if empty
	Members []string // supplier names, at least two
	// Weight is the cooperation weight λ in force in the base year, in
	// [0, 1]: each member maximises its own profit plus λ times its
	// partners'. 1 is joint quantity setting (a cartel), 0 members acting
	// alone. Events move it over time (EventCoalition).
	Weight float64
}

// Facility is a named logistics facility whose capacity several corridors
// share (Corridor.Facility names it).
type Facility struct {
	Name     string
	Label    string  // display name, Name if empty
	Capacity float64 // Mt/yr: the flows of all the corridors that name it together
}

// Supplier is a producing country.
type Supplier struct {
	Name  string
	Label string // display name (may carry diacritics); Name if empty

	// Home is the name of the region its domestic sales go to, or "" if
	// none. Flows to Home are sales but not exports.
	Home string

	FOB      float64 // base-year FOB price p0, $/t
	Capacity float64 // production capacity K, Mt/yr (≥ base sales)

	// MarginalCost is the base-year marginal cash cost of mine output at
	// the mine gate, $/t (MC0, from published cost data). It must not
	// exceed the base netback m0; the gap m0 − MC0 is the base-year rent,
	// carried as the markup Calibrated.Markup (docs/MODEL.md, section 4).
	// 0 means not given: MC0 = m0, no base rent.
	MarginalCost float64

	// Domestic is the part of the base-year flow to region DomesticIn that
	// is sales in the supplier's own country, Mt/yr, for a supplier whose
	// country is not a model region (Canada, Russia and Belarus sell at
	// home inside their flow to Other). Domestic sales are sales, not
	// exports (Solution.Exports, Solution.DomesticSales); they stay the
	// same share of the flow to DomesticIn in every solve. 0: none.
	Domestic   float64
	DomesticIn string // region whose flow holds the domestic sales ("" when Domestic is 0)

	// Eta is the long-run price elasticity of mine supply η (> 0).
	Eta float64
	// Adjust is the monthly partial-adjustment speed λ of mine supply, in
	// (0, 1]; 1 means supply responds fully within the month.
	Adjust float64

	// Corridors are the export routes from mine to port, with capacity and
	// unit cost. They need not be sorted; Calibrate orders them by cost.
	Corridors []Corridor

	// Conduct is the conduct parameter φ in [0, 1] in the base year: 0 a
	// price-taker, 1 a Cournot player (or, in a coalition, its full share
	// of the joint quantity setting); between, it keeps that fraction of
	// the Cournot markup (docs/MODEL.md, section 3.8). Calibrate backs the
	// base conduct markup out of the base data (section 4.2).
	Conduct float64
	// ConductGapShare, in [0, 1], states the conduct as what the data
	// identify instead: the share of the base-year gap m0 − MC0 between
	// the netback and the published marginal cost (MarginalCost) that is
	// the conduct markup. Calibrate derives the conduct φ that gives it
	// at this market's own elasticities and flows, at most 1 (Cournot;
	// section 4.2, conductFromGapShare), and puts it in
	// Calibrated.Market's Conduct. 0: not used. A supplier sets Conduct
	// or ConductGapShare, not both.
	ConductGapShare float64
}

// Corridor is a logistics route from a supplier's mines to its customers
// (rail to a port, a port terminal, rail across a border).
type Corridor struct {
	Name     string
	Label    string  // display name, Name if empty
	Capacity float64 // Mt/yr
	Cost     float64 // marginal logistics cost from mine gate to FOB point, $/t

	// Serves lists the regions the corridor can carry tonnes to; empty:
	// every region. A corridor that serves only some regions (rail to
	// China) is tied to them: it carries at most their tonnes. A
	// supplier's tied corridors must serve disjoint sets of regions
	// (docs/MODEL.md, section 3.4).
	Serves []Serve
	// Facility names the shared facility (Market.Facilities) whose
	// capacity this corridor's flow counts against; "" for none.
	Facility string
}

// Serve is a region a corridor serves, with the corridor's own freight to
// it when that differs from the route's.
type Serve struct {
	Region string
	// Freight is the corridor's own freight to Region, $/t, when Own is
	// set: buyers there pay the route's CFR price (Market.Freight), and
	// the difference Freight − Market.Freight[i][r] is a logistics cost of
	// the supplier on the tonnes this corridor carries (docs/MODEL.md,
	// section 3.4). Without Own the corridor uses the route's freight.
	Freight float64
	Own     bool
}

// Region is a consuming market.
type Region struct {
	Name  string
	Label string

	// Eps is the long-run price elasticity of demand ε (≥ 0), as a positive
	// number: Q = A·P^(−ε).
	Eps float64
	// Sigma is the Armington elasticity of substitution between origins σ
	// (> 1).
	Sigma float64
	// Adjust is the monthly partial-adjustment speed μ of demand, in (0, 1].
	Adjust float64
	// Growth is the trend growth of demand at constant prices, a fraction
	// per year (0.02 = 2%/yr). Applied by Simulate from the horizon start.
	Growth float64

	// Stocks of importers and distributors (docs/MODEL.md, section 10);
	// StockMonths 0 means none, and the other four are then unused.
	//
	// StockMonths is the base stock-to-use ratio k, in months of use
	// (k = StockMonths/12 years).
	StockMonths float64
	// StockAdjust is the monthly speed φ at which stocks move to their
	// target, in (0, 1].
	StockAdjust float64
	// StockResponse is the elasticity β of stocks to the convenience yield
	// (≥ 0): the stock target's elasticity to the price against its
	// expected level is γ = β/c (StockGamma).
	StockResponse float64
	// CarryCost is the cost of carrying stock c (interest and storage), a
	// fraction of its value per month (> 0 when StockMonths > 0).
	CarryCost float64
	// ExpectAdjust is the monthly speed ω of the expected price, in (0, 1].
	ExpectAdjust float64
}

// Clone returns a deep copy of m.
func (m *Market) Clone() *Market {
	var mem specMem // not kept: every slice a new allocation
	return m.cloneIn(&mem)
}

// cloneIn is Clone carving the copy's slices from mem.
func (m *Market) cloneIn(mem *specMem) *Market {
	c := *m
	c.Suppliers = mem.sup.take(len(m.Suppliers))
	for i, s := range m.Suppliers {
		s.Corridors = cloneSlice(&mem.cor, s.Corridors)
		for k := range s.Corridors {
			s.Corridors[k].Serves = cloneSlice(&mem.srv, s.Corridors[k].Serves)
		}
		c.Suppliers[i] = s
	}
	c.Facilities = cloneSlice(&mem.fac, m.Facilities)
	c.Regions = cloneSlice(&mem.reg, m.Regions)
	c.Flows = cloneMatrix(m.Flows, mem)
	c.Freight = cloneMatrix(m.Freight, mem)
	c.Wedge = cloneMatrix(m.Wedge, mem)
	if m.Coalitions != nil {
		c.Coalitions = mem.coal.take(len(m.Coalitions))
		for g, co := range m.Coalitions {
			co.Members = cloneSlice(&mem.str, co.Members)
			c.Coalitions[g] = co
		}
	}
	return &c
}

// cloneMatrix returns a copy of a, its rows carved from one allocation
// (each row's capacity its length, so that an append to one never runs
// into the next); a nil or empty row is nil, as a copy by append leaves
// it. Both come from mem.
func cloneMatrix(a [][]float64, mem *specMem) [][]float64 {
	if a == nil {
		return nil
	}
	n := 0
	for _, r := range a {
		n += len(r)
	}
	flat := mem.f.take(n)
	out := mem.rows.take(len(a))
	for i, r := range a {
		l := len(r)
		if l == 0 {
			continue
		}
		out[i] = flat[:l:l]
		copy(out[i], r)
		flat = flat[l:]
	}
	return out
}

// SupplierIndex returns the index of the supplier called name, or -1.
func (m *Market) SupplierIndex(name string) int {
	for i := range m.Suppliers {
		if m.Suppliers[i].Name == name {
			return i
		}
	}
	return -1
}

// RegionIndex returns the index of the region called name, or -1.
func (m *Market) RegionIndex(name string) int {
	for r := range m.Regions {
		if m.Regions[r].Name == name {
			return r
		}
	}
	return -1
}

// CorridorIndex returns the index of supplier i's corridor called name in
// m.Suppliers[i].Corridors, or -1.
func (m *Market) CorridorIndex(i int, name string) int {
	if i < 0 || i >= len(m.Suppliers) {
		return -1
	}
	for k := range m.Suppliers[i].Corridors {
		if m.Suppliers[i].Corridors[k].Name == name {
			return k
		}
	}
	return -1
}

// CoalitionIndex returns the index of the coalition called name in
// m.Coalitions, or -1.
func (m *Market) CoalitionIndex(name string) int {
	for g := range m.Coalitions {
		if m.Coalitions[g].Name == name {
			return g
		}
	}
	return -1
}

// FacilityIndex returns the index of the facility called name in
// m.Facilities, or -1.
func (m *Market) FacilityIndex(name string) int {
	for f := range m.Facilities {
		if m.Facilities[f].Name == name {
			return f
		}
	}
	return -1
}

// Range is a documented plausible range [Lo, Hi] of a parameter.
type Range struct{ Lo, Hi float64 }

// Contains reports whether Lo ≤ v ≤ Hi.
func (r Range) Contains(v float64) bool { return v >= r.Lo && v <= r.Hi }

// Two kinds of range. The domain (domain*) is what the equations accept:
// Calibrate rejects values outside it. The valid range (Range*) is
// narrower: where the solver converges, to plausible prices, on every
// built-in scenario, found by a sweep (scenarios' TestValidRangesWork;
// docs/MODEL.md, section 4). Scenario files, --set, sweeps, uncertainty and
// the web page accept only valid values.
var (
	domainEps           = Range{0, 3}
	domainSigma         = Range{1.01, 30}
	domainEta           = Range{0.01, 10}
	domainAdjust        = Range{0.005, 1}
	domainGrowth        = Range{-0.2, 0.2}
	domainWedge         = Range{0, 5}
	domainStockMonths   = Range{0, 12}
	domainStockAdjust   = Range{0.01, 1}
	domainStockResponse = Range{0, 5}
	domainCarryCost     = Range{0.001, 0.1}
	domainExpectAdjust  = Range{0.01, 1}

	rangeEps          = Range{0.06, 3}     // ε: below 0.057, Europe's price passes 20× its base by 2030 in jansen-ramp (TestValidRangeFrontiers)
	rangeSigma        = Range{1.75, 30}    // σ: with model 0.6.0's fit, at 1.6 eu-relief prices Belarus beyond 20× at Klaipėda's closure (2022-02; 1.7 works); before, below 1.41 in western-ban-russia
	rangeEta          = Range{0.05, 10}    // η: with stocks the whole domain from 0.01 works
	rangeSupplyAdjust = Range{0.005, 1}    // λ: with stocks the whole domain works
	rangeDemandAdjust = Range{0.08, 1}     // μ: with model 0.4.0's fit, below 0.062 eu-relief priced Canada beyond 20× (2028-11) and at 0.03 several built-ins failed; with model 0.6.0's fit every built-in works down to 0.025 (the frontier table, docs/SCENARIOS.md), and the stock-cycle rule binds from 0.137
	rangeGrowth       = Range{-0.13, 0.08} // g: above 9.0%/yr demand outgrows capacity (prices beyond 20× by 2030); with the back-test's estimates −13%/yr works and at −15%/yr bpc-reunion's Cournot solve stalls (2024-08), price-form rescue and all
	rangeWedge        = Range{0, 5}        // τ0: the whole domain works

	domainConduct = Range{0, 1}
	rangeConduct  = Range{0, 1} // φ: see RangeConduct

	rangeStockMonths   = Range{0.15, 6}      // k·12: up to half a year of use; with model 0.6.0's fit, at 0.1 bpc-reunion prices Belarus beyond 20× at Klaipėda's closure (2022-02; 0.15 works); a market file's 0 (no stocks) is accepted apart
	rangeStockAdjust   = Range{0.06, 1}      // φ: with model 0.6.0's fit, at 0.05 bpc-reunion prices Belarus beyond 20× at Klaipėda's closure (2022-02; 0.06 works)
	rangeStockResponse = Range{0.002, 0.06}  // β: at 0 holders deaf to the price build history's precautionary stocks into the Klaipėda closure, pricing Canada beyond 20× in 2022-02, and at 0.001 bpc-reunion stalls (2022-09); with the back-test's estimates from 0.0997 bpc-breakup prices Canada beyond 20× (2030-12)
	rangeCarryCost     = Range{0.0025, 0.05} // c, per month: with the back-test's estimates below 0.002008 jansen-ramp-relief prices Canada beyond 20× (2029-09)
	rangeExpectAdjust  = Range{0.02, 0.2}    // ω: with the back-test's estimates, from 0.3 the stock rule cycles beyond 20× (eu-relief, 2026)
)

// maxCropEpsRatio is the largest ratio θ/ε of the crop-price driver's
// elasticity θ to a region's demand elasticity ε that the solver supports
// (see MinEpsForCrop).
const maxCropEpsRatio = 3.0

// MaxCropEpsRatio returns the largest valid ratio θ/ε of the crop-price
// driver's elasticity (Event.Aux[1] of an EventDemandDriver) to a region's
// demand elasticity ε (Region.Eps). At given supply, a region's price
// moves with its crop-price index I as I^(θ/ε): demand shifts by I^θ and
// the price must fall back along a demand curve of elasticity ε. The
// recorded index reached about 2 in 2022, so the ratio bounds the price
// multiple of a crop boom (2^3 = 8, against the 20 times the base beyond
// which a month is implausible; with the dynamics the boom overshoots);
// the ratio was found by the same sweep as the valid ranges (scenarios'
// TestValidRangeFrontiers: with the back-test's estimates, 3.15 at θ =
// 0.63 and 3.5 at θ = 1.5 fail).
func MaxCropEpsRatio() float64 { return maxCropEpsRatio }

// MinEpsForCrop returns the lowest valid demand elasticity of a region
// of a market whose crop-price driver has elasticity theta: theta /
// MaxCropEpsRatio (0 when the driver is off).
func MinEpsForCrop(theta float64) float64 { return max(0, theta) / maxCropEpsRatio }

// RangeConduct returns the valid range of the conduct parameter φ
// (Supplier.Conduct, Policy.Conduct) and of a coalition's cooperation
// weight λ (Coalition.Weight, Policy.Cooperation). A conduct whose base
// markup exceeds the price is an error of Calibrate, whatever its range.
func RangeConduct() Range { return rangeConduct }

// RangeEps returns the valid range of the demand elasticity ε (Region.Eps).
func RangeEps() Range { return rangeEps }

// RangeSigma returns the valid range of the Armington elasticity σ
// (Region.Sigma).
func RangeSigma() Range { return rangeSigma }

// RangeEta returns the valid range of the supply elasticity η
// (Supplier.Eta).
func RangeEta() Range { return rangeEta }

// RangeSupplyAdjust returns the valid range of the monthly supply
// adjustment speed λ (Supplier.Adjust).
func RangeSupplyAdjust() Range { return rangeSupplyAdjust }

// RangeDemandAdjust returns the valid range of the monthly demand
// adjustment speed μ (Region.Adjust).
func RangeDemandAdjust() Range { return rangeDemandAdjust }

// RangeGrowth returns the valid range of the demand trend, a fraction per
// year (Region.Growth).
func RangeGrowth() Range { return rangeGrowth }

// RangeStockMonths returns the valid range of the base stock-to-use
// ratio in months of use (Region.StockMonths).
func RangeStockMonths() Range { return rangeStockMonths }

// RangeStockAdjust returns the valid range of the monthly stock
// adjustment speed φ (Region.StockAdjust).
func RangeStockAdjust() Range { return rangeStockAdjust }

// RangeStockResponse returns the valid range of the stock response β
// (Region.StockResponse).
func RangeStockResponse() Range { return rangeStockResponse }

// RangeCarryCost returns the valid range of the carrying cost, a
// fraction of the value per month (Region.CarryCost).
func RangeCarryCost() Range { return rangeCarryCost }

// RangeExpectAdjust returns the valid range of the monthly speed ω of the
// expected price (Region.ExpectAdjust).
func RangeExpectAdjust() Range { return rangeExpectAdjust }

// RangeWedge returns the valid range of a base ad-valorem wedge τ0, a
// fraction (Market.Wedge).
func RangeWedge() Range { return rangeWedge }
