package scenarios

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
)

// stocksDocRegion is the region whose stock rule docs/MODEL.md §10.8
// walks through month by month.
const stocksDocRegion = "Brazil"

// TestDefaultRunStocksDoc writes (with -update) and checks the block of
// docs/MODEL.md §10.8, "The default run: why stocks peak": the default
// scenario's path (no draws), every region's stock peak, and for Brazil
// the terms of the stock target S* = k·h·C̄·(P/Pᵉ)^(−γ) in the months
// that tell the story — the price index P and the stocks S of the run,
// Pᵉ recomputed from P with §10.2's recursion (ln Pᵉ_{t+1} = (1 − ω)·ln
// Pᵉ_t + ω·ln P_t from Pᵉ = P0), h the product of the stock_target
// events' 1 + w(t)·v in force. A re-fit or a data change rewrites it.
func TestDefaultRunStocksDoc(t *testing.T) {
	s, err := Load(DefaultScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	p := run.Scenario
	if p.Failed > 0 {
		t.Fatalf("%s: %d months failed", DefaultScenario, p.Failed)
	}
	cal := p.Cal
	regions := cal.Market.Regions
	r := slices.IndexFunc(regions, func(g model.Region) bool { return g.Name == stocksDocRegion })
	if r < 0 {
		t.Fatalf("no region %s", stocksDocRegion)
	}
	g := &regions[r]
	gamma := model.StockGamma(g)
	n := len(p.Months)
	months := func(reg, k int) float64 { return 12 * p.Sol[k].Stocks[reg] / cal.Q0[reg] }
	// Pᵉ in each month: the expectation the month is solved with.
	pe := make([]float64, n)
	pe[0] = cal.P0[r]
	for k := 1; k < n; k++ {
		pe[k] = pe[k-1] * math.Exp(g.ExpectAdjust*math.Log(p.Sol[k-1].PriceIndex[r]/pe[k-1]))
	}
	h := make([]float64, n)
	for k, m := range p.Months {
		h[k] = 1
		for _, e := range p.Spec.Events {
			if e.Kind == model.EventStockTarget && (e.Region < 0 || e.Region == r) {
				h[k] *= 1 + e.Intensity(m)*e.Value
			}
		}
	}
	argmax := func(v func(k int) float64, from, to model.Month) int {
		best := -1
		for k, m := range p.Months {
			if m >= from && m <= to && (best < 0 || v(k) > v(best)) {
				best = k
			}
		}
		return best
	}
	first, last := p.Months[0], p.Months[n-1]
	price := func(k int) float64 { return p.Sol[k].PriceIndex[r] }
	// The months of the walk-through: before the 2021 rise, the highest
	// P/Pᵉ before the price's peak, h's peak, the price's peak, Pᵉ's
	// peak, the stocks' peak, the low of P/Pᵉ after the price's peak, the
	// end of 2023 and of 2025, and the last month.
	kPrice := argmax(price, first, last)
	kPe := argmax(func(k int) float64 { return pe[k] }, first, last)
	kStock := argmax(func(k int) float64 { return months(r, k) }, first, last)
	kLow := argmax(func(k int) float64 { return pe[k] / price(k) }, p.Months[kPrice], last)
	kHigh := argmax(func(k int) float64 { return price(k) / pe[k] }, first, p.Months[kPrice])
	kH := argmax(func(k int) float64 { return h[k] }, first, last)
	at := func(m model.Month) int { return slices.Index(p.Months, m) }
	rows := []int{at(model.NewMonth(2021, 6)), kHigh, kH, kPrice, kPe, kStock, kLow, at(model.NewMonth(2023, 12)), at(model.NewMonth(2025, 12)), n - 1}
	rows = slices.DeleteFunc(rows, func(k int) bool { return k < 0 })
	slices.Sort(rows)
	rows = slices.Compact(rows)

	var b strings.Builder
	f := func(v float64, dec int) string { return report.FormatNumber(v, dec, false) }
	fmt.Fprintf(&b, "%s (model %s, %s %s, no draws), the scenario path %v..%v.\n", DefaultScenario, model.Version, DefaultMarket, baseVersion(t), first, last)
	b.WriteString("Stocks of importers and distributors, months of 2020 use (12·S/Q0): highest, and at the end\n")
	tab := report.Table{Head: []string{"region", "highest", "in", "at " + last.String()}}
	for reg := range regions {
		if !(regions[reg].StockMonths > 0) {
			continue
		}
		k := argmax(func(k int) float64 { return months(reg, k) }, first, last)
		tab.Rows = append(tab.Rows, []string{regions[reg].Name, f(months(reg, k), 2), p.Months[k].String(), f(months(reg, n-1), 2)})
	}
	if err := tab.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "\n%s: ω = %s a month, φ = %s, γ = β/c = %s/%s = %s, Pᵉ from P0 = %s $/t\n",
		stocksDocRegion, f(g.ExpectAdjust, 4), f(g.StockAdjust, 2), f(g.StockResponse, 4), f(g.CarryCost, 4), f(gamma, 2), f(cal.P0[r], 0))
	tab = report.Table{Head: []string{"month", "P ($/t)", "Pᵉ ($/t)", "P/Pᵉ", "(P/Pᵉ)^(−γ)", "h", "S (months of use)", ""}}
	for _, k := range rows {
		var why []string
		for _, w := range []struct {
			k    int
			note string
		}{{kHigh, "P/Pᵉ highest before the price peak"}, {kH, "h highest"}, {kPrice, "price peak"}, {kPe, "Pᵉ peak"}, {kStock, "stocks peak"}, {kLow, "P/Pᵉ lowest"}, {n - 1, "last month"}} {
			if w.k == k {
				why = append(why, w.note)
			}
		}
		ratio := price(k) / pe[k]
		tab.Rows = append(tab.Rows, []string{p.Months[k].String(), f(price(k), 0), f(pe[k], 0), f(ratio, 2), f(math.Pow(ratio, -gamma), 2), f(h[k], 2), f(months(r, k), 2), strings.Join(why, ", ")})
	}
	tab.Right = []bool{false, true, true, true, true, true, true, false}
	if err := tab.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	checkDocBlock(t, "../docs/MODEL.md", "default-run stocks", "go test ./scenarios -run TestDefaultRunStocksDoc -update", b.String())
}

// baseVersion is the embedded base dataset's version.
func baseVersion(t *testing.T) string {
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	return f.Version
}
