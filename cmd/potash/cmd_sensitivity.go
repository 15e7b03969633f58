package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

type sensitivityArgs struct {
	scenario    string
	metric      string
	sets        cli.StringSlice
	workers     int
	format, out string
	chartFlags
}

const fileSensitivity = "sensitivity.csv"

func newSensitivityCommand() *cli.Command {
	a := &sensitivityArgs{}
	return &cli.Command{
		Name:      "sensitivity",
		Usage:     "rank the scenario's uncertain parameters by their effect on a metric (tornado)",
		ArgsUsage: "SCENARIO",
		UsageText: "potash sensitivity SCENARIO [--metric NAME] [flags]",
		Description: "One at a time, sets each parameter of the scenario's uncertainty: section to its 5th and 95th\n" +
			"percentile, the others at their central values, and records the metric. Prints the parameters\n" +
			"ranked by the swing they cause and writes sensitivity.csv, summary.json and a tornado chart.\n\n" +
			"Examples:\n" +
			"  potash sensitivity us-relief-2025\n" +
			"  potash sensitivity us-relief-2025 --metric benchmark_price_change --charts svg",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "metric", Aliases: []string{"m"}, Value: defaultMetric, Usage: "metric `NAME` (model.Metrics), e.g. benchmark_price_change", Destination: &a.metric},
			setFlag(&a.sets),
			workersFlag(&a.workers),
			formatFlag(&a.format),
			outFlag(&a.out, "./potash-out/SCENARIO-sensitivity"),
		}, a.chartFlags.flags()...),
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return badInputf("sensitivity needs one SCENARIO, got %d", c.NArg())
			}
			a.scenario = c.Args().First()
			return sensitivityScenario(c.Context, envOf(c), a)
		},
	}
}

type sensitivitySummary struct {
	Tool         string       `json:"tool"`
	ModelVersion string       `json:"model_version"`
	Command      string       `json:"command"`
	Scenario     string       `json:"scenario"`
	Hash         string       `json:"sha256"`
	Sets         []string     `json:"sets,omitempty"`
	Metric       string       `json:"metric"`
	Unit         string       `json:"unit"`
	Base         float64      `json:"base"`
	Bars         []tornadoBar `json:"bars"`
	Files        []string     `json:"files"`
}

type tornadoBar struct {
	Param  string  `json:"param"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	AtLow  float64 `json:"at_low"`
	AtHigh float64 `json:"at_high"`
	Swing  float64 `json:"swing"` // |at_high − at_low|
}

// sensitivityScenario is `potash sensitivity`.
func sensitivityScenario(ctx context.Context, e *env, a *sensitivityArgs) error {
	if err := checkFormat(a.format); err != nil {
		return err
	}
	if a.workers < 0 {
		return badInputf("--workers %d: want 0 (all cores) or more", a.workers)
	}
	chartOpts, charts, err := a.chartFlags.options()
	if err != nil {
		return err
	}
	s, err := loadScenario(e, a.scenario, a.sets.Value())
	if err != nil {
		return err
	}
	if len(s.Uncertain) == 0 {
		return badInputf("%s has no uncertain parameters: add an uncertainty: section (docs/SCENARIOS.md)", s.Name)
	}
	if err := checkMetrics(s, []string{a.metric}); err != nil {
		return err
	}
	t, err := model.Sensitivity(ctx, s.Spec, s.Counterfactual, s.Uncertain, a.metric, a.workers)
	if err != nil {
		return modelErr("sensitivity of "+s.Name, err)
	}
	sum := &sensitivitySummary{Tool: "potash", ModelVersion: model.Version, Scenario: s.Name, Hash: s.Hash,
		Sets: a.sets.Value(), Metric: t.Metric, Unit: t.Unit, Base: t.Base}
	args := []string{"potash", "sensitivity", a.scenario, "--metric", a.metric}
	for _, st := range a.sets.Value() {
		args = append(args, "--set", st)
	}
	sum.Command = commandLine(args)
	finite := func(v ...float64) bool {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		}
		return true
	}
	if !finite(t.Base) {
		return runFailed(fmt.Errorf("sensitivity of %s: base %s is not a finite number", s.Name, t.Metric))
	}
	for _, b := range t.Bars {
		if !finite(b.Low, b.High, b.AtLow, b.AtHigh) {
			return runFailed(fmt.Errorf("sensitivity of %s: %s gives a value that is not a finite number", s.Name, b.Param))
		}
		sum.Bars = append(sum.Bars, tornadoBar{b.Param, b.Low, b.High, b.AtLow, b.AtHigh, math.Abs(b.AtHigh - b.AtLow)})
	}

	dir := outDir(e, a.out, s.Name+"-sensitivity")
	stage, err := newStage(dir)
	if err != nil {
		return err
	}
	defer stage.Abort()
	if charts {
		if _, err := plots.RenderTornado(stage.StagingDir(), t, chartMeta(s, 0, 0), chartOpts); err != nil {
			return runFailed(fmt.Errorf("charts: %w", err))
		}
	}
	if err := stage.WriteFile(fileSensitivity, func(w io.Writer) error { return writeSensitivityCSV(w, sum) }); err != nil {
		return runFailed(fmt.Errorf("%s: %w", fileSensitivity, err))
	}
	sum.Files = stagedFiles(stage, fileSummary)
	if err := stage.WriteFile(fileSummary, func(w io.Writer) error { return writeJSON(w, sum) }); err != nil {
		return runFailed(err)
	}
	files, err := commitStage(stage, dir, "sensitivity")
	if err != nil {
		return err
	}
	switch a.format {
	case "json":
		err = writeJSON(e.stdout, sum)
	case "csv":
		err = writeSensitivityCSV(e.stdout, sum)
	default:
		f, unit := displayUnit(sum.Unit)
		d := displayDecimals(unit)
		if a.format == "table" {
			fmt.Fprintf(e.stdout, "%s of %s at central values: %s %s\n\n", sum.Metric, sum.Scenario, report.FormatNumber(sum.Base*f, d, true), unit)
		}
		head := []string{"parameter", "low", "high", "at low (" + unit + ")", "at high (" + unit + ")", "swing"}
		var rows [][]string
		for _, b := range sum.Bars {
			rows = append(rows, []string{b.Param, strconv.FormatFloat(b.Low, 'g', 3, 64), strconv.FormatFloat(b.High, 'g', 3, 64),
				report.FormatNumber(b.AtLow*f, d, true), report.FormatNumber(b.AtHigh*f, d, true), report.FormatNumber(b.Swing*f, d, false)})
		}
		writeGrid(e.stdout, head, rows, a.format != "table", 1)
	}
	if err != nil {
		return runFailed(err)
	}
	fmt.Fprintf(e.stderr, "wrote %d files to %s\n", len(files), dir)
	return nil
}

func writeSensitivityCSV(w io.Writer, s *sensitivitySummary) error {
	cw, err := report.NewCSVWriter(w, "scenario", "metric", "unit", "base", "rank", "param", "low", "high", "at_low", "at_high", "swing")
	if err != nil {
		return err
	}
	for k, b := range s.Bars {
		if err := cw.Row(report.Text(s.Scenario), report.Text(s.Metric), report.Text(s.Unit), report.Num(s.Base),
			report.Num(float64(k+1)), report.Text(b.Param), report.Num(b.Low), report.Num(b.High),
			report.Num(b.AtLow), report.Num(b.AtHigh), report.Num(b.Swing)); err != nil {
			return err
		}
	}
	return cw.Flush()
}
