package main

import (
	"context"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/scenarios"
)

func init() { registerCommand(newCompareCommand) }

type compareArgs struct {
	scenarios []string
	sets      cli.StringSlice
	format    string
	out       string
	chartFlags
}

func newCompareCommand() *cli.Command {
	a := &compareArgs{}
	return &cli.Command{
		Name:      "compare",
		Usage:     "run several scenarios and show them in one table and on the same charts",
		ArgsUsage: "SCENARIO SCENARIO...",
		UsageText: "potash compare SCENARIO SCENARIO... [flags]",
		Description: "Runs each SCENARIO (file or built-in) against its own counterfactual and prints one table with\n" +
			"a column per scenario: the benchmark price change and each main supplier's export revenue change.\n" +
			"Writes compare.csv (every metric of every scenario), summary.json, summary.md and comparison charts\n" +
			"into --out. --set applies to every scenario.\n\n" +
			"Examples:\n" +
			"  potash compare us-relief-2025 eu-relief klaipeda-reopens\n" +
			"  potash compare us-relief-2025 my-variant.yaml --set market.regions.*.demand_elasticity=0.5",
		Flags: append([]cli.Flag{
			setFlag(&a.sets),
			formatFlag(&a.format),
			outFlag(&a.out, "./potash-out/compare-A-B"),
		}, a.chartFlags.flags()...),
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			a.scenarios = c.Args().Slice()
			return compareScenarios(c.Context, envOf(c), a, c.IsSet)
		},
	}
}

// compareScenarios is `potash compare`.
func compareScenarios(ctx context.Context, e *env, a *compareArgs, isSet func(string) bool) error {
	if len(a.scenarios) < 2 {
		return badInputf("compare needs at least two scenarios, got %d (for one, use potash run)", len(a.scenarios))
	}
	if err := checkFormat(a.format); err != nil {
		return err
	}
	charts, err := a.chartFlags.options(isSet)
	if err != nil {
		return err
	}
	// Load everything first: a typo in the last scenario fails fast.
	var scens []*scenarios.Scenario
	var names []string
	for _, name := range a.scenarios {
		s, err := loadScenario(e, name, a.sets.Value())
		if err != nil {
			return err
		}
		scens = append(scens, s)
		names = append(names, s.Name)
	}
	dir := outDir(e, a.out, "compare-"+strings.Join(names, "-"))
	if err := report.CheckFolder(dir); err != nil {
		return badInputf("--out %v", err)
	}
	res, err := e.engine.Compare(ctx, run.CompareRequest{Scenarios: scens, Refs: a.scenarios, Sets: a.sets.Value(), Charts: charts})
	if err != nil {
		return err
	}
	if err := writeOutputs(ctx, e, dir, res.Output(), charts); err != nil {
		return err
	}
	sum := res.Summary
	switch a.format {
	case "json":
		err = sum.WriteJSON(e.stdout)
	case "csv":
		err = report.WriteCompareCSV(e.stdout, sum)
	default:
		err = report.WriteCompareTable(e.stdout, sum, a.format != "table")
	}
	if err != nil {
		return runFailed(err)
	}
	return res.Err()
}
