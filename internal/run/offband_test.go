package run

import (
	"testing"

	"github.com/potash-sim/potash/internal/report"
)

// TestOffBandNoteWordings: every wording of the charts' off-band note,
// one case per branch of OffBandNote: no finding, no parameter at an
// edge, one parameter at or near the top or the bottom of its range
// (named as the charts name it, with the events' labels), several.
func TestOffBandNoteWordings(t *testing.T) {
	const lead = "by construction, not an error"
	relief := "events.discount-relief.scale"
	labels := map[string]string{"discount-relief": "US relief"}
	one := func(p report.EdgeParam) *report.OffBand {
		return &report.OffBand{Lines: []string{"Belarus netback revenue"}, Params: []report.EdgeParam{p}}
	}
	for _, tc := range []struct {
		name   string
		o      *report.OffBand
		events map[string]string
		want   string
	}{
		{"nil", nil, nil, ""},
		{"no line outside", &report.OffBand{Params: []report.EdgeParam{{Param: relief, Top: true, AtEdge: true}}}, nil, ""},
		{"no parameter", &report.OffBand{Lines: []string{"x"}}, nil, lead + " (the results respond unevenly to the parameters)"},
		{"at the top", one(report.EdgeParam{Param: relief, Top: true, AtEdge: true}), nil,
			lead + " (Discount relief: scale at the top of its range)"},
		{"near the top", one(report.EdgeParam{Param: relief, Top: true}), nil,
			lead + " (Discount relief: scale near the top of its range)"},
		{"at the bottom", one(report.EdgeParam{Param: relief, AtEdge: true}), nil,
			lead + " (Discount relief: scale at the bottom of its range)"},
		{"near the bottom", one(report.EdgeParam{Param: relief}), nil,
			lead + " (Discount relief: scale near the bottom of its range)"},
		{"event's label", one(report.EdgeParam{Param: relief, Top: true, AtEdge: true}), labels,
			lead + " (US relief: scale at the top of its range)"},
		{"two parameters", &report.OffBand{Lines: []string{"x"}, Params: make([]report.EdgeParam, 2)}, nil,
			lead + " (2 parameters sit at an edge)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OffBandNote(tc.o, tc.events); got != tc.want {
				t.Errorf("OffBandNote = %q, want %q", got, tc.want)
			}
		})
	}
}
