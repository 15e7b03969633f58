package main

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
)

type sensitivityArgs struct {
	scenario    string
	metric      string
	sets        cli.StringSlice
	workers     int
	format, out string
	chartFlags
}

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
			&cli.StringFlag{Name: "metric", Aliases: []string{"m"}, Value: run.DefaultMetric, Usage: "metric `NAME` (model.Metrics), e.g. benchmark_price_change", Destination: &a.metric},
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
			return sensitivityScenario(c.Context, envOf(c), a, c.IsSet)
		},
	}
}

// sensitivityScenario is `potash sensitivity`.
func sensitivityScenario(ctx context.Context, e *env, a *sensitivityArgs, isSet func(string) bool) error {
	if err := checkFormat(a.format); err != nil {
		return err
	}
	if err := checkWorkers(a.workers); err != nil {
		return err
	}
	charts, err := a.chartFlags.options(isSet)
	if err != nil {
		return err
	}
	s, err := loadScenario(e, a.scenario, a.sets.Value())
	if err != nil {
		return err
	}
	dir := outDir(e, a.out, s.Name+"-sensitivity")
	if err := report.CheckFolder(dir); err != nil {
		return badInputf("--out %v", err)
	}
	res, err := e.engine.Sensitivity(ctx, run.SensitivityRequest{
		Scenario: s, Ref: a.scenario, Sets: a.sets.Value(), Metric: a.metric, Workers: a.workers, Charts: charts,
	})
	if err != nil {
		return err
	}
	if err := writeOutputs(ctx, e, dir, res.Output(), charts); err != nil {
		return err
	}
	switch a.format {
	case "json":
		err = res.Summary.WriteJSON(e.stdout)
	case "csv":
		err = report.WriteSensitivityCSV(e.stdout, res.Summary)
	default:
		err = report.WriteSensitivityTable(e.stdout, res.Summary, a.format != "table")
	}
	if err != nil {
		return runFailed(err)
	}
	return res.Err()
}
