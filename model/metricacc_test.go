package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMetricAccGroups checks that metricAcc.add, which adds the
// metrics kind by kind (metricGroup), gives every metric's sums, counts
// and counterfactual sums bit for bit as the former loop over the
// metrics one by one (addPerDef below), over months of random values
// with regions that do not trade in one path or both, and zero world
// exports.
func TestMetricAccGroups(t *testing.T) {
	m := pathMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	defs := metricDefs(m)
	got, want := newMetricAcc(defs), newMetricAcc(defs)
	rng := rand.New(rand.NewPCG(1, 2))
	bits := func(x, y []float64) bool {
		return slices.EqualFunc(x, y, func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) })
	}
	for month := 0; month < 60; month++ {
		var sols [2]*Solution
		for p := range sols {
			s := NewSolution(c)
			eachValue(s, func(v *float64) { *v = rng.NormFloat64() * 100 })
			s.Benchmark = 200 + rng.Float64()*100
			for r := range s.Traded {
				s.Traded[r] = rng.IntN(5) > 0
			}
			if month%7 == 3 {
				clear(s.Exports)
			}
			sols[p] = s
		}
		got.add(sols[0], sols[1])
		want.addPerDef(sols[0], sols[1])
		if !bits(got.sum, want.sum) || !bits(got.cf, want.cf) || !slices.Equal(got.cnt, want.cnt) || got.n != want.n {
			t.Fatalf("month %d: the sums differ from the per-metric loop's", month)
		}
	}
	if len(got.groups) < 20 {
		t.Errorf("%d groups of metrics", len(got.groups))
	}
}

// addPerDef is metricAcc.add as it was before the metrics were grouped
// by kind (the reference of TestMetricAccGroups).
func (a *metricAcc) addPerDef(ss, cs *Solution) {
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
		case mkWorldTonnes:
			v = sumDiff(ss.Tonnes, cs.Tonnes)
		case mkWorldCS:
			v = sumDiff(ss.ConsumerSurplus, cs.ConsumerSurplus)
		case mkWorldPS:
			v = sumDiff(ss.ProducerSurplus, cs.ProducerSurplus)
		case mkWorldGov:
			v = sumDiff(ss.TariffRevenue, cs.TariffRevenue) + sumDiff(ss.ExportTax, cs.ExportTax)
		case mkWorldTRQ:
			v = sumDiff(ss.TRQRent, cs.TRQRent)
		case mkWorldRisk:
			v = sumDiff(ss.RiskCost, cs.RiskCost)
		case mkWelfare:
			v = welfareDiff(ss, cs)
		case mkMarketValue:
			v = max(spending(ss), spending(cs))
		case mkPriceChange:
			v = ss.PricePaid[i] - cs.PricePaid[i]
		case mkTonnesChange:
			v = ss.Tonnes[i] - cs.Tonnes[i]
		case mkImportBill:
			v = ss.ImportBill[i] - cs.ImportBill[i]
		case mkConsumerSurplus:
			v = ss.ConsumerSurplus[i] - cs.ConsumerSurplus[i]
		case mkTariffRevenue:
			v = ss.TariffRevenue[i] - cs.TariffRevenue[i]
		case mkTRQRent:
			v = ss.TRQRent[i] - cs.TRQRent[i]
		case mkRiskCost:
			v = ss.RiskCost[i] - cs.RiskCost[i]
		case mkConcessionRecv:
			v = ss.ConcessionReceived[i] - cs.ConcessionReceived[i]
		case mkNetbackChange:
			v = ss.NetbackRevenue[i] - cs.NetbackRevenue[i]
		case mkNetback:
			v = ss.NetbackRevenue[i]
		case mkRevenueChange:
			v = ss.ExportRev[i] - cs.ExportRev[i]
		case mkRevenue:
			v = ss.ExportRev[i]
		case mkExportsChange:
			v = ss.Exports[i] - cs.Exports[i]
		case mkFOBChange:
			v = ss.FOBReceived[i] - cs.FOBReceived[i]
		case mkProducerSurplus:
			v = ss.ProducerSurplus[i] - cs.ProducerSurplus[i]
		case mkExportTax:
			v = ss.ExportTax[i] - cs.ExportTax[i]
		case mkConcessionPaid:
			v = ss.ConcessionPaid[i] - cs.ConcessionPaid[i]
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
