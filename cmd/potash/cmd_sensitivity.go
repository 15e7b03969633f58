package main

import (
	"context"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
)

type sensitivityArgs struct {
	scenario string
	metric   string
	simFlags
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
			&cli.StringFlag{Name: "metric", Aliases: []string{"m"}, Value: run.DefaultMetric, Usage: "metric `NAME` (the names of summary.json's metrics; a wrong name lists them), e.g. benchmark_price_change", Destination: &a.metric},
		}, a.simFlags.list("./potash-out/SCENARIO-sensitivity", true)...),
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return oneScenarioError("sensitivity", c.Args().Slice(), false)
			}
			a.scenario = c.Args().First()
			return sensitivityScenario(c.Context, envOf(c), a, c.IsSet)
		},
	}
}

// sensitivityScenario is `potash sensitivity`.
func sensitivityScenario(ctx context.Context, e *env, a *sensitivityArgs, isSet func(string) bool) error {
	charts, err := a.check(isSet)
	if err != nil {
		return err
	}
	s, err := loadScenario(e, a.scenario, a.sets.Value(), true)
	if err != nil {
		return err
	}
	dir, err := a.outFolder(e, s.Name+"-sensitivity")
	if err != nil {
		return err
	}
	res, err := e.engine.Sensitivity(ctx, run.SensitivityRequest{
		Scenario: s, Ref: a.scenario, Sets: a.sets.Value(), Metric: a.metric, Workers: a.workers, Charts: charts,
	})
	if err != nil {
		return err
	}
	sum := res.Summary
	return a.finish(ctx, e, dir, res.Output(), charts, printers{
		json:  sum.WriteJSON,
		csv:   func(w io.Writer) error { return report.WriteSensitivityCSV(w, sum) },
		table: func(w io.Writer, md bool) error { return report.WriteSensitivityTable(w, sum, md) },
	}, res.Err())
}
