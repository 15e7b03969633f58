package basedata

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// refDir is the shipped reference data.
const refDir = "../../data/reference"

func loadInputs(t *testing.T) *Inputs {
	t.Helper()
	in, err := LoadInputs(refDir)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestBuildGolden checks that the RAS generator reproduces the shipped
// totals, prior and flows (testdata/build-2020.golden.csv; regenerate with
// go test -run TestBuildGolden -update).
func TestBuildGolden(t *testing.T) {
	res, err := Build(loadInputs(t))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "build-2020.golden.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		got := strings.Split(buf.String(), "\n")
		w := strings.Split(string(want), "\n")
		for k := 0; k < len(got) && k < len(w); k++ {
			if got[k] != w[k] {
				t.Fatalf("build differs from %s at line %d:\n got %s\nwant %s", golden, k+1, got[k], w[k])
			}
		}
		t.Fatalf("build differs from %s: %d lines, want %d", golden, len(got), len(w))
	}
}

// TestBuildBalanced checks the balanced matrix against its controls and the
// documented checks of docs/DATA.md.
func TestBuildBalanced(t *testing.T) {
	res, err := Build(loadInputs(t))
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-9 // relative; RAS stops at 1e-13
	var world float64
	for i, tot := range res.SupplierTotals {
		var s float64
		for r := range res.Regions {
			if res.Flows[i][r] < 0 || math.IsNaN(res.Flows[i][r]) {
				t.Errorf("flow %s→%s = %g", res.Suppliers[i], res.Regions[r], res.Flows[i][r])
			}
			if (res.Prior[i][r] == 0) != (res.Flows[i][r] == 0) {
				t.Errorf("flow %s→%s: RAS changed the zero pattern (prior %g, flow %g)", res.Suppliers[i], res.Regions[r], res.Prior[i][r], res.Flows[i][r])
			}
			s += res.Flows[i][r]
		}
		if !scalar.EqualWithinRel(s, tot.Value, tol) {
			t.Errorf("row %s sums to %g, want %g", tot.Name, s, tot.Value)
		}
		world += tot.Value
	}
	for r, tot := range res.RegionTotals {
		var s float64
		for i := range res.Suppliers {
			s += res.Flows[i][r]
		}
		if !scalar.EqualWithinRel(s, tot.Value, tol) {
			t.Errorf("column %s sums to %g, want %g", tot.Name, s, tot.Value)
		}
	}
	// Documented checks (docs/DATA.md, "Checks"): world 65-70 Mt (Argus:
	// 68.2 Mt in 2023); Canada ≈ 21-22.5 (exports 21.3 by FAOSTAT and 21.28
	// by TDM, plus domestic); Russia ≈ 11.5-13; Belarus exports 10.5-12.2
	// (>10.5 Mt in 2019; Klaipeda's 10-11 Mt were about 90%).
	checks := []struct {
		name   string
		lo, hi float64
	}{
		{"Canada", 21, 22.5}, {"Russia", 11.5, 13}, {"Belarus", 11.3, 13}, {"China", 6, 7.5},
	}
	for _, c := range checks {
		v := res.SupplierTotals[index(res.Suppliers, c.name)].Value
		if v < c.lo || v > c.hi {
			t.Errorf("%s total %.3f Mt outside the documented [%g, %g]", c.name, v, c.lo, c.hi)
		}
	}
	if world < 65 || world > 70 {
		t.Errorf("world sales %.3f Mt outside [65, 70]", world)
	}
	// Non-agricultural use and stock change: a few percent, not more.
	if res.IndustrialScale < 1 || res.IndustrialScale > 1.08 {
		t.Errorf("industrial scale %.4f outside [1, 1.08]", res.IndustrialScale)
	}
	// The reported TDM flows survive RAS within a factor of 1.5 (the US
	// column is the largest correction: USGS consumption vs Canada's
	// product-weight exports).
	for _, row := range loadInputs(t).Shares {
		if row.Kind != "reported_mt" || row.Value < 1 {
			continue
		}
		i, r := index(res.Suppliers, row.Exporter), index(res.Regions, row.Region)
		if f := res.Flows[i][r] / row.Value; f < 1/1.5 || f > 1.5 {
			t.Errorf("%s→%s: balanced %.3f vs reported %.2f (ratio %.2f)", row.Exporter, row.Region, res.Flows[i][r], row.Value, f)
		}
	}
}

func TestRAS(t *testing.T) {
	for _, tc := range []struct {
		name       string
		prior      [][]float64
		rows, cols []float64
		want       [][]float64 // nil: check the margins only
		err        string
	}{
		{
			// Already balanced: unchanged.
			name: "balanced", prior: [][]float64{{1, 2}, {3, 4}}, rows: []float64{3, 7}, cols: []float64{4, 6},
			want: [][]float64{{1, 2}, {3, 4}},
		},
		{
			// Uniform prior, rank one: x = rows·cols/total.
			name: "uniform", prior: [][]float64{{1, 1}, {1, 1}}, rows: []float64{2, 8}, cols: []float64{4, 6},
			want: [][]float64{{0.8, 1.2}, {3.2, 4.8}},
		},
		{
			// Diagonal prior: only the identity pattern fits.
			name: "diagonal", prior: [][]float64{{1, 0}, {0, 5}}, rows: []float64{2, 3}, cols: []float64{2, 3},
			want: [][]float64{{2, 0}, {0, 3}},
		},
		{name: "margins", prior: [][]float64{{1, 2, 0}, {0, 1, 3}, {2, 0, 1}}, rows: []float64{5, 4, 3}, cols: []float64{2, 6, 4}},
		{name: "sums differ", prior: [][]float64{{1}}, rows: []float64{1}, cols: []float64{2}, err: "row totals sum"},
		{name: "zero row", prior: [][]float64{{0, 0}, {1, 1}}, rows: []float64{1, 1}, cols: []float64{1, 1}, err: "all-zero prior"},
		{name: "infeasible", prior: [][]float64{{1, 0}, {0, 1}}, rows: []float64{1, 2}, cols: []float64{2, 1}, err: "no convergence"},
		{name: "negative", prior: [][]float64{{-1}}, rows: []float64{1}, cols: []float64{1}, err: "holds -1"},
		{name: "ragged", prior: [][]float64{{1, 2}, {1}}, rows: []float64{3, 1}, cols: []float64{2, 2}, err: "columns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, _, err := RAS(tc.prior, tc.rows, tc.cols, 1e-12, 2000)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkMargins(t, x, tc.rows, tc.cols)
			for i := range tc.want {
				for r := range tc.want[i] {
					if !scalar.EqualWithinAbsOrRel(x[i][r], tc.want[i][r], 1e-10, 1e-10) {
						t.Errorf("x[%d][%d] = %g, want %g", i, r, x[i][r], tc.want[i][r])
					}
				}
			}
		})
	}
}

// TestRASRandom: on random positive priors and consistent random margins
// RAS converges and matches both margins; the result is biproportional to
// the prior (cross ratios x[i][r]·x[j][s]/(x[i][s]·x[j][r]) are kept).
func TestRASRandom(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n, m := 2+rnd.IntN(8), 2+rnd.IntN(6)
		prior := make([][]float64, n)
		rows, cols := make([]float64, n), make([]float64, m)
		var total float64
		for i := range prior {
			prior[i] = make([]float64, m)
			for r := range prior[i] {
				prior[i][r] = 0.01 + rnd.Float64()
			}
			rows[i] = 0.1 + 10*rnd.Float64()
			total += rows[i]
		}
		var cs float64
		for r := range cols {
			cols[r] = 0.1 + rnd.Float64()
			cs += cols[r]
		}
		for r := range cols {
			cols[r] *= total / cs
		}
		x, _, err := RAS(prior, rows, cols, 1e-13, 100000)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		checkMargins(t, x, rows, cols)
		cross := func(a [][]float64) float64 { return a[0][0] * a[1][1] / (a[0][1] * a[1][0]) }
		if !scalar.EqualWithinRel(cross(x), cross(prior), 1e-9) {
			t.Errorf("trial %d: cross ratio %g, prior %g", trial, cross(x), cross(prior))
		}
	}
}

func checkMargins(t *testing.T, x [][]float64, rows, cols []float64) {
	t.Helper()
	for i := range x {
		var s float64
		for _, v := range x[i] {
			s += v
		}
		if !scalar.EqualWithinAbsOrRel(s, rows[i], 1e-10, 1e-10) {
			t.Errorf("row %d sums to %g, want %g", i, s, rows[i])
		}
	}
	for r := range cols {
		var s float64
		for i := range x {
			s += x[i][r]
		}
		if !scalar.EqualWithinAbsOrRel(s, cols[r], 1e-10, 1e-10) {
			t.Errorf("column %d sums to %g, want %g", r, s, cols[r])
		}
	}
}

func TestReadSharesErrors(t *testing.T) {
	const head = "exporter,region,kind,value,source\n"
	for _, tc := range []struct{ name, csv, err string }{
		{"header", "a,b,c,d,e\n", "header"},
		{"exporter", head + "Narnia,Brazil,share_pct,100,x\n", "unknown exporter"},
		{"region", head + "Canada,Mars,share_pct,100,x\n", "unknown region"},
		{"kind", head + "Canada,Brazil,guess,100,x\n", "unknown kind"},
		{"value", head + "Canada,Brazil,share_pct,-1,x\n", "non-negative"},
		{"source", head + "Canada,Brazil,share_pct,1, \n", "empty source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadShares(strings.NewReader(tc.csv))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

// TestPriorErrors: shares that do not add up are rejected.
func TestPriorErrors(t *testing.T) {
	in := loadInputs(t)
	sup, dom, err := SupplierTotals(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func([]ShareRow) []ShareRow
		err  string
	}{
		{"shares not 100", func(s []ShareRow) []ShareRow {
			for k := range s {
				if s[k].Exporter == "Laos" && s[k].Region == "China" {
					s[k].Value = 50
				}
			}
			return s
		}, "Laos shares sum to 90%"},
		{"missing supplier", func(s []ShareRow) []ShareRow {
			var out []ShareRow
			for _, r := range s {
				if r.Exporter != "Chile" {
					out = append(out, r)
				}
			}
			return out
		}, "no destination shares for Chile"},
		{"uncovered without shares", func(s []ShareRow) []ShareRow {
			var out []ShareRow
			for _, r := range s {
				if !(r.Exporter == "Belarus" && r.Kind == "uncovered_pct") {
					out = append(out, r)
				}
			}
			return out
		}, "add uncovered_pct rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := *in
			c.Shares = tc.edit(append([]ShareRow(nil), in.Shares...))
			_, _, err := Prior(&c, sup, dom)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

// TestDatasetUpToDate: running the generator on the shipped dataset changes
// nothing, i.e. scenarios/data/base-2020.yaml holds exactly the flows the
// reference data give (rerun `go generate ./scenarios/` after changing them).
func TestDatasetUpToDate(t *testing.T) {
	res, err := Build(loadInputs(t))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../data/base-2020.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := UpdateMarketYAML(data, res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Fatal("scenarios/data/base-2020.yaml is stale: run go generate ./scenarios/")
	}
}

func TestUpdateMarketYAMLErrors(t *testing.T) {
	res, err := Build(loadInputs(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, yaml, err string }{
		{"no routes", "name: x\n", "no routes"},
		{"unknown", "routes:\n  - {from: Narnia, to: Brazil}\n", "unknown supplier"},
		{"no flow", "routes:\n  - {from: Laos, to: Brazil}\n", "no balanced flow"},
		{"missing route", "routes:\n  - {from: Laos, to: China, flow_mt: 1}\n", "is not in the dataset"},
		{"not a mapping", "- 1\n", "not a YAML mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := UpdateMarketYAML([]byte(tc.yaml), res)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
}

func ExampleRAS() {
	prior := [][]float64{{1, 1}, {1, 1}}
	x, _, _ := RAS(prior, []float64{2, 8}, []float64{4, 6}, 1e-12, 100)
	for _, row := range x {
		for _, v := range row {
			fmt.Printf(" %.1f", v)
		}
		fmt.Println()
	}
	// Output:
	//  0.8 1.2
	//  3.2 4.8
}
