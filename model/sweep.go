package model

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// setting is one parameter value applied to both specs of a pair.
type setting struct {
	name  string
	apply func(s *Spec, v float64) error
	v     float64
	unit  string // the parameter's Param.Unit: "month" prints v as YYYY-MM
}

// pairMetrics clones scenario and counterfactual, applies the settings to
// both, simulates the pair and returns all headline metrics (in
// metricDefs order) and the pair's status: Converged, or the Status of
// the first month that did not converge in either path.
func pairMetrics(ctx context.Context, scenario, counterfactual *Spec, sets []setting) ([]float64, Status, error) {
	s, c := scenario.Clone(), counterfactual.Clone()
	for _, st := range sets {
		if err := st.apply(s, st.v); err != nil {
			return nil, Failure, fmt.Errorf("%s = %s: %w", st.name, st.value(), err)
		}
		if err := st.apply(c, st.v); err != nil {
			return nil, Failure, fmt.Errorf("%s = %s (counterfactual): %w", st.name, st.value(), err)
		}
	}
	run, err := SimulatePair(ctx, s, c)
	if err != nil {
		return nil, Failure, err
	}
	status := Converged
	for _, p := range []*Path{run.Scenario, run.Counterfactual} {
		for _, r := range p.Results {
			if r.Status != Converged && status == Converged {
				status = r.Status
			}
		}
	}
	ms := Metrics(run)
	out := make([]float64, len(ms))
	for k, m := range ms {
		out[k] = m.Value
	}
	return out, status, nil
}

// parallelDo runs f(0..n-1) on workers goroutines (0: GOMAXPROCS) and
// returns the error of the lowest index that failed.
func parallelDo(ctx context.Context, workers, n int, f func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				errs[i] = f(i)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Sweep runs scenario and counterfactual at every point of a 1-D or 2-D
// grid and records the named metrics (names from MetricList; none means
// benchmark_price_change). At each point every axis's Param.Apply is
// called on clones of both specs (an Apply that changes the scenario alone
// must leave the counterfactual as it is). Points run on workers
// goroutines (0: GOMAXPROCS); the result does not depend on workers. A
// point with a non-converged month keeps its metrics and gets that
// month's Status; invalid input at a point (e.g. σ ≤ 1) is an error naming
// the point.
func Sweep(ctx context.Context, scenario, counterfactual *Spec, axes []SweepAxis, metrics []string, workers int) (*SweepResult, error) {
	if len(axes) < 1 || len(axes) > 2 {
		return nil, optionErr("sweep: %d axes; want 1 or 2", len(axes))
	}
	if err := checkSpec(scenario); err != nil {
		return nil, err
	}
	if err := checkSpec(counterfactual); err != nil {
		return nil, err
	}
	points := 1
	for a, ax := range axes {
		if ax.Param.Apply == nil {
			return nil, optionErr("sweep: axis %d (%s) has no Apply", a+1, ax.Param.Name)
		}
		for b := range a {
			if axes[b].Param.Name == ax.Param.Name {
				return nil, optionErr("sweep: axes %d and %d are both %s", b+1, a+1, ax.Param.Name)
			}
		}
		if len(ax.Values) == 0 {
			return nil, optionErr("sweep: axis %d (%s) has no values", a+1, ax.Param.Name)
		}
		for _, v := range ax.Values {
			if !distFinite(v) {
				return nil, optionErr("sweep: axis %d (%s): value %v is not finite", a+1, ax.Param.Name, v)
			}
		}
		points *= len(ax.Values)
	}
	if len(metrics) == 0 {
		metrics = []string{"benchmark_price_change"}
	}
	defs := metricDefs(scenario.Market)
	idx, err := metricIndex(defs, metrics)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	res := &SweepResult{
		Axes:    axes,
		Metrics: append([]string(nil), metrics...),
		Units:   make([]string, len(metrics)),
		Values:  make([][]float64, points),
		Status:  make([]Status, points),
	}
	for j, k := range idx {
		res.Units[j] = defs[k].Unit
	}
	err = parallelDo(ctx, workers, points, func(p int) error {
		sets := sweepSettings(axes, p)
		vals, st, err := pairMetrics(ctx, scenario, counterfactual, sets)
		if err != nil {
			return fmt.Errorf("sweep point %s: %w", describeSettings(sets), err)
		}
		row := make([]float64, len(idx))
		for j, k := range idx {
			row[j] = vals[k]
		}
		res.Values[p] = row
		res.Status[p] = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sweepSettings returns the axis values of grid point p (row-major, the
// last axis fastest).
func sweepSettings(axes []SweepAxis, p int) []setting {
	sets := make([]setting, len(axes))
	for a := len(axes) - 1; a >= 0; a-- {
		n := len(axes[a].Values)
		sets[a] = setting{name: axes[a].Param.Name, apply: axes[a].Param.Apply, v: axes[a].Values[p%n], unit: axes[a].Param.Unit}
		p /= n
	}
	return sets
}

// describeSettings names a grid point, e.g. "events.us-ban.end=2026-03,
// market.regions.Brazil.demand_elasticity=0.4": a month parameter's value
// as YYYY-MM, a number's with %g.
func describeSettings(sets []setting) string {
	s := ""
	for k, st := range sets {
		if k > 0 {
			s += ", "
		}
		s += st.name + "=" + st.value()
	}
	return s
}

// value is the setting's value as the user writes it: a month as
// YYYY-MM (a fractional month index, e.g. a percentile of a month-valued
// Uncertain, as the nearest month with the index beside it).
func (st setting) value() string {
	if st.unit == UnitMonth && math.Abs(st.v) < 1e9 {
		if st.v == math.Trunc(st.v) {
			return Month(int(st.v)).String()
		}
		return fmt.Sprintf("%s (month index %g)", Month(int(math.Round(st.v))), st.v)
	}
	return fmt.Sprintf("%g", st.v)
}

// Sensitivity sets each uncertain parameter to its low and high value (the
// 5th and 95th percentiles of its distribution, truncated along its axis
// when one of them breaks a joint rule: tornadoEnds) with the others at
// their central values and records metric (a name from MetricList). Bars are
// sorted by |AtHigh − AtLow|, largest first (ties keep the input order).
// Runs use workers goroutines (0: GOMAXPROCS). Runs with a non-converged
// month are counted in Tornado.Failed.
func Sensitivity(ctx context.Context, scenario, counterfactual *Spec, unc []Uncertain, metric string, workers int) (*Tornado, error) {
	if err := checkSpec(scenario); err != nil {
		return nil, err
	}
	if err := checkSpec(counterfactual); err != nil {
		return nil, err
	}
	if metric == "" {
		metric = "benchmark_price_change"
	}
	defs := metricDefs(scenario.Market)
	idx, err := metricIndex(defs, []string{metric})
	if err != nil {
		return nil, fmt.Errorf("sensitivity: %w", err)
	}
	mk := idx[0]
	for k, u := range unc {
		if u.Dist == nil || u.Apply == nil {
			return nil, optionErr("sensitivity: uncertain parameter %d (%s) has no distribution or no Apply", k, u.Name)
		}
	}
	central := make([]setting, len(unc))
	for k, u := range unc {
		central[k] = setting{name: u.Name, apply: u.Apply, v: u.Central, unit: u.Unit}
	}
	ends := make([]barEnds, len(unc))
	for k := range unc {
		ends[k] = tornadoEnds(scenario, counterfactual, central, unc, k)
	}
	// run 0: all central; run 2k+1: parameter k low; 2k+2: high.
	n := 1 + 2*len(unc)
	vals := make([]float64, n)
	stat := make([]Status, n)
	err = parallelDo(ctx, workers, n, func(j int) error {
		sets := append([]setting(nil), central...)
		if j > 0 {
			k := (j - 1) / 2
			sets[k].v = ends[k].at[1-j%2]
		}
		ms, st, err := pairMetrics(ctx, scenario, counterfactual, sets)
		if err != nil {
			return fmt.Errorf("sensitivity run %s: %w", describeSettings(sets), err)
		}
		vals[j], stat[j] = ms[mk], st
		return nil
	})
	if err != nil {
		return nil, err
	}
	t := &Tornado{Metric: metric, Unit: defs[mk].Unit, Base: vals[0]}
	for _, s := range stat {
		if s != Converged {
			t.Failed++
		}
	}
	for k, u := range unc {
		t.Bars = append(t.Bars, TornadoBar{
			Param: u.Name,
			Low:   ends[k].at[0], High: ends[k].at[1],
			AtLow: vals[2*k+1], AtHigh: vals[2*k+2],
			StatedLow: ends[k].stated[0], StatedHigh: ends[k].stated[1],
			LowCut: ends[k].cut[0], HighCut: ends[k].cut[1],
		})
	}
	sort.SliceStable(t.Bars, func(a, b int) bool {
		return math.Abs(t.Bars[a].AtHigh-t.Bars[a].AtLow) > math.Abs(t.Bars[b].AtHigh-t.Bars[b].AtLow)
	})
	return t, nil
}

// barEnds are a tornado bar's parameter values: at (low, high) the values
// run, stated the 5th and 95th percentiles of the stated distribution, and
// cut the joint rule (RuleStockCycle, RuleCrop) that truncates the box
// below and above the central value ("" when none does).
type barEnds struct {
	at, stated [2]float64
	cut        [2]string
}

// tornadoEnds returns parameter k's low and high values in a tornado: the
// 5th and 95th percentiles of its distribution or, when one of them
// breaks a joint rule (JointRules) with the other parameters at their
// central values, the percentiles of its distribution truncated along its
// axis to the values that keep the rules: the one-at-a-time view of the
// truncated prior the Monte Carlo draws from (docs/MODEL.md §9.1). The
// values kept are taken to be an interval of probabilities around the
// central value's, whose ends are found by bisection (60 halvings). It
// names the rule that cuts each side of the interval: the rule broken by
// the stated percentile or, when that keeps the rules, by the
// distribution's far tail (probability 1e-12 from its end).
func tornadoEnds(scen, cf *Spec, central []setting, unc []Uncertain, k int) barEnds {
	q := unc[k].Dist.Quantile
	ends := barEnds{stated: [2]float64{q(0.05), q(0.95)}}
	ends.at = ends.stated
	s, c := scen.Clone(), cf.Clone()
	for _, st := range central {
		if st.apply(s, st.v) != nil || st.apply(c, st.v) != nil {
			return ends // pairMetrics reports it
		}
	}
	// broken returns the rule broken at probability u ("" when kept).
	broken := func(u float64) string {
		v := q(u)
		if unc[k].Apply(s, v) != nil || unc[k].Apply(c, v) != nil {
			return "" // pairMetrics reports it
		}
		rule, _ := drawRules(s, c)
		return rule
	}
	keeps := func(u float64) bool { return broken(u) == "" }
	lowRule, highRule := broken(0.05), broken(0.95)
	if lowRule == "" && highRule == "" {
		return ends
	}
	// The probability of the central value.
	lo, hi := 0.0, 1.0
	for range 60 {
		if m := (lo + hi) / 2; q(m) < unc[k].Central {
			lo = m
		} else {
			hi = m
		}
	}
	uc := hi
	if !keeps(uc) {
		return ends // a central value beyond a rule is the validator's error
	}
	edge := func(bad float64) float64 {
		good := uc
		for range 60 {
			if m := (good + bad) / 2; keeps(m) {
				good = m
			} else {
				bad = m
			}
		}
		return good
	}
	ua, ub := 0.0, 1.0
	if lowRule == "" {
		lowRule = broken(1e-12)
	}
	if lowRule != "" {
		ua = edge(0)
	}
	if highRule == "" {
		highRule = broken(1 - 1e-12)
	}
	if highRule != "" {
		ub = edge(1)
	}
	ends.at = [2]float64{q(ua + 0.05*(ub-ua)), q(ua + 0.95*(ub-ua))}
	ends.cut = [2]string{lowRule, highRule}
	return ends
}
