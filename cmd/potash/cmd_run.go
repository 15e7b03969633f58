package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

func init() { registerCommand(newRunCommand) }

// runArgs are the arguments of `potash run`.
type runArgs struct {
	scenario string // file or built-in name; "" for the default
	draws    int
	seed     uint64
	workers  int
	sets     cli.StringSlice
	format   string
	out      string
	chartFlags
}

// Output file names of `potash run`.
const (
	fileResults  = "results.csv"
	fileDraws    = "draws.csv"
	fileSummary  = "summary.json"
	fileMarkdown = "summary.md"
	fileResolved = "scenario.resolved.yaml"
)

// setFlag is --set, shared by every command that loads a scenario.
func setFlag(dst *cli.StringSlice) cli.Flag {
	return &cli.StringSliceFlag{Name: "set", Aliases: []string{"s"},
		Usage: "change a parameter or event value: `PATH=VALUE`, repeatable, e.g. market.regions.Brazil.demand_elasticity=0.5 " +
			"or events.us-ban.end=2026-06 (paths: docs/SCENARIOS.md)",
		Destination: dst}
}

// workersFlag is --workers.
func workersFlag(dst *int) cli.Flag {
	return &cli.IntFlag{Name: "workers", Aliases: []string{"w"}, Value: 0,
		Usage: "worker goroutines (0: one per CPU core); results do not depend on it", Destination: dst}
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
			"month by month next to its counterfactual, prints the headline table (benchmark price change and each main\n" +
			"supplier's export revenue change, with 5–95% ranges when there were draws) and writes into --out:\n" +
			"  results.csv             every variable by month: scenario level, counterfactual level, difference\n" +
			"  draws.csv               each headline total for every Monte Carlo draw (with --draws)\n" +
			"  summary.json            headline and all metrics, machine-readable\n" +
			"  summary.md              a Markdown summary for a briefing\n" +
			"  scenario.resolved.yaml  the fully resolved scenario with its hash, the model version and the seed\n" +
			"  *.png|svg|pdf           the charts (--charts, --no-charts)\n\n" +
			"Examples:\n" +
			"  potash run\n" +
			"  potash run us-relief-2025 --draws 1000 --seed 7\n" +
			"  potash run my-scenario.yaml --set events.us-ban.end=2026-06 --charts png,svg --out briefing\n" +
			"  potash run history --format json --no-charts",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "draws", Aliases: []string{"n"}, Value: 0,
				Usage: "Monte Carlo draws of the scenario's uncertain parameters (0: one run at central values)", Destination: &a.draws},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed of the draws; the same seed gives identical results", Destination: &a.seed},
			workersFlag(&a.workers),
			setFlag(&a.sets),
			formatFlag(&a.format),
			outFlag(&a.out, "./potash-out/SCENARIO"),
		}, a.chartFlags.flags()...),
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
			return runScenario(c.Context, envOf(c), a)
		},
	}
}

// runResult is everything `potash run` computed.
type runResult struct {
	scen    *scenarios.Scenario
	run     *model.Run
	mc      *model.MCResult
	summary *report.Summary
}

// runScenario is `potash run`.
func runScenario(ctx context.Context, e *env, a *runArgs) error {
	if err := checkFormat(a.format); err != nil {
		return err
	}
	if a.draws < 0 {
		return badInputf("--draws %d: want 0 or more", a.draws)
	}
	if a.workers < 0 {
		return badInputf("--workers %d: want 0 (all cores) or more", a.workers)
	}
	chartOpts, charts, err := a.chartFlags.options()
	if err != nil {
		return err
	}
	name := a.scenario
	if name == "" {
		name = scenarios.DefaultScenario
	}
	s, err := loadScenario(e, name, a.sets.Value())
	if err != nil {
		return err
	}
	res, err := simulate(ctx, e, s, a)
	if err != nil {
		return err
	}
	res.summary.Command = reproduceLine(name, a)

	dir := outDir(e, a.out, s.Name)
	stage, err := newStage(dir)
	if err != nil {
		return err
	}
	defer stage.Abort()
	if err := writeRunFiles(stage, res, a, charts, chartOpts); err != nil {
		return runFailed(err)
	}
	files, err := commitStage(stage, dir, "run")
	if err != nil {
		return err
	}
	if err := printSummary(e.stdout, a.format, res.summary); err != nil {
		return runFailed(err)
	}
	fmt.Fprintf(e.stderr, "wrote %d files to %s\n", len(files), dir)
	return nil
}

// simulate runs s (and its Monte Carlo draws) and builds the summary.
func simulate(ctx context.Context, e *env, s *scenarios.Scenario, a *runArgs) (*runResult, error) {
	run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
	if err != nil {
		return nil, modelErr("simulating "+s.Name, err)
	}
	res := &runResult{scen: s, run: run}
	draws := a.draws
	if draws > 0 && len(s.Uncertain) == 0 {
		fmt.Fprintf(e.stderr, "warning: %s declares no uncertain parameters (no uncertainty: section); running without draws\n", s.Name)
		draws = 0
	}
	if draws > 0 {
		update, finish := newProgress(e, "Monte Carlo")
		res.mc, err = model.MonteCarlo(ctx, s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{
			Draws: draws, Seed: a.seed, Workers: a.workers, Progress: update,
		})
		finish()
		if err != nil {
			return nil, modelErr("Monte Carlo of "+s.Name, err)
		}
		if res.mc.Converged == 0 {
			return nil, runFailed(fmt.Errorf("none of the %d Monte Carlo draws of %s converged", draws, s.Name))
		}
	}
	metrics := report.Metrics(model.Metrics(run), res.mc)
	heads, err := report.Headlines(run, metrics)
	if err != nil {
		return nil, runFailed(err)
	}
	sum := &report.Summary{
		Tool:         "potash",
		ModelVersion: model.Version,
		Scenario:     scenarioInfo(s),
		Seed:         a.seed,
		Draws:        draws,
		Workers:      a.workers,
		Sets:         a.sets.Value(),
		FailedMonths: report.FailedMonths{Scenario: run.Scenario.Failed, Counterfactual: run.Counterfactual.Failed},
		Headline:     heads,
		Metrics:      metrics,
	}
	if res.mc != nil {
		sum.Converged, sum.FailedDraws = res.mc.Converged, res.mc.Failed
	}
	for _, w := range s.Warnings.Warnings() {
		sum.Warnings = append(sum.Warnings, w.Error())
	}
	if err := sum.CheckFinite(); err != nil {
		return nil, runFailed(fmt.Errorf("%s: %w", s.Name, err))
	}
	res.summary = sum
	return res, nil
}

// scenarioInfo describes s for the summaries.
func scenarioInfo(s *scenarios.Scenario) report.ScenarioInfo {
	sp := s.Spec
	info := report.ScenarioInfo{
		Name: s.Name, Title: s.Title, Description: s.Description, Sources: s.Sources,
		Hash: s.Hash, Counterfactual: s.CounterfactualName,
		Start: sp.Start.String(), End: sp.End.String(), ReportFrom: sp.Start.String(),
	}
	if sp.ReportStart != 0 {
		info.ReportFrom = sp.ReportStart.String()
	}
	if info.Title == "" {
		info.Title = s.Name
	}
	if sp.Market != nil {
		info.Dataset = sp.Market.Name
		if sp.Market.Version != "" {
			info.Dataset += " v" + sp.Market.Version
		}
	}
	for _, ev := range sp.Events {
		ei := report.EventInfo{ID: ev.ID, Label: ev.Label, Start: ev.Start.String()}
		if ev.End != 0 {
			ei.End = ev.End.String()
		}
		info.Events = append(info.Events, ei)
	}
	return info
}

// reproduceLine is the command line that reproduces a run exactly.
func reproduceLine(name string, a *runArgs) string {
	args := []string{"potash", "run", name, "--seed", strconv.FormatUint(a.seed, 10)}
	if a.draws > 0 {
		args = append(args, "--draws", strconv.Itoa(a.draws))
	}
	for _, s := range a.sets.Value() {
		args = append(args, "--set", s)
	}
	return commandLine(args)
}

// writeRunFiles writes every output of a run into the stage.
func writeRunFiles(stage *report.Stage, res *runResult, a *runArgs, charts bool, opts plots.Options) error {
	s := res.scen
	if charts {
		if _, err := plots.RenderRun(stage.StagingDir(), res.run, res.mc, chartMeta(s, a.seed, res.summary.Draws), opts); err != nil {
			return fmt.Errorf("charts: %w", err)
		}
	}
	if err := stage.WriteFile(fileResults, func(w io.Writer) error {
		return report.WriteTidyCSV(w, s.Name, res.run, res.mc)
	}); err != nil {
		return fmt.Errorf("%s: %w", fileResults, err)
	}
	if res.mc != nil {
		if err := stage.WriteFile(fileDraws, func(w io.Writer) error {
			return report.WriteDrawsCSV(w, s.Name, res.mc)
		}); err != nil {
			return fmt.Errorf("%s: %w", fileDraws, err)
		}
	}
	if err := stage.WriteFile(fileResolved, func(w io.Writer) error {
		return writeResolved(w, s, res.summary)
	}); err != nil {
		return fmt.Errorf("%s: %w", fileResolved, err)
	}
	names, err := filepath.Glob(filepath.Join(stage.StagingDir(), "*"))
	if err != nil {
		return err
	}
	files := []string{fileSummary, fileMarkdown}
	for _, n := range names {
		if b := filepath.Base(n); !strings.HasPrefix(b, ".") {
			files = append(files, b)
		}
	}
	res.summary.Files = sortedUnique(files)
	if err := stage.WriteFile(fileSummary, res.summary.WriteJSON); err != nil {
		return fmt.Errorf("%s: %w", fileSummary, err)
	}
	if err := stage.WriteFile(fileMarkdown, func(w io.Writer) error { return report.WriteMarkdown(w, res.summary) }); err != nil {
		return fmt.Errorf("%s: %w", fileMarkdown, err)
	}
	return nil
}

// writeResolved writes the resolved scenario with a header recording how
// it was run.
func writeResolved(w io.Writer, s *scenarios.Scenario, sum *report.Summary) error {
	fmt.Fprintf(w, "# Fully resolved scenario %q as run by potash.\n", s.Name)
	fmt.Fprintf(w, "# sha256: %s  (of the YAML after these comment lines)\n", s.Hash)
	fmt.Fprintf(w, "# model: %s\n", model.Version)
	fmt.Fprintf(w, "# seed: %d\n# draws: %d\n", sum.Seed, sum.Draws)
	for _, set := range sum.Sets {
		fmt.Fprintf(w, "# set: %s  (already applied below)\n", strings.ReplaceAll(set, "\n", " "))
	}
	fmt.Fprintf(w, "# reproduce: %s\n", sum.Command)
	_, err := w.Write(s.Resolved)
	return err
}

// printSummary prints the headline in format to w.
func printSummary(w io.Writer, format string, s *report.Summary) error {
	switch format {
	case "json":
		return s.WriteJSON(w)
	case "markdown", "md":
		return report.WriteMarkdown(w, s)
	case "csv":
		return report.WriteHeadlineCSV(w, s)
	default:
		return report.WriteTable(w, s)
	}
}

// sortedUnique returns s sorted without repeats.
func sortedUnique(s []string) []string {
	m := map[string]bool{}
	var out []string
	for _, x := range s {
		if !m[x] {
			m[x] = true
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}
