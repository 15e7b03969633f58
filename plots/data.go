package plots

import (
	"math"
	"sort"
	"strings"

	"github.com/potash-sim/potash/model"
)

// runData is a Run's paths laid out for charts: per-entity time series of
// the scenario and the counterfactual, checked finite.
type runData struct {
	run    *model.Run
	cal    *model.Calibrated
	months []model.Month
	x      []float64 // monthX of each month
	sup    []string  // supplier names
	supLab []string  // supplier display labels
	reg    []string
	regLab []string
	// report window [from, len(months)) for cumulative totals
	from int
}

// newRunData checks that run is complete (both paths, a calibrated market,
// one solution per month, the same months in both paths) and indexes it.
func newRunData(run *model.Run) (*runData, error) {
	if run == nil || run.Scenario == nil || run.Counterfactual == nil {
		return nil, errorf("run: missing scenario or counterfactual path")
	}
	s, c := run.Scenario, run.Counterfactual
	if s.Cal == nil || s.Cal.Market == nil {
		return nil, errorf("run: scenario path has no calibrated market")
	}
	if len(s.Months) == 0 {
		return nil, errorf("run: no months")
	}
	if len(s.Sol) != len(s.Months) || len(c.Sol) != len(c.Months) {
		return nil, errorf("run: %d months but %d scenario and %d counterfactual solutions", len(s.Months), len(s.Sol), len(c.Sol))
	}
	if len(c.Months) != len(s.Months) {
		return nil, errorf("run: scenario has %d months, counterfactual %d", len(s.Months), len(c.Months))
	}
	for t := range s.Months {
		if c.Months[t] != s.Months[t] {
			return nil, errorf("run: month %d is %v in the scenario but %v in the counterfactual", t, s.Months[t], c.Months[t])
		}
		if t > 0 && s.Months[t] != s.Months[t-1]+1 {
			return nil, errorf("run: months not consecutive at %v", s.Months[t])
		}
		if s.Sol[t] == nil || c.Sol[t] == nil {
			return nil, errorf("run: no solution for %v", s.Months[t])
		}
	}
	m := s.Cal.Market
	if len(m.Suppliers) == 0 || len(m.Regions) == 0 {
		return nil, errorf("run: market has %d suppliers and %d regions", len(m.Suppliers), len(m.Regions))
	}
	d := &runData{run: run, cal: s.Cal, months: s.Months}
	d.x = make([]float64, len(s.Months))
	for t, mo := range s.Months {
		d.x[t] = monthX(mo)
	}
	for _, sp := range m.Suppliers {
		d.sup = append(d.sup, sp.Name)
		d.supLab = append(d.supLab, label(sp.Label, sp.Name))
	}
	for _, r := range m.Regions {
		d.reg = append(d.reg, r.Name)
		d.regLab = append(d.regLab, label(r.Label, r.Name))
	}
	if s.Spec != nil && s.Spec.ReportStart > s.Months[0] {
		d.from = sort.Search(len(s.Months), func(t int) bool { return s.Months[t] >= s.Spec.ReportStart })
		if d.from >= len(s.Months) {
			d.from = 0
		}
	}
	return d, nil
}

func label(l, name string) string {
	if l != "" {
		return l
	}
	return name
}

// series extracts one value per month from each path with get, and checks
// every value is finite; what names it in errors.
func (d *runData) series(what string, get func(sol *model.Solution) (float64, bool)) (scen, cf []float64, err error) {
	scen = make([]float64, len(d.months))
	cf = make([]float64, len(d.months))
	for t := range d.months {
		for k, p := range []*model.Path{d.run.Scenario, d.run.Counterfactual} {
			v, ok := get(p.Sol[t])
			if !ok {
				return nil, nil, errorf("%s: missing in the %s solution of %v", what, pathName(k), d.months[t])
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, errorf("%s: %v in the %s in %v", what, v, pathName(k), d.months[t])
			}
			if k == 0 {
				scen[t] = v
			} else {
				cf[t] = v
			}
		}
	}
	return scen, cf, nil
}

func pathName(k int) string {
	if k == 0 {
		return "scenario"
	}
	return "counterfactual"
}

// at returns xs[i] if in range.
func at(xs []float64, i int) (float64, bool) {
	if i < 0 || i >= len(xs) {
		return 0, false
	}
	return xs[i], true
}

func at2(xs [][]float64, i, j int) (float64, bool) {
	if i < 0 || i >= len(xs) {
		return 0, false
	}
	return at(xs[i], j)
}

func (d *runData) benchmark() ([]float64, []float64, error) {
	return d.series("benchmark_price", func(s *model.Solution) (float64, bool) { return s.Benchmark, true })
}

func (d *runData) pricePaid(r int) ([]float64, []float64, error) {
	return d.series("price_paid of "+d.reg[r], func(s *model.Solution) (float64, bool) { return at(s.PricePaid, r) })
}

func (d *runData) stocks(r int) ([]float64, []float64, error) {
	return d.series("stocks of "+d.reg[r], func(s *model.Solution) (float64, bool) { return at(s.Stocks, r) })
}

func (d *runData) netbackRevenue(i int) ([]float64, []float64, error) {
	return d.series("netback_revenue of "+d.sup[i], func(s *model.Solution) (float64, bool) { return at(s.NetbackRevenue, i) })
}

func (d *runData) exportRevenue(i int) ([]float64, []float64, error) {
	return d.series("export_revenue of "+d.sup[i], func(s *model.Solution) (float64, bool) { return at(s.ExportRev, i) })
}

func (d *runData) exports(i int) ([]float64, []float64, error) {
	return d.series("exports of "+d.sup[i], func(s *model.Solution) (float64, bool) { return at(s.Exports, i) })
}

func (d *runData) flow(i, r int) ([]float64, []float64, error) {
	return d.series("flow "+d.sup[i]+"→"+d.reg[r], func(s *model.Solution) (float64, bool) { return at2(s.Flow, i, r) })
}

func (d *runData) corridorFlow(i, k int) ([]float64, []float64, error) {
	name := d.sup[i] + "/" + d.cal.Market.Suppliers[i].Corridors[k].Name
	return d.series("corridor_flow "+name, func(s *model.Solution) (float64, bool) { return at2(s.CorridorFlow, i, k) })
}

// corridorCapacity is the capacity in force of corridor k of supplier i
// in each month of the scenario and the counterfactual: the policy the
// model sets from the path's events (model.SetPolicy) when the path
// carries its Spec, else the model's corridor_capacity variable.
func (d *runData) corridorCapacity(i, k int) (scen, cf []float64, err error) {
	name := d.sup[i] + "/" + d.cal.Market.Suppliers[i].Corridors[k].Name
	paths := []*model.Path{d.run.Scenario, d.run.Counterfactual}
	fromPolicy := true
	for _, p := range paths {
		if p.Spec == nil || model.ValidateEvents(d.cal.Market, p.Spec.Events) != nil {
			fromPolicy = false
			continue
		}
		for _, e := range p.Spec.Events {
			// An export cap ramps from the calibrated base sales.
			if e.Kind == model.EventExportCap && len(d.cal.S0) != len(d.cal.Market.Suppliers) {
				fromPolicy = false
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			scen, cf, err = nil, nil, errorf("corridor_capacity %s: the model could not set the policy: %v", name, r)
		}
	}()
	if fromPolicy {
		out := make([][]float64, 2)
		pol := model.NewPolicy(d.cal.Market)
		for j, p := range paths {
			out[j] = make([]float64, len(d.months))
			for t, mo := range d.months {
				model.SetPolicy(pol, d.cal, p.Spec, mo)
				v, ok := at2(pol.CorridorCap, i, k)
				if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, nil, errorf("corridor_capacity %s: %v in the %s in %v", name, v, pathName(j), mo)
				}
				out[j][t] = v
			}
		}
		return out[0], out[1], nil
	}
	e := 0
	for j := 0; j < i; j++ {
		e += len(d.cal.Market.Suppliers[j].Corridors)
	}
	e += k
	v, ok := lookupVariable("corridor_capacity")
	if !ok {
		return nil, nil, errorf("corridor_capacity %s: the path has no Spec and the model reports no corridor_capacity variable", name)
	}
	return d.series("corridor_capacity "+name, func(s *model.Solution) (float64, bool) {
		return v.Value(d.cal, s, e), true
	})
}

func lookupVariable(name string) (model.Variable, bool) {
	for _, v := range model.Variables() {
		if v.Name == name {
			return v, true
		}
	}
	return model.Variable{}, false
}

// cumulative returns Σ_t (a_t − b_t)/12 over the report window: the
// cumulative difference in $M of two flows in $M/yr.
func (d *runData) cumulative(a, b []float64) float64 {
	s := 0.0
	for t := d.from; t < len(a); t++ {
		s += (a[t] - b[t]) / 12
	}
	return s
}

// newRunMC indexes run and, when not nil, mc on the run's months.
func newRunMC(run *model.Run, mc *model.MCResult) (*runData, *mcData, error) {
	d, err := newRunData(run)
	if err != nil {
		return nil, nil, err
	}
	m, err := newMCData(mc, d.months)
	if err != nil {
		return nil, nil, err
	}
	return d, m, nil
}

// mcData gives access to a Monte Carlo result's bands, aligned with a
// run's months.
type mcData struct {
	mc *model.MCResult
	// idx[t] is the index in mc.Months of the run's month t.
	idx []int
}

func newMCData(mc *model.MCResult, months []model.Month) (*mcData, error) {
	if mc == nil {
		return nil, nil
	}
	if len(mc.Months) == 0 {
		return nil, errorf("Monte Carlo result: no months")
	}
	pos := map[model.Month]int{}
	for j, m := range mc.Months {
		pos[m] = j
	}
	idx := make([]int, len(months))
	for t, m := range months {
		j, ok := pos[m]
		if !ok {
			return nil, errorf("Monte Carlo result has no bands for %v (it covers %v to %v)", m, mc.Months[0], mc.Months[len(mc.Months)-1])
		}
		idx[t] = j
	}
	return &mcData{mc: mc, idx: idx}, nil
}

// series returns the Series of variable for entity, or an error listing
// what the result holds. World variables match entity "World" or "".
func (m *mcData) series(variable, entity string) (*model.Series, error) {
	var have []string
	for k := range m.mc.Series {
		s := &m.mc.Series[k]
		if s.Variable == variable && (s.Entity == entity || (entity == "World" && s.Entity == "")) {
			if len(s.Level) != len(m.mc.Months) || len(s.CfLevel) != len(m.mc.Months) || len(s.Diff) != len(m.mc.Months) {
				return nil, errorf("Monte Carlo series %s of %s: %d levels, %d counterfactual levels, %d differences for %d months",
					variable, entity, len(s.Level), len(s.CfLevel), len(s.Diff), len(m.mc.Months))
			}
			return s, nil
		}
		if s.Variable == variable {
			have = append(have, s.Entity)
		}
	}
	if len(have) > 0 {
		return nil, errorf("Monte Carlo result has no series %q for %q (it has %s)", variable, entity, strings.Join(have, ", "))
	}
	return nil, errorf("Monte Carlo result has no series %q (variables: %s)", variable, strings.Join(m.variables(), ", "))
}

func (m *mcData) variables() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range m.mc.Series {
		if !seen[s.Variable] {
			seen[s.Variable] = true
			out = append(out, s.Variable)
		}
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// bands returns the 5–95% and 25–75% bounds of bands (one per mc month)
// at the run's months, scaled by k.
func (m *mcData) bands(what string, b []model.Band, k float64) (p5, p25, p75, p95 []float64, err error) {
	n := len(m.idx)
	p5, p25, p75, p95 = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for t, j := range m.idx {
		bd := b[j]
		p5[t], p25[t], p75[t], p95[t] = bd.P5*k, bd.P25*k, bd.P75*k, bd.P95*k
		for _, v := range []float64{bd.P5, bd.P25, bd.P75, bd.P95} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, nil, nil, errorf("Monte Carlo %s: %v in %v", what, v, m.mc.Months[j])
			}
		}
	}
	return p5, p25, p75, p95, nil
}

// total returns the distribution of headline metric name, or nil if the
// result has none.
func (m *mcData) total(name string) *model.TotalDist {
	for k := range m.mc.Totals {
		if m.mc.Totals[k].Metric == name {
			return &m.mc.Totals[k]
		}
	}
	return nil
}
