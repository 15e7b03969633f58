package plots

import (
	"image/color"
	"math"
	"testing"

	"github.com/potash-sim/potash/model"
)

// Test fixtures are built by hand (no solver): a market with names and
// per-month solutions filled from smooth formulas, so that the charts are
// deterministic and independent of the model's numerics. The story
// imitates us-relief-2025: Klaipėda closes in Feb 2022, Belarus's exports
// recover through Russian ports, and the scenario lifts the US ban in Dec
// 2025 (Belarus exports and revenue up, the benchmark price a little down)
// against a counterfactual where the ban stays.

var fixtureSuppliers = []struct {
	name    string
	home    string
	exports float64 // base exports, Mt/yr
	fob     float64 // base FOB, $/t
}{
	{"Canada", "", 22, 215},
	{"Russia", "", 13.5, 205},
	{"Belarus", "", 12, 200},
	{"China", "China", 0.6, 230},
	{"Israel", "", 4.5, 225},
	{"Jordan", "", 2.6, 225},
	{"Germany", "Europe", 3.4, 240},
	{"Laos", "", 2.1, 210},
	{"Chile", "", 0.9, 230},
	{"United States", "United States", 0.4, 250},
	{"Other", "", 1.2, 235},
}

var fixtureRegions = []struct {
	name  string
	share float64 // share of world exports it takes
	price float64 // price level relative to Brazil
}{
	{"Brazil", 0.24, 1}, {"United States", 0.2, 1.08}, {"China", 0.18, 0.92}, {"India", 0.08, 0.95},
	{"Southeast Asia", 0.17, 1.02}, {"Europe", 0.08, 1.1}, {"Other", 0.05, 1.05},
}

type fixtureOpts struct {
	suppliers int     // first n of fixtureSuppliers (0: all)
	months    int     // from 2020-01 (0: 108, to 2028-12)
	zero      bool    // scenario identical to counterfactual
	regions   int     // first n regions (0: all)
	delay     float64 // years the relief comes later than Dec 2025
	stocks    bool    // the regions hold stocks (the stocks chart)
}

// fixtureRun builds the Run of o.
func fixtureRun(o fixtureOpts) *model.Run {
	ns, nr, T := o.suppliers, o.regions, o.months
	if ns == 0 {
		ns = len(fixtureSuppliers)
	}
	if nr == 0 {
		nr = len(fixtureRegions)
	}
	if T == 0 {
		T = 108
	}
	m := &model.Market{Name: "fixture", Version: "1", BaseYear: 2020, Benchmark: "Brazil"}
	for _, r := range fixtureRegions[:nr] {
		m.Regions = append(m.Regions, model.Region{Name: r.name})
	}
	for _, s := range fixtureSuppliers[:ns] {
		sp := model.Supplier{Name: s.name, Home: s.home, FOB: s.fob, Capacity: s.exports * 1.3}
		switch s.name {
		case "Belarus":
			sp.Corridors = []model.Corridor{
				{Name: "Klaipeda", Label: "Klaipėda", Capacity: 11, Cost: 20},
				{Name: "RussianPorts", Label: "Russian ports", Capacity: 3, Cost: 45},
				{Name: "ChinaRail", Label: "Rail to China", Capacity: 2, Cost: 70},
			}
		case "Russia":
			sp.Corridors = []model.Corridor{
				{Name: "Baltic", Capacity: 15, Cost: 25},
				{Name: "BlackSea", Capacity: 5, Cost: 35},
			}
		default:
			sp.Corridors = []model.Corridor{{Name: "Port", Capacity: s.exports * 2, Cost: 20}}
		}
		m.Suppliers = append(m.Suppliers, sp)
	}
	cal := &model.Calibrated{Market: m, Bench: 0}
	start := model.NewMonth(2020, 1)
	months := make([]model.Month, T)
	for t := range months {
		months[t] = start + model.Month(t)
	}
	spec := &model.Spec{Name: "fixture", Market: m, Start: start, End: months[T-1], ReportStart: model.NewMonth(2025, 12)}
	if b := m.SupplierIndex("Belarus"); b >= 0 {
		spec.Events = []model.Event{
			{ID: "klaipeda-closed", Label: "Klaipėda closed", Kind: model.EventCorridorCapacity, Supplier: b, Region: -1, Corridor: 0, Value: 0, Start: model.NewMonth(2022, 2)},
			{ID: "russian-ports", Label: "Russian ports", Kind: model.EventCorridorCapacity, Supplier: b, Region: -1, Corridor: 1, Value: 8.4, From: 3, HasFrom: true, Start: model.NewMonth(2022, 3), RampIn: 22},
			{ID: "china-rail", Label: "China rail", Kind: model.EventCorridorCapacity, Supplier: b, Region: -1, Corridor: 2, Value: 3.5, Start: model.NewMonth(2022, 3), RampIn: 22},
		}
	}
	mk := func(scenario bool) *model.Path {
		p := &model.Path{Spec: spec, Cal: cal, Months: months}
		for _, mo := range months {
			p.Sol = append(p.Sol, fixtureSolution(m, mo, scenario && !o.zero, o.delay))
		}
		return p
	}
	if o.stocks {
		// Two months of use in 2020, built up ahead of 2022's closures.
		cal.Q0 = make([]float64, nr)
		for r := range m.Regions {
			m.Regions[r].StockMonths = 2
			cal.Q0[r] = 60 * fixtureRegions[r].share
		}
	}
	run := &model.Run{Scenario: mk(true), Counterfactual: mk(false)}
	if o.stocks {
		for _, p := range []*model.Path{run.Scenario, run.Counterfactual} {
			for t, s := range p.Sol {
				yr := float64(months[t])/12 - 2020
				s.Stocks = make([]float64, nr)
				for r := range s.Stocks {
					s.Stocks[r] = cal.Q0[r] / 12 * (2 + 1.5*math.Exp(-(yr-2.6)*(yr-2.6)/0.5) + 0.1*float64(r))
				}
			}
		}
	}
	return run
}

// fixtureSolution fills the fields the charts read.
func fixtureSolution(m *model.Market, mo model.Month, relief bool, delay float64) *model.Solution {
	yr := float64(mo)/12 - 2020 // years since Jan 2020
	bump := func(c, w float64) float64 { return math.Exp(-(yr - c) * (yr - c) / (2 * w * w)) }
	// Benchmark: 241 in 2020, spike to ~850 in mid 2022, back to ~350.
	price := 241 + 600*bump(2.4, 0.45) + 110*(1-math.Exp(-math.Max(0, yr-1.5)))
	reliefOn := 0.0
	if relief && yr >= 5.92+delay { // Dec 2025
		reliefOn = math.Min(1, (yr-5.92-delay)*2)
	}
	price -= 18 * reliefOn
	ns, nr := len(m.Suppliers), len(m.Regions)
	s := &model.Solution{
		FOB: make([]float64, ns), Exports: make([]float64, ns), Sales: make([]float64, ns),
		ExportRev: make([]float64, ns), Revenue: make([]float64, ns), NetbackRevenue: make([]float64, ns),
		CorridorFlow: make([][]float64, ns), CorridorUse: make([][]float64, ns),
		PriceIndex: make([]float64, nr), PricePaid: make([]float64, nr), Flow: make([][]float64, ns),
	}
	for r := range m.Regions {
		s.PriceIndex[r] = price * fixtureRegions[r].price * (1 + 0.02*math.Sin(yr*2+float64(r)))
		s.PricePaid[r] = s.PriceIndex[r]
	}
	s.Benchmark = s.PriceIndex[0]
	for i, sp := range m.Suppliers {
		base := fixtureSuppliers[i].exports * (1 + 0.015*yr)
		var caps []float64
		for _, c := range sp.Corridors {
			caps = append(caps, c.Capacity)
		}
		if sp.Name == "Belarus" {
			if yr >= 2+1.0/12 { // Klaipėda closed Feb 2022
				caps[0] = 0
				w := math.Min(1, (yr-2.17)*12/22)
				caps[1] = 3 + math.Max(0, w)*(8.4-3)
				caps[2] = 2 + 1.5*math.Max(0, w)
			}
			capSum := caps[0] + caps[1] + caps[2]
			base = math.Min(math.Min(base, 0.85*capSum)+1.8*reliefOn, capSum)
		} else {
			base *= 1 - 0.012*reliefOn
		}
		s.Exports[i] = base
		home := 0.0
		if sp.Home != "" {
			home = 3 + float64(i%2)
		}
		s.Sales[i] = base + home
		s.FOB[i] = fixtureSuppliers[i].fob / 241 * price
		if sp.Name == "Belarus" {
			s.FOB[i] *= 0.85
		}
		s.ExportRev[i] = s.FOB[i] * s.Exports[i]
		s.Revenue[i] = s.FOB[i] * s.Sales[i]
		s.NetbackRevenue[i] = s.ExportRev[i]
		rest := base
		s.CorridorFlow[i] = make([]float64, len(caps))
		s.CorridorUse[i] = make([]float64, len(caps))
		for k, c := range caps {
			f := math.Min(rest, c)
			if k == len(caps)-1 {
				f = rest
			}
			rest -= f
			s.CorridorFlow[i][k] = f
			if c > 0 {
				s.CorridorUse[i][k] = f / c
			}
		}
		s.Flow[i] = make([]float64, nr)
		tot := 0.0
		for r := range m.Regions {
			tot += fixtureRegions[r].share
		}
		for r, rg := range m.Regions {
			w := fixtureRegions[r].share / tot
			if sp.Name == "Belarus" && rg.Name == "United States" {
				w = 0.05 * reliefOn
			}
			if sp.Name == "Laos" && rg.Name == "Europe" {
				w = 0 // a route that never trades
			}
			s.Flow[i][r] = base * w * (1 + 0.1*math.Sin(float64(i+3*r)))
			if rg.Name == sp.Home {
				s.Flow[i][r] += home
			}
		}
	}
	return s
}

// fixtureMC builds a Monte Carlo result around run's paths: bands that
// widen with time, the series charts read and revenue_change totals.
func fixtureMC(run *model.Run) *model.MCResult {
	sc, cf := run.Scenario, run.Counterfactual
	m := sc.Cal.Market
	mc := &model.MCResult{Draws: 200, Converged: 198, Failed: 2, Seed: 42, Months: sc.Months}
	band := func(v, spread float64) model.Band {
		return model.Band{Mean: v, P5: v - 1.645*spread, P25: v - 0.674*spread, P50: v, P75: v + 0.674*spread, P95: v + 1.645*spread}
	}
	add := func(variable, entity string, get func(*model.Solution) float64) {
		s := model.Series{Variable: variable, Entity: entity}
		for t := range sc.Months {
			a, b := get(sc.Sol[t]), get(cf.Sol[t])
			sp := 0.04 * math.Abs(a) * math.Sqrt(float64(t+1)/float64(len(sc.Months)))
			s.Level = append(s.Level, band(a, sp))
			s.CfLevel = append(s.CfLevel, band(b, sp))
			s.Diff = append(s.Diff, band(a-b, sp/4))
		}
		mc.Series = append(mc.Series, s)
	}
	add("benchmark_price", "World", func(s *model.Solution) float64 { return s.Benchmark })
	for r, rg := range m.Regions {
		add("price_paid", rg.Name, func(s *model.Solution) float64 { return s.PricePaid[r] })
	}
	for i, sp := range m.Suppliers {
		add("export_revenue", sp.Name, func(s *model.Solution) float64 { return s.ExportRev[i] })
		// cumulative change over the report window, $M
		tot := 0.0
		for t, mo := range sc.Months {
			if mo >= sc.Spec.ReportStart {
				tot += (sc.Sol[t].NetbackRevenue[i] - cf.Sol[t].NetbackRevenue[i]) / 12
			}
		}
		sd := 0.25*math.Abs(tot) + 5
		mc.Totals = append(mc.Totals, model.TotalDist{Metric: "netback_revenue_change." + sp.Name, Unit: "$M", Band: band(tot, sd)})
	}
	return mc
}

func fixtureMeta() Meta {
	return Meta{
		Scenario:       "us-relief-2025",
		Title:          "US lifts sanctions on Belarusian potash (Dec 2025)",
		Counterfactual: "history",
		Hash:           "3f9a0c21b7d45e6f8899",
		ModelVersion:   "0.1.0",
		DataSource:     "Data: base-2020 v1.0.0 (FAOSTAT, World Bank Pink Sheet)",
		Markers: []Marker{
			{Month: model.NewMonth(2021, 1), Label: "Demand boom"},
			{Month: model.NewMonth(2021, 12), Label: "US sanctions"},
			{Month: model.NewMonth(2022, 2), Label: "Belarus discount"},
			{Month: model.NewMonth(2022, 2), Label: "Klaipėda closed"},
			{Month: model.NewMonth(2022, 3), Label: "Russian ports ramp"},
			{Month: model.NewMonth(2022, 7), Label: "Russia quota"},
			{Month: model.NewMonth(2025, 12), Label: "US relief"},
			{Month: model.NewMonth(2027, 7), Label: "Jansen"},
		},
		// belarus-discount has no label: its id is shown.
		EventLabels: map[string]string{"us-ban": "US sanctions"},
	}
}

func fixtureTornado() *model.Tornado {
	return &model.Tornado{
		Metric: "revenue_change.Belarus", Unit: "$M", Base: 1240,
		Bars: []model.TornadoBar{
			{Param: "market.regions.Brazil.demand_elasticity", Low: 0.1, High: 0.6, AtLow: 1610, AtHigh: 880},
			{Param: "events.belarus-discount.pct", Low: 6.8, High: 23.2, AtLow: 1490, AtHigh: 1010},
			{Param: "market.suppliers.Canada.supply_elasticity", Low: 0.5, High: 2.5, AtLow: 1380, AtHigh: 1150},
			{Param: "market.routes.Russia.Europe.freight_usd_per_t", Low: 0.01234, High: 45.678, AtLow: 1200, AtHigh: 1275},
			{Param: "market.regions.*.armington_sigma", Low: 4, High: 12, AtLow: 1190, AtHigh: 1300},
		},
	}
}

// fixtureTornadoCut is fixtureTornado with ends cut by the joint rules:
// Brazil's demand elasticity's low side by the crop rule, and a stock
// response bar's high side by the stock-cycle rule.
func fixtureTornadoCut() *model.Tornado {
	t := fixtureTornado()
	for j := range t.Bars {
		t.Bars[j].StatedLow, t.Bars[j].StatedHigh = t.Bars[j].Low, t.Bars[j].High
	}
	t.Bars[0].StatedLow, t.Bars[0].LowCut = 0.05, model.RuleCrop
	t.Bars = append(t.Bars, model.TornadoBar{Param: "market.regions.*.stock_response", Low: 0.0071, High: 0.0108, AtLow: 1228, AtHigh: 1262,
		StatedLow: 0.00726, StatedHigh: 0.012, HighCut: model.RuleStockCycle})
	return t
}

// fixtureTornadoSameSide is fixtureTornado with two parameters whose
// ends both move the metric the same way, as the US relief's scale does
// in us-relief-2025 (+$1.43 bn and +$0.11 bn about a base of +$0.05 bn):
// one far above the base, one just below it.
func fixtureTornadoSameSide() *model.Tornado {
	t := fixtureTornado()
	t.Bars = append([]model.TornadoBar{{Param: "events.us-relief.scale", Low: 0.367, High: 0.967, AtLow: 2900, AtHigh: 1330}}, t.Bars...)
	t.Bars = append(t.Bars, model.TornadoBar{Param: "market.regions.*.stock_response", Low: 0.0071, High: 0.0108, AtLow: 1205, AtHigh: 1225})
	return t
}

func fixtureSweep(dims int) *model.SweepResult {
	var months []float64
	for k := 0; k < 7; k++ {
		months = append(months, float64(model.NewMonth(2025, 6)+model.Month(6*k)))
	}
	a := model.SweepAxis{Param: model.Param{Name: "events.us-ban.end", Unit: "month"}, Values: months}
	e := model.SweepAxis{Param: model.Param{Name: "market.regions.Brazil.demand_elasticity"}, Values: []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}}
	b := model.SweepAxis{Param: model.Param{Name: "events.belarus-discount.pct", Unit: "%"}, Values: []float64{0, 5, 10, 15, 20, 25}}
	res := &model.SweepResult{Metrics: []string{"revenue_change.Belarus", "benchmark_price_change"}, Units: []string{"$M", "$/t"}}
	if dims == 1 {
		res.Axes = []model.SweepAxis{a}
		for j, v := range a.Values {
			v = v/12 - 0.5
			res.Values = append(res.Values, []float64{2400 - 700*(v-2025), -25 + 8*(v-2025)})
			st := model.Converged
			if j == 4 {
				st = model.IterationLimit
			}
			res.Status = append(res.Status, st)
		}
		return res
	}
	res.Axes = []model.SweepAxis{e, b}
	for _, v := range e.Values {
		for _, w := range b.Values {
			res.Values = append(res.Values, []float64{(2400 - 2000*v) * (1 - w/40), -25 + 40*v + w/2})
			res.Status = append(res.Status, model.Converged)
		}
	}
	res.Status[9] = model.Stalled
	res.Values[9] = []float64{math.NaN(), math.NaN()}
	return res
}

type colorT = color.Color

// fixtureCharts returns the default fixture run, its meta and its charts
// with Monte Carlo bands at the default options.
func fixtureCharts(t *testing.T) (*model.Run, Meta, []*Chart) {
	t.Helper()
	run := fixtureRun(fixtureOpts{})
	meta := fixtureMeta()
	charts, err := RunCharts(run, fixtureMC(run), meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return run, meta, charts
}
