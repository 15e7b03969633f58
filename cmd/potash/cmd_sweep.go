package main

import (
	"context"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
)

func init() {
	registerCommand(newSweepCommand)
	registerCommand(newSensitivityCommand)
}

type sweepArgs struct {
	scenario     string
	param, rng   string
	param2, rng2 string
	metrics      cli.StringSlice
	simFlags
}

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
			"chart(s) into --out. An events.ID.FIELD path of an event the counterfactual holds too moves both runs\n" +
			"(the differences barely move: a warning on stderr, in summary.json and on the charts says so);\n" +
			"scenario.events.ID.FIELD moves the scenario's only.\n\n" +
			"Examples:\n" +
			"  potash sweep us-relief-2025 --param market.regions.Brazil.demand_elasticity --range 0.35:0.8:4\n" +
			"  potash sweep us-relief-2025 --param events.belarus-discount.pct --range 0:30:7 \\\n" +
			"      --param2 market.regions.*.demand_elasticity --range2 0.35:0.75:5 --metric benchmark_price_change",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "param", Aliases: []string{"p"}, Usage: "parameter `PATH` to sweep, e.g. market.regions.Brazil.demand_elasticity", Destination: &a.param},
			&cli.StringFlag{Name: "range", Aliases: []string{"r"}, Usage: "grid of --param: `FROM:TO:STEPS` (STEPS values, ends included)", Destination: &a.rng},
			&cli.StringFlag{Name: "param2", Usage: "second parameter `PATH`, for a 2-D sweep (a parameter other than --param's; with --range2)", Destination: &a.param2},
			&cli.StringFlag{Name: "range2", Usage: "grid of --param2: `FROM:TO:STEPS`", Destination: &a.rng2},
			&cli.StringSliceFlag{Name: "metric", Aliases: []string{"m"}, Usage: "metric `NAME` to report, repeatable or comma-separated (default " + run.DefaultMetric + ")", Destination: &a.metrics},
		}, a.simFlags.list("./potash-out/SCENARIO-sweep", true)...),
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return oneScenarioError("sweep", c.Args().Slice(), true)
			}
			a.scenario = c.Args().First()
			return sweepScenario(c.Context, envOf(c), a, c.IsSet)
		},
	}
}

// sweepScenario is `potash sweep`.
func sweepScenario(ctx context.Context, e *env, a *sweepArgs, isSet func(string) bool) error {
	if a.param == "" || a.rng == "" {
		return badInputf("sweep needs --param PATH and --range FROM:TO:STEPS")
	}
	if (a.param2 == "") != (a.rng2 == "") {
		return badInputf("--param2 and --range2 go together")
	}
	charts, err := a.check(isSet)
	if err != nil {
		return err
	}
	axes := []run.SweepAxis{{Name: "--range", Param: a.param, Range: a.rng}}
	if a.param2 != "" {
		axes = append(axes, run.SweepAxis{Name: "--range2", Param: a.param2, Range: a.rng2})
	}
	s, err := loadScenario(e, a.scenario, a.sets.Value(), false)
	if err != nil {
		return err
	}
	dir, err := a.outFolder(e, s.Name+"-sweep")
	if err != nil {
		return err
	}
	res, err := e.engine.Sweep(ctx, run.SweepRequest{
		Scenario: s, Ref: a.scenario, Sets: a.sets.Value(), Axes: axes,
		Metrics: splitList(a.metrics.Value()), Workers: a.workers, Charts: charts,
	})
	if err != nil {
		return err
	}
	sum := res.Summary
	printNotes(e, sum.Warnings)
	return a.finish(ctx, e, dir, res.Output(), charts, printers{
		json:  sum.WriteJSON,
		csv:   func(w io.Writer) error { return report.WriteSweepCSV(w, sum) },
		table: func(w io.Writer, md bool) error { return report.WriteSweepTable(w, sum, md) },
	}, res.Err())
}

// splitList splits repeated, comma-separated flag values into names.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}
