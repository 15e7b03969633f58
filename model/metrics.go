package model

import (
	"fmt"
	"sort"
	"strings"
)

// metricKind is what a headline metric summarises.
type metricKind int

const (
	mkBenchChange     metricKind = iota // mean Δ benchmark price
	mkBench                             // mean benchmark price level
	mkBenchPct                          // 100·ΣΔ/Σcf benchmark price
	mkWorldCS                           // cumulative Δ consumer surplus, all regions
	mkPriceChange                       // mean Δ price index of region
	mkDemandChange                      // mean Δ demand of region
	mkImportBill                        // cumulative Δ import bill of region
	mkConsumerSurplus                   // cumulative Δ consumer surplus of region
	mkRevenueChange                     // cumulative Δ FOB export revenue of supplier
	mkRevenue                           // cumulative FOB export revenue level of supplier
	mkExportsChange                     // mean Δ exports of supplier
	mkFOBChange                         // mean Δ FOB price of supplier
	mkProducerSurplus                   // cumulative Δ producer surplus of supplier
	mkShareChange                       // mean Δ share of world exports, percentage points
	mkTRQRent                           // cumulative Δ tariff-rate quota rent of region
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
		{Metric{Name: "benchmark_price_change", Unit: "$/t", Doc: "mean change in the benchmark price over the report window"}, mkBenchChange, bench},
		{Metric{Name: "benchmark_price_change_pct", Unit: "%", Doc: "change in the benchmark price over the report window, percent of the counterfactual's mean"}, mkBenchPct, bench},
		{Metric{Name: "benchmark_price", Unit: "$/t", Doc: "mean benchmark price over the report window (scenario level)"}, mkBench, bench},
		{Metric{Name: "consumer_surplus_change", Unit: "$M", Doc: "cumulative change in consumer surplus of all regions over the report window"}, mkWorldCS, 0},
	}
	for i, s := range m.Suppliers {
		n := s.Name
		d = append(d,
			metricDef{Metric{Name: "revenue_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s FOB export revenue over the report window"}, mkRevenueChange, i},
			metricDef{Metric{Name: "revenue." + n, Unit: "$M", Doc: "cumulative FOB export revenue of " + n + " over the report window (scenario level)"}, mkRevenue, i},
			metricDef{Metric{Name: "exports_change." + n, Unit: "Mt/yr", Doc: "mean change in " + n + "'s exports over the report window"}, mkExportsChange, i},
			metricDef{Metric{Name: "fob_price_change." + n, Unit: "$/t", Doc: "mean change in " + n + "'s FOB price over the report window"}, mkFOBChange, i},
			metricDef{Metric{Name: "market_share_change." + n, Unit: "pp", Doc: "mean change in " + n + "'s share of world exports over the report window, percentage points"}, mkShareChange, i},
			metricDef{Metric{Name: "producer_surplus_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s producer surplus over the report window"}, mkProducerSurplus, i},
		)
	}
	for r, g := range m.Regions {
		n := g.Name
		d = append(d,
			metricDef{Metric{Name: "price_change." + n, Unit: "$/t", Doc: "mean change in " + n + "'s price index over the report window"}, mkPriceChange, r},
			metricDef{Metric{Name: "demand_change." + n, Unit: "Mt/yr", Doc: "mean change in " + n + "'s demand over the report window"}, mkDemandChange, r},
			metricDef{Metric{Name: "import_bill_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s import bill over the report window"}, mkImportBill, r},
			metricDef{Metric{Name: "consumer_surplus_change." + n, Unit: "$M", Doc: "cumulative change in " + n + "'s consumer surplus over the report window"}, mkConsumerSurplus, r},
			metricDef{Metric{Name: "trq_rent_change." + n, Unit: "$M", Doc: "cumulative change in the tariff-rate quota rent kept by " + n + "'s importers over the report window"}, mkTRQRent, r},
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
}

func newMetricAcc(defs []metricDef) *metricAcc {
	return &metricAcc{defs: defs, sum: make([]float64, len(defs)), cf: make([]float64, len(defs)), cnt: make([]int, len(defs))}
}

func (a *metricAcc) reset() {
	clear(a.sum)
	clear(a.cf)
	clear(a.cnt)
	a.n = 0
}

// add adds one month of the report window: ss the scenario's solution,
// cs the counterfactual's.
func (a *metricAcc) add(ss, cs *Solution) {
	a.n++
	var sx, cx float64 // world exports, for market shares
	for k := range a.defs {
		d := &a.defs[k]
		i := d.idx
		var v float64
		switch d.kind {
		case mkBenchChange, mkBenchPct, mkPriceChange:
			if !ss.Traded[i] || !cs.Traded[i] {
				continue
			}
		case mkBench:
			if !ss.Traded[i] {
				continue
			}
		}
		a.cnt[k]++
		switch d.kind {
		case mkBenchChange:
			v = ss.Benchmark - cs.Benchmark
		case mkBench:
			v = ss.Benchmark
		case mkBenchPct:
			v = ss.Benchmark - cs.Benchmark
			a.cf[k] += cs.Benchmark
		case mkWorldCS:
			for r := range ss.ConsumerSurplus {
				v += ss.ConsumerSurplus[r] - cs.ConsumerSurplus[r]
			}
		case mkPriceChange:
			v = ss.PriceIndex[i] - cs.PriceIndex[i]
		case mkDemandChange:
			v = ss.Demand[i] - cs.Demand[i]
		case mkImportBill:
			v = ss.ImportBill[i] - cs.ImportBill[i]
		case mkConsumerSurplus:
			v = ss.ConsumerSurplus[i] - cs.ConsumerSurplus[i]
		case mkTRQRent:
			v = ss.TRQRent[i] - cs.TRQRent[i]
		case mkRevenueChange:
			v = ss.ExportRev[i] - cs.ExportRev[i]
		case mkRevenue:
			v = ss.ExportRev[i]
		case mkExportsChange:
			v = ss.Exports[i] - cs.Exports[i]
		case mkFOBChange:
			v = ss.FOB[i] - cs.FOB[i]
		case mkProducerSurplus:
			v = ss.ProducerSurplus[i] - cs.ProducerSurplus[i]
		case mkShareChange:
			if sx == 0 && cx == 0 {
				for j := range ss.Exports {
					sx += ss.Exports[j]
					cx += cs.Exports[j]
				}
			}
			var s, c float64
			if sx > 0 {
				s = ss.Exports[i] / sx
			}
			if cx > 0 {
				c = cs.Exports[i] / cx
			}
			v = 100 * (s - c)
		}
		a.sum[k] += v
	}
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
		case mkWorldCS, mkImportBill, mkConsumerSurplus, mkRevenueChange, mkRevenue, mkProducerSurplus, mkTRQRent:
			out[k] = a.sum[k] / 12
		case mkBenchPct:
			if a.cf[k] != 0 {
				out[k] = 100 * a.sum[k] / a.cf[k]
			} else {
				out[k] = 0
			}
		default:
			out[k] = a.sum[k] / float64(a.cnt[k])
		}
	}
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
// MetricList: the mean change in the benchmark price ($/t) and its percent
// change; the mean benchmark price; cumulative consumer surplus change
// ($M); per supplier the cumulative change in FOB export revenue ($M, a
// monthly step adds revenue/12), the cumulative revenue level, the mean
// change in exports (Mt/yr), FOB price ($/t) and world export share (pp),
// the cumulative producer surplus change; per region the mean change in
// the price index ($/t) and demand (Mt/yr) and the cumulative change in
// the import bill and consumer surplus ($M).
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
