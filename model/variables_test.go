package model

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// handSolution returns a Solution for c's market whose every value encodes
// its position, so that extraction can be checked exactly: vectors hold
// 100·field + entity (field counted over the vectors of solFields), rows
// of matrices 10·i + column.
func handSolution(c *Calibrated) *Solution {
	s := NewSolution(c)
	f := 0 // vector fields in solFields order
	for _, sf := range solFields {
		if sf.vec != nil {
			v := *sf.vec(s)
			for i := range v {
				v[i] = float64(100*f + i)
			}
			f++
			continue
		}
		for i, row := range *sf.mat(s) {
			for k := range row {
				row[k] = float64(10*i + k)
			}
		}
	}
	s.Benchmark = 241.1
	for r := range s.Traded {
		s.Traded[r] = true
	}
	return s
}

func TestVariablesRegistry(t *testing.T) {
	want := []string{"benchmark_price", "fob_price", "netback", "sales", "exports",
		"export_revenue", "netback_revenue", "market_share", "capacity_use", "producer_surplus", "markup_rent",
		"corridor_rent", "quota_rent", "facility_rent", "adjustment_rent", "inframarginal_rent", "price_paid", "cfr_price", "tonnes", "imports",
		"ces_price_index", "ces_quantity", "import_bill", "tariff_revenue", "risk_cost", "consumer_surplus",
		"flow", "delivered_price", "corridor_flow", "corridor_capacity"}
	seen := map[string]bool{}
	for _, v := range Variables() {
		if seen[v.Name] {
			t.Errorf("duplicate variable %s", v.Name)
		}
		seen[v.Name] = true
		if v.Unit == "" || v.Doc == "" {
			t.Errorf("%s: missing unit or doc", v.Name)
		}
	}
	for _, n := range want {
		if !seen[n] {
			t.Errorf("expected variable %s missing", n)
		}
		if _, ok := LookupVariable(n); !ok {
			t.Errorf("LookupVariable(%s) failed", n)
		}
	}
}

func TestVariableValues(t *testing.T) {
	m := pathMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	s := handSolution(c)
	R := len(m.Regions)
	names := EntityNames(c, EntityCorridor)
	if len(names) != EntityCount(c, EntityCorridor) {
		t.Fatalf("corridor names %v", names)
	}
	// flat corridor index of supplier i's corridor k: suppliers in order,
	// then corridors in order.
	flat := func(i, k int) int {
		e := k
		for j := 0; j < i; j++ {
			e += len(m.Suppliers[j].Corridors)
		}
		if want := m.Suppliers[i].Name + "/" + m.Suppliers[i].Corridors[k].Name; names[e] != want {
			t.Fatalf("corridor %d is %s, want %s", e, names[e], want)
		}
		return e
	}
	routes := EntityNames(c, EntityRoute)
	if routes[2*R+1] != "Belarus→United States" {
		t.Errorf("route 2·R+1 is %s", routes[2*R+1])
	}
	for _, tc := range []struct {
		name string
		e    int
		want float64
	}{
		{"benchmark_price", 0, 241.1},
		{"fob_price", 3, 103},                 // FOBReceived: field 1, supplier 3
		{"exports", 2, 502},                   // field 5
		{"flow", 2*R + 1, 21},                 // Flow[2][1] = 10·2 + 1
		{"delivered_price", 10*R + 6, 106},    // Delivered[10][6]
		{"corridor_flow", flat(2, 0), 20},     // Belarus (i=2) corridor 0
		{"corridor_flow", flat(1, 1), 11},     // Russia (i=1) corridor 1
		{"corridor_capacity", flat(2, 1), 21}, // CorridorCap[2][1]
		{"ces_price_index", 6, 2606},          // PriceIndex: field 26, region 6
	} {
		v, _ := LookupVariable(tc.name)
		if got := v.Value(c, s, tc.e); got != tc.want {
			t.Errorf("%s[%d] = %v, want %v", tc.name, tc.e, got, tc.want)
		}
	}
	// fill writes the same values as get, for every variable.
	for j := range varDefs {
		d := &varDefs[j]
		n := EntityCount(c, d.Entity)
		buf := make([]float64, n)
		d.fillAll(c, s, buf)
		for e := 0; e < n; e++ {
			if g := d.get(c, s, e); g != buf[e] {
				t.Errorf("%s[%d]: fill %v, get %v", d.Name, e, buf[e], g)
			}
		}
	}
	// market share: exports / Σ exports.
	var tot float64
	for _, x := range s.Exports {
		tot += x
	}
	v, _ := LookupVariable("market_share")
	if got := v.Value(c, s, 2); got != s.Exports[2]/tot {
		t.Errorf("market_share = %v", got)
	}
	if v.Value(c, s, 99) != 0 {
		t.Errorf("out-of-range entity is not 0")
	}
	// Without CorridorCap (a bare Solve), corridor_capacity falls back to
	// flow/use.
	s.CorridorCap = nil
	s.CorridorFlow[0][0], s.CorridorUse[0][0] = 8, 0.5
	cc, _ := LookupVariable("corridor_capacity")
	if got := cc.Value(c, s, 0); got != 16 {
		t.Errorf("corridor_capacity fallback = %v, want 16", got)
	}
}

// TestMetricsHandMade checks the headline metrics on a hand-made three-month
// run with a two-month report window: means over months for $/t and Mt/yr,
// Σ/12 for $M totals.
func TestMetricsHandMade(t *testing.T) {
	m := pathMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	spec := &Spec{Market: m, Start: NewMonth(2025, 11), End: NewMonth(2026, 1), ReportStart: NewMonth(2025, 12)}
	mk := func() *Path {
		p := &Path{Spec: spec, Cal: c, Months: []Month{spec.Start, spec.Start + 1, spec.Start + 2}}
		for k := 0; k < 3; k++ {
			p.Sol = append(p.Sol, handSolution(c))
			p.Results = append(p.Results, Result{Status: Converged})
		}
		return p
	}
	s, cf := mk(), mk()
	// Belarus export revenue: scenario 1200 and 1800 $M/yr in the window
	// (and 9999 before it, ignored), counterfactual 1000 each month.
	for k, v := range []float64{9999, 1200, 1800} {
		s.Sol[k].ExportRev[2] = v
		cf.Sol[k].ExportRev[2] = 1000
		s.Sol[k].Benchmark = 250 + 10*float64(k)
		cf.Sol[k].Benchmark = 240
	}
	ms := Metrics(&Run{Scenario: s, Counterfactual: cf})
	for _, tc := range []struct {
		name string
		want float64
	}{
		// (200 + 800)/12 = 83.33 $M
		{"revenue_change.Belarus", 1000.0 / 12},
		// (1200 + 1800)/12
		{"revenue.Belarus", 3000.0 / 12},
		// mean of 260−240 and 270−240
		{"benchmark_price_change", 25},
		{"benchmark_price", 265},
		// 100·50/480
		{"benchmark_price_change_pct", 100 * 50.0 / 480},
		{"exports_change.Belarus", 0},
	} {
		got, ok := MetricValue(ms, tc.name)
		if !ok {
			t.Errorf("%s missing", tc.name)
			continue
		}
		if d := got.Value - tc.want; d > 1e-12 || d < -1e-12 {
			t.Errorf("%s = %v, want %v", tc.name, got.Value, tc.want)
		}
	}
	// A month in which the benchmark region does not trade has no price:
	// the price metrics skip it; with no month left they are Missing.
	bench := c.Bench
	s.Sol[2].Traded[bench] = false
	ms2 := Metrics(&Run{Scenario: s, Counterfactual: cf})
	if got, _ := MetricValue(ms2, "benchmark_price_change"); got.Value != 20 || got.Missing {
		t.Errorf("benchmark change with 2026-01 not traded = %+v, want 20 (2025-12 only)", got)
	}
	s.Sol[1].Traded[bench] = false
	ms3 := Metrics(&Run{Scenario: s, Counterfactual: cf})
	for _, n := range []string{"benchmark_price_change", "benchmark_price", "benchmark_price_change_pct", "price_change." + m.Regions[bench].Name} {
		if got, _ := MetricValue(ms3, n); got.Value != 0 || !got.Missing {
			t.Errorf("%s with no month traded = %+v, want missing", n, got)
		}
	}
	if got, _ := MetricValue(ms3, "revenue_change.Belarus"); got.Missing {
		t.Errorf("revenue marked missing")
	}
	if len(ms) != len(MetricList(m)) {
		t.Errorf("Metrics returned %d, MetricList %d", len(ms), len(MetricList(m)))
	}
	if _, err := metricIndex(metricDefs(m), []string{"revenue_change.Narnia"}); err == nil {
		t.Errorf("unknown metric accepted")
	} else {
		t.Log(err)
	}
}

// TestMetricNamesUnique: no two metrics share a name, on a market where
// China, the United States and Other are both suppliers and regions.
func TestMetricNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, mt := range MetricList(testMarket()) {
		if seen[mt.Name] {
			t.Errorf("duplicate metric %s", mt.Name)
		}
		seen[mt.Name] = true
		if mt.Unit == "" || mt.Doc == "" {
			t.Errorf("%s: missing unit or doc", mt.Name)
		}
	}
}

// TestVariableFieldIsFill: a variable that declares its Solution field
// (varDef.field), which a Monte Carlo draw solves straight into its row
// (mcLayout.binds), has exactly that field's values, flattened row after
// row, as fillAll writes them; and the fields so bound are distinct and
// cover every variable that vecVar or matVar made.
func TestVariableFieldIsFill(t *testing.T) {
	m := pathMarket()
	c := mustCalibrate(t, m)
	s := handSolution(c)
	fields := 0
	for j := range varDefs {
		d := &varDefs[j]
		t.Run(d.Name, func(t *testing.T) {
			f := fieldOf(&d.field, s)
			if f == nil {
				return
			}
			fields++
			var want []float64
			switch f := f.(type) {
			case *[]float64:
				want = *f
			case *[][]float64:
				for _, row := range *f {
					want = append(want, row...)
				}
			}
			got := make([]float64, EntityCount(c, d.Entity))
			d.fillAll(c, s, got)
			if len(want) != len(got) {
				t.Fatalf("field has %d values, the variable %d", len(want), len(got))
			}
			for e := range got {
				if math.Float64bits(got[e]) != math.Float64bits(want[e]) {
					t.Errorf("entity %d: fillAll %v, field %v", e, got[e], want[e])
				}
			}
		})
	}
	l := newMCLayout(c, &Spec{Market: m, Start: NewMonth(2025, 1), End: NewMonth(2025, 2)})
	bound := 0
	for _, v := range l.vars {
		if v.bound {
			bound++
		}
	}
	if bound != fields || bound+len(l.rest) != len(varDefs) {
		t.Errorf("%d variables bound, %d declare a field; %d rest of %d", bound, fields, len(l.rest), len(varDefs))
	}
	if fields < len(varDefs)/2 {
		t.Errorf("only %d of %d variables declare a field", fields, len(varDefs))
	}
}

// TestSolveWritesEveryField: Solve overwrites every value of the Solution
// it is given (a Monte Carlo draw solves each month into its row, which
// holds the last draw's values: mcLayout.binds), including for a closed
// supplier, a region that does not trade and every supplier closed.
func TestSolveWritesEveryField(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	bel := m.SupplierIndex("Belarus")
	us := m.RegionIndex("United States")
	lag := &Lag{Supply: append([]float64(nil), c.S0...), Demand: append([]float64(nil), c.Q0...),
		Stocks: make([]float64, len(c.Q0)), Expect: append([]float64(nil), c.P0...)}
	for r := range lag.Stocks {
		lag.Stocks[r] = 0.1 * c.Q0[r]
	}
	for _, tc := range []struct {
		name  string
		lag   *Lag
		apply func(p *Policy)
	}{
		{"base", nil, func(p *Policy) {}},
		{"lagged, with stocks", lag, func(p *Policy) {}},
		{"supplier closed", nil, func(p *Policy) {
			for r := range p.Ban[bel] {
				p.Ban[bel][r] = true
			}
		}},
		{"region not traded", lag, func(p *Policy) {
			for i := range m.Suppliers {
				p.Ban[i][us] = true
			}
		}},
		{"every supplier closed", nil, func(p *Policy) {
			for i := range m.Suppliers {
				p.ExportCap[i] = 0
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := NewPolicy(m)
			tc.apply(pol)
			fresh, poisoned := NewSolution(c), NewSolution(c)
			eachValue(poisoned, func(v *float64) { *v = math.NaN() })
			poisoned.Benchmark = math.NaN()
			for i := range poisoned.Binding {
				poisoned.Binding[i] = Binding(99)
			}
			for r := range poisoned.Traded {
				poisoned.Traded[r] = true
			}
			for _, sol := range []*Solution{fresh, poisoned} {
				if _, err := NewSolver(c).Solve(pol, tc.lag, nil, sol); err != nil {
					t.Fatal(err)
				}
			}
			var got []float64
			eachValue(poisoned, func(v *float64) { got = append(got, *v) })
			q := 0
			eachValue(fresh, func(v *float64) {
				if math.Float64bits(*v) != math.Float64bits(got[q]) {
					t.Errorf("value %d (solFields order) not written: %v, from a fresh Solution %v", q, got[q], *v)
				}
				q++
			})
			if math.Float64bits(poisoned.Benchmark) != math.Float64bits(fresh.Benchmark) ||
				!slices.Equal(poisoned.Binding, fresh.Binding) || !slices.Equal(poisoned.Traded, fresh.Traded) {
				t.Errorf("Benchmark, Binding or Traded not written")
			}
		})
	}
}

// eachValue calls f with every float value of sol's solFields, in order.
func eachValue(sol *Solution, f func(v *float64)) {
	for _, sf := range solFields {
		if sf.vec != nil {
			v := *sf.vec(sol)
			for k := range v {
				f(&v[k])
			}
			continue
		}
		for _, row := range *sf.mat(sol) {
			for k := range row {
				f(&row[k])
			}
		}
	}
}

// TestWelfareDocsSayReference: the surplus variables are measured from the
// base year (docs/MODEL.md §6.1, §6.2), so their docs say so and that only
// a difference between two paths is a welfare change; every welfare
// metric (a sum of monthly differences) says it is scenario minus
// counterfactual, and the surplus metrics that they are not changes from
// the base year. A reader of results.csv or summary.json must not take a
// surplus for a level or for the change against the counterfactual.
func TestWelfareDocsSayReference(t *testing.T) {
	for _, name := range []string{"producer_surplus", "consumer_surplus"} {
		v, ok := LookupVariable(name)
		if !ok {
			t.Fatalf("no variable %s", name)
		}
		for _, want := range []string{"measured from the base", "not a level", "scenario − counterfactual", "welfare change"} {
			if !strings.Contains(v.Doc, want) {
				t.Errorf("variable %s: doc %q does not say %q", name, v.Doc, want)
			}
		}
	}
	for _, mt := range MetricList(testMarket()) {
		base, _, _ := strings.Cut(mt.Name, ".")
		switch base {
		case "consumer_surplus_change", "producer_surplus_change":
			if !strings.Contains(mt.Doc, "not a change from the base year") {
				t.Errorf("metric %s: doc %q does not say it is not a change from the base year", mt.Name, mt.Doc)
			}
			fallthrough
		case "government_revenue_change", "quota_rent_change", "risk_cost_change", "welfare_change", "tariff_revenue_change", "trq_rent_change":
			if !strings.Contains(mt.Doc, "scenario minus counterfactual") {
				t.Errorf("metric %s: doc %q does not say scenario minus counterfactual", mt.Name, mt.Doc)
			}
		}
	}
}
