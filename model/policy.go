package model

import (
	"fmt"
	"math"
	"slices"
)

// NoCap is the ExportCap value meaning "no export cap" (+Inf).
var NoCap = math.Inf(1)

// Policy is the set of instruments in force in one solve, written as the
// full state of every instrument (not as changes). NewPolicy returns the
// base-year policy; a Policy equal to it is the zero shock. Index i runs
// over suppliers, r over regions, k over a supplier's corridors in the
// order of Market.Suppliers[i].Corridors.
//
// Policy is a flat struct so that the solver reads it without
// indirection; every field is also listed in policyFields, from which
// NewPolicy, Reset, the comparison of two policies and Solver.Solve's
// input check are made.
type Policy struct {
	// Ban[i][r] closes the route: the variety drops out of region r's CES
	// index.
	Ban [][]bool
	// Wedge[i][r] is the extra import tariff on the route, ad valorem on
	// the CFR price, a fraction added to the base wedge: τ = τ0 + Wedge.
	// Buyers pay it and the importing region's government collects it
	// (Solution.TariffRevenue).
	Wedge [][]float64
	// Concession[i][r] is the price concession δ the seller grants on the
	// route, a fraction of its FOB price in [0, 1): buyers pay
	// p·(1 − δ) + f CFR and the seller receives p·(1 − δ). A transfer from
	// seller to buyers (docs/MODEL.md, section 3.1).
	Concession [][]float64
	// RiskCost[i][r] is the buyers' risk cost κ on the route (sanction
	// risk, compliance, insurance; also the tariff equivalent of a
	// non-tariff barrier), ad valorem on the CFR price, ≥ 0: it raises the
	// price buyers weigh, and nobody collects it (a deadweight cost).
	RiskCost [][]float64
	// ExportCap[i] is a quota on supplier i's total sales, Mt/yr; NoCap for
	// none.
	ExportCap []float64
	// CorridorCap[i][k] is corridor k's capacity, Mt/yr (0 closes it).
	CorridorCap [][]float64
	// CorridorCost[i][k] is corridor k's unit cost, $/t.
	CorridorCost [][]float64
	// CapacityAdd[i] is added to production capacity K[i], Mt/yr (negative
	// for outages; K never goes below 0).
	CapacityAdd []float64
	// DemandScale[r] multiplies region r's demand at given prices (1 = none;
	// 1.05 = demand 5% higher).
	DemandScale []float64
	// StockScale[r] multiplies the stock target of region r's importers
	// and distributors, k·C̄ (1 = none; 1.3 = they want 30% more cover at
	// normal prices): precautionary stock-building ahead of an announced
	// disruption (docs/MODEL.md, section 10.2). No effect on a region
	// without stocks.
	StockScale []float64
	// CostShift[i] is added to every unit cost of supplier i, $/t (an
	// energy cost or a logistics surcharge: a real cost).
	CostShift []float64
	// ExportTax[i] is an export tax on supplier i's sales, $/t: it raises
	// its unit costs like CostShift, and its government collects it
	// (Solution.ExportTax). Negative: a subsidy.
	ExportTax []float64
	// TRQQuota[i][r] is the quota of a tariff-rate quota on the route,
	// Mt/yr (NoCap: none); TRQIn and TRQOut its in-quota and
	// out-of-quota ad-valorem rates, fractions added to the route's wedge
	// (TRQOut ≥ TRQIn). Imports up to the quota pay TRQIn, above it
	// TRQOut (docs/MODEL.md, section 3.7).
	TRQQuota [][]float64
	TRQIn    [][]float64
	TRQOut   [][]float64
	// Conduct[i] is supplier i's conduct parameter φ in [0, 1] (0 a
	// price-taker, 1 Cournot; base: Supplier.Conduct of the calibrated
	// market, derived there from a gap share when one is stated). Cooperation[g] is
	// coalition g's cooperation weight λ in [0, 1] (1 joint quantity
	// setting, 0 its members act alone; base: Coalition.Weight). See
	// docs/MODEL.md, section 3.8.
	Conduct     []float64
	Cooperation []float64

	// flat, when not nil, is the contiguous storage the fields are
	// carved from (newFlatPolicy).
	flat *policyFlat
	// gen, when not 0, is the policy's generation (routeCache): a flat
	// policy keeps it only while its per-route fields hold the values
	// they had when it got it. setEventsFrom clears it;
	// pathSim.setPolicy sets it.
	gen uint64
	// vgen, when not 0, is the generation of every value but
	// DemandScale's (valueCheck): a flat policy keeps it only while those
	// values are the ones it had when it got it. setEventsFrom clears
	// it; pathSim.setPolicy sets it.
	vgen uint64
}

// policyFlat is the storage of a Policy made by newFlatPolicy: every
// float field carved, in policyFields order and rows in order, from one
// array and the bool field from another, so that copying, comparing and
// checking a whole policy are loops over contiguous memory. Only the path
// simulation makes such policies, and it never replaces their rows.
type policyFlat struct {
	m    *Market // the market the policy was made for
	f    []float64
	b    []bool
	span [][2]int // per policyFields entry: its [start, end) in f (in b for the bool field)
}

// shape is what a Policy field is indexed by.
type shape uint8

const (
	perSupplier  shape = iota // vector [i]
	perRegion                 // vector [r]
	perRoute                  // matrix [i][r]
	perCorridor               // matrix [i][k], k in the supplier's corridor order
	perCoalition              // vector [g], g in Market.Coalitions
	perFacility               // vector [f] over Market.Facilities (Solution only)
)

// valid is the check a Policy field's values must pass.
type valid uint8

const (
	finiteAny      valid = iota // a finite number
	finiteNonNeg                // a finite number ≥ 0
	nonNegOrNoCap               // a number ≥ 0, +Inf allowed (NoCap)
	boolean                     // a bool field: nothing to check
	finiteOrNoCap               // a finite number or +Inf
	positiveFinite              // a finite number > 0
	unitFraction                // a number in [0, 1)
	unitClosed                  // a number in [0, 1]
)

// policyField is one field of Policy. Exactly one of vec, mat, bools is
// set (by shape). base, when not nil, gives the base-year value of a
// corridor field from the market; otherwise the base value is def.
type policyField struct {
	name  string // snake_case, used in error messages: "policy.NAME[...]"
	shape shape
	check valid
	def   float64
	base  func(m *Market, i, k int) float64
	vec   func(p *Policy) *[]float64
	mat   func(p *Policy) *[][]float64
	bools func(p *Policy) *[][]bool
}

// policyFields lists every field of Policy (see policyField).
var policyFields = []policyField{
	{name: "ban", shape: perRoute, check: boolean, bools: func(p *Policy) *[][]bool { return &p.Ban }},
	{name: "wedge", shape: perRoute, check: finiteAny, mat: func(p *Policy) *[][]float64 { return &p.Wedge }},
	{name: "concession", shape: perRoute, check: unitFraction, mat: func(p *Policy) *[][]float64 { return &p.Concession }},
	{name: "risk_cost", shape: perRoute, check: finiteNonNeg, mat: func(p *Policy) *[][]float64 { return &p.RiskCost }},
	{name: "export_cap", shape: perSupplier, check: nonNegOrNoCap, def: NoCap, vec: func(p *Policy) *[]float64 { return &p.ExportCap }},
	{name: "corridor_capacity", shape: perCorridor, check: finiteNonNeg,
		base: func(m *Market, i, k int) float64 { return m.Suppliers[i].Corridors[k].Capacity },
		mat:  func(p *Policy) *[][]float64 { return &p.CorridorCap }},
	{name: "corridor_cost", shape: perCorridor, check: finiteAny,
		base: func(m *Market, i, k int) float64 { return m.Suppliers[i].Corridors[k].Cost },
		mat:  func(p *Policy) *[][]float64 { return &p.CorridorCost }},
	{name: "capacity_add", shape: perSupplier, check: finiteAny, vec: func(p *Policy) *[]float64 { return &p.CapacityAdd }},
	{name: "demand_scale", shape: perRegion, check: finiteNonNeg, def: 1, vec: func(p *Policy) *[]float64 { return &p.DemandScale }},
	{name: "stock_scale", shape: perRegion, check: finiteNonNeg, def: 1, vec: func(p *Policy) *[]float64 { return &p.StockScale }},
	{name: "cost_shift", shape: perSupplier, check: finiteAny, vec: func(p *Policy) *[]float64 { return &p.CostShift }},
	{name: "export_tax", shape: perSupplier, check: finiteAny, vec: func(p *Policy) *[]float64 { return &p.ExportTax }},
	{name: "trq_quota", shape: perRoute, check: nonNegOrNoCap, def: NoCap, mat: func(p *Policy) *[][]float64 { return &p.TRQQuota }},
	{name: "trq_in", shape: perRoute, check: finiteAny, mat: func(p *Policy) *[][]float64 { return &p.TRQIn }},
	{name: "trq_out", shape: perRoute, check: finiteAny, mat: func(p *Policy) *[][]float64 { return &p.TRQOut }},
	{name: "conduct", shape: perSupplier, check: unitClosed,
		base: func(m *Market, i, _ int) float64 { return m.Suppliers[i].Conduct },
		vec:  func(p *Policy) *[]float64 { return &p.Conduct }},
	{name: "cooperation", shape: perCoalition, check: unitClosed,
		base: func(m *Market, g, _ int) float64 { return m.Coalitions[g].Weight },
		vec:  func(p *Policy) *[]float64 { return &p.Cooperation }},
}

// rows returns the number of rows (matrices) or entries (vectors) of a
// field of shape s in m, and the length of row i of a matrix.
func (s shape) rows(m *Market) int {
	switch s {
	case perRegion:
		return len(m.Regions)
	case perCoalition:
		return len(m.Coalitions)
	case perFacility:
		return len(m.Facilities)
	}
	return len(m.Suppliers)
}

func (s shape) cols(m *Market, i int) int {
	if s == perCorridor {
		return len(m.Suppliers[i].Corridors)
	}
	return len(m.Regions)
}

// NewPolicy returns the base-year policy of m: nothing banned, no extra
// wedges or caps, corridors as in m, no capacity, demand or cost shift.
func NewPolicy(m *Market) *Policy {
	p := &Policy{}
	for f := range policyFields {
		pf := &policyFields[f]
		n := pf.shape.rows(m)
		switch {
		case pf.vec != nil:
			*pf.vec(p) = make([]float64, n)
		case pf.mat != nil:
			*pf.mat(p) = rows[float64](m, pf.shape, n)
		default:
			*pf.bools(p) = rows[bool](m, pf.shape, n)
		}
	}
	p.Reset(m)
	return p
}

// newFlatPolicy is NewPolicy with every field carved from one array
// (policyFlat): the same values, cheaper to copy (copyFrom), compare
// (policiesEqual) and check (Policy.check) whole.
func newFlatPolicy(m *Market) *Policy {
	p := &Policy{}
	fl := &policyFlat{m: m, span: make([][2]int, len(policyFields))}
	nf, nb := 0, 0
	for f := range policyFields {
		pf := &policyFields[f]
		n := pf.shape.rows(m)
		size := n
		if pf.vec == nil {
			size = 0
			for i := 0; i < n; i++ {
				size += pf.shape.cols(m, i)
			}
		}
		if pf.bools != nil {
			fl.span[f] = [2]int{nb, nb + size}
			nb += size
		} else {
			fl.span[f] = [2]int{nf, nf + size}
			nf += size
		}
	}
	fl.f, fl.b = make([]float64, nf), make([]bool, nb)
	for f := range policyFields {
		pf := &policyFields[f]
		n := pf.shape.rows(m)
		s0, s1 := fl.span[f][0], fl.span[f][1]
		switch {
		case pf.vec != nil:
			*pf.vec(p) = fl.f[s0:s1:s1]
		case pf.mat != nil:
			*pf.mat(p) = carveRows(m, pf.shape, n, fl.f[s0:s1])
		default:
			*pf.bools(p) = carveRows(m, pf.shape, n, fl.b[s0:s1])
		}
	}
	p.flat = fl
	p.Reset(m)
	return p
}

// carveRows cuts flat into the n rows of a matrix of shape sh.
func carveRows[T any](m *Market, sh shape, n int, flat []T) [][]T {
	a := make([][]T, n)
	for i := range a {
		c := sh.cols(m, i)
		a[i], flat = flat[:c:c], flat[c:]
	}
	return a
}

// sameFlat reports whether a and b are both flat policies of one shape.
func sameFlat(a, b *Policy) bool {
	return a.flat != nil && b.flat != nil && len(a.flat.f) == len(b.flat.f) && len(a.flat.b) == len(b.flat.b)
}

// rows makes the n rows of a matrix of shape sh, carved from one
// allocation.
func rows[T any](m *Market, sh shape, n int) [][]T {
	total := 0
	for i := 0; i < n; i++ {
		total += sh.cols(m, i)
	}
	return carveRows(m, sh, n, make([]T, total))
}

// Reset sets p back to the base-year policy of m without allocating; p must
// have been made by NewPolicy(m) (or for a market of the same shape).
func (p *Policy) Reset(m *Market) {
	for f := range policyFields {
		pf := &policyFields[f]
		switch {
		case pf.vec != nil:
			v := *pf.vec(p)
			if pf.base == nil {
				fill(v, pf.def)
				continue
			}
			for i := range v {
				v[i] = pf.base(m, i, 0)
			}
		case pf.mat != nil:
			for i, row := range *pf.mat(p) {
				if pf.base == nil {
					fill(row, pf.def)
					continue
				}
				for k := range row {
					row[k] = pf.base(m, i, k)
				}
			}
		default:
			for _, row := range *pf.bools(p) {
				clear(row)
			}
		}
	}
}

// copyFrom sets every instrument of p to base's without allocating: Reset
// when base is a base-year policy of p's market (pathSim keeps one so
// that a month's policy is a copy, not a walk through the base values).
// p and base must have the same shape.
func (p *Policy) copyFrom(base *Policy) {
	if sameFlat(p, base) {
		copy(p.flat.f, base.flat.f)
		copy(p.flat.b, base.flat.b)
		return
	}
	for f := range policyFields {
		pf := &policyFields[f]
		switch {
		case pf.vec != nil:
			copy(*pf.vec(p), *pf.vec(base))
		case pf.mat != nil:
			src := *pf.mat(base)
			for i, row := range *pf.mat(p) {
				copy(row, src[i])
			}
		default:
			src := *pf.bools(base)
			for i, row := range *pf.bools(p) {
				copy(row, src[i])
			}
		}
	}
}

func fill(a []float64, v float64) {
	if v == 0 {
		clear(a)
		return
	}
	for k := range a {
		a[k] = v
	}
}

// policiesEqual reports whether a and b set every instrument alike.
func policiesEqual(a, b *Policy) bool {
	if sameFlat(a, b) {
		// The same comparisons as below (== on every value), in one pass.
		return slices.Equal(a.flat.f, b.flat.f) && slices.Equal(a.flat.b, b.flat.b)
	}
	for f := range policyFields {
		pf := &policyFields[f]
		switch {
		case pf.vec != nil:
			if !slices.Equal(*pf.vec(a), *pf.vec(b)) {
				return false
			}
		case pf.mat != nil:
			ra, rb := *pf.mat(a), *pf.mat(b)
			for i := range ra {
				if !slices.Equal(ra[i], rb[i]) {
					return false
				}
			}
		default:
			ra, rb := *pf.bools(a), *pf.bools(b)
			for i := range ra {
				if !slices.Equal(ra[i], rb[i]) {
					return false
				}
			}
		}
	}
	return true
}

// check verifies that p has m's shape and that every value passes its
// field's check. Errors wrap ErrInvalidPolicy and name the field and the
// entry, e.g. `policy.wedge[Belarus][Brazil]: NaN is not a finite number`.
func (p *Policy) check(m *Market) error {
	if p == nil {
		return &FieldError{Field: "policy", Msg: "nil", Kind: ErrInvalidPolicy}
	}
	if fl := p.flat; fl != nil && fl.m == m {
		// Made for m, so of its shape: check the values run by run
		// (checkRuns), and name the first bad entry as below if there
		// is one.
		if fl.firstBadRun(true) >= 0 {
			return p.checkFields(m)
		}
		return nil
	}
	return p.checkFields(m)
}

// checkRun is a run of policyFields, first … end−1, that check their
// values alike: next to each other in a policyFlat's f (the bool field
// is in b), with the same check, and all per-route or none.
type checkRun struct {
	first, end int
	check      valid
	route      bool
}

// checkRuns are policyFields' values in runs (checkRun), in order: a
// flat policy is checked in a pass per run rather than per field.
var checkRuns = func() []checkRun {
	var runs []checkRun
	for f := range policyFields {
		pf := &policyFields[f]
		if pf.bools != nil {
			continue
		}
		route := pf.shape == perRoute
		if k := len(runs) - 1; k >= 0 && runs[k].end == f && runs[k].check == pf.check && runs[k].route == route {
			runs[k].end++
			continue
		}
		runs = append(runs, checkRun{f, f + 1, pf.check, route})
	}
	return runs
}()

// firstBadRun returns the index in checkRuns of the first run with a
// value that fails its check, or −1; the per-route runs are checked only
// when route.
func (fl *policyFlat) firstBadRun(route bool) int {
	for k := range checkRuns {
		r := &checkRuns[k]
		if (route || !r.route) && r.check.firstBad(fl.f[fl.span[r.first][0]:fl.span[r.end-1][1]]) >= 0 {
			return k
		}
	}
	return -1
}

// checkFields is check field by field, row by row.
func (p *Policy) checkFields(m *Market) error {
	for f := range policyFields {
		pf := &policyFields[f]
		n := pf.shape.rows(m)
		switch {
		case pf.vec != nil:
			v := *pf.vec(p)
			if len(v) != n {
				return p.shapeError(m)
			}
			if a := pf.check.firstBad(v); a >= 0 {
				return pf.valueError(m, a, -1, v[a])
			}
		case pf.mat != nil:
			a := *pf.mat(p)
			if len(a) != n {
				return p.shapeError(m)
			}
			for i, row := range a {
				if err := pf.rowLen(m, i, len(row)); err != nil {
					return err
				}
				if k := pf.check.firstBad(row); k >= 0 {
					return pf.valueError(m, i, k, row[k])
				}
			}
		default:
			a := *pf.bools(p)
			if len(a) != n {
				return p.shapeError(m)
			}
			for i, row := range a {
				if err := pf.rowLen(m, i, len(row)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// rowLen checks the length of row i of a matrix field.
func (pf *policyField) rowLen(m *Market, i, n int) error {
	if want := pf.shape.cols(m, i); n != want {
		return &FieldError{Field: "policy." + pf.name + "[" + m.Suppliers[i].Name + "]",
			Msg: fmt.Sprintf("%d entries, want %d; make the policy with NewPolicy", n, want), Kind: ErrInvalidPolicy}
	}
	return nil
}

func (p *Policy) shapeError(m *Market) error {
	return &FieldError{Field: "policy", Msg: fmt.Sprintf("shape does not match the market (%d suppliers, %d regions); make it with NewPolicy", len(m.Suppliers), len(m.Regions)), Kind: ErrInvalidPolicy}
}

// firstBad returns the index of the first entry of a that fails v, or −1.
// (One loop per check: this runs on every solve.)
func (v valid) firstBad(a []float64) int {
	switch v {
	case finiteAny:
		for k, x := range a {
			if x-x != 0 { // NaN or ±Inf
				return k
			}
		}
	case finiteNonNeg:
		for k, x := range a {
			if x-x != 0 || x < 0 {
				return k
			}
		}
	case unitFraction:
		for k, x := range a {
			if !(x >= 0 && x < 1) {
				return k
			}
		}
	case unitClosed:
		for k, x := range a {
			if !(x >= 0 && x <= 1) {
				return k
			}
		}
	case nonNegOrNoCap:
		for k, x := range a {
			if !(x >= 0) {
				return k
			}
		}
	default:
		for k, x := range a {
			if !v.ok(x) {
				return k
			}
		}
	}
	return -1
}

func (v valid) ok(x float64) bool {
	switch v {
	case finiteAny:
		return finite(x)
	case finiteNonNeg:
		return finite(x) && x >= 0
	case nonNegOrNoCap:
		return x >= 0 // false for NaN; +Inf passes
	case finiteOrNoCap:
		return !math.IsNaN(x) && !math.IsInf(x, -1)
	case positiveFinite:
		return finite(x) && x > 0
	case unitFraction:
		return x >= 0 && x < 1
	case unitClosed:
		return x >= 0 && x <= 1
	}
	return true
}

func (v valid) String() string {
	switch v {
	case finiteAny:
		return "a finite number"
	case finiteNonNeg:
		return "a finite number ≥ 0"
	case nonNegOrNoCap:
		return "≥ 0 (NoCap for none)"
	case finiteOrNoCap:
		return "a finite number (or NoCap)"
	case positiveFinite:
		return "a finite number > 0"
	case unitFraction:
		return "a fraction in [0, 1)"
	case unitClosed:
		return "a number in [0, 1]"
	}
	return "valid"
}

// valueError names entry (a, k) of field pf: [supplier or region] for a
// vector, [supplier][region or corridor] for a matrix.
func (pf *policyField) valueError(m *Market, a, k int, x float64) error {
	field := "policy." + pf.name
	switch pf.shape {
	case perRegion:
		field += "[" + m.Regions[a].Name + "]"
	case perSupplier:
		field += "[" + m.Suppliers[a].Name + "]"
	case perCoalition:
		field += "[" + m.Coalitions[a].Name + "]"
	case perRoute:
		field += "[" + m.Suppliers[a].Name + "][" + m.Regions[k].Name + "]"
	case perCorridor:
		field += "[" + m.Suppliers[a].Name + "][" + m.Suppliers[a].Corridors[k].Name + "]"
	}
	msg := fmt.Sprintf("%v must be %s", x, pf.check)
	if pf.check == finiteAny {
		msg = fmt.Sprintf("%v is not a finite number", x)
	}
	return &FieldError{Field: field, Msg: msg, Kind: ErrInvalidPolicy}
}
