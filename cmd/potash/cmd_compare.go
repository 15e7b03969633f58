package main

import (
	"context"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/scenarios"
)

func init() { registerCommand(newCompareCommand) }

type compareArgs struct {
	scenarios []string
	simFlags
}

func newCompareCommand() *cli.Command {
	a := &compareArgs{}
	return &cli.Command{
		Name:      "compare",
		Usage:     "run several scenarios and show them in one table and on the same charts",
		ArgsUsage: "SCENARIO SCENARIO...",
		UsageText: "potash compare SCENARIO SCENARIO... [flags]",
		Description: "Runs each SCENARIO (file or built-in) against its own counterfactual and prints one table with\n" +
			"a column per scenario: the benchmark price change and each main supplier's netback and export\n" +
			"revenue change.\n" +
			"Writes compare.csv (every metric of every scenario), summary.json, summary.md and comparison charts\n" +
			"into --out. --set applies to every scenario.\n\n" +
			"Examples:\n" +
			"  potash compare us-relief-2025 eu-relief klaipeda-reopens\n" +
			"  potash compare us-relief-2025 my-variant.yaml --set market.regions.*.demand_elasticity=0.5",
		Flags:        a.simFlags.list("./potash-out/compare-A-B", false),
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
	charts, err := a.check(isSet)
	if err != nil {
		return err
	}
	// Load everything first: a typo in the last scenario fails fast.
	var scens []*scenarios.Scenario
	var names []string
	for _, name := range a.scenarios {
		s, err := loadScenarioOf(e, name, a.sets.Value(), false, true)
		if err != nil {
			return err
		}
		scens = append(scens, s)
		names = append(names, s.Name)
	}
	dir, err := a.outFolder(e, "compare-"+strings.Join(names, "-"))
	if err != nil {
		return err
	}
	res, err := e.engine.Compare(ctx, run.CompareRequest{Scenarios: scens, Refs: a.scenarios, Sets: a.sets.Value(), Charts: charts})
	if err != nil {
		return err
	}
	sum := res.Summary
	return a.finish(ctx, e, dir, res.Output(), charts, printers{
		json:  sum.WriteJSON,
		csv:   func(w io.Writer) error { return report.WriteCompareCSV(w, sum) },
		table: func(w io.Writer, md bool) error { return report.WriteCompareTable(w, sum, md) },
	}, res.Err())
}
