package model

import (
	"fmt"
	"math"
)

// Corridors tied to destinations and facilities shared between corridors
// (docs/MODEL.md, sections 3.4 and 3.9).
//
// A corridor that serves only some regions is tied to them: in the
// cheapest-first fill of the supplier's corridors its capacity in force is
// min(κ, Σ_{r served} x[i][r]), the tonnes it can carry at most. Because a
// supplier's tied corridors serve disjoint sets of regions, that fill is
// the supplier's least-cost routing of its sales (section 3.4). A
// corridor's own freight to a region it serves is a logistics cost of the
// supplier on top of the corridor's cost: its difference from the route's
// freight, weighted by the base flows when it serves several regions.
//
// A facility's capacity bounds the flows of all the corridors naming it.
// Its shadow value ρ ≥ 0 ($/t) is one more unknown of the equilibrium:
// every corridor using the facility costs ρ more in the fill (the
// opportunity cost of its slot), and
//
//	Σ_users flow ≤ K_F,   ρ ≥ 0,   ρ·(K_F − Σ flow) = 0.

// corridorReach returns the indices of the regions corridor k of supplier
// i serves, or nil when it serves every region.
func corridorReach(m *Market, i, k int) []int {
	cr := &m.Suppliers[i].Corridors[k]
	if len(cr.Serves) == 0 {
		return nil
	}
	var out []int
	for _, sv := range cr.Serves {
		if r := m.RegionIndex(sv.Region); r >= 0 {
			out = append(out, r)
		}
	}
	if len(out) == len(m.Regions) {
		return nil // serves every region: not tied
	}
	return out
}

// corridorAdj returns the own-freight cost of corridor k of supplier i,
// $/t: Σ_r w_r·(f_k[r] − f[i][r]) over the regions it serves with its own
// freight, w_r the base flow's share among the regions it serves (equal
// weights when they have none).
func corridorAdj(m *Market, i, k int) float64 {
	cr := &m.Suppliers[i].Corridors[k]
	var num, den, sum float64
	for _, sv := range cr.Serves {
		r := m.RegionIndex(sv.Region)
		if r < 0 {
			continue
		}
		d := 0.0
		if sv.Own {
			d = sv.Freight - m.Freight[i][r]
		}
		num += m.Flows[i][r] * d
		den += m.Flows[i][r]
		sum += d
	}
	switch {
	case den > 0:
		return num / den
	case len(cr.Serves) > 0:
		return sum / float64(len(cr.Serves))
	}
	return 0
}

// baseCorridors returns supplier i's corridor capacities and costs in the
// base year, in input order: a tied corridor's capacity limited to the base
// flows of the regions it serves, its cost with its own-freight cost.
func baseCorridors(m *Market, i int) (caps, costs []float64) {
	s := &m.Suppliers[i]
	caps = make([]float64, len(s.Corridors))
	costs = make([]float64, len(s.Corridors))
	for k, cr := range s.Corridors {
		caps[k] = cr.Capacity
		if reach := corridorReach(m, i, k); reach != nil {
			var x float64
			for _, r := range reach {
				x += m.Flows[i][r]
			}
			caps[k] = math.Min(caps[k], x)
		}
		costs[k] = cr.Cost + corridorAdj(m, i, k)
	}
	return caps, costs
}

// costOrder returns the indices of costs sorted ascending, stable.
func costOrder(costs []float64) []int {
	ord := make([]int, len(costs))
	for k := range ord {
		ord[k] = k
	}
	for a := 1; a < len(ord); a++ {
		for b := a; b > 0 && costs[ord[b]] < costs[ord[b-1]]; b-- {
			ord[b], ord[b-1] = ord[b-1], ord[b]
		}
	}
	return ord
}

// baseFill fills supplier i's corridors cheapest first with its base
// sales s0 (base capacities and costs, baseCorridors) and returns the
// flows in input order and the input index of the corridor carrying the
// last tonne (−1 when none is open).
func baseFill(m *Market, i int, s0 float64) (flows []float64, last int, costs []float64) {
	caps, costs := baseCorridors(m, i)
	flows = make([]float64, len(caps))
	left := s0
	last = -1
	for _, k := range costOrder(costs) {
		if caps[k] <= 0 {
			continue
		}
		last = k
		f := math.Min(left, caps[k])
		flows[k] = f
		left -= f
		if left <= 0 {
			break
		}
	}
	return flows, last, costs
}

// validateRoutes checks the corridors' served regions, own freights and
// facilities, and the facilities themselves.
func validateRoutes(m *Market) error {
	seen := map[string]bool{}
	for f, fc := range m.Facilities {
		if fc.Name == "" {
			return marketErr("facilities[%d].name: empty", f)
		}
		if seen[fc.Name] {
			return marketErr("facilities[%s].name: duplicate facility", fc.Name)
		}
		seen[fc.Name] = true
		if !finite(fc.Capacity) || fc.Capacity < 0 {
			return marketErr("facilities[%s].capacity: %v must be a finite number ≥ 0", fc.Name, fc.Capacity)
		}
	}
	for i, s := range m.Suppliers {
		covered := map[int]string{} // region → tied corridor serving it
		for k, cr := range s.Corridors {
			// The corridor's name for an error (built only for one).
			cf := func() string { return fmt.Sprintf("suppliers[%s].corridors[%s]", supName(m, i), cr.Name) }
			if cr.Facility != "" && m.FacilityIndex(cr.Facility) < 0 {
				return marketErr("%s.facility: unknown facility %q", cf(), cr.Facility)
			}
			if cr.Facility != "" && corridorReach(m, i, k) != nil {
				return marketErr("%s.facility: a corridor using a shared facility must serve every region", cf())
			}
			rs := map[string]bool{}
			for _, sv := range cr.Serves {
				if m.RegionIndex(sv.Region) < 0 {
					return marketErr("%s.serves[%s]: unknown region %q", cf(), sv.Region, sv.Region)
				}
				if rs[sv.Region] {
					return marketErr("%s.serves[%s]: region listed twice", cf(), sv.Region)
				}
				rs[sv.Region] = true
				if sv.Own && (!finite(sv.Freight) || sv.Freight < 0) {
					return marketErr("%s.serves[%s].freight: %v must be a finite number ≥ 0", cf(), sv.Region, sv.Freight)
				}
			}
			for _, r := range corridorReach(m, i, k) {
				if other, ok := covered[r]; ok {
					return marketErr("%s.serves[%s]: also served by corridor %s; a supplier's corridors tied to some regions must serve disjoint sets (list every region to serve them all)", cf(), m.Regions[r].Name, other)
				}
				covered[r] = cr.Name
			}
		}
	}
	return nil
}

// validateFacilityUse checks that the base-year corridor flows fit in every
// facility (the base year has no facility rent).
func validateFacilityUse(m *Market, corr0 [][]float64) error {
	for f, fc := range m.Facilities {
		var u float64
		for i, s := range m.Suppliers {
			for k, cr := range s.Corridors {
				if cr.Facility == fc.Name {
					u += corr0[i][k]
				}
			}
		}
		if u > fc.Capacity*(1+1e-12) {
			return marketErr("facilities[%s].capacity: %g Mt/yr is below its base-year use %g Mt/yr (the corridors naming it, filled cheapest first)", m.Facilities[f].Name, fc.Capacity, u)
		}
	}
	return nil
}
