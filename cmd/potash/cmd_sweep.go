package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

func init() {
	registerCommand(newSweepCommand)
	registerCommand(newSensitivityCommand)
}

// defaultMetric is the metric of sweeps and sensitivity when --metric is
// not given.
const defaultMetric = "revenue_change.Belarus"

// maxGridPoints bounds a sweep's grid.
const maxGridPoints = 10000

type sweepArgs struct {
	scenario     string
	param, rng   string
	param2, rng2 string
	metrics      cli.StringSlice
	sets         cli.StringSlice
	workers      int
	format, out  string
	chartFlags
}

const fileSweep = "sweep.csv"

func newSweepCommand() *cli.Command {
	a := &sweepArgs{}
	return &cli.Command{
		Name:      "sweep",
		Usage:     "run a scenario over a 1-D or 2-D grid of a parameter and report metrics",
		ArgsUsage: "SCENARIO",
		UsageText: "potash sweep SCENARIO --param PATH --range FROM:TO:STEPS [--param2 PATH --range2 FROM:TO:STEPS] [--metric NAME]... [flags]",
		Description: "Sets the parameter at PATH (the same paths as --set) to STEPS evenly spaced values from FROM to TO,\n" +
			"runs scenario and counterfactual at each, and reports the metrics (names as in summary.json, e.g.\n" +
			"benchmark_price_change, revenue_change.Belarus). With --param2 the grid is 2-D. Month-valued\n" +
			"parameters take months: --range 2025-06:2026-12:7. Writes sweep.csv, summary.json and the sweep\n" +
			"chart(s) into --out.\n\n" +
			"Examples:\n" +
			"  potash sweep us-relief-2025 --param market.regions.Brazil.demand_elasticity --range 0.1:0.8:8\n" +
			"  potash sweep us-relief-2025 --param events.belarus-discount.pct --range 0:30:7 \\\n" +
			"      --param2 market.regions.*.demand_elasticity --range2 0.2:0.6:5 --metric benchmark_price_change",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "param", Aliases: []string{"p"}, Usage: "parameter `PATH` to sweep, e.g. market.regions.Brazil.demand_elasticity", Destination: &a.param},
			&cli.StringFlag{Name: "range", Aliases: []string{"r"}, Usage: "grid of --param: `FROM:TO:STEPS` (STEPS values, ends included)", Destination: &a.rng},
			&cli.StringFlag{Name: "param2", Usage: "second parameter `PATH`, for a 2-D sweep", Destination: &a.param2},
			&cli.StringFlag{Name: "range2", Usage: "grid of --param2: `FROM:TO:STEPS`", Destination: &a.rng2},
			&cli.StringSliceFlag{Name: "metric", Aliases: []string{"m"}, Usage: "metric `NAME` to report, repeatable or comma-separated (default " + defaultMetric + ")", Destination: &a.metrics},
			setFlag(&a.sets),
			workersFlag(&a.workers),
			formatFlag(&a.format),
			outFlag(&a.out, "./potash-out/SCENARIO-sweep"),
		}, a.chartFlags.flags()...),
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return badInputf("sweep needs one SCENARIO, got %d", c.NArg())
			}
			a.scenario = c.Args().First()
			return sweepScenario(c.Context, envOf(c), a)
		},
	}
}

// grid is a parsed --range.
type grid struct {
	values []float64
	months bool // values are model.Months
}

// parseRange parses FROM:TO:STEPS; FROM and TO are numbers or YYYY-MM
// months (both the same kind).
func parseRange(flag, s string) (grid, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return grid{}, badInputf("%s %q: want FROM:TO:STEPS, e.g. 0.1:0.8:8 or 2025-06:2026-12:7", flag, s)
	}
	steps, err := strconv.Atoi(strings.TrimSpace(parts[2]))
	if err != nil || steps < 1 || steps > maxGridPoints {
		return grid{}, badInputf("%s %q: STEPS must be a whole number from 1 to %d", flag, s, maxGridPoints)
	}
	var g grid
	var from, to float64
	m1, err1 := model.ParseMonth(parts[0])
	m2, err2 := model.ParseMonth(parts[1])
	if err1 == nil && err2 == nil {
		g.months = true
		from, to = float64(m1), float64(m2)
		if span := int(m2 - m1); steps > 1 && span%(steps-1) != 0 {
			return grid{}, badInputf("%s %q: %d months from %s to %s do not divide into %d equal steps", flag, s, span, m1, m2, steps-1)
		}
	} else {
		var e1, e2 error
		from, e1 = strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		to, e2 = strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		if e1 != nil || e2 != nil || math.IsNaN(from) || math.IsNaN(to) || math.IsInf(from, 0) || math.IsInf(to, 0) {
			return grid{}, badInputf("%s %q: FROM and TO must be finite numbers or YYYY-MM months", flag, s)
		}
	}
	if steps == 1 {
		if from != to {
			return grid{}, badInputf("%s %q: one step needs FROM = TO", flag, s)
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
			return grid{}, badInputf("%s %q: the grid overflows", flag, s)
		}
	}
	if g.months {
		for k := range g.values {
			g.values[k] = math.Round(g.values[k])
		}
	}
	return g, nil
}

func (g grid) format(v float64) string {
	if g.months {
		return model.Month(int(v)).String()
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

type sweepSummary struct {
	Tool         string      `json:"tool"`
	ModelVersion string      `json:"model_version"`
	Command      string      `json:"command"`
	Scenario     string      `json:"scenario"`
	Hash         string      `json:"sha256"`
	Sets         []string    `json:"sets,omitempty"`
	Axes         []sweepAxis `json:"axes"`
	Metrics      []string    `json:"metrics"`
	Units        []string    `json:"units"`
	Points       []sweepPt   `json:"points"`
	NotConverged int         `json:"not_converged"`
	Files        []string    `json:"files"`
}

type sweepAxis struct {
	Param  string    `json:"param"`
	Unit   string    `json:"unit"`
	Values []float64 `json:"values"`
	Months []string  `json:"months,omitempty"`
}

type sweepPt struct {
	At        []float64 `json:"at"`
	Values    []float64 `json:"values"`
	Converged bool      `json:"converged"`
}

// sweepScenario is `potash sweep`.
func sweepScenario(ctx context.Context, e *env, a *sweepArgs) error {
	if err := checkFormat(a.format); err != nil {
		return err
	}
	if a.workers < 0 {
		return badInputf("--workers %d: want 0 (all cores) or more", a.workers)
	}
	if a.param == "" || a.rng == "" {
		return badInputf("sweep needs --param PATH and --range FROM:TO:STEPS")
	}
	if (a.param2 == "") != (a.rng2 == "") {
		return badInputf("--param2 and --range2 go together")
	}
	chartOpts, charts, err := a.chartFlags.options()
	if err != nil {
		return err
	}
	grids := []grid{}
	g, err := parseRange("--range", a.rng)
	if err != nil {
		return err
	}
	grids = append(grids, g)
	paths := []string{a.param}
	if a.param2 != "" {
		g2, err := parseRange("--range2", a.rng2)
		if err != nil {
			return err
		}
		grids = append(grids, g2)
		paths = append(paths, a.param2)
	}
	points := 1
	for _, g := range grids {
		points *= len(g.values)
	}
	if points > maxGridPoints {
		return badInputf("the grid has %d points; at most %d", points, maxGridPoints)
	}
	var metrics []string
	for _, m := range a.metrics.Value() {
		for _, name := range strings.Split(m, ",") {
			if name = strings.TrimSpace(name); name != "" {
				metrics = append(metrics, name)
			}
		}
	}
	if len(metrics) == 0 {
		metrics = []string{defaultMetric}
	}
	s, err := loadScenario(e, a.scenario, a.sets.Value())
	if err != nil {
		return err
	}
	if err := checkMetrics(s, metrics); err != nil {
		return err
	}
	var axes []model.SweepAxis
	for k, path := range paths {
		p, err := s.Param(path)
		if err != nil {
			flag := "--param"
			if k == 1 {
				flag = "--param2"
			}
			return badInput(fmt.Errorf("%s %s: %w", flag, path, err))
		}
		axes = append(axes, model.SweepAxis{Param: p, Values: grids[k].values})
	}
	res, err := model.Sweep(ctx, s.Spec, s.Counterfactual, axes, metrics, a.workers)
	if err != nil {
		return modelErr("sweep of "+s.Name, err)
	}
	if len(res.Values) != points {
		return runFailed(fmt.Errorf("sweep of %s: %d results for %d grid points", s.Name, len(res.Values), points))
	}
	sum := &sweepSummary{Tool: "potash", ModelVersion: model.Version, Scenario: s.Name, Hash: s.Hash,
		Sets: a.sets.Value(), Metrics: res.Metrics, Units: res.Units}
	args := []string{"potash", "sweep", a.scenario, "--param", a.param, "--range", a.rng}
	if a.param2 != "" {
		args = append(args, "--param2", a.param2, "--range2", a.rng2)
	}
	for _, m := range metrics {
		args = append(args, "--metric", m)
	}
	for _, st := range a.sets.Value() {
		args = append(args, "--set", st)
	}
	sum.Command = commandLine(args)
	for k, ax := range res.Axes {
		sa := sweepAxis{Param: paths[k], Unit: ax.Param.Unit, Values: ax.Values}
		if grids[k].months {
			for _, v := range ax.Values {
				sa.Months = append(sa.Months, grids[k].format(v))
			}
		}
		sum.Axes = append(sum.Axes, sa)
	}
	for p := range res.Values {
		at := gridPoint(res.Axes, p)
		conv := p >= len(res.Status) || res.Status[p] == model.Converged
		if !conv {
			sum.NotConverged++
		}
		for m, v := range res.Values[p] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return runFailed(fmt.Errorf("sweep of %s: %s is not a finite number at point %d", s.Name, res.Metrics[m], p+1))
			}
		}
		sum.Points = append(sum.Points, sweepPt{At: at, Values: res.Values[p], Converged: conv})
	}

	dir := outDir(e, a.out, s.Name+"-sweep")
	stage, err := newStage(dir)
	if err != nil {
		return err
	}
	defer stage.Abort()
	if charts {
		if _, err := plots.RenderSweep(stage.StagingDir(), res, chartMeta(s, 0, 0), chartOpts); err != nil {
			return runFailed(fmt.Errorf("charts: %w", err))
		}
	}
	if err := stage.WriteFile(fileSweep, func(w io.Writer) error { return writeSweepCSV(w, sum, grids) }); err != nil {
		return runFailed(fmt.Errorf("%s: %w", fileSweep, err))
	}
	sum.Files = stagedFiles(stage, fileSummary)
	if err := stage.WriteFile(fileSummary, func(w io.Writer) error { return writeJSON(w, sum) }); err != nil {
		return runFailed(err)
	}
	files, err := commitStage(stage, dir, "sweep")
	if err != nil {
		return err
	}
	switch a.format {
	case "json":
		err = writeJSON(e.stdout, sum)
	case "csv":
		err = writeSweepCSV(e.stdout, sum, grids)
	default:
		err = writeSweepTable(e.stdout, sum, grids, a.format != "table")
	}
	if err != nil {
		return runFailed(err)
	}
	if sum.NotConverged > 0 {
		fmt.Fprintf(e.stderr, "warning: %d of %d grid points had months that did not converge (marked in sweep.csv)\n", sum.NotConverged, points)
	}
	fmt.Fprintf(e.stderr, "wrote %d files to %s\n", len(files), dir)
	return nil
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

// checkMetrics fails with the list of metric names when one of names is
// not a metric of s's market.
func checkMetrics(s *scenarios.Scenario, names []string) error {
	have := map[string]bool{}
	var list []string
	for _, m := range model.MetricList(s.Spec.Market) {
		have[m.Name] = true
		list = append(list, m.Name)
	}
	for _, n := range names {
		if !have[n] {
			msg := fmt.Sprintf("unknown metric %q", n)
			best, bestD := "", 4
			for _, l := range list {
				if d := editDistance(n, l); d < bestD {
					best, bestD = l, d
				}
			}
			if best != "" {
				msg += fmt.Sprintf("; did you mean %q?", best)
			}
			return badInputf("%s The metrics are: %s", msg, strings.Join(list, ", "))
		}
	}
	return nil
}

func writeSweepCSV(w io.Writer, s *sweepSummary, grids []grid) error {
	head := []string{"scenario"}
	for k := range s.Axes {
		head = append(head, fmt.Sprintf("param%d", k+1), fmt.Sprintf("value%d", k+1))
	}
	head = append(head, "metric", "value", "unit", "converged")
	cw, err := report.NewCSVWriter(w, head...)
	if err != nil {
		return err
	}
	for _, p := range s.Points {
		for m, v := range p.Values {
			row := []report.Cell{report.Text(s.Scenario)}
			for k, x := range p.At {
				c := report.Num(x)
				if grids[k].months {
					c = report.Text(grids[k].format(x))
				}
				row = append(row, report.Text(s.Axes[k].Param), c)
			}
			row = append(row, report.Text(s.Metrics[m]), report.Num(v), report.Text(s.Units[m]), report.Text(strconv.FormatBool(p.Converged)))
			if err := cw.Row(row...); err != nil {
				return err
			}
		}
	}
	return cw.Flush()
}

func writeSweepTable(w io.Writer, s *sweepSummary, grids []grid, markdown bool) error {
	var head []string
	for _, ax := range s.Axes {
		head = append(head, ax.Param)
	}
	for m, name := range s.Metrics {
		_, unit := displayUnit(s.Units[m])
		head = append(head, name+" ("+unit+")")
	}
	var rows [][]string
	for _, p := range s.Points {
		var r []string
		for k, x := range p.At {
			r = append(r, grids[k].format(x))
		}
		for m, v := range p.Values {
			f, unit := displayUnit(s.Units[m])
			cell := report.FormatNumber(v*f, displayDecimals(unit), true)
			if !p.Converged {
				cell += "*"
			}
			r = append(r, cell)
		}
		rows = append(rows, r)
	}
	writeGrid(w, head, rows, markdown, 0)
	if s.NotConverged > 0 {
		fmt.Fprintln(w, "* some months did not converge at this point")
	}
	return nil
}

// writeGrid prints a table as aligned text or Markdown; in text, the
// first left columns align left, the others right.
func writeGrid(w io.Writer, head []string, rows [][]string, markdown bool, left int) {
	if markdown {
		esc := func(r []string) string {
			out := make([]string, len(r))
			for k, c := range r {
				out[k] = strings.ReplaceAll(c, "|", `\|`)
			}
			return "| " + strings.Join(out, " | ") + " |"
		}
		fmt.Fprintln(w, esc(head))
		fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
		for _, r := range rows {
			fmt.Fprintln(w, esc(r))
		}
		return
	}
	report.WriteAligned(w, append([][]string{head}, rows...), func(c int) bool { return c >= left })
}

// displayUnit converts model money units to $ bn for tables.
func displayUnit(unit string) (factor float64, display string) {
	switch unit {
	case "$M":
		return 1e-3, "$ bn"
	case "$M/yr":
		return 1e-3, "$ bn/yr"
	}
	return 1, unit
}

func displayDecimals(unit string) int {
	switch unit {
	case "$ bn", "$ bn/yr", "fraction":
		return 3
	}
	return 2
}
