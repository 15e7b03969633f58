package scenarios

import (
	"strings"
	"testing"
)

// TestSameEventsWarning: a scenario whose events, resolved, apply as its
// counterfactual's in every month of the horizon (every effect zero by
// construction) is warned of, located at the --set that made it so or in
// the scenario file; a scenario that differs in some month, and a base
// line with no events (no-sanctions), are not.
func TestSameEventsWarning(t *testing.T) {
	const msg = "have the same events over the horizon: every effect"
	for _, tc := range []struct {
		name string
		file string // a scenario file's text; empty: the built-in name
		sets []string
		want string // the warning, "" for none
	}{
		// The relief pushed past the horizon's end (2028-12): the ban
		// holds in both runs; only the draws of the risk-cost cut, an
		// event of the scenario alone, still move it.
		{name: "us-relief-2025", sets: []string{"events.us-ban.end=2099-01"},
			want: "--set: warning: events.us-ban.end: the scenario and its counterfactual 'sanctions-stay' have the same events over the horizon: " +
				"every effect of the central run is zero (the draws of 'events.discount-relief.scale' change the scenario alone)"},
		{name: "us-relief-2025", sets: []string{"market.regions.Brazil.demand_elasticity=0.5", "scenario.events.us-ban.end=2029-01"},
			want: "--set: warning: scenario.events.us-ban.end: the scenario and its counterfactual 'sanctions-stay'"},
		// The horizon ends before the relief.
		{name: "us-relief-2025", sets: []string{"horizon.end=2025-11", "horizon.report_from=2025-01"},
			want: "--set: warning: horizon.report_from: the scenario and its counterfactual 'sanctions-stay'"},
		// Lifted in the horizon's last month: it differs there.
		{name: "us-relief-2025", sets: []string{"events.us-ban.end=2028-12"}},
		{name: "us-relief-2025"},
		{name: "no-sanctions"},
		// A file whose only own event starts after the horizon: its
		// counterfactual is history, the same.
		{name: "late.yaml", file: "title: late\nextends: history\nevents:\n  - {id: late, ban: {supplier: Belarus, region: Brazil}, start: 2035-01}\n",
			want: "late.yaml:4:3: warning: events: the scenario and its counterfactual 'history' have the same events over the horizon: every effect is zero"},
		// No events of its own: its counterfactual is its parent, and a
		// --set moves both alike; the file is the cause.
		{name: "later.yaml", file: "title: later\nextends: us-relief-2025\n", sets: []string{"events.us-ban.end=2026-06"},
			want: "later.yaml:2:10: warning: extends: the scenario and its counterfactual 'us-relief-2025' have the same events over the horizon: every effect is zero"},
		{name: "cf.yaml", file: "title: cf\nhorizon: {end: 2022-12}\nevents:\n  - {id: cap, capacity: {supplier: Canada, add_mt: 1}, start: 2021-01}\n" +
			"counterfactual:\n  events:\n    - {id: cap2, label: Same, capacity: {supplier: Canada, add_mt: 1}, start: 2021-01}\n",
			want: "cf.yaml:6:3: warning: counterfactual: the scenario and its counterfactual 'cf (counterfactual)' have the same events over the horizon: every effect is zero"},
		{name: "cf-differs.yaml", file: "title: cf\nhorizon: {end: 2022-12}\nevents:\n  - {id: cap, capacity: {supplier: Canada, add_mt: 1}, start: 2021-01}\n" +
			"counterfactual:\n  events:\n    - {id: cap, capacity: {supplier: Canada, add_mt: 1}, start: 2022-12}\n"},
	} {
		var s *Scenario
		var err error
		if tc.file == "" {
			s, err = Load(tc.name, tc.sets)
		} else {
			s, err = Parse(tc.name, []byte(tc.file), tc.sets)
		}
		if err != nil {
			t.Errorf("%s %v: %v", tc.name, tc.sets, err)
			continue
		}
		var got []string
		for _, w := range s.Warnings {
			if strings.Contains(w.Error(), msg) {
				got = append(got, w.Error())
			}
		}
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%s %v: unexpected warning %q", tc.name, tc.sets, got)
		case tc.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.want)):
			t.Errorf("%s %v: warnings %q, want one starting %q", tc.name, tc.sets, got, tc.want)
		}
	}
}
