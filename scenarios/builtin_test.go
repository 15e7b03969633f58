package scenarios

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestBuiltinsLoad checks that every built-in loads and validates without
// warnings, is documented and sourced, and uses the event ids the docs and
// the web page rely on.
func TestBuiltinsLoad(t *testing.T) {
	infos := Builtins()
	want := []string{"eu-relief", "history", "jansen-ramp", "jansen-ramp-relief", "klaipeda-reopens", "sanctions-cost", "us-relief-2025", "western-ban-russia"}
	have := map[string]bool{}
	for _, in := range infos {
		have[in.Name] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("built-in %s missing", w)
		}
	}
	if !have[DefaultScenario] {
		t.Errorf("default scenario %s is not a built-in", DefaultScenario)
	}
	for i := 1; i < len(infos); i++ {
		if infos[i-1].Name >= infos[i].Name {
			t.Errorf("Builtins not sorted: %s before %s", infos[i-1].Name, infos[i].Name)
		}
	}
	for _, in := range infos {
		t.Run(in.Name, func(t *testing.T) {
			if in.Title == "" || in.Description == "" {
				t.Errorf("no title or description")
			}
			s, err := Load(in.Name, nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(s.Warnings) > 0 {
				t.Errorf("warnings: %v", s.Warnings)
			}
			if len(s.Sources) == 0 {
				t.Errorf("no sources")
			}
			if s.Name != in.Name || s.Spec.Name == s.Counterfactual.Name {
				t.Errorf("names: scenario %q, spec %q, counterfactual %q", s.Name, s.Spec.Name, s.Counterfactual.Name)
			}
			if len(s.Hash) != 64 || len(s.Resolved) == 0 {
				t.Errorf("hash %q, %d bytes resolved", s.Hash, len(s.Resolved))
			}
			// Source text round-trips through Parse to the same resolution.
			src, err := BuiltinSource(in.Name)
			if err != nil {
				t.Fatal(err)
			}
			s2, err := Parse("builtin:"+in.Name, src, nil)
			if err != nil || s2.Hash != s.Hash {
				t.Errorf("Parse(BuiltinSource) differs from Load: %v", err)
			}
		})
	}
}

// TestBuiltinEventIDs checks the ids and dates COMMON.md fixes.
func TestBuiltinEventIDs(t *testing.T) {
	find := func(sp *model.Spec, id string) *model.Event {
		for k := range sp.Events {
			if sp.Events[k].ID == id {
				return &sp.Events[k]
			}
		}
		return nil
	}
	m := func(s string) model.Month { t, _ := model.ParseMonth(s); return t }
	s, err := Load("us-relief-2025", nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		spec  *model.Spec
		id    string
		kind  model.EventKind
		start model.Month
		end   model.Month
	}{
		{s.Spec, "us-ban", model.EventBan, m("2021-12"), m("2025-12")},
		{s.Counterfactual, "us-ban", model.EventBan, m("2021-12"), 0},
		{s.Spec, "belarus-discount", model.EventRiskCost, m("2021-12"), 0},
		{s.Spec, "klaipeda-closed", model.EventCorridorCapacity, m("2022-02"), 0},
		{s.Spec, "russian-ports", model.EventCorridorCapacity, m("2022-03"), 0},
		{s.Spec, "jansen", model.EventCapacity, m("2027-07"), 0},
		{s.Counterfactual, "jansen", model.EventCapacity, m("2027-07"), 0},
	}
	for _, c := range checks {
		e := find(c.spec, c.id)
		if e == nil {
			t.Errorf("%s: no event %s", c.spec.Name, c.id)
			continue
		}
		if e.Kind != c.kind || e.Start != c.start || e.End != c.end {
			t.Errorf("%s: %s = kind %d %s..%s, want kind %d %s..%s", c.spec.Name, c.id, e.Kind, e.Start, e.End, c.kind, c.start, c.end)
		}
	}
	if e := find(s.Spec, "russian-ports"); e != nil && (!e.HasFrom || e.From != 3 || e.Value != 8.4 || e.RampIn != 22) {
		t.Errorf("russian-ports: %+v, want 3 → 8.4 Mt/yr over 22 months", *e)
	}
	if e := find(s.Spec, "jansen"); e != nil && (e.Value != 4.15 || e.RampIn != 18) {
		t.Errorf("jansen: %+v, want +4.15 Mt/yr over 18 months", *e)
	}
	if e := find(s.Spec, "klaipeda-closed"); e != nil && e.Value != 0 {
		t.Errorf("klaipeda-closed capacity %g, want 0", e.Value)
	}
	if s.Spec.Start != m("2020-01") || s.Spec.End != m("2028-12") || s.Spec.ReportStart != m("2025-12") {
		t.Errorf("horizon %s..%s from %s", s.Spec.Start, s.Spec.End, s.Spec.ReportStart)
	}
	// History ends in 2025 and has no relief.
	h, err := Load("history", nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := find(h.Spec, "us-ban"); e == nil || e.End != 0 {
		t.Errorf("history us-ban: %+v", e)
	}
	if len(h.Counterfactual.Events) != 0 {
		t.Errorf("history's counterfactual has %d events, want none", len(h.Counterfactual.Events))
	}
	// jansen-ramp-relief: relief in both paths, Jansen in the scenario only.
	jr, err := Load("jansen-ramp-relief", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range []*model.Spec{jr.Spec, jr.Counterfactual} {
		if e := find(sp, "us-ban"); e == nil || e.End != m("2025-12") {
			t.Errorf("jansen-ramp-relief %s: us-ban %+v, want relief in 2025-12", sp.Name, e)
		}
	}
	if find(jr.Spec, "jansen") == nil || find(jr.Counterfactual, "jansen") != nil || jr.Counterfactual.End != m("2030-12") {
		t.Errorf("jansen-ramp-relief: Jansen must be in the scenario only, horizon to 2030-12")
	}
	// sanctions-cost: history against a world without the measures.
	sc, err := Load("sanctions-cost", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Counterfactual.Events) != 0 || len(sc.Spec.Events) != len(h.Spec.Events) {
		t.Errorf("sanctions-cost: %d scenario events (history has %d), %d counterfactual events", len(sc.Spec.Events), len(h.Spec.Events), len(sc.Counterfactual.Events))
	}
}

// TestBuiltinsRun simulates every built-in with its counterfactual and
// checks that it produces finite headline metrics.
func TestBuiltinsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation in -short mode")
	}
	for _, in := range Builtins() {
		t.Run(in.Name, func(t *testing.T) {
			s, err := Load(in.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatalf("SimulatePair: %v", err)
			}
			if run.Scenario.Failed > 0 || run.Counterfactual.Failed > 0 {
				t.Errorf("non-converged months: scenario %d, counterfactual %d", run.Scenario.Failed, run.Counterfactual.Failed)
			}
			if got, want := len(run.Scenario.Sol), s.Spec.Months(); got != want {
				t.Errorf("%d months simulated, want %d", got, want)
			}
			ms := model.Metrics(run)
			if len(ms) == 0 {
				t.Fatal("no metrics")
			}
			for _, mt := range ms {
				if math.IsNaN(mt.Value) || math.IsInf(mt.Value, 0) {
					t.Errorf("metric %s = %g", mt.Name, mt.Value)
				}
			}
		})
	}
}

// TestBuiltinSigns checks the direction of the headline effects the
// built-ins are about (sizes are the model's business: see model tests).
func TestBuiltinSigns(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation in -short mode")
	}
	metric := func(name, metric string) float64 {
		t.Helper()
		s, err := Load(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range model.Metrics(run) {
			if m.Name == metric {
				return m.Value
			}
		}
		var names []string
		for _, m := range model.Metrics(run) {
			names = append(names, m.Name)
		}
		t.Fatalf("%s: no metric %s (have %s)", name, metric, strings.Join(names, ", "))
		return 0
	}
	cases := []struct {
		scenario, metric string
		sign             float64
		why              string
	}{
		{"sanctions-cost", "revenue_change.Belarus", -1, "bans, a closed corridor and a discount cut Belarus's export revenue"},
		{"sanctions-cost", "revenue_change.Canada", +1, "Canada sells into the markets Belarus lost, at higher prices"},
		{"us-relief-2025", "revenue_change.Belarus", +1, "relief reopens the US market and shrinks the discount"},
		// Netback, not FOB revenue: the FOB revenue counts the dearer
		// rerouting as Belarusian revenue, and since model 0.6.0's fit
		// the cheap route lowers it slightly (−0.02 $ bn) while the
		// netback rises by 0.60 $ bn.
		{"klaipeda-reopens", "netback_revenue_change.Belarus", +1, "the cheap Baltic route raises Belarus's netback and volume"},
		{"klaipeda-reopens", "exports_change.Belarus", +1, "the cheap Baltic route raises Belarus's volume"},
		{"western-ban-russia", "revenue_change.Russia", -1, "a ban and a discount cut Russia's export revenue"},
		{"jansen-ramp", "exports_change.Canada", +1, "Jansen adds Canadian volume"},
		{"jansen-ramp-relief", "exports_change.Canada", +1, "Jansen adds Canadian volume, with relief too"},
		{"relief-no-jansen", "revenue_change.Belarus", +1, "relief raises Belarus's revenue without Jansen too"},
		{"jansen-ramp", "benchmark_price_change", -1, "more supply lowers the price (with inelastic demand enough to cut Canada's revenue too)"},
	}
	for _, c := range cases {
		t.Run(c.scenario+"/"+c.metric, func(t *testing.T) {
			v := metric(c.scenario, c.metric)
			if v*c.sign <= 0 {
				t.Errorf("%s %s = %g, want sign %+g: %s", c.scenario, c.metric, v, c.sign, c.why)
			}
		})
	}
}
