package plots

import (
	"reflect"
	"testing"

	"github.com/potash-sim/potash/model"
)

func TestEventMarkers(t *testing.T) {
	m := model.NewMonth
	events := []model.Event{
		{ID: "a", Label: "A", Start: m(2021, 6)},
		{ID: "b", Start: m(2022, 2)},                  // no label: the id
		{ID: "c", Label: "A", Start: m(2021, 6)},      // same month and label: one marker
		{ID: "d", Label: "Before", Start: m(2019, 1)}, // outside the window
		{ID: "e", Label: "After", Start: m(2030, 1)},  // outside the window
		{ID: "f", Label: "End month", Start: m(2028, 12)},
	}
	got := EventMarkers(events, m(2020, 1), m(2028, 12))
	want := []Marker{{m(2021, 6), "A"}, {m(2022, 2), "b"}, {m(2028, 12), "End month"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EventMarkers = %v, want %v", got, want)
	}
}
