package model

import (
	"fmt"
	"math"
)

// Intensity returns the event's intensity w(t) in [0, 1] in month t
// (docs/MODEL.md, section 7 "Events"):
//
//	w(t) = 0                                     t < Start
//	w(t) = min(1, (t − Start + 1)/RampIn)        Start ≤ t < End (RampIn 0: 1)
//	w(t) = w(End−1)·max(0, 1 − (t − End + 1)/RampOut)   t ≥ End (RampOut 0: 0)
//
// End 0 means the event never ends. A ban has no ramp: its intensity is 1
// from Start until End and 0 otherwise.
func (e *Event) Intensity(t Month) float64 {
	if t < e.Start {
		return 0
	}
	if e.Kind == EventBan {
		if e.End != 0 && t >= e.End {
			return 0
		}
		return 1
	}
	if e.End == 0 || t < e.End {
		return rampIn(e, t)
	}
	if e.RampOut <= 0 {
		return 0
	}
	w0 := rampIn(e, e.End-1)
	if e.End-1 < e.Start {
		w0 = 0
	}
	f := 1 - float64(t-e.End+1)/float64(e.RampOut)
	if f <= 0 {
		return 0
	}
	return w0 * f
}

func rampIn(e *Event, t Month) float64 {
	if e.RampIn <= 0 {
		return 1
	}
	return math.Min(1, float64(t-e.Start+1)/float64(e.RampIn))
}

// ValueAt returns the event's target value in month t: Value, or, when
// Series is set, Series[t−Start] (its first entry before Start, its last
// entry after it runs out).
func (e *Event) ValueAt(t Month) float64 {
	if len(e.Series) == 0 {
		return e.Value
	}
	k := int(t - e.Start)
	if k < 0 {
		k = 0
	}
	if k >= len(e.Series) {
		k = len(e.Series) - 1
	}
	return e.Series[k]
}

// ValidateEvents checks that every event fits market m: known kind,
// indices in range, finite values, End after Start, non-negative ramps and
// unique ids. Errors name the event by id, e.g. `events[us-ban].region: 9
// out of range`.
func ValidateEvents(m *Market, events []Event) error {
	n, R := len(m.Suppliers), len(m.Regions)
	ids := make(map[string]bool, len(events))
	for k := range events {
		e := &events[k]
		name := e.ID
		if name == "" {
			name = fmt.Sprint(k)
		}
		f := "events[" + name + "]"
		if e.ID != "" {
			if ids[e.ID] {
				return fmt.Errorf("%s.id: duplicate event id", f)
			}
			ids[e.ID] = true
		}
		if e.Kind < EventBan || e.Kind > EventCost {
			return fmt.Errorf("%s.kind: unknown instrument %d", f, e.Kind)
		}
		needSup := e.Kind == EventExportCap || e.Kind == EventCorridorCapacity ||
			e.Kind == EventCorridorCost || e.Kind == EventCapacity
		if e.Supplier < -1 || e.Supplier >= n || (needSup && e.Supplier < 0) {
			return fmt.Errorf("%s.supplier: index %d out of range (%d suppliers)", f, e.Supplier, n)
		}
		if e.Region < -1 || e.Region >= R {
			return fmt.Errorf("%s.region: index %d out of range (%d regions)", f, e.Region, R)
		}
		if e.Kind == EventCorridorCapacity || e.Kind == EventCorridorCost {
			if e.Corridor < 0 || e.Corridor >= len(m.Suppliers[e.Supplier].Corridors) {
				return fmt.Errorf("%s.corridor: index %d out of range (%s has %d corridors)", f, e.Corridor, m.Suppliers[e.Supplier].Name, len(m.Suppliers[e.Supplier].Corridors))
			}
		}
		if !distFinite(e.Value) || (e.HasFrom && !distFinite(e.From)) {
			return fmt.Errorf("%s.value: %v is not a finite number", f, e.Value)
		}
		for j, v := range e.Series {
			if !distFinite(v) {
				return fmt.Errorf("%s.series[%d]: %v is not a finite number", f, j, v)
			}
		}
		if e.RampIn < 0 || e.RampOut < 0 {
			return fmt.Errorf("%s.ramp_months: %d/%d must not be negative", f, e.RampIn, e.RampOut)
		}
		if e.End != 0 && e.End <= e.Start {
			return fmt.Errorf("%s.end: %v must come after start %v", f, e.End, e.Start)
		}
		switch e.Kind {
		case EventExportCap, EventCorridorCapacity:
			for _, v := range append([]float64{e.Value}, e.Series...) {
				if v < 0 {
					return fmt.Errorf("%s.value: %g Mt/yr must not be negative", f, v)
				}
			}
		case EventWedge, EventDemand:
			for _, v := range append([]float64{e.Value}, e.Series...) {
				if v <= -1 {
					return fmt.Errorf("%s.pct: %g%% must exceed −100%%", f, 100*v)
				}
			}
		}
	}
	return nil
}

// SetPolicy writes into pol the instruments in force in month t of spec:
// the base-year policy of c's market, then every event of spec.Events in
// order, then the demand trend (docs/MODEL.md, section 7). It does not
// allocate. pol must come from NewPolicy(c.Market); the events must have
// passed ValidateEvents.
//
// Composition: deltas add (wedges, capacity, cost) or multiply (demand:
// DemandScale·(1 + w·v)); a level (export cap, corridor capacity or cost)
// moves from the level in force before the event (From when HasFrom; for
// an export cap, the base sales S0 when no cap was in force) to v by w, so
// a later event overrides an earlier one on the same instrument. A ban
// closes the route while in force.
func SetPolicy(pol *Policy, c *Calibrated, spec *Spec, t Month) {
	setEvents(pol, c, spec, t)
	m := c.Market
	if k := int(t - spec.Start); k != 0 {
		for r := range pol.DemandScale {
			if g := m.Regions[r].Growth; g != 0 {
				pol.DemandScale[r] *= GrowthFactor(g, k)
			}
		}
	}
}

// setEvents writes the base-year policy and every event in force in t
// (SetPolicy without the demand trend).
func setEvents(pol *Policy, c *Calibrated, spec *Spec, t Month) {
	pol.Reset(c.Market)
	for k := range spec.Events {
		e := &spec.Events[k]
		w := e.Intensity(t)
		if w == 0 {
			continue
		}
		applyEvent(pol, c, e, w, e.ValueAt(t))
	}
}

// GrowthFactor returns the demand-trend factor g_t = (1 + growth)^(k/12)
// after k months, growth a fraction per year.
func GrowthFactor(growth float64, k int) float64 {
	return math.Exp(math.Log1p(growth) * float64(k) / 12)
}

func applyEvent(pol *Policy, c *Calibrated, e *Event, w, v float64) {
	n, R := len(pol.Ban), len(pol.DemandScale)
	i0, i1 := 0, n
	if e.Supplier >= 0 {
		i0, i1 = e.Supplier, e.Supplier+1
	}
	r0, r1 := 0, R
	if e.Region >= 0 {
		r0, r1 = e.Region, e.Region+1
	}
	switch e.Kind {
	case EventBan:
		for i := i0; i < i1; i++ {
			for r := r0; r < r1; r++ {
				pol.Ban[i][r] = true
			}
		}
	case EventWedge:
		for i := i0; i < i1; i++ {
			for r := r0; r < r1; r++ {
				pol.Wedge[i][r] += w * v
			}
		}
	case EventExportCap:
		from := pol.ExportCap[e.Supplier]
		if math.IsInf(from, 1) {
			from = c.S0[e.Supplier]
		}
		if e.HasFrom {
			from = e.From
		}
		pol.ExportCap[e.Supplier] = math.Max(0, from+w*(v-from))
	case EventCorridorCapacity:
		from := pol.CorridorCap[e.Supplier][e.Corridor]
		if e.HasFrom {
			from = e.From
		}
		pol.CorridorCap[e.Supplier][e.Corridor] = math.Max(0, from+w*(v-from))
	case EventCorridorCost:
		from := pol.CorridorCost[e.Supplier][e.Corridor]
		if e.HasFrom {
			from = e.From
		}
		pol.CorridorCost[e.Supplier][e.Corridor] = from + w*(v-from)
	case EventCapacity:
		pol.CapacityAdd[e.Supplier] += w * v
	case EventDemand:
		for r := r0; r < r1; r++ {
			pol.DemandScale[r] *= 1 + w*v
		}
	case EventCost:
		for i := i0; i < i1; i++ {
			pol.CostShift[i] += w * v
		}
	}
}

// policiesEqual reports whether a and b set every instrument alike.
func policiesEqual(a, b *Policy) bool {
	for i := range a.Ban {
		for r := range a.Ban[i] {
			if a.Ban[i][r] != b.Ban[i][r] || a.Wedge[i][r] != b.Wedge[i][r] {
				return false
			}
		}
		if a.ExportCap[i] != b.ExportCap[i] || a.CapacityAdd[i] != b.CapacityAdd[i] || a.CostShift[i] != b.CostShift[i] {
			return false
		}
		for k := range a.CorridorCap[i] {
			if a.CorridorCap[i][k] != b.CorridorCap[i][k] || a.CorridorCost[i][k] != b.CorridorCost[i][k] {
				return false
			}
		}
	}
	for r := range a.DemandScale {
		if a.DemandScale[r] != b.DemandScale[r] {
			return false
		}
	}
	return true
}
