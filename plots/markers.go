package plots

import (
	"fmt"

	"github.com/potash-sim/potash/model"
)

// EventMarkers returns one Marker per distinct event start within
// from..to (inclusive), labelled with the event's Label (or its ID when the
// label is empty), in the order of events. Events starting in the same month
// with the same label give one marker.
func EventMarkers(events []model.Event, from, to model.Month) []Marker {
	var out []Marker
	seen := map[string]bool{}
	for _, e := range events {
		if e.Start < from || e.Start > to {
			continue
		}
		label := e.Label
		if label == "" {
			label = e.ID
		}
		key := e.Start.String() + label
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, Marker{Month: e.Start, Label: label})
	}
	return out
}

// DataSourceLine is the footer's data line for a run on market m.
func DataSourceLine(m *model.Market) string {
	return fmt.Sprintf("Data: %s v%s (FAOSTAT, World Bank Pink Sheet; see docs/DATA.md)", m.Name, m.Version)
}
