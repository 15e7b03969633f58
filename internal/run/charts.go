package run

import (
	"fmt"
	"maps"
	"slices"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// pageOrder puts the main charts (plots.Chart.Main) first, each group in
// the order plots made them.
func pageOrder(charts []*plots.Chart) []*plots.Chart {
	out := slices.Clone(charts)
	slices.SortStableFunc(out, func(a, b *plots.Chart) int {
		switch {
		case a.Main == b.Main:
			return 0
		case a.Main:
			return -1
		}
		return 1
	})
	return out
}

// ChartMeta is what the charts of scenario s say about their run: names,
// hash, model version, the data and its sources, event markers and
// labels, and the seed and number of draws (0 without draws).
func ChartMeta(s *scenarios.Scenario, seed uint64, draws int) plots.Meta {
	m := plots.Meta{
		Scenario:       s.Name,
		Title:          s.Title,
		Counterfactual: s.CounterfactualName,
		Hash:           s.Hash,
		ModelVersion:   model.Version,
		Seed:           seed,
		Draws:          draws,
	}
	if s.Spec != nil {
		if s.Spec.Market != nil {
			embedded, cites := s.MarketSources()
			m.DataSource = plots.DataSourceLine(s.Spec.Market, embedded, cites)
			m.DollarsOf = s.Spec.Market.BaseYear
		}
		m.Markers = plots.EventMarkers(s.Spec.Events, s.Spec.Start, s.Spec.End)
		m.EventLabels = plots.EventLabels(s.Spec.Events)
		maps.Copy(m.EventLabels, plots.CorridorLabels(s.Spec.Market))
	}
	return m
}

// OffBandNote is what the charts with Monte Carlo bands say when their
// central run lies outside its band (plots.Meta.OffBand): why, in a
// few words, from the report's finding o (report.FindOffBand): the
// uncertain parameters whose central values sit at or near an edge of
// their ranges, named as the charts name them (plots.ParamLabel with
// events' labels). "" when no headline figure lies outside its band.
func OffBandNote(o *report.OffBand, events map[string]string) string {
	if o == nil || len(o.Lines) == 0 {
		return ""
	}
	const lead = "by construction, not an error"
	switch len(o.Params) {
	case 0:
		return lead + " (the results respond unevenly to the parameters)"
	case 1:
		p := o.Params[0]
		side, where := "bottom", "near"
		if p.Top {
			side = "top"
		}
		if p.AtEdge {
			where = "at"
		}
		return fmt.Sprintf("%s (%s %s the %s of its range)", lead, plots.ParamLabel(p.Param, events), where, side)
	}
	return fmt.Sprintf("%s (%d parameters sit at an edge)", lead, len(o.Params))
}
