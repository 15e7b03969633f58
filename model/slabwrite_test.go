package model

import (
	"context"
	"testing"
)

// TestSlabPoisoned: with PoisonSlabs, every float of a carved slab holds
// SlabPoison (so TestSlabFullyWritten would see a float fill leaves
// unwritten), and Unwritten names each field.
func TestSlabPoisoned(t *testing.T) {
	cal, err := Calibrate(pathMarket())
	if err != nil {
		t.Fatal(err)
	}
	defer PoisonSlabs()()
	tmpl := NewSolution(cal)
	want := 0 // the fields with storage (pathMarket has no facility)
	for f := range solFields {
		if sf := &solFields[f]; sf.vec != nil && len(*sf.vec(tmpl)) > 0 || sf.mat != nil && len(*sf.mat(tmpl)) > 0 {
			want++
		}
	}
	for _, s := range solutionSlab(tmpl, 3) {
		if got := Unwritten(s); len(got) != want || want < 40 {
			t.Fatalf("%d poisoned fields %v, want all %d", len(got), got, want)
		}
	}
}

// TestSlabFullyWritten: fill must write every float of a stored Solution
// (a field it skipped would read as a plausible 0), whatever
// the month's outcome: a closed supplier, a region without trade, a shut
// corridor, implausible months. (The built-in pairs:
// TestSlabFullyWrittenBuiltins.)
func TestSlabFullyWritten(t *testing.T) {
	defer PoisonSlabs()()
	m := pathMarket()
	start := NewMonth(2022, 1)
	base := &Spec{Name: "c", Market: m, Start: start, End: start + 11}
	for name, ev := range map[string][]Event{
		"none":        nil,
		"closed":      {{ID: "ban", Kind: EventBan, Supplier: 0, Region: -1, Start: start + 2, End: start + 5}},
		"not traded":  {{ID: "cut-off", Kind: EventBan, Supplier: -1, Region: 1, Start: start + 3, End: start + 6}},
		"implausible": {{ID: "boom", Kind: EventDemand, Supplier: -1, Region: -1, Value: 40, Start: start + 2}},
		"corridor":    {{ID: "shut", Kind: EventCorridorCapacity, Supplier: 0, Corridor: 0, Value: 0, Start: start + 1}},
	} {
		scen := *base
		scen.Name, scen.Events = name, ev
		run, err := SimulatePair(context.Background(), &scen, base)
		if err != nil {
			t.Fatal(name, err)
		}
		path, err := Simulate(context.Background(), &scen)
		if err != nil {
			t.Fatal(name, err)
		}
		if !hasCase(name, run.Scenario) {
			t.Errorf("%s: the case does not occur", name)
		}
		for _, p := range []*Path{run.Scenario, run.Counterfactual, path} {
			for k, s := range p.Sol {
				if u := Unwritten(s); u != nil {
					t.Errorf("%s %v: unwritten %v", name, p.Months[k], u)
				}
			}
		}
	}
}

// hasCase reports whether path p has a month of the named case of
// TestSlabFullyWritten.
func hasCase(name string, p *Path) bool {
	for k, s := range p.Sol {
		switch {
		case name == "none",
			name == "closed" && s.Binding[0] == BindClosed,
			name == "not traded" && !s.Traded[1],
			name == "implausible" && p.Results[k].Status == Implausible,
			name == "corridor" && s.CorridorCap[0][0] == 0:
			return true
		}
	}
	return false
}
