package model

import "math"

// Intensity returns the event's intensity w(t) in [0, 1] in month t
// (docs/MODEL.md, section 7 "Events"):
//
//	w(t) = 0                                     t < Start
//	w(t) = min(1, (t − Start + 1)/RampIn)        Start ≤ t < End (RampIn 0: 1)
//	w(t) = w(End−1)·max(0, 1 − (t − End + 1)/RampOut)   t ≥ End (RampOut 0: 0)
//
// End 0 means the event never ends. An instrument that cannot ramp (a
// ban) is on or off: its intensity is 1 from Start until End and 0
// otherwise.
func (e *Event) Intensity(t Month) float64 {
	if t < e.Start {
		return 0
	}
	if !e.Kind.known() || !instruments[e.Kind].ramp {
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
