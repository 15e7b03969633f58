package scenarios

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios/internal/basedata"
)

func TestNumUnmarshalYAML(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want Num
		err  string // substring of the error, "" for none
	}{
		{name: "int", yaml: "x: 210", want: Num{Value: 210}},
		{name: "float", yaml: "x: 0.35", want: Num{Value: 0.35}},
		{name: "negative", yaml: "x: -1.5e2", want: Num{Value: -150}},
		{name: "value only", yaml: "x: {value: 3}", want: Num{Value: 3}},
		{name: "value and source", yaml: `x: {value: 210, source: "estimated: fob"}`, want: Num{Value: 210, Source: "estimated: fob"}},
		{name: "block mapping", yaml: "x:\n  value: 4\n  source: gtap\n  range: [2, 8]\n",
			want: Num{Value: 4, Source: "gtap", Range: &[2]float64{2, 8}}},
		{name: "unknown key", yaml: "x: {value: 1, sauce: y}", err: `line 1, column 15: unknown key "sauce"`},
		{name: "unknown key block", yaml: "x:\n  value: 1\n  rnage: [1, 2]\n", err: `line 3, column 3: unknown key "rnage"`},
		{name: "no value", yaml: "x: {source: y}", err: "line 1, column 4: number mapping has no value"},
		{name: "duplicate", yaml: "x: {value: 1, value: 2}", err: "duplicate key"},
		{name: "string", yaml: "x: abc", err: `line 1, column 4: "abc" is not a number`},
		{name: "quoted number", yaml: `x: "12"`, err: "is not a number"},
		{name: "nan", yaml: "x: .nan", err: "not a finite number"},
		{name: "inf", yaml: "x: .inf", err: "not a finite number"},
		{name: "sequence", yaml: "x: [1, 2]", err: "line 1, column 4: want a number or a mapping"},
		{name: "range length", yaml: "x: {value: 1, range: [1]}", err: "range must be a list of two numbers"},
		{name: "range order", yaml: "x: {value: 1, range: [3, 1]}", err: "min exceeds max"},
		{name: "range element", yaml: "x: {value: 1, range: [a, 2]}", err: `"a" is not a number`},
		{name: "source type", yaml: "x: {value: 1, source: [a]}", err: "source must be a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v struct {
				X Num `yaml:"x"`
			}
			err := yaml.Unmarshal([]byte(tc.yaml), &v)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if ne, ok := asNumError(err); !ok || ne.Line == 0 || ne.Col == 0 {
					t.Errorf("err %v is not a *NumError with line and column", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v.X, tc.want) {
				t.Errorf("got %+v, want %+v", v.X, tc.want)
			}
		})
	}
}

func TestNumMarshalRoundTrip(t *testing.T) {
	for _, n := range []Num{
		{Value: 3},
		{Value: 0.1, Source: "estimated: x"},
		{Value: 4, Source: "gtap", Range: &[2]float64{2, 8}},
	} {
		data, err := yaml.Marshal(struct {
			X Num `yaml:"x"`
		}{n})
		if err != nil {
			t.Fatal(err)
		}
		var back struct {
			X Num `yaml:"x"`
		}
		if err := yaml.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !reflect.DeepEqual(back.X, n) {
			t.Errorf("round trip of %+v via %q gave %+v", n, data, back.X)
		}
	}
}

func TestParseMarketFileErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, err string }{
		{"unknown field", "name: x\nsuppliers:\n  - name: A\n    fobb: 1\n", `f.yaml:4:5: suppliers[0].fobb: unknown key "fobb" (want one of name, label, home,`},
		{"unknown corridor field", "suppliers:\n  - corridors:\n      - {name: K, cap: 1}\n", `f.yaml:3:19: suppliers[0].corridors[0].cap: unknown key "cap"`},
		{"unknown top field", "nmae: x\n", `f.yaml:1:1: nmae: unknown key "nmae"`},
		{"type", "base_year: soon\n", "f.yaml:1:12: cannot construct !!str `soon` into int"},
		{"num error", "name: x\nsuppliers:\n  - name: A\n    fob_usd_per_t: {value: 1, src: y}\n", `f.yaml:4:31: unknown key "src"`},
		{"empty", "", "f.yaml: empty market file"},
		{"syntax", "name: [x\n", "f.yaml: yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMarketFile("f.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

// baseFile returns a fresh copy of the embedded base dataset.
func baseFile(t testing.TB) *MarketFile {
	t.Helper()
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func supplierFile(f *MarketFile, name string) *SupplierFile {
	for k := range f.Suppliers {
		if f.Suppliers[k].Name == name {
			return &f.Suppliers[k]
		}
	}
	panic("no supplier " + name)
}

func TestMarketFileMarketErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(f *MarketFile)
		err  string
	}{
		{"corridor capacity", func(f *MarketFile) { supplierFile(f, "Belarus").Corridors[1].Capacity.Value = -1 },
			"suppliers[Belarus].corridors[Klaipeda].capacity_mt: -1 is negative"},
		{"corridor cost NaN", func(f *MarketFile) { supplierFile(f, "Canada").Corridors[0].Cost.Value = math.NaN() },
			"suppliers[Canada].corridors[NorthAmericaRail].cost_usd_per_t: NaN is not a finite number"},
		{"fob", func(f *MarketFile) { supplierFile(f, "Russia").FOB.Value = -3 }, "suppliers[Russia].fob_usd_per_t: -3 is negative"},
		{"domestic", func(f *MarketFile) { supplierFile(f, "Russia").Domestic.Value = -1 }, "suppliers[Russia].domestic_mt: -1 is negative"},
		{"adjust", func(f *MarketFile) { supplierFile(f, "Laos").Adjust.Value = 2 }, "suppliers[Laos].supply_adjustment_per_month: 2 exceeds 1"},
		{"home", func(f *MarketFile) { supplierFile(f, "China").Home = "Mars" }, `suppliers[China].home: unknown region "Mars"`},
		{"duplicate supplier", func(f *MarketFile) { f.Suppliers[1].Name = "Canada" }, `suppliers[Canada].name: duplicate supplier "Canada"`},
		{"no corridors", func(f *MarketFile) { supplierFile(f, "Jordan").Corridors = nil }, "suppliers[Jordan].corridors: no corridors"},
		{"corridor name", func(f *MarketFile) { supplierFile(f, "Jordan").Corridors[0].Name = "" }, "suppliers[Jordan].corridors[0].name: missing"},
		{"region elasticity", func(f *MarketFile) { f.Regions[0].Eps.Value = math.Inf(1) }, "regions[Brazil].demand_elasticity: +Inf is not a finite number"},
		{"region growth", func(f *MarketFile) { f.Regions[2].Growth.Value = -150 }, "regions[China].demand_growth_pct_per_year: -150 is below -100"},
		{"duplicate region", func(f *MarketFile) { f.Regions[1].Name = "Brazil" }, `regions[Brazil].name: duplicate region "Brazil"`},
		{"benchmark", func(f *MarketFile) { f.Benchmark = "Atlantis" }, `benchmark: unknown region "Atlantis"`},
		{"no benchmark", func(f *MarketFile) { f.Benchmark = "" }, "benchmark: missing"},
		{"route from", func(f *MarketFile) { f.Routes[0].From = "Narnia" }, `routes[0].from: unknown supplier "Narnia"`},
		{"route to", func(f *MarketFile) { f.Routes[0].To = "Mars" }, `routes[0].to: unknown region "Mars"`},
		{"route flow", func(f *MarketFile) { f.Routes[0].Flow.Value = -0.5 }, "routes[Canada→Brazil].flow_mt: -0.5 is negative"},
		{"route freight", func(f *MarketFile) { f.Routes[3].Freight.Value = math.NaN() }, "routes[Canada→India].freight_usd_per_t: NaN is not a finite number"},
		{"route wedge", func(f *MarketFile) { f.Routes[0].Wedge.Value = -101 }, "routes[Canada→Brazil].wedge_pct: -101 is below -100"},
		{"duplicate route", func(f *MarketFile) { f.Routes[1] = f.Routes[0] }, "routes[Canada→Brazil]: duplicate route"},
		{"range", func(f *MarketFile) { f.Regions[0].Sigma.Range = &[2]float64{8, 2} }, "regions[Brazil].substitution_elasticity.range: [8, 2] is not a range"},
		{"no suppliers", func(f *MarketFile) { f.Suppliers, f.Routes = nil, nil }, "suppliers: no suppliers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile(t)
			tc.edit(f)
			m, err := f.Market()
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if m != nil {
				t.Error("a market was returned with the error")
			}
		})
	}
	var nilFile *MarketFile
	if _, err := nilFile.Market(); err == nil {
		t.Error("nil MarketFile: no error")
	}
}

// TestMarketFileMarketConversion: percent fields become fractions, routes
// fill the matrices, unlisted routes are zero.
func TestMarketFileMarketConversion(t *testing.T) {
	f := baseFile(t)
	f.Routes[0].Wedge = Num{Value: 15}
	f.Regions[0].Growth = Num{Value: 4}
	m, err := f.Market()
	if err != nil {
		t.Fatal(err)
	}
	i, r := m.SupplierIndex(f.Routes[0].From), m.RegionIndex(f.Routes[0].To)
	if m.Wedge[i][r] != 0.15 {
		t.Errorf("wedge_pct 15 → %g, want 0.15", m.Wedge[i][r])
	}
	if m.Regions[0].Growth != 0.04 {
		t.Errorf("demand_growth_pct_per_year 4 → %g, want 0.04", m.Regions[0].Growth)
	}
	if m.Flows[i][r] != f.Routes[0].Flow.Value || m.Freight[i][r] != f.Routes[0].Freight.Value {
		t.Errorf("route 0: flow %g freight %g, want %g %g", m.Flows[i][r], m.Freight[i][r], f.Routes[0].Flow.Value, f.Routes[0].Freight.Value)
	}
	laos, brazil := m.SupplierIndex("Laos"), m.RegionIndex("Brazil")
	if m.Flows[laos][brazil] != 0 || m.Freight[laos][brazil] != 0 {
		t.Errorf("unlisted route Laos→Brazil: flow %g freight %g, want 0", m.Flows[laos][brazil], m.Freight[laos][brazil])
	}
	k := m.CorridorIndex(m.SupplierIndex("Belarus"), "Klaipeda")
	if k < 0 || m.Suppliers[m.SupplierIndex("Belarus")].Corridors[k].Label != "Klaipėda" {
		t.Errorf("Belarus's Klaipeda corridor missing or mislabelled")
	}
	if m.Name != "base-2020" || m.Version != "1.3.0" || m.BaseYear != 2020 || m.Benchmark != "Brazil" {
		t.Errorf("header %q %q %d %q", m.Name, m.Version, m.BaseYear, m.Benchmark)
	}
}

func TestBaseDatasets(t *testing.T) {
	names := BaseDatasets()
	if !reflect.DeepEqual(names, []string{"base-2020"}) {
		t.Errorf("BaseDatasets() = %v", names)
	}
	if _, err := BaseMarket("base-1999"); err == nil || !strings.Contains(err.Error(), "base-2020") {
		t.Errorf("unknown dataset: err = %v, want the list of datasets", err)
	}
	// Each call returns a fresh deep copy.
	a, b := baseFile(t), baseFile(t)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two loads differ")
	}
	a.Suppliers[0].FOB.Value = 1
	a.Suppliers[0].FOB.Range[0] = -5
	a.Suppliers[2].Corridors[1].Capacity.Value = 0
	a.Regions[0].Sigma.Range[1] = 99
	a.Routes[0].Flow.Value = 42
	a.Sources[0].ID = "changed"
	c := baseFile(t)
	if !reflect.DeepEqual(b, c) {
		t.Error("BaseMarketFile returns shared data")
	}
}

// TestBaseMarketNames: the names the built-in scenarios, docs and web page
// rely on (COMMON.md).
func TestBaseMarketNames(t *testing.T) {
	m, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	var sup, reg []string
	for _, s := range m.Suppliers {
		sup = append(sup, s.Name)
	}
	for _, r := range m.Regions {
		reg = append(reg, r.Name)
	}
	if want := []string{"Canada", "Russia", "Belarus", "China", "Israel", "Jordan", "Germany", "Laos", "Chile", "United States", "Other"}; !reflect.DeepEqual(sup, want) {
		t.Errorf("suppliers %v, want %v", sup, want)
	}
	if want := []string{"Brazil", "United States", "China", "India", "Southeast Asia", "Europe", "Other"}; !reflect.DeepEqual(reg, want) {
		t.Errorf("regions %v, want %v", reg, want)
	}
	homes := map[string]string{"China": "China", "United States": "United States", "Germany": "Europe", "Russia": "", "Belarus": "", "Canada": ""}
	for name, home := range homes {
		if got := m.Suppliers[m.SupplierIndex(name)].Home; got != home {
			t.Errorf("%s home %q, want %q", name, got, home)
		}
	}
	by := m.SupplierIndex("Belarus")
	for _, c := range []string{"Klaipeda", "RussianPorts", "ChinaRail"} {
		if m.CorridorIndex(by, c) < 0 {
			t.Errorf("Belarus has no %s corridor", c)
		}
	}
}

// TestEveryNumberHasSource walks the dataset's YAML: every number is a
// {value, source} mapping with a non-empty source (a bare number anywhere
// but base_year and a range is an error), and every source either names a
// listed source id or says "estimated".
func TestEveryNumberHasSource(t *testing.T) {
	data, err := datasetFS.ReadFile("data/base-2020.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	f := baseFile(t)
	var ids []string
	for _, s := range f.Sources {
		if s.ID == "" || s.Citation == "" {
			t.Errorf("source %+v lacks id or citation", s)
		}
		ids = append(ids, s.ID)
	}
	numbers := 0
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.SequenceNode:
			for k, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", path, k))
			}
		case yaml.MappingNode:
			var val, src *yaml.Node
			for k := 0; k+1 < len(n.Content); k += 2 {
				switch n.Content[k].Value {
				case "value":
					val = n.Content[k+1]
				case "source":
					src = n.Content[k+1]
				}
			}
			if val != nil {
				numbers++
				if src == nil || strings.TrimSpace(src.Value) == "" {
					t.Errorf("line %d: %s has no source", n.Line, path)
					return
				}
				if !strings.Contains(src.Value, "estimated") && !mentionsAny(src.Value, ids) {
					t.Errorf("line %d: %s: source %q neither names a source id nor says estimated", n.Line, path, src.Value)
				}
				return
			}
			for k := 0; k+1 < len(n.Content); k += 2 {
				key := n.Content[k].Value
				if key == "base_year" || key == "range" {
					continue
				}
				walk(n.Content[k+1], path+"."+key)
			}
		case yaml.ScalarNode:
			if n.Tag == "!!int" || n.Tag == "!!float" {
				t.Errorf("line %d: %s = %s is a bare number without a source", n.Line, path, n.Value)
			}
		}
	}
	walk(&doc, "")
	// 11 suppliers × 4 (+ domestic sales and marginal cost where given) +
	// corridors × 2 + 7 regions × 4 (+ 5 stock numbers where given) +
	// routes × 3.
	want := 11*4 + 7*4
	for _, s := range f.Suppliers {
		want += 2 * len(s.Corridors)
		if s.Domestic.Source != "" {
			want++
		}
		if s.MarginalCost.Source != "" {
			want++
		}
	}
	want += 3 * len(f.Routes)
	want += len(f.Facilities) // capacity
	for _, s := range f.Suppliers {
		for _, c := range s.Corridors {
			for _, sv := range c.Serves {
				if sv.Freight != nil {
					want++ // an own freight
				}
			}
		}
	}
	for _, g := range f.Regions {
		if g.StockMonths.Source != "" {
			want += 5 // stock-to-use, adjustment, response, carrying cost, expectation speed
		}
	}
	if d := f.Drivers; d != nil && d.CropPrices != nil {
		want += 3 + 3*len(d.CropPrices.Weights) // elasticity, lag, projection; three weights per region
	}
	want += len(f.Coalitions) // each coalition's base weight
	if numbers != want {
		t.Errorf("found %d sourced numbers, want %d", numbers, want)
	}
	// The same through the Go types: every Num reached by reflection has a source.
	var check func(v reflect.Value, path string)
	check = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				check(v.Elem(), path)
			}
		case reflect.Slice:
			for k := 0; k < v.Len(); k++ {
				check(v.Index(k), fmt.Sprintf("%s[%d]", path, k))
			}
		case reflect.Struct:
			if n, ok := v.Interface().(Num); ok {
				if n.Source == "" {
					t.Errorf("%s: no source", path)
				}
				if n.Range != nil && !(n.Range[0] <= n.Value && n.Value <= n.Range[1]) {
					t.Errorf("%s: value %g outside its range %v", path, n.Value, *n.Range)
				}
				return
			}
			for k := 0; k < v.NumField(); k++ {
				// An optional number left out is zero (the YAML walk above
				// catches a bare number written in its place).
				if strings.Contains(v.Type().Field(k).Tag.Get("yaml"), "omitempty") && v.Field(k).IsZero() {
					continue
				}
				check(v.Field(k), path+"."+v.Type().Field(k).Name)
			}
		}
	}
	check(reflect.ValueOf(f), "")
}

// TestDatasetRangesValid: every documented range holds the central value,
// which is valid (model.Range*), and lies in the model's domain; the part
// of a documented range outside the valid range (where the sources see
// plausible values the model cannot run on the built-ins: docs/SCENARIOS.md,
// "Valid ranges") is listed in the test log.
func TestDatasetRangesValid(t *testing.T) {
	f := baseFile(t)
	within := func(what string, n Num, scale float64, rg model.Range) {
		if n.Range == nil {
			t.Errorf("%s: no documented range", what)
			return
		}
		lo, hi, v := n.Range[0]*scale, n.Range[1]*scale, n.Value*scale
		if !rg.Contains(v) || !(lo <= v && v <= hi) {
			t.Errorf("%s: central value %g outside the documented [%g, %g] or the valid [%g, %g]", what, v, lo, hi, rg.Lo, rg.Hi)
		}
		if !rg.Contains(lo) || !rg.Contains(hi) {
			t.Logf("%s: documented [%g, %g] reaches beyond the valid [%g, %g]", what, lo, hi, rg.Lo, rg.Hi)
		}
	}
	for _, r := range f.Regions {
		within("regions["+r.Name+"].demand_elasticity", r.Eps, 1, model.RangeEps())
		within("regions["+r.Name+"].substitution_elasticity", r.Sigma, 1, model.RangeSigma())
		within("regions["+r.Name+"].demand_adjustment_per_month", r.Adjust, 1, model.RangeDemandAdjust())
		within("regions["+r.Name+"].demand_growth_pct_per_year", r.Growth, 0.01, model.RangeGrowth())
	}
	for _, s := range f.Suppliers {
		within("suppliers["+s.Name+"].supply_elasticity", s.Eta, 1, model.RangeEta())
		within("suppliers["+s.Name+"].supply_adjustment_per_month", s.Adjust, 1, model.RangeSupplyAdjust())
		if s.FOB.Range == nil || s.Capacity.Range == nil {
			t.Errorf("suppliers[%s]: FOB or capacity without a range", s.Name)
		}
	}
}

func mentionsAny(s string, ids []string) bool {
	for _, id := range ids {
		if strings.Contains(s, id) {
			return true
		}
	}
	return false
}

// pinkSheet2020 returns the average 2020 potassium chloride price from the
// embedded Pink Sheet (reference value 241.1 $/t).
func pinkSheet2020(t *testing.T) float64 {
	t.Helper()
	data, err := Reference("pinksheet-fertilizer-monthly.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var n int
	for _, row := range rows[1:] {
		if strings.HasPrefix(row[0], "2020M") {
			v, err := strconv.ParseFloat(row[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			sum += v
			n++
		}
	}
	if n != 12 {
		t.Fatalf("%d months of 2020 in the Pink Sheet", n)
	}
	return sum / float64(n)
}

// TestDatasetChecks holds the dataset to the checks docs/DATA.md states.
func TestDatasetChecks(t *testing.T) {
	m, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	ref := pinkSheet2020(t)
	if !scalar.EqualWithinAbs(ref, 241.1, 0.05) {
		t.Errorf("Pink Sheet 2020 average %.2f, want 241.1", ref)
	}
	sales := make([]float64, len(m.Suppliers))
	var world float64
	for i := range m.Suppliers {
		for r := range m.Regions {
			sales[i] += m.Flows[i][r]
		}
		world += sales[i]
	}

	t.Run("costs", func(t *testing.T) {
		// Every supplier has a marginal cost from cost data, inside its
		// documented range and below its base netback (a positive base
		// rent); Russia's is the lowest (Uralkali, the lowest in the
		// world: uralkali-cost); Canada's is within 60% of Mosaic's
		// 56–65 $/t average cash cost (mosaic-2020) above it.
		c, err := model.Calibrate(m)
		if err != nil {
			t.Fatal(err)
		}
		mf := baseFile(t)
		low := ""
		for i, s := range m.Suppliers {
			n := mf.Suppliers[i].MarginalCost
			switch {
			case s.MarginalCost <= 0 || n.Range == nil:
				t.Errorf("%s: marginal cost %g (range %v): want a sourced cost with a range", s.Name, s.MarginalCost, n.Range)
			case !(s.MarginalCost < c.M0[i]):
				t.Errorf("%s: marginal cost %g not below the base netback %g", s.Name, s.MarginalCost, c.M0[i])
			case s.MarginalCost < n.Range[0] || s.MarginalCost > n.Range[1] || n.Range[1] > c.M0[i]:
				t.Errorf("%s: marginal cost %g outside its range %v, or the range above the netback %g", s.Name, s.MarginalCost, *n.Range, c.M0[i])
			}
			if low == "" || s.MarginalCost < m.Suppliers[m.SupplierIndex(low)].MarginalCost {
				low = s.Name
			}
		}
		if low != "Russia" {
			t.Errorf("lowest marginal cost: %s, want Russia", low)
		}
		if mc := m.Suppliers[m.SupplierIndex("Canada")].MarginalCost; mc < 56 || mc > 65*1.6 {
			t.Errorf("Canada's marginal cost %g, want within [56, 104] $/t", mc)
		}
	})

	t.Run("Brazil P0", func(t *testing.T) {
		// Brazil's base CES price index is the Pink Sheet 2020 average
		// (Brazil CFR) within 0.25 $/t, 0.1% (P0 = 241.06).
		b := m.RegionIndex("Brazil")
		var q, v float64
		for i, s := range m.Suppliers {
			x := m.Flows[i][b]
			q += x
			v += (s.FOB + m.Freight[i][b]) * (1 + m.Wedge[i][b]) * x
		}
		if p0 := v / q; !scalar.EqualWithinAbs(p0, ref, 0.25) {
			t.Errorf("Brazil P0 = %.2f $/t, want %.1f ± 0.25", p0, ref)
		}
	})

	t.Run("totals", func(t *testing.T) {
		// Documented ranges (docs/DATA.md, "Checks").
		for _, c := range []struct {
			name   string
			lo, hi float64
		}{
			{"Canada", 21, 22.5},  // FAOSTAT exports 21.3 + domestic 1.0
			{"Russia", 11.5, 13},  // FAOSTAT exports 10.95 + domestic 0.7
			{"Belarus", 11.3, 13}, // FAOSTAT exports 12.0 + domestic 0.8
		} {
			if v := sales[m.SupplierIndex(c.name)]; v < c.lo || v > c.hi {
				t.Errorf("%s sales %.3f Mt outside [%g, %g]", c.name, v, c.lo, c.hi)
			}
		}
		if world < 65 || world > 70 {
			t.Errorf("world sales %.2f Mt outside [65, 70]", world)
		}
		// World trade: sales outside home less the domestic sales of
		// suppliers whose country is not a region (domestic_mt). Russia and
		// Belarus ≈ 40% of it in 2020, Belarus ≈ 20% (ifpri-2024).
		mf := baseFile(t)
		exports := make([]float64, len(m.Suppliers))
		var trade float64
		for i, s := range m.Suppliers {
			exports[i] = sales[i] - mf.Suppliers[i].Domestic.Value
			if h := m.RegionIndex(s.Home); h >= 0 {
				exports[i] -= m.Flows[i][h]
			}
			trade += exports[i]
		}
		ru, by := exports[m.SupplierIndex("Russia")], exports[m.SupplierIndex("Belarus")]
		if sh := (ru + by) / trade; sh < 0.36 || sh > 0.44 {
			t.Errorf("Russia + Belarus share of world trade %.3f, want about 0.40", sh)
		}
		if sh := by / trade; sh < 0.18 || sh > 0.23 {
			t.Errorf("Belarus share of world trade %.3f, want about 0.20", sh)
		}
	})

	t.Run("generator", func(t *testing.T) {
		// The shipped flows are the RAS generator's output rounded to 1 kt,
		// so rows and columns match its totals within 0.5 kt per cell.
		in, err := basedata.LoadInputs("data/reference")
		if err != nil {
			t.Fatal(err)
		}
		res, err := basedata.Build(in)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range m.Suppliers {
			for r, g := range m.Regions {
				want := math.Round(res.Flows[i][r]*1000) / 1000
				if m.Flows[i][r] != want {
					t.Errorf("flow %s→%s = %g, generator gives %g", s.Name, g.Name, m.Flows[i][r], want)
				}
			}
			// domestic_mt: the generator's domestic sales, inside the flow to
			// Other, for exactly the suppliers it computes them for.
			mf := baseFile(t)
			if d, want := mf.Suppliers[i].Domestic.Value, math.Round(res.Domestic[s.Name]*1000)/1000; d != want {
				t.Errorf("%s domestic_mt = %g, generator gives %g", s.Name, d, want)
			} else if o := m.Flows[i][m.RegionIndex("Other")]; d > o {
				t.Errorf("%s domestic_mt %g exceeds its flow to Other %g", s.Name, d, o)
			}
			if tol := 0.0005 * float64(len(m.Regions)); !scalar.EqualWithinAbs(sales[i], res.SupplierTotals[i].Value, tol) {
				t.Errorf("%s sales %.4f, supplier total %.4f", s.Name, sales[i], res.SupplierTotals[i].Value)
			}
		}
		for r, g := range m.Regions {
			var q float64
			for i := range m.Suppliers {
				q += m.Flows[i][r]
			}
			if tol := 0.0005 * float64(len(m.Suppliers)); !scalar.EqualWithinAbs(q, res.RegionTotals[r].Value, tol) {
				t.Errorf("%s demand %.4f, region total %.4f", g.Name, q, res.RegionTotals[r].Value)
			}
		}
	})

	t.Run("corridors", func(t *testing.T) {
		for i, s := range m.Suppliers {
			if s.Capacity < sales[i] {
				t.Errorf("%s: capacity %g below base sales %.3f", s.Name, s.Capacity, sales[i])
			}
			cs := append([]model.Corridor(nil), s.Corridors...)
			// Cheapest first (stable), as the model fills them.
			for a := 1; a < len(cs); a++ {
				for b := a; b > 0 && cs[b].Cost < cs[b-1].Cost; b-- {
					cs[b], cs[b-1] = cs[b-1], cs[b]
				}
			}
			left := sales[i]
			var marginal model.Corridor
			fill := map[string]float64{}
			for _, c := range cs {
				if left <= 0 {
					break
				}
				f := math.Min(left, c.Capacity)
				fill[c.Name] = f
				left -= f
				marginal = c
			}
			if left > 1e-9 {
				t.Errorf("%s: base sales %.3f exceed corridor capacity by %.3f", s.Name, sales[i], left)
			}
			// Netback p0 − c_{j*} > 0; and above Uralkali's 60 $/t cash
			// cost for the three big exporters (uralkali-cost).
			if nb := s.FOB - marginal.Cost; nb <= 0 {
				t.Errorf("%s: base netback %.1f ≤ 0", s.Name, nb)
			} else if nb < 60 {
				t.Errorf("%s: base netback %.1f below the lowest cash cost 60 $/t", s.Name, nb)
			}
			if s.Name == "Belarus" {
				// Klaipeda: 10-11 Mt/yr, about 90% of exports (klaipeda).
				exports := sales[i] - fill["Domestic"]
				if k := fill["Klaipeda"]; k < 10 || k > 11 || k/exports < 0.85 || k/exports > 0.95 {
					t.Errorf("Klaipeda carries %.2f Mt = %.0f%% of exports %.2f, want 10-11 Mt, about 90%%", k, 100*k/exports, exports)
				}
				if rp := s.Corridors[m.CorridorIndex(i, "RussianPorts")].Capacity; rp > 1 {
					t.Errorf("RussianPorts capacity %g, want ≤ 1 Mt/yr in 2020", rp)
				}
			}
		}
	})
}

// TestBaseMarketCalibrates: model.Calibrate accepts the dataset and the
// calibrated base year reproduces P0 = 241.1 $/t in Brazil and the flows.
func TestBaseMarketCalibrates(t *testing.T) {
	m, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	c, err := model.Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.P0[c.Bench]; !scalar.EqualWithinAbs(p, pinkSheet2020(t), 0.25) {
		t.Errorf("benchmark P0 = %.2f, want 241.1 ± 0.25", p)
	}
	for i, s := range m.Suppliers {
		if !(c.M0[i] > 0) {
			t.Errorf("%s: calibrated netback %g", s.Name, c.M0[i])
		}
	}
	sol := model.NewSolution(c)
	res, err := model.NewSolver(c).Solve(model.NewPolicy(c.Market), nil, nil, sol)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != model.Converged {
		t.Fatalf("base solve: %v", res.Status)
	}
	for i, s := range m.Suppliers {
		if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, 1e-9) {
			t.Errorf("%s: base FOB %.12g, want %g", s.Name, sol.FOB[i], s.FOB)
		}
	}
}

// fuzzSeedMarket is a small complete market: the whole 68 KB dataset is a
// poor fuzz seed (the fuzzer spends minutes minimizing inputs that size).
const fuzzSeedMarket = `name: tiny
version: 1.0.0
base_year: 2020
benchmark: B
sources: [{id: s, citation: c}]
suppliers:
  - name: A
    fob_usd_per_t: {value: 200, source: "s", range: [150, 250]}
    capacity_mt: 10
    supply_elasticity: {value: 1, source: estimated}
    supply_adjustment_per_month: 0.1
    marginal_cost_usd_per_t: {value: 120, source: s, range: [60, 150]}
    domestic_mt: {value: 0.5, source: s}
    domestic_in: B
    corridors:
      - {name: K, label: "Klaipėda", capacity_mt: 11, cost_usd_per_t: {value: 20, source: s}}
regions:
  - name: B
    demand_elasticity: 0.3
    substitution_elasticity: {value: 4, range: [2, 8]}
    demand_adjustment_per_month: 0.1
    demand_growth_pct_per_year: 2
routes:
  - {from: A, to: B, flow_mt: 5, freight_usd_per_t: 35, wedge_pct: {value: 0, source: s}}
`

func FuzzParseMarketFile(f *testing.F) {
	if mf, err := ParseMarketFile("seed.yaml", []byte(fuzzSeedMarket)); err != nil {
		f.Fatal(err)
	} else if _, err := mf.Market(); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(fuzzSeedMarket))
	f.Add([]byte("name: x\nsuppliers: [{name: A, fob_usd_per_t: {value: 1, range: [0, 2]}}]\n"))
	f.Add([]byte("regions: [{name: B, demand_elasticity: .nan}]"))
	f.Add([]byte("name: x\nsuppliers: [{name: A, fob_usd_per_t: 100, marginal_cost_usd_per_t: 40, conduct: 0.2, conduct_gap_share: {value: 0.5, source: s}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		mf, err := ParseMarketFile("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		m, err := mf.Market()
		if err != nil {
			return
		}
		for i := range m.Flows {
			for r := range m.Flows[i] {
				if math.IsNaN(m.Flows[i][r]) || math.IsNaN(m.Freight[i][r]) || math.IsNaN(m.Wedge[i][r]) {
					t.Fatal("NaN in a converted market")
				}
			}
		}
	})
}

func ExampleBaseMarket() {
	m, err := BaseMarket("base-2020")
	if err != nil {
		fmt.Println(err)
		return
	}
	by := m.SupplierIndex("Belarus")
	var sales float64
	for r := range m.Regions {
		sales += m.Flows[by][r]
	}
	fmt.Printf("%s %s: %d suppliers, %d regions\n", m.Name, m.Version, len(m.Suppliers), len(m.Regions))
	fmt.Printf("Belarus 2020 sales %.2f Mt KCl at FOB %.0f $/t\n", sales, m.Suppliers[by].FOB)
	for _, c := range m.Suppliers[by].Corridors {
		fmt.Printf("  %-12s %5.1f Mt/yr at %2.0f $/t\n", c.Name, c.Capacity, c.Cost)
	}
	// Output:
	// base-2020 1.3.0: 11 suppliers, 7 regions
	// Belarus 2020 sales 12.77 Mt KCl at FOB 200 $/t
	//   Domestic       0.8 Mt/yr at  8 $/t
	//   Klaipeda      11.0 Mt/yr at 20 $/t
	//   RussianPorts   0.5 Mt/yr at 45 $/t
	//   ChinaRail      1.5 Mt/yr at 55 $/t
}

func ExampleBaseMarketFile() {
	f, err := BaseMarketFile("base-2020")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range f.Suppliers {
		if s.Name == "Belarus" {
			fmt.Println(s.Corridors[1].Label, s.Corridors[1].Capacity.Value)
			fmt.Println(s.Corridors[1].Capacity.Source[:9])
		}
	}
	// Output:
	// Klaipėda 11
	// klaipeda:
}

func BenchmarkBaseMarket(b *testing.B) {
	for b.Loop() {
		if _, err := BaseMarket(DefaultMarket); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBaseMarketKlaipedaClosure: closing Klaipėda in the base market (long
// run) leaves Belarus only its other corridors (0.8 + 0.5 + 1.5 = 2.8 Mt),
// raises the benchmark price and Canada's and Russia's sales; reopening it
// returns the base year.
func TestBaseMarketKlaipedaClosure(t *testing.T) {
	m, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	c, err := model.Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	solver := model.NewSolver(c)
	sol := model.NewSolution(c)
	pol := model.NewPolicy(c.Market)
	by, ca, ru := m.SupplierIndex("Belarus"), m.SupplierIndex("Canada"), m.SupplierIndex("Russia")
	k := m.CorridorIndex(by, "Klaipeda")
	pol.CorridorCap[by][k] = 0
	res, err := solver.Solve(pol, nil, nil, sol)
	if err != nil || res.Status != model.Converged {
		t.Fatalf("closure solve: %v %v", res.Status, err)
	}
	const base = 241.06 // Brazil P0
	if sol.Sales[by] > 2.8+1e-9 {
		t.Errorf("Belarus sales %.3f exceed its remaining corridors 2.8 Mt", sol.Sales[by])
	}
	if !(sol.Benchmark > base+10) {
		t.Errorf("benchmark %.1f: closing 11 Mt/yr of corridor should raise it well above %.1f", sol.Benchmark, base)
	}
	for _, i := range []int{ca, ru} {
		var s0 float64
		for r := range m.Regions {
			s0 += m.Flows[i][r]
		}
		if !(sol.Sales[i] > s0) {
			t.Errorf("%s sales %.3f, want above base %.3f", m.Suppliers[i].Name, sol.Sales[i], s0)
		}
	}
	pol.CorridorCap[by][k] = m.Suppliers[by].Corridors[k].Capacity
	if _, err := solver.Solve(pol, nil, nil, sol); err != nil {
		t.Fatal(err)
	}
	if !scalar.EqualWithinAbs(sol.Benchmark, base, 0.01) {
		t.Errorf("reopened: benchmark %.3f, want %.2f", sol.Benchmark, base)
	}
}
