package model

import (
	"reflect"
	"testing"
)

// TestSpecClone checks that Spec.Clone (its market's matrices and its
// events' series carved from one allocation each) is a deep copy equal
// to the original, nil and empty rows and series alike; that writing or
// appending to a clone's row or series leaves the original and the
// clone's next row or series as they were.
func TestSpecClone(t *testing.T) {
	m := pathMarket()
	m.Wedge = make([][]float64, len(m.Suppliers))
	for i := range m.Wedge {
		m.Wedge[i] = make([]float64, len(m.Regions))
		m.Wedge[i][0] = 0.01 * float64(i)
	}
	m.Wedge[1] = nil
	spec := testSpec(m, 12,
		Event{ID: "a", Kind: EventDemand, Region: -1, Value: 0.1, Series: []float64{1, 2, 3}},
		Event{ID: "b", Kind: EventDemand, Region: -1, Value: 0.1},
		Event{ID: "c", Kind: EventDemand, Region: -1, Value: 0.1, Series: []float64{}},
		Event{ID: "d", Kind: EventDemand, Region: -1, Value: 0.1, Series: []float64{4, 5}})
	spec.Drivers = []Event{{ID: "crop", Kind: EventDemandDriver, Region: -1, Series: []float64{1, 1.1}}}
	want := &Spec{Name: spec.Name, Market: m, Start: spec.Start, End: spec.End,
		Events: []Event{spec.Events[0], spec.Events[1], spec.Events[2], spec.Events[3]}, Drivers: spec.Drivers}
	want.Events[2].Series = nil // a copy by append of an empty series is nil
	c := spec.Clone()
	if !reflect.DeepEqual(c, want) {
		t.Fatal("the clone differs from the original")
	}
	c.Market.Flows[0][0] += 1
	c.Market.Wedge[0] = append(c.Market.Wedge[0], 9)
	c.Events[0].Series[2] = 7
	c.Events[0].Series = append(c.Events[0].Series, 8)
	if m.Flows[0][0] == c.Market.Flows[0][0] || m.Wedge[2][0] != 0.02 || c.Market.Wedge[2][0] != 0.02 ||
		spec.Events[0].Series[2] != 3 || c.Events[3].Series[0] != 4 {
		t.Error("a write or append to the clone reached the original or the clone's next row")
	}
}

// TestSpecCloneIn checks that specs cloned in turn into one kept
// storage (Spec.cloneIn, as a Monte Carlo worker's candidates are:
// rewound before each) equal Spec.Clone's copies, nil and empty slices
// alike, whatever the shape of the spec before; that a clone of the same
// shape takes the storage of the last; and that writing to a clone
// leaves its original as it was.
func TestSpecCloneIn(t *testing.T) {
	a := testSpec(pathMarket(), 12,
		Event{ID: "a", Kind: EventDemand, Region: -1, Value: 0.1, Series: []float64{1, 2, 3}},
		Event{ID: "c", Kind: EventDemand, Region: -1, Value: 0.1, Series: []float64{}})
	a.Drivers = []Event{{ID: "crop", Kind: EventDemandDriver, Region: -1, Series: []float64{1, 1.1}}}
	mb := pathMarket()
	mb.Suppliers[0].Corridors = append(mb.Suppliers[0].Corridors, Corridor{Name: "extra", Capacity: 1, Cost: 5,
		Serves: []Serve{{Region: mb.Regions[0].Name, Own: true, Freight: 20}}, Facility: "port"})
	mb.Facilities = []Facility{{Name: "port", Capacity: 3}}
	mb.Coalitions = []Coalition{{Name: "co", Members: []string{mb.Suppliers[0].Name, mb.Suppliers[1].Name}, Weight: 0.5}}
	mb.Wedge = make([][]float64, len(mb.Suppliers))
	mb.Wedge[0] = make([]float64, len(mb.Regions))
	b := testSpec(mb, 24, Event{ID: "d", Kind: EventDemand, Region: -1, Value: 0.1, Series: []float64{4, 5, 6, 7}})
	mem := newSpecMem()
	var lastA *float64
	for k, spec := range []*Spec{a, b, a, a, b, a} {
		mem.rewind()
		got := spec.cloneIn(mem)
		if !reflect.DeepEqual(got, spec.Clone()) {
			t.Fatalf("clone %d differs from Spec.Clone's", k)
		}
		if spec == a {
			if p := &got.Market.Flows[0][0]; k == 3 && p != lastA {
				t.Error("a clone of the same shape did not take the last one's storage")
			} else {
				lastA = p
			}
		}
		got.Market.Flows[0][0] += 1
		got.Market.Suppliers[0].Corridors[0].Cost += 1
		got.Events[0].Series[0] += 1
		if spec.Market.Flows[0][0] == got.Market.Flows[0][0] || spec.Market.Suppliers[0].Corridors[0].Cost == got.Market.Suppliers[0].Corridors[0].Cost ||
			spec.Events[0].Series[0] == got.Events[0].Series[0] {
			t.Fatalf("clone %d: a write reached the original", k)
		}
	}
}
