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
