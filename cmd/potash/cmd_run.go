package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

func init() { registerCommand(newRunCommand) }

// runArgs are the arguments of `potash run`.
type runArgs struct {
	scenario string // file or built-in name; "" for the default
	draws    int
	seed     uint64
	window   string // --window: all or report
	simFlags
}

// setFlag is --set, shared by every command that loads a scenario.
func setFlag(dst *cli.StringSlice) cli.Flag {
	return &cli.StringSliceFlag{Name: "set", Aliases: []string{"s"},
		Usage: "change a parameter or event value: `PATH=VALUE`, repeatable, e.g. market.regions.Brazil.demand_elasticity=0.5 " +
			"or events.us-ban.end=2026-06; scenario.events.ID.FIELD changes the scenario's event only, never the counterfactual's " +
			"(paths: docs/SCENARIOS.md)",
		Destination: dst}
}

// workersFlag is --workers.
func workersFlag(dst *int) cli.Flag {
	return &cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Value: 0,
		Usage: "worker goroutines (0: one per CPU core; at most four per core); results do not depend on it", Destination: dst}
}

// outFlag is --out; def describes the default folder.
func outFlag(dst *string, def string) cli.Flag {
	return &cli.StringFlag{Name: "out", Aliases: []string{"o"},
		Usage: "output `DIR` (created if needed; files of other tools in it are left alone; default " + def + ")", Destination: dst}
}

func newRunCommand() *cli.Command {
	a := &runArgs{}
	return &cli.Command{
		Name:      "run",
		Usage:     "simulate a scenario against its counterfactual; write charts, CSV and summaries",
		ArgsUsage: "[SCENARIO]",
		UsageText: "potash run [SCENARIO] [flags]",
		Description: "Simulates SCENARIO (a YAML file, or a built-in name from `potash scenarios`; default " + scenarios.DefaultScenario + ")\n" +
			"month by month next to its counterfactual, prints the headline table (the benchmark price change, each main\n" +
			"supplier's netback and export revenue change, with 5–95% ranges when there were draws, and its exports\n" +
			"by year) and writes into --out:\n" +
			"  results.csv             every variable by month: scenario level, counterfactual level, difference,\n" +
			"                          each row with its entity type and the solver's status that month\n" +
			"  bands.csv               the Monte Carlo bands of every variable by month (with --draws)\n" +
			"  draws.csv               each headline total for every Monte Carlo draw, and the draws that\n" +
			"                          did not converge (with --draws)\n" +
			"  summary.json            headline and all metrics, machine-readable\n" +
			"  summary.md              a Markdown summary for a briefing\n" +
			"  scenario.resolved.yaml  the fully resolved scenario with its hash, the model version and the seed\n" +
			"  *.png|svg|pdf           the charts (--charts, --no-charts)\n" +
			"The outputs of the folder's previous run that this one does not rewrite are removed (each is\n" +
			"listed); files potash did not write are never touched. Exit code 3: the outputs were written, but\n" +
			"the solver did not converge in some month of the central run or in more than 5% of the draws.\n\n" +
			"Examples:\n" +
			"  potash run\n" +
			"  potash run us-relief-2025 --draws 1000 --seed 7\n" +
			"  potash run us-relief-2025 --window report --charts svg   # time charts of the headline window only\n" +
			"  potash run my-scenario.yaml --set events.us-ban.end=2026-06 --charts png,svg --out briefing\n" +
			"  potash run history --format json --no-charts",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "draws", Aliases: []string{"n"}, Value: 0,
				Usage: "Monte Carlo draws of the scenario's uncertain parameters (0: one run at central values; at most 1,000,000)", Destination: &a.draws},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed of the draws; the same seed gives identical results", Destination: &a.seed},
			&cli.StringFlag{Name: "window", Value: "all", Usage: "span of the time charts: all (the whole run, the report window shaded) or report (the report window only)", Destination: &a.window},
		}, a.simFlags.list("./potash-out/SCENARIO", true)...),
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return badInputf("run takes one scenario, got %d (%s); to run several, use potash compare",
					c.NArg(), strings.Join(c.Args().Slice(), " "))
			}
			a.scenario = c.Args().First()
			if c.NArg() == 1 && a.scenario == "" {
				return badInputf("run: the scenario is an empty string; give a file or a built-in name, or nothing for %s", scenarios.DefaultScenario)
			}
			return runScenario(c.Context, envOf(c), a, c.IsSet)
		},
	}
}

// runScenario is `potash run`.
func runScenario(ctx context.Context, e *env, a *runArgs, isSet func(string) bool) error {
	charts, err := a.check(isSet)
	if err != nil {
		return err
	}
	switch {
	case charts == nil && isSet("window"):
		return badInputf("--no-charts writes no charts: drop --window or --no-charts")
	case a.window == "report":
		charts.Window = plots.WindowReport
	case a.window != "all":
		return badInputf("--window %q: want all or report", a.window)
	}
	if err := run.CheckDraws(a.draws); err != nil {
		return badInputf("--draws: %v", err)
	}
	name := a.scenario
	if name == "" {
		name = scenarios.DefaultScenario
	}
	s, err := loadScenario(e, name, a.sets.Value(), a.draws > 0)
	if err != nil {
		return err
	}
	dir, err := a.outFolder(e, s.Name)
	if err != nil {
		return err
	}
	update, finish := newProgress(e, "Monte Carlo")
	res, err := e.engine.Run(ctx, run.Request{
		Scenario: s, Ref: name, Sets: a.sets.Value(), Draws: a.draws, Seed: a.seed, Workers: a.workers,
		Progress: update, Notice: func(msg string) { fmt.Fprintf(e.stderr, "%s\n", msg) }, Charts: charts,
	})
	finish()
	if err != nil {
		return err
	}
	printNotes(e, res.Notes)
	sum := res.Summary
	return a.finish(ctx, e, dir, res.Output(), charts, printers{
		json: sum.WriteJSON,
		csv:  func(w io.Writer) error { return report.WriteHeadlineCSV(w, sum) },
		table: func(w io.Writer, markdown bool) error {
			if markdown {
				return report.WriteMarkdown(w, sum)
			}
			return report.WriteTable(w, sum)
		},
	}, res.Err())
}
