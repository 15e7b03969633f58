package run

import (
	"slices"

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
	}
	return m
}
