package plots

import (
	"fmt"
	"strings"

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

// DataSourceLine is the footer's data line for a run on market m. An
// embedded dataset (embedded true) is credited to FAOSTAT and the World
// Bank Pink Sheet, its main sources (docs/DATA.md lists them all). A
// market written in the scenario (the user's own data) is credited to
// what it cites, cites (its sources list), never to FAOSTAT: "Data: tiny
// v0.1, own market data (sources: My survey 2024; estimated)". Long
// citations are shortened and at most three are named.
func DataSourceLine(m *model.Market, embedded bool, cites []string) string {
	name := "Data: "
	switch {
	case m == nil || m.Name == "":
		name += "own market"
	case m.Version != "":
		name += m.Name + " v" + m.Version
	default:
		name += m.Name
	}
	if embedded && m != nil && m.Name != "" {
		// "FAOSTAT and", not "FAOSTAT,": the font kerns a comma under
		// the T, where at a footer's size on screen it disappears.
		return name + " (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md)"
	}
	if m != nil && m.Name != "" {
		name += ", own market data"
	}
	var short []string
	for _, c := range cites {
		if c = strings.TrimSpace(c); c != "" {
			short = append(short, shorten(c, 40))
		}
	}
	switch {
	case len(short) == 0:
		return name + " (no sources cited)"
	case len(short) > 3:
		return name + " (sources: " + strings.Join(short[:3], "; ") + "; " + fmt.Sprint(len(short)-3) + " more)"
	}
	return name + " (sources: " + strings.Join(short, "; ") + ")"
}

// shorten cuts s to at most n runes at a word boundary, with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
