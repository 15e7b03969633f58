package model

import (
	"errors"
	"fmt"
)

// Calibrated is a Market with the parameters that make it reproduce its
// base year exactly (see docs/MODEL.md, "Calibration"). It is read-only once
// made and may be shared between goroutines.
type Calibrated struct {
	// Market is a private copy of the input market. Its corridors keep the
	// input order, so corridor index k means the same in Market, in a
	// Policy made by NewPolicy (from the input or from this copy), and in
	// Solution.CorridorFlow; the solver fills them cheapest first (stable
	// sort by cost, re-done at every solve since a Policy may re-price them).
	// A nil input Wedge becomes a zero matrix.
	Market *Market

	Beta [][]float64 // β[i][r] CES share parameters
	A    []float64   // A[r] demand scale
	B    []float64   // B[i] mine-supply scale
	P0   []float64   // P0[r] base price index, $/t
	Q0   []float64   // Q0[r] base demand, Mt/yr
	S0   []float64   // S0[i] base sales, Mt/yr
	M0   []float64   // m0[i] base mine netback, $/t
	// MC0[i] is the base-year mine marginal cost, $/t (Supplier.MarginalCost,
	// or M0 when not given): the long-run mine supply curve passes through
	// (S0, MC0).
	MC0 []float64
	// Markup[i] is the base markup L = (m0 − MC0)/p0: the base-year gap
	// between the mine netback and the marginal cost, as a fraction of the
	// FOB price. A price-taking supplier supplies where
	// p·(1 − L)·(1 − δ̄) − c = MC (docs/MODEL.md, sections 3.4 and 4);
	// L·p per tonne is its markup rent. Held at its base value: the place
	// where market conduct (issue 15) will make it endogenous.
	Markup []float64
	// ConductMarkup[i] is the base conduct markup μ0 of supplier i, a share
	// of its FOB price (0 for a price-taker), backed out of the base data
	// (docs/MODEL.md, section 4.2); Markup holds what is left of the
	// base-year gap.
	ConductMarkup []float64
	// CostData[i] is the published marginal cost Supplier.MarginalCost
	// (0: not given). MC0 is below it when the conduct markup exceeds the
	// gap the cost data leave (section 4.2).
	CostData []float64
	// ConductGapShare[i] is the share of the base-year gap between the
	// netback and the published marginal cost, m0 − CostData, that the
	// base conduct markup takes, μ0·p0/(m0 − CostData): the stated
	// Supplier.ConductGapShare (less where the conduct it derives is
	// capped at 1, section 4.2), or the one a stated conduct implies
	// (above 1 when the conduct claims more than the gap and lowers MC0);
	// 0 for a price-taker or without cost data. Market.Suppliers[i].Conduct is
	// the conduct φ in force at base, derived from the share when the
	// share was stated (section 4.2).
	ConductGapShare []float64
	Home            []int // region index of supplier i's domestic sales, or -1
	// Bench is the index of the benchmark region (region 0 when
	// Market.Benchmark is empty).
	Bench int

	lnBeta   []float64   // ln β[i][r], flat i*R+r (0 where no route)
	lnA      []float64   // ln A[r]
	lnB      []float64   // ln B[i]
	route    []bool      // β[i][r] > 0, flat i*R+r
	netRev0  []float64   // Σ_k (p0[i] − c[i][k])·flow0[i][k], $M/yr
	cost0    []float64   // long-run variable mine cost of S0: η/(η+1)·S0·MC0, $M/yr
	corr0    [][]float64 // base corridor flows [i][k], input order
	domShare []float64   // Supplier.Domestic / x0[i][domReg[i]]
	domReg   []int       // region holding supplier i's domestic sales, or −1
	reach    [][][]int   // [i][k]: regions corridor k serves (nil: every region)
	adj      [][]float64 // [i][k]: own-freight cost of corridor k, $/t (routes.go)
	facOf    [][]int     // [i][k]: facility corridor k uses, or −1
	segRent  [][]float64 // [i][k]: base route rent e_k of tied corridor k, $/t (segments.go)
}

// Lag holds last month's realized quantities for partial adjustment
// (docs/MODEL.md, "Time paths"). A nil *Lag means the long run.
type Lag struct {
	Supply []float64 // S_{t−1}[i], Mt/yr: realized mine output
	Demand []float64 // C_{t−1}[r], Mt/yr: realized consumption (the CES quantity used)
	// Stocks and Expect, when not nil, switch on the stocks of the regions
	// that hold them (Region.StockMonths > 0; docs/MODEL.md, section 10):
	// Stocks[r] is S_{t−1}, the stocks at the end of last month, Mt;
	// Expect[r] is Pᵉ_t, the price index holders expect this month, $/t.
	Stocks []float64
	Expect []float64
}

// Status is the outcome of a solve, separate from error (gonum/optimize
// style): an error means the input was invalid; a Status other than
// Converged means the input was valid but no equilibrium the model can
// stand behind was found. Status.Err turns it into an error.
type Status int

const (
	NotStarted     Status = iota
	Converged             // max |residual| ≤ tolerance, prices plausible
	IterationLimit        // Newton iterations and fallback sweeps exhausted
	Stalled               // no further progress possible (reported with the residual)
	Failure               // no equilibrium within the price bounds
	// Implausible: the solve converged, but to prices the model cannot
	// stand behind (a price more than PlausibleMax times, or less than
	// PlausibleMin times, its base-year value); docs/MODEL.md, section 5.
	Implausible
)

// Errors of the statuses other than Converged (Status.Err).
var (
	ErrNotStarted     = errors.New("model: solve not started")
	ErrIterationLimit = errors.New("model: iteration limit reached")
	ErrStalled        = errors.New("model: solver stalled")
	ErrNoEquilibrium  = errors.New("model: no equilibrium within the price bounds")
	ErrImplausible    = errors.New("model: equilibrium outside the plausible price range")
)

// Plausible prices: a converged solve whose FOB price of a supplier that
// sells, or price index of a region that trades, lies outside
// [PlausibleMin, PlausibleMax] times its base-year value is Implausible.
// Potash prices stayed within a factor of about 5 of their 2020 level
// over 2000–2025 (the 2008 and 2022 peaks); beyond 10 the model's
// constant elasticities are far outside the data they describe.
const (
	PlausibleMin = 0.05
	PlausibleMax = 20.0
)

var statusInfo = [...]struct {
	name string
	err  error
}{
	NotStarted:     {"not started", ErrNotStarted},
	Converged:      {"converged", nil},
	IterationLimit: {"iteration limit", ErrIterationLimit},
	Stalled:        {"stalled", ErrStalled},
	Failure:        {"failure", ErrNoEquilibrium},
	Implausible:    {"implausible", ErrImplausible},
}

func (s Status) String() string {
	if s < 0 || int(s) >= len(statusInfo) {
		return fmt.Sprintf("status %d", int(s))
	}
	return statusInfo[s].name
}

// Err returns the error of status s: nil for Converged, else one of
// ErrNotStarted, ErrIterationLimit, ErrStalled, ErrNoEquilibrium,
// ErrImplausible (gonum/optimize's Status.Err).
func (s Status) Err() error {
	if s < 0 || int(s) >= len(statusInfo) {
		return fmt.Errorf("model: unknown status %d", int(s))
	}
	return statusInfo[s].err
}

// Result is the solver's own report on one call: Solver.Solve, or one
// month of a path (pathSim.solve). A call may solve the month more than
// once: Solver.Solve solves a path's month that failed from the carried
// facility values and segment discounts again from a cold start, and a
// path solves a month that still stopped short of a root again from
// starts 3 % and 10 % off, and a month or a lone solve that stalled
// with a Cournot seller once more with the fallback taking the seller's
// markup at the trial price (docs/MODEL.md, section 5). The counts
// (Iterations, Evaluations) and Fallback then tell what the whole call
// did, every attempt included; the other fields describe the solution
// returned: the last attempt's (Result.addAttempt), or, when every
// attempt stopped short of a root (IterationLimit or Stalled), that of
// the attempt with the smallest MaxResidual (Solver.pickBest).
type Result struct {
	// Status is the outcome of the attempt whose solution is returned
	// (the last, unless pickBest chose an earlier one).
	Status Status
	// Iterations counts the Newton (the rescue's included) and
	// bracketing iterations of every attempt of the call; the
	// fallback's repeated rounds count as run (cycle.go).
	Iterations int
	// Evaluations counts the excess-demand evaluations of every attempt
	// of the call (those done).
	Evaluations int
	// MaxResidual is the relative market-clearing residual of the
	// solution returned, max_i |Σ_r x[i][r] − S[i]| / max(S0[i], 1e-9)
	// (dimensionless).
	MaxResidual float64
	// Fallback says the bracketing fallback ran in some attempt of the
	// call (the solution returned need not come from it).
	Fallback bool
	// Steps counts suppliers whose market clears on a step of their supply
	// curve narrower than the resolution of a float64 price (a tiny
	// short-run η at a netback near 0): their price is fixed at the step,
	// their sales equal their demand, and their residual (0) is not in
	// MaxResidual. Of the solution returned.
	Steps int
	// SegmentSteps counts tied corridors' segments (docs/MODEL.md,
	// section 3.4) whose row clears on a step of the segment's tonnes
	// narrower than the resolution of its float64 discount z, every
	// other row within the tolerance: the row's residual, below the
	// step's height (about 5e-12), is not in MaxResidual. Of the
	// solution returned.
	SegmentSteps int
	// Rescued says the ordinary solve (Newton and the bracketing
	// fallback) failed and the price-form rescue found the solution
	// returned (docs/MODEL.md, section 5).
	Rescued bool
	// Reason says why the solution returned did not converge ("" when
	// it did), e.g. "Belarus: excess demand at the price bound 1e+08
	// $/t (no finite equilibrium: demand too inelastic for the supply
	// left)".
	Reason string
}

// addAttempt folds first, the report of an earlier attempt at the same
// call, into r, the report of the attempt that followed it: the counts
// add up and Fallback is true when either attempt ran the fallback; the
// fields that describe the solution (Status, MaxResidual, Steps,
// SegmentSteps, Rescued, Reason) stay r's (Solver.pickBest may then
// give them an earlier failed attempt's). (first.Rescued is always
// false: an attempt is made again only when it did not converge.)
func (r *Result) addAttempt(first Result) {
	r.Iterations += first.Iterations
	r.Evaluations += first.Evaluations
	r.Fallback = r.Fallback || first.Fallback
}

// Err returns nil when r converged, else Status.Err wrapped with r's
// Reason (errors.Is(r.Err(), ErrStalled) etc. hold).
func (r Result) Err() error {
	err := r.Status.Err()
	if err == nil || r.Reason == "" {
		return err
	}
	return fmt.Errorf("%w: %s", err, r.Reason)
}

// Binding names the constraint that limits a supplier's sales.
type Binding int

const (
	BindNone     Binding = iota // interior: the marginal corridor has spare room
	BindCorridor                // all economic corridors full (corridor rent)
	BindCapacity                // production capacity K (capacity rent)
	BindQuota                   // export cap (quota rent)
	BindClosed                  // supplier cannot sell at all (no open route, no corridor or no capacity)
)

// Solution is the equilibrium of one solve. All slices are sized for the
// market and reused by the Solver between calls; copy what you keep.
// docs/MODEL.md, section 6 "Outputs", defines every field. Money flows
// are annual rates, $M/yr; welfare levels are measured from the base
// year on the long-run curves in force, so that scenario − counterfactual
// is the welfare change of a month (section 6).
type Solution struct {
	// Per supplier i.
	FOB            []float64   // list FOB price p[i], the solver's unknown, $/t (for a BindClosed supplier: its reservation price)
	FOBReceived    []float64   // average FOB price received per tonne, after concessions: Revenue/Sales, $/t (the list price when it sells nothing)
	Netback        []float64   // average mine netback per tonne: NetbackRevenue/Sales, $/t (0 when it sells nothing)
	MarginalCost   []float64   // long-run mine marginal cost of the month's output (S/B)^(1/η), $/t
	Sales          []float64   // S[i] = Σ_r x[i][r], Mt/yr (domestic sales included)
	Exports        []float64   // sales outside Home, less domestic sales inside other regions' flows, Mt/yr
	DomesticSales  []float64   // sales in the supplier's own country: the flow to Home, or the domestic share of the flow to DomesticIn, Mt/yr
	Revenue        []float64   // FOB revenue received on all sales, Σ_r p(1−δ)·x, $M/yr
	ExportRev      []float64   // FOB revenue received on exports, $M/yr
	NetbackRevenue []float64   // mine netback revenue: Revenue less logistics costs (corridor costs and cost shifts, before export tax), $M/yr
	LogisticsCost  []float64   // Σ_k corridor cost·flow (cost shifts included, export tax not), $M/yr
	ExportTax      []float64   // export tax paid, collected by the supplier's government, $M/yr
	ConcessionPaid []float64   // concessions granted to buyers, Σ_r δ·p·x, $M/yr (a transfer)
	CapacityUse    []float64   // S/K, fraction (0 when K = 0)
	CorridorFlow   [][]float64 // [i][k] Mt/yr; k in the order of Market.Suppliers[i].Corridors (as in Policy); corridors fill cheapest first
	CorridorUse    [][]float64 // [i][k] flow/capacity (0 for a closed corridor)
	// Rents, $M/yr; with the long-run variable mine cost they add up to
	// NetbackRevenue − ExportTax (section 6):
	MarkupRent []float64 // markup rent (L + μ)·p̄·S: the base markup L (the base-year gap between netback and marginal cost left after the conduct markup, a share of the FOB price) and the conduct markup μ (section 3.8)
	// ConductMarkup[i] is the conduct markup μ in force, a share of the FOB
	// price (0 for a price-taker; docs/MODEL.md, section 3.8).
	ConductMarkup  []float64
	CorridorRent   []float64 // scarcity rent (m̃ − MC_t)·S when the corridors bind (BindCorridor), else 0
	CapacityRent   []float64 // the same when production capacity binds (BindCapacity)
	QuotaRent      []float64 // the same when the export cap binds (BindQuota)
	AdjustmentRent []float64 // short-run quasi-rent (MC_t − MC)·S: marginal cost on the month's short-run supply curve less the long-run one (negative while output lags behind a fall)
	MineRent       []float64 // inframarginal mine rent S·MC/(η+1): the long-run cost curve's producer surplus
	RouteRent      []float64 // inframarginal logistics rent Σ_k (c_j* − c_k)·flow_k of corridors cheaper than the marginal one
	FacilityRent   []float64 // the shadow value of the shared facilities' capacity on the supplier's tonnes through them, Σ_k ρ_f(k)·flow_k: its share of the facilities' scarcity rent
	// ProducerSurplus is NetbackRevenue − ExportTax − C(S), C the long-run
	// variable mine cost η/(η+1)·S·MC, less its base-year value
	// NetbackRevenue0 − C0(S0), $M/yr: measured from the base year, not a
	// level; a difference between two paths is a welfare change.
	ProducerSurplus []float64
	Binding         []Binding

	// Per region r. A region with no open variety (every supplier banned
	// or unable to sell) has no trade: Traded[r] is false and its prices
	// and quantities are 0 (docs/MODEL.md, section 6).
	Traded             []bool
	Tonnes             []float64 // tonnes bought, Σ_i x[i][r], Mt/yr (physical consumption)
	Imports            []float64 // tonnes from suppliers whose country is not r, Mt/yr
	CFRPrice           []float64 // average CFR transaction price per tonne, Σ_i π·x / Σ_i x, π = p(1−δ) + f, $/t
	PricePaid          []float64 // average price buyers pay per tonne: CFR plus import tariffs and quota premia (not risk costs), $/t
	PriceIndex         []float64 // P[r], the CES price index of effective delivered prices (risk costs included), $/t
	Demand             []float64 // X[r], shipments into r: the CES quantity index of the flows (base-year tonnes), Mt/yr
	Consumption        []float64 // C[r], use by farmers, in the same CES units: Demand less 12 × the month's stock change, Mt/yr
	Stocks             []float64 // S[r], importers' and distributors' stocks at the end of the month, in the same units, Mt
	ImportBill         []float64 // CFR value of imports, $M/yr
	TariffRevenue      []float64 // import tariffs collected by r's government (base wedge, Wedge and the tariff-rate quotas' own rates), $M/yr
	TRQRent            []float64 // quota rent of the tariff-rate quotas into r, kept by its importers, $M/yr
	RiskCost           []float64 // risk costs buyers bear, Σ_i π·κ·x (nobody collects them), $M/yr
	ConcessionReceived []float64 // concessions received from sellers, Σ_i δ·p·x, $M/yr
	// ConsumerSurplus is the area left of the long-run demand curve in
	// force, s·A·P^(−ε), between the base price index P0 and P, $M/yr:
	// measured from the base-year price, not a level; a difference
	// between two paths is a welfare change.
	ConsumerSurplus []float64

	// Per route.
	Flow      [][]float64 // x[i][r], Mt/yr (0 for a banned route)
	CFR       [][]float64 // π[i][r] = p(1−δ) + f, the transaction price, $/t
	Delivered [][]float64 // p[i][r] = π·(1 + τ + ϑ + κ), the effective price in the CES index, $/t (for a banned route: the price it would have had)

	// Benchmark is CFRPrice[Bench], $/t (0 when the benchmark region does
	// not trade): the average CFR transaction price, like the Pink Sheet's.
	Benchmark float64

	// CorridorCap[i][k] is the corridor capacity in force, Mt/yr (k in
	// input order, as CorridorFlow). Added by the path engineer; NewSolution
	// allocates it and Solve fills it from the Policy (Simulate also copies
	// each month's Policy into it).
	CorridorCap [][]float64

	// Per shared facility f (Market.Facilities).
	FacilityValue []float64 // ρ[f]: the shadow value of its capacity, $/t (0 while it has room)
	FacilityUse   []float64 // the flows of the corridors using it, Mt/yr
}

// solField is one float field of Solution: a vector (per supplier or
// region) or a matrix (per route or corridor). NewSolution
// goes through solFields, so a new output is one entry here, and one
// line in carveSolution, solutionSlab's solFields written out
// (TestCarveSolution fails without it).
type solField struct {
	shape shape
	vec   func(s *Solution) *[]float64
	mat   func(s *Solution) *[][]float64
}

func vecField(sh shape, f func(s *Solution) *[]float64) solField { return solField{shape: sh, vec: f} }
func matField(sh shape, f func(s *Solution) *[][]float64) solField {
	return solField{shape: sh, mat: f}
}

// solFields lists every float field of Solution (Binding and Benchmark
// are handled apart).
var solFields = [...]solField{
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.FOB }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.FOBReceived }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.Netback }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.MarginalCost }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.Sales }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.Exports }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.DomesticSales }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.Revenue }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.ExportRev }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.NetbackRevenue }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.LogisticsCost }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.ExportTax }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.ConcessionPaid }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.CapacityUse }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.MarkupRent }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.CorridorRent }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.CapacityRent }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.QuotaRent }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.AdjustmentRent }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.MineRent }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.RouteRent }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.ProducerSurplus }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.Tonnes }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.Imports }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.CFRPrice }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.PricePaid }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.PriceIndex }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.Demand }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.Consumption }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.Stocks }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.ImportBill }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.TariffRevenue }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.TRQRent }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.RiskCost }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.ConcessionReceived }),
	vecField(perRegion, func(s *Solution) *[]float64 { return &s.ConsumerSurplus }),
	matField(perCorridor, func(s *Solution) *[][]float64 { return &s.CorridorFlow }),
	matField(perCorridor, func(s *Solution) *[][]float64 { return &s.CorridorUse }),
	matField(perRoute, func(s *Solution) *[][]float64 { return &s.Flow }),
	matField(perRoute, func(s *Solution) *[][]float64 { return &s.CFR }),
	matField(perRoute, func(s *Solution) *[][]float64 { return &s.Delivered }),
	matField(perCorridor, func(s *Solution) *[][]float64 { return &s.CorridorCap }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.ConductMarkup }),
	vecField(perSupplier, func(s *Solution) *[]float64 { return &s.FacilityRent }),
	vecField(perFacility, func(s *Solution) *[]float64 { return &s.FacilityValue }),
	vecField(perFacility, func(s *Solution) *[]float64 { return &s.FacilityUse }),
}

// NewSolution allocates a Solution sized for c's market: every slice is
// allocated, so a Solution can be filled by Solve without allocating.
func NewSolution(c *Calibrated) *Solution {
	m := c.Market
	s := &Solution{Binding: make([]Binding, len(m.Suppliers)), Traded: make([]bool, len(m.Regions))}
	fs := carver[float64]{chunked: true}
	for f := range solFields {
		sf := &solFields[f]
		n := sf.shape.rows(m)
		if sf.vec != nil {
			*sf.vec(s) = fs.take(n)
			continue
		}
		*sf.mat(s) = rows[float64](m, sf.shape, n)
	}
	return s
}

// Default solver settings.
const (
	// DefaultTol is the default convergence tolerance on the relative
	// market-clearing residual.
	DefaultTol = 1e-12
	// DefaultMaxIter is the default bound on Newton iterations.
	DefaultMaxIter = 100
	// DefaultMaxSweeps is the default bound on Gauss–Seidel sweeps of the
	// bracketing fallback.
	DefaultMaxSweeps = 2000
)

// Solver finds equilibrium FOB prices for a Calibrated market. It holds
// workspace so that repeated solves do not allocate; it is not safe for
// concurrent use (make one per goroutine).
type Solver struct {
	// Tol is the convergence tolerance on the relative market-clearing
	// residual max_i |Σ_r x[i][r] − S[i]| / max(S0[i], 1e-9); default 1e-12.
	Tol float64
	// MaxIter bounds the Newton iterations; default 100.
	MaxIter int
	// MaxSweeps bounds the Gauss–Seidel sweeps of the bracketing fallback;
	// default 2000.
	MaxSweeps int

	ws   *workspace
	best bestAttempt // a call's failed attempts (noteAttempt, pickBest)
}

// bestAttempt holds, for a call that solves more than once, the failed
// attempt with the smallest MaxResidual so far: its report and a copy
// of its Solution (sol, made on the first use).
type bestAttempt struct {
	have bool
	res  Result
	sol  *Solution
}

// noteAttempt records res, a failed attempt whose Solution is sol, when
// its residual is below that of every attempt noted since the last
// pickBest.
func (s *Solver) noteAttempt(res Result, sol *Solution) {
	if attemptCheck != nil {
		attemptCheck(res, sol)
	}
	b := &s.best
	if b.have && !(res.MaxResidual < b.res.MaxResidual) {
		return
	}
	if b.sol == nil {
		b.sol = NewSolution(s.ws.c)
	}
	copySolution(b.sol, sol)
	b.res, b.have = res, true
}

// pickBest ends a call whose last attempt reported res into sol: when
// that attempt stopped short of a root (IterationLimit or Stalled) and an
// attempt noted before came closer (a smaller MaxResidual), sol and the
// fields of res that describe the solution become that attempt's
// (Result.addAttempt); the counts stay the whole call's.
func (s *Solver) pickBest(res *Result, sol *Solution) {
	b := &s.best
	if !b.have {
		return
	}
	b.have = false
	if attemptCheck != nil {
		attemptCheck(*res, sol)
	}
	if (res.Status != IterationLimit && res.Status != Stalled) || !(b.res.MaxResidual < res.MaxResidual) {
		return
	}
	copySolution(sol, b.sol)
	r := b.res
	res.Status, res.MaxResidual, res.Steps, res.SegmentSteps, res.Rescued, res.Reason = r.Status, r.MaxResidual, r.Steps, r.SegmentSteps, r.Rescued, r.Reason
}

// attemptCheck, when set (tests only), is called with every attempt of
// a call that solves more than once (noteAttempt, pickBest), in order.
var attemptCheck func(res Result, sol *Solution)

// copySolution copies every output of src into dst (both made for the
// same market).
func copySolution(dst, src *Solution) {
	for f := range solFields {
		sf := &solFields[f]
		if sf.vec != nil {
			copy(*sf.vec(dst), *sf.vec(src))
			continue
		}
		d, sr := *sf.mat(dst), *sf.mat(src)
		for i := range d {
			copy(d[i], sr[i])
		}
	}
	copy(dst.Binding, src.Binding)
	copy(dst.Traded, src.Traded)
	dst.Benchmark = src.Benchmark
}

// NewSolver returns a Solver for c with default settings.
func NewSolver(c *Calibrated) *Solver {
	return &Solver{Tol: DefaultTol, MaxIter: DefaultMaxIter, MaxSweeps: DefaultMaxSweeps, ws: newWorkspace(c)}
}

// newSolverFrom is NewSolver taking old's Solver, workspace and their
// storage (wsMem): an earlier Monte Carlo draw's, which must not be
// used again. The workspace is made anew in the rewound storage
// (newWorkspaceIn), a new one's value for value (TestSolverRenewal). nil:
// all new.
func newSolverFrom(old *Solver, c *Calibrated) *Solver {
	if old == nil || old.ws == nil || old.ws.mem == nil {
		return NewSolver(c)
	}
	w := old.ws
	w.mem.rewind()
	*old = Solver{Tol: DefaultTol, MaxIter: DefaultMaxIter, MaxSweeps: DefaultMaxSweeps, ws: newWorkspaceIn(w, c, w.mem)}
	return old
}

// Solve finds the equilibrium under pol. lag, if not nil, makes it the
// short-run equilibrium of one month (partial adjustment from last month's
// quantities); nil solves the long run. start, if not nil, holds starting
// FOB prices (warm start); otherwise the base prices are used (entries that
// are not positive finite numbers fall back to the base price). The result
// is written into sol (from NewSolution). An error means invalid input
// (wrong shapes, NaN, negative capacity); a valid input that does not
// converge returns a Result whose Status says so and no error (sol then
// holds the best point found, still free of NaN and Inf).
func (s *Solver) Solve(pol *Policy, lag *Lag, start []float64, sol *Solution) (Result, error) {
	if s == nil || s.ws == nil {
		return Result{Status: Failure}, &FieldError{Msg: "model: Solver not made by NewSolver", Kind: ErrInvalidSolver}
	}
	w := s.ws
	if err := w.checkSolution(sol); err != nil {
		return Result{Status: Failure}, err
	}
	if err := w.prepare(pol, lag, start); err != nil {
		return Result{Status: Failure}, err
	}
	tol := s.Tol
	if !(tol > 0) {
		tol = DefaultTol
	}
	maxIter := s.MaxIter
	if maxIter <= 0 {
		maxIter = DefaultMaxIter
	}
	maxSweeps := s.MaxSweeps
	if maxSweeps <= 0 {
		maxSweeps = DefaultMaxSweeps
	}
	res := w.solve(tol, maxIter, maxSweeps)
	if res.Status != Converged && w.carryLU && w.haveCarry {
		// A path's month that started from last month's facility values
		// and segment discounts (keepCarry) and failed is solved once
		// more from a cold start (z = 0, each facility bracketed), as a
		// lone Solve starts: the carried z can sit across a kink of a
		// tied corridor's row from this month's root (docs/MODEL.md §5,
		// Newton's chord steps along a path).
		first := res
		w.haveCarry, w.jstate = false, jacNone
		if err := w.prepare(pol, lag, start); err != nil {
			return Result{Status: Failure}, err
		}
		res = w.solve(tol, maxIter, maxSweeps)
		res.addAttempt(first)
	}
	retried := !w.carryLU && w.markupRetry(res)
	if retried {
		// A lone solve's last attempt: the fallback clears a Cournot
		// seller's market with its markup at the trial price
		// (workspace.ownMu; a path makes it after its restarts,
		// pathSim.solve). The call returns the attempt that came
		// closer (pickBest).
		w.fill(sol, pol)
		s.best.have = false
		s.noteAttempt(res, sol)
		first := res
		w.ownMu, w.jstate = true, jacNone
		err := w.prepare(pol, lag, start)
		if err == nil {
			res = w.solve(tol, maxIter, maxSweeps)
			res.addAttempt(first)
		}
		w.ownMu = false
		if err != nil {
			return Result{Status: Failure}, err
		}
	}
	w.keepCarry(res.Status == Converged)
	w.fill(sol, pol)
	if res.Status == Converged {
		w.checkPlausible(&res, sol)
	}
	if retried {
		s.pickBest(&res, sol)
	}
	return res, nil
}
