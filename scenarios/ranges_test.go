package scenarios

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// The valid ranges of docs/SCENARIOS.md ("Valid ranges") are where the
// solver works: every built-in scenario, with the parameter at either end
// of its range (every region or supplier at once for a market field, or
// an event of that size added as a step in 2023-01 on a large target),
// converges in every month of both paths to plausible prices
// (model.Implausible beyond 20 times the base). TestValidRangesWork checks
// the ends of every range; TestValidRangeFrontiers (run with -frontiers)
// is the sweep that found them: it bisects, for each parameter, between
// a working value and an extreme to the last value that works.

var frontiers = flag.Bool("frontiers", false, "print how far each parameter works on the built-ins (slow)")

// rangeCase is one parameter: a --set path or an event to add (%v is the
// value), and the range the validator uses for it.
type rangeCase struct {
	name string
	set  string // --set PATH=%v
	// with are more --set values applied first (a case of a joint rule).
	with  []string
	event string // an event (YAML flow mapping) added to each built-in
	// param is the event case's parameter path (events.x.FIELD) and safe a
	// valid value the event is first written with (the frontier sweep
	// then sets the value past the validator).
	param string
	safe  float64
	valid bound
	// skipLo, skipHi: that end is bounded by calibration, not by the
	// solver (a netback ≤ 0, a capacity below base sales), or tested on
	// another target; why says which.
	skipLo, skipHi bool
	why            string
	// skipMid: the midpoint lies beyond the calibration bound that
	// skipLo or skipHi names (why says which).
	skipMid bool
	// from, when not zero, is where the frontier sweep starts instead of
	// the midpoint of the valid range (a midpoint beyond a calibration
	// bound).
	from float64
}

func marketBound(fs []mfield, key string) bound {
	f, ok := findField(fs, key)
	if !ok {
		panic(key)
	}
	return f.valid
}

// cropEpsBound is the valid range of the demand elasticity on base-2020:
// its lower end raised to the joint rule's with the dataset's crop-price
// elasticity.
func cropEpsBound() bound {
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		panic(err)
	}
	return stockBound("demand_elasticity", cropRuleBound("market.regions.Brazil.demand_elasticity", marketBound(regionFields, "demand_elasticity"), f))
}

// stockBound is b, the valid range of region field key on base-2020,
// narrowed by the stock-cycle rule with the dataset's other values
// (history's, with sets; Scenario.Range): the box of draws does not
// narrow it.
func stockBound(key string, b bound, sets ...string) bound {
	s, err := Load("history", sets)
	if err != nil {
		panic(err)
	}
	return stockRuleBound("market.regions.*."+key, b, s.mf)
}

// cropThetaBound is the valid range of the crop-price elasticity on
// base-2020: its upper end lowered to the joint rule's with the dataset's
// demand elasticities.
func cropThetaBound() bound {
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		panic(err)
	}
	return cropRuleBound("market.drivers.crop_prices.elasticity", driverElasticityBound, f)
}

func eventBound(inst, key string) bound { return instrumentByKey(inst).field(key).valid }

// laosCapacity is Laos's capacity in base-2020, Mt/yr.
func laosCapacity() float64 {
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		panic(err)
	}
	for _, s := range f.Suppliers {
		if s.Name == "Laos" {
			return s.Capacity.Value
		}
	}
	panic("no Laos")
}

func rangeCases() []rangeCase {
	ev := func(body string) string { return "  - {id: x, " + body + ", start: 2023-01}" }
	return []rangeCase{
		// The demand elasticity's lower end is the joint rule's with the
		// dataset's crop-price elasticity, and the global one with the
		// driver off.
		{name: "demand elasticity", set: "market.regions.*.demand_elasticity=%v", valid: cropEpsBound()},
		{name: "demand elasticity, crop driver off", set: "market.regions.*.demand_elasticity=%v", with: []string{"market.drivers.crop_prices.elasticity=0"}, valid: stockBound("demand_elasticity", marketBound(regionFields, "demand_elasticity"), "market.drivers.crop_prices.elasticity=0")},
		{name: "demand elasticity, crop driver at its top", set: "market.regions.*.demand_elasticity=%v", with: []string{"market.drivers.crop_prices.elasticity=1.5"},
			valid: bound{lo: model.MinEpsForCrop(1.5), hi: model.RangeEps().Hi}},
		{name: "crop-price elasticity", set: "market.drivers.crop_prices.elasticity=%v", valid: cropThetaBound(), skipLo: true, why: "0 is the driver off, the crop driver off case above"},
		{name: "crop-price elasticity, elastic demand", set: "market.drivers.crop_prices.elasticity=%v", with: []string{"market.regions.*.demand_elasticity=3"}, valid: bound{lo: 0, hi: driverElasticityBound.hi}, skipLo: true, why: "0 is the driver off"},
		{name: "substitution elasticity", set: "market.regions.*.substitution_elasticity=%v", valid: marketBound(regionFields, "substitution_elasticity")},
		{name: "demand adjustment", set: "market.regions.*.demand_adjustment_per_month=%v", valid: stockBound("demand_adjustment_per_month", marketBound(regionFields, "demand_adjustment_per_month"))},
		{name: "demand growth", set: "market.regions.*.demand_growth_pct_per_year=%v", valid: marketBound(regionFields, "demand_growth_pct_per_year")},
		{name: "supply elasticity", set: "market.suppliers.*.supply_elasticity=%v", valid: marketBound(supplierFields, "supply_elasticity")},
		{name: "supply adjustment", set: "market.suppliers.*.supply_adjustment_per_month=%v", valid: marketBound(supplierFields, "supply_adjustment_per_month")},
		{name: "stock to use", set: "market.regions.*.stock_to_use_months=%v", valid: stockBound("stock_to_use_months", marketBound(regionFields, "stock_to_use_months"))},
		{name: "stock adjustment", set: "market.regions.*.stock_adjustment_per_month=%v", valid: stockBound("stock_adjustment_per_month", marketBound(regionFields, "stock_adjustment_per_month"))},
		{name: "stock response", set: "market.regions.*.stock_response=%v", valid: stockBound("stock_response", marketBound(regionFields, "stock_response"))},
		{name: "carrying cost", set: "market.regions.*.carrying_cost_pct_per_month=%v", valid: stockBound("carrying_cost_pct_per_month", marketBound(regionFields, "carrying_cost_pct_per_month"))},
		{name: "expectation speed", set: "market.regions.*.price_expectation_speed_per_month=%v", valid: stockBound("price_expectation_speed_per_month", marketBound(regionFields, "price_expectation_speed_per_month"))},
		{name: "FOB price", set: "market.suppliers.*.fob_usd_per_t=%v", valid: marketBound(supplierFields, "fob_usd_per_t"), skipLo: true, why: "above 0: the base netback (FOB less corridor cost) must be positive, which Calibrate checks"},
		{name: "capacity", set: "market.suppliers.*.capacity_mt=%v", valid: marketBound(supplierFields, "capacity_mt"), skipLo: true, why: "at least base sales, which Calibrate checks"},
		{name: "corridor capacity", set: "market.suppliers.*.corridors.*.capacity_mt=%v", valid: marketBound(corridorFields, "capacity_mt"), skipLo: true, why: "the corridors must carry base sales, which Calibrate checks"},
		{name: "corridor cost", set: "market.suppliers.*.corridors.*.cost_usd_per_t=%v", valid: marketBound(corridorFields, "cost_usd_per_t"), skipHi: true, skipMid: true, why: "below the FOB price (the midpoint too): the base netback must be positive, which Calibrate checks"},
		{name: "freight", set: "market.routes.*.*.freight_usd_per_t=%v", valid: marketBound(routeFields, "freight_usd_per_t")},
		{name: "base wedge", set: "market.routes.*.*.wedge_pct=%v", valid: marketBound(routeFields, "wedge_pct")},
		{name: "wedge on Belarus", param: "events.x.pct", safe: 0, event: ev("wedge: {supplier: Belarus, region: all, pct: %v}"), valid: eventBound("wedge", "pct")},
		{name: "wedge on Canada", param: "events.x.pct", safe: 0, event: ev("wedge: {supplier: Canada, region: all, pct: %v}"), valid: eventBound("wedge", "pct")},
		{name: "export cap on Laos", param: "events.x.mt", safe: 1, event: ev("export_cap: {supplier: Laos, mt: %v}"), valid: eventBound("export_cap", "mt")},
		{name: "corridor capacity event", param: "events.x.capacity_mt", safe: 4, event: ev("corridor: {supplier: Canada, name: Portland, capacity_mt: %v}"), valid: eventBound("corridor", "capacity_mt")},
		{name: "corridor cost event", param: "events.x.cost_usd_per_t", safe: 20, event: ev("corridor: {supplier: Canada, name: Portland, cost_usd_per_t: %v}"), valid: eventBound("corridor", "cost_usd_per_t")},
		{name: "capacity of Canada", param: "events.x.add_mt", safe: 0, event: ev("capacity: {supplier: Canada, add_mt: %v}"), valid: eventBound("capacity", "add_mt"), skipLo: true, why: "capacity plus add_mt ≥ 0; a step outage of Canada or Russia beyond about 10 Mt/yr prices beyond 20× for a month (docs)"},
		{name: "outage of Laos", param: "events.x.add_mt", safe: 0, event: ev("capacity: {supplier: Laos, add_mt: %v}"), valid: bound{lo: -laosCapacity(), hi: 0}, skipHi: true, why: "the whole of a small supplier's capacity"},
		{name: "demand shift, all regions", param: "events.x.pct", safe: 0, event: ev("demand: {region: all, pct: %v}"), valid: eventBound("demand", "pct")},
		{name: "demand series, all regions", event: ev("demand: {region: all, series_pct: [%v]}"), valid: eventBound("demand", "series_pct")},
		{name: "stock target, all regions", param: "events.x.pct", safe: 0, event: ev("stock_target: {region: all, pct: %v}"), valid: eventBound("stock_target", "pct")},
		{name: "cost shift of Canada", param: "events.x.usd_per_t", safe: 0, event: ev("cost: {supplier: Canada, usd_per_t: %v}"), valid: eventBound("cost", "usd_per_t")},
		{name: "tariff-rate quota rates", param: "events.x.in_pct", safe: 0, event: ev("tariff_quota: {supplier: Canada, region: Brazil, in_pct: %v, out_pct: 500, quota_mt: 1}"), valid: eventBound("tariff_quota", "in_pct")},
		{name: "tariff-rate quota out rate", param: "events.x.out_pct", safe: 0, event: ev("tariff_quota: {supplier: Canada, region: Brazil, in_pct: -50, out_pct: %v, quota_mt: 1}"), valid: eventBound("tariff_quota", "out_pct")},
		{name: "tariff-rate quota", param: "events.x.quota_mt", safe: 1, event: ev("tariff_quota: {supplier: Canada, region: Brazil, in_pct: 0, out_pct: 100, quota_mt: %v}"), valid: eventBound("tariff_quota", "quota_mt")},
		{name: "concession of Canada to the US", param: "events.x.pct", safe: 0, event: ev("concession: {supplier: Canada, region: United States, pct: %v}"), valid: eventBound("concession", "pct")},
		{name: "risk cost on Belarus", param: "events.x.pct", safe: 0, event: ev("risk_cost: {supplier: Belarus, region: all, pct: %v}"), valid: eventBound("risk_cost", "pct")},
		{name: "risk cost on Canada", param: "events.x.pct", safe: 0, event: ev("risk_cost: {supplier: Canada, region: all, pct: %v}"), valid: eventBound("risk_cost", "pct")},
		{name: "risk cost scale on Belarus", param: "events.x.scale", safe: 1, event: ev("risk_cost: {supplier: Belarus, region: all, scale: %v}"), valid: eventBound("risk_cost", "scale")},
		{name: "export tax of Canada", param: "events.x.usd_per_t", safe: 0, event: ev("export_tax: {supplier: Canada, usd_per_t: %v}"), valid: eventBound("export_tax", "usd_per_t")},
		{name: "conduct of Russia", set: "market.suppliers.Russia.conduct=%v", valid: marketBound(supplierFields, "conduct"), skipHi: true,
			why: "a conduct whose base markup leaves a marginal cost below a tenth of the netback is a located calibration error (Russia in BPC, bpc-breakup: above 0.58 with the back-test's estimates)"},
		{name: "conduct of Laos", set: "market.suppliers.Laos.conduct=%v", valid: marketBound(supplierFields, "conduct")},
		// The conduct as a share of the 2020 gap (docs/MODEL.md, section
		// 4.2): a supplier with a published cost, on every built-in (on
		// bpc-reunion and bpc-breakup it replaces the share they state).
		{name: "conduct gap share of Russia", set: "market.suppliers.Russia.conduct_gap_share=%v", valid: marketBound(supplierFields, "conduct_gap_share")},
		// Until model 0.6.2, BPC in force at the base with bpc-reunion's
		// conduct (fitted with BPC apart) claimed more than Russia's gap
		// above a weight of about 0.5; stated as a share of the gap, the
		// conduct is derived under the weight set. The sweep starts at
		// 0.25.
		{name: "coalition weight", set: "market.coalitions.BPC.weight=%v", valid: marketBound(coalitionFields, "weight"), from: 0.25},
		{name: "conduct event on Canada", param: "events.x.value", safe: 0, event: ev("conduct: {supplier: Canada, value: %v}"), valid: eventBound("conduct", "value")},
		{name: "coalition event", param: "events.x.weight", safe: 0, event: ev("coalition: {name: BPC, weight: %v}"), valid: eventBound("coalition", "weight")},
	}
}

// runsClean reports whether built-in name, with set or event at value v,
// converges in every month of both paths ("" when it does, else why).
// With calib, a conduct that no longer calibrates counts as working (a
// range end bounded by calibration, see calibrationBound); without, it is
// a failure.
func runsClean(name string, c rangeCase, v float64, calib bool) string {
	vs := fmt.Sprintf("%g", v)
	sets := append([]string(nil), c.with...)
	if c.set != "" {
		sets = append(sets, strings.ReplaceAll(c.set, "%v", vs))
	}
	var s *Scenario
	var err error
	if c.event != "" {
		src := "extends: " + name + "\nevents:\n" + strings.ReplaceAll(c.event, "%v", vs) + "\n"
		s, err = Parse(name+"+x.yaml", []byte(src), sets)
	} else {
		s, err = Load(name, sets)
	}
	if err != nil {
		if calib && calibrationBound(err) {
			return "" // bounded by calibration (see calibrationBound)
		}
		return strings.SplitN(err.Error(), "\n", 2)[0]
	}
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		if calib && calibrationBound(err) {
			return "" // bounded by calibration (see calibrationBound)
		}
		return err.Error()
	}
	if f := run.Failures(); len(f) > 0 {
		return fmt.Sprintf("%d months failed, first %s %v: %s", len(f), f[0].Path, f[0].Month, f[0].Result.Reason)
	}
	return ""
}

// calibrationBound reports whether err is a conduct that no longer
// calibrates: the conduct built-ins fit their conduct to the base gap at
// the dataset's elasticities, freight and prices, and far from them (ε
// 0.15, freight 124 $/t on every route) the same conduct claims more than the gap — a
// located calibration error naming the largest conduct that calibrates,
// like a netback ≤ 0 bounds the FOB price (docs/SCENARIOS.md, "Valid
// ranges").
func calibrationBound(err error) bool {
	return strings.Contains(err.Error(), "].conduct: ") && strings.Contains(err.Error(), "calibrates")
}

// rangeBuiltins are the built-ins a test sweeps: all of them, or with
// -short three that between them hold every event of the library.
func rangeBuiltins() []string {
	if testing.Short() {
		return []string{"eu-relief", "western-ban-russia", "jansen-ramp-relief"}
	}
	return builtinNames()
}

// TestValidRangesWork checks both ends of every valid range on the
// built-ins (the ends a range's own check cannot reach are bounded by
// calibration, and say so), its midpoint, and the horizon's last valid
// month. An end may be bounded by calibration (a conduct built-in's fitted
// conduct no longer calibrates there: a located error); the midpoint may
// not: a range whose middle does not even calibrate on a built-in is not
// a range where the model works (and the frontier sweep starts there).
func TestValidRangesWork(t *testing.T) {
	names := rangeBuiltins()
	for _, c := range rangeCases() {
		if c.skipLo && c.skipHi {
			continue
		}
		loInf, hiInf := math.IsInf(c.valid.lo, -1), math.IsInf(c.valid.hi, 1)
		for _, p := range []struct {
			at    string
			v     float64
			skip  bool
			calib bool // a calibration error counts as working
		}{
			{"lo", c.valid.lo, c.skipLo || loInf || c.valid.loStrict, true},
			{"mid", 0.5 * (c.valid.lo + c.valid.hi), c.skipMid || loInf || hiInf, false},
			{"hi", c.valid.hi, c.skipHi || hiInf, true},
		} {
			if p.skip {
				continue
			}
			t.Run(fmt.Sprintf("%s=%g", c.name, p.v), func(t *testing.T) {
				for _, n := range names {
					if why := runsClean(n, c, p.v, p.calib); why != "" {
						t.Errorf("%s (the range's %s): %s", n, p.at, why)
					}
				}
			})
		}
	}
	t.Run("horizon end", func(t *testing.T) {
		end := lastValidMonth(2020).String()
		for _, n := range names {
			s, err := Load(n, []string{"horizon.end=" + end})
			if err != nil {
				t.Fatal(err)
			}
			run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			if f := run.Failures(); len(f) > 0 {
				t.Errorf("%s to %s: %d months failed, first %v: %s", n, end, len(f), f[0].Month, f[0].Result.Reason)
			}
		}
		if _, err := Load("history", []string{"horizon.end=" + (lastValidMonth(2020) + 1).String()}); err == nil {
			t.Errorf("a horizon past %s is accepted", end)
		}
	})
}

// runsUnchecked is runsClean past the validator: the built-in (with the
// event case's event at its safe value) is resolved, then the parameter is
// set to v on the Specs directly, as the sweep must look beyond the valid
// range. A market that no longer calibrates counts as failing.
func runsUnchecked(name string, c rangeCase, v float64) string {
	var s *Scenario
	var err error
	path := strings.TrimSuffix(c.set, "=%v")
	if c.event != "" {
		src := "extends: " + name + "\nevents:\n" + strings.ReplaceAll(c.event, "%v", fmt.Sprintf("%g", c.safe)) + "\n"
		s, err = Parse(name+"+x.yaml", []byte(src), nil)
		path = c.param
	} else {
		s, err = Load(name, c.with)
	}
	if err != nil {
		return strings.SplitN(err.Error(), "\n", 2)[0]
	}
	pi, err := lookupPath(path, s.mf, s.events)
	if err != nil {
		return err.Error()
	}
	apply, _, err := applyFunc(s, pi.paths, s.common)
	if err != nil {
		return err.Error()
	}
	for _, sp := range []*model.Spec{s.Spec, s.Counterfactual} {
		if err := apply(sp, v); err != nil {
			return err.Error()
		}
	}
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		return err.Error()
	}
	if f := run.Failures(); len(f) > 0 {
		return fmt.Sprintf("%s failed, first %s %v: %s", months(len(f)), f[0].Path, f[0].Month, f[0].Result.Reason)
	}
	return ""
}

// months is "1 month" or "n months".
func months(n int) string {
	if n == 1 {
		return "1 month"
	}
	return fmt.Sprintf("%d months", n)
}

// frontierExtremes are the parameters the frontier sweep bisects, by
// rangeCase name, and the extremes it searches to, below and above.
func frontierExtremes() map[string][2]float64 {
	return map[string][2]float64{
		"demand elasticity": {0, 3}, "demand elasticity, crop driver off": {0, 3}, "crop-price elasticity": {0, 3}, "crop-price elasticity, elastic demand": {0, 3}, "substitution elasticity": {1.01, 30}, "demand adjustment": {0.005, 1},
		"demand growth": {-20, 20}, "supply elasticity": {0.01, 10}, "supply adjustment": {0.005, 1},
		"freight": {0, 1e6}, "wedge on Belarus": {-99.9, 1e4}, "wedge on Canada": {-99.9, 1e4},
		"demand shift, all regions": {-99.99, 1e6}, "cost shift of Canada": {-1e4, 1e6}, "capacity of Canada": {-28, 1e6},
		"FOB price": {56, 1e6}, "tariff-rate quota out rate": {0, 1e4}, "export cap on Laos": {0, 1e6},
		"stock to use": {0, 12}, "stock adjustment": {0.01, 1}, "stock response": {0, 5}, "carrying cost": {0.1, 10}, "expectation speed": {0.01, 1},
		"conduct of Laos": {0, 1}, "conduct gap share of Russia": {0, 1}, "coalition weight": {0, 1},
		"conduct event on Canada": {0, 1}, "coalition event": {0, 1},
	}
}

// TestValidRangeFrontiers is the sweep behind the ranges: for each
// parameter it bisects between a value that works on every built-in and
// an extreme, setting the value past the validator, and logs the last
// value that works (run it with -frontiers -v; about 8 minutes on a
// loaded 2-core machine). Each range end lies inside its frontier,
// rounded inward. With -update it rewrites the frontier block of
// docs/SCENARIOS.md, fingerprinted with the sweep's inputs
// (TestValidRangeFrontiersDoc checks the fingerprint in every go test).
func TestValidRangeFrontiers(t *testing.T) {
	if !*frontiers {
		t.Skip("run with -frontiers")
	}
	names := builtinNames()
	works := func(c rangeCase, v float64) string {
		for _, n := range names {
			if why := runsUnchecked(n, c, v); why != "" {
				return n + ": " + why
			}
		}
		return ""
	}
	type probe struct {
		c        rangeCase
		from, to float64 // a working value and the extreme to search to
	}
	var ps []probe
	extreme := frontierExtremes()
	// POTASH_FRONTIERS=TEXT sweeps only the parameters whose name
	// contains TEXT.
	only := os.Getenv("POTASH_FRONTIERS")
	if only != "" {
		if *update {
			t.Fatal("-update writes the whole sweep: unset POTASH_FRONTIERS")
		}
		for k := range extreme {
			if !strings.Contains(k, only) {
				delete(extreme, k)
			}
		}
	}
	for _, c := range rangeCases() {
		if x, ok := extreme[c.name]; ok {
			mid := 0.5 * (c.valid.lo + c.valid.hi)
			if c.from != 0 {
				mid = c.from
			}
			ps = append(ps, probe{c, mid, x[0]}, probe{c, mid, x[1]})
		}
	}
	var ends []frontierEnd
	for _, p := range ps {
		e := frontierEnd{Param: p.c.name, Valid: fmtValid(p.c.valid), Extreme: p.to, Below: p.to < p.from}
		a, b := p.from, p.to
		if why := works(p.c, a); why != "" {
			t.Errorf("%s: the start %g fails: %s", p.c.name, a, why)
			continue
		}
		if why := works(p.c, b); why == "" {
			t.Logf("%s: works at the extreme %g", p.c.name, b)
			e.Works, e.AtExtreme = b, true
			ends = append(ends, e)
			continue
		}
		why := ""
		for it := 0; it < 16; it++ {
			m := 0.5 * (a + b)
			if b > 100*math.Max(1, math.Abs(a)) {
				m = math.Sqrt(math.Max(a, 1) * b)
			}
			if w := works(p.c, m); w == "" {
				a = m
			} else {
				b, why = m, w
			}
		}
		t.Logf("%s: works to %.4g, fails from %.4g (%s)", p.c.name, a, b, why)
		e.Works, e.Fails, e.Why = a, b, why
		ends = append(ends, e)
	}
	if only != "" || t.Failed() {
		return
	}
	inputs, err := frontierInputs()
	if err != nil {
		t.Fatal(err)
	}
	sw := &frontierSweep{Inputs: inputs, Ends: ends}
	block, err := frontierBlock(sw)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := writeFrontiers(sw); err != nil {
			t.Fatal(err)
		}
		checkDocBlock(t, scenariosDoc, frontierBlockName, frontierCmd, block)
		t.Logf("wrote %s and the %s block of %s", frontiersFile, frontierBlockName, scenariosDoc)
		return
	}
	t.Logf("the %s block (-update writes it into %s):\n%s", frontierBlockName, scenariosDoc, block)
}

// TestScenarioRange checks Scenario.Range against the validator's bounds
// and model.Range* (what the web page's sliders read).
func TestScenarioRange(t *testing.T) {
	s := mustLoad(t, "us-relief-2025")
	for _, tc := range []struct {
		path   string
		lo, hi float64
		open   bool
	}{
		{"market.regions.*.demand_elasticity", cropEpsBound().lo, model.RangeEps().Hi, false},
		{"market.drivers.crop_prices.elasticity", 0, cropThetaBound().hi, false},
		{"market.regions.Brazil.substitution_elasticity", model.RangeSigma().Lo, model.RangeSigma().Hi, false},
		{"market.regions.*.demand_growth_pct_per_year", 100 * model.RangeGrowth().Lo, 100 * model.RangeGrowth().Hi, false},
		{"market.suppliers.Canada.fob_usd_per_t", 0, maxPrice.hi, true},
		{"events.belarus-discount.pct", 0, 100, false},
		{"events.discount-relief.scale", 0, 5, false},
		{"events.russian-ports.capacity_mt", 0, 1000, false},
	} {
		lo, hi, open, err := s.Range(tc.path)
		if err != nil || !scalarEq(lo, tc.lo) || !scalarEq(hi, tc.hi) || open != tc.open {
			t.Errorf("%s: [%g, %g] open %v (%v), want [%g, %g] open %v", tc.path, lo, hi, open, err, tc.lo, tc.hi, tc.open)
		}
	}
	for _, p := range []string{"events.us-ban.end", "events.us-ban.supplier", "market.regions.Narnia.demand_elasticity"} {
		if _, _, _, err := s.Range(p); !errors.Is(err, ErrUnknownParam) {
			t.Errorf("%s: error %v, want ErrUnknownParam", p, err)
		}
	}
}

func scalarEq(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }
