package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/backtest"
	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
)

func init() { registerCommand(newBacktestCommand) }

type backtestArgs struct {
	out      string
	chart    chartFlags // --charts, --no-charts, --size, --dpi: as run's
	maxEvals int
	format   string
}

func newBacktestCommand() *cli.Command {
	a := &backtestArgs{}
	return &cli.Command{
		Name:      "backtest",
		Usage:     "hold the model against what happened, 2020–2025: fit on 2020–2023, test on 2024–2025",
		UsageText: "potash backtest [--out DIR] [--charts png,svg,pdf] [--size slide|half|web] [--dpi N] [flags]",
		Description: "Simulates the built-in history scenario month by month from 2020-01 through 2025-12 with its\n" +
			"recorded events plus recorded demand drivers (a crop-price index from the Pink Sheet's maize,\n" +
			"soybean and wheat prices; the European gas price for German producers' costs). Estimates the\n" +
			"crop-demand elasticity and lag, the demand and supply elasticities and adjustment speeds and the\n" +
			"sanction discount, each inside its documented range, by least squares on log prices and export\n" +
			"changes over 2020-01..2023-12 only (Nelder–Mead from three starts), then compares with the\n" +
			"record: the Pink Sheet potassium chloride price (Brazil CFR) month by month in and out of\n" +
			"sample, next to a naive forecast (December 2023's price carried forward); the 2022 peak;\n" +
			"FAOSTAT exports of Canada, Russia and Belarus; and splits the 2021–22 rise into sanctions,\n" +
			"crop demand and gas costs. Forecast skill: at every origin from 2024-01 to 2025-04 the model is\n" +
			"fitted on the data before it and forecasts 1, 3, 6 and 12 months ahead, next to a no-change and a\n" +
			"12-month moving-average forecast; the nowcast carries the last recorded price forward by the\n" +
			"model's change.\n" +
			"Prints the fit table and writes backtest.png and backtest-factors.png (the model with and without\n" +
			"each factor; and --charts formats), backtest-prices.csv, backtest-exports.csv,\n" +
			"backtest-forecasts.csv, backtest.json and backtest.txt into --out. Method: docs/BACKTEST.md.\n\n" +
			"Examples:\n" +
			"  potash backtest\n" +
			"  potash backtest --out bt --charts png,svg,pdf\n" +
			"  potash backtest --charts pdf --size half\n" +
			"  potash backtest --format json --no-charts",
		Flags: append(append([]cli.Flag{
			outFlag(&a.out, "./potash-out/backtest")}, a.chart.flags()...),
			&cli.IntFlag{Name: "max-evals", Value: backtest.DefaultConfig().Fit.MaxEvals,
				Usage: "bound `N` on the model simulations of each search of the fit and of each rolling origin's fit (10–20000); the published numbers use the default", Destination: &a.maxEvals},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "what to print on stdout: `FORMAT` table or json", Destination: &a.format},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return badInputf("backtest takes no arguments, got %q", c.Args().Slice())
			}
			return runBacktest(c.Context, envOf(c), a, c.IsSet)
		},
	}
}

// runBacktest is `potash backtest`.
func runBacktest(ctx context.Context, e *env, a *backtestArgs, isSet func(string) bool) error {
	if a.format != "table" && a.format != "json" {
		return badInputf("--format %q: want table or json", a.format)
	}
	if a.maxEvals < 10 || a.maxEvals > 20000 {
		return badInputf("--max-evals %d: want 10 to 20000", a.maxEvals)
	}
	charts, err := a.chart.options(isSet)
	if err != nil {
		return err
	}
	dir, err := checkOut(e, a.out, "backtest")
	if err != nil {
		return err
	}
	h, err := backtest.LoadHistory()
	if err != nil {
		return runFailed(err)
	}
	rec, err := backtest.LoadRecord()
	if err != nil {
		return runFailed(err)
	}
	cfg := backtest.DefaultConfig()
	cfg.Fit.MaxEvals = a.maxEvals
	cfg.Rolling.MaxEvals = a.maxEvals
	r, err := backtest.Run(ctx, h, rec, cfg)
	if err != nil {
		return runFailed(fmt.Errorf("backtest: %w", err))
	}
	args := []string{"potash", "backtest"}
	if a.maxEvals != backtest.DefaultConfig().Fit.MaxEvals {
		args = append(args, "--max-evals", strconv.Itoa(a.maxEvals))
	}
	prov := backtest.Provenance(report.CommandLine(args), h.Hash)
	o := &run.Output{Command: "backtest", Prov: &prov}
	if charts != nil {
		if o.Charts, err = r.Charts(backtest.ChartMeta{Hash: h.Hash}); err != nil {
			return runFailed(err)
		}
	}
	o.Files = []run.File{
		{Name: report.FileBacktestPrices, Write: r.WritePricesCSV},
		{Name: report.FileBacktestExports, Write: r.WriteExportsCSV},
		{Name: report.FileBacktestForecasts, Write: r.WriteForecastsCSV},
		{Name: report.FileBacktestTable, Write: r.WriteTable},
	}
	o.Summary = func([]report.ChartInfo) []run.File {
		return []run.File{{Name: report.FileBacktestJSON, Write: func(w io.Writer) error { return r.WriteJSON(w, prov) }}}
	}
	if err := writeOutputs(ctx, e, dir, o, charts); err != nil {
		return err
	}
	e.results = true
	if a.format == "json" {
		err = r.WriteJSON(e.stdout, prov)
	} else {
		err = r.WriteTable(e.stdout)
	}
	if err != nil {
		return runFailed(err)
	}
	if r.Failed > 0 {
		return &run.Error{Kind: run.ErrNotConverged, Err: fmt.Errorf("backtest: %d months of the fitted path did not converge", r.Failed)}
	}
	return nil
}
