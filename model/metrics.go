package model

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// metricKind is what a headline metric summarises.
type metricKind int

const (
	mkBenchChange     metricKind = iota // mean Δ benchmark price
	mkBench                             // mean benchmark price level
	mkBenchPct                          // 100·ΣΔ/Σcf benchmark price
	mkWorldTonnes                       // mean Δ tonnes bought, all regions
	mkWorldCS                           // cumulative Δ consumer surplus, all regions
	mkWorldPS                           // cumulative Δ producer surplus, all suppliers
	mkWorldGov                          // cumulative Δ tariff and export-tax revenue
	mkWorldTRQ                          // cumulative Δ tariff-rate quota rents
	mkWorldRisk                         // cumulative Δ risk costs borne by buyers
	mkWelfare                           // cumulative Δ world welfare
	mkMarketValue                       // cumulative CFR value of world sales, counterfactual
	mkPriceChange                       // mean Δ price paid per tonne in region
	mkTonnesChange                      // mean Δ tonnes bought by region
	mkImportBill                        // cumulative Δ import bill of region
	mkConsumerSurplus                   // cumulative Δ consumer surplus of region
	mkTariffRevenue                     // cumulative Δ tariff revenue of region
	mkTRQRent                           // cumulative Δ tariff-rate quota rent of region
	mkRiskCost                          // cumulative Δ risk cost borne by region's buyers
	mkConcessionRecv                    // cumulative Δ concessions received by region's buyers
	mkNetbackChange                     // cumulative Δ netback revenue of supplier
	mkNetback                           // cumulative netback revenue level of supplier
	mkRevenueChange                     // cumulative Δ FOB export revenue of supplier
	mkRevenue                           // cumulative FOB export revenue level of supplier
	mkExportsChange                     // mean Δ exports of supplier
	mkFOBChange                         // mean Δ FOB price received by supplier
	mkProducerSurplus                   // cumulative Δ producer surplus of supplier
	mkShareChange                       // mean Δ share of world exports, percentage points
	mkExportTax                         // cumulative Δ export tax revenue of supplier's government
	mkConcessionPaid                    // cumulative Δ concessions granted by supplier
)

type metricDef struct {
	Metric
	kind metricKind
	idx  int
}

// metricDefs lists the headline metrics of a market, in output order.
// Names are stable API (CLI --metric, plots, serve).
func metricDefs(m *Market) []metricDef {
	bench := max(0, m.RegionIndex(m.Benchmark)) // the benchmark region (its trade is checked)
	d := []metricDef{
		{Metric{Name: "benchmark_price_change", Unit: "$/t", Doc: "mean change in the benchmark price (average CFR transaction price in the benchmark region) over the report window"}, mkBenchChange, bench},
		{Metric{Name: "benchmark_price_change_pct", Unit: "%", Doc: "change in the benchmark price over the report window, percent of the counterfactual's mean"}, mkBenchPct, bench},
		{Metric{Name: "benchmark_price", Unit: "$/t", Doc: "mean benchmark price over the report window (scenario level)"}, mkBench, bench},
		{Metric{Name: "tonnes_change", Unit: "Mt/yr", Doc: "mean change in the tonnes of potash bought, all regions, over the report window"}, mkWorldTonnes, 0},
		{Metric{Name: "consumer_surplus_change", Unit: "$M", Doc: "cumulative change in consumer surplus of all regions over the report window, scenario minus counterfactual (each month's difference at annual rates, /12): the area left of each region's long-run demand curve between the two paths' price indexes; not a change from the base year (its reference price cancels)"}, mkWorldCS, 0},
		{Metric{Name: "producer_surplus_change", Unit: "$M", Doc: "cumulative change in producer surplus of all suppliers over the report window, scenario minus counterfactual (each month's difference at annual rates, /12): netback revenue less export tax less the long-run variable mine cost; not a change from the base year (its base-year surplus cancels)"}, mkWorldPS, 0},
		{Metric{Name: "government_revenue_change", Unit: "$M", Doc: "cumulative change in import tariffs (tariff-rate quotas' own rates included) and export taxes collected by governments over the report window, scenario minus counterfactual"}, mkWorldGov, 0},
		{Metric{Name: "quota_rent_change", Unit: "$M", Doc: "cumulative change in tariff-rate quota rents kept by importers over the report window, scenario minus counterfactual"}, mkWorldTRQ, 0},
		{Metric{Name: "risk_cost_change", Unit: "$M", Doc: "cumulative change in the risk costs buyers bear (a deadweight loss, already inside consumer surplus) over the report window, scenario minus counterfactual"}, mkWorldRisk, 0},
		{Metric{Name: "welfare_change", Unit: "$M", Doc: "cumulative change in world welfare over the report window, scenario minus counterfactual: the sum of the changes in consumer surplus, producer surplus, government revenue (tariffs and export taxes) and tariff-rate quota rents"}, mkWelfare, 0},
		{Metric{Name: "market_value", Unit: "$M", Doc: "cumulative value of world potash purchases at delivered prices over the report window, the larger of scenario and counterfactual each month: the scale no change in revenue or welfare can exceed"}, mkMarketValue, 0},
	}
	for i, s := range m.Suppliers {
		n := s.Name
		d = append(d,
			metricDef{Metric{Name: "netback_revenue_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s mine netback revenue (FOB revenue on all its sales, home and export, less logistics costs) over the report window"}, mkNetbackChange, i},
			metricDef{Metric{Name: "netback_revenue." + n, Unit: "$M", Doc: "cumulative mine netback revenue of " + n + " over the report window (scenario level)"}, mkNetback, i},
			metricDef{Metric{Name: "revenue_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s FOB export revenue over the report window"}, mkRevenueChange, i},
			metricDef{Metric{Name: "revenue." + n, Unit: "$M", Doc: "cumulative FOB export revenue of " + n + " over the report window (scenario level)"}, mkRevenue, i},
			metricDef{Metric{Name: "exports_change." + n, Unit: "Mt/yr", Doc: "mean change in " + n + "'s exports over the report window"}, mkExportsChange, i},
			metricDef{Metric{Name: "fob_price_change." + n, Unit: "$/t", Doc: "mean change in the FOB price " + n + " receives over the report window"}, mkFOBChange, i},
			metricDef{Metric{Name: "market_share_change." + n, Unit: "pp", Doc: "mean change in " + n + "'s share of world exports over the report window, percentage points"}, mkShareChange, i},
			metricDef{Metric{Name: "producer_surplus_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s producer surplus (netback revenue less export tax less the long-run variable mine cost) over the report window, scenario minus counterfactual; not a change from the base year"}, mkProducerSurplus, i},
			metricDef{Metric{Name: "export_tax_change." + n, Unit: "$M", Doc: "cumulative change in the export tax " + n + "'s government collects over the report window"}, mkExportTax, i},
			metricDef{Metric{Name: "concession_paid_change." + n, Unit: "$M", Doc: "cumulative change in the price concessions " + n + " grants to buyers over the report window"}, mkConcessionPaid, i},
		)
	}
	for r, g := range m.Regions {
		n := g.Name
		d = append(d,
			metricDef{Metric{Name: "price_change." + n, Unit: "$/t", Doc: "mean change in the price " + n + "'s buyers pay per tonne over the report window"}, mkPriceChange, r},
			metricDef{Metric{Name: "tonnes_change." + n, Unit: "Mt/yr", Doc: "mean change in the tonnes " + n + " buys over the report window"}, mkTonnesChange, r},
			metricDef{Metric{Name: "import_bill_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s import bill (CFR) over the report window"}, mkImportBill, r},
			metricDef{Metric{Name: "consumer_surplus_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s consumer surplus (on its long-run demand curve) over the report window, scenario minus counterfactual; not a change from the base year"}, mkConsumerSurplus, r},
			metricDef{Metric{Name: "tariff_revenue_change." + n, Unit: "$M", Doc: "cumulative change in the import tariffs " + n + "'s government collects over the report window, scenario minus counterfactual"}, mkTariffRevenue, r},
			metricDef{Metric{Name: "trq_rent_change." + n, Unit: "$M", Doc: "cumulative change in the tariff-rate quota rent kept by " + n + "'s importers over the report window, scenario minus counterfactual"}, mkTRQRent, r},
			metricDef{Metric{Name: "risk_cost_change." + n, Unit: "$M", Doc: "cumulative change in the risk costs " + n + "'s buyers bear over the report window, scenario minus counterfactual"}, mkRiskCost, r},
			metricDef{Metric{Name: "concession_received_change." + n, Unit: "$M", Doc: "cumulative change in the price concessions " + n + "'s buyers receive over the report window"}, mkConcessionRecv, r},
		)
	}
	return d
}

// MetricList returns the headline metrics available for market m (with
// zero values), in output order: world metrics, then per supplier, then
// per region. Names are stable API.
func MetricList(m *Market) []Metric {
	defs := metricDefs(m)
	out := make([]Metric, len(defs))
	for k := range defs {
		out[k] = defs[k].Metric
	}
	return out
}

// metricIndex returns the positions of names in defs, or an error naming
// an unknown metric with the closest known names.
func metricIndex(defs []metricDef, names []string) ([]int, error) {
	pos := make(map[string]int, len(defs))
	for k := range defs {
		pos[defs[k].Name] = k
	}
	idx := make([]int, len(names))
	for j, n := range names {
		k, ok := pos[n]
		if !ok {
			return nil, &FieldError{Msg: fmt.Sprintf("unknown metric %q; known metrics include %s", n, suggestMetrics(defs, n)), Kind: ErrUnknownMetric}
		}
		idx[j] = k
	}
	return idx, nil
}

func suggestMetrics(defs []metricDef, n string) string {
	stem, _, _ := strings.Cut(n, ".")
	var out []string
	for _, d := range defs {
		if strings.HasPrefix(d.Name, stem) {
			out = append(out, d.Name)
		}
	}
	if len(out) == 0 || len(out) > 12 {
		out = out[:0]
		seen := map[string]bool{}
		for _, d := range defs {
			s, _, _ := strings.Cut(d.Name, ".")
			if !seen[s] {
				seen[s] = true
				if s != d.Name {
					s += ".NAME"
				}
				out = append(out, s)
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// metricAcc accumulates the headline metrics month by month over the
// report window without storing the months (Monte Carlo uses it per draw).
// A price metric counts only the months in which its region trades (in
// both paths for a change, in the scenario for a level): a region with no
// supplier has no price (docs/MODEL.md, section 6).
type metricAcc struct {
	defs []metricDef
	sum  []float64
	cf   []float64 // counterfactual sums where a metric needs them
	cnt  []int     // months counted per metric
	n    int
	// groups are the defs by kind, kinds in the order of their first
	// def: add takes each kind's fields once, then adds its defs.
	groups []metricGroup
}

// metricGroup is the defs of one kind: their places k in defs and
// their entities (metricDef.idx).
type metricGroup struct {
	kind metricKind
	at   []metricAt
}

type metricAt struct{ k, i int }

func newMetricAcc(defs []metricDef) *metricAcc {
	a := &metricAcc{defs: defs, sum: make([]float64, len(defs)), cf: make([]float64, len(defs)), cnt: make([]int, len(defs))}
	for k := range defs {
		g := slices.IndexFunc(a.groups, func(g metricGroup) bool { return g.kind == defs[k].kind })
		if g < 0 {
			g = len(a.groups)
			a.groups = append(a.groups, metricGroup{kind: defs[k].kind})
		}
		a.groups[g].at = append(a.groups[g].at, metricAt{k, defs[k].idx})
	}
	return a
}

func (a *metricAcc) reset() {
	clear(a.sum)
	clear(a.cf)
	clear(a.cnt)
	a.n = 0
}

// add adds one month of the report window: ss the scenario's solution,
// cs the counterfactual's. Each metric's sum gets the month's value v
// (sum += v, and its month counted) unless its region does not trade: a
// price change counts only months in which the region trades in both
// paths, a price level those in which it trades in the scenario.
func (a *metricAcc) add(ss, cs *Solution) {
	a.n++
	for g := range a.groups {
		at := a.groups[g].at
		switch a.groups[g].kind {
		case mkBenchChange, mkBenchPct:
			for _, p := range at {
				if ss.Traded[p.i] && cs.Traded[p.i] {
					a.addAt(p.k, ss.Benchmark-cs.Benchmark)
					if a.groups[g].kind == mkBenchPct {
						a.cf[p.k] += cs.Benchmark
					}
				}
			}
		case mkBench:
			for _, p := range at {
				if ss.Traded[p.i] {
					a.addAt(p.k, ss.Benchmark)
				}
			}
		case mkPriceChange:
			for _, p := range at {
				if ss.Traded[p.i] && cs.Traded[p.i] {
					a.addAt(p.k, ss.PricePaid[p.i]-cs.PricePaid[p.i])
				}
			}
		case mkWorldTonnes:
			a.addAll(at, sumDiff(ss.Tonnes, cs.Tonnes))
		case mkWorldCS:
			a.addAll(at, sumDiff(ss.ConsumerSurplus, cs.ConsumerSurplus))
		case mkWorldPS:
			a.addAll(at, sumDiff(ss.ProducerSurplus, cs.ProducerSurplus))
		case mkWorldGov:
			a.addAll(at, sumDiff(ss.TariffRevenue, cs.TariffRevenue)+sumDiff(ss.ExportTax, cs.ExportTax))
		case mkWorldTRQ:
			a.addAll(at, sumDiff(ss.TRQRent, cs.TRQRent))
		case mkWorldRisk:
			a.addAll(at, sumDiff(ss.RiskCost, cs.RiskCost))
		case mkWelfare:
			a.addAll(at, welfareDiff(ss, cs))
		case mkMarketValue:
			a.addAll(at, max(spending(ss), spending(cs)))
		case mkTonnesChange:
			a.addDiff(at, ss.Tonnes, cs.Tonnes)
		case mkImportBill:
			a.addDiff(at, ss.ImportBill, cs.ImportBill)
		case mkConsumerSurplus:
			a.addDiff(at, ss.ConsumerSurplus, cs.ConsumerSurplus)
		case mkTariffRevenue:
			a.addDiff(at, ss.TariffRevenue, cs.TariffRevenue)
		case mkTRQRent:
			a.addDiff(at, ss.TRQRent, cs.TRQRent)
		case mkRiskCost:
			a.addDiff(at, ss.RiskCost, cs.RiskCost)
		case mkConcessionRecv:
			a.addDiff(at, ss.ConcessionReceived, cs.ConcessionReceived)
		case mkNetbackChange:
			a.addDiff(at, ss.NetbackRevenue, cs.NetbackRevenue)
		case mkNetback:
			a.addLevel(at, ss.NetbackRevenue)
		case mkRevenueChange:
			a.addDiff(at, ss.ExportRev, cs.ExportRev)
		case mkRevenue:
			a.addLevel(at, ss.ExportRev)
		case mkExportsChange:
			a.addDiff(at, ss.Exports, cs.Exports)
		case mkFOBChange:
			a.addDiff(at, ss.FOBReceived, cs.FOBReceived)
		case mkProducerSurplus:
			a.addDiff(at, ss.ProducerSurplus, cs.ProducerSurplus)
		case mkExportTax:
			a.addDiff(at, ss.ExportTax, cs.ExportTax)
		case mkConcessionPaid:
			a.addDiff(at, ss.ConcessionPaid, cs.ConcessionPaid)
		case mkShareChange:
			var sx, cx float64 // world exports
			for j := range ss.Exports {
				sx += ss.Exports[j]
				cx += cs.Exports[j]
			}
			for _, p := range at {
				var s, c float64
				if sx > 0 {
					s = ss.Exports[p.i] / sx
				}
				if cx > 0 {
					c = cs.Exports[p.i] / cx
				}
				a.addAt(p.k, 100*(s-c))
			}
		default: // every kind has a case
			a.addAll(at, 0)
		}
	}
}

// addAt adds the month's value v of metric k.
func (a *metricAcc) addAt(k int, v float64) {
	a.cnt[k]++
	a.sum[k] += v
}

// addAll adds the month's value v of every metric of at.
func (a *metricAcc) addAll(at []metricAt, v float64) {
	for _, p := range at {
		a.addAt(p.k, v)
	}
}

// addDiff adds x[i] − y[i] for each metric (k, i) of at.
func (a *metricAcc) addDiff(at []metricAt, x, y []float64) {
	for _, p := range at {
		a.addAt(p.k, x[p.i]-y[p.i])
	}
}

// addLevel adds x[i] for each metric (k, i) of at.
func (a *metricAcc) addLevel(at []metricAt, x []float64) {
	for _, p := range at {
		a.addAt(p.k, x[p.i])
	}
}

// spending is what buyers spend on potash in a month, Σ_r P·Q at
// effective delivered prices (duties, quota premia and risk costs
// included), $M/yr.
func spending(s *Solution) float64 {
	var v float64
	for r, P := range s.PriceIndex {
		v += P * s.Demand[r]
	}
	return v
}

// sumDiff returns Σ a − Σ b.
func sumDiff(a, b []float64) float64 {
	var v float64
	for j := range a {
		v += a[j] - b[j]
	}
	return v
}

// welfareDiff is the month's change in world welfare, $M/yr: consumer
// surplus (risk costs and concessions received are inside it), producer
// surplus (concessions granted, export taxes paid and every rent of the
// producers inside it), the governments' tariff and export-tax revenue,
// and the importers' quota rents (docs/MODEL.md, section 6).
func welfareDiff(ss, cs *Solution) float64 {
	return sumDiff(ss.ConsumerSurplus, cs.ConsumerSurplus) + sumDiff(ss.ProducerSurplus, cs.ProducerSurplus) +
		sumDiff(ss.TariffRevenue, cs.TariffRevenue) + sumDiff(ss.ExportTax, cs.ExportTax) + sumDiff(ss.TRQRent, cs.TRQRent)
}

// values writes the metrics into out: means for $/t, Mt/yr, pp and the
// level; Σ value/12 (a monthly step of an annual rate) for $M totals.
func (a *metricAcc) values(out []float64) {
	for k := range a.defs {
		if a.cnt[k] == 0 {
			out[k] = 0 // no month of the window has a value (Metric.Missing)
			continue
		}
		switch a.defs[k].kind {
		case mkBenchPct:
			if a.cf[k] != 0 {
				out[k] = 100 * a.sum[k] / a.cf[k]
			} else {
				out[k] = 0
			}
		default:
			if a.defs[k].Unit == "$M" {
				out[k] = a.sum[k] / 12
			} else {
				out[k] = a.sum[k] / float64(a.cnt[k])
			}
		}
	}
}

// bounded reports whether metric def d is a change of money that the
// market's value bounds: every $M metric but the market value itself and
// the revenue levels.
func (d *metricDef) bounded() bool {
	switch d.kind {
	case mkMarketValue, mkNetback, mkRevenue:
		return false
	}
	return d.Unit == "$M"
}

// checkBounds returns an error naming the first metric in vals (in the
// order of defs) whose size exceeds the market value over the window, or
// that is not finite.
func checkBounds(defs []metricDef, vals []float64) error {
	mv := math.NaN()
	for k := range defs {
		if defs[k].kind == mkMarketValue {
			mv = vals[k]
		}
	}
	for k := range defs {
		v := vals[k]
		if !finite(v) {
			return fmt.Errorf("metric %s is not a finite number (%v)", defs[k].Name, v)
		}
		if defs[k].bounded() && finite(mv) && math.Abs(v) > mv*(1+1e-9) {
			return fmt.Errorf("%s = %.4g $M exceeds the value of every purchase of potash over the window (%.4g $M): a welfare or revenue change the model cannot stand behind", defs[k].Name, v, mv)
		}
	}
	return nil
}

// CheckMetrics returns an error when a headline metric of ms (from
// Metrics) is not finite, or is a change in money — welfare, revenue, a
// bill, a rent — larger than market_value, the value of every purchase of
// potash over the window: a number the model cannot stand behind is a
// failure to report, not a result (docs/MODEL.md, section 6). Metrics are
// found by name; without market_value only finiteness is checked.
func CheckMetrics(ms []Metric) error {
	mv := math.NaN()
	for _, mt := range ms {
		if mt.Name == "market_value" {
			mv = mt.Value
		}
	}
	for _, mt := range ms {
		if !finite(mt.Value) {
			return fmt.Errorf("metric %s is not a finite number (%v)", mt.Name, mt.Value)
		}
		levels := mt.Name == "market_value" || strings.HasPrefix(mt.Name, "revenue.") || strings.HasPrefix(mt.Name, "netback_revenue.")
		if mt.Unit == "$M" && !levels && finite(mv) && math.Abs(mt.Value) > mv*(1+1e-9) {
			return fmt.Errorf("%s = %.4g $M exceeds the value of every purchase of potash over the window (%.4g $M): a welfare or revenue change the model cannot stand behind", mt.Name, mt.Value, mv)
		}
	}
	return nil
}

// missing reports whether metric k had no month with a value.
func (a *metricAcc) missing(k int) bool { return a.cnt[k] == 0 }

// reportFrom returns the index of the first month of spec's report window.
func reportFrom(spec *Spec) int {
	if spec.ReportStart == 0 || spec.ReportStart < spec.Start {
		return 0
	}
	return int(spec.ReportStart - spec.Start)
}

// Metrics computes the headline metrics of run over the report window
// (Spec.ReportStart..Spec.End of the scenario), in the order of
// MetricList (docs/MODEL.md, section 8, defines each): $/t, Mt/yr and pp
// metrics are means over the window's months; $M metrics are cumulative
// totals (a monthly step of an annual rate adds value/12).
func Metrics(run *Run) []Metric {
	if run == nil || run.Scenario == nil || run.Counterfactual == nil {
		return nil
	}
	s, c := run.Scenario, run.Counterfactual
	defs := metricDefs(s.Cal.Market)
	acc := newMetricAcc(defs)
	for k := reportFrom(s.Spec); k < len(s.Sol) && k < len(c.Sol); k++ {
		acc.add(s.Sol[k], c.Sol[k])
	}
	vals := make([]float64, len(defs))
	acc.values(vals)
	out := make([]Metric, len(defs))
	for k := range defs {
		out[k] = defs[k].Metric
		out[k].Value = vals[k]
		out[k].Missing = acc.missing(k)
	}
	return out
}

// MetricValue returns the metric called name from ms.
func MetricValue(ms []Metric, name string) (Metric, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}
