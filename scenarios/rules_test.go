package scenarios

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// tol is the tolerance for values that pass through a unit conversion
// (percent → fraction).
const tol = 1e-12

func month(t *testing.T, s string) model.Month {
	t.Helper()
	m, err := model.ParseMonth(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func eventByID(sp *model.Spec, id string) *model.Event {
	for k := range sp.Events {
		if sp.Events[k].ID == id {
			return &sp.Events[k]
		}
	}
	return nil
}

func mustLoad(t *testing.T, name string, sets ...string) *Scenario {
	t.Helper()
	s, err := Load(name, sets)
	if err != nil {
		t.Fatalf("Load(%s, %q): %v", name, sets, err)
	}
	return s
}

// TestSpecEvents checks the conversion of every instrument to model
// events (testdata/valid/inline-basic.yaml).
func TestSpecEvents(t *testing.T) {
	s := mustLoad(t, "testdata/valid/inline-basic.yaml")
	sp := s.Spec
	if sp.Start != month(t, "2020-01") || sp.End != month(t, "2023-12") || sp.ReportStart != month(t, "2021-01") {
		t.Errorf("horizon %s..%s report %s", sp.Start, sp.End, sp.ReportStart)
	}
	type want struct {
		id        string
		kind      model.EventKind
		sup, reg  int
		corr      int
		value     float64
		from      float64
		hasFrom   bool
		start     string
		end       string
		in, out   int
		seriesLen int
	}
	wants := []want{
		{"ban-nw", model.EventBan, 0, 1, -1, 0, 0, false, "2021-03", "2022-03", 0, 0, 0},
		{"tariff", model.EventWedge, 1, -1, -1, 0.125, 0, false, "2021-01", "", 3, 0, 0},
		{"quota", model.EventExportCap, 1, -1, -1, 6, 0, false, "2021-06", "2022-06", 2, 4, 0},
		{"port-shut", model.EventCorridorCapacity, 0, -1, 0, 2, 6, true, "2021-02", "", 6, 0, 0},
		{"port-shut/cost", model.EventCorridorCost, 0, -1, 0, 35, 0, false, "2021-02", "", 6, 0, 0},
		{"new-mine", model.EventCapacity, 2, -1, -1, 1.5, 0, false, "2022-01", "", 12, 0, 0},
		{"boom", model.EventDemand, -1, -1, -1, 0.05, 0, false, "2021-01", "", 0, 0, 0},
		{"index", model.EventDemand, -1, 1, -1, 0.01, 0, false, "2021-01", "", 0, 0, 3},
		{"energy", model.EventCost, 0, -1, -1, -4, 0, false, "2022-09", "", 0, 0, 0},
		{"trq", model.EventTariffQuota, 2, 0, -1, 0, 0, false, "2022-01", "", 0, 0, 0},
		{"crops", model.EventDemandDriver, -1, 1, -1, 0.8, 0, false, "2022-06", "", 3, 0, 0},
		{"stock-up", model.EventStockTarget, -1, -1, -1, 0.4, 0, false, "2021-03", "2021-08", 4, 6, 0},
		{"rebate", model.EventConcession, 0, 0, -1, 0.08, 0, false, "2021-06", "", 2, 0, 0},
		{"risk", model.EventRiskCost, 1, -1, -1, 0.06, 0, false, "2021-04", "", 0, 0, 0},
		{"risk-relief", model.EventRiskCost, 1, -1, -1, 0.5, 0, false, "2023-01", "", 0, 0, 0},
		{"levy", model.EventExportTax, 2, -1, -1, 10, 0, false, "2022-04", "", 0, 0, 0},
		{"island-cournot", model.EventConduct, 2, -1, -1, 0.1, 0, false, "2021-01", "", 0, 0, 0},
		{"pact", model.EventCoalition, -1, -1, -1, 1, 0, false, "2022-01", "", 6, 0, 0},
	}
	if len(sp.Events) != len(wants) {
		t.Fatalf("%d model events, want %d", len(sp.Events), len(wants))
	}
	for k, w := range wants {
		e := sp.Events[k]
		var end model.Month
		if w.end != "" {
			end = month(t, w.end)
		}
		if e.ID != w.id || e.Kind != w.kind || e.Supplier != w.sup || e.Region != w.reg || e.Corridor != w.corr ||
			!scalar.EqualWithinAbs(e.Value, w.value, tol) || e.From != w.from || e.HasFrom != w.hasFrom ||
			e.Start != month(t, w.start) || e.End != end || e.RampIn != w.in || e.RampOut != w.out || len(e.Series) != w.seriesLen {
			t.Errorf("event %d = %+v, want %+v", k, e, w)
		}
	}
	if e := eventByID(sp, "index"); e != nil {
		for k, v := range []float64{0.01, 0.02, 0.035} {
			if !scalar.EqualWithinAbs(e.Series[k], v, tol) {
				t.Errorf("index series[%d] = %g, want %g", k, e.Series[k], v)
			}
		}
	}
	for id, rel := range map[string]bool{"risk": false, "risk-relief": true, "rebate": false} {
		if e := eventByID(sp, id); e.Relative != rel {
			t.Errorf("%s: relative %v, want %v (scale sets a factor of the level in force)", id, e.Relative, rel)
		}
	}
	if e := eventByID(sp, "trq"); e.Aux != [2]float64{0.4, 1.5} {
		t.Errorf("tariff-rate quota out rate and quota %v, want [0.4 1.5]", e.Aux)
	}
	if e := eventByID(sp, "port-shut"); e.Label != "Port shut" {
		t.Errorf("label %q", e.Label)
	}
	if e := eventByID(sp, "boom"); e.Label != "boom" {
		t.Errorf("default label %q, want the id", e.Label)
	}
	// Market conversion: percent fields become fractions.
	m := sp.Market
	if !scalar.EqualWithinAbs(m.Regions[0].Growth, 0.02, tol) || !scalar.EqualWithinAbs(m.Wedge[1][1], 0.02, tol) {
		t.Errorf("growth %g, wedge %g; want 0.02 and 0.02", m.Regions[0].Growth, m.Wedge[1][1])
	}
	// No extends, no compare_to: the counterfactual has no events.
	if len(s.Counterfactual.Events) != 0 || s.CounterfactualName != "inline-basic (no events)" {
		t.Errorf("counterfactual %q with %d events", s.CounterfactualName, len(s.Counterfactual.Events))
	}
	if s.Counterfactual.Market == s.Spec.Market {
		t.Error("scenario and counterfactual share a *Market; Apply on one would change the other")
	}
}

// TestDefaultCounterfactual checks the counterfactual of a child (the
// parent with the child's market and horizon) and of compare_to.
func TestDefaultCounterfactual(t *testing.T) {
	s := mustLoad(t, "testdata/valid/extends-child.yaml")
	if s.CounterfactualName != "inline-basic" {
		t.Errorf("counterfactual %q, want inline-basic", s.CounterfactualName)
	}
	// Parent events, including the removed ones and the original tariff.
	if e := eventByID(s.Counterfactual, "energy"); e == nil {
		t.Error("counterfactual lacks the parent's event 'energy' (removed only in the child)")
	}
	if e := eventByID(s.Counterfactual, "tariff"); e == nil || !scalar.EqualWithinAbs(e.Value, 0.125, tol) {
		t.Errorf("counterfactual tariff %+v, want the parent's 12.5%%", e)
	}
	if e := eventByID(s.Spec, "tariff"); e == nil || !scalar.EqualWithinAbs(e.Value, 0.2, tol) {
		t.Errorf("scenario tariff %+v, want the child's 20%%", e)
	}
	if eventByID(s.Spec, "energy") != nil || eventByID(s.Spec, "outage") == nil {
		t.Error("removal or addition not applied")
	}
	// The child's horizon and market in both.
	for _, sp := range []*model.Spec{s.Spec, s.Counterfactual} {
		if sp.End != month(t, "2024-06") {
			t.Errorf("%s ends %s, want 2024-06", sp.Name, sp.End)
		}
		// Wildcard override first, specific one wins.
		if sp.Market.Regions[0].Eps != 0.5 || sp.Market.Regions[1].Eps != 0.2 {
			t.Errorf("%s: eps %g, %g; want 0.5, 0.2", sp.Name, sp.Market.Regions[0].Eps, sp.Market.Regions[1].Eps)
		}
		if sp.Market.Suppliers[0].Corridors[1].Capacity != 6 {
			t.Errorf("%s: Rail capacity %g, want 6", sp.Name, sp.Market.Suppliers[0].Corridors[1].Capacity)
		}
	}
	c := mustLoad(t, "testdata/valid/compare-to.yaml")
	if c.CounterfactualName != "extends-child" || eventByID(c.Counterfactual, "outage") == nil || eventByID(c.Counterfactual, "extra") != nil {
		t.Errorf("compare_to: counterfactual %q", c.CounterfactualName)
	}
	if c.Counterfactual.End != c.Spec.End {
		t.Errorf("compare_to: counterfactual horizon ends %s, scenario %s", c.Counterfactual.End, c.Spec.End)
	}
}

// TestSetRules checks --set: market and horizon paths change both specs;
// an events path changes the counterfactual only where it holds the
// identical event.
func TestSetRules(t *testing.T) {
	base := mustLoad(t, "us-relief-2025")
	s := mustLoad(t, "us-relief-2025", "events.us-ban.end=2026-06", "events.belarus-discount.pct=20",
		"market.regions.Brazil.demand_elasticity=0.4", "horizon.end=2027-12", "events.jansen.ramp_months=12")
	// us-ban differs between us-relief-2025 and sanctions-stay: scenario only.
	if e := eventByID(s.Spec, "us-ban"); e.End != month(t, "2026-06") {
		t.Errorf("scenario us-ban end %s, want 2026-06", e.End)
	}
	if e := eventByID(s.Counterfactual, "us-ban"); e.End != 0 {
		t.Errorf("counterfactual us-ban end %s, want none (sanctions stay)", e.End)
	}
	// belarus-discount and jansen are common: both.
	for _, sp := range []*model.Spec{s.Spec, s.Counterfactual} {
		if e := eventByID(sp, "belarus-discount"); !scalar.EqualWithinAbs(e.Value, 0.2, tol) {
			t.Errorf("%s: belarus-discount %g, want 0.2", sp.Name, e.Value)
		}
		if e := eventByID(sp, "jansen"); e.RampIn != 12 {
			t.Errorf("%s: jansen ramp %d, want 12", sp.Name, e.RampIn)
		}
		if sp.Market.Regions[sp.Market.RegionIndex("Brazil")].Eps != 0.4 || sp.End != month(t, "2027-12") {
			t.Errorf("%s: market or horizon not set", sp.Name)
		}
	}
	if s.Hash == base.Hash {
		t.Error("--set did not change the hash")
	}
	if !strings.Contains(string(s.Resolved), "events.us-ban.end=2026-06") {
		t.Error("resolved YAML does not record the --set arguments")
	}
	// Wildcards.
	w := mustLoad(t, "history", "market.regions.*.substitution_elasticity=5", "events.*.ramp_months=2")
	for _, r := range w.Spec.Market.Regions {
		if r.Sigma != 5 {
			t.Errorf("%s sigma %g, want 5", r.Name, r.Sigma)
		}
	}
	for _, e := range w.Spec.Events {
		if e.Kind != model.EventBan && e.RampIn != 2 {
			t.Errorf("%s ramp %d, want 2", e.ID, e.RampIn)
		}
	}
	// events.*.ramp_months on a ban is an error (bans cannot ramp).
	if _, err := Load("history", []string{"events.us-ban.ramp_months=2"}); err == nil || !strings.Contains(err.Error(), "event 'us-ban' (ban) has no field 'ramp_months'") {
		t.Errorf("ramp on a ban via --set: %v", err)
	}
}

// TestSetScenarioOnly checks the scenario. root of --set: the scenario's
// event changes and the counterfactual's identical inherited event does
// not; market and horizon paths cannot be limited to the scenario.
func TestSetScenarioOnly(t *testing.T) {
	both := mustLoad(t, "us-relief-2025", "events.klaipeda-closed.end=2026-07", "events.belarus-discount.pct=20")
	only := mustLoad(t, "us-relief-2025", "scenario.events.klaipeda-closed.end=2026-07", "scenario.events.belarus-discount.pct=20")
	for _, s := range []*Scenario{both, only} {
		if e := eventByID(s.Spec, "klaipeda-closed"); e.End != month(t, "2026-07") {
			t.Errorf("scenario klaipeda-closed ends %s, want 2026-07", e.End)
		}
		if e := eventByID(s.Spec, "belarus-discount"); !scalar.EqualWithinAbs(e.Value, 0.2, tol) {
			t.Errorf("scenario discount %g, want 0.2", e.Value)
		}
	}
	if e := eventByID(both.Counterfactual, "klaipeda-closed"); e.End != month(t, "2026-07") {
		t.Errorf("events.…: counterfactual klaipeda-closed ends %s, want 2026-07 (a common event)", e.End)
	}
	if e := eventByID(only.Counterfactual, "klaipeda-closed"); e.End != 0 {
		t.Errorf("scenario.events.…: counterfactual klaipeda-closed ends %s, want never (scenario only)", e.End)
	}
	builtin := eventByID(mustLoad(t, "us-relief-2025").Counterfactual, "belarus-discount").Value
	if e := eventByID(only.Counterfactual, "belarus-discount"); !scalar.EqualWithinAbs(e.Value, builtin, tol) || scalar.EqualWithinAbs(builtin, 0.2, tol) {
		t.Errorf("scenario.events.…: counterfactual discount %g, want the built-in %g (≠ 0.2)", e.Value, builtin)
	}
	if !both.CommonEvent("klaipeda-closed") || only.CommonEvent("klaipeda-closed") || only.CommonEvent("us-ban") || !only.CommonEvent("jansen") {
		t.Errorf("CommonEvent: klaipeda-closed %v after events.…, %v after scenario.events.…; us-ban %v; jansen %v",
			both.CommonEvent("klaipeda-closed"), only.CommonEvent("klaipeda-closed"), only.CommonEvent("us-ban"), only.CommonEvent("jansen"))
	}
	if both.Hash == only.Hash {
		t.Error("scenario-only and common sets resolve to the same scenario")
	}
	// The resolved scenario reruns to the same specs: its counterfactual
	// is written out.
	again, err := Parse("resolved.yaml", only.Resolved, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash != only.Hash || eventByID(again.Counterfactual, "klaipeda-closed").End != 0 {
		t.Errorf("resolved scenario reruns with hash %.12s (want %.12s) or a changed counterfactual", again.Hash, only.Hash)
	}
	for _, tc := range []struct{ set, want string }{
		{"scenario.market.regions.*.demand_elasticity=0.5", "--set: scenario.market.regions.*.demand_elasticity: only events.ID.FIELD can be set in the scenario alone (scenario.events.ID.FIELD); 'market.regions.*.demand_elasticity' is common to the scenario and its counterfactual: set it without 'scenario.'"},
		{"scenario.horizon.end=2027-12", "'horizon.end' is common"},
		{"scenario=1", "--set: scenario: expected scenario.events.ID.FIELD"},
		{"scenario.events.klaipeda-closd.end=2026-07", "unknown event 'klaipeda-closd'; did you mean 'klaipeda-closed'?"},
		{"scenaro.events.jansen.start=2027-01", "unknown path root 'scenaro'; did you mean 'scenario'?"},
	} {
		_, err := Load("us-relief-2025", []string{tc.set})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--set %s: %v, want %q", tc.set, err, tc.want)
		}
	}
}

// TestSetFixesUncertain: a --set on a parameter the uncertainty section
// draws fixes it in every draw too: the entry is dropped, with a warning
// naming the --set, also when the set names one of the entry's wildcard
// matches; the resolved scenario reruns without it.
func TestSetFixesUncertain(t *testing.T) {
	names := func(s *Scenario) []string {
		var out []string
		for _, u := range s.Uncertain {
			out = append(out, u.Name)
		}
		return out
	}
	base := mustLoad(t, "us-relief-2025")
	for _, tc := range []struct {
		set, dropped string
	}{
		{"scenario.events.belarus-discount.pct=40", "events.belarus-discount.pct"},
		{"events.belarus-discount.pct=40", "events.belarus-discount.pct"},
		{"market.regions.*.demand_elasticity=0.5", "market.regions.*.demand_elasticity"},
		{"market.regions.Brazil.demand_elasticity=0.5", "market.regions.*.demand_elasticity"},
	} {
		s := mustLoad(t, "us-relief-2025", tc.set)
		if got, want := names(s), slices.DeleteFunc(names(base), func(n string) bool { return n == tc.dropped }); !slices.Equal(got, want) || len(got) != len(names(base))-1 {
			t.Errorf("--set %s: uncertain %q, want %q", tc.set, got, want)
		}
		path, _, _ := strings.Cut(tc.set, "=")
		if !slices.ContainsFunc(s.Warnings, func(d Diagnostic) bool {
			want := "(param '" + tc.dropped + "'): the Monte Carlo draws no longer vary it"
			if tc.dropped == path { // the Field names it: the message does not
				want = "the uncertainty section draws"
				if strings.Contains(d.Msg, path) || !strings.HasSuffix(d.Msg, ": the Monte Carlo draws no longer vary it") {
					return false
				}
			}
			return d.File == "--set" && d.Field == path && strings.Contains(d.Msg, want)
		}) {
			t.Errorf("--set %s: warnings %v", tc.set, s.Warnings)
		}
		again, err := Parse("resolved.yaml", s.Resolved, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Hash != s.Hash || !slices.Equal(names(again), names(s)) {
			t.Errorf("--set %s: the resolved scenario reruns with uncertain %q", tc.set, names(again))
		}
	}
	// A set the uncertainty section does not draw changes nothing there.
	if s := mustLoad(t, "us-relief-2025", "scenario.events.klaipeda-closed.end=2026-07"); !slices.Equal(names(s), names(base)) {
		t.Errorf("uncertain %q, want %q", names(s), names(base))
	}
}

// TestUncertainApply checks the Apply closures of uncertain parameters
// against the same rules as --set.
func TestUncertainApply(t *testing.T) {
	s := mustLoad(t, "us-relief-2025")
	byName := map[string]model.Uncertain{}
	for _, u := range s.Uncertain {
		byName[u.Name] = u
		if u.Apply == nil || u.Dist == nil || math.IsNaN(u.Central) {
			t.Errorf("%s: incomplete %+v", u.Name, u)
		}
	}
	apply := func(name string, v float64) (*model.Spec, *model.Spec) {
		u, ok := byName[name]
		if !ok {
			t.Fatalf("no uncertain %s", name)
		}
		sc, cf := s.Spec.Clone(), s.Counterfactual.Clone()
		if err := u.Apply(sc, v); err != nil {
			t.Fatal(err)
		}
		if err := u.Apply(cf, v); err != nil {
			t.Fatal(err)
		}
		return sc, cf
	}
	// Common event: both.
	sc, cf := apply("events.belarus-discount.pct", 22)
	if !scalar.EqualWithinAbs(eventByID(sc, "belarus-discount").Value, 0.22, tol) || !scalar.EqualWithinAbs(eventByID(cf, "belarus-discount").Value, 0.22, tol) {
		t.Error("belarus-discount.pct not applied to both")
	}
	if u, want := byName["events.belarus-discount.pct"], 100*eventByID(s.Spec, "belarus-discount").Value; !scalar.EqualWithinAbs(u.Central, want, tol) || u.Unit != "%" {
		t.Errorf("central %g unit %q, want the built-in's %g %%", u.Central, u.Unit, want)
	}
	// The scenario's own event: scenario only (the counterfactual lacks it).
	sc, cf = apply("events.discount-relief.scale", 0.4)
	if e := eventByID(sc, "discount-relief"); !scalar.EqualWithinAbs(e.Value, 0.4, tol) || !e.Relative || eventByID(cf, "discount-relief") != nil {
		t.Error("discount-relief.scale")
	}
	// Wildcard market parameter: every region, both specs.
	sc, cf = apply("market.regions.*.demand_elasticity", 0.55)
	for _, sp := range []*model.Spec{sc, cf} {
		for _, r := range sp.Market.Regions {
			if r.Eps != 0.55 {
				t.Errorf("%s %s eps %g", sp.Name, r.Name, r.Eps)
			}
		}
	}
	// The originals are untouched.
	if s.Spec.Market.Regions[0].Eps == 0.55 {
		t.Error("Apply changed the resolved scenario")
	}
}

// TestParam checks sweep parameters.
func TestParam(t *testing.T) {
	s := mustLoad(t, "us-relief-2025")
	p, err := s.Param("events.us-ban.end")
	if err != nil {
		t.Fatal(err)
	}
	if p.Unit != "month" {
		t.Errorf("unit %q", p.Unit)
	}
	v, err := ParseParamValue("events.us-ban.end", "2026-06")
	if err != nil {
		t.Fatal(err)
	}
	sc, cf := s.Spec.Clone(), s.Counterfactual.Clone()
	if err := p.Apply(sc, v); err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(cf, v); err != nil {
		t.Fatal(err)
	}
	if eventByID(sc, "us-ban").End != month(t, "2026-06") || eventByID(cf, "us-ban").End != 0 {
		t.Errorf("us-ban end: scenario %s, counterfactual %s", eventByID(sc, "us-ban").End, eventByID(cf, "us-ban").End)
	}
	q, err := s.Param("market.suppliers.Belarus.corridors.RussianPorts.cost_usd_per_t")
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Apply(sc, 60); err != nil {
		t.Fatal(err)
	}
	i := sc.Market.SupplierIndex("Belarus")
	if sc.Market.Suppliers[i].Corridors[sc.Market.CorridorIndex(i, "RussianPorts")].Cost != 60 {
		t.Error("corridor cost not set")
	}
	g, err := s.Param("market.regions.Brazil.demand_growth_pct_per_year")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Apply(sc, 3); err != nil || !scalar.EqualWithinAbs(sc.Market.Regions[sc.Market.RegionIndex("Brazil")].Growth, 0.03, tol) {
		t.Errorf("growth: %v", err)
	}
	if err := g.Apply(sc, 50); err == nil {
		t.Error("growth of 50%/yr accepted; valid range is [-20, 20]")
	}
	bad := []struct{ path, want string }{
		{"market.regions.Brasil.demand_elasticity", "did you mean 'Brazil'?"},
		{"events.us-bam.end", "did you mean 'us-ban'?"},
		{"events.us-ban.supplier", "is not a number"},
		{"market.suppliers.Belarus.corridors.Klaipeda.cost", "did you mean 'cost_usd_per_t'?"},
		{"horizon.ends", "did you mean 'end'?"},
		{"events.discount-relief.risk_cost.scale", "an instrument's fields are the event's own, as in events.discount-relief.scale"},
	}
	for _, b := range bad {
		if _, err := s.Param(b.path); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Param(%s) = %v, want an error containing %q", b.path, err, b.want)
		}
	}
}

// TestParamScenarioOnly: a sweep's scenario.events.ID.FIELD changes the
// scenario's event only, as --set does, where events.ID.FIELD of an event
// the counterfactual holds identically changes both (SharedEvents names
// it); only events paths take the root scenario.
func TestParamScenarioOnly(t *testing.T) {
	s := mustLoad(t, "us-relief-2025")
	v, err := ParseParamValue("events.klaipeda-closed.end", "2026-07")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path   string
		cfToo  bool
		shared []string
	}{
		{"events.klaipeda-closed.end", true, []string{"klaipeda-closed"}},
		{"scenario.events.klaipeda-closed.end", false, nil},
	} {
		p, err := s.Param(tc.path)
		if err != nil {
			t.Fatalf("Param(%s): %v", tc.path, err)
		}
		if p.Name != tc.path || p.Unit != "month" {
			t.Errorf("Param(%s): name %q, unit %q", tc.path, p.Name, p.Unit)
		}
		sc, cf := s.Spec.Clone(), s.Counterfactual.Clone()
		if err := p.Apply(sc, v); err != nil {
			t.Fatal(err)
		}
		if err := p.Apply(cf, v); err != nil {
			t.Fatal(err)
		}
		if eventByID(sc, "klaipeda-closed").End != month(t, "2026-07") {
			t.Errorf("%s: the scenario's klaipeda-closed ends %s, want 2026-07", tc.path, eventByID(sc, "klaipeda-closed").End)
		}
		if got := eventByID(cf, "klaipeda-closed").End == month(t, "2026-07"); got != tc.cfToo {
			t.Errorf("%s: the counterfactual's klaipeda-closed ends %s (changed: %v, want %v)", tc.path, eventByID(cf, "klaipeda-closed").End, got, tc.cfToo)
		}
		if got := s.SharedEvents(tc.path); !slices.Equal(got, tc.shared) {
			t.Errorf("SharedEvents(%s) = %q, want %q", tc.path, got, tc.shared)
		}
	}
	if got := s.SharedEvents("events.us-ban.end"); got != nil {
		t.Errorf("SharedEvents(events.us-ban.end) = %q: the counterfactual's us-ban differs", got)
	}
	if got := s.SharedEvents("events.*.ramp_months"); !slices.Contains(got, "klaipeda-closed") || slices.Contains(got, "discount-relief") {
		t.Errorf("SharedEvents(events.*.ramp_months) = %q", got)
	}
	if _, _, _, err := s.Range("scenario.events.belarus-discount.pct"); err != nil {
		t.Errorf("Range(scenario.events.…): %v", err)
	}
	for _, b := range []struct{ path, want string }{
		{"scenario.market.regions.Brazil.demand_elasticity", "give it without 'scenario.'"},
		{"scenario", "expected scenario.events.ID.FIELD"},
		{"scenario.events.klaipeda-closd.end", "did you mean 'klaipeda-closed'?"},
	} {
		if _, err := s.Param(b.path); err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), b.path) {
			t.Errorf("Param(%s) = %v, want an error naming it and saying %q", b.path, err, b.want)
		}
		if _, _, _, err := s.Range(b.path); err == nil || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), b.path) {
			t.Errorf("Range(%s) = %v, want an error naming it and saying %q", b.path, err, b.want)
		}
	}
	// Range names the path as given, scenario. included.
	if _, _, _, err := s.Range("scenario.events.klaipeda-closed.end"); err == nil || !strings.Contains(err.Error(), "parameter scenario.events.klaipeda-closed.end is not a number") {
		t.Errorf("Range(scenario.events.klaipeda-closed.end) = %v, want it named, not a number", err)
	}
}

// TestWarnings checks legal but suspicious input: warnings, kept apart from
// errors.
func TestWarnings(t *testing.T) {
	src := "title: t\nhorizon: {start: 2020-06, end: 2022-12}\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: 1.5\nevents:\n" +
		"  - {id: late, wedge: {supplier: Belarus, region: all, pct: 5}, start: 2024-01}\n" +
		"  - {id: laos-us, ban: {supplier: Laos, region: United States}, start: 2021-01}\n" +
		"  - {id: tail, cost: {supplier: Canada, usd_per_t: 5}, start: 2021-01, ramp_out_months: 3}\n" +
		"  - {id: no-eu, ban: {supplier: all, region: Europe}, start: 2022-01, end: 2022-06}\n"
	s, err := Parse("warn.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"warn.yaml:2:18: warning: horizon.start: horizon starts 2020-06, not in January of the base year 2020: the path jumps from the base-year equilibrium to 2020-06 with no months in between",
		"warn.yaml:5:39: warning: market.overrides.regions.Brazil.demand_elasticity: market.regions.Brazil.demand_elasticity = 1.5 is outside the dataset's documented range [0.1, 0.8]",
		"warn.yaml:7:72: warning: events[0].start: event 'late' (2024-01..never ends) lies entirely outside the horizon 2020-06..2022-12: it has no effect",
		"warn.yaml:8:24: warning: events[1].ban: no base flow on Laos → United States: the ban changes nothing",
		"warn.yaml:9:89: warning: events[2].ramp_out_months: ramp_out_months has no effect without end",
		"warn.yaml:10:22: warning: events[3].ban: from 2022-01 every supplier of Europe is banned: it is reported as not traded (no price, no demand) while the bans last",
	}
	var got []string
	for _, w := range s.Warnings {
		got = append(got, w.Error())
		if w.Severity != SeverityWarning {
			t.Errorf("%v is not a warning", w)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(s.Warnings.Errors()) != 0 {
		t.Error("Errors() of warnings not empty")
	}
}

// TestSuggest checks the did-you-mean distance.
func TestSuggest(t *testing.T) {
	dist := []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"Belarussia", "Belarus", 3},
		{"kitten", "sitting", 3}, {"ca", "abc", 3}, {"brasil", "brazil", 1}, {"Brasil", "brazil", 2},
	}
	for _, c := range dist {
		if got := editDistance(c.a, c.b); got != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
	sup := []string{"Canada", "Russia", "Belarus", "China", "Israel", "Jordan", "Germany", "Laos", "Chile", "United States", "Other"}
	for _, c := range []struct{ in, want string }{
		{"Belarussia", "Belarus"}, {"canada", "Canada"}, {"Rusia", "Russia"}, {"united states", "United States"},
		{"UnitedStates", "United States"}, {"Germny", "Germany"}, {"Atlantis", ""}, {"X", ""},
	} {
		if got := suggest(c.in, sup); got != c.want {
			t.Errorf("suggest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Scenario names: '_' for '-' and a name cut short (issue 16: us_relief
	// suggested eu-relief), a prefix shared by several, and names too long
	// to compare (a 400 KB "supplier" cost minutes of edit distance).
	names := builtinNames()
	long := strings.Repeat("Canada", 70_000)
	for _, c := range []struct {
		in   string
		cs   []string
		want string
	}{
		{"us_relief", names, "us-relief-2025"},
		{"US-Relief-2025", names, "us-relief-2025"},
		{"eu_relief", names, "eu-relief"},
		{"jansen_ramp", names, "jansen-ramp"},
		{"jansen-ramp-rel", names, "jansen-ramp-relief"},
		{"klaipeda", names, "klaipeda-reopens"},
		{"histroy", names, "history"},
		{"no", names, ""},
		{long, sup, ""},
		{"Canad", []string{long, "Canada"}, "Canada"},
	} {
		if got := Suggest(c.in, c.cs); got != c.want {
			t.Errorf("Suggest(%.20q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestParseNoFiles checks that ParseWith(NoFiles) never reads a file, also
// through a YAML merge key, and still resolves built-ins.
func TestParseNoFiles(t *testing.T) {
	for _, src := range []string{
		"title: t\nextends: testdata/valid/inline-basic.yaml\n",
		"title: t\nextends: history\ncompare_to: ../scenarios/testdata/valid/inline-basic.yaml\n",
		"<<: {extends: testdata/valid/inline-basic.yaml}\ntitle: t\n",
	} {
		_, err := ParseWith("upload.yaml", []byte(src), nil, ParseOptions{NoFiles: true})
		if err == nil || !strings.Contains(err.Error(), "only built-in scenarios may be named") {
			t.Errorf("%q: %v", src, err)
		}
	}
	s, err := ParseWith("upload.yaml", []byte("title: t\nextends: us-relief-2025\n"), nil, ParseOptions{NoFiles: true})
	if err != nil || s.CounterfactualName != "us-relief-2025" {
		t.Errorf("built-in parent: %v", err)
	}
}

// TestReliefNoPremium: a relief sets the level of the risk cost (or
// concession) in force as a factor of it, never subtracts a fixed amount,
// so no setting of the sanction it relieves can leave a premium (issue 16
// item 4: --set events.belarus-discount.pct=0 used to leave a net −5%
// wedge after the relief). For every size of belarus-discount, in every
// month of us-relief-2025 and its counterfactual, every risk cost and
// concession is ≥ 0, and the relief's risk cost on Belarus is the factor
// times the counterfactual's, never more.
func TestReliefNoPremium(t *testing.T) {
	for _, pct := range []string{"0", "5", "15", "40"} {
		s := mustLoad(t, "us-relief-2025", "events.belarus-discount.pct="+pct)
		scale := eventByID(s.Spec, "discount-relief").Value
		c, err := model.Calibrate(s.Spec.Market)
		if err != nil {
			t.Fatal(err)
		}
		bel := s.Spec.Market.SupplierIndex("Belarus")
		ps, pc := model.NewPolicy(c.Market), model.NewPolicy(c.Market)
		for mo := s.Spec.Start; mo <= s.Spec.End; mo++ {
			model.SetPolicy(ps, c, s.Spec, mo)
			model.SetPolicy(pc, c, s.Counterfactual, mo)
			for i := range ps.RiskCost {
				for r := range ps.RiskCost[i] {
					for _, v := range []float64{ps.RiskCost[i][r], pc.RiskCost[i][r], ps.Concession[i][r], pc.Concession[i][r]} {
						if v < 0 {
							t.Fatalf("belarus-discount %s%%, %v: a risk cost or concession of %g (a premium)", pct, mo, v)
						}
					}
				}
			}
			for r := range ps.RiskCost[bel] {
				want := pc.RiskCost[bel][r]
				if mo >= eventByID(s.Spec, "discount-relief").Start {
					want *= scale
				}
				if math.Abs(ps.RiskCost[bel][r]-want) > 1e-15 {
					t.Errorf("belarus-discount %s%%, %v: relief risk cost %g, want %g (the counterfactual's %g times %g)",
						pct, mo, ps.RiskCost[bel][r], want, pc.RiskCost[bel][r], scale)
				}
			}
		}
	}
	// A premium cannot be written either.
	for _, set := range []string{"events.belarus-discount.pct=-5", "events.discount-relief.scale=-0.5"} {
		if _, err := Load("us-relief-2025", []string{set}); err == nil || !strings.Contains(err.Error(), "valid range") {
			t.Errorf("%s: %v, want an out-of-range error", set, err)
		}
	}
}

// TestUncalibratableMarket: a market the model cannot calibrate (a
// capacity below base sales, a netback of zero or less) does not
// validate, the error located at the override or --set that made it so
// (issue 16 item 6: validate passed it and the run then failed).
func TestUncalibratableMarket(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		sets      []string
		want      []string // substrings of the one error
	}{
		{"capacity override", "title: t\nextends: us-relief-2025\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: 0.4\n    suppliers.Canada.capacity_mt: 1\n", nil,
			[]string{"u.yaml:6:35: market.overrides.suppliers.Canada.capacity_mt: the model cannot calibrate the market with this override: suppliers[Canada].capacity: 1 Mt/yr is below base sales"}},
		{"FOB under the corridor cost", "title: t\nhorizon: {end: 2022-12}\nmarket:\n  overrides:\n    suppliers.*.fob_usd_per_t: 10\n", nil,
			[]string{"u.yaml:5:32: market.overrides.suppliers.*.fob_usd_per_t: the model cannot calibrate the market with this override: suppliers[", "must be positive"}},
		{"--set capacity", "title: t\nextends: us-relief-2025\n", []string{"market.suppliers.Canada.capacity_mt=0"},
			[]string{"--set: market.suppliers.Canada.capacity_mt: the model cannot calibrate the market with this value: suppliers[Canada].capacity: 0 Mt/yr is below base sales"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("u.yaml", []byte(tc.src), tc.sets)
			var ds Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("%v, want Diagnostics", err)
			}
			errs := 0
			for _, d := range ds {
				if d.Severity != SeverityError {
					continue
				}
				errs++
				for _, w := range tc.want {
					if !strings.Contains(d.Error(), w) {
						t.Errorf("error %q lacks %q", d.Error(), w)
					}
				}
			}
			if errs != 1 {
				t.Errorf("%d errors, want 1: %v", errs, err)
			}
		})
	}
	// Within the market's ranges the check costs nothing: the built-ins load.
	mustLoad(t, "us-relief-2025", "market.suppliers.Canada.capacity_mt=30")
}

// TestSetFixesUncertainNamesAll: the warning of a --set that fixes
// several parameters an uncertainty entry draws names every one of them,
// not only the first it hits.
func TestSetFixesUncertainNamesAll(t *testing.T) {
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	var regions, corridors []string
	for _, r := range f.Regions {
		regions = append(regions, r.Name)
	}
	for _, s := range f.Suppliers {
		if s.Name == "Belarus" {
			for _, c := range s.Corridors {
				corridors = append(corridors, "'market.suppliers.Belarus.corridors."+c.Name+".cost_usd_per_t'")
			}
		}
	}
	const tail = ": the Monte Carlo draws no longer vary it"
	drawsCorridors := "extends: history\nuncertainty:\n  - {param: market.suppliers.*.corridors.*.cost_usd_per_t, dist: uniform, min: 10, max: 30}\n"
	for _, tc := range []struct {
		name, src, set, want string
	}{
		{"wildcard on a wildcard entry", "", "market.regions.*.substitution_elasticity=3",
			fmt.Sprintf("the uncertainty section draws it (%d regions: %s)", len(regions), strings.Join(regions, ", "))},
		{"one region of a wildcard entry", "", "market.regions.Brazil.substitution_elasticity=3",
			"the uncertainty section draws it (param 'market.regions.*.substitution_elasticity')"},
		{"wildcard on a one-path entry", "", "market.suppliers.*.corridors.*.cost_usd_per_t=30",
			"fixes 'market.suppliers.Belarus.corridors.RussianPorts.cost_usd_per_t', which the uncertainty section draws (param 'market.suppliers.Belarus.corridors.RussianPorts.cost_usd_per_t')"},
		{"part of a wildcard entry", drawsCorridors, "market.suppliers.Belarus.corridors.*.cost_usd_per_t=30",
			fmt.Sprintf("fixes %d parameters: %s, which the uncertainty section draws (param 'market.suppliers.*.corridors.*.cost_usd_per_t')", len(corridors), strings.Join(corridors, ", "))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s *Scenario
			var err error
			if tc.src == "" {
				s, err = Load("history", []string{tc.set})
			} else {
				s, err = Parse("x.yaml", []byte(tc.src), []string{tc.set})
			}
			if err != nil {
				t.Fatal(err)
			}
			path, _, _ := strings.Cut(tc.set, "=")
			var got []string
			for _, d := range s.Warnings {
				if d.File == "--set" && d.Field == path {
					got = append(got, d.Msg)
				}
			}
			if !slices.Contains(got, tc.want+tail) {
				t.Errorf("--set %s: warnings %q, want %q", tc.set, got, tc.want+tail)
			}
		})
	}
}

// TestCorridorByLabel: a corridor may be typed as the charts spell it, by
// its label: Klaipėda is Klaipeda in a --set path, a sweep's parameter and
// an event's corridor, and overlaps an event on Klaipeda.
func TestCorridorByLabel(t *testing.T) {
	const path = "market.suppliers.Belarus.corridors.%s.capacity_mt"
	capOf := func(s *Scenario) float64 {
		m := s.Spec.Market
		i := m.SupplierIndex("Belarus")
		return m.Suppliers[i].Corridors[m.CorridorIndex(i, "Klaipeda")].Capacity
	}
	plain := mustLoad(t, "history", fmt.Sprintf(path, "Klaipeda")+"=10")
	accented := mustLoad(t, "history", fmt.Sprintf(path, "Klaipėda")+"=10")
	if capOf(plain) != capOf(accented) || capOf(accented) == capOf(mustLoad(t, "history")) {
		t.Errorf("--set Klaipėda: capacity %g, Klaipeda %g", capOf(accented), capOf(plain))
	}
	p, err := plain.Param(fmt.Sprintf(path, "Klaipėda"))
	if err != nil {
		t.Fatal(err)
	}
	sc := plain.Spec.Clone()
	if err := p.Apply(sc, 9); err != nil {
		t.Fatal(err)
	}
	if i := sc.Market.SupplierIndex("Belarus"); sc.Market.Suppliers[i].Corridors[sc.Market.CorridorIndex(i, "Klaipeda")].Capacity != 9 {
		t.Error("Param(…Klaipėda…) did not set Klaipeda's capacity")
	}
	src := func(name string, remove bool) string {
		s := "name: k\nextends: history\n"
		if remove {
			s += "remove_events: [klaipeda-closed]\n"
		}
		return s + "events:\n  - {id: kc2, corridor: {supplier: Belarus, name: " + name + ", capacity_mt: 5}, start: 2023-01}\n"
	}
	var evs [2]*model.Event
	for k, name := range []string{"Klaipeda", "Klaipėda"} {
		s, err := Parse("k.yaml", []byte(src(name, true)), nil)
		if err != nil {
			t.Fatalf("corridor %s: %v", name, err)
		}
		evs[k] = eventByID(s.Spec, "kc2")
		if _, err := Parse("k.yaml", []byte(src(name, false)), nil); err == nil || !strings.Contains(err.Error(), "overlaps event 'klaipeda-closed'") {
			t.Errorf("corridor %s: %v, want the overlap with klaipeda-closed", name, err)
		}
	}
	if evs[0] == nil || evs[1] == nil || evs[0].Corridor < 0 || evs[0].Corridor != evs[1].Corridor {
		t.Errorf("events on Klaipeda and Klaipėda: %+v, %+v", evs[0], evs[1])
	}
}

// TestSetEndNever: --set events.ID.end=never (as the web page says it),
// like end=, makes the event never end; another word is an error that
// offers never.
func TestSetEndNever(t *testing.T) {
	if e := eventByID(mustLoad(t, "us-relief-2025").Spec, "us-ban"); e.End == 0 {
		t.Fatal("us-relief-2025's us-ban never ends: the test needs one that does")
	}
	for _, v := range []string{"never", "Never", ""} {
		if e := eventByID(mustLoad(t, "us-relief-2025", "events.us-ban.end="+v).Spec, "us-ban"); e.End != 0 {
			t.Errorf("end=%s: us-ban ends %s, want never", v, e.End)
		}
	}
	if _, err := Load("us-relief-2025", []string{"events.us-ban.end=later"}); err == nil || !strings.Contains(err.Error(), "expected a month YYYY-MM, or never, got 'later'") {
		t.Errorf("end=later: %v", err)
	}
	if _, err := Load("us-relief-2025", []string{"events.us-ban.start=never"}); err == nil || !strings.Contains(err.Error(), "expected a month YYYY-MM, got 'never'") {
		t.Errorf("start=never: %v", err)
	}
}

// TestCommonEventCorridorLabel: an event the scenario and its
// counterfactual hold alike but for the corridor's spelling (Klaipėda,
// its label, in one; Klaipeda, its name, in the other) is one event, as
// the model reads it: shared (CommonEvent, SharedEvents), and
// events.ID.FIELD changes it in both runs; scenario.events.ID.FIELD in
// the scenario's only. A real difference (another capacity) is not
// shared.
func TestCommonEventCorridorLabel(t *testing.T) {
	src := func(name string, capacity int) string {
		return fmt.Sprintf("name: k\nextends: history\nevents:\n"+
			"  - {id: klaipeda-closed, label: Klaipėda closed, corridor: {supplier: Belarus, name: %s, capacity_mt: %d}, start: 2022-02}\n", name, capacity)
	}
	for _, tc := range []struct {
		name     string
		capacity int
		shared   bool
	}{
		{"Klaipeda", 0, true},
		{"Klaipėda", 0, true},
		{"Klaipėda", 1, false},
	} {
		t.Run(fmt.Sprintf("%s capacity %d", tc.name, tc.capacity), func(t *testing.T) {
			for _, set := range []string{"events.klaipeda-closed.end=2024-01", "scenario.events.klaipeda-closed.end=2024-01"} {
				s, err := Parse("k.yaml", []byte(src(tc.name, tc.capacity)), []string{set})
				if err != nil {
					t.Fatal(err)
				}
				if s.CounterfactualName != "history" {
					t.Fatalf("counterfactual %q, want history", s.CounterfactualName)
				}
				scenarioOnly := strings.HasPrefix(set, "scenario.")
				want := tc.shared && !scenarioOnly
				if got := s.CommonEvent("klaipeda-closed"); got != want {
					t.Errorf("--set %s: CommonEvent = %v, want %v", set, got, want)
				}
				if got := len(s.SharedEvents("events.klaipeda-closed.end")) > 0; got != want {
					t.Errorf("--set %s: SharedEvents = %v, want shared %v", set, s.SharedEvents("events.klaipeda-closed.end"), want)
				}
				if e := eventByID(s.Spec, "klaipeda-closed"); e.End != month(t, "2024-01") {
					t.Errorf("--set %s: the scenario's event ends %s, want 2024-01", set, e.End)
				}
				cfEnd := eventByID(s.Counterfactual, "klaipeda-closed").End
				if (cfEnd == month(t, "2024-01")) != want {
					t.Errorf("--set %s: the counterfactual's event ends %s; changed: want %v", set, cfEnd, want)
				}
			}
		})
	}
}
