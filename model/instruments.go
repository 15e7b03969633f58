package model

import (
	"fmt"
	"math"
)

// EventKind is the instrument an Event sets. Each kind is one entry of the
// instrument table (instruments): the indices it takes, whether it is a
// level or a delta, whether it ramps, which values it accepts and how it
// writes the Policy. docs/MODEL.md, section 7, lists them.
type EventKind int

const (
	// EventBan closes routes Supplier→Region (Region −1: all regions of the
	// supplier; Supplier −1: all suppliers into the region). Value unused;
	// no ramp.
	EventBan EventKind = iota + 1
	// EventWedge adds Value (fraction) to the wedge of route
	// Supplier→Region (Region −1: all of the supplier's sales).
	EventWedge
	// EventExportCap sets supplier's export cap to Value, Mt/yr (a level;
	// ramps from From when HasFrom, else from the level in force; floored
	// at 0).
	EventExportCap
	// EventCorridorCapacity sets corridor capacity to Value, Mt/yr (a
	// level; ramps from From when HasFrom, else from the capacity in
	// force; floored at 0). Value 0 closes the corridor.
	EventCorridorCapacity
	// EventCorridorCost sets corridor cost to Value, $/t (a level; ramps
	// from From when HasFrom, else from the cost in force).
	EventCorridorCost
	// EventCapacity adds Value to production capacity, Mt/yr (a delta;
	// negative for an outage).
	EventCapacity
	// EventDemand scales region demand by (1+Value) (a delta; Region −1:
	// all regions).
	EventDemand
	// EventCost adds Value to supplier's unit costs, $/t (a delta).
	EventCost
	// EventTariffQuota sets a tariff-rate quota on route Supplier→Region
	// (both required): in-quota rate Value and out-of-quota rate Aux[0]
	// (fractions, Aux[0] ≥ Value), quota Aux[1] Mt/yr. A level: a later
	// quota on the route replaces an earlier one; a ramp scales both
	// rates, the quota holds as given.
	EventTariffQuota
	// EventDemandDriver scales region demand by an exogenous driver's
	// index (Region −1: all regions): DemandScale ×= m^θ with the level
	// m = 1 + w·(v − 1) read Aux[0] months earlier (the lag L, fractional
	// lags interpolate between months) and θ = Aux[1] the elasticity of
	// demand at given prices to the index. v is the index (1 = the base
	// year), a Series for a recorded driver (Spec.Drivers) or a Value for a
	// shock to it (an event). See Event.DriverLevel.
	EventDemandDriver
	// EventConcession sets the price concession δ the seller grants on
	// route Supplier→Region (Region −1: all its routes), a fraction of its
	// FOB price in [0, 1) (a level; ramps from the level in force, or From
	// when HasFrom; with Relative, Value is a factor in [0, 1] of that
	// level). A concession can never become a premium: levels stay ≥ 0.
	EventConcession
	// EventRiskCost sets the buyers' risk cost κ on route Supplier→Region
	// (Supplier −1: every supplier into the region; Region −1: all the
	// supplier's routes), a fraction of the CFR price ≥ 0 (a level, like
	// EventConcession; with Relative, Value is a factor ≥ 0 of the level in
	// force).
	EventRiskCost
	// EventExportTax adds Value to supplier's export tax, $/t (a delta;
	// its government collects it).
	EventExportTax
	// EventConduct sets supplier's conduct parameter φ to Value in [0, 1]
	// (0 a price-taker, 1 Cournot; a level: ramps from the level in force,
	// or From when HasFrom). docs/MODEL.md, section 3.8.
	EventConduct
	// EventCoalition sets the cooperation weight λ of coalition Coalition
	// (an index in Market.Coalitions) to Value in [0, 1]: 1 forms it (its
	// members set their quantities jointly), 0 breaks it up (a level:
	// ramps from the level in force, or From when HasFrom).
	EventCoalition
	// EventStockTarget scales the stock target of region Region's
	// importers and distributors by (1 + Value) (a delta; Region −1: all
	// regions; Value > −1): StockScale ×= 1 + w·v. A ramped rise is
	// precautionary stock-building ahead of an announced disruption, its
	// ramp-out the run-down of that cover (docs/MODEL.md, section 10.2).
	EventStockTarget

	eventKindEnd // one past the last kind
)

// String returns the kind's name ("ban", "wedge", ...), or "kind N" for an
// unknown kind.
func (k EventKind) String() string {
	if k.known() {
		return instruments[k].name
	}
	return fmt.Sprintf("kind %d", int(k))
}

func (k EventKind) known() bool { return k > 0 && k < eventKindEnd }

// instrument is one entry of the instrument table: everything the model
// knows about one EventKind. The Policy it writes is a flat struct
// (policy.go) and the solver reads that struct directly (newton.go), so a
// new instrument adds an entry here, its Policy field(s) to policyFields,
// and its equations to the solver.
type instrument struct {
	name string
	// supplier and region say how the instrument uses Event.Supplier and
	// Event.Region; corridor that it needs Event.Corridor (a corridor of
	// the supplier); coalition that it needs Event.Coalition.
	supplier, region use
	corridor         bool
	coalition        bool
	// level: the instrument sets a level, moving from the level in force
	// (or Event.From) to the value by the intensity; otherwise it is a
	// delta scaled by the intensity.
	level bool
	// ramp: the intensity can ramp (false: on or off, like a ban).
	ramp bool
	// lagged: the instrument reads its intensity and value Aux[0] months
	// earlier (Event.DriverLevel); apply then gets w = 1 and the level.
	lagged bool
	// routes: apply writes a per-route field (Ban, Wedge, Concession,
	// RiskCost, the tariff-rate quotas'); a path's month policy keeps its
	// generation while the other instruments' events move
	// (pathSim.generation, routeCache).
	routes bool
	// check validates one value (Value and each Series entry), in model
	// units; nil accepts any finite number. valueName names the value in
	// its errors ("value" when empty). checkAux validates Aux.
	check     func(v float64) error
	valueName string
	checkAux  func(e *Event) error
	// relative: the instrument accepts Event.Relative (a level given as a
	// factor of the level in force), whose factor checkRel validates.
	relative bool
	checkRel func(v float64) error
	// apply writes the event into pol at intensity w > 0 and value v.
	apply func(pol *Policy, c *Calibrated, e *Event, w, v float64)
}

// use is how an instrument uses an index of Event.
type use uint8

const (
	unused   use = iota // the index is ignored
	required            // a valid index
	orAll               // a valid index, or −1 for all
)

// instruments is the instrument table, indexed by EventKind.
var instruments = [eventKindEnd]instrument{
	EventBan: {
		name: "ban", supplier: orAll, region: orAll, routes: true,
		apply: func(pol *Policy, _ *Calibrated, e *Event, _, _ float64) {
			forRoutes(pol, e, func(i, r int) { pol.Ban[i][r] = true })
		},
	},
	EventWedge: {
		name: "wedge", supplier: orAll, region: orAll, ramp: true, routes: true, check: aboveMinus1, valueName: "pct",
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			forRoutes(pol, e, func(i, r int) { pol.Wedge[i][r] += w * v })
		},
	},
	EventExportCap: {
		name: "export cap", supplier: required, level: true, ramp: true, check: nonNegative,
		apply: func(pol *Policy, c *Calibrated, e *Event, w, v float64) {
			from := pol.ExportCap[e.Supplier]
			if math.IsInf(from, 1) {
				from = c.S0[e.Supplier]
			}
			if e.HasFrom {
				from = e.From
			}
			pol.ExportCap[e.Supplier] = max(0, from+w*(v-from))
		},
	},
	EventCorridorCapacity: {
		name: "corridor capacity", supplier: required, corridor: true, level: true, ramp: true, check: nonNegative,
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			p := &pol.CorridorCap[e.Supplier][e.Corridor]
			*p = max(0, ramped(*p, e, w, v))
		},
	},
	EventCorridorCost: {
		name: "corridor cost", supplier: required, corridor: true, level: true, ramp: true,
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			p := &pol.CorridorCost[e.Supplier][e.Corridor]
			*p = ramped(*p, e, w, v)
		},
	},
	EventCapacity: {
		name: "capacity", supplier: required, ramp: true,
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			pol.CapacityAdd[e.Supplier] += w * v
		},
	},
	EventDemand: {
		name: "demand", region: orAll, ramp: true, check: aboveMinus1, valueName: "pct",
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			r0, r1 := span(e.Region, len(pol.DemandScale))
			for r := r0; r < r1; r++ {
				pol.DemandScale[r] *= 1 + w*v
			}
		},
	},
	EventStockTarget: {
		name: "stock target", region: orAll, ramp: true, check: aboveMinus1, valueName: "pct",
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			r0, r1 := span(e.Region, len(pol.StockScale))
			for r := r0; r < r1; r++ {
				pol.StockScale[r] *= 1 + w*v
			}
		},
	},
	EventCost: {
		name: "cost", supplier: orAll, ramp: true,
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			i0, i1 := span(e.Supplier, len(pol.CostShift))
			for i := i0; i < i1; i++ {
				pol.CostShift[i] += w * v
			}
		},
	},
	EventTariffQuota: {
		name: "tariff-rate quota", supplier: required, region: required, level: true, ramp: true, routes: true,
		check: aboveMinus1, valueName: "in_pct",
		checkAux: func(e *Event) error {
			switch {
			case !distFinite(e.Aux[0]) || !distFinite(e.Aux[1]):
				return fmt.Errorf("%v, %v are not finite numbers", e.Aux[0], e.Aux[1])
			case e.Aux[0] < e.Value:
				return fmt.Errorf("out-of-quota rate %g%% is below the in-quota rate %g%%", 100*e.Aux[0], 100*e.Value)
			case e.Aux[1] < 0:
				return fmt.Errorf("quota %g Mt/yr must not be negative", e.Aux[1])
			}
			return nil
		},
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			i, r := e.Supplier, e.Region
			pol.TRQIn[i][r], pol.TRQOut[i][r], pol.TRQQuota[i][r] = w*v, w*e.Aux[0], e.Aux[1]
		},
	},
	EventDemandDriver: {
		name: "demand driver", region: orAll, ramp: true, lagged: true, check: positive, valueName: "index",
		checkAux: func(e *Event) error {
			lag, theta := e.Aux[0], e.Aux[1]
			switch {
			case !distFinite(lag) || lag < 0 || lag > MaxDriverLag:
				return fmt.Errorf("lag %v months: want 0 to %d", lag, MaxDriverLag)
			case !distFinite(theta) || math.Abs(theta) > MaxDriverElasticity:
				return fmt.Errorf("elasticity %v: want a number from −%g to %g", theta, float64(MaxDriverElasticity), float64(MaxDriverElasticity))
			}
			return nil
		},
		apply: func(pol *Policy, _ *Calibrated, e *Event, _, m float64) {
			applyDriver(pol, e, m, nil)
		},
	},
	EventConcession: {
		name: "concession", supplier: required, region: orAll, level: true, ramp: true, relative: true, routes: true,
		check: func(v float64) error {
			if !(v >= 0 && v < 1) {
				return fmt.Errorf("%g%% must be in [0%%, 100%%): a concession is a discount, never a premium", 100*v)
			}
			return nil
		},
		checkRel:  factorIn(0, 1),
		valueName: "pct",
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			forRoutes(pol, e, func(i, r int) { p := &pol.Concession[i][r]; *p = max(0, levelAt(*p, e, w, v)) })
		},
	},
	EventRiskCost: {
		name: "risk cost", supplier: orAll, region: orAll, level: true, ramp: true, relative: true, routes: true,
		check:     nonNegativeRate,
		checkRel:  factorIn(0, 100),
		valueName: "pct",
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			forRoutes(pol, e, func(i, r int) { p := &pol.RiskCost[i][r]; *p = max(0, levelAt(*p, e, w, v)) })
		},
	},
	EventExportTax: {
		name: "export tax", supplier: required, ramp: true,
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			pol.ExportTax[e.Supplier] += w * v
		},
	},
	EventConduct: {
		name: "conduct", supplier: required, level: true, ramp: true, check: unitInterval, valueName: "value",
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			p := &pol.Conduct[e.Supplier]
			*p = min(1, max(0, ramped(*p, e, w, v)))
		},
	},
	EventCoalition: {
		name: "coalition", coalition: true, level: true, ramp: true, check: unitInterval, valueName: "weight",
		apply: func(pol *Policy, _ *Calibrated, e *Event, w, v float64) {
			p := &pol.Cooperation[e.Coalition]
			*p = min(1, max(0, ramped(*p, e, w, v)))
		},
	},
}

// unitInterval checks a conduct parameter or cooperation weight.
func unitInterval(v float64) error {
	if !(v >= 0 && v <= 1) {
		return fmt.Errorf("%g must be in [0, 1]", v)
	}
	return nil
}

// levelAt moves a level from the level in force (or e.From when HasFrom)
// to its target by intensity w: the target is v, or v times the starting
// level when e.Relative.
func levelAt(inForce float64, e *Event, w, v float64) float64 {
	from := inForce
	if e.HasFrom {
		from = e.From
	}
	target := v
	if e.Relative {
		target = v * from
	}
	return from + w*(target-from)
}

// noOp reports whether e changes nothing: a level set as factor 1 of the
// level in force (levelAt keeps that level, bit for bit, ramps included).
func (e *Event) noOp() bool {
	return e.Relative && !e.HasFrom && e.Value == 1 && len(e.Series) == 0
}

func nonNegativeRate(v float64) error {
	if v < 0 {
		return fmt.Errorf("%g%% must not be negative", 100*v)
	}
	return nil
}

// factorIn returns a check that a Relative factor lies in [lo, hi].
func factorIn(lo, hi float64) func(float64) error {
	return func(v float64) error {
		if !(v >= lo && v <= hi) {
			return fmt.Errorf("factor %g must be in [%g, %g]", v, lo, hi)
		}
		return nil
	}
}

// Bounds of a demand driver (EventDemandDriver): its lag Aux[0], months,
// and the magnitude of its elasticity Aux[1].
const (
	MaxDriverLag        = 24
	MaxDriverElasticity = 5
)

// ramped moves a level from the level in force, or e.From when HasFrom, to
// v by intensity w.
func ramped(inForce float64, e *Event, w, v float64) float64 {
	from := inForce
	if e.HasFrom {
		from = e.From
	}
	return from + w*(v-from)
}

// span returns the index range an index or −1 (all of n) covers.
func span(idx, n int) (int, int) {
	if idx >= 0 {
		return idx, idx + 1
	}
	return 0, n
}

// applyDriver scales the demand of a demand driver's regions by m^θ, the
// factor of its level m (θ = Aux[1]; nothing at m = 1 or θ = 0). memo, if
// not nil, is the event's driverMemo: math.Pow is taken only when m or θ
// differs from the last call's.
func applyDriver(pol *Policy, e *Event, m float64, memo *driverMemo) {
	if m == 1 || e.Aux[1] == 0 {
		return
	}
	f := memo.pow(m, e.Aux[1])
	r0, r1 := span(e.Region, len(pol.DemandScale))
	for r := r0; r < r1; r++ {
		pol.DemandScale[r] *= f
	}
}

// driverMemo holds a demand driver's last factor f = m^θ and its
// arguments' bits. A path's driver level repeats month after month (a
// recorded index is held at its last value after the record ends, and
// the counterfactual's months repeat the scenario's), and math.Pow of the
// same bits is the same bits, so a repeat costs two comparisons instead
// of a Pow (about 100 ns).
type driverMemo struct {
	m, theta uint64 // math.Float64bits of the arguments
	f        float64
	ok       bool
	// lv, when not nil, holds the event's whole-month levels from month
	// x0 (a driverTable's, read-only; setEventsFrom).
	lv []float64
	x0 Month
}

// pow returns math.Pow(m, theta), from the memo when its arguments are
// the last call's (a nil memo: always computed).
func (d *driverMemo) pow(m, theta float64) float64 {
	if d == nil {
		return math.Pow(m, theta)
	}
	mb, tb := math.Float64bits(m), math.Float64bits(theta)
	if !d.ok || d.m != mb || d.theta != tb {
		d.m, d.theta, d.f, d.ok = mb, tb, math.Pow(m, theta), true
	}
	return d.f
}

// forRoutes calls f for every route Supplier→Region of e (−1: all).
func forRoutes(pol *Policy, e *Event, f func(i, r int)) {
	i0, i1 := span(e.Supplier, len(pol.Ban))
	r0, r1 := span(e.Region, len(pol.DemandScale))
	for i := i0; i < i1; i++ {
		for r := r0; r < r1; r++ {
			f(i, r)
		}
	}
}

func nonNegative(v float64) error {
	if v < 0 {
		return fmt.Errorf("%g Mt/yr must not be negative", v)
	}
	return nil
}

func positive(v float64) error {
	if !(v > 0) {
		return fmt.Errorf("%g must be positive", v)
	}
	return nil
}

func aboveMinus1(v float64) error {
	if v <= -1 {
		return fmt.Errorf("%g%% must exceed −100%%", 100*v)
	}
	return nil
}

// applyEvent writes event e at intensity w > 0 and value v into pol.
func applyEvent(pol *Policy, c *Calibrated, e *Event, w, v float64) {
	instruments[e.Kind].apply(pol, c, e, w, v)
}

// ValidateEvents checks that every event fits market m: known kind,
// indices in range, finite values the instrument accepts, End after Start,
// non-negative ramps and unique ids. Errors wrap ErrInvalidEvent and name
// the event by id, e.g. `events[us-ban].region: index 9 out of range (7
// regions)`.
func ValidateEvents(m *Market, events []Event) error {
	n, R := len(m.Suppliers), len(m.Regions)
	ids := make(map[string]bool, len(events))
	for k := range events {
		e := &events[k]
		// The event's name is made only for an error (the check runs
		// for every Monte Carlo draw's specs).
		bad := func(field, format string, args ...any) error {
			name := e.ID
			if name == "" {
				name = fmt.Sprint(k)
			}
			return &FieldError{Field: "events[" + name + "]." + field, Msg: fmt.Sprintf(format, args...), Kind: ErrInvalidEvent}
		}
		if e.ID != "" {
			if ids[e.ID] {
				return bad("id", "duplicate event id")
			}
			ids[e.ID] = true
		}
		if !e.Kind.known() {
			return bad("kind", "unknown instrument %d", int(e.Kind))
		}
		in := &instruments[e.Kind]
		if e.Supplier < -1 || e.Supplier >= n || (in.supplier == required && e.Supplier < 0) {
			return bad("supplier", "index %d out of range (%d suppliers)", e.Supplier, n)
		}
		if e.Region < -1 || e.Region >= R || (in.region == required && e.Region < 0) {
			return bad("region", "index %d out of range (%d regions)", e.Region, R)
		}
		if in.coalition {
			if ng := len(m.Coalitions); e.Coalition < 0 || e.Coalition >= ng {
				return bad("coalition", "index %d out of range (%d coalitions)", e.Coalition, ng)
			}
		}
		if in.corridor {
			if nc := len(m.Suppliers[e.Supplier].Corridors); e.Corridor < 0 || e.Corridor >= nc {
				return bad("corridor", "index %d out of range (%s has %d corridors)", e.Corridor, m.Suppliers[e.Supplier].Name, nc)
			}
		}
		if !distFinite(e.Value) || (e.HasFrom && !distFinite(e.From)) {
			return bad("value", "%v is not a finite number", e.Value)
		}
		for j, v := range e.Series {
			if !distFinite(v) {
				return bad(fmt.Sprintf("series[%d]", j), "%v is not a finite number", v)
			}
		}
		if e.RampIn < 0 || e.RampOut < 0 {
			return bad("ramp_months", "%d/%d must not be negative", e.RampIn, e.RampOut)
		}
		if e.End != 0 && e.End <= e.Start {
			return bad("end", "%v must come after start %v", e.End, e.Start)
		}
		if e.Relative && !in.relative {
			return bad("relative", "the %s instrument takes no relative level", in.name)
		}
		chk := in.check
		if e.Relative {
			chk = in.checkRel
		}
		if e.HasFrom && in.check != nil {
			if err := in.check(e.From); err != nil {
				return bad("from", "%v", err)
			}
		}
		if chk != nil {
			vn := in.valueName
			if vn == "" {
				vn = "value"
			}
			if e.Relative {
				vn = "scale"
			}
			if len(e.Series) == 0 { // with a Series, Value is not used (ValueAt)
				if err := chk(e.Value); err != nil {
					return bad(vn, "%v", err)
				}
			}
			for _, v := range e.Series {
				if err := chk(v); err != nil {
					return bad(vn, "%v", err)
				}
			}
		}
		if in.checkAux != nil {
			if err := in.checkAux(e); err != nil {
				return bad("aux", "%v", err)
			}
		}
	}
	return nil
}
