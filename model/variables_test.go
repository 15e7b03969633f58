package model

import (
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
