package basedata

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Total is a row or column control total of the flow matrix, Mt KCl/yr,
// with how it was computed.
type Total struct {
	Name   string
	Value  float64
	Source string
}

// Result is the balanced flow estimate.
type Result struct {
	Suppliers, Regions []string
	SupplierTotals     []Total // row controls
	RegionTotals       []Total // column controls, after scaling to the supply total
	// IndustrialScale is the factor applied to the FAOSTAT agricultural-use
	// region totals (all regions but the United States, whose USGS figure
	// is total apparent consumption) so that they add up to the supply
	// total: the gap is non-agricultural use and stock change.
	IndustrialScale float64
	// Domestic is the domestic sales (Mt KCl/yr) of the suppliers whose
	// totals are exports plus domestic sales (Canada, Russia, Belarus):
	// part of their flow to Other, not exports.
	Domestic    map[string]float64
	Prior       [][]float64 // prior flows from the destination shares, Mt/yr
	PriorSource [][]string  // what each prior cell came from
	Flows       [][]float64 // RAS-balanced flows, Mt/yr
	Iterations  int         // RAS iterations (one row and one column pass each)
}

// Domestic sales of the three suppliers with destination data, which FAOSTAT
// export figures exclude, go to these regions (none of the three has a
// home region in the dataset: Canada, Russia and Belarus are in Other).
var domesticRegion = map[string]string{"Canada": "Other", "Russia": "Other", "Belarus": "Other"}

// faoName maps a dataset supplier name to its FAOSTAT country name.
var faoName = map[string]string{"Laos": "Lao People's Democratic Republic", "United States": "USA"}

func fao(name string) string {
	if n, ok := faoName[name]; ok {
		return n
	}
	return name
}

// SupplierTotals returns the row controls, Mt KCl/yr, and each supplier's
// domestic sales (Mt KCl/yr, part of its total) for the three suppliers
// whose totals are built from exports.
func SupplierTotals(in *Inputs) ([]Total, map[string]float64, error) {
	var out []Total
	dom := map[string]float64{}
	var errs []error
	get := func(c, m string) float64 {
		v, err := in.FAO.Get(c, Year, m)
		errs = append(errs, err)
		return v
	}
	for _, s := range Suppliers {
		switch s {
		case "Canada", "Russia", "Belarus":
			x, ag, im := get(s, Exports), get(s, AgUse), get(s, Imports)
			d := math.Max(0, ag-im)
			dom[s] = d / K2OPerKCl
			out = append(out, Total{s, (x + d) / K2OPerKCl, fmt.Sprintf(
				"faostat-2020: exports %.3f + agricultural use %.3f − imports %.3f Mt K2O, ÷ %.1f", x, ag, im, K2OPerKCl)})
		case "United States":
			out = append(out, Total{s, in.USGS.USSales / K2OPerKCl, fmt.Sprintf(
				"usgs-mcs2025: US marketable potash sales 2020 %.3f Mt K2O ÷ %.1f (FAOSTAT production omits part of US output)", in.USGS.USSales, K2OPerKCl)})
		case "Other":
			es, br := get("Spain", Production), get("Brazil", Production)
			o := in.USGS.OtherCountries2023
			out = append(out, Total{s, (es + br + o) / K2OPerKCl, fmt.Sprintf(
				"faostat-2020 production Spain %.3f + Brazil %.3f, usgs-mcs2025 'Other Countries' 2023 %.3f (proxy for 2020) Mt K2O, ÷ %.1f", es, br, o, K2OPerKCl)})
		default:
			p := get(fao(s), Production)
			out = append(out, Total{s, p / K2OPerKCl, fmt.Sprintf("faostat-2020: production %.3f Mt K2O ÷ %.1f", p, K2OPerKCl)})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return out, dom, nil
}

// RegionTotals returns the column controls, Mt KCl/yr, scaled so they sum
// to supply (the sum of the row controls), and the scale factor.
func RegionTotals(in *Inputs, supply float64) ([]Total, float64, error) {
	ag := func(c string) (float64, error) { return in.FAO.Get(c, Year, AgUse) }
	vals := map[string]float64{}
	src := map[string]string{}
	var errs []error
	must := func(c string) float64 {
		v, err := ag(c)
		errs = append(errs, err)
		return v
	}
	world, usaAg := must("World"), must("USA")
	for _, c := range []string{"Brazil", "China", "India"} {
		vals[c] = must(c)
		src[c] = fmt.Sprintf("faostat-2020: agricultural use %.3f Mt K2O", vals[c])
	}
	vals["Southeast Asia"] = must("South-eastern Asia")
	src["Southeast Asia"] = fmt.Sprintf("faostat-2020: agricultural use of South-eastern Asia %.3f Mt K2O", vals["Southeast Asia"])
	eu, ru, by := must("Europe"), must("Russia"), must("Belarus")
	vals["Europe"] = eu - ru - by
	src["Europe"] = fmt.Sprintf("faostat-2020: agricultural use of Europe %.3f − Russia %.3f − Belarus %.3f Mt K2O", eu, ru, by)
	named := vals["Brazil"] + vals["China"] + vals["India"] + vals["Southeast Asia"] + eu + usaAg
	vals["Other"] = world - named + ru + by
	src["Other"] = fmt.Sprintf("faostat-2020: world agricultural use %.3f − the named regions (US %.3f, Europe incl. Russia and Belarus) + Russia + Belarus Mt K2O", world, usaAg)
	if err := errors.Join(errs...); err != nil {
		return nil, 0, err
	}
	us := in.USGS.USConsumption / K2OPerKCl
	var rest float64
	for _, r := range Regions {
		if r != "United States" {
			rest += vals[r] / K2OPerKCl
		}
	}
	scale := (supply - us) / rest
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, 0, fmt.Errorf("region totals: scale %g not positive", scale)
	}
	var out []Total
	for _, r := range Regions {
		if r == "United States" {
			out = append(out, Total{r, us, fmt.Sprintf("usgs-mcs2025: US apparent consumption 2020 %.3f Mt K2O ÷ %.1f (includes industrial use)", in.USGS.USConsumption, K2OPerKCl)})
			continue
		}
		out = append(out, Total{r, vals[r] / K2OPerKCl * scale, fmt.Sprintf("%s, ÷ %.1f, × %.4f (non-agricultural use and stock change: scaled to the supply total)", src[r], K2OPerKCl, scale)})
	}
	return out, scale, nil
}

// Prior builds the prior flow matrix from the destination shares.
func Prior(in *Inputs, supTotals []Total, domestic map[string]float64) ([][]float64, [][]string, error) {
	nS, nR := len(Suppliers), len(Regions)
	prior := make([][]float64, nS)
	srcs := make([][]string, nS)
	for i := range prior {
		prior[i] = make([]float64, nR)
		srcs[i] = make([]string, nR)
	}
	add := func(i, r int, v float64, s string) {
		prior[i][r] += v
		if srcs[i][r] != "" {
			srcs[i][r] += "; "
		}
		srcs[i][r] += s
	}
	for i, s := range Suppliers {
		var reported, uncoveredPct, sharePct float64
		var rows []ShareRow
		for _, row := range in.Shares {
			if row.Exporter != s {
				continue
			}
			rows = append(rows, row)
			switch row.Kind {
			case "reported_mt":
				reported += row.Value
			case "uncovered_pct":
				uncoveredPct += row.Value
			case "share_pct":
				sharePct += row.Value
			}
		}
		if len(rows) == 0 {
			return nil, nil, fmt.Errorf("prior: no destination shares for %s", s)
		}
		total := supTotals[i].Value
		if sharePct > 0 {
			if reported > 0 || uncoveredPct > 0 {
				return nil, nil, fmt.Errorf("prior: %s mixes share_pct with reported rows", s)
			}
			if math.Abs(sharePct-100) > 1e-9 {
				return nil, nil, fmt.Errorf("prior: %s shares sum to %g%%, want 100", s, sharePct)
			}
			for _, row := range rows {
				add(i, index(Regions, row.Region), total*row.Value/100,
					fmt.Sprintf("%g%% of %.3f Mt (%s)", row.Value, total, row.Source))
			}
			continue
		}
		d := domestic[s]
		exports := total - d
		uncovered := exports - reported
		if uncovered < 0 {
			return nil, nil, fmt.Errorf("prior: %s reported destinations %.3f Mt exceed exports %.3f Mt", s, reported, exports)
		}
		// Reporters covering all but a sliver of the exports (Canada: its own
		// customs data) need no uncovered shares: RAS rescales the row.
		if uncoveredPct == 0 && uncovered > 0.05*exports {
			return nil, nil, fmt.Errorf("prior: %s reported destinations cover %.3f of %.3f Mt of exports: add uncovered_pct rows", s, reported, exports)
		}
		if uncoveredPct != 0 && math.Abs(uncoveredPct-100) > 1e-9 {
			return nil, nil, fmt.Errorf("prior: %s uncovered shares sum to %g%%, want 100", s, uncoveredPct)
		}
		for _, row := range rows {
			r := index(Regions, row.Region)
			switch row.Kind {
			case "reported_mt":
				add(i, r, row.Value, fmt.Sprintf("%.2f Mt (%s)", row.Value, row.Source))
			case "uncovered_pct":
				add(i, r, uncovered*row.Value/100, fmt.Sprintf("%g%% of the %.3f Mt of exports the reporters do not cover (%s)", row.Value, uncovered, row.Source))
			}
		}
		if d > 0 {
			add(i, index(Regions, domesticRegion[s]), d, fmt.Sprintf("domestic sales %.3f Mt (faostat-2020 agricultural use − imports, ÷ %.1f)", d, K2OPerKCl))
		}
	}
	return prior, srcs, nil
}

// RAS scales prior biproportionally, x[i][r] = a[i]·prior[i][r]·b[r], so
// that row sums equal rows and column sums equal cols (which must have the
// same sum), to relative tolerance tol. It returns the balanced matrix and
// the number of iterations; it fails if the structure of zeros makes the
// totals unreachable within maxIter iterations.
func RAS(prior [][]float64, rows, cols []float64, tol float64, maxIter int) ([][]float64, int, error) {
	nS, nR := len(rows), len(cols)
	if len(prior) != nS {
		return nil, 0, fmt.Errorf("ras: prior has %d rows, want %d", len(prior), nS)
	}
	var sr, sc float64
	for _, v := range rows {
		sr += v
	}
	for _, v := range cols {
		sc += v
	}
	if math.Abs(sr-sc) > tol*sr {
		return nil, 0, fmt.Errorf("ras: row totals sum to %g, column totals to %g", sr, sc)
	}
	x := make([][]float64, nS)
	for i := range prior {
		if len(prior[i]) != nR {
			return nil, 0, fmt.Errorf("ras: prior row %d has %d columns, want %d", i, len(prior[i]), nR)
		}
		for _, v := range prior[i] {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("ras: prior row %d holds %g", i, v)
			}
		}
		x[i] = append([]float64(nil), prior[i]...)
	}
	for it := 1; it <= maxIter; it++ {
		for i := range x {
			var s float64
			for _, v := range x[i] {
				s += v
			}
			if s == 0 {
				if rows[i] == 0 {
					continue
				}
				return nil, it, fmt.Errorf("ras: row %d has an all-zero prior but total %g", i, rows[i])
			}
			for r := range x[i] {
				x[i][r] *= rows[i] / s
			}
		}
		worst := 0.0
		for r := 0; r < nR; r++ {
			var s float64
			for i := range x {
				s += x[i][r]
			}
			if s == 0 {
				if cols[r] == 0 {
					continue
				}
				return nil, it, fmt.Errorf("ras: column %d has an all-zero prior but total %g", r, cols[r])
			}
			for i := range x {
				x[i][r] *= cols[r] / s
			}
		}
		for i := range x {
			var s float64
			for _, v := range x[i] {
				s += v
			}
			if rows[i] > 0 {
				worst = math.Max(worst, math.Abs(s-rows[i])/rows[i])
			}
		}
		if worst <= tol {
			return x, it, nil
		}
	}
	return nil, maxIter, fmt.Errorf("ras: no convergence in %d iterations", maxIter)
}

// Build computes the balanced flows from in.
func Build(in *Inputs) (*Result, error) {
	sup, dom, err := SupplierTotals(in)
	if err != nil {
		return nil, err
	}
	var supply float64
	for _, t := range sup {
		supply += t.Value
	}
	reg, scale, err := RegionTotals(in, supply)
	if err != nil {
		return nil, err
	}
	prior, psrc, err := Prior(in, sup, dom)
	if err != nil {
		return nil, err
	}
	rows := make([]float64, len(sup))
	for i, t := range sup {
		rows[i] = t.Value
	}
	cols := make([]float64, len(reg))
	for r, t := range reg {
		cols[r] = t.Value
	}
	flows, it, err := RAS(prior, rows, cols, 1e-13, 100000)
	if err != nil {
		return nil, err
	}
	return &Result{
		Suppliers: Suppliers, Regions: Regions,
		SupplierTotals: sup, RegionTotals: reg, IndustrialScale: scale, Domestic: dom,
		Prior: prior, PriorSource: psrc, Flows: flows, Iterations: it,
	}, nil
}

// FlowSource is the source text written next to flow i→r in the dataset.
func (res *Result) FlowSource(i, r int) string {
	return fmt.Sprintf("estimated: RAS-balanced estimate of the 2020 flow (scenarios/internal/basedata, docs/DATA.md); prior %.3f Mt = %s; row total %s %.3f Mt = %s; column total %s %.3f Mt = %s",
		res.Prior[i][r], res.PriorSource[i][r],
		res.Suppliers[i], res.SupplierTotals[i].Value, res.SupplierTotals[i].Source,
		res.Regions[r], res.RegionTotals[r].Value, res.RegionTotals[r].Source)
}

// WriteCSV writes the totals, prior and balanced flows as CSV (the golden
// file of the generator's tests).
func (res *Result) WriteCSV(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "kind,supplier,region,value_mt\n")
	for _, t := range res.SupplierTotals {
		fmt.Fprintf(&b, "supplier_total,%s,,%.9f\n", t.Name, t.Value)
	}
	for _, t := range res.RegionTotals {
		fmt.Fprintf(&b, "region_total,,%s,%.9f\n", t.Name, t.Value)
	}
	for i, s := range res.Suppliers {
		for r, g := range res.Regions {
			if res.Prior[i][r] == 0 && res.Flows[i][r] == 0 {
				continue
			}
			fmt.Fprintf(&b, "prior,%s,%s,%.9f\n", s, g, res.Prior[i][r])
			fmt.Fprintf(&b, "flow,%s,%s,%.9f\n", s, g, res.Flows[i][r])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
