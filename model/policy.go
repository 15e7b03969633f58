package model

import "math"

// NoCap is the ExportCap value meaning "no export cap".
var NoCap = math.Inf(1)

// Policy is the set of instruments in force in one solve, written as the
// full state of every instrument (not as changes). NewPolicy returns the
// base-year policy; a Policy equal to it is the zero shock. Index i runs
// over suppliers, r over regions, k over a supplier's corridors in the
// order of Market.Suppliers[i].Corridors.
type Policy struct {
	// Ban[i][r] closes the route: the variety drops out of region r's CES
	// index.
	Ban [][]bool
	// Wedge[i][r] is the extra ad-valorem wedge on the route (tariff, or the
	// discount buyers demand from a sanctioned seller), a fraction added to
	// the base wedge: τ = τ0 + Wedge.
	Wedge [][]float64
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
	// CostShift[i] is added to every unit cost of supplier i, $/t (an
	// export tax, energy cost, or a logistics surcharge).
	CostShift []float64
}

// NewPolicy returns the base-year policy of m: nothing banned, no extra
// wedges or caps, corridors as in m, no capacity, demand or cost shift.
func NewPolicy(m *Market) *Policy {
	n, R := len(m.Suppliers), len(m.Regions)
	p := &Policy{
		Ban:          make([][]bool, n),
		Wedge:        make([][]float64, n),
		ExportCap:    make([]float64, n),
		CorridorCap:  make([][]float64, n),
		CorridorCost: make([][]float64, n),
		CapacityAdd:  make([]float64, n),
		DemandScale:  make([]float64, R),
		CostShift:    make([]float64, n),
	}
	for i, s := range m.Suppliers {
		p.Ban[i] = make([]bool, R)
		p.Wedge[i] = make([]float64, R)
		p.ExportCap[i] = NoCap
		p.CorridorCap[i] = make([]float64, len(s.Corridors))
		p.CorridorCost[i] = make([]float64, len(s.Corridors))
		for k, c := range s.Corridors {
			p.CorridorCap[i][k] = c.Capacity
			p.CorridorCost[i][k] = c.Cost
		}
	}
	for r := range p.DemandScale {
		p.DemandScale[r] = 1
	}
	return p
}

// Reset sets p back to the base-year policy of m without allocating; p must
// have been made by NewPolicy(m) (or for a market of the same shape).
func (p *Policy) Reset(m *Market) {
	for i, s := range m.Suppliers {
		for r := range p.Ban[i] {
			p.Ban[i][r] = false
			p.Wedge[i][r] = 0
		}
		p.ExportCap[i] = NoCap
		for k, c := range s.Corridors {
			p.CorridorCap[i][k] = c.Capacity
			p.CorridorCost[i][k] = c.Cost
		}
		p.CapacityAdd[i] = 0
		p.CostShift[i] = 0
	}
	for r := range p.DemandScale {
		p.DemandScale[r] = 1
	}
}
