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
			"crop demand and gas costs. Out of sample the model is read twice: its level (the headline),\n" +
			"and its change since December 2023 applied to December 2023's price (the change reading, a\n" +
			"second reading added after the level's result was known). Forecast skill: at every origin from\n" +
			"2024-01 to 2025-04 the model is fitted on the data before it and forecasts 1, 3, 6 and 12 months\n" +
			"ahead, level and change reading, next to a no-change and a 12-month moving-average forecast;\n" +
			"the nowcast carries the last recorded price forward by the model's change. Diebold–Mariano tests\n" +
			"(squared log errors, small-sample corrected; DM* > 0: the model is less accurate) compare each\n" +
			"reading with the naive forecast, out of sample and at each horizon over the origins.\n" +
			"Prints the fit table (backtest.txt's text) and writes into --out:\n" +
			"  backtest.txt            the printed text: fit and its searches, estimates with sd, 95% intervals\n" +
			"                          and ranges, price errors in and out of sample (both readings), DM tests,\n" +
			"                          2022 peak, turning points, stocks, exports, the rise split by factor,\n" +
			"                          forecast skill by horizon and the nowcast\n" +
			"  backtest-prices.csv     by month: sample (in/out), record_usd_per_t, model_usd_per_t,\n" +
			"                          model_change_usd_per_t (the change reading, out of sample only) and\n" +
			"                          naive_usd_per_t; an empty cell: not published or not forecast\n" +
			"  backtest-exports.csv    by supplier and year: FAOSTAT record_mt and model_mt (Mt KCl), rel_error\n" +
			"  backtest-forecasts.csv  one row per kind (rolling, nowcast), origin and horizon_months: target\n" +
			"                          month, record_usd_per_t, model_usd_per_t (level), model_change_usd_per_t\n" +
			"                          (change reading), naive_usd_per_t, moving_average_usd_per_t\n" +
			"  backtest.json           the same results machine-readable: estimates and intervals, statistics,\n" +
			"                          decompositions, out-of-sample errors and DM tests, rolling horizons,\n" +
			"                          nowcast, and the provenance (model version, scenario hash)\n" +
			"  backtest.png, backtest-factors.png  the model against the record (prices, exports), and the\n" +
			"                          model with and without each factor (and the --charts formats)\n" +
			"Prices in nominal $/t KCl, as the record (the model's 2020 dollars × US CPI-U); log errors in\n" +
			"natural-log units (0.10 ≈ 10%). Method: docs/BACKTEST.md.\n\n" +
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
