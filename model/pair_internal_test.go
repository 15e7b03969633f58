package model

import (
	"context"
	"reflect"
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMarket()
			s := &Spec{Market: m, Start: start, End: start + Month(n-1), Events: tc.scen, Drivers: tc.drvS}
			c := s.Clone()
			c.Events, c.Drivers = cloneEvents(tc.cf), cloneEvents(tc.drvC)
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
