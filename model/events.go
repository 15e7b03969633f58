package model

import (
	"math"
	"slices"
)

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
	return min(1, float64(t-e.Start+1)/float64(e.RampIn))
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
// order, then the drivers of spec.Drivers, then the demand trend (docs/MODEL.md, section 7). It does not
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

// setEvents writes the base-year policy, every event in force in t and
// then the drivers (SetPolicy without the demand trend).
func setEvents(pol *Policy, c *Calibrated, spec *Spec, t Month) {
	setEventsFrom(pol, nil, c, spec, t, nil, nil)
}

// setEventsFrom is setEvents starting from a copy of base, the base-year
// policy of c's market (NewPolicy(c.Market)), or from Reset when base is
// nil. When applied is not nil, the events it applies are appended to
// *applied in order, with their intensities and values (for
// pathSim.generation), but for the demand drivers it applies through
// memo (applyDriver), which write DemandScale alone. memo, if not nil,
// holds a driverMemo per event of spec.Events and then of spec.Drivers
// (len(Events) + len(Drivers)), for the demand drivers' factors and,
// where it has them, their whole-month levels (driverTable).
func setEventsFrom(pol, base *Policy, c *Calibrated, spec *Spec, t Month, applied *[]appliedEvent, memo []driverMemo) {
	pol.gen, pol.vgen = 0, 0
	if base != nil {
		pol.copyFrom(base)
	} else {
		pol.Reset(c.Market)
	}
	j := 0 // the event's index in memo
	for _, evs := range [2][]Event{spec.Events, spec.Drivers} {
		for k := range evs {
			j++
			e := &evs[k]
			var w, v float64
			if instruments[e.Kind].lagged {
				w = 1
				if memo != nil && memo[j-1].lv != nil {
					v = e.driverLevel(t, memo[j-1].lv, memo[j-1].x0)
				} else {
					v = e.DriverLevel(t)
				}
			} else if w = e.Intensity(t); w != 0 {
				v = e.ValueAt(t)
			}
			if w == 0 {
				continue
			}
			if memo != nil && e.Kind == EventDemandDriver {
				applyDriver(pol, e, v, &memo[j-1])
				continue
			}
			if applied != nil {
				*applied = append(*applied, appliedEvent{e, w, v})
			}
			applyEvent(pol, c, e, w, v)
		}
	}
}

// DriverLevel returns the level of a lagged instrument (a demand driver,
// EventDemandDriver) in month t: the level m(n) = 1 + w(n)·(v(n) − 1),
// with w the intensity and v the value, read L = Aux[0] months earlier,
// interpolated linearly between whole months:
//
//	x = t − L,  n = ⌊x⌋,  f = x − n,  m = (1 − f)·m(n) + f·m(n + 1)
//
// Before the event starts m is 1; after its Series ends the last entry
// holds (ValueAt).
func (e *Event) DriverLevel(t Month) float64 {
	n, f := e.lagParts()
	a := t - n
	m := e.wholeLevel(a)
	if f > 0 {
		m = (1-f)*m + f*e.wholeLevel(a-1)
	}
	return m
}

// lagParts splits the lag L = max(0, Aux[0]) into whole months n and a
// fraction f: DriverLevel reads (1 − f)·m(t − n) + f·m(t − n − 1).
func (e *Event) lagParts() (n Month, f float64) {
	lag := max(0, e.Aux[0])
	whole := math.Floor(lag)
	return Month(whole), lag - whole
}

// driverLevel is DriverLevel reading the whole months' levels m(x) from
// lv (lv[x − x0], a driverTable's) when it holds both months it reads:
// the same arithmetic on the same levels.
func (e *Event) driverLevel(t Month, lv []float64, x0 Month) float64 {
	n, f := e.lagParts()
	k := int(t - n - x0) // m(t − n)'s place in lv
	if k < 1 || k >= len(lv) {
		return e.DriverLevel(t)
	}
	m := lv[k]
	if f > 0 {
		m = (1-f)*m + f*lv[k-1]
	}
	return m
}

// wholeLevel returns a lagged event's level m(x) = 1 + w(x)·(v(x) − 1)
// in whole month x (1 where the intensity is 0), the level DriverLevel
// reads.
func (e *Event) wholeLevel(x Month) float64 {
	w := e.Intensity(x)
	if w == 0 {
		return 1
	}
	return 1 + w*(e.ValueAt(x)-1)
}

// driverTable holds a spec's lagged events' (demand drivers')
// whole-month levels m(x) (wholeLevel) from x0 = Start − MaxDriverLag − 1
// to End, every month a path over its horizon reads at any valid lag:
// built once per Monte Carlo run from its specs and shared read-only by
// its draws, whose drivers differ from the run's, if at all, in their
// drawn lag and elasticity (Aux), which the levels do not depend on.
// pathSim.useDrivers points a draw's driverMemo entries at them.
type driverTable struct {
	x0 Month
	ev []*Event    // the spec's events and then drivers (eventList order)
	lv [][]float64 // per event: its levels from x0, nil for an event that is not lagged
}

// newDriverTable returns spec's driverTable. The events must be valid
// (ValidateEvents).
func newDriverTable(spec *Spec) *driverTable {
	l := eventList{spec.Events, spec.Drivers}
	t := &driverTable{x0: spec.Start - MaxDriverLag - 1, ev: make([]*Event, l.len()), lv: make([][]float64, l.len())}
	for j := range t.ev {
		e := l.at(j)
		t.ev[j] = e
		if !e.Kind.known() || !instruments[e.Kind].lagged {
			continue
		}
		lv := make([]float64, int(spec.End-t.x0)+1)
		for k := range lv {
			lv[k] = e.wholeLevel(t.x0 + Month(k))
		}
		t.lv[j] = lv
	}
	return t
}

// sameLevels reports whether e and f have the same whole-month levels
// (wholeLevel): the same kind, timing, value and series, bit for bit (Aux
// and the targets may differ).
func sameLevels(e, f *Event) bool {
	bits := math.Float64bits
	return e.Kind == f.Kind && bits(e.Value) == bits(f.Value) && e.Start == f.Start && e.End == f.End &&
		e.RampIn == f.RampIn && e.RampOut == f.RampOut &&
		slices.EqualFunc(e.Series, f.Series, func(x, y float64) bool { return bits(x) == bits(y) })
}

// GrowthFactor returns the demand-trend factor g_t = (1 + growth)^(k/12)
// after k months, growth a fraction per year.
func GrowthFactor(growth float64, k int) float64 {
	return math.Exp(math.Log1p(growth) * float64(k) / 12)
}
