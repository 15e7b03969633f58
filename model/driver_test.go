package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// tolDriver is the tolerance of hand-computed driver levels and demand
// scales: a few roundings of numbers of order 1.
const tolDriver = 1e-14

// TestDriverLevel checks the lagged level of a demand driver against
// hand-computed values: a series 1.0, 1.2, 1.5, 2.0 from 2021-01, with
// lags 0, 1 and 0.25 months, before the start, inside and after the end
// (the last entry holds), and a ramped shock (Value 1.5, 4-month ramp).
func TestDriverLevel(t *testing.T) {
	s := NewMonth(2021, 1)
	series := []float64{1.0, 1.2, 1.5, 2.0}
	drv := func(lag float64) Event {
		return Event{Kind: EventDemandDriver, Region: -1, Start: s, Series: series, Aux: [2]float64{lag, 1}}
	}
	shock := Event{Kind: EventDemandDriver, Region: -1, Start: s, Value: 1.5, RampIn: 4, Aux: [2]float64{0, 1}}
	for _, c := range []struct {
		name string
		e    Event
		t    Month
		want float64
	}{
		{"before start", drv(0), s - 1, 1},
		{"first month", drv(0), s, 1.0},
		{"third month", drv(0), s + 2, 1.5},
		{"after the series, last holds", drv(0), s + 10, 2.0},
		{"lag 1: reads last month", drv(1), s + 2, 1.2},
		{"lag 1: first month reads before start", drv(1), s, 1},
		// t − 0.25: 0.75·m(t) + 0.25·m(t − 1) = 0.75·1.5 + 0.25·1.2
		{"lag 0.25", drv(0.25), s + 2, 0.75*1.5 + 0.25*1.2},
		// lag 2.5 at s+3: 0.5·m(s+1) + 0.5·m(s) = 0.5·1.2 + 0.5·1.0
		{"lag 2.5", drv(2.5), s + 3, 0.5*1.2 + 0.5*1.0},
		// ramp of a shock: 1 + w·(v − 1), w = 1/4, 2/4, 4/4
		{"shock ramp 1/4", shock, s, 1.125},
		{"shock ramp 2/4", shock, s + 1, 1.25},
		{"shock ramped in", shock, s + 7, 1.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.e.DriverLevel(c.t); !scalar.EqualWithinAbs(got, c.want, tolDriver) {
				t.Errorf("level(%v) = %.17g, want %.17g", c.t, got, c.want)
			}
		})
	}
}

// TestDriverDemandScale checks how drivers and events compose in the
// policy: DemandScale = Π (1 + w·v) over demand events × Π m^θ over
// drivers, the drivers of Spec.Drivers applied like events.
func TestDriverDemandScale(t *testing.T) {
	m := pathMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	s := NewMonth(2022, 1)
	idx := Event{ID: "crop.Brazil", Kind: EventDemandDriver, Region: 0, Start: s - 2, Series: []float64{1.1, 1.3, 1.6}, Aux: [2]float64{1, 0.5}}
	shock := Event{ID: "crop-shock", Kind: EventDemandDriver, Region: -1, Start: s, Value: 0.8, Aux: [2]float64{0, 0.5}}
	dem := Event{ID: "d", Kind: EventDemand, Region: 0, Value: 0.1, Start: s}
	spec := &Spec{Market: m, Start: NewMonth(2020, 1), End: NewMonth(2025, 12), Events: []Event{dem, shock}, Drivers: []Event{idx}}
	pol := NewPolicy(c.Market)
	SetPolicy(pol, c, spec, s)
	// Brazil: (1 + 0.1) · 0.8^0.5 · 1.3^0.5 (lag 1 reads s − 1: 1.3).
	want0 := 1.1 * math.Sqrt(0.8) * math.Sqrt(1.3)
	if got := pol.DemandScale[0]; !scalar.EqualWithinRel(got, want0, tolDriver) {
		t.Errorf("DemandScale[0] = %.17g, want %.17g", got, want0)
	}
	// Another region gets the shock only.
	if got, want := pol.DemandScale[1], math.Sqrt(0.8); !scalar.EqualWithinRel(got, want, tolDriver) {
		t.Errorf("DemandScale[1] = %.17g, want %.17g", got, want)
	}
	// Elasticity 0: the driver changes nothing.
	spec0 := spec.Clone()
	spec0.Drivers[0].Aux[1] = 0
	spec0.Events = nil
	SetPolicy(pol, c, spec0, s)
	for r, v := range pol.DemandScale {
		if v != 1 {
			t.Errorf("θ = 0: DemandScale[%d] = %v, want 1", r, v)
		}
	}
	// Clone copies the drivers deeply.
	spec0.Drivers[0].Series[0] = 99
	if spec.Drivers[0].Series[0] != 1.1 {
		t.Error("Clone shares the drivers' series")
	}
}

// TestDriverValidation checks the driver's own checks: a positive index,
// a lag from 0 to MaxDriverLag months and a bounded elasticity; a bad
// driver in Spec.Drivers stops Simulate with ErrInvalidEvent.
func TestDriverValidation(t *testing.T) {
	m := pathMarket()
	ok := Event{ID: "crop", Kind: EventDemandDriver, Region: -1, Series: []float64{1, 1.2}, Aux: [2]float64{2, 0.7}}
	for _, c := range []struct {
		name string
		edit func(e *Event)
		bad  bool
	}{
		{"valid", func(e *Event) {}, false},
		{"fractional lag", func(e *Event) { e.Aux[0] = 0.4 }, false},
		{"zero index", func(e *Event) { e.Series[1] = 0 }, true},
		{"negative value", func(e *Event) { e.Series = nil; e.Value = -0.5 }, true},
		{"negative lag", func(e *Event) { e.Aux[0] = -1 }, true},
		{"lag too long", func(e *Event) { e.Aux[0] = MaxDriverLag + 1 }, true},
		{"elasticity too large", func(e *Event) { e.Aux[1] = 6 }, true},
		{"elasticity NaN", func(e *Event) { e.Aux[1] = math.NaN() }, true},
		{"region out of range", func(e *Event) { e.Region = 9 }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := ok
			e.Series = append([]float64(nil), ok.Series...)
			c.edit(&e)
			err := ValidateEvents(m, []Event{e})
			if (err != nil) != c.bad || (c.bad && !errors.Is(err, ErrInvalidEvent)) {
				t.Fatalf("error %v, want bad %v", err, c.bad)
			}
			if !c.bad {
				return
			}
			spec := testSpec(m, 3)
			spec.Drivers = []Event{e}
			if _, err := Simulate(context.Background(), spec); !errors.Is(err, ErrInvalidEvent) {
				t.Errorf("Simulate: error %v, want ErrInvalidEvent", err)
			}
		})
	}
}

// TestDriverPaths checks the properties of a path with a driver: a driver
// flat at 1 leaves the base year in place (within tolPathBase); a driver
// that rises raises demand and the benchmark price, later with a lag; the
// same driver given as a Spec driver or as an event gives the same path.
func TestDriverPaths(t *testing.T) {
	m := pathMarket()
	ctx := context.Background()
	flat := Event{ID: "crop", Kind: EventDemandDriver, Region: -1, Start: NewMonth(2020, 1), Series: []float64{1, 1, 1}, Aux: [2]float64{1.5, 0.8}}
	spec := testSpec(m, 24)
	spec.Drivers = []Event{flat}
	p, err := Simulate(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	for k, sol := range p.Sol {
		for r := range m.Regions {
			if !scalar.EqualWithinRel(sol.PriceIndex[r], p.Cal.P0[r], tolPathBase) {
				t.Fatalf("flat driver, month %v: P[%d] = %.12g, want %.12g", p.Months[k], r, sol.PriceIndex[r], p.Cal.P0[r])
			}
		}
	}

	rise := flat
	rise.Series = []float64{1, 1, 1, 1.5}
	rise.Aux[0] = 0
	bench := func(s *Spec) []float64 {
		t.Helper()
		p, err := Simulate(ctx, s)
		if err != nil || p.Failed > 0 {
			t.Fatalf("simulate: %v (%d failed)", err, p.Failed)
		}
		out := make([]float64, len(p.Sol))
		for k, sol := range p.Sol {
			out[k] = sol.Benchmark
		}
		return out
	}
	withLag := func(lag float64) []float64 {
		s := testSpec(m, 24)
		d := rise
		d.Aux[0] = lag
		s.Drivers = []Event{d}
		return bench(s)
	}
	b0, b2 := withLag(0), withLag(2)
	base := p.Sol[0].Benchmark
	if !(b0[3] > base*1.001) || !scalar.EqualWithinRel(b0[2], base, tolPathBase) {
		t.Errorf("lag 0: benchmark %g in month 4 (base %g), %g in month 3", b0[3], base, b0[2])
	}
	if !scalar.EqualWithinRel(b2[4], base, tolPathBase) || !(b2[5] > base*1.001) {
		t.Errorf("lag 2: the rise should arrive in month 6: %v", b2[:7])
	}
	for k := 0; k+2 < len(b0); k++ {
		if !scalar.EqualWithinRel(b2[k+2], b0[k], 1e-9) {
			t.Fatalf("lag 2 is lag 0 two months later: month %d %.12g vs %.12g", k, b2[k+2], b0[k])
		}
	}
	asEvent := testSpec(m, 24, rise)
	for k, v := range bench(asEvent) {
		if v != b0[k] {
			t.Fatalf("as an event, month %d: %.17g vs %.17g as a driver", k, v, b0[k])
		}
	}
}

// TestDriverMemo checks that a path's memo of the drivers' factors m^θ
// (driverMemo) changes no bit: the policies setEventsFrom writes with the
// memo equal those without it, month by month, for drivers whose level
// is held after their series ends (the memo's repeats), changes every
// month, or is a shock among other events; and that driverMemo.pow is
// math.Pow through repeated, changed and restored arguments.
func TestDriverMemo(t *testing.T) {
	m := pathMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	s := NewMonth(2021, 1)
	held := Event{ID: "held", Kind: EventDemandDriver, Region: -1, Start: s, Series: []float64{1, 1.3, 0.9, 1.1}, Aux: [2]float64{1.78, 0.634}}
	moving := Event{ID: "moving", Kind: EventDemandDriver, Region: 1, Start: s, Series: []float64{1, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09, 1.1, 1.11}, Aux: [2]float64{0, 1.2}}
	shock := Event{ID: "shock", Kind: EventDemandDriver, Region: 0, Start: s + 2, End: s + 6, Value: 1.5, RampIn: 3, RampOut: 2, Aux: [2]float64{0.5, -0.4}}
	demand := Event{ID: "demand", Kind: EventDemand, Region: -1, Value: 0.05, Start: s + 1}
	for _, tc := range []struct {
		name            string
		events, drivers []Event
	}{
		{"held after the series", nil, []Event{held}},
		{"moving every month", nil, []Event{moving}},
		{"shock among events", []Event{demand, shock}, []Event{held, moving}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := &Spec{Market: m, Start: s, End: s + 23, Events: tc.events, Drivers: tc.drivers}
			memo := make([]driverMemo, len(tc.events)+len(tc.drivers))
			base, with, without := newFlatPolicy(m), newFlatPolicy(m), newFlatPolicy(m)
			for k := 0; k < spec.Months(); k++ {
				tm := s + Month(k)
				setEventsFrom(with, base, c, spec, tm, nil, memo)
				setEventsFrom(without, base, c, spec, tm, nil, nil)
				for r := range with.DemandScale {
					if a, b := with.DemandScale[r], without.DemandScale[r]; math.Float64bits(a) != math.Float64bits(b) {
						t.Errorf("month %d region %d: demand scale %v with the memo, %v without", k, r, a, b)
					}
				}
			}
		})
	}
	var d driverMemo
	for _, a := range [][2]float64{{1.2, 0.634}, {1.2, 0.634}, {1.3, 0.634}, {1.3, 0.7}, {1.2, 0.634}, {math.Copysign(0, -1), -1}, {0, -1}} {
		if got, want := d.pow(a[0], a[1]), math.Pow(a[0], a[1]); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("pow(%v, %v) = %v, want %v", a[0], a[1], got, want)
		}
	}
}

// TestDriverTable checks that the whole-month levels a Monte Carlo run
// shares among its draws (driverTable, pathSim.useDrivers) change no
// bit: a drawn spec whose drivers differ from the run's in lag and
// elasticity (Aux) reads the run's levels and writes the policies
// setEventsFrom writes without them, month by month; an event whose
// levels differ (series, start, ramp, value) does not read them; and
// driverLevel from the table equals DriverLevel at every lag from 0 to
// MaxDriverLag in quarter months, before, in and after the horizon.
func TestDriverTable(t *testing.T) {
	m := pathMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	s := NewMonth(2021, 1)
	held := Event{ID: "held", Kind: EventDemandDriver, Region: -1, Start: s - 30, Series: []float64{1, 1.3, 0.9, 1.1, 1.05, 0.97, 1.2, 1.4}, Aux: [2]float64{1.78, 0.634}}
	moving := Event{ID: "moving", Kind: EventDemandDriver, Region: 1, Start: s, Series: []float64{1, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09, 1.1, 1.11}, Aux: [2]float64{0, 1.2}}
	shock := Event{ID: "shock", Kind: EventDemandDriver, Region: 0, Start: s + 2, End: s + 6, Value: 1.5, RampIn: 3, RampOut: 2, Aux: [2]float64{0.5, -0.4}}
	demand := Event{ID: "demand", Kind: EventDemand, Region: -1, Value: 0.05, Start: s + 1}
	base := &Spec{Market: m, Start: s, End: s + 23, Events: []Event{demand, shock}, Drivers: []Event{held, moving}}
	tab := newDriverTable(base)
	for _, tc := range []struct {
		name   string
		change func(sp *Spec)
		reads  []bool // per event of Events and then Drivers: reads the table
	}{
		{"the run's own", func(*Spec) {}, []bool{false, true, true, true}},
		{"lags and elasticities drawn", func(sp *Spec) {
			sp.Events[1].Aux = [2]float64{2.25, -0.9}
			sp.Drivers[0].Aux = [2]float64{0.844, 1.1}
			sp.Drivers[1].Aux = [2]float64{MaxDriverLag, 0.3}
		}, []bool{false, true, true, true}},
		{"levels that differ", func(sp *Spec) {
			sp.Events[1].Value = 1.4
			sp.Drivers[0].Series[3] = 1.1000000000000003
			sp.Drivers[1].RampIn = 2
		}, []bool{false, false, false, false}},
		{"start and end that differ, a target that differs", func(sp *Spec) {
			sp.Events[1].End = s + 7
			sp.Drivers[0].Start = s - 29
			sp.Drivers[1].Region = 0
		}, []bool{false, false, false, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := base.Clone()
			tc.change(spec)
			ps, err := newPathSim(c, spec)
			if err != nil {
				t.Fatal(err)
			}
			ps.useDrivers(tab)
			for j, want := range tc.reads {
				if got := ps.drivers[j].lv != nil; got != want {
					t.Errorf("event %d reads the table: %v, want %v", j, got, want)
				}
			}
			pol0, with, without := newFlatPolicy(m), newFlatPolicy(m), newFlatPolicy(m)
			for k := 0; k < spec.Months(); k++ {
				tm := s + Month(k)
				setEventsFrom(with, pol0, c, spec, tm, nil, ps.drivers)
				setEventsFrom(without, pol0, c, spec, tm, nil, nil)
				for r := range with.DemandScale {
					if a, b := with.DemandScale[r], without.DemandScale[r]; math.Float64bits(a) != math.Float64bits(b) {
						t.Errorf("month %d region %d: demand scale %v with the table, %v without", k, r, a, b)
					}
				}
			}
		})
	}
	for j, lv := range tab.lv {
		if lv == nil {
			continue
		}
		e := *tab.ev[j]
		for q := 0; q <= 4*MaxDriverLag; q++ {
			e.Aux[0] = float64(q) / 4
			for tm := s - 40; tm <= base.End+3; tm++ {
				if got, want := e.driverLevel(tm, lv, tab.x0), e.DriverLevel(tm); math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("event %d, lag %v, month %v: %v from the table, %v", j, e.Aux[0], tm, got, want)
				}
			}
		}
	}
}
