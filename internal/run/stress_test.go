package run

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// The random stress test runs the built-ins, with the Klaipėda closure
// (in those that hold it) made an instant step
// (events.klaipeda-closed.ramp_months=0), through the pipeline the CLI
// runs (Run), with behavioural parameters drawn per region and supplier.
// Every drawn value lies in the parameter's valid range (Scenario.Range),
// so every case must work: "a valid range is one where the solver works"
// (docs/SCENARIOS.md, "Valid ranges"), for combinations too.
//
// Two tables, each seeded:
//   - central: the lags and adjustment speeds (demand, supply and stock
//     adjustment, stock response, price-expectation speed, the crop
//     driver's lag) drawn uniformly within ±stressSpread of their central
//     values in the base data, clipped to the valid range. A case must
//     run clean, and the step closure must make no spike and be met
//     first by stocks (the change of world stocks falls in the closure's
//     month). A spike here is a reversal (reversalOf): a benchmark month
//     beyond both its neighbours on the same side, the smaller of its two
//     one-sided jumps more than stressMaxReversal, issue 14's 10 %.
//     Issue 14's own measure (scenarios' TestNoSpikes: no month more than
//     10 % from its neighbours' mean) is for the built-ins as shipped,
//     with the closure ramped, and there it still holds; a user's instant
//     closure is a step that holds, which that measure takes for a
//     spike. With model 0.6.0's fit (stocks adjusting at φ 0.622 a month,
//     not 0.996) stocks smooth the step less, and 2022-02's benchmark
//     lies 10.1-12.4 % from its neighbours' mean in some central cases
//     (e.g. 739.8, 902.7, 895.0 $/t: the next month within 1 %). Measured
//     over the 300 central cases (seed stressSeed, model 0.6.0): the
//     largest one-month step 28.5 %, the largest reversal 7.3 % (2023-11,
//     the stock cycle after the closure: 312.0, 289.3, 311.9 $/t; 23 cases
//     reverse by more than 5 %, none by more than 10 %).
//   - valid ranges: the same parameters, and the elasticities, demand
//     trend, stock-to-use and carrying cost, drawn uniformly over their
//     whole valid ranges. A case must converge to plausible, finite
//     numbers; a spike is counted, not failed: the no-spike rule holds at
//     the central values, and at the ends of the ranges a one-month gap
//     between the closure (2022-02) and the rerouting through Russian
//     ports (2022-03) may show as a bump when stock holders barely answer
//     the price (a low stock_response). For the same reason a closure
//     that the stocks do not meet first (stocks still built up faster
//     under history's precautionary target) is counted, not failed: with
//     thin stocks that barely answer the price (a low stock_response
//     against a high carrying cost) holders have little to release. The
//     stock-cycle rule's narrower ranges (docs/MODEL.md §9.1) draw such
//     cases; how many, and how many reverse by more than
//     stressMaxReversal (and in which month), is docs/SCENARIOS.md's
//     block "stress tables", which the full test checks (-update
//     rewrites it).
//
// With model 0.6.0's fit 220 of the 300 central cases (157 with 0.5.1's)
// are the validator's located stock-cycle error: the fitted speeds sit
// near the rule's edge, and ±30 % crosses it.

// stressSpread is the relative half-width of a central draw.
const stressSpread = 0.30

// stressMaxReversal is the largest smaller one-sided jump of a benchmark
// month beyond both its neighbours on the same side (reversalOf): a month
// that jumps and falls back (or falls and jumps back) by more than this
// on both sides is a spike for the stress tables. It is issue 14's 10 %
// (scenarios' TestNoSpikes), applied to reversals only: a reversal whose
// smaller jump is d lies at least about d from its neighbours' mean.
const stressMaxReversal = 0.10

// stressSeed seeds the draws: every run draws the same table.
const stressSeed = 20260414

// Cases per table, in full mode and with -short.
const (
	stressCasesFull  = 300
	stressCasesShort = 10
)

// stressClass is the outcome of one case.
type stressClass int

const (
	stressClean        stressClass = iota
	stressNotConverged             // a month's solve failed: iteration limit, stalled, no equilibrium
	stressImplausible              // a month converged to prices beyond model.PlausibleMin/Max times the base
	stressAbsurd                   // Run refused a metric or summary value (model.CheckMetrics, Summary.CheckFinite)
	stressSpike                    // a benchmark month that reverses by more than stressMaxReversal (reversalOf)
	stressNoDrawDown               // world stocks changed no less in the closure's month than the month before
	stressError                    // any other error, though every value is in its valid range
	stressPanic                    // a panic
	stressJointRule                // values each in its valid range that together break the stock-cycle rule (a located error)
	nStressClasses
)

func (c stressClass) String() string {
	return [...]string{"clean", "not converged", "implausible price", "absurd value", "spike", "no stock draw-down", "error", "panic", "outside the stock-cycle rule"}[c]
}

// stressParam is one drawn parameter: a --set path (one region's or
// supplier's) and the central value a central draw is taken around.
type stressParam struct {
	path    string
	central float64
}

// stressParams lists the parameters of a table: the lags and adjustment
// speeds, and with wide the elasticities and levels too.
func stressParams(t *testing.T, wide bool) []stressParam {
	t.Helper()
	f, err := scenarios.BaseMarketFile(scenarios.DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	var ps []stressParam
	add := func(path string, v float64) { ps = append(ps, stressParam{path, v}) }
	for _, r := range f.Regions {
		p := "market.regions." + r.Name + "."
		add(p+"demand_adjustment_per_month", r.Adjust.Value)
		add(p+"stock_adjustment_per_month", r.StockAdjust.Value)
		add(p+"stock_response", r.StockResponse.Value)
		add(p+"price_expectation_speed_per_month", r.ExpectAdjust.Value)
		if wide {
			add(p+"demand_elasticity", r.Eps.Value)
			add(p+"substitution_elasticity", r.Sigma.Value)
			add(p+"demand_growth_pct_per_year", r.Growth.Value)
			add(p+"stock_to_use_months", r.StockMonths.Value)
			add(p+"carrying_cost_pct_per_month", r.CarryCost.Value)
		}
	}
	for _, s := range f.Suppliers {
		p := "market.suppliers." + s.Name + "."
		add(p+"supply_adjustment_per_month", s.Adjust.Value)
		if wide {
			add(p+"supply_elasticity", s.Eta.Value)
		}
	}
	if f.Drivers == nil || f.Drivers.CropPrices == nil {
		t.Fatalf("%s has no crop-price driver", scenarios.DefaultMarket)
	}
	add("market.drivers.crop_prices.lag_months", f.Drivers.CropPrices.LagMonths.Value)
	return ps
}

// stressCase is one drawn case: a built-in and its --set values.
type stressCase struct {
	name string
	sets []string
	step bool // the built-in holds the Klaipėda closure, made a step
}

const stepClosure = "events.klaipeda-closed.ramp_months=0"

// stressTable draws n cases over the built-ins: with wide over the whole valid ranges, else around the
// central values.
func stressTable(t *testing.T, n int, wide bool) []stressCase {
	t.Helper()
	ps := stressParams(t, wide)
	// Every built-in; those that hold the closure with it a step.
	var names []string
	step := map[string]bool{}
	for _, in := range scenarios.Builtins() {
		names = append(names, in.Name)
		if _, err := scenarios.Load(in.Name, []string{stepClosure}); err == nil {
			step[in.Name] = true
		}
	}
	if len(step) < 10 {
		t.Fatalf("only %d built-ins hold the Klaipėda closure", len(step))
	}
	// The valid ranges, from the validator itself (the history built-in
	// holds the same market as every other).
	ref := load(t, "history")
	type rng2 struct{ lo, hi float64 }
	valid := make([]rng2, len(ps))
	for k, p := range ps {
		lo, hi, _, err := ref.Range(p.path)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			t.Fatalf("%s: open range [%g, %g]", p.path, lo, hi)
		}
		valid[k] = rng2{lo, hi}
	}
	src := rand.New(rand.NewPCG(stressSeed, map[bool]uint64{false: 1, true: 2}[wide]))
	cases := make([]stressCase, n)
	for k := range cases {
		c := stressCase{name: names[src.IntN(len(names))]}
		if c.step = step[c.name]; c.step {
			c.sets = append(c.sets, stepClosure)
		}
		for j, p := range ps {
			v := p.central * (1 + stressSpread*(2*src.Float64()-1))
			if wide {
				v = valid[j].lo + (valid[j].hi-valid[j].lo)*src.Float64()
			}
			// %.6g may round past an end: clip after formatting.
			v, _ = parseG(fmt.Sprintf("%.6g", v))
			v = min(max(v, valid[j].lo), valid[j].hi)
			c.sets = append(c.sets, fmt.Sprintf("%s=%.17g", p.path, v))
		}
		cases[k] = c
	}
	return cases
}

func parseG(s string) (float64, error) {
	var v float64
	_, err := fmt.Sscan(s, &v)
	return v, err
}

// stressMeasure is what a case measured on its paths' benchmarks: the
// largest one-month step (stepOf) and the largest reversal (reversalOf).
// spikeAt is the month of the reversal of a spike (0: none).
type stressMeasure struct {
	step, reversal float64
	spikeAt        model.Month
}

// runStress runs one case through Run and classifies it, with a reason
// and, for a run Run accepted, its measures.
func runStress(c stressCase) (class stressClass, why string, m stressMeasure) {
	defer func() {
		if r := recover(); r != nil {
			class, why, m = stressPanic, fmt.Sprintf("%v\n%s", r, debug.Stack()), stressMeasure{}
		}
	}()
	s, err := scenarios.Load(c.name, c.sets)
	if err != nil {
		var ds scenarios.Diagnostics
		if errors.As(err, &ds) && len(ds.Errors()) > 0 && !slices.ContainsFunc(ds.Errors(), func(d scenarios.Diagnostic) bool { return d.Rule != scenarios.RuleStockCycle }) {
			// Each value is in its valid range (Scenario.Range holds the
			// others at the market's values), but the stock-cycle rule is
			// joint (docs/MODEL.md §9.1): the validator's located error
			// is the right answer.
			return stressJointRule, firstLine(err), m
		}
		return stressError, firstLine(err), m
	}
	res, err := Run(context.Background(), Request{Scenario: s, Sets: c.sets})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Kind == ErrModel {
			return stressAbsurd, firstLine(err), m
		}
		return stressError, firstLine(err), m
	}
	return classifyRun(res.Run, c.step)
}

func firstLine(err error) string { return strings.SplitN(err.Error(), "\n", 2)[0] }

// classifyRun classifies a run that Run accepted, and measures it; step:
// its scenario closes Klaipėda in 2022-02 as a step.
func classifyRun(run *model.Run, step bool) (stressClass, string, stressMeasure) {
	var m stressMeasure
	if f := run.Failures(); len(f) > 0 {
		class := stressImplausible
		for _, x := range f {
			if x.Result.Status != model.Implausible {
				class = stressNotConverged
				break
			}
		}
		return class, fmt.Sprintf("%d months failed, first %s %v (%v): %s", len(f), f[0].Path, f[0].Month, f[0].Result.Status, f[0].Result.Reason), m
	}
	for _, p := range []struct {
		name string
		path *model.Path
	}{{"scenario", run.Scenario}, {"counterfactual", run.Counterfactual}} {
		b := make([]float64, len(p.path.Sol))
		for k, s := range p.path.Sol {
			b[k] = s.Benchmark
		}
		_, st := stepOf(b)
		m.step = max(m.step, st)
		k, d := reversalOf(b)
		m.reversal = max(m.reversal, d)
		if d > stressMaxReversal {
			m.spikeAt = p.path.Months[k]
			return stressSpike, fmt.Sprintf("%s %v benchmark %.1f $/t reverses: %.1f, %.1f, %.1f $/t, the smaller jump %.1f%%", p.name, p.path.Months[k], b[k], b[k-1], b[k], b[k+1], 100*d), m
		}
	}
	// The step closure is met first by stocks: in the closure's month
	// world stocks change by less than the month before (in history they
	// are being built up through 2021-22, so the draw-down shows as a
	// build that slows, not always as a fall).
	p := run.Scenario
	closed, err := model.ParseMonth("2022-02")
	if err != nil {
		return stressError, firstLine(err), m
	}
	if k := int(closed - p.Months[0]); step && k >= 2 && k < len(p.Sol) {
		before := worldStocks(p.Sol[k-1]) - worldStocks(p.Sol[k-2])
		at := worldStocks(p.Sol[k]) - worldStocks(p.Sol[k-1])
		if !(at < before) {
			return stressNoDrawDown, fmt.Sprintf("world stocks change by %+.4g Mt in 2022-02, %+.4g Mt the month before", at, before), m
		}
	}
	return stressClean, "", m
}

func worldStocks(s *model.Solution) float64 {
	var sum float64
	for _, v := range s.Stocks {
		sum += v
	}
	return sum
}

// reversalOf returns the month of v that lies beyond both its neighbours
// on the same side (above both or below both) with the largest smaller
// one-sided jump, |v[k]/v[k±1] − 1|, and that jump (−1 and 0 if no month
// reverses). A step that holds (739.8, 902.7, 895.0) reverses by its
// small second jump only.
func reversalOf(v []float64) (int, float64) {
	at, worst := -1, 0.0
	for k := 1; k+1 < len(v); k++ {
		a, b, c := v[k-1], v[k], v[k+1]
		if !(a > 0 && c > 0) || !(b > a && b > c || b < a && b < c) {
			continue
		}
		if d := min(math.Abs(b/a-1), math.Abs(b/c-1)); d > worst {
			at, worst = k, d
		}
	}
	return at, worst
}

// stepOf returns the month of v with the largest one-month change,
// |v[k]/v[k−1] − 1|, and that change.
func stepOf(v []float64) (int, float64) {
	at, worst := -1, 0.0
	for k := 1; k < len(v); k++ {
		if v[k-1] > 0 {
			if d := math.Abs(v[k]/v[k-1] - 1); d > worst {
				at, worst = k, d
			}
		}
	}
	return at, worst
}

// TestReversalOf checks the stress tables' spike measure on made-up
// paths: a step that holds is no spike, a month that jumps and falls back
// is, either way up.
func TestReversalOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		v     []float64
		spike bool
	}{
		{"step that holds", []float64{739.8, 739.8, 902.7, 895.0, 893.1}, false},
		{"step down that holds", []float64{900, 900, 740, 745, 746}, false},
		{"smooth rise", []float64{700, 740, 790, 850, 900}, false},
		{"one-month spike", []float64{740, 741, 900, 745, 746}, true},
		{"one-month dip", []float64{900, 901, 740, 899, 898}, true},
		{"stock-cycle wobble", []float64{327, 312.0, 289.3, 311.9, 320}, false},
		{"spike past a step", []float64{739.8, 739.8, 902.7, 810, 805}, true},
	} {
		k, d := reversalOf(tc.v)
		if got := d > stressMaxReversal; got != tc.spike {
			t.Errorf("%s %v: reversal %.1f%% at %d, spike %v, want %v", tc.name, tc.v, 100*d, k, got, tc.spike)
		}
	}
}

// TestRandomStress runs both stress tables (stressCasesShort cases each
// with -short) and fails on every case that is not clean, except for
// spikes in the valid-ranges table, which it counts.
//
// The full tables (without -short) are docs/SCENARIOS.md's generated
// block "stress tables", which the text quotes; -update rewrites it.
func TestRandomStress(t *testing.T) {
	n := stressCasesFull
	if testing.Short() {
		n = stressCasesShort
	}
	tabs := []struct {
		name      string
		wide      bool
		spikeFail bool
		sum       stressSummary
	}{
		{name: "central", spikeFail: true},
		{name: "valid ranges", wide: true},
	}
	for ti := range tabs {
		tab := &tabs[ti]
		t.Run(tab.name, func(t *testing.T) {
			count := &tab.sum.count
			most := &tab.sum.most
			for k, c := range stressTable(t, n, tab.wide) {
				t.Run(fmt.Sprintf("%03d-%s", k, c.name), func(t *testing.T) {
					class, why, m := runStress(c)
					count[class]++
					if m.spikeAt == stressClosure {
						tab.sum.atClosure++
					}
					most.step, most.reversal = max(most.step, m.step), max(most.reversal, m.reversal)
					if class == stressClean || class == stressJointRule || (class == stressSpike || class == stressNoDrawDown) && !tab.spikeFail {
						return
					}
					t.Errorf("%v: %s\npotash run %s --set %s", class, why, c.name, strings.Join(c.sets, " --set "))
				})
			}
			var parts []string
			for cl := stressClean; cl < nStressClasses; cl++ {
				parts = append(parts, fmt.Sprintf("%v %d", cl, count[cl]))
			}
			t.Logf("%d cases: %s; largest one-month step %.1f%%, largest reversal %.2f%%", n, strings.Join(parts, ", "), 100*most.step, 100*most.reversal)
		})
	}
	if n != stressCasesFull || t.Failed() {
		return
	}
	checkStressDoc(t, stressBlock(n, tabs[0].sum, tabs[1].sum))
}

// stressClosure is the month the built-ins close Klaipėda in.
var stressClosure = model.NewMonth(2022, 2)

// stressSummary is what a table counted: cases by outcome, the largest
// measures, and the spikes whose reversal is the closure's month.
type stressSummary struct {
	count     [nStressClasses]int
	most      stressMeasure
	atClosure int
}

// stressBlock is the text of docs/SCENARIOS.md's block of the two full
// tables, n cases each.
func stressBlock(n int, central, wide stressSummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "potash %s, seed %d, %d cases a table (a spike: a reversal by more than %g %%)\n\n", model.Version, stressSeed, n, 100*stressMaxReversal)
	row := func(label, a, v string) { fmt.Fprintf(&b, "%-38s %8s %13s\n", label, a, v) }
	row("outcome", "central", "valid ranges")
	for cl := stressClean; cl < nStressClasses; cl++ {
		row(cl.String(), strconv.Itoa(central.count[cl]), strconv.Itoa(wide.count[cl]))
	}
	row("spike in "+stressClosure.String()+", the closure's month", strconv.Itoa(central.atClosure), strconv.Itoa(wide.atClosure))
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + " %" }
	row("largest one-month step", pct(central.most.step), pct(wide.most.step))
	row("largest reversal", pct(central.most.reversal), pct(wide.most.reversal))
	return b.String()
}

// stressDoc is the documentation holding the stress tables' block.
const (
	stressDoc      = "../../docs/SCENARIOS.md"
	stressDocBegin = "<!-- BEGIN stress tables: generated by go test ./internal/run -run TestRandomStress -update; do not edit -->\n"
	stressDocEnd   = "<!-- END stress tables -->"
)

var updateDocs = flag.Bool("update", false, "rewrite the generated blocks of docs/SCENARIOS.md (stress tables: go test ./internal/run -run TestRandomStress -update) and docs/BACKTEST.md (central runs outside their bands: -run TestOffBandCount -update)")

// checkStressDoc fails when stressDoc's block is not want, or with
// -update rewrites it.
func checkStressDoc(t *testing.T, want string) {
	t.Helper()
	checkDocBlock(t, stressDoc, stressDocBegin, stressDocEnd, want, "go test ./internal/run -run TestRandomStress -update")
}
