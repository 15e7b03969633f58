package model

import (
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func TestEventIntensity(t *testing.T) {
	s := NewMonth(2022, 2)
	for _, c := range []struct {
		name string
		e    Event
		t    Month
		want float64
	}{
		{"before start", Event{Kind: EventWedge, Start: s}, s - 1, 0},
		{"step at start", Event{Kind: EventWedge, Start: s}, s, 1},
		{"ramp month 1 of 4", Event{Kind: EventWedge, Start: s, RampIn: 4}, s, 0.25},
		{"ramp month 3 of 4", Event{Kind: EventWedge, Start: s, RampIn: 4}, s + 2, 0.75},
		{"ramp done", Event{Kind: EventWedge, Start: s, RampIn: 4}, s + 10, 1},
		{"last month in force", Event{Kind: EventWedge, Start: s, End: s + 6}, s + 5, 1},
		{"end is off", Event{Kind: EventWedge, Start: s, End: s + 6}, s + 6, 0},
		// ramp out over 4 months after End: 1 − 1/4 at End, 0 from End+3.
		{"ramp out first", Event{Kind: EventWedge, Start: s, End: s + 6, RampOut: 4}, s + 6, 0.75},
		{"ramp out third", Event{Kind: EventWedge, Start: s, End: s + 6, RampOut: 4}, s + 8, 0.25},
		{"ramp out done", Event{Kind: EventWedge, Start: s, End: s + 6, RampOut: 4}, s + 9, 0},
		// ended during its ramp-in: ramps out from the level reached (2/10).
		{"ramp out from partial", Event{Kind: EventWedge, Start: s, End: s + 2, RampIn: 10, RampOut: 2}, s + 2, 0.1},
		{"ban ignores ramps", Event{Kind: EventBan, Start: s, End: s + 3, RampIn: 5, RampOut: 5}, s, 1},
		{"ban off at end", Event{Kind: EventBan, Start: s, End: s + 3, RampOut: 5}, s + 3, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.e.Intensity(c.t); !scalar.EqualWithinAbs(got, c.want, 1e-15) {
				t.Errorf("w(%v) = %v, want %v", c.t, got, c.want)
			}
		})
	}
}

func TestEventValueAtSeries(t *testing.T) {
	s := NewMonth(2021, 1)
	e := Event{Kind: EventDemand, Start: s, Series: []float64{0.01, 0.02, 0.03}}
	for k, want := range []float64{0.01, 0.01, 0.02, 0.03, 0.03} {
		if got := e.ValueAt(s - 1 + Month(k)); got != want {
			t.Errorf("ValueAt(%v) = %v, want %v", s-1+Month(k), got, want)
		}
	}
}

func TestSetPolicyComposition(t *testing.T) {
	m := pathMarket()
	m.Regions[0].Growth = 0.03
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	s := NewMonth(2022, 1)
	spec := &Spec{Market: m, Start: NewMonth(2020, 1), End: NewMonth(2025, 12), Events: []Event{
		{ID: "ban", Kind: EventBan, Supplier: 2, Region: -1, Start: s},
		{ID: "w1", Kind: EventWedge, Supplier: 2, Region: 0, Value: 0.10, Start: s},
		{ID: "w2", Kind: EventWedge, Supplier: 2, Region: -1, Value: 0.05, Start: s},
		{ID: "k0", Kind: EventCorridorCapacity, Supplier: 2, Corridor: 0, Value: 0, Start: s},
		{ID: "k1", Kind: EventCorridorCapacity, Supplier: 2, Corridor: 0, Value: 5, Start: s, RampIn: 4}, // reopens from 0
		{ID: "rp", Kind: EventCorridorCapacity, Supplier: 2, Corridor: 1, Value: 8.4, From: 3, HasFrom: true, Start: s, RampIn: 2},
		{ID: "cap", Kind: EventExportCap, Supplier: 1, Value: 10, Start: s, RampIn: 2},
		{ID: "jansen", Kind: EventCapacity, Supplier: 0, Value: 4, Start: s, RampIn: 4},
		{ID: "d1", Kind: EventDemand, Region: -1, Supplier: -1, Value: 0.10, Start: s},
		{ID: "d2", Kind: EventDemand, Region: 0, Supplier: -1, Value: -0.5, Start: s},
		{ID: "cost", Kind: EventCost, Supplier: -1, Region: -1, Value: 7, Start: s},
		{ID: "cost2", Kind: EventCost, Supplier: 2, Region: -1, Value: 30, Start: s},
		{ID: "ccost", Kind: EventCorridorCost, Supplier: 0, Corridor: 1, Value: 50, Start: s, RampIn: 2},
		{ID: "st1", Kind: EventStockTarget, Region: -1, Supplier: -1, Value: 0.6, Start: s, RampIn: 3},
		{ID: "st2", Kind: EventStockTarget, Region: 1, Supplier: -1, Value: -0.5, Start: s},
	}}
	if err := ValidateEvents(m, spec.Events); err != nil {
		t.Fatal(err)
	}
	pol := NewPolicy(c.Market)
	SetPolicy(pol, c, spec, s) // first month: ramps at 1/RampIn
	g := math.Pow(1.03, 24.0/12)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"wedge Belarus→Brazil adds", pol.Wedge[2][0], 0.15},
		{"wedge Belarus→India", pol.Wedge[2][3], 0.05},
		{"Klaipeda: later level overrides, ramping from 0", pol.CorridorCap[2][0], 5.0 / 4},
		{"RussianPorts from 3 to 8.4, half way", pol.CorridorCap[2][1], 3 + (8.4-3)/2},
		{"Russia export cap ramps from S0", pol.ExportCap[1], c.S0[1] + (10-c.S0[1])/2},
		{"Canada capacity delta", pol.CapacityAdd[0], 1},
		{"demand multiplies, with trend", pol.DemandScale[0], 1.1 * 0.5 * g},
		{"demand elsewhere, no trend", pol.DemandScale[3], 1.1},
		{"cost shifts add", pol.CostShift[2], 37},
		{"cost all suppliers", pol.CostShift[5], 7},
		{"corridor cost level", pol.CorridorCost[0][1], 35 + (50-35)/2.0},
		{"unchanged corridor", pol.CorridorCap[0][0], 16},
		{"stock target ramps: 1 + 0.6/3", pol.StockScale[0], 1.2},
		{"stock targets multiply", pol.StockScale[1], 1.2 * 0.5},
		{"stock target, not the demand scale", pol.DemandScale[4], 1.1},
	}
	for _, ch := range checks {
		if !scalar.EqualWithinAbsOrRel(ch.got, ch.want, 1e-12, 1e-12) {
			t.Errorf("%s: %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	for r := range m.Regions {
		if !pol.Ban[2][r] {
			t.Errorf("Belarus→%s not banned", m.Regions[r].Name)
		}
	}
	if pol.Ban[1][0] {
		t.Errorf("Russia→Brazil banned")
	}
	// Before the events the policy is the base-year policy with the trend only.
	SetPolicy(pol, c, spec, spec.Start)
	base := NewPolicy(c.Market)
	if !policiesEqual(pol, base) {
		t.Errorf("policy in the first month differs from the base-year policy")
	}
	if testing.AllocsPerRun(20, func() { SetPolicy(pol, c, spec, s+3) }) != 0 {
		t.Errorf("SetPolicy allocates")
	}
}

func TestGrowthFactor(t *testing.T) {
	// 2%/yr over 30 months: 1.02^2.5.
	if got, want := GrowthFactor(0.02, 30), math.Pow(1.02, 2.5); !scalar.EqualWithinRel(got, want, 1e-14) {
		t.Errorf("GrowthFactor = %v, want %v", got, want)
	}
	if GrowthFactor(0.05, 0) != 1 {
		t.Errorf("GrowthFactor at k=0 is not 1")
	}
}

func TestValidateEvents(t *testing.T) {
	m := pathMarket()
	s := NewMonth(2022, 1)
	for name, ev := range map[string]Event{
		"kind":            {ID: "a", Kind: 99, Start: s},
		"supplier needed": {ID: "a", Kind: EventCapacity, Supplier: -1, Start: s},
		"region range":    {ID: "a", Kind: EventBan, Supplier: 0, Region: 7, Start: s},
		"corridor range":  {ID: "a", Kind: EventCorridorCapacity, Supplier: 0, Corridor: 2, Start: s},
		"NaN":             {ID: "a", Kind: EventWedge, Supplier: 0, Value: math.NaN(), Start: s},
		"end before":      {ID: "a", Kind: EventWedge, Supplier: 0, Start: s, End: s},
		"negative ramp":   {ID: "a", Kind: EventWedge, Supplier: 0, Start: s, RampIn: -1},
		"negative cap":    {ID: "a", Kind: EventExportCap, Supplier: 0, Value: -1, Start: s},
		"demand -100%":    {ID: "a", Kind: EventDemand, Region: 0, Value: -1, Start: s},
		"wedge -100%":     {ID: "a", Kind: EventWedge, Supplier: 0, Region: -1, Value: -1, Start: s},
		"wedge series":    {ID: "a", Kind: EventWedge, Supplier: 0, Region: -1, Series: []float64{0.1, -1.5}, Start: s},
	} {
		if err := ValidateEvents(m, []Event{ev}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	dup := []Event{{ID: "x", Kind: EventWedge, Start: s}, {ID: "x", Kind: EventWedge, Start: s}}
	if err := ValidateEvents(m, dup); err == nil {
		t.Errorf("duplicate id: no error")
	}
}

// Paths carry the demand trend from month to month; it must match
// SetPolicy's closed form (1+g)^(k/12) within rounding over a long horizon.
func TestPathTrendMatchesClosedForm(t *testing.T) {
	m := testMarket() // demand growth 2%/yr in every region
	m.Regions[1].Growth = -0.03
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	spec := &Spec{Market: m, Start: NewMonth(2020, 1), End: NewMonth(2039, 12),
		Events: []Event{{ID: "d", Kind: EventDemand, Supplier: -1, Region: 0, Value: 0.1, Start: NewMonth(2021, 1)}}}
	ps, err := newPathSim(c, spec)
	if err != nil {
		t.Fatal(err)
	}
	pol := NewPolicy(c.Market)
	for k := 0; k < spec.Months(); k++ {
		tm := spec.Start + Month(k)
		ps.setPolicy(k, tm)
		SetPolicy(pol, c, spec, tm)
		for r := range pol.DemandScale {
			if !scalar.EqualWithinRel(ps.pol.DemandScale[r], pol.DemandScale[r], 1e-13) {
				t.Fatalf("month %v region %d: %.17g vs closed form %.17g", tm, r, ps.pol.DemandScale[r], pol.DemandScale[r])
			}
		}
	}
}

// TestInstrumentTable checks every entry of the instrument table: a name
// and an apply; ValidateEvents enforces the indices it declares and wraps
// ErrInvalidEvent; a step event at full intensity changes the policy.
func TestInstrumentTable(t *testing.T) {
	m := pathMarket()
	m.Coalitions = []Coalition{{Name: "G", Members: []string{m.Suppliers[0].Name, m.Suppliers[1].Name}}}
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	s := NewMonth(2022, 1)
	for k := EventKind(1); k < eventKindEnd; k++ {
		in := &instruments[k]
		t.Run(k.String(), func(t *testing.T) {
			if in.name == "" || in.apply == nil {
				t.Fatalf("kind %d: no name or apply", int(k))
			}
			e := Event{ID: "e", Kind: k, Supplier: 2, Region: 0, Corridor: 0, Value: 0.5, Aux: [2]float64{0.8, 1}, Start: s}
			if err := ValidateEvents(m, []Event{e}); err != nil {
				t.Fatalf("valid event rejected: %v", err)
			}
			for _, bad := range []func(e *Event){
				func(e *Event) { e.Supplier = len(m.Suppliers) },
				func(e *Event) { e.Region = len(m.Regions) },
				func(e *Event) {
					if in.supplier == required {
						e.Supplier = -1
					} else {
						e.Region = -2
					}
				},
			} {
				b := e
				bad(&b)
				if err := ValidateEvents(m, []Event{b}); !errors.Is(err, ErrInvalidEvent) {
					t.Errorf("%+v: error %v, want ErrInvalidEvent", b, err)
				}
			}
			pol, base := NewPolicy(c.Market), NewPolicy(c.Market)
			SetPolicy(pol, c, &Spec{Market: m, Start: s, End: s, Events: []Event{e}}, s)
			SetPolicy(base, c, &Spec{Market: m, Start: s, End: s}, s)
			if policiesEqual(pol, base) {
				t.Errorf("the event changed nothing")
			}
			// routes (routeCache): the event writes a per-route field.
			routes := false
			for f := range policyFields {
				pf := &policyFields[f]
				switch {
				case pf.shape != perRoute:
				case pf.bools != nil:
					routes = routes || !slices.EqualFunc(*pf.bools(pol), *pf.bools(base), slices.Equal)
				default:
					routes = routes || !slices.EqualFunc(*pf.mat(pol), *pf.mat(base), slices.Equal)
				}
			}
			if routes != in.routes {
				t.Errorf("routes %v, but the event changes a per-route field: %v", in.routes, routes)
			}
			if w := e.Intensity(s + 100); w != 1 {
				t.Errorf("intensity %g after start", w)
			}
			if r := (&Event{Kind: k, Start: s, RampIn: 4}).Intensity(s); (r == 1) == in.ramp {
				t.Errorf("ramp %v but first-month intensity of a 4-month ramp %g", in.ramp, r)
			}
		})
	}
	if ValidateEvents(m, []Event{{Kind: eventKindEnd}}) == nil || EventKind(99).String() != "kind 99" {
		t.Error("unknown kind accepted")
	}
}
