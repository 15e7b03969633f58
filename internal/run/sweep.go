package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// MaxGridPoints bounds a sweep's grid.
const MaxGridPoints = 10000

// DefaultMetric is the metric of sweeps and sensitivity when none is
// asked for.
const DefaultMetric = "revenue_change.Belarus"

// SweepAxis is one parameter of a sweep and its grid as the user wrote it.
type SweepAxis struct {
	// Name names the axis in messages and on the command line, e.g.
	// "--range" ("--range2" for the second).
	Name string
	// Param is the parameter's path (the paths of --set), e.g.
	// market.regions.Brazil.demand_elasticity.
	Param string
	// Range is FROM:TO:STEPS: STEPS evenly spaced values from FROM to TO,
	// ends included; months (YYYY-MM) for a month parameter.
	Range string
}

// SweepRequest is a sweep of a scenario over a 1-D or 2-D grid.
type SweepRequest struct {
	Scenario *scenarios.Scenario
	Ref      string
	Sets     []string
	Axes     []SweepAxis // one or two
	Metrics  []string    // default DefaultMetric
	Workers  int
	Charts   *plots.Options
}

// SweepResult is a sweep.
type SweepResult struct {
	Scenario *scenarios.Scenario
	Model    *model.SweepResult
	Summary  *report.SweepSummary
	Charts   []*plots.Chart
}

// grid is a parsed range.
type grid struct {
	values []float64
	months bool // values are model.Months
}

// parseRange parses FROM:TO:STEPS for a parameter in unit (month
// parameters take months, the others numbers).
func parseRange(ax SweepAxis, unit string) (grid, error) {
	bad := func(format string, a ...any) error {
		return inputErr("%s %q: %s", ax.Name, ax.Range, fmt.Sprintf(format, a...))
	}
	parts := strings.Split(ax.Range, ":")
	if len(parts) != 3 {
		return grid{}, bad("want FROM:TO:STEPS, e.g. 0.1:0.8:8 or 2025-06:2026-12:7")
	}
	steps, err := strconv.Atoi(strings.TrimSpace(parts[2]))
	if err != nil || steps < 1 || steps > MaxGridPoints {
		return grid{}, bad("STEPS must be a whole number from 1 to %d", MaxGridPoints)
	}
	wantMonths := unit == "month"
	var g grid
	var from, to float64
	m1, err1 := model.ParseMonth(strings.TrimSpace(parts[0]))
	m2, err2 := model.ParseMonth(strings.TrimSpace(parts[1]))
	switch {
	case err1 == nil && err2 == nil:
		if !wantMonths {
			return grid{}, bad("%s is a number (%s), not a month: give FROM and TO as numbers", ax.Param, unitText(unit))
		}
		g.months = true
		from, to = float64(m1), float64(m2)
		if span := int(m2 - m1); steps > 1 && span%(steps-1) != 0 {
			return grid{}, bad("%d months from %s to %s do not divide into %d equal steps", span, m1, m2, steps-1)
		}
	case wantMonths:
		return grid{}, bad("%s is a month: give FROM and TO as YYYY-MM, e.g. 2025-06:2026-12:7", ax.Param)
	default:
		var e1, e2 error
		from, e1 = strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		to, e2 = strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		if e1 != nil || e2 != nil || math.IsNaN(from) || math.IsNaN(to) || math.IsInf(from, 0) || math.IsInf(to, 0) {
			return grid{}, bad("FROM and TO must be finite numbers")
		}
	}
	if steps == 1 {
		if from != to {
			return grid{}, bad("one step needs FROM = TO")
		}
		g.values = []float64{from}
		return g, nil
	}
	g.values = make([]float64, steps)
	for k := range g.values {
		g.values[k] = from + (to-from)*float64(k)/float64(steps-1)
	}
	g.values[steps-1] = to
	for k, v := range g.values {
		// 0.30000000000000004 → 0.3: grid points are round numbers.
		g.values[k], _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
		if math.IsNaN(g.values[k]) || math.IsInf(g.values[k], 0) {
			return grid{}, bad("the grid overflows")
		}
		if g.months {
			g.values[k] = math.Round(g.values[k])
		}
	}
	return g, nil
}

// axisOf is grid g as an axis of a sweep's summary.
func axisOf(g grid) report.SweepAxis {
	a := report.SweepAxis{Values: g.values}
	if g.months {
		for _, v := range g.values {
			a.Months = append(a.Months, model.Month(int(v)).String())
		}
	}
	return a
}

func unitText(unit string) string {
	if unit == "" {
		return "no unit"
	}
	return unit
}

// Sweep runs req's scenario at every point of its grid. Every grid value
// is checked first against the parameter's valid range, as --set checks
// it: a value out of range is an ErrInput error naming it.
func (e Engine) Sweep(ctx context.Context, req SweepRequest) (*SweepResult, error) {
	s := req.Scenario
	if s == nil || s.Spec == nil || s.Counterfactual == nil {
		return nil, inputErr("no scenario to sweep")
	}
	if len(req.Axes) < 1 || len(req.Axes) > 2 {
		return nil, inputErr("a sweep has one or two parameters, got %d", len(req.Axes))
	}
	if err := CheckWorkers(req.Workers); err != nil {
		return nil, err
	}
	metrics := req.Metrics
	if len(metrics) == 0 {
		metrics = []string{DefaultMetric}
	}
	if err := CheckMetrics(s.Spec.Market, metrics); err != nil {
		return nil, err
	}
	var axes []model.SweepAxis
	var grids []grid
	var warnings, chartWarnings []string
	points := 1
	for _, ax := range req.Axes {
		p, err := s.Param(ax.Param)
		if err != nil {
			// The error names the parameter ("parameter PATH: ..."):
			// adding the path again would say it twice.
			return nil, &Error{Kind: ErrInput, Err: plainErr{err}}
		}
		if w := sharedEventWarning(s, ax.Param); w != "" {
			warnings = append(warnings, w)
			chartWarnings = append(chartWarnings, sharedEventChartNote(s, ax.Param))
		}
		for j := range axes {
			if axes[j].Param.Name == p.Name {
				return nil, inputErr("--param and --param2 are both %s: a 2-D sweep needs two different parameters", p.Name)
			}
		}
		g, err := parseRange(ax, p.Unit)
		if err != nil {
			return nil, err
		}
		for _, v := range g.values {
			if err := p.Apply(s.Spec.Clone(), v); err != nil {
				return nil, inputErr("%s %s: %w", ax.Name, ax.Range, plainErr{err})
			}
		}
		points *= len(g.values)
		axes = append(axes, model.SweepAxis{Param: p, Values: g.values})
		grids = append(grids, g)
	}
	if points > MaxGridPoints {
		return nil, inputErr("the grid has %d points; at most %d", points, MaxGridPoints)
	}
	if err := checkJointRules(s, req.Axes, axes, grids); err != nil {
		return nil, err
	}
	mr, err := model.Sweep(ctx, s.Spec, s.Counterfactual, axes, metrics, req.Workers)
	if errors.Is(err, model.ErrInvalid) {
		// Invalid input at a grid point (an event ending before it
		// starts, ...): the user's to fix. The model's error names the
		// point and the scenario ("sweep point events.us-ban.end=2000-01:
		// history: events[us-ban].end: ..."): adding "sweep of history"
		// would name both twice.
		return nil, &Error{Kind: ErrInput, Err: err}
	}
	if err != nil {
		return nil, wrapKind(ErrModel, "sweep of "+s.Name, err)
	}
	if len(mr.Values) != points {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("sweep of %s: %d results for %d grid points", s.Name, len(mr.Values), points)}
	}
	args := []string{"potash", "sweep", commandRef(req.Ref, s.Name)}
	for k, ax := range req.Axes {
		flag := "--param"
		if k > 0 {
			flag = fmt.Sprintf("--param%d", k+1)
		}
		args = append(args, flag, ax.Param, ax.Name, ax.Range)
	}
	for _, m := range metrics {
		args = append(args, "--metric", m)
	}
	for _, st := range req.Sets {
		args = append(args, "--set", st)
	}
	sum := &report.SweepSummary{
		Provenance: report.NewProvenance(report.CommandLine(args), req.Sets, report.Input{Name: s.Name, SHA256: s.Hash}),
		Scenario:   s.Name, Metrics: mr.Metrics, Units: mr.Units, Warnings: warnings,
	}
	// The metrics' words and window, as the headline table has them.
	window := reportWindow(s)
	words := map[string]plots.MetricWords{}
	for _, m := range mr.Metrics {
		what, measure := report.MetricLabel(s.Spec.Market, m)
		words[m] = plots.MetricWords{What: what, Measure: measure}
		sum.Labels = append(sum.Labels, report.WindowLabel(what, measure, window))
	}
	for k, ax := range mr.Axes {
		sa := axisOf(grid{values: ax.Values, months: grids[k].months})
		sa.Param, sa.Unit = req.Axes[k].Param, ax.Param.Unit
		sum.Axes = append(sum.Axes, sa)
	}
	for p := range mr.Values {
		st := model.Converged
		if p < len(mr.Status) {
			st = mr.Status[p]
		}
		if st != model.Converged {
			sum.NotConverged++
		}
		sum.Points = append(sum.Points, report.SweepPoint{At: gridPoint(mr.Axes, p), Values: mr.Values[p], Converged: st == model.Converged, Status: st.String()})
	}
	if err := sum.CheckFinite(); err != nil {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("sweep of %s: %w", s.Name, err)}
	}
	res := &SweepResult{Scenario: s, Model: mr, Summary: sum}
	if req.Charts != nil {
		meta := ChartMeta(s, 0, 0)
		meta.Warnings = chartWarnings
		meta.MetricWords, meta.HeadlineWindow = words, window
		charts, err := plots.SweepCharts(mr, meta)
		if err != nil {
			return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("sweep charts: %w", err)}
		}
		res.Charts = pageOrder(charts)
	}
	return res, nil
}

// sharedEventWarning says, for a swept events.ID.FIELD path whose event
// the counterfactual holds identically (Scenario.SharedEvents), that the
// sweep moves both runs, so the event's own effect cancels in the
// scenario−counterfactual differences (klaipeda-closed.end in
// us-relief-2025: revenue_change.Belarus moves by 0.0002 $bn over two
// years, against 0.07 for scenario.events.klaipeda-closed.end), and names
// the path that changes the scenario's event only; "" for any other
// path.
func sharedEventWarning(s *scenarios.Scenario, path string) string {
	ids := s.SharedEvents(path)
	if len(ids) == 0 {
		return ""
	}
	what, it, only := "event "+ids[0], "it is", "event"
	if len(ids) > 1 {
		if len(ids) > 4 {
			ids = append(ids[:2:2], fmt.Sprintf("%s and %d more", ids[2], len(ids)-3))
		}
		what, it, only = "events "+strings.Join(ids, ", "), "they are", "events"
	}
	return fmt.Sprintf("%s changes %s in the scenario and its counterfactual (%s) alike (%s the same in both): "+
		"the differences (the *_change metrics) show how the scenario's effect depends on it, its own effect cancels, "+
		"and their line may be nearly flat; to change the scenario's %s only, sweep %s.%s", path, what, s.Counterfactual.Name, it, only, scenarios.ScenarioOnly, path)
}

// sharedEventChartNote is sharedEventWarning in a few words, for the
// sweep's charts to carry (plots.Meta.Warnings): that the swept path moves
// the counterfactual too, so the changes barely move, and the path that
// moves the scenario only; "" for a path of no shared event.
func sharedEventChartNote(s *scenarios.Scenario, path string) string {
	if len(s.SharedEvents(path)) == 0 {
		return ""
	}
	return fmt.Sprintf("Both runs move with %s (%s shares the event), so its own effect cancels in the changes; %s.%s moves the scenario only.",
		path, s.Counterfactual.Name, scenarios.ScenarioOnly, path)
}

// maxRulePoints is how many of the grid points beyond a joint rule
// checkJointRules names.
const maxRulePoints = 5

// checkJointRules returns an ErrInput error naming the grid points (the
// first maxRulePoints, and how many in all) at which the scenario or its
// counterfactual breaks a joint rule (model.JointRules: the stock-cycle
// rule, the crop rule), each with why: the values `potash run --set`
// refuses. Each axis' values keep the rules with the other parameters at
// the scenario's values (Param.Apply checks them against the range the
// rules narrow); two rule fields swept together can break them jointly.
func checkJointRules(s *scenarios.Scenario, req []SweepAxis, axes []model.SweepAxis, grids []grid) error {
	points := 1
	for _, ax := range axes {
		points *= len(ax.Values)
	}
	var bad []string
	n := 0
	for p := range points {
		at := gridPoint(axes, p)
		sc, cf := s.Spec.Clone(), s.Counterfactual.Clone()
		applied := true
		for k, v := range at {
			if axes[k].Param.Apply(sc, v) != nil || axes[k].Param.Apply(cf, v) != nil {
				applied = false // model.Sweep names the point and the error
			}
		}
		if !applied {
			continue
		}
		_, why, inCF := model.PairRules(sc, cf)
		if why == "" {
			continue
		}
		if inCF {
			why = "its counterfactual breaks " + why
		} else {
			why = "breaks " + why
		}
		if n++; n > maxRulePoints {
			continue
		}
		var set []string
		for k, v := range at {
			set = append(set, req[k].Param+"="+axisOf(grids[k]).Format(v))
		}
		bad = append(bad, "  "+strings.Join(set, ", ")+": "+why)
	}
	if n == 0 {
		return nil
	}
	if n > maxRulePoints {
		bad = append(bad, fmt.Sprintf("  … and %d more", n-maxRulePoints))
	}
	flags := "--range"
	if len(req) > 1 {
		flags = "--range or --range2"
	}
	return inputErr("%d of %d sweep points break a joint rule of the parameters (docs/MODEL.md §9.1), as potash run --set with their values would: "+
		"narrow %s to keep them\n%s", n, points, flags, strings.Join(bad, "\n"))
}

// Sweep runs a sweep with the default Engine.
func Sweep(ctx context.Context, req SweepRequest) (*SweepResult, error) {
	return Engine{}.Sweep(ctx, req)
}

// gridPoint returns the parameter values of point p (row-major, last axis
// fastest).
func gridPoint(axes []model.SweepAxis, p int) []float64 {
	at := make([]float64, len(axes))
	for k := len(axes) - 1; k >= 0; k-- {
		n := len(axes[k].Values)
		at[k] = axes[k].Values[p%n]
		p /= n
	}
	return at
}

// Err returns an ErrNotConverged error when some grid point had a month
// that did not converge, or nil.
func (r *SweepResult) Err() error {
	s := r.Summary
	if s.NotConverged == 0 {
		return nil
	}
	var pts []string
	for _, p := range s.Points {
		if p.Converged {
			continue
		}
		if len(pts) == 5 {
			pts = append(pts, "…")
			break
		}
		var at []string
		for k, x := range p.At {
			at = append(at, s.Axes[k].Param+"="+s.Axes[k].Format(x))
		}
		pts = append(pts, strings.Join(at, " ")+" ("+p.Status+")")
	}
	return &Error{Kind: ErrNotConverged, Err: fmt.Errorf("sweep of %s: %d of %d grid points had months that did not converge (marked in sweep.csv): %s",
		s.Scenario, s.NotConverged, len(s.Points), strings.Join(pts, ", "))}
}

// Output returns the sweep's outputs: sweep.csv, the charts and
// summary.json.
func (r *SweepResult) Output() *Output {
	s := r.Summary
	return &Output{
		Command: "sweep", Prov: &s.Provenance, Charts: r.Charts,
		Files:   []File{{report.FileSweep, func(w io.Writer) error { return report.WriteSweepCSV(w, s) }}},
		Summary: func([]report.ChartInfo) []File { return []File{{report.FileSummary, s.WriteJSON}} },
	}
}

// SensitivityRequest is a one-at-a-time sensitivity analysis (tornado) of
// a metric over the scenario's uncertain parameters.
type SensitivityRequest struct {
	Scenario *scenarios.Scenario
	Ref      string
	Sets     []string
	Metric   string // default DefaultMetric
	Workers  int
	Charts   *plots.Options
}

// SensitivityResult is a tornado.
type SensitivityResult struct {
	Scenario *scenarios.Scenario
	Model    *model.Tornado
	Summary  *report.SensitivitySummary
	Charts   []*plots.Chart
}

// Sensitivity runs req.
func (e Engine) Sensitivity(ctx context.Context, req SensitivityRequest) (*SensitivityResult, error) {
	s := req.Scenario
	if s == nil || s.Spec == nil || s.Counterfactual == nil {
		return nil, inputErr("no scenario to analyse")
	}
	if len(s.Uncertain) == 0 {
		return nil, inputErr("%s has no uncertain parameters: add an uncertainty: section (docs/SCENARIOS.md)", s.Name)
	}
	if err := CheckWorkers(req.Workers); err != nil {
		return nil, err
	}
	metric := req.Metric
	if metric == "" {
		metric = DefaultMetric
	}
	if err := CheckMetrics(s.Spec.Market, []string{metric}); err != nil {
		return nil, err
	}
	// A tornado reads the box of draws one axis at a time. When the joint
	// rules cut away most of the box, what is left is not the stated prior
	// (scenarios.MaxRejectedShare) and the tornado is refused as a run's
	// draws are; a box partly beyond the rules runs, each end beyond a
	// rule truncated along its axis (model.Sensitivity, docs/MODEL.md
	// §9.1 and §10).
	if err := s.DrawsRefused(); err != nil {
		return nil, &Error{Kind: ErrInput, Err: fmt.Errorf("the sensitivity analysis of %s is refused: %w", s.Name, err)}
	}
	t, err := e.withDefaults().Tornado(ctx, s.Spec, s.Counterfactual, s.Uncertain, metric, req.Workers)
	if err != nil {
		return nil, wrapKind(ErrModel, "sensitivity of "+s.Name, err)
	}
	if t == nil {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("sensitivity of %s: the analysis returned no result", s.Name)}
	}
	args := []string{"potash", "sensitivity", commandRef(req.Ref, s.Name), "--metric", metric}
	for _, st := range req.Sets {
		args = append(args, "--set", st)
	}
	sum := &report.SensitivitySummary{
		Provenance: report.NewProvenance(report.CommandLine(args), req.Sets, report.Input{Name: s.Name, SHA256: s.Hash}),
		Scenario:   s.Name, Metric: t.Metric, Unit: t.Unit, Base: t.Base, NotConverged: t.Failed,
	}
	if s.Spec != nil {
		what, measure := report.MetricLabel(s.Spec.Market, t.Metric)
		sum.Label = report.WindowLabel(what, measure, reportWindow(s))
	}
	for _, b := range t.Bars {
		sum.Bars = append(sum.Bars, report.TornadoBar{Param: b.Param, Low: b.Low, High: b.High, AtLow: b.AtLow, AtHigh: b.AtHigh, Swing: math.Abs(b.AtHigh - b.AtLow),
			StatedLow: b.StatedLow, StatedHigh: b.StatedHigh, LowCutBy: b.LowCut, HighCutBy: b.HighCut})
	}
	if err := sum.CheckFinite(); err != nil {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("sensitivity of %s: %w", s.Name, err)}
	}
	res := &SensitivityResult{Scenario: s, Model: t, Summary: sum}
	if req.Charts != nil {
		ch, err := plots.TornadoChart(t, ChartMeta(s, 0, 0))
		if err != nil {
			return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("tornado chart: %w", err)}
		}
		res.Charts = []*plots.Chart{ch}
	}
	return res, nil
}

// Sensitivity runs a sensitivity analysis with the default Engine.
func Sensitivity(ctx context.Context, req SensitivityRequest) (*SensitivityResult, error) {
	return Engine{}.Sensitivity(ctx, req)
}

// Err returns an ErrNotConverged error when some run of the analysis had
// a month that did not converge, or nil.
func (r *SensitivityResult) Err() error {
	if n := r.Summary.NotConverged; n > 0 {
		return &Error{Kind: ErrNotConverged, Err: fmt.Errorf("sensitivity of %s: %d of %d runs had months that did not converge; their %s is still reported",
			r.Summary.Scenario, n, 1+2*len(r.Summary.Bars), r.Summary.Metric)}
	}
	return nil
}

// Output returns the analysis' outputs: sensitivity.csv, the tornado chart
// and summary.json.
func (r *SensitivityResult) Output() *Output {
	s := r.Summary
	return &Output{
		Command: "sensitivity", Prov: &s.Provenance, Charts: r.Charts,
		Files:   []File{{report.FileSensitivity, func(w io.Writer) error { return report.WriteSensitivityCSV(w, s) }}},
		Summary: func([]report.ChartInfo) []File { return []File{{report.FileSummary, s.WriteJSON}} },
	}
}

// reportWindow is s's headline window, "2025-12 to 2028-12" ("" without
// a spec), as the headline table words it.
func reportWindow(s *scenarios.Scenario) string {
	sp := s.Spec
	if sp == nil {
		return ""
	}
	from := sp.Start
	if sp.ReportStart != 0 {
		from = sp.ReportStart
	}
	return from.String() + " to " + sp.End.String()
}
