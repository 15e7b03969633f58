package model

import (
	"context"
	"math"
	"reflect"
	"slices"
	"testing"
)

// TestFirstDiffering: firstDiffering finds the month from which the
// scenario's and the counterfactual's events in force differ — a lower
// bound of the month the pair stops sharing its months, up to which the
// counterfactual's policy is neither built nor compared — and the pair
// (SimulatePair and the Monte Carlo's pairSim.run) shares its months
// exactly until the policies differ, its counterfactual equal to the path
// simulated alone.
func TestFirstDiffering(t *testing.T) {
	start := NewMonth(2020, 1)
	ban := Event{ID: "ban", Kind: EventBan, Supplier: 2, Region: 0, Start: start + 5}
	wedge := Event{ID: "wedge", Kind: EventWedge, Supplier: 2, Region: 1, Value: 0.1, Start: start + 2, RampIn: 6}
	relief := Event{ID: "relief", Kind: EventWedge, Supplier: 2, Region: 1, Value: 0.1, Start: start + 2, End: start + 9, RampIn: 6, RampOut: 3}
	demand := Event{ID: "demand", Kind: EventDemand, Region: -1, Value: 0.05, Start: start + 1, Series: []float64{0.05, 0.05, 0.05, 0.07}}
	driver := Event{ID: "driver", Kind: EventDemandDriver, Region: -1, Start: start, Series: []float64{1, 1.1, 1.2}, Aux: [2]float64{1.5, 0.2}}
	n := 24
	for _, tc := range []struct {
		name         string
		scen, cf     []Event
		drvS, drvC   []Event
		otherMarket  bool
		first, split int // firstDiffering, and the first month not shared (n: none)
	}{
		{name: "same events", scen: []Event{wedge}, cf: []Event{wedge}, first: n, split: n},
		{name: "a ban from month 5", scen: []Event{wedge, ban}, cf: []Event{wedge}, first: 5, split: 5},
		{name: "a ramp from month 2", scen: []Event{wedge}, first: 2, split: 2},
		{name: "an end from month 9", scen: []Event{wedge}, cf: []Event{relief}, first: 9, split: 9},
		{name: "a series from month 4", scen: []Event{demand}, cf: []Event{func() Event { d := demand; d.Series = d.Series[:3]; return d }()}, first: 4, split: 4},
		{name: "the same drivers", drvS: []Event{driver}, drvC: []Event{driver}, first: n, split: n},
		// The drivers differ from month 0 but move demand only from
		// month 2 (1.5 months' lag): firstDiffering is a lower bound.
		{name: "other drivers", drvS: []Event{driver}, drvC: []Event{func() Event { d := driver; d.Aux[1] = 0.3; return d }()}, first: 0, split: 2},
		{name: "another market", scen: []Event{wedge}, cf: []Event{wedge}, otherMarket: true, first: n, split: 0},
		// Events and drivers alike at both ends of the lists are not
		// compared month by month (sameEvent): those between still are.
		{name: "alike ends, a ban between", scen: []Event{demand, ban, wedge}, cf: []Event{demand, wedge}, drvS: []Event{driver}, drvC: []Event{driver}, first: 5, split: 5},
		{name: "alike ends, the same between", scen: []Event{demand, relief, wedge}, cf: []Event{demand, relief, wedge}, drvS: []Event{driver}, drvC: []Event{driver}, first: n, split: n},
		{name: "an event repeated", scen: []Event{wedge, ban}, cf: []Event{wedge, ban, func() Event { b := ban; b.ID = "ban2"; return b }()}, first: 5, split: n},
		{name: "alike but a series value's bits", scen: []Event{wedge, demand}, cf: []Event{wedge, func() Event { d := demand; d.Series = []float64{0.05, 0.05, 0.05, 0.0700000001}; return d }()}, first: 4, split: 4},
		// A driver is listed (at level 1) before it starts: the lists
		// differ from month 0, though demand moves only from month 7.
		{name: "a driver starting later", drvS: []Event{func() Event { d := driver; d.Start = start + 5; return d }()}, first: 0, split: 7},
		{name: "alike but the driver's lag", drvS: []Event{driver, func() Event { d := driver; d.ID = "driver2"; return d }()}, drvC: []Event{driver, func() Event { d := driver; d.ID, d.Aux[0] = "driver2", 2; return d }()}, first: 0, split: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMarket()
			s := &Spec{Market: m, Start: start, End: start + Month(n-1), Events: tc.scen, Drivers: tc.drvS}
			c := s.Clone()
			c.Events, c.Drivers = cloneEvents(tc.cf, &specMem{}), cloneEvents(tc.drvC, &specMem{})
			if tc.otherMarket {
				c.Market.Regions[3].Eps *= 1.01
			}
			if got := firstDiffering(s, c); got != tc.first {
				t.Errorf("firstDiffering = %d, want %d", got, tc.first)
			}
			run, err := SimulatePair(context.Background(), s, c)
			if err != nil {
				t.Fatal(err)
			}
			split := n
			for k := 0; k < n; k++ {
				ss, cs := run.Scenario.Sol[k], run.Counterfactual.Sol[k]
				if ss == nil || cs == nil {
					t.Fatalf("month %d not stored", k)
				}
				if ss != cs && split == n {
					split = k
				}
				if (ss == cs) != (k < split) {
					t.Errorf("month %d: shared %v after the split at %d", k, ss == cs, split)
				}
			}
			if split != tc.split {
				t.Errorf("the paths stop sharing at month %d, want %d", split, tc.split)
			}
			// The counterfactual, which carries the scenario's state
			// into its first own month (carryFrom), is the path
			// simulated alone, month by month.
			alone, err := Simulate(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			for k, sol := range alone.Sol {
				if !reflect.DeepEqual(run.Counterfactual.Sol[k], sol) {
					t.Errorf("month %d: the pair's counterfactual differs from the path alone", k)
				}
			}
			// pairSim.run (the Monte Carlo's) hands over the same
			// Solution while the months are shared.
			calS, calC, err := calibratePair(s, c)
			if err != nil {
				t.Fatal(err)
			}
			p, err := newPairSim(s, c, calS, calC)
			if err != nil {
				t.Fatal(err)
			}
			split = n
			err = p.run(context.Background(), func(k int, _ Month, ss, cs *Solution, _, _ Result) error {
				if ss != cs && split == n {
					split = k
				}
				if !reflect.DeepEqual(cs, alone.Sol[k]) {
					t.Errorf("run, month %d: the counterfactual differs from the path alone", k)
				}
				return nil
			})
			if err != nil || split != tc.split {
				t.Errorf("run: the paths stop sharing at month %d (%v), want %d", split, err, tc.split)
			}
		})
	}
}

// TestSameEvent checks that sameEvent tells apart two events differing
// in any field of Event but ID and Label (a field added to Event must be
// compared there, or firstDiffering would take events that apply
// differently for alike), and takes events differing in those two alike.
func TestSameEvent(t *testing.T) {
	base := Event{ID: "a", Label: "A", Kind: EventDemandDriver, Supplier: 1, Region: 2, Corridor: 0, Coalition: 0,
		Value: 0.5, From: 0.25, Aux: [2]float64{1.5, 0.2}, Start: 3, End: 9, RampIn: 2, RampOut: 1, Series: []float64{1, 1.1}}
	typ := reflect.TypeOf(base)
	for f := 0; f < typ.NumField(); f++ {
		name := typ.Field(f).Name
		t.Run(name, func(t *testing.T) {
			e := base
			e.Series = slices.Clone(base.Series)
			fv := reflect.ValueOf(&e).Elem().Field(f)
			switch fv.Kind() {
			case reflect.String:
				fv.SetString(fv.String() + "x")
			case reflect.Int:
				fv.SetInt(fv.Int() + 1)
			case reflect.Float64:
				fv.SetFloat(math.Copysign(0, -1)) // bits differ from every value above
			case reflect.Bool:
				fv.SetBool(!fv.Bool())
			case reflect.Array:
				fv.Index(1).SetFloat(0.3)
			case reflect.Slice:
				fv.Index(1).SetFloat(1.1000000000000003)
			default:
				t.Fatalf("field %s of kind %v: extend this test", name, fv.Kind())
			}
			want := name == "ID" || name == "Label"
			if got := sameEvent(&base, &e); got != want {
				t.Errorf("sameEvent with %s changed = %v, want %v", name, got, want)
			}
		})
	}
}

// TestCalibrateOwn checks that calibrating a market the caller hands over
// (calibrate with own, a Monte Carlo draw's) keeps it instead of a copy
// and calibrates it to the same values, and that a market without
// wedges is copied all the same and left without them.
func TestCalibrateOwn(t *testing.T) {
	for _, tc := range []struct {
		name   string
		wedges bool
	}{{"with wedges", true}, {"without wedges", false}} {
		t.Run(tc.name, func(t *testing.T) {
			m := pathMarket()
			if !tc.wedges {
				m.Wedge = nil
			} else if m.Wedge == nil {
				m.Wedge = make([][]float64, len(m.Suppliers))
				for i := range m.Wedge {
					m.Wedge[i] = make([]float64, len(m.Regions))
				}
			}
			want, err := Calibrate(m)
			if err != nil {
				t.Fatal(err)
			}
			got, err := calibrate(m, true)
			if err != nil {
				t.Fatal(err)
			}
			if kept := got.Market == m; kept != tc.wedges {
				t.Errorf("the Calibrated keeps the market itself: %v, want %v", kept, tc.wedges)
			}
			if !tc.wedges && m.Wedge != nil {
				t.Error("the market without wedges got a Wedge matrix")
			}
			g, w := *got, *want
			g.Market, w.Market = nil, nil
			if !reflect.DeepEqual(g, w) || !reflect.DeepEqual(got.Market, want.Market) {
				t.Error("calibrated values differ from Calibrate's")
			}
		})
	}
}

// TestPathSimFrom checks that a path simulator that takes an earlier
// one's storage (newPathSimFrom, after that one ran a path of another
// market and spec) is, field by field, the simulator newPathSim makes:
// every field equal (reflect.DeepEqual) but the Solver (the old one's
// made anew, equal to a new one's: workspaceDiff), the Solution, the month's policy and the retry starts
// (taken, not cleared: written whole before they are read), so that no
// field a path writes escapes the renewal; that the taken ones are the
// old storage; and that both then solve the path to the same bits.
// Another shape takes nothing.
func TestPathSimFrom(t *testing.T) {
	s := NewMonth(2020, 1)
	ma, mb := pathMarket(), pathMarket()
	for r := range mb.Regions {
		mb.Regions[r].Growth = 0.01 * float64(r+1)
		mb.Regions[r].Eps *= 1.1
	}
	mb.Suppliers[0].Corridors[0].Cost += 7
	driver := Event{ID: "crop", Kind: EventDemandDriver, Region: -1, Start: s - 3, Series: []float64{1, 1.2, 0.9, 1.1, 1.3}, Aux: [2]float64{1.5, 0.6}}
	specA := testSpec(ma, 14, Event{ID: "demand", Kind: EventDemand, Region: -1, Value: 0.05, Start: s + 2},
		Event{ID: "wedge", Kind: EventWedge, Supplier: 0, Region: 1, Value: 0.1, Start: s + 1})
	specA.Drivers = []Event{driver}
	specB := testSpec(mb, 14, Event{ID: "demand", Kind: EventDemand, Region: 1, Value: -0.08, Start: s + 4, RampIn: 3},
		Event{ID: "wedge", Kind: EventWedge, Supplier: 1, Region: 0, Value: 0.05, Start: s + 6})
	specB.Drivers = []Event{driver}
	specB.Drivers[0].Aux = [2]float64{0.5, 0.9}
	calA, calB := mustCalibrate(t, ma), mustCalibrate(t, mb)
	// run solves ps's path and returns every month's Solution as bits.
	run := func(ps *pathSim) [][]uint64 {
		var out [][]uint64
		for k := 0; k < ps.spec.Months(); k++ {
			tm := ps.spec.Start + Month(k)
			ps.setPolicy(k, tm)
			if _, err := ps.solve(k, tm); err != nil {
				t.Fatal(err)
			}
			b := []uint64{math.Float64bits(ps.sol.Benchmark)}
			eachValue(ps.sol, func(v *float64) { b = append(b, math.Float64bits(*v)) })
			for _, x := range ps.sol.Binding {
				b = append(b, uint64(x))
			}
			for _, x := range ps.sol.Traded {
				if x {
					b = append(b, 1)
				} else {
					b = append(b, 0)
				}
			}
			out = append(out, b)
		}
		return out
	}
	old, err := newPathSim(calA, specA)
	if err != nil {
		t.Fatal(err)
	}
	run(old)
	oldSolver, oldSol, oldPol, oldBase := old.solver, old.sol, old.pol, old.base
	renewed, err := newPathSimFrom(old, calB, specB)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := newPathSim(calB, specB)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.solver != oldSolver || renewed.sol != oldSol || renewed.pol != oldPol || renewed.base != oldBase {
		t.Error("the renewed simulator did not take the old one's storage")
	}
	if d := workspaceDiff(renewed.solver, fresh.solver); d != "" {
		t.Errorf("the renewed Solver differs from a new one's: %s", d)
	}
	rv, fv := reflect.ValueOf(renewed).Elem(), reflect.ValueOf(fresh).Elem()
	for f := 0; f < rv.NumField(); f++ {
		name := rv.Type().Field(f).Name
		switch name {
		case "solver", "sol", "pol", "retry", "ex", "ey", "eom": // scratch, written before read
			continue
		case "force", "force0": // the old storage, empty
			if l := rv.Field(f).Len(); l != 0 || fv.Field(f).Len() != 0 {
				t.Errorf("field %s holds %d events", name, l)
			}
			continue
		}
		a := reflect.NewAt(rv.Field(f).Type(), rv.Field(f).Addr().UnsafePointer()).Elem().Interface()
		b := reflect.NewAt(fv.Field(f).Type(), fv.Field(f).Addr().UnsafePointer()).Elem().Interface()
		if !reflect.DeepEqual(a, b) {
			t.Errorf("field %s differs from a new simulator's", name)
		}
	}
	got, want := run(renewed), run(fresh)
	for k := range want {
		if !slices.Equal(got[k], want[k]) {
			t.Fatalf("month %d: the renewed simulator's Solution differs from a new one's", k)
		}
	}
	other := pathMarket()
	other.Suppliers[0].Corridors = other.Suppliers[0].Corridors[:len(other.Suppliers[0].Corridors)-1]
	if !sameShape(ma, mb) || sameShape(ma, other) {
		t.Error("sameShape: wrong")
	}
	o, err := newPathSimFrom(fresh, calB, testSpec(mb, 3))
	if err != nil {
		t.Fatal(err)
	}
	if o == fresh || o.pol == fresh.pol {
		t.Error("a spec with another number of events took the old storage")
	}
}
